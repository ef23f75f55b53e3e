"""``risk.kernel.*``, ``risk.zero_risk``: the risk-sensitive forward kernel keeps the clean marginal inside T(r), not
outside it, and reduces to the standard kernel at r = 0.

Claims.  A noisy sample x~_0 = x_0 + r * eps (r a per-dimension standard deviation) perturbed by
``x~_t = u(t) x~_0 + v(r, t) eta`` with ``v^2 = max(v0^2 - u^2 r^2, 0)`` has, for t in
``T(r) = {t : v0^2 > u^2 max_j r_j^2}``, exactly the clean marginal of ``u x_0 + v0 eta``, because
``u^2 r^2 + v^2 = v0^2`` (Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081, Thm 3.1 / E.1, Cor. 3.1 / G.1 / G.2;
docs/methods/risk_sensitive.md §3).  Outside T(r) v is clipped to 0 and the law is the contraction of p_0 * N(0, r^2),
not the clean one (Remark E.1; docs/methods/risk_sensitive.md §4): the claim "at every t" fails.  At r = 0 the
kernel, its interval, the time law and the loss are the standard ones (Algorithm 1).

World.  The three reference kernels and the 2-D full-covariance Gaussian mixture with Gaussian corruption at risk
(0.8, 0.3) (:mod:`lrtcheck.worlds.risk`), whose marginal at any time and noise variance is a closed-form mixture; its
projection on theta = (1, 1) / sqrt(2) has a closed-form CDF.

Checks.  ``risk.kernel.stable_marginal``: the identity exactly on a grid for 64 random risks per kernel, and, per
kernel at a third of the share, the exact KS test of the projected noisy samples against the clean mixture CDF at a
time inside T(r) where v^2 / v0^2 is 0.3; the defect is the risk ignored (v = v0, the standard forward process on
noisy samples), whose exact sup-CDF gap sets n for the required power (the KS guaranteed power).  ``risk.kernel.
outside`` (exact) reproduces the gap at a time below T(r).  ``risk.zero_risk`` (exact) compares every kernel,
parameterisation and weighting at r = 0 with the standard formulas, and two torch training runs (r = 0, r omitted).
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import FAILS, Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure, finding, fmt
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.risk import VPSDE, cauchy_psi, cauchy_psi_derived
from lrtcheck.risk.exact import projected_mixture_cdf
from lrtcheck.risk.training import denoising_residual
from lrtcheck.stats import ks_sample_size
from lrtcheck.stats.decisions import bonferroni, exact_decision, ks_decision, split_share
from lrtcheck.worlds.risk import (RISK_VEC, THETA, mixture_marginal_laws, noisy_mixture_samples, reference_kernels,
                                  risk_kernel_laws, sup_projected_cdf_gap, time_inside)

STABLE_CLAIM = Claim(
    id="risk.kernel.stable_marginal",
    source="arXiv 2402.02081: Thm 3.1 / E.1, Cor. 3.1 / G.1 / G.2; docs/methods/risk_sensitive.md §3-§4",
    statement="Inside T(r), x~_t = u x~_0 + v(r,t) eta with v^2 = v0^2 - u^2 r^2 has exactly the clean marginal: "
    "exact moments for Gaussian p0, and the exact mixture CDF of a projection for a full-covariance GMM p0, for the "
    "discrete VP, VP SDE and VE SDE kernels.",
    assumptions=("Gaussian noise, r a per-dimension standard deviation", "t inside T(r) in every dimension"),
)

RISK_IGNORED = "risk ignored in the kernel (v = v0, the standard forward process on noisy samples)"


@check(STABLE_CLAIM, quick=dict(ratio=0.3, max_n=20000), full=dict(ratio=0.3, max_n=200000))
def check_stable_marginal(ctx):
    """The exact identity u^2 r^2 + v^2 = v0^2 on every stable grid time, and one exact KS test per kernel at a third
    of the share, joined by Bonferroni; defect: the risk ignored (v = v0)."""
    kernels = reference_kernels()
    # exact part: u^2 r^2 + v^2 = v0^2 on every stable time of a grid, for batches of per-dimension r
    rng = ctx.rng
    r_batch = rng.uniform(0.0, 1.5, (64, 3))
    exact_err = {}
    for name, k in kernels.items():
        lo, hi = k.stability_interval(r_batch)
        grid = np.arange(1, k.T + 1) if k.discrete else np.linspace(1e-4, 1.0, 400)
        worst = 0.0
        for t in grid:
            ok = np.asarray(k.is_stable(r_batch, np.full(64, t)))
            if not ok.any():
                continue
            tt = np.full(int(ok.sum()), t)
            v2 = k.noise_variance(r_batch[ok], tt)
            total = k.signal_scale(tt)[:, None] ** 2 * r_batch[ok] ** 2 + v2
            worst = max(worst, float(np.max(np.abs(total - k.clean_variance(tt)[:, None]))))
        exact_err[name] = worst
    identity = exact_decision(all(e <= 1e-12 for e in exact_err.values()), estimate=max(exact_err.values()),
                              bound=1e-12, name="u^2 r^2 + v^2 = v0^2", message=f"exact identity error {exact_err}")
    # Monte Carlo part: KS (exact law) of a projection against the closed-form mixture CDF, one per kernel
    level = split_share(ctx.false_fail_rate, len(kernels))
    results, parts = {}, [identity]
    for name, k in kernels.items():
        t = time_inside(k, RISK_VEC, ctx.params["ratio"])
        clean, _ = risk_kernel_laws(k, t)
        _, bug = risk_kernel_laws(k, t, sign=0.0)  # defect: risk ignored, v = v0 (the standard kernel on noisy data)
        disc = sup_projected_cdf_gap(clean, bug)
        n = min(ks_sample_size(disc, level, ctx.required_power), ctx.params["max_n"])
        g = np.random.default_rng(ctx.stream(f"mc-{name}"))
        xn = noisy_mixture_samples(g, n)
        xt = k.perturb(xn, RISK_VEC, np.full(n, t), g.standard_normal((n, 2)))
        ks = ks_decision(xt @ THETA, lambda z: projected_mixture_cdf(z, THETA, *clean), level,
                         defect_discrepancy=disc, target_defect=RISK_IGNORED, name=f"{name} projected marginal")
        results[name] = {"t": t, "n": n, "ks": ks.statistic, "p": ks.p_value, "defect_sup_gap": disc,
                         "threshold": ks.bound, "power": ks.power}
        parts.append(ks)
    decision = bonferroni(parts, ctx.false_fail_rate, report="smallest_p")
    return Evidence.from_decision(
        decision, n=int(sum(r["n"] for r in results.values())),
        estimate=float(min(r["p"] for r in results.values())), bound=level,
        defect_size=float(min(r["defect_sup_gap"] for r in results.values())),
        details={"exact_max_abs_error": exact_err, "ks": results, "risk": RISK_VEC.tolist(),
                 "level_per_kernel": level},
    )


@figure(check_stable_marginal)
def stable_marginal_ks_bars(ev) -> list[Spec]:
    """Each kernel's KS statistic against its exact critical value."""
    ks = detail(ev, "ks")
    names = list(ks)
    return [{"kind": "bars", "title": "Stable noisy kernel: KS distance to the clean marginal", "labels": names,
             "values": [ks[n]["ks"] for n in names], "targets": [ks[n]["threshold"] for n in names],
             "target_label": "exact KS critical value", "ylabel": "KS statistic",
             "note": "defect (risk ignored) sup-CDF gap: " + ", ".join(fmt(ks[n]["defect_sup_gap"]) for n in names),
             "caption": "Inside T(r) the noisy samples' projection is indistinguishable from the clean marginal: every "
                        "KS statistic stays below its exact critical value."}]


