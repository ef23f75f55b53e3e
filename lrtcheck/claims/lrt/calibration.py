"""``lrt.calibration.rank_exact`` and ``lrt.calibration.dkw``: the exact laws of the calibrated realized level.

Claims.  Calibrated on n i.i.d. H0 statistics, the threshold tau_hat = X_(k) has realized level 1 - F(tau_hat) ~
Beta(n+1-k, k) (docs/certification.md §8).  With the conformal rank k = ceil((n+1)(1-alpha)) its mean is at most
alpha (arXiv 2510.24983, level-alpha calibration); with the DKW-conservative rank k = ceil(n(1-alpha+eps)), eps
Massart's one-sided constant, the realized level exceeds alpha with probability at most delta, and the plug-in
quantile's realized level leaves alpha +- eps_n(delta) with probability at most delta (Massart 1990, Ann. Probab.
18(3); docs/methods/lrt_diffusion.md §8).

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` with the beta variance on linear(20, 1e-4, 0.2): the
realized level of any threshold is exact, 1 - Phi((tau + D^2/2)/D).

Checks.  ``rank_exact``: an exact KS test of R realized levels against Beta(n+1-k, k) at the whole share; defect:
the rank off by one.  ``dkw``: two exact two-sided binomial counts (plug-in levels outside the band; DKW levels
above alpha) at half the share each, with the DKW rank recomputed from its definition and the exact guarantees
P <= delta; defects: the threshold from n/4 draws, the plug-in quantile in place of the DKW level.
The mutants of ``calibrate_threshold`` live in :mod:`lrtcheck.claims.lrt.calibration_ranks`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, artifact, detail, figure, fmt, histogram, number
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt import calibrate_threshold
from lrtcheck.stats import conformal_rank, dkw_epsilon, order_statistic_level_law
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision, ks_decision, split_share
from lrtcheck.worlds.lrt import gaussian_heads_world, lrt_sampler_factory

RANK_CLAIM = Claim(
    id="lrt.calibration.rank_exact",
    source=f"{PAPER} (level-alpha calibration); docs/methods/lrt_diffusion.md §8 (conformal rank and its Beta law)",
    statement="The realized level 1 - F(tau_hat) of the conformal-rank threshold k = ceil((n+1)(1-alpha)) on H0 draws "
    "of the sampler follows Beta(n+1-k, k) exactly.",
    assumptions=("i.i.d. continuous H0 statistics",),
)

DKW_CLAIM = Claim(
    id="lrt.calibration.dkw",
    source=f"{PAPER} (DKW finite-sample calibration); Massart (1990); docs/methods/lrt_diffusion.md §8",
    statement="Over R independent calibrations of size n, the number whose realized alpha (exact, via Phi) leaves "
    "alpha +- eps_n(delta) is consistent with at most delta R; the DKW-conservative level 1-alpha+eps keeps the "
    "realized alpha <= alpha in at least (1-delta) R of them.",
    assumptions=("i.i.d. continuous H0 statistics", "two-sided Massart constant for the band",
                 "DKW-conservative rank k = ceil(n(1-alpha+eps)) with Massart's one-sided eps (delta <= 1/2)"),
)


def realized_levels(sampler, law, R, n, alpha, seed, method="conformal", delta=None):
    """R calibrations of size n on the sampler's H0 draws: their exact realized levels 1 - F0(tau_hat) and taus."""
    stats_ = np.asarray(sampler.null_statistics(R * n, seed=seed)).reshape(R, n)
    taus = np.array([calibrate_threshold(row, alpha, method=method, delta=delta).tau for row in stats_])
    return law.law("H0").sf(taus), taus


def beta_law_discrepancy(a1, b1, a2, b2) -> float:
    """sup_x |Beta(a1, b1).cdf(x) - Beta(a2, b2).cdf(x)| on a grid of 200001 points of [0, 1]."""
    grid = np.linspace(0.0, 1.0, 200001)
    return float(np.max(np.abs(st.beta(a1, b1).cdf(grid) - st.beta(a2, b2).cdf(grid))))


