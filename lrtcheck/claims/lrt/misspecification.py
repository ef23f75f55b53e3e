"""``lrt.heads.unequal_variance`` and ``lrt.calibration.shifted_states``: the level when the assumptions break.

Claims (measured; follow-up checks proposed by a published summary of arXiv 2510.24983, docs/paper_errors.md §4).
With unequal head data variances the shared-variance closed-form threshold of docs/methods/lrt_diffusion.md §9
mis-calibrates while the Monte Carlo conformal threshold, calibrated on the sampler's own H0 draws, keeps its level;
calibrated on states N(0, I) and deployed on shifted states N(mu, I), the realized Type-I drifts from alpha (the
guarantee needs exchangeable states, docs/methods/lrt_diffusion.md §8).

World.  Single-Gaussian heads N(m_u, s^2 I), N(m_c, (r s)^2 I) for r in {1, 1.5, 2}; the contextual toy with exact
mixture heads (docs/methods/lrt_diffusion.md §11) and state shifts ||mu|| in {0, 0.5, 1, 2}.

Checks.  Measured: realized rates on fresh H0 draws (exact 95% Clopper-Pearson intervals for the shifts).
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, figure, finite, number
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import ContextualToy, LRTSampler, calibrate_threshold
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats.decisions import exact_decision, proportion_interval
from lrtcheck.worlds.lrt import BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD

UNEQUAL_CLAIM = Claim(
    id="lrt.heads.unequal_variance",
    source=f"{PAPER}, next check 1 (heteroscedastic heads; docs/paper_errors.md §4)",
    statement="With unequal head data variances the Gaussian closed-form threshold mis-calibrates; the Monte Carlo "
    "conformal threshold still holds.  Realized Type-I of both, measured.",
    expectation="measured",
)

SHIFT_CLAIM = Claim(
    id="lrt.calibration.shifted_states",
    source=f"{PAPER}, next check 2 (distribution shift between calibration and deployment states; "
    "docs/paper_errors.md §4)",
    statement="Calibrated on states N(0, I) and deployed on shifted states N(mu, I), the realized Type-I drifts from "
    "alpha; measured for ||mu|| in {0, 0.5, 1, 2}.",
    expectation="measured",
)


@check(UNEQUAL_CLAIM, quick=dict(n=20000, m=20000, alpha=0.1, T=20), full=dict(n=100000, m=100000, alpha=0.1, T=20))
def check_unequal_variance(ctx):
    """Measured: fresh H0 exceedance rates of the conformal and of the shared-variance closed-form thresholds."""
    p = ctx.params
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    out = {}
    for ratio in (1.0, 1.5, 2.0):
        smp = LRTSampler(GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD),
                         GaussianMixtureHead(GOOD_MEAN, HEAD_STD * ratio), sch)
        law = GaussianLRTLaw(sch, "posterior", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)  # the formula a user would apply
        cal = calibrate_threshold(smp.null_statistics(p["n"], seed=ctx.seed(f"c{ratio}")), p["alpha"])
        fresh = np.asarray(smp.null_statistics(p["m"], seed=ctx.seed(f"f{ratio}")))
        out[str(ratio)] = {"realized_conformal": float(np.mean(fresh > cal.tau)),
                           "realized_gaussian_formula": float(np.mean(fresh > law.tau(p["alpha"])))}
    measured = exact_decision(True, estimate=out["2.0"]["realized_gaussian_formula"], bound=p["alpha"], n=p["m"],
                              name="measured")
    return Evidence.from_decision(measured, details=out)


@check(SHIFT_CLAIM, quick=dict(n=20000, m=10000, alpha=0.1, T=20), full=dict(n=100000, m=50000, alpha=0.1, T=20))
def check_shifted_states(ctx):
    """Measured: the fresh exceedance rate on shifted states, with its exact 95% interval."""
    p = ctx.params
    toy = ContextualToy(seed=0)
    bg, gd = toy.exact_heads()
    smp = LRTSampler(bg, gd, Schedule.cosine(p["T"]))
    rng = ctx.rng
    cal = calibrate_threshold(smp.null_statistics(p["n"], seed=ctx.seed("cal"), states=toy.sample_states(p["n"], rng)),
                              p["alpha"])
    out = {}
    for shift in (0.0, 0.5, 1.0, 2.0):
        st_ = toy.sample_states(p["m"], rng) + shift / math.sqrt(toy.state_dim)
        fresh = np.asarray(smp.null_statistics(p["m"], seed=ctx.seed(f"s{shift}"), states=st_))
        c = int(np.sum(fresh > cal.tau))
        out[str(shift)] = {"realized": c / p["m"], "ci95": list(proportion_interval(c, p["m"], 0.95))}
    measured = exact_decision(True, estimate=out["2.0"]["realized"], bound=p["alpha"], n=p["m"], name="measured")
    return Evidence.from_decision(measured, details=out)


@figure(check_unequal_variance)
def unequal_variance_bars(ev) -> list[Spec]:
    ratios = [k for k in ev.details if finite(k)]
    if not ratios:
        raise Skip("no ratios")
    alpha = number(ev.bound)
    return [{"kind": "bars", "title": "Unequal head variances: realized Type-I",
             "labels": [f"s_c/s_u = {r}" for r in ratios],
             "values": {"Monte Carlo conformal threshold": [ev.details[r]["realized_conformal"] for r in ratios],
                        "Gaussian closed-form threshold": [ev.details[r]["realized_gaussian_formula"] for r in ratios]},
             "target": alpha, "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "The conformal threshold is calibrated on the sampler's own H0 draws; the closed form assumes "
                        "equal head variances. Compare each pair of bars with α as the ratio grows."}]


@figure(check_shifted_states)
def shifted_states_rates(ev) -> list[Spec]:
    keys = [k for k in ev.details if finite(k)]
    if not keys:
        raise Skip("no shifts")
    alpha = number(ev.bound)
    off = [k for k in keys if not (ev.details[k]["ci95"][0] <= alpha <= ev.details[k]["ci95"][1])]
    return [{"kind": "scatter", "title": "Calibrated on N(0, I) states, deployed on shifted states",
             "points": [{"label": "realized Type-I, exact 95% CI", "x": [float(k) for k in keys],
                         "y": [ev.details[k]["realized"] for k in keys],
                         "lower": [ev.details[k]["ci95"][0] for k in keys],
                         "upper": [ev.details[k]["ci95"][1] for k in keys]}],
             "hlines": [{"y": alpha, "label": f"α = {alpha:g}"}], "xlabel": "state shift ‖μ‖",
             "ylabel": "realized Type-I",
             "caption": "The level guarantee holds for exchangeable states (‖μ‖ = 0). Here "
                        + (", ".join(f"‖μ‖={k}" for k in off) + " move the rate detectably away from α." if off
                           else "every 95% interval contains α: on this toy the shift does not move the Type-I "
                                "detectably.")}]
