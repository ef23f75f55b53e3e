"""``risk.stability.*``: the kernels' coefficients and stability interval T(r) equal their closed forms.

Claims.  For the discrete VP (linear schedule, T = 1000), the VP SDE (beta 0.1..20) and the VE SDE (sigma 0.01..10),
u(t), v0(t)^2 and ``v(r, t)^2 = max(v0^2 - u^2 psi(r), 0)`` are the closed forms of Thm 3.1 / E.1 and Cor. 3.1 /
G.1 / G.2 (Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081); ``T(r) = {t : v0^2 > u^2 max_j psi_j(r)}`` is set by
the largest psi_j, its left end the positive root of the stability condition (the VE form keeps the sigma(0)^2 that
the printed Cor. G.1 drops; docs/methods/risk_sensitive.md §3, docs/paper_errors.md); training times are drawn in
T(r).  Fig. 2: for the VP SDE with beta(t) = 0.1 + 19.9 t and r = 1, T(r) = [0.259, 1] (0.1 t + 9.95 t^2 = ln 2).

World.  The reference kernels with coefficients recomputed from their definitions (the schedule's alpha-bars,
exp/expm1, the quadratic formula: :func:`lrtcheck.worlds.risk.closed_form_coefficients`,
:func:`~lrtcheck.worlds.risk.closed_form_t_low`), never from the kernel classes under test.

Checks.  Both exact: ``risk.stability.interval`` compares every coefficient on a time grid for 63 anisotropic
Gaussian risks (with r = 0, a zero-dimension and a huge-risk row) and 20 isotropic Cauchy risks, is_stable away
from the edge, and 50 training-time draws per risk; ``risk.stability.fig2`` compares the VP SDE's t_low with
scipy's brentq root of the printed condition.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VESDE, VPSDE, DiscreteVP
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.risk import closed_form_coefficients, closed_form_t_low, reference_kernels

FIG2_CLAIM = Claim(
    id="risk.stability.fig2",
    source="arXiv 2402.02081: Fig. 2, Cor. 3.1 / G.2; docs/methods/risk_sensitive.md §3",
    statement="VP SDE with beta(t) = 0.1 + 19.9 t and r = 1 has stability interval [0.259, 1] "
    "(alpha(t)^-1 > 1 + r^2, i.e. 0.1 t + 9.95 t^2 > ln 2).",
)


@check(FIG2_CLAIM, stochastic=False)
def check_fig2(ctx):
    """Exact: t_low against brentq's root (1e-12), alpha(t_low)(1 + r^2) = 1, and v^2 = 0 at t_low, > 0 after."""
    from scipy.optimize import brentq

    sde = VPSDE(beta_min=0.1, beta_max=20.0)
    lo, hi = sde.stability_interval(1.0)
    root = brentq(lambda t: 0.1 * t + 9.95 * t * t - np.log(2.0), 0.0, 1.0, xtol=1e-15)
    alpha = float(np.exp(sde.log_alpha(np.array([lo])))[0])
    ok = abs(lo - root) < 1e-12 and round(lo, 3) == 0.259 and hi == 1.0 and abs(alpha * 2.0 - 1.0) < 1e-12
    # the interval is open at t_low: v^2 = 0 there, > 0 just after
    v_at = sde.noise_variance(np.array([[1.0]]), np.array([lo]))[0, 0]
    v_after = sde.noise_variance(np.array([[1.0]]), np.array([lo + 1e-9]))[0, 0]
    ok = ok and abs(v_at) < 1e-12 and v_after > 0
    decision = exact_decision(ok, estimate=lo, bound=root, name="Fig. 2 interval",
                              message=f"t_low = {lo!r}, expected {root!r} (0.259)")
    return Evidence.from_decision(
        decision, details={"t_low": lo, "t_high": hi, "brentq_root": root, "alpha(t_low)(1+r^2)": 2 * alpha,
                           "paper": "[0.26, 1] (Fig. 2)"})


# ------------------------------------------------------------------------------------------------------------------
INTERVAL_CLAIM = Claim(
    id="risk.stability.interval",
    source="arXiv 2402.02081: Thm 3.1 / E.1 (T(r)), Cor. 3.1 / G.1 / G.2; docs/methods/risk_sensitive.md §3 and §5",
    statement="For the discrete VP (linear schedule), VP SDE (beta 0.1..20) and VE SDE (sigma 0.01..10) kernels, "
    "u(t), v0(t)^2 and v(r, t)^2 = max(v0^2 - u^2 psi(r), 0) equal their closed forms; T(r) is set by the largest "
    "psi_j(r) across dimensions (its left end the closed-form root); is_stable agrees with v0^2 > u^2 max_j psi_j; "
    "the training draws of sample_time lie in T(r) (empty T(r): unusable) and interval_length is |T(r)|.",
    assumptions=("Gaussian noise for anisotropic r; Cauchy noise for isotropic r (psi = (D+2)/(D+5) r^2)",),
)