@check(RANK_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=99, alpha=0.1, R=3000, T=20), full=dict(n=99, alpha=0.1, R=6000, T=20))
def check_rank_exact(ctx):
    """Exact KS of R realized levels against Beta(n+1-k, k); defect: the conformal rank off by one (k+1)."""
    p = ctx.params
    n, alpha, R = p["n"], p["alpha"], p["R"]
    sampler, law = gaussian_heads_world(ctx.subject, Schedule.linear(p["T"], 1e-4, 0.2), "beta")
    k = conformal_rank(n, alpha)
    levels, _ = realized_levels(sampler, law, R, n, alpha, ctx.seed("null"))
    ref = order_statistic_level_law(n, k)
    disc = beta_law_discrepancy(n + 1 - k, k, n - k, k + 1)  # rank off by one (k+1)
    ks = ks_decision(levels, ref.cdf, ctx.false_fail_rate, defect_discrepancy=disc,
                     target_defect="conformal rank off by one (k+1)", name=f"realized levels ~ Beta({n + 1 - k}, {k})")
    return Evidence.from_decision(
        ks, estimate=float(levels.mean()), lower=float(np.quantile(levels, .05)),
        upper=float(np.quantile(levels, .95)), bound=float(ref.mean()),
        details={"k": k, "ks_statistic": ks.statistic, "mean_exact": float(ref.mean()), "n_cal": n, "alpha": alpha},
        artifacts={"realized_levels": levels},
    )


def alpha_sweep(n, delta, alpha, lev_q, lev_d, alphas=(0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25,
                                                      0.3)):
    """Figure data (exact, no sampling): the realized Type-I 1 - F0(tau_hat) of the k-th smallest of n H0 draws is
    Beta(n+1-k, k) (``order_statistic_level_law``), for the plug-in, conformal and DKW ranks of
    ``calibrate_threshold`` over a grid of alpha; plus summaries of the check's Monte Carlo realized levels."""
    ranks = np.arange(n, dtype=np.float64)
    out = {"n": n, "delta": delta, "eps_two_sided": dkw_epsilon(n, delta), "alpha": [], "plugin_mean": [],
           "plugin_q05": [], "plugin_q95": [], "conformal_mean": [], "dkw_q": []}
    for a in alphas:
        laws = {m: (None if k is None else order_statistic_level_law(n, k)) for m, k in (
            ("quantile", calibrate_threshold(ranks, a, method="quantile", delta=delta).k),
            ("conformal", calibrate_threshold(ranks, a, method="conformal").k),
            ("dkw", calibrate_threshold(ranks, a, method="dkw", delta=delta).k))}
        q, c, d = laws["quantile"], laws["conformal"], laws["dkw"]
        out["alpha"].append(a)
        out["plugin_mean"].append(float(q.mean()) if q else 0.0)
        out["plugin_q05"].append(float(q.ppf(0.05)) if q else 0.0)
        out["plugin_q95"].append(float(q.ppf(0.95)) if q else 0.0)
        out["conformal_mean"].append(float(c.mean()) if c else 0.0)
        out["dkw_q"].append(float(d.ppf(1 - delta)) if d else 0.0)
    out["monte_carlo"] = {"R": int(lev_q.size), "alpha": alpha, "plugin_mean": float(lev_q.mean()),
                          "plugin_q05": float(np.quantile(lev_q, 0.05)), "plugin_q95": float(np.quantile(lev_q, 0.95)),
                          "dkw_q": float(np.quantile(lev_d, 1 - delta))}
    return out


