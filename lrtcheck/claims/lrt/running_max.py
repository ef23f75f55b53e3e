"""``lrt.running_max``: the running max of Lambda has its own exact law, and its own threshold.

Claims.  A threshold is valid only for the statistic it was calibrated on (arXiv 2510.24983, "calibrated per task
and per sampler"; docs/paper_errors.md §2.2).  Under H0 with single-Gaussian heads the partial sums of Lambda over
the evidence steps are a Gaussian random walk, so the running max exceeds tau with the exact probability
1 - P(Lambda_1..Lambda_T' <= tau), a multivariate normal CDF (docs/methods/lrt_diffusion.md §10).  ``running_max``
(expected to fail) reproduces the misuse of a final-Lambda threshold for a running-max gate; calibrated on the
running max the level holds (exact Beta-Binomial law), and Ville's ln(1/alpha) holds for mixture heads (this
project's addition, docs/methods/lrt_diffusion.md §10).

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` on vp(T=5), posterior variance (4 evidence steps), and a
three-component mixture for Ville's threshold.

Checks.  ``exact_law``: the exceedance count against Bin(n, p_max) (exact two-sided region); defect: the running
max replaced by the final Lambda.  ``running_max``: the stale threshold's exact realized level against alpha (exact
reproduction probability), with two controls at a quarter of the share each: the recalibrated fresh count against
its Beta-Binomial law and Ville's exceedance count against Bin(m, alpha) (one-sided).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, finding, fmt, number
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import calibrate_threshold, ville_threshold
from lrtcheck.stats.decisions import (binomial_count_decision, counterexample_decision, discrete_count_decision,
                                      exact_decision, split_share)
from lrtcheck.worlds.lrt import gaussian_heads_world, lrt_sampler_factory

RMAX_CLAIM = Claim(
    id="lrt.running_max",
    source=f"{PAPER} (calibrated per sampler); docs/methods/lrt_diffusion.md §10 (two statistics, Ville's "
    "threshold); docs/paper_errors.md §2.2",
    statement="A threshold calibrated on the final Lambda keeps alpha for a gate on the running max (violated); "
    "calibrated on the running max it holds (exact beta-binomial law), and Ville's ln(1/alpha) holds for GMM heads.",
    expectation="fails",
    limitation=True,
    assumptions=("single-Gaussian heads on vp(T=5) for the exact running-max law", "GMM heads for Ville"),
)

RMAX_LAW_CLAIM = Claim(
    id="lrt.running_max.exact_law",
    source=f"{PAPER}; docs/methods/lrt_diffusion.md §10 (the running-max statistic and its multivariate normal law)",
    statement="Under H0 with single-Gaussian heads the running max of Lambda over the evidence steps exceeds tau with "
    "the exact probability 1 - P(Lambda_1..Lambda_T' <= tau) (multivariate normal law of the Gaussian random walk).",
    assumptions=("equal head variances", "vp(T=5) schedule, posterior variance (4 evidence steps)"),
)


@check(RMAX_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=10000, m=20000, alpha=0.1), full=dict(n=10000, m=60000, alpha=0.1))
def check_running_max(ctx):
    """Stale final-Lambda threshold's exact running-max level > alpha; controls: the recalibrated count (Beta-
    Binomial) and Ville's count (binomial, one-sided), a quarter of the share each."""
    p = ctx.params
    n, m, alpha = p["n"], p["m"], p["alpha"]
    sch = Schedule.vp(5)
    fin, law = gaussian_heads_world(ctx.subject, sch, "posterior")
    rmx = fin.replace(statistic="running_max")
    # (1) final-Lambda calibration used for the running max: realized level exact (MVN CDF)
    cal = calibrate_threshold(fin.null_statistics(n, seed=ctx.seed("cal_final")), alpha)
    mvn_seed = ctx.seed("mvn_cdf")  # the randomised MVN quadrature, seeded from the check's stream
    realized = law.running_max_sf(cal.tau, seed=mvn_seed)
    lo_t, hi_t = law.tau(alpha), law.tau(0.001)  # sf_max >= sf_final, so tau* >= tau(alpha)
    # tau* with running_max_sf(tau*) = alpha, by bisection on the exact law
    for _ in range(40):
        mid = 0.5 * (lo_t + hi_t)
        lo_t, hi_t = (mid, hi_t) if law.running_max_sf(mid, seed=mvn_seed) > alpha else (lo_t, mid)
    p_repro = float(st.beta(cal.k, n - cal.k + 1).cdf(law.law("H0").cdf(lo_t)))
    # (2) calibrated on the running max: fresh count ~ BetaBinomial
    cal_m = calibrate_threshold(rmx.null_statistics(n, seed=ctx.seed("cal_max")), alpha)
    fresh = np.asarray(rmx.null_statistics(m, seed=ctx.seed("fresh_max")))
    cnt = int(np.sum(fresh > cal_m.tau))
    control_share = split_share(ctx.false_fail_rate, 4)
    recal = discrete_count_decision(cnt, m, st.betabinom(m, n + 1 - cal_m.k, cal_m.k), control_share,
                                    name="fresh running-max exceedances of the recalibrated threshold")
    # (3) Ville's threshold with GMM heads (3 components, good = 1): P(max >= ln 1/alpha) <= alpha
    gmm = GaussianMixtureHead([[-1.5, 0.0], [1.0, 1.0], [0.0, -1.2]], [0.3, 0.5, 0.4])
    ville_s = ctx.subject(gmm, gmm.subset([1]), Schedule.linear(50, 1e-4, 0.1), statistic="running_max")
    vt = ville_threshold(alpha).tau
    vm = np.asarray(ville_s.null_statistics(m, seed=ctx.seed("ville")))
    cv = int(np.sum(vm >= vt))
    ville = binomial_count_decision(cv, m, alpha, control_share, alternative="greater",
                                    name="running-max draws at or above Ville's ln(1/alpha)")
    keeps = exact_decision(realized <= alpha, estimate=realized, bound=alpha,
                           name="final-Lambda threshold keeps alpha on the running max")
    decision = counterexample_decision(
        keeps, p_repro, ctx.false_fail_rate, controls=[recal, ville], n=n + m,
        target_defect="final-Lambda threshold used for the running max (exact reproduction probability)",
        defect_size=realized - alpha)
    return Evidence.from_decision(
        decision, message=decision.message, lower=cnt / m, upper=cv / m,
        details={"tau_final": cal.tau, "realized_running_max": realized, "p_reproduce_exact": p_repro,
                 "tau_running_max": cal_m.tau, "fresh_count": cnt, "ville_tau": vt, "ville_rate": cv / m,
                 "ville_region_high": ville.region[1]},
    )