# ------------------------------------------------------------------------------------------------------------------
OUTSIDE_CLAIM = Claim(
    id="risk.kernel.outside",
    source="arXiv 2402.02081: Thm 3.1 / E.1 (T(r)), Remark E.1; docs/methods/risk_sensitive.md §4",
    statement="The noisy kernel reproduces the clean marginal at every t (also outside T(r)).",
    expectation=FAILS,
    limitation=True,
    assumptions=("outside T(r) v is clipped to 0: the kernel is a pure contraction and the law is "
                 "p0 * N(0, r^2) pushed forward",),
)


@check(OUTSIDE_CLAIM, stochastic=False)
def check_outside(ctx):
    """Exact: the sup-CDF gap between the implemented kernel's law and the clean marginal at a time below T(r)."""
    gaps = {}
    for name, k in reference_kernels().items():
        lo, _ = k.stability_interval(RISK_VEC)
        t = max(int(lo) // 2, 1) if k.discrete else 0.5 * lo
        if k.is_stable(RISK_VEC[None], np.array([t]))[0]:
            raise RuntimeError(f"risk.kernel.outside: t={t} chosen below T(r) for kernel {name!r} is stable; "
                               "the stability interval is inconsistent")
        tt = np.array([t])
        u = float(k.signal_scale(tt)[0])
        v2 = k.noise_variance(RISK_VEC[None], tt)[0]  # the implemented (clipped) variance
        clean, noisy = mixture_marginal_laws(u, k.clean_variance(tt)[0], v2)
        gaps[name] = {"t": float(t), "sup_cdf_gap": sup_projected_cdf_gap(clean, noisy),
                      "variance_excess": (u * u * RISK_VEC**2 + v2 - k.clean_variance(tt)[0]).tolist()}
    smallest = min(g["sup_cdf_gap"] for g in gaps.values())
    decision = exact_decision(not smallest > 1e-6, estimate=smallest, bound=0.0, name="clean marginal outside T(r)")
    return Evidence.from_decision(
        decision, details=gaps,
        message="outside T(r) the marginal matched the clean one: the kernel is not clipped" if decision.holds else "")


@figure(check_outside)
def outside_gap_bars(ev) -> list[Spec]:
    """The exact gap to the clean marginal per kernel, below T(r)."""
    names = [k for k, v in ev.details.items() if isinstance(v, dict) and "sup_cdf_gap" in v]
    if not names:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Outside T(r): gap to the clean marginal", "labels": names,
             "values": [ev.details[n]["sup_cdf_gap"] for n in names], "ylabel": "sup |F_noisy − F_clean| (exact)",
             "caption": "Before the stability time the kernel cannot remove the extra noise: the marginal differs."}]