@check(DKW_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=200, alpha=0.1, delta=0.5, R=1000, T=20), full=dict(n=200, alpha=0.1, delta=0.5, R=4000, T=20))
def check_calibration_dkw(ctx):
    """Two exact two-sided binomial counts at half the share each, the DKW rank and the exact guarantees."""
    p = ctx.params
    n, alpha, delta, R = p["n"], p["alpha"], p["delta"], p["R"]
    sampler, law = gaussian_heads_world(ctx.subject, Schedule.linear(p["T"], 1e-4, 0.2), "beta")
    level = split_share(ctx.false_fail_rate, 2)
    eps2 = dkw_epsilon(n, delta)
    # (a) plug-in quantile: |realized - alpha| > eps; exact probability from the Beta law of its order statistic
    lev_q, _ = realized_levels(sampler, law, R, n, alpha, ctx.seed("plug-in"), method="quantile", delta=delta)
    kq = math.ceil(n * (1 - alpha) - 1e-12)
    bq = order_statistic_level_law(n, kq)
    p_out = float(bq.cdf(alpha - eps2) + bq.sf(alpha + eps2))
    out = int(np.sum(np.abs(lev_q - alpha) > eps2))
    # (b) DKW-conservative: realized > alpha; exact probability likewise
    # the DKW rank from its definition (docs/methods/lrt_diffusion.md §8): k = ceil(n (1 - alpha + eps)), eps
    # Massart's one-sided constant sqrt(ln(1/delta)/(2n)) (valid for delta <= 1/2; two-sided beyond), computed here
    # independently so that a wrong rank in the implementation is caught and not built into the exact law
    eps1 = dkw_epsilon(n, delta, two_sided=delta > 0.5)
    k_dkw = math.ceil(n * (1 - alpha + eps1) - 1e-12)
    if not 1 <= k_dkw <= n:
        raise RuntimeError(f"lrt.calibration.dkw: design gives DKW rank {k_dkw} outside 1..{n}; raise n")
    cal = calibrate_threshold(np.zeros(n) + np.arange(n), alpha, delta=delta)  # rank only
    bd = order_statistic_level_law(n, k_dkw)
    p_exc = float(bd.sf(alpha))
    lev_d, _ = realized_levels(sampler, law, R, n, alpha, ctx.seed("dkw"), method="dkw", delta=delta)
    exc = int(np.sum(lev_d > alpha))
    # defects: (a) the threshold taken from n/4 draws; (b) the plug-in quantile used where DKW was promised
    bq4 = order_statistic_level_law(n // 4, math.ceil(n // 4 * (1 - alpha) - 1e-12))
    p_def_a = float(bq4.cdf(alpha - eps2) + bq4.sf(alpha + eps2))
    p_def_b = float(bq.sf(alpha))
    outside = binomial_count_decision(out, R, p_out, level, defect_rate=p_def_a,
                                      target_defect="threshold from n/4 draws (plug-in)",
                                      name="plug-in levels outside alpha +- eps")
    exceed = binomial_count_decision(exc, R, p_exc, level, defect_rate=p_def_b,
                                     target_defect="plug-in quantile in place of the DKW level",
                                     name="DKW levels above alpha")
    rank = exact_decision(cal.k == k_dkw, estimate=cal.k, bound=k_dkw, name="DKW rank",
                          message=f"calibrate_threshold DKW rank {cal.k} != ceil(n(1-alpha+eps)) = {k_dkw}")
    guarantee = exact_decision(p_out <= delta and p_exc <= delta, name="exact probabilities <= delta",
                               message=f"exact probabilities {p_out:.4g} / {p_exc:.4g} above delta = {delta}")
    decision = bonferroni([outside, exceed, rank, guarantee], ctx.false_fail_rate)
    return Evidence.from_decision(
        decision, bound=delta,
        target_defect="threshold from n/4 draws (plug-in) / plug-in quantile in place of the DKW level",
        defect_size=min(outside.defect_size, exceed.defect_size),
        details={"eps_two_sided": eps2, "p_out_exact": p_out, "count_out": out, "p_exceed_exact": p_exc,
                 "count_exceed": exc, "region_a": list(outside.region), "region_b": list(exceed.region),
                 "k_dkw": k_dkw, "k_implementation": cal.k, "eps_dkw_rank": eps1,
                 "alpha_sweep": alpha_sweep(n, delta, alpha, lev_q, lev_d)},
    )


@figure(check_rank_exact)
def realized_level_histogram(ev) -> list[Spec]:
    """The realized levels of the conformal threshold against the density of their exact Beta law."""
    k = int(detail(ev, "k"))
    lev = artifact(ev, "realized_levels")
    n = detail(ev, "n_cal", default=None)
    if n is None:  # mean of Beta(n+1-k, k) is (n+1-k)/(n+1)
        m = number(detail(ev, "mean_exact"))
        n = int(round(k / (1 - m))) - 1
    n = int(n)
    alpha = detail(ev, "alpha", default=None)
    law = st.beta(n + 1 - k, k)
    hi = float(max(law.ppf(0.9995), lev.max()))
    x = np.linspace(1e-6, hi, 300)
    e, c = histogram(lev, 40, 0.0, hi)
    spec = {"kind": "hist", "title": "Realized Type-I of the conformal threshold over R calibrations",
            "edges": e, "counts": c, "label": f"realized level, R={lev.size} (n={n}, k={k})",
            "density_x": x.tolist(), "density_y": law.pdf(x).tolist(),
            "law_label": f"exact Beta({n + 1 - k}, {k})",
            "xlabel": "realized Type-I 1 - F0(τ̂)", "ylabel": "density",
            "vlines": [{"x": float(law.mean()), "label": f"exact mean {fmt(law.mean())}", "color": "k"}],
            "caption": "Each calibration's realized Type-I is random; its law is exactly Beta(n+1-k, k), whose mean "
                       "k-rank guarantees is at most α."}
    if alpha is not None:
        spec["vlines"].append({"x": float(alpha), "label": f"α = {alpha}", "color": "tab:red"})
    return [spec]


@figure(check_calibration_dkw)
def realized_level_sweep(ev) -> list[Spec]:
    """The exact realized level of the plug-in, conformal and DKW thresholds over alpha, with the DKW band."""
    sw = detail(ev, "alpha_sweep")
    a = [float(v) for v in sw["alpha"]]
    eps = float(sw["eps_two_sided"])
    spec = {
        "kind": "lines", "title": f"Realized Type-I vs α (n={sw['n']}, δ={sw['delta']}; exact laws)",
        "x": a,
        "band": [{"lower": [max(0.0, x - eps) for x in a], "upper": [x + eps for x in a],
                  "label": f"DKW band α ± ε (ε = {fmt(eps)})"},
                 {"lower": sw["plugin_q05"], "upper": sw["plugin_q95"],
                  "label": "plug-in: 5-95% of realized (exact Beta)"}],
        "series": {"plug-in quantile: mean realized": sw["plugin_mean"],
                   "conformal: mean realized": sw["conformal_mean"],
                   f"DKW-conservative: {1 - float(sw['delta']):g}-quantile of realized": sw["dkw_q"]},
        "reference": {"realized = α": a},
        "xlabel": "nominal α", "ylabel": "realized Type-I (exact, Gaussian heads)",
        "caption": "Realized Type-I of thresholds calibrated on n H0 draws, computed from the exact Beta law of the "
                   "order statistic. The plug-in threshold's realized level stays inside the DKW band; the "
                   "DKW-conservative threshold keeps it at or below α with probability at least 1-δ (its quantile "
                   "curve lies under the diagonal). Diamonds: the check's Monte Carlo calibrations at its α.",
        "legend_loc": "upper left",
    }
    mc = sw.get("monte_carlo") or {}
    if mc:
        spec["markers"] = [
            {"label": f"Monte Carlo plug-in (R={mc['R']}): mean, 5-95%", "x": [mc["alpha"]], "y": [mc["plugin_mean"]],
             "lower": [mc["plugin_q05"]], "upper": [mc["plugin_q95"]]},
            {"label": f"Monte Carlo DKW: {1 - float(sw['delta']):g}-quantile", "x": [mc["alpha"]],
             "y": [mc["dkw_q"]], "fmt": "s"},
        ]
    return [spec]