@check(INTERVAL_CLAIM, stochastic=False)
def check_stability_interval(ctx):
    """Exact: every coefficient, T(r), is_stable and the training draws against their closed forms."""
    g = np.random.default_rng(ctx.seed("interval"))
    r_aniso = np.vstack([g.uniform(0.0, 1.5, (60, 3)), np.zeros((1, 3)), [[0.0, 2.0, 0.1]], [[300.0, 0.2, 0.0]]])
    r_iso = g.uniform(0.0, 1.5, (20, 1)) * np.ones((1, 3))
    problems, details = [], {}
    for name, k0 in reference_kernels().items():
        cases = [("gaussian", k0, r_aniso, np.max(r_aniso**2, axis=1))]
        kc = (DiscreteVP(Schedule.linear(1000), noise="cauchy") if name == "discrete_vp" else
              VPSDE(0.1, 20.0, noise="cauchy") if name == "vpsde" else VESDE(0.01, 10.0, noise="cauchy"))
        cases.append(("cauchy", kc, r_iso, 5.0 / 8.0 * r_iso[:, 0] ** 2))
        for noise, k, r, rho in cases:
            key = f"{noise}/{name}"
            n = r.shape[0]
            grid = np.arange(1.0, 1001.0) if k.discrete else np.linspace(1e-4, 1.0, 501)
            u2, v02 = closed_form_coefficients(name, grid)
            err_u = float(np.max(np.abs(k.signal_scale(grid) ** 2 - u2)))
            err_v0 = float(np.max(np.abs(k.clean_variance(grid) - v02) / np.maximum(v02, 1e-300)))
            # v(r, t)^2 per dimension, every (row, time) pair
            rr = np.repeat(r, grid.size, axis=0)
            tt = np.tile(grid, n)
            uu, vv = closed_form_coefficients(name, tt)
            psi = rr * rr if noise == "gaussian" else 5.0 / 8.0 * rr * rr
            want_v2 = np.maximum(vv[:, None] - uu[:, None] * psi, 0.0)
            err_v2 = float(np.max(np.abs(k.noise_variance(rr, tt) - want_v2) / np.maximum(vv, 1.0)[:, None]))
            # T(r): the closed-form left end, and is_stable away from the edge
            lo_want = closed_form_t_low(name, rho)
            lo, hi = k.stability_interval(r)
            lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
            err_lo = float(np.max(np.abs(lo - lo_want) / np.maximum(1.0, lo_want)))
            stable_want = vv > uu * np.repeat(rho, grid.size)
            margin = np.abs(vv - uu * np.repeat(rho, grid.size)) > 1e-9 * np.maximum(vv, 1e-12)
            stable = np.asarray(k.is_stable(rr, tt))
            n_disagree = int(np.sum((stable != stable_want) & margin))
            # training times (numpy path): inside T(r), usable iff T(r) meets the time domain
            draws = np.repeat(r, 50, axis=0)
            t_draw, usable = k.sample_time(draws, np.random.default_rng(ctx.seed(f"draw-{key}")))
            lo_rep = np.repeat(lo_want, 50)
            if k.discrete:
                usable_want = np.maximum(lo_rep, 1.0) <= 1000
                inside = (t_draw >= np.maximum(lo_rep, 1.0)) & (t_draw <= 1000) & (np.mod(t_draw, 1) == 0)
                length_want = np.maximum(1000 - np.maximum(lo_want, 1.0) + 1.0, 0.0)
            else:
                usable_want = np.maximum(lo_rep, k.t_eps) < 1.0
                inside = (t_draw > np.maximum(lo_rep, k.t_eps) - 1e-12) & (t_draw <= 1.0)
                length_want = np.maximum(1.0 - np.maximum(lo_want, k.t_eps), 0.0)
            n_usable_wrong = int(np.sum(usable != usable_want))
            n_outside = int(np.sum(usable_want & ~inside))
            err_len = float(np.max(np.abs(k.interval_length(r) - length_want)))
            details[key] = {"u2": err_u, "v0sq_rel": err_v0, "v2": err_v2, "t_low_rel": err_lo,
                            "t_high_is_t_max": bool(np.all(hi == k.t_max)), "is_stable_disagreements": n_disagree,
                            "usable_wrong": n_usable_wrong, "draws_outside_T(r)": n_outside,
                            "interval_length": err_len}
            for what, val, tol in (("u^2", err_u, 1e-12), ("v0^2", err_v0, 1e-9), ("v^2", err_v2, 1e-11),
                                   ("t_low", err_lo, 1e-9), ("|T(r)|", err_len, 1e-9)):
                if not val <= tol:
                    problems.append(f"{key}: {what} error {val:.3g}")
            if not np.all(hi == k.t_max):
                problems.append(f"{key}: T(r) does not end at t_max")
            for what, cnt in (("is_stable", n_disagree), ("usable", n_usable_wrong), ("draws outside T(r)", n_outside)):
                if cnt:
                    problems.append(f"{key}: {cnt} wrong {what}")
    decision = exact_decision(not problems, estimate=float(len(problems)), bound=0.0, name="closed forms of T(r)",
                              message="; ".join(problems[:4]))
    return Evidence.from_decision(decision, details=details)