@finding(check_outside)
def outside_finding(ev) -> str:
    return (f"outside T(r) the clipped kernel's marginal differs from the clean one (smallest sup-CDF gap "
            f"{fmt(ev.estimate)}): stability holds only inside T(r).")


# ------------------------------------------------------------------------------------------------------------------
ZERO_CLAIM = Claim(
    id="risk.zero_risk",
    source="arXiv 2402.02081: Algorithm 1 (r = 0 is the vanilla algorithm with T(0) = [0, T]); "
    "docs/methods/risk_sensitive.md §3 and §6",
    statement="With r = 0 the risk-sensitive kernel, stability interval, time law and loss reduce exactly to the "
    "standard ones (Gaussian and Cauchy noise, every kernel and parameterisation).",
)


@check(ZERO_CLAIM, stochastic=False)
def check_zero_risk(ctx):
    """Exact: v(0, t) = v0(t), T(0) the whole domain, each residual equal to the standard one (1e-12), psi(0) = 0,
    and fit_network with r = 0 giving the same weights as with r omitted."""
    import torch

    problems, details = [], {}
    x = np.random.default_rng(0).standard_normal((50, 3))
    out = np.random.default_rng(1).standard_normal((50, 3))
    eta = np.random.default_rng(2).standard_normal((50, 3))
    for noise in ("gaussian", "cauchy"):
        for name, k0 in reference_kernels().items():
            k = type(k0)(k0.schedule, noise=noise) if k0.discrete else type(k0)(
                *((k0.beta_min, k0.beta_max) if isinstance(k0, VPSDE) else (k0.sigma_min, k0.sigma_max)), noise=noise)
            grid = np.arange(1, k.T + 1, dtype=float) if k.discrete else np.linspace(1e-4, 1.0, 200)
            r0 = np.zeros((grid.size, 3))
            if not np.array_equal(k.noise_variance(r0, grid), np.broadcast_to(k.clean_variance(grid)[:, None],
                                                                               (grid.size, 3))):
                problems.append(f"{noise}/{name}: v(0, t) != v0(t)")
            lo, hi = k.stability_interval(np.zeros(3))
            if lo != (1.0 if k.discrete else 0.0) or hi != k.t_max:
                problems.append(f"{noise}/{name}: T(0) = ({lo}, {hi})")
            tt = np.full(50, grid[len(grid) // 2])
            u = k.signal_scale(tt)[:, None]
            v0sq = k.clean_variance(tt)[:, None]
            xt = u * x + np.sqrt(v0sq) * eta
            for par in ("eps", "score", "denoiser"):
                for w in ("tamed", "paper"):
                    res = denoising_residual(out, xt, eta, u, v0sq, np.broadcast_to(v0sq, x.shape), par, w)
                    if par == "eps":
                        std = (eta - out) if w == "tamed" else out - eta  # the standard eps loss (sign immaterial)
                    elif par == "score":
                        std = (np.sqrt(v0sq) * out + eta) if w == "tamed" else out + eta / np.sqrt(v0sq)
                    else:
                        s = (u * out - xt) / v0sq
                        std = (np.sqrt(v0sq) * s + eta) if w == "tamed" else out - (xt - np.sqrt(v0sq) * eta) / u
                    err = float(np.max(np.abs(res - std)))
                    details[f"{noise}/{name}/{par}/{w}"] = err
                    if err > 1e-12:
                        problems.append(f"{noise}/{name}/{par}/{w}: residual differs from the standard one by {err}")
    if np.any(cauchy_psi(np.zeros((4, 3))) != 0) or np.any(cauchy_psi_derived(np.zeros(3)) != 0):
        problems.append("cauchy psi(0) != 0")
    # the torch path: fit_network with r = 0 and with r omitted draw the same batches and give the same weights
    from lrtcheck.risk.network import TabularMLP
    from lrtcheck.risk.training import fit_network

    nets = []
    for rr in (None, np.zeros((64, 2))):
        g = torch.Generator()
        g.manual_seed(0)
        net = TabularMLP(2, 16, 2, 8, generator=g)
        fit_network(net, VPSDE(), np.random.default_rng(3).standard_normal((64, 2)), rr, steps=5, batch_size=16,
                    seed=4, log_every=0)
        nets.append(torch.cat([p.detach().reshape(-1) for p in net.parameters()]))
    if not torch.equal(nets[0], nets[1]):
        problems.append("fit_network with r = 0 differs from standard training")
    decision = exact_decision(not problems, estimate=max(details.values()), bound=0.0, name="r = 0 is standard",
                              message="; ".join(problems[:3]))
    return Evidence.from_decision(decision, details={"max_abs_residual_difference": details})


# ------------------------------------------------------------------------------------------------------------------
_KER = "lrtcheck.risk.kernels"

MUTANTS = [
    Mutant("risk.paper_sign_plus", f"{_KER}:RiskKernel.noise_variance",
           "the paper's printed Gaussian Psi = +r^2 u^2 used in v^2 = v0^2 + Psi (Thm 3.2 text)",
           source_edit(("np.maximum(v02 - u2 * p, 0.0)", "np.maximum(v02 + u2 * p, 0.0)")),
           ("risk.stability.interval", "risk.kernel.stable_marginal", "risk.target.unbiased"), tags=("ci",)),
    Mutant("risk.clamp_dropped", f"{_KER}:RiskKernel.noise_variance",
           "the clamp max(v0^2 - u^2 psi, 0) dropped: outside T(r) v^2 goes negative and the contraction is "
           "reported as the clean marginal",
           source_edit(("np.maximum(v02 - u2 * p, 0.0)", "v02 - u2 * p")),
           ("risk.kernel.outside", "risk.stability.interval"), tags=("ci",)),
]
MUTANTS += [
    Mutant("risk.kernel_risk_ignored", f"{_KER}:RiskKernel.noise_variance",
           "the risk left out of the kernel's noise variance: v = v0, the standard forward process run on noisy "
           "samples",
           source_edit(("np.maximum(v02 - u2 * p, 0.0)", "np.maximum(v02 - u2 * np.zeros_like(p), 0.0)")),
           ("risk.kernel.stable_marginal",), declares=("risk.kernel.stable_marginal",)),
]
