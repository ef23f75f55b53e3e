"""``risk.psi.*``, ``risk.paper_sign``, ``risk.cauchy_psi.anisotropic``: the effective noise variance psi(r), its
closed forms, and two of the paper's printed formulas that do not hold.

Claims.  For Gaussian noise psi(r) = r^2 with r a per-dimension standard deviation (Thm 3.1 / E.1; the N(0, rI) of
Remarks 3.1 / E.3 is a slip), and the general least-squares Psi of Thm 3.2 / F.1,
``Psi = 2 (int Omega [y y^T]^o2)^-1 int Omega ln|phi_r(u y)| [y]^o2``, is -r^2 u^2 for every weight Omega; the text
prints +r^2 u^2, which breaks the stability identity (``risk.paper_sign``, fails).  For product Cauchy noise with
Omega = |phi_r| the printed Cor. 3.2 / G.3, ``psi(r) = (r^-2 r^-2T + diag(5 r^-4))^-1 (r^-1 1^T r^-1 + 2 r^-2)``,
reduces to (D+2)/(D+5) r^2 for isotropic r and r^2/2 in 1-D, while the general Psi gives (D+2)/(D+5) r^2 for every
r: the printed formula is wrong for anisotropic r (``risk.cauchy_psi.anisotropic``, fails) (Li, Ruiz Luyten & van
der Schaar, arXiv 2402.02081; docs/methods/risk_sensitive.md §2 and §5, docs/paper_errors.md §1.4-§1.5).

World.  Closed forms only: random positive risks (up to 3), the printed Cauchy formula by a dense linear solve, the
general Psi by quadrature on a 2-D grid (Gaussian: Omega = exp(-(y1^2 + 2 y2^2) / 2); Cauchy: Omega = |phi_r|).

Checks.  All exact.  ``risk.psi.closed_forms`` compares gaussian_psi, effective_psi, cauchy_psi and
cauchy_psi_derived with their closed forms (relative error 1e-10).  ``risk.paper_sign`` reproduces the printed sign's
gap (sup-CDF gap > 1e-6) beside the derived sign's exact match and the quadrature Psi = -r^2 u^2.
``risk.cauchy_psi.anisotropic`` reproduces the printed formula's agreement at r = (1, 1) and its gap (> 1e-2) at
r = (0.5, 1.5), where the derived form matches the quadrature.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import FAILS, Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, finding, fmt, number
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.risk import VPSDE, cauchy_psi, cauchy_psi_derived
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.risk import RISK_VEC, risk_kernel_laws, sup_projected_cdf_gap, time_inside

PSI_CLAIM = Claim(
    id="risk.psi.closed_forms",
    source="arXiv 2402.02081: Thm 3.1 / E.1 (psi = r^2, r a standard deviation), Cor. 3.2 / G.3 (printed Cauchy "
    "psi), Thm 3.2 / F.1 ((D+2)/(D+5) r^2); docs/methods/risk_sensitive.md §2 and §5",
    statement="psi(r) = r^2 for Gaussian noise; the Cauchy psi equals the printed matrix formula of Cor. 3.2 for "
    "every positive r (a dense solve), (D+2)/(D+5) r^2 for isotropic r and r^2/2 in 1-D; the derived psi is "
    "(D+2)/(D+5) r^2 for every r; psi is homogeneous of degree 2.",
)


def printed_cauchy_psi_dense(r):
    """Cor. 3.2 / G.3 as printed, by a dense solve: (a a^T + diag(5 a^2))^-1 (r^-1 (1^T r^-1) + 2 a), a = r^-2."""
    a = r**-2.0
    m = np.outer(a, a) + np.diag(5.0 * a * a)
    return np.linalg.solve(m, (1.0 / r) * np.sum(1.0 / r) + 2.0 * a)


@check(PSI_CLAIM, stochastic=False)
def check_psi_closed_forms(ctx):
    """Exact: every psi against its closed form, relative error <= 1e-10."""
    from lrtcheck.risk.psi import effective_psi, gaussian_psi

    g = np.random.default_rng(ctx.seed("psi"))
    errs = {}
    r = g.uniform(0.05, 3.0, (40, 3))
    errs["gaussian=r^2"] = float(np.max(np.abs(gaussian_psi(r) - r * r)))
    errs["effective_gaussian=r^2"] = float(np.max(np.abs(effective_psi(r, "gaussian") - r * r)))
    dense = np.array([printed_cauchy_psi_dense(row) for row in r])
    errs["cauchy_printed_dense_solve"] = float(np.max(np.abs(cauchy_psi(r) - dense) / (r * r)))
    errs["cauchy_printed_single_vector"] = float(np.max(np.abs(cauchy_psi(r[0]) - dense[0]) / (r[0] ** 2)))
    for d in (1, 2, 5):
        c = g.uniform(0.1, 3.0, (10, 1)) * np.ones((1, d))
        want = (d + 2.0) / (d + 5.0) * c * c
        errs[f"cauchy_isotropic_D{d}"] = float(np.max(np.abs(cauchy_psi(c) - want) / (c * c)))
        errs[f"derived_isotropic_D{d}"] = float(np.max(np.abs(cauchy_psi_derived(c) - want) / (c * c)))
    c1 = g.uniform(0.1, 3.0, 10)
    errs["cauchy_1d_r^2/2"] = float(np.max(np.abs(cauchy_psi(c1[:, None])[:, 0] - c1 * c1 / 2.0) / (c1 * c1)))
    errs["derived_anisotropic"] = float(np.max(np.abs(cauchy_psi_derived(r) - 5.0 / 8.0 * r * r) / (r * r)))
    errs["homogeneity_deg2"] = float(np.max(np.abs(cauchy_psi(3.0 * r) - 9.0 * cauchy_psi(r)) / (r * r)))
    bad = {k: v for k, v in errs.items() if not v <= 1e-10}
    decision = exact_decision(not bad, estimate=max(errs.values()), bound=1e-10, name="psi closed forms",
                              message=f"psi differs: {bad}")
    return Evidence.from_decision(decision, details={"max_relative_error": errs})


# ------------------------------------------------------------------------------------------------------------------
SIGN_CLAIM = Claim(
    id="risk.paper_sign",
    source="arXiv 2402.02081: Thm 3.2 / F.1 text (Gaussian case printed as Psi = +r^2 u^2) vs Thm 3.1 / E.1; "
    "docs/paper_errors.md §1.4",
    statement="The printed Gaussian Psi = +r^2 u^2, used in v^2 = v0^2 + Psi, keeps the noisy marginal equal to "
    "the clean one (as the Gaussian theorem requires).",
    expectation=FAILS,
)


@check(SIGN_CLAIM, stochastic=False)
def check_paper_sign(ctx):
    """Exact: the printed sign's sup-CDF gap (> 1e-6) at a time inside T(r) on the VP SDE, the derived sign's
    covariance match (< 1e-12) and the quadrature Psi = -r^2 u^2 (relative 1e-6)."""
    out = {}
    k = VPSDE()
    t = time_inside(k, RISK_VEC, 0.3)
    for sign in (+1.0, -1.0):
        clean, noisy = risk_kernel_laws(k, t, RISK_VEC, sign=sign)
        var_gap = float(np.max(np.abs(noisy[1] - clean[1])))
        out["plus" if sign > 0 else "minus"] = {"max_cov_gap": var_gap,
                                                "sup_cdf_gap": sup_projected_cdf_gap(clean, noisy)}
    # the general least-squares Psi (Thm 3.2) for Gaussian noise: 2 M^-1 int Omega ln|phi| y^2 = -(r u)^2, any Omega
    u = float(k.signal_scale(np.array([t]))[0])
    y = np.linspace(-12, 12, 1201)
    Y1, Y2 = np.meshgrid(y, y, indexing="ij")
    omega = np.exp(-0.5 * (Y1**2 + 2.0 * Y2**2))
    logphi = -0.5 * ((RISK_VEC[0] * u * Y1) ** 2 + (RISK_VEC[1] * u * Y2) ** 2)
    M = np.array([[np.sum(omega * a * a * b * b) for b in (Y1, Y2)] for a in (Y1, Y2)])
    rhs = np.array([np.sum(omega * logphi * a * a) for a in (Y1, Y2)])
    psi_general = 2.0 * np.linalg.solve(M, rhs)
    out["general_psi_quadrature"] = psi_general.tolist()
    out["minus_r2u2"] = (-(RISK_VEC * u) ** 2).tolist()
    plus_breaks = out["plus"]["sup_cdf_gap"] > 1e-6
    minus_holds = out["minus"]["max_cov_gap"] < 1e-12
    general_agrees = np.allclose(psi_general, -(RISK_VEC * u) ** 2, rtol=1e-6)
    violated = plus_breaks and minus_holds and general_agrees
    decision = exact_decision(not violated, estimate=out["plus"]["sup_cdf_gap"], bound=0.0,
                              name="printed Psi keeps the clean marginal")
    return Evidence.from_decision(decision, details=out,
                                  message=f"sign check did not reproduce: {out}" if decision.holds else "")


@figure(check_paper_sign)
def paper_sign_bars(ev) -> list[Spec]:
    """The exact sup-CDF gap under the printed and the derived sign."""
    return [{"kind": "bars", "title": "Printed Ψ = +r²u² vs the derived −r²u²",
             "labels": ["printed  v² = v0² + r²u²", "derived  v² = v0² − r²u²"],
             "values": [number(detail(ev, "plus", "sup_cdf_gap")), number(detail(ev, "minus", "sup_cdf_gap"))],
             "ylabel": "sup |F_noisy − F_clean| (exact)",
             "caption": "With the printed sign the noisy marginal departs from the clean one; with the derived sign "
                        "it matches exactly."}]


@finding(check_paper_sign)
def paper_sign_finding(ev) -> str:
    return (f"with the printed Ψ = +r²u² the noisy marginal misses the clean one by sup-CDF gap {fmt(ev.estimate)}; the "
            f"derived Ψ = −r²u² matches exactly.")


# ------------------------------------------------------------------------------------------------------------------
CAUCHY_CLAIM = Claim(
    id="risk.cauchy_psi.anisotropic",
    source="arXiv 2402.02081: Cor. 3.2 / G.3 (printed psi) vs Thm 3.2 / F.1 (general Psi, Omega = |phi_r|); "
    "docs/methods/risk_sensitive.md §5, docs/paper_errors.md §1.5",
    statement="The printed Cauchy psi(r) = (r^-2 r^-2T + diag(5 r^-4))^-1 (r^-1 1^T r^-1 + 2 r^-2) equals the "
    "general least-squares Psi of Thm 3.2 for anisotropic r (it does for isotropic r and in 1-D).",
    expectation=FAILS,
    assumptions=("product Cauchy noise, phi_r(y) = exp(-sum_j r_j |y_j|), weight Omega = |phi_r|",),
)


@check(CAUCHY_CLAIM, stochastic=False)
def check_cauchy_psi(ctx):
    """Exact: the quadrature Psi against the printed and derived forms at r = (1, 1) and r = (0.5, 1.5)."""
    out = {}
    y = np.linspace(-80, 80, 2401)
    h = y[1] - y[0]
    Y1, Y2 = np.meshgrid(y, y, indexing="ij")
    for r in (np.array([1.0, 1.0]), np.array([0.5, 1.5])):
        omega = np.exp(-r[0] * np.abs(Y1) - r[1] * np.abs(Y2))
        logphi = -(r[0] * np.abs(Y1) + r[1] * np.abs(Y2))
        M = np.array([[np.sum(omega * a * a * b * b) for b in (Y1, Y2)] for a in (Y1, Y2)]) * h * h
        rhs = np.array([np.sum(omega * logphi * a * a) for a in (Y1, Y2)]) * h * h
        psi_q = -2.0 * np.linalg.solve(M, rhs)
        out[str(r.tolist())] = {"quadrature": psi_q.tolist(), "printed": cauchy_psi(r).tolist(),
                                "derived_(D+2)/(D+5)r^2": cauchy_psi_derived(r).tolist()}
    iso, aniso = out["[1.0, 1.0]"], out["[0.5, 1.5]"]
    iso_ok = np.allclose(iso["quadrature"], iso["printed"], rtol=1e-3)
    aniso_derived = np.allclose(aniso["quadrature"], aniso["derived_(D+2)/(D+5)r^2"], rtol=1e-3)
    aniso_gap = float(np.max(np.abs(np.array(aniso["quadrature"]) - aniso["printed"])))
    violated = iso_ok and aniso_derived and aniso_gap > 1e-2
    decision = exact_decision(not violated, estimate=aniso_gap, bound=0.0, name="printed Cauchy psi is the general Psi")
    return Evidence.from_decision(decision, details=out, message=f"did not reproduce: {out}" if decision.holds else "")


@figure(check_cauchy_psi)
def cauchy_psi_bars(ev) -> list[Spec]:
    """The general Psi, the printed psi and the derived psi per dimension at r = (0.5, 1.5)."""
    aniso = detail(ev, "[0.5, 1.5]")
    return [{"kind": "bars", "title": "Cauchy ψ(r), anisotropic r = (0.5, 1.5)", "labels": ["dimension 1", "dimension 2"],
             "values": {"general least-squares Ψ (quadrature)": aniso["quadrature"],
                        "printed ψ (Cor. 3.2)": aniso["printed"],
                        "derived (D+2)/(D+5) r²": aniso["derived_(D+2)/(D+5)r^2"]},
             "ylabel": "Ψ per dimension",
             "caption": "The printed closed form disagrees with the general Ψ of Thm 3.2 once r is anisotropic; the "
                        "derived per-dimension formula matches the quadrature."}]


@finding(check_cauchy_psi)
def cauchy_psi_finding(ev) -> str:
    return (f"for anisotropic r the printed Cauchy ψ differs from the general least-squares Ψ by {fmt(ev.estimate)}; "
            f"the per-dimension (D+2)/(D+5) r² form matches.")


# ------------------------------------------------------------------------------------------------------------------
_PSI = "lrtcheck.risk.psi"

MUTANTS = [
    Mutant("risk.r_as_variance", f"{_PSI}:gaussian_psi",
           "r read as a variance (the paper's N(0, rI) of Remark 3.1): psi(r) = r, so v^2 = v0^2 - u^2 r",
           source_edit(("return r * r", "return r")),
           ("risk.psi.closed_forms", "risk.stability.interval", "risk.kernel.stable_marginal",
            "risk.training.loss_exact"), tags=("ci",)),
    Mutant("risk.cauchy_derived_swapped", f"{_PSI}:cauchy_psi_derived",
           "the isotropic Cauchy reduction (D+2)/(D+5) r^2 transcribed upside down as (D+5)/(D+2) r^2",
           source_edit(("(dpos + 2.0) / (dpos + 5.0)", "(dpos + 5.0) / (dpos + 2.0)")),
           ("risk.cauchy_psi.anisotropic", "risk.psi.closed_forms"), tags=("ci",)),
    Mutant("risk.cauchy_sherman_morrison", f"{_PSI}:cauchy_psi",
           "the textbook Sherman-Morrison denominator 1 + 1^T 1 of (I + 1 1^T) used for (5 I + 1 1^T), whose "
           "denominator is 5 + D",
           source_edit(("(s * big_s + 2.0 * dpos) / (dpos + 5.0)", "(s * big_s + 2.0 * dpos) / (dpos + 1.0)")),
           ("risk.cauchy_psi.anisotropic", "risk.psi.closed_forms"), tags=("ci",)),
]