# ------------------------------------------------------------------------------------------------------------------
_KER = "lrtcheck.risk.kernels"
_INTERVAL = ("risk.stability.interval", "risk.stability.fig2", "risk.training.loss_exact", "risk.target.unbiased")

MUTANTS = [
    Mutant("risk.stability_min_r", f"{_KER}:RiskKernel.rho",
           "the stability interval set by the smallest instead of the largest psi_j(r) across dimensions",
           source_edit(("out = np.maximum(p.max(axis=-1), 0.0)", "out = np.maximum(p.min(axis=-1), 0.0)")),
           _INTERVAL, tags=("ci",)),
    Mutant("risk.vp_one_minus_r2", f"{_KER}:DiscreteVP._t_low",
           "the discrete VP stability condition written (1 - r^2) ab_t < 1 instead of (1 + r^2) ab_t < 1",
           source_edit(("(1.0 + rho.reshape(-1, 1))", "(1.0 - rho.reshape(-1, 1))")),
           _INTERVAL, tags=("ci",)),
    Mutant("risk.vpsde_root_wrong_branch", f"{_KER}:VPSDE._t_low",
           "the VPSDE stability edge from the other root of a t^2 + b t - ln(1 + rho) = 0: the rationalised "
           "(-b - sqrt(b^2 + 4aL)) / (2a) = 2L / (b - sqrt(...)), negative, so T(r) = the whole domain",
           source_edit(("2.0 * L / (b + np.sqrt(b * b + 4.0 * a * L))",
                        "2.0 * L / (b - np.sqrt(b * b + 4.0 * a * L))")),
           _INTERVAL + ("risk.kernel.stable_marginal",), tags=("ci",)),
    Mutant("risk.vpsde_log_alpha_half", f"{_KER}:VPSDE.log_alpha",
           "the 1/2 of int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2 dropped in ln alpha(t)",
           source_edit(("0.5 * (self.beta_max - self.beta_min) * t * t", "(self.beta_max - self.beta_min) * t * t")),
           ("risk.stability.fig2", "risk.stability.interval"), tags=("ci",)),
    Mutant("risk.vesde_log1p_dropped", f"{_KER}:VESDE._t_low",
           "Cor. G.1 as printed (sigma(0)^2 dropped): t_low = ln(rho / sigma_min^2) / (2 ln(sigma_max/sigma_min)) "
           "instead of ln(1 + rho / sigma_min^2) / ...",
           source_edit(("np.log1p(rho / self.sigma_min**2)", "np.log(np.maximum(rho, 1e-300) / self.sigma_min**2)")),
           ("risk.stability.interval", "risk.zero_risk"), tags=("ci",)),
    Mutant("risk.vesde_variance_sigma_t", f"{_KER}:VESDE.clean_variance",
           "the VE perturbation variance written sigma(t)^2 (the usual approximation) instead of "
           "sigma(t)^2 - sigma(0)^2, inconsistent with the T(r) it is paired with",
           source_edit(("(x.expm1() if _is_torch(x) else np.expm1(x))", "(x.exp() if _is_torch(x) else np.exp(x))")),
           ("risk.stability.interval", "risk.zero_risk"), tags=("ci",)),
    Mutant("risk.sample_time_full_range", f"{_KER}:RiskKernel.sample_time",
           "t drawn uniformly on the whole time domain (the vanilla DDPM recipe) instead of on T(r)",
           source_edit(("lo = np.maximum(low, 1).astype(np.int64)", "lo = np.ones_like(low).astype(np.int64)"),
                       ("lo = np.maximum(low, self.t_eps)", "lo = np.full_like(low, self.t_eps)")),
           ("risk.stability.interval", "risk.target.unbiased"), tags=("ci",)),
]