@check(RMAX_LAW_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=10000), full=dict(n=100000))
def check_running_max_exact_law(ctx):
    """Exact two-sided count of running-max exceedances against Bin(n, p_max); defect: the final Lambda's rate."""
    n = ctx.params["n"]
    sch = Schedule.vp(5)
    sampler, law = gaussian_heads_world(ctx.subject, sch, "posterior", statistic="running_max")
    # the threshold where the running max and the final Lambda differ most (exact laws only), among thresholds where
    # the running max exceeds with a moderate probability (near tau = 0 it exceeds almost surely after one step)
    mvn_seed = ctx.seed("mvn_cdf")  # the randomised MVN quadrature, seeded from the check's stream
    cands = [(law.running_max_sf(t, seed=mvn_seed), float(law.law("H0").sf(t)), t)
             for t in (law.tau(0.2), law.tau(0.1))]
    p_max, p_fin, tau = max(cands, key=lambda c: c[0] - c[1])
    rmax = np.asarray(sampler.null_statistics(n, seed=ctx.seed("h0")))
    count = int(np.sum(rmax > tau))
    decision = binomial_count_decision(count, n, p_max, ctx.false_fail_rate, defect_rate=p_fin,
                                       target_defect="running max replaced by the final Lambda",
                                       name="running-max exceedances")
    return Evidence.from_decision(
        decision, details={"tau": tau, "p_exact_running_max": p_max, "p_final": p_fin, "count": count,
                           "region": list(decision.region)})


@figure(check_running_max)
def running_max_levels(ev) -> list[Spec]:
    alpha = number(ev.bound)
    vals = [number(detail(ev, "realized_running_max")), number(ev.lower), number(detail(ev, "ville_rate"))]
    return [{"kind": "bars", "title": "Gate on the running max of Λ: realized Type-I",
             "labels": ["final-Λ τ used for running max (exact)", "τ recalibrated on running max (MC)",
                        "Ville τ = ln(1/α), GMM heads (MC)"],
             "values": vals, "target": alpha, "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "A threshold calibrated on the final Λ is exceeded by the running max far more often than α "
                        "(paper error); recalibrating on the running max, or Ville's ln(1/α), restores the level."}]


@finding(check_running_max)
def running_max_finding(ev):
    return (f"a final-Λ threshold used on the running max gives realized Type-I {fmt(ev.estimate)} (α = "
            f"{fmt(ev.bound)}); calibrating on the running max ({fmt(ev.lower)}) or Ville's ln(1/α) "
            f"({fmt(ev.upper)}) keeps the level.")


@figure(check_running_max_exact_law)
def running_max_law_bars(ev) -> list[Spec]:
    nan = float("nan")
    return [{"kind": "bars", "title": "Running max of Λ: exceedance vs its exact law",
             "labels": ["running max (MC)", "running max (exact MVN)", "final Λ (exact)"],
             "values": [number(ev.estimate), number(detail(ev, "p_exact_running_max")), number(detail(ev, "p_final"))],
             "lower": [number(ev.lower), nan, nan], "upper": [number(ev.upper), nan, nan],
             "ylabel": f"P(statistic > τ), τ = {fmt(detail(ev, 'tau', default=nan))}",
             "caption": "The running max exceeds τ more often than the final Λ; the Monte Carlo rate matches the exact "
                        "multivariate-normal probability."}]


MUTANTS = [
    Mutant("lrt.running_max_is_final", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the running max updated by assignment (rmax = lam) instead of torch.maximum: the 'running max' is the "
           "final Lambda",
           source_edit(("rmax = torch.maximum(rmax, lam)", "rmax = lam")),
           ("lrt.running_max.exact_law",), tags=("ci",), declares=("lrt.running_max.exact_law",)),
    Mutant("lrt.exact_D2_no_alpha", "lrtcheck.lrt.exact:GaussianLRTLaw.deltas",
           "the exact Delta_t (hence D^2) missing the alpha_t in the denominator: beta_t sqrt(ab_t)/c_t (m_c - m_u)",
           source_edit(("coef = b * np.sqrt(ab) / (np.sqrt(al) * (ab * self.s**2 + 1 - ab))",
                        "coef = b * np.sqrt(ab) / (ab * self.s**2 + 1 - ab)")),
           ("lrt.qstep.recalibrate", "lrt.running_max.exact_law", "lrt.null.*", "lrt.ump"), tags=("ci",)),
]
