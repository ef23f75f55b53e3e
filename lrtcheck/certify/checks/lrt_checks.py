"""``lrt.*``: LRT-Diffusion's claims (seed 000_c55941def7f749a4; DESIGN section 4; reference note sections 1, 4).

The subject of the sampler checks is a sampler *factory* (``subject="lrt.sampler"``): a callable
``factory(background, good, schedule, **settings)`` returning an object with ``sample(states, *, seed, n, null)``
(``.final``, ``.running_max``, ``.statistic`` arrays) and ``null_statistics(n, *, seed, states=None)``, with the
keyword settings of :class:`lrtcheck.lrt.LRTSampler`.  The default subject is ``LRTSampler`` itself.

Exact before Monte Carlo: with single-Gaussian heads the statistic's law is N(-+D^2/2, D^2) (``GaussianLRTLaw``), the
realized Type-I of any threshold is 1 - Phi((tau + D^2/2)/D), and the running max has a multivariate-normal law;
Monte Carlo enters only through the sampler's own draws, compared with those exact laws (KS via ``kstwo``, exact
binomial / beta-binomial regions, Beta laws of order statistics).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import ContextualToy, LRTSampler, QStep, StateConditionalOOD, calibrate_threshold, \
    return_ood_pareto, ville_threshold
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats import (binomial_acceptance_region, binomial_power, conformal_rank, dkw_epsilon,
                            ks_power_lower_bound, ks_threshold, order_statistic_level_law)

from ..claims import Claim
from ..evidence import Evidence
from ..registry import check

SOURCE = "LRT-Diffusion, arXiv 2510.24983 (seed 000_c55941def7f749a4)"
M_U, M_C, S = np.array([0.0, 0.0]), np.array([0.5, -0.3]), 0.5


def default_sampler_factory():
    return LRTSampler


def _gauss_world(factory, schedule, variance="posterior", m_c=M_C, s=S, **kw):
    bg, gd = GaussianMixtureHead(M_U, s), GaussianMixtureHead(m_c, s)
    return factory(bg, gd, schedule, variance=variance, **kw), GaussianLRTLaw(schedule, variance, M_U, m_c, s)


class LinearCritic:
    """Q(s, a) = <w, a>: a constant action gradient w (the exact world for Q-step checks)."""

    def __init__(self, w):
        self.w = np.asarray(w, dtype=np.float64)

    def grad(self, states, actions):
        import torch

        return torch.as_tensor(self.w, dtype=actions.dtype, device=actions.device).expand_as(actions)

    def fingerprint(self) -> str:
        return "linear:" + ",".join(f"{v:.12g}" for v in self.w)


def _clipped(w, clip):
    w = np.asarray(w, dtype=np.float64)
    nrm = float(np.linalg.norm(w))
    return w if clip is None or nrm <= clip else w * clip / nrm


def _beta_law_discrepancy(a1, b1, a2, b2) -> float:
    grid = np.linspace(0.0, 1.0, 200001)
    return float(np.max(np.abs(st.beta(a1, b1).cdf(grid) - st.beta(a2, b2).cdf(grid))))


# ------------------------------------------------------------------------------------------------------------------
NULL_CLAIM = Claim(
    id="lrt.null.exact_gaussian",
    source=f"{SOURCE}; DESIGN section 4 (exact oracle); reference note section 4.2",
    statement="With single-Gaussian heads N(m_u, s^2 I), N(m_c, s^2 I), the final Lambda follows N(-D^2/2, D^2) under "
    "H0 and N(+D^2/2, D^2) under H1, D^2 = sum_{sigma_t>0} beta_t^2 ab_t ||m_c-m_u||^2/(alpha_t (ab_t s^2+1-ab_t)^2 "
    "sigma_t^2).",
    assumptions=("equal head variances", "DDPM eps-parametrisation, no clipping", "steps with sigma_t = 0 skipped"),
)


@check(NULL_CLAIM, variants=("posterior", "beta"), subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=12000, T=100), full=dict(n=20000, T=100))
def check_null_exact_gaussian(ctx):
    n, variance = ctx.params["n"], ctx.variant
    sampler, law = _gauss_world(ctx.subject, Schedule.linear(ctx.params["T"]), variance)
    level = ctx.false_fail_rate / 2
    h0 = np.asarray(sampler.null_statistics(n, seed=ctx.seed("h0")))
    h1 = np.asarray(sampler.replace(tau=-math.inf, beta_max=1.0, gate="hard").sample(n=n, seed=ctx.seed("h1")).final)
    ks0 = st.kstest(h0, law.law("H0").cdf, method="exact")
    ks1 = st.kstest(h1, law.law("H1").cdf, method="exact")
    # defect: a drift bias of 0.1 standard deviations of Lambda (e.g. a mis-scaled 1/2||Delta||^2 term)
    disc = float(2 * st.norm.cdf(0.05) - 1)
    power = ks_power_lower_bound(n, level, disc)
    ok = ks0.pvalue > level and ks1.pvalue > level
    return Evidence(
        verdict="holds" if ok else "violated", n=2 * n, estimate=float(np.mean(h0)), lower=float(np.var(h0)),
        upper=float(np.mean(h1)), bound=-law.D2 / 2, p_value=min(1.0, 2 * min(ks0.pvalue, ks1.pvalue)),
        design=ctx.design("mean of Lambda off by 0.1 D (KS discrepancy 2 Phi(0.05) - 1)", disc, power, n),
        details={"D2": law.D2, "ks_H0": float(ks0.statistic), "p_H0": float(ks0.pvalue),
                 "ks_H1": float(ks1.statistic), "p_H1": float(ks1.pvalue), "variance": variance},
        artifacts={"null": h0, "alt": h1},
        message="" if ok else f"KS p-values H0 {ks0.pvalue:.3g}, H1 {ks1.pvalue:.3g} below {level:.3g}",
    )


# ------------------------------------------------------------------------------------------------------------------
RANK_CLAIM = Claim(
    id="lrt.calibration.rank_exact",
    source=f"{SOURCE} (level-alpha calibration); DESIGN section 4",
    statement="The realized level 1 - F(tau_hat) of the conformal-rank threshold k = ceil((n+1)(1-alpha)) on H0 draws "
    "of the sampler follows Beta(n+1-k, k) exactly.",
    assumptions=("i.i.d. continuous H0 statistics",),
)


def _realized_levels(sampler, law, R, n, alpha, seed, method="conformal", delta=None):
    stats_ = np.asarray(sampler.null_statistics(R * n, seed=seed)).reshape(R, n)
    taus = np.array([calibrate_threshold(row, alpha, method=method, delta=delta).tau for row in stats_])
    return law.law("H0").sf(taus), taus


@check(RANK_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=99, alpha=0.1, R=3000, T=20), full=dict(n=99, alpha=0.1, R=6000, T=20))
def check_rank_exact(ctx):
    p = ctx.params
    n, alpha, R = p["n"], p["alpha"], p["R"]
    sampler, law = _gauss_world(ctx.subject, Schedule.linear(p["T"], 1e-4, 0.2), "beta")
    k = conformal_rank(n, alpha)
    levels, _ = _realized_levels(sampler, law, R, n, alpha, ctx.seed("null"))
    ref = order_statistic_level_law(n, k)
    ks = st.kstest(levels, ref.cdf, method="exact")
    disc = _beta_law_discrepancy(n + 1 - k, k, n - k, k + 1)  # rank off by one (k+1)
    power = ks_power_lower_bound(R, ctx.false_fail_rate, disc)
    ok = ks.pvalue > ctx.false_fail_rate
    return Evidence(
        verdict="holds" if ok else "violated", n=R, estimate=float(levels.mean()), lower=float(np.quantile(levels, .05)),
        upper=float(np.quantile(levels, .95)), bound=float(ref.mean()), p_value=float(ks.pvalue),
        design=ctx.design("conformal rank off by one (k+1)", disc, power, R),
        details={"k": k, "ks_statistic": float(ks.statistic), "mean_exact": float(ref.mean()), "n_cal": n,
                 "alpha": alpha},
        artifacts={"realized_levels": levels},
        message="" if ok else f"realized levels reject Beta({n + 1 - k}, {k}): KS p={ks.pvalue:.3g}",
    )


# ------------------------------------------------------------------------------------------------------------------
def _alpha_sweep(n, delta, alpha, lev_q, lev_d, alphas=(0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25,
                                                       0.3)):
    """Report figure data (exact, no sampling): the realized Type-I 1 - F0(tau_hat) of the k-th smallest of n H0 draws
    is Beta(n+1-k, k) (``order_statistic_level_law``), for the plug-in, conformal and DKW ranks of
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


DKW_CLAIM = Claim(
    id="lrt.calibration.dkw",
    source=f"{SOURCE} (DKW finite-sample calibration); Massart (1990)",
    statement="Over R independent calibrations of size n, the number whose realized alpha (exact, via Phi) leaves "
    "alpha +- eps_n(delta) is consistent with at most delta R; the DKW-conservative level 1-alpha+eps keeps the "
    "realized alpha <= alpha in at least (1-delta) R of them.",
    assumptions=("i.i.d. continuous H0 statistics", "two-sided Massart constant for the band",
                 "DKW-conservative rank k = ceil(n(1-alpha+eps)) with Massart's one-sided eps (delta <= 1/2)"),
)


@check(DKW_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=200, alpha=0.1, delta=0.5, R=1000, T=20), full=dict(n=200, alpha=0.1, delta=0.5, R=4000, T=20))
def check_calibration_dkw(ctx):
    p = ctx.params
    n, alpha, delta, R = p["n"], p["alpha"], p["delta"], p["R"]
    sampler, law = _gauss_world(ctx.subject, Schedule.linear(p["T"], 1e-4, 0.2), "beta")
    level = ctx.false_fail_rate / 2
    eps2 = dkw_epsilon(n, delta)
    # (a) plug-in quantile: |realized - alpha| > eps; exact probability from the Beta law of its order statistic
    lev_q, _ = _realized_levels(sampler, law, R, n, alpha, ctx.seed("plug-in"), method="quantile", delta=delta)
    kq = math.ceil(n * (1 - alpha) - 1e-12)
    bq = order_statistic_level_law(n, kq)
    p_out = float(bq.cdf(alpha - eps2) + bq.sf(alpha + eps2))
    out = int(np.sum(np.abs(lev_q - alpha) > eps2))
    reg_a = binomial_acceptance_region(R, p_out, level, alternative="two-sided")
    # (b) DKW-conservative: realized > alpha; exact probability likewise
    # the DKW rank from its definition (calibration.py docstring): k = ceil(n (1 - alpha + eps)), eps Massart's
    # one-sided constant sqrt(ln(1/delta)/(2n)) (valid for delta <= 1/2; two-sided beyond), computed here
    # independently so that a wrong rank in the implementation is caught and not built into the exact law
    eps1 = dkw_epsilon(n, delta, two_sided=delta > 0.5)
    k_dkw = math.ceil(n * (1 - alpha + eps1) - 1e-12)
    if not 1 <= k_dkw <= n:
        raise RuntimeError(f"lrt.calibration.dkw: design gives DKW rank {k_dkw} outside 1..{n}; raise n")
    cal = calibrate_threshold(np.zeros(n) + np.arange(n), alpha, delta=delta)  # rank only
    rank_ok = cal.k == k_dkw
    bd = order_statistic_level_law(n, k_dkw)
    p_exc = float(bd.sf(alpha))
    lev_d, _ = _realized_levels(sampler, law, R, n, alpha, ctx.seed("dkw"), method="dkw", delta=delta)
    exc = int(np.sum(lev_d > alpha))
    reg_b = binomial_acceptance_region(R, p_exc, level, alternative="two-sided")
    # defects: (a) the threshold taken from n/4 draws; (b) the plug-in quantile used where DKW was promised
    bq4 = order_statistic_level_law(n // 4, math.ceil(n // 4 * (1 - alpha) - 1e-12))
    p_def_a = float(bq4.cdf(alpha - eps2) + bq4.sf(alpha + eps2))
    p_def_b = float(bq.sf(alpha))
    power = min(binomial_power(R, p_out, p_def_a, level, alternative="two-sided"),
                binomial_power(R, p_exc, p_def_b, level, alternative="two-sided"))
    ok = rank_ok and reg_a.contains(out) and reg_b.contains(exc) and p_out <= delta and p_exc <= delta
    lo, hi = st.binomtest(out, R).proportion_ci(1 - level, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated", n=R, estimate=out / R, lower=lo, upper=hi, bound=delta,
        p_value=min(1.0, 2 * min(st.binomtest(out, R, p_out).pvalue, st.binomtest(exc, R, p_exc).pvalue)),
        design=ctx.design("threshold from n/4 draws (plug-in) / plug-in quantile in place of the DKW level",
                          min(abs(p_def_a - p_out), abs(p_def_b - p_exc)), power, R),
        details={"eps_two_sided": eps2, "p_out_exact": p_out, "count_out": out, "p_exceed_exact": p_exc,
                 "count_exceed": exc, "region_a": [reg_a.low, reg_a.high], "region_b": [reg_b.low, reg_b.high],
                 "k_dkw": k_dkw, "k_implementation": cal.k, "eps_dkw_rank": eps1,
                 "alpha_sweep": _alpha_sweep(n, delta, alpha, lev_q, lev_d)},
        message="" if ok else (f"calibrate_threshold DKW rank {cal.k} != ceil(n(1-alpha+eps)) = {k_dkw}"
                               if not rank_ok else
                               f"counts {out}/{exc} outside exact regions {reg_a.low}-{reg_a.high} / "
                               f"{reg_b.low}-{reg_b.high}"),
    )


# ------------------------------------------------------------------------------------------------------------------
UMP_CLAIM = Claim(
    id="lrt.ump",
    source=f"{SOURCE}, Prop. 5.1 (UMP of the hard LRT); reference note section 4.2",
    statement="The hard LRT at the exact level-alpha threshold has power 1 - Phi(Phi^-1(1-alpha) - D) and beats the "
    "best same-level test on the final action alone.",
    assumptions=("single-Gaussian heads, equal variances", "H1 = sampling with the good head"),
)


@check(UMP_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(m=6000, alpha=0.1, T=100), full=dict(m=10000, alpha=0.1, T=100))
def check_ump(ctx):
    p = ctx.params
    m, alpha = p["m"], p["alpha"]
    sampler, law = _gauss_world(ctx.subject, Schedule.linear(p["T"]), "posterior")
    tau = law.tau(alpha)
    h1 = np.asarray(sampler.replace(tau=-math.inf, beta_max=1.0).sample(n=m, seed=ctx.seed("h1")).final)
    hits = int(np.sum(h1 > tau))
    pw = law.power(alpha)
    reg = binomial_acceptance_region(m, pw, ctx.false_fail_rate, alternative="two-sided")
    Da = law.final_action_distance()
    pw_final = float(st.norm.sf(st.norm.ppf(1 - alpha) - Da))
    # the paper's optimality is for the evidence-carrying kernels: with a deterministic last step (posterior variance,
    # sigma_1 = 0) the final action carries Delta_1, which Lambda omits; record the counterexample on vp(T=5)
    vp = GaussianLRTLaw(Schedule.vp(5), "posterior", M_U, M_C, S)
    counter = {"vp5_D": vp.D, "vp5_final_action_D": vp.final_action_distance()}
    power = binomial_power(m, pw, pw - 0.05, ctx.false_fail_rate, alternative="two-sided")
    ok = reg.contains(hits) and pw > pw_final
    lo, hi = st.binomtest(hits, m).proportion_ci(1 - ctx.false_fail_rate, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated", n=m, estimate=hits / m, lower=lo, upper=hi, bound=pw,
        p_value=float(st.binomtest(hits, m, pw).pvalue),
        design=ctx.design("LRT power 0.05 below the Neyman-Pearson optimum", 0.05, power, m),
        details={"D": law.D, "power_exact": pw, "final_action_D": Da, "final_action_power": pw_final,
                 "tau_exact": tau, **counter},
        message="" if ok else f"hits {hits} outside [{reg.low}, {reg.high}] or final-action power {pw_final:.4f} "
                              f">= {pw:.4f}",
    )


# ------------------------------------------------------------------------------------------------------------------
LEARNED_CLAIM = Claim(
    id="lrt.type1.learned",
    source=f"{SOURCE} (calibration on held-out states); DESIGN section 4",
    statement="A trained two-head MLP on the contextual toy, calibrated (DKW level) on held-out states, keeps the "
    "realized Type-I on fresh states within the exact law: the fresh exceedance count is BetaBinomial(m, n+1-k, k).",
    assumptions=("calibration and deployment states i.i.d. N(0, I)", "the trained model is fixed"),
)


@check(LEARNED_CLAIM, quick=dict(n_data=8000, steps=1200, n_cal=1500, m=3000, alpha=0.1, delta=0.1, T=10),
       full=dict(n_data=20000, steps=4000, n_cal=4000, m=8000, alpha=0.1, delta=0.1, T=10))
def check_type1_learned(ctx):
    from lrtcheck.diffusion import TwoHeadTrainer

    p = ctx.params
    toy = ContextualToy(seed=0)
    rng = ctx.rng
    data = toy.dataset(p["n_data"], rng)
    sch = Schedule.cosine(p["T"])
    tr = TwoHeadTrainer(sch, steps=p["steps"], hidden=64, seed=ctx.seed("train") % (2**31)).fit(
        data.states, data.actions, data.good)
    sampler = LRTSampler(tr.model_, None, sch, dtype=None)
    n, m, alpha, delta = p["n_cal"], p["m"], p["alpha"], p["delta"]
    null = sampler.null_statistics(n, seed=ctx.seed("cal"), states=toy.sample_states(n, rng))
    cal = calibrate_threshold(null, alpha, delta=delta)
    deployed = sampler.deploy(cal)
    fresh = deployed.null_statistics(m, seed=ctx.seed("fresh"), states=toy.sample_states(m, rng))
    count = int(np.sum(np.asarray(fresh) > cal.tau))
    law = st.betabinom(m, n + 1 - cal.k, cal.k)
    half = ctx.false_fail_rate / 2
    lo_c, hi_c = int(law.ppf(half)), int(law.isf(half))
    alpha_def = 2 * alpha
    power = float(st.binom(m, alpha_def).sf(hi_c))
    ok = lo_c <= count <= hi_c
    lo, hi = st.binomtest(count, m).proportion_ci(1 - ctx.false_fail_rate, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated", n=m, estimate=count / m, lower=lo, upper=hi, bound=alpha,
        p_value=float(min(1.0, 2 * min(law.cdf(count), law.sf(count - 1)))),
        design=ctx.design(f"realized Type-I >= {alpha_def} on fresh states", alpha_def - alpha, power, m),
        details={"tau": cal.tau, "k": cal.k, "eps": cal.epsilon, "final_loss": float(tr.losses_[-200:].mean()),
                 "region": [lo_c, hi_c]},
        message="" if ok else f"fresh count {count} outside the exact beta-binomial region [{lo_c}, {hi_c}]",
    )


# ------------------------------------------------------------------------------------------------------------------
OOD_CLAIM = Claim(
    id="lrt.ood.monotone",
    source=f"{SOURCE} (Prop. 4: lower alpha, lower OOD rate; Table 1 return-OOD Pareto)",
    statement="On the contextual toy, the state-conditional kNN OOD rate of the LRT sampler does not increase as alpha "
    "decreases; the return-OOD Pareto of LRT, Q-only and LRT+Q across alpha in {0.2, 0.1, 0.05, 0.01} is reported.",
    expectation="measured",
    assumptions=("exact GMM heads", "exact critic", "the paper needs an extra monotonicity assumption"),
)


@check(OOD_CLAIM, quick=dict(n_data=8000, n_cal=8000, n_eval=4000, T=20, beta_max=1.0, eta=0.3),
       full=dict(n_data=20000, n_cal=40000, n_eval=20000, T=20, beta_max=1.0, eta=0.3))
def check_ood_monotone(ctx):
    p = ctx.params
    toy = ContextualToy(seed=0)
    bg, gd = toy.exact_heads()
    sampler = LRTSampler(bg, gd, Schedule.cosine(p["T"]), beta_max=p["beta_max"])
    rows = return_ood_pareto(toy, sampler, eta=p["eta"], n_data=p["n_data"], n_cal=p["n_cal"], n_eval=p["n_eval"],
                             seed=ctx.seed("pareto"))
    lrt = [r for r in rows if r.method == "LRT"]
    rates = [r.ood_rate for r in lrt]
    monotone = all(rates[i + 1] <= rates[i] for i in range(len(rates) - 1))
    n = p["n_eval"]
    cis = [st.binomtest(int(round(r * n)), n).proportion_ci(0.95, method="exact") for r in rates]
    table = [r.__dict__ for r in rows]
    return Evidence(
        verdict="holds", n=n, estimate=rates[-1], lower=cis[-1][0], upper=cis[-1][1], bound=rates[0],
        details={"pareto": table, "lrt_ood_by_alpha": dict(zip([r.alpha for r in lrt], rates)),
                 "monotone_point_estimates": monotone, "ci95": [list(c) for c in cis]},
        message="" if monotone else "OOD rate not monotone in alpha at the point estimates (measured)",
    )


# ------------------------------------------------------------------------------------------------------------------
QSTEP_CLAIM = Claim(
    id="lrt.qstep.recalibrate",
    source=f"{SOURCE} (calibrate per Q-gradient anchor; Prop. 5.3); reference note section 1.2 (f)",
    statement="A threshold calibrated without the Q-step and deployed with it exceeds alpha (violated); recalibrated "
    "with the Q-step on, the realized level follows Beta(n+1-k, k) again.",
    expectation="fails",
    assumptions=("single-Gaussian heads", "linear critic (constant gradient toward the good head)"),
)


@check(QSTEP_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=400, alpha=0.1, eta=0.5, clip=1.0, R=1500, n_rec=99, T=20),
       full=dict(n=400, alpha=0.1, eta=0.5, clip=1.0, R=4000, n_rec=99, T=20))
def check_qstep_recalibrate(ctx):
    p = ctx.params
    n, alpha, eta, clip = p["n"], p["alpha"], p["eta"], p["clip"]
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    w = (M_C - M_U) / np.linalg.norm(M_C - M_U) * 2.0
    sampler, law = _gauss_world(ctx.subject, sch, "beta")
    shift = law.qstep_shift(_clipped(w, clip), eta)
    with_q = sampler.replace(q_step=QStep(LinearCritic(w), eta=eta, clip=clip, anchor=1.0))
    # (1) calibrated without the Q-step, deployed with it: realized level exact via Phi
    cal = calibrate_threshold(sampler.null_statistics(n, seed=ctx.seed("cal")), alpha)
    realized = float(law.law("H0", shift).sf(cal.tau))
    # exact reproduction probability: tau_hat < the threshold at which the Q-on level equals alpha
    t_star = float(law.law("H0", shift).isf(alpha))
    p_repro = float(st.beta(cal.k, n - cal.k + 1).cdf(law.law("H0").cdf(t_star)))
    # (2) recalibrated with the Q-step: R calibrations of size n_rec, realized levels vs Beta(n+1-k, k)
    R, nr = p["R"], p["n_rec"]
    k = conformal_rank(nr, alpha)
    stats_ = np.asarray(with_q.null_statistics(R * nr, seed=ctx.seed("recal"))).reshape(R, nr)
    taus = np.sort(stats_, axis=1)[:, k - 1]
    lev = law.law("H0", shift).sf(taus)
    level = ctx.false_fail_rate / 2
    ks = st.kstest(lev, order_statistic_level_law(nr, k).cdf, method="exact")
    violated = realized > alpha and ks.pvalue > level
    power = p_repro * (1 - level)
    return Evidence(
        verdict="violated" if violated else "holds", n=n + R * nr, estimate=realized, lower=float(lev.mean()),
        upper=float(np.quantile(lev, 0.99)), bound=alpha, p_value=float(ks.pvalue),
        design=ctx.design("Q-step shifts the H0 statistic (reproduction probability, exact)", shift / law.D, power,
                          n + R * nr),
        details={"shift": shift, "D": law.D, "tau_no_q": cal.tau, "realized_with_q": realized,
                 "p_reproduce_exact": p_repro, "recal_ks_p": float(ks.pvalue)},
        message="" if violated else f"not reproduced: realized {realized:.4f} (alpha {alpha}), recalibrated KS "
                                    f"p={ks.pvalue:.3g}",
    )


# ------------------------------------------------------------------------------------------------------------------
VAR_CLAIM = Claim(
    id="lrt.variance_mismatch",
    source=f"{SOURCE} (variance-mismatch stress test); reference note section 1.3",
    statement="A threshold calibrated with one reverse variance (posterior) and deployed with the other (beta) keeps "
    "the Type-I rate alpha (violated: the null law changes; the config hash refuses the calibration record).",
    expectation="fails",
    assumptions=("single-Gaussian heads",),
)


@check(VAR_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=2000, alpha=0.1, T=20), full=dict(n=2000, alpha=0.1, T=20))
def check_variance_mismatch(ctx):
    p = ctx.params
    n, alpha = p["n"], p["alpha"]
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    post, law_p = _gauss_world(ctx.subject, sch, "posterior")
    beta, law_b = _gauss_world(ctx.subject, sch, "beta")
    cal = calibrate_threshold(post.null_statistics(n, seed=ctx.seed("cal")), alpha)
    realized = float(law_b.law("H0").sf(cal.tau))
    t_star = float(law_b.law("H0").isf(alpha))
    p_repro = float(st.beta(cal.k, n - cal.k + 1).cdf(law_p.law("H0").cdf(t_star)))
    refused = False
    if hasattr(beta, "deploy"):
        try:
            beta.deploy(cal)
        except ValueError:
            refused = True
    return Evidence(
        verdict="violated" if realized > alpha else "holds", n=n, estimate=realized, bound=alpha,
        design=ctx.design("variance choice changes the H0 law (reproduction probability, exact)",
                          abs(law_p.D2 - law_b.D2), p_repro, n),
        details={"D2_posterior": law_p.D2, "D2_beta": law_b.D2, "tau": cal.tau, "config_hash_refused": refused},
        message="" if realized > alpha else f"realized {realized:.4f} <= alpha",
    )


# ------------------------------------------------------------------------------------------------------------------
RMAX_CLAIM = Claim(
    id="lrt.running_max",
    source=f"{SOURCE}; DESIGN section 4 (two statistics); reference note section 4.3 (Ville)",
    statement="A threshold calibrated on the final Lambda keeps alpha for a gate on the running max (violated); "
    "calibrated on the running max it holds (exact beta-binomial law), and Ville's ln(1/alpha) holds for GMM heads.",
    expectation="fails",
    assumptions=("single-Gaussian heads on vp(T=5) for the exact running-max law", "GMM heads for Ville"),
)


@check(RMAX_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=10000, m=20000, alpha=0.1), full=dict(n=10000, m=60000, alpha=0.1))
def check_running_max(ctx):
    p = ctx.params
    n, m, alpha = p["n"], p["m"], p["alpha"]
    sch = Schedule.vp(5)
    fin, law = _gauss_world(ctx.subject, sch, "posterior")
    rmx = fin.replace(statistic="running_max")
    share = ctx.false_fail_rate / 2
    # (1) final-Lambda calibration used for the running max: realized level exact (MVN CDF)
    cal = calibrate_threshold(fin.null_statistics(n, seed=ctx.seed("cal_final")), alpha)
    realized = law.running_max_sf(cal.tau)
    lo_t, hi_t = law.tau(alpha), law.tau(0.001)  # sf_max >= sf_final, so tau* >= tau(alpha)
    # tau* with running_max_sf(tau*) = alpha, by bisection on the exact law
    for _ in range(40):
        mid = 0.5 * (lo_t + hi_t)
        lo_t, hi_t = (mid, hi_t) if law.running_max_sf(mid) > alpha else (lo_t, mid)
    p_repro = float(st.beta(cal.k, n - cal.k + 1).cdf(law.law("H0").cdf(lo_t)))
    # (2) calibrated on the running max: fresh count ~ BetaBinomial
    cal_m = calibrate_threshold(rmx.null_statistics(n, seed=ctx.seed("cal_max")), alpha)
    fresh = np.asarray(rmx.null_statistics(m, seed=ctx.seed("fresh_max")))
    cnt = int(np.sum(fresh > cal_m.tau))
    bb = st.betabinom(m, n + 1 - cal_m.k, cal_m.k)
    ok2 = int(bb.ppf(share / 4)) <= cnt <= int(bb.isf(share / 4))
    # (3) Ville's threshold with GMM heads (3 components, good = 1): P(max >= ln 1/alpha) <= alpha
    gmm = GaussianMixtureHead([[-1.5, 0.0], [1.0, 1.0], [0.0, -1.2]], [0.3, 0.5, 0.4])
    ville_s = ctx.subject(gmm, gmm.subset([1]), Schedule.linear(50, 1e-4, 0.1), statistic="running_max")
    vt = ville_threshold(alpha).tau
    vm = np.asarray(ville_s.null_statistics(m, seed=ctx.seed("ville")))
    cv = int(np.sum(vm >= vt))
    reg_v = binomial_acceptance_region(m, alpha, share / 2, alternative="greater")
    ok3 = cv <= reg_v.high
    violated = realized > alpha and ok2 and ok3
    return Evidence(
        verdict="violated" if violated else "holds", n=n + m, estimate=realized, lower=cnt / m, upper=cv / m,
        bound=alpha, design=ctx.design("final-Lambda threshold used for the running max (exact reproduction "
                                       "probability)", realized - alpha, p_repro * (1 - share), n + m),
        details={"tau_final": cal.tau, "realized_running_max": realized, "p_reproduce_exact": p_repro,
                 "tau_running_max": cal_m.tau, "fresh_count": cnt, "ville_tau": vt, "ville_rate": cv / m,
                 "ville_region_high": reg_v.high},
        message="" if violated else f"realized {realized:.4f}, recalibrated ok={ok2}, Ville ok={ok3}",
    )


# ------------------------------------------------------------------------------------------------------------------
FEED_CLAIM = Claim(
    id="lrt.gate_feedback",
    source="reference note section 1.2 (e): E[ell_t | a_t] = (beta_t - 1/2) ||Delta_t||^2 / sigma_t^2",
    statement="With beta_max > 1/2 an opened gate feeds itself (E[ell_t] > 0 after opening); measured against the "
    "exact (beta_max - 1/2) d_t^2 for Gaussian heads.",
    expectation="measured",
)


@check(FEED_CLAIM, quick=dict(n=20000, T=100), full=dict(n=200000, T=100))
def check_gate_feedback(ctx):
    p = ctx.params
    sch = Schedule.linear(p["T"])
    rows = {}
    for bmax in (0.25, 0.5, 0.75, 1.0):
        smp, law = _gauss_world(LRTSampler, sch, "posterior", beta_max=bmax)
        tau = law.tau(0.5)
        res = smp.replace(tau=tau).sample(n=p["n"], seed=ctx.seed(f"b{bmax}"), return_trace=True)
        opened = res.beta > 0
        d2 = law.d2_steps[::-1][:, None] * np.ones_like(res.ell)
        mean_ell = float(res.ell[opened].mean()) if opened.any() else math.nan
        exact = float(((bmax - 0.5) * d2)[opened].mean()) if opened.any() else math.nan
        rows[str(bmax)] = {"mean_ell_after_opening": mean_ell, "exact": exact,
                           "open_fraction_final_step": float(opened[-1].mean())}
    return Evidence(verdict="holds", n=p["n"], estimate=rows["1.0"]["mean_ell_after_opening"],
                    bound=rows["1.0"]["exact"], details=rows)


# ------------------------------------------------------------------------------------------------------------------
UNEQUAL_CLAIM = Claim(
    id="lrt.heads.unequal_variance",
    source=f"{SOURCE}, next check 1 (heteroscedastic heads)",
    statement="With unequal head data variances the Gaussian closed-form threshold mis-calibrates; the Monte Carlo "
    "conformal threshold still holds.  Realized Type-I of both, measured.",
    expectation="measured",
)


@check(UNEQUAL_CLAIM, quick=dict(n=20000, m=20000, alpha=0.1, T=20), full=dict(n=100000, m=100000, alpha=0.1, T=20))
def check_unequal_variance(ctx):
    p = ctx.params
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    out = {}
    for ratio in (1.0, 1.5, 2.0):
        smp = LRTSampler(GaussianMixtureHead(M_U, S), GaussianMixtureHead(M_C, S * ratio), sch)
        law = GaussianLRTLaw(sch, "posterior", M_U, M_C, S)  # the shared-variance formula a user would apply
        cal = calibrate_threshold(smp.null_statistics(p["n"], seed=ctx.seed(f"c{ratio}")), p["alpha"])
        fresh = np.asarray(smp.null_statistics(p["m"], seed=ctx.seed(f"f{ratio}")))
        out[str(ratio)] = {"realized_conformal": float(np.mean(fresh > cal.tau)),
                           "realized_gaussian_formula": float(np.mean(fresh > law.tau(p["alpha"])))}
    return Evidence(verdict="holds", n=p["m"], estimate=out["2.0"]["realized_gaussian_formula"],
                    bound=p["alpha"], details=out)


SHIFT_CLAIM = Claim(
    id="lrt.calibration.shifted_states",
    source=f"{SOURCE}, next check 2 (distribution shift between calibration and deployment states)",
    statement="Calibrated on states N(0, I) and deployed on shifted states N(mu, I), the realized Type-I drifts from "
    "alpha; measured for ||mu|| in {0, 0.5, 1, 2}.",
    expectation="measured",
)


@check(SHIFT_CLAIM, quick=dict(n=20000, m=10000, alpha=0.1, T=20), full=dict(n=100000, m=50000, alpha=0.1, T=20))
def check_shifted_states(ctx):
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
        lo, hi = st.binomtest(c, p["m"]).proportion_ci(0.95, method="exact")
        out[str(shift)] = {"realized": c / p["m"], "ci95": [lo, hi]}
    return Evidence(verdict="holds", n=p["m"], estimate=out["2.0"]["realized"], bound=p["alpha"], details=out)


QSIZE_CLAIM = Claim(
    id="lrt.qstep.size_clip",
    source=f"{SOURCE}, next check 3 (Type-I vs Q-step size and clipping)",
    statement="Realized Type-I of a threshold calibrated without the Q-step, as a function of the step size eta and "
    "the clip c (exact, single-Gaussian heads and a linear critic).",
    expectation="measured",
)


@check(QSIZE_CLAIM, stochastic=False, quick=dict(alpha=0.1, T=20), full=dict(alpha=0.1, T=20))
def check_qstep_size_clip(ctx):
    alpha = ctx.params["alpha"]
    sch = Schedule.linear(ctx.params["T"], 1e-4, 0.2)
    law = GaussianLRTLaw(sch, "beta", M_U, M_C, S)
    w = (M_C - M_U) / np.linalg.norm(M_C - M_U) * 2.0
    tau = law.tau(alpha)
    table = {}
    for clip in (0.5, 1.0, None):
        for eta in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0):
            shift = law.qstep_shift(_clipped(w, clip), eta)
            table[f"clip={clip},eta={eta}"] = float(law.law("H0", shift).sf(tau))
    return Evidence(verdict="holds", estimate=table["clip=1.0,eta=0.5"], bound=alpha, details=table)


# ==================================================================================================================
# Checks added with the mutant catalogue (issue 8): exact laws of the parts of the chain that the checks above do not
# pin down -- the gate at a finite threshold, the running max, the final action, the exact heads and the schedule --
# and the exact arithmetic of calibration and of the configuration binding.
# ==================================================================================================================
def _gate_value(lam, tau, beta_max, gate, kappa):
    """beta(lam): beta_max 1[lam > tau] (hard) or beta_max sigmoid((lam - tau)/kappa) (soft)."""
    from scipy.special import expit

    if gate == "hard":
        return beta_max * (lam > tau)
    return beta_max * expit((lam - tau) / kappa)


def _gated_lambda_law(d2_order, tau, beta_max, gate, kappa, *, h=0.01, half_width=8.0, lookahead=False):
    """Law of the final Lambda of the gated sampler with single-Gaussian heads, by exact Gaussian transitions on a grid.

    Lambda_{T+1} = 0 and, at every evidence step (d_t^2 > 0, sampling order), given the past Lambda' the increment is
    ell_t ~ N((beta(Lambda') - 1/2) d_t^2, d_t^2) (DESIGN section 4 step 5 with a_{t-1} = mu_u + beta Delta + sigma z;
    Delta_t does not depend on the action for equal-variance Gaussian heads), so Lambda is a Markov chain.  Mass sits
    at cell centres j h (0 is a centre, tau lies on a cell edge, so the hard gate is exact per cell); a transition
    moves each centre's mass to the cells by exact Gaussian cell probabilities (Phi differences), the outer cells
    absorbing the tails.  The only error is the midpoint placement of the mass inside a cell, O(h^2) for the smooth
    transitions; the caller measures it against the gate-free case N(-D^2/2, D^2).

    ``lookahead=True`` gives the law of the defect in which the hard gate reads Lambda' + ell'_t, ell'_t the current
    step's evidence of the background proposal drawn with the same noise (so ell_t = ell'_t + beta d_t^2 1[...]).
    Returns (edges, cdf at the edges).
    """
    from scipy.special import ndtr

    J = int(round(half_width / h))
    centres = np.arange(-J, J + 1) * h
    edges = np.concatenate([[-np.inf], (np.arange(-J, J) + 0.5) * h, [np.inf]])
    mass = np.zeros(centres.size)
    mass[J] = 1.0
    for d2 in d2_order:
        if d2 <= 0.0:
            continue
        d = math.sqrt(d2)
        live = mass > 1e-300
        c, p = centres[live], mass[live]
        if not lookahead:
            mu = c + (_gate_value(c, tau, beta_max, gate, kappa) - 0.5) * d2
            cdf = ndtr((edges[None, :] - mu[:, None]) / d)
        else:  # new = c + y + beta d2 1[c + y > tau], y ~ N(-d2/2, d2)
            m = c - 0.5 * d2
            below = ndtr((np.minimum(edges[None, :], tau) - m[:, None]) / d)
            jump = ndtr((edges[None, :] - beta_max * d2 - m[:, None]) / d) - ndtr((tau - m[:, None]) / d)
            cdf = below + np.clip(jump, 0.0, None) * (edges[None, :] - beta_max * d2 > tau)
        mass = p @ np.diff(cdf, axis=1)
    return edges[1:-1], np.cumsum(mass)[:-1]


def _grid_cdf(edges, cdf):
    return lambda x: np.interp(x, edges, cdf, left=0.0, right=1.0)


GATE_CLAIM = Claim(
    id="lrt.gate.past_evidence",
    source=f"{SOURCE}; DESIGN section 4 steps 2-5 (the gate reads past evidence only)",
    statement="With single-Gaussian heads and a finite threshold, the final Lambda of the hard-gated and of the "
    "soft-gated sampler follows the law of the Markov chain Lambda_t = Lambda_{t+1} + ell_t, ell_t ~ "
    "N((beta(Lambda_{t+1}) - 1/2) d_t^2, d_t^2), beta(.) the gate applied to the evidence of the steps already taken.",
    assumptions=("equal head variances", "vp(T=5) schedule, posterior variance", "beta_max = 1",
                 "law evaluated on a grid (exact Gaussian cell transitions, midpoint error measured)"),
)


@check(GATE_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=10000, kappa=0.5, tau_sd=-0.5), full=dict(n=40000, kappa=0.5, tau_sd=-0.5))
def check_gate_past_evidence(ctx):
    p = ctx.params
    n, kappa = p["n"], p["kappa"]
    sch = Schedule.vp(5)
    law = GaussianLRTLaw(sch, "posterior", M_U, M_C, S)
    d2 = law.d2_steps[::-1]
    h = 0.02
    tau = (math.floor(p["tau_sd"] * law.D / h - 0.5) + 0.5) * h  # on a cell edge of the grid
    # quadrature accuracy: the gate-free chain must reproduce N(-D^2/2, D^2)
    e0, c0 = _gated_lambda_law(d2, math.inf, 1.0, "hard", kappa, h=h)
    quad_err = float(np.max(np.abs(c0 - law.law("H0").cdf(e0))))
    if quad_err > 1e-4:
        raise RuntimeError(f"grid law inaccurate: {quad_err:.2e} on the gate-free chain")
    level = ctx.false_fail_rate / 2
    # the grid CDF is within quad_err of the exact law, so D_n(grid) <= D_n(exact) + quad_err: rejecting at
    # c + quad_err keeps the false-fail rate <= level; against a defect whose grid law is disc away, the true
    # discrepancy to the grid law is >= disc - 2 quad_err (power by ks_power_lower_bound)
    crit = ks_threshold(n, level) + quad_err
    out, powers, pvals, discs, rejects = {}, [], [], [], []
    for gate in ("hard", "soft"):
        edges, cdf = _gated_lambda_law(d2, tau, 1.0, gate, kappa, h=h)
        if gate == "hard":  # defect: the gate reads the current step's evidence as well
            _, cdf_def = _gated_lambda_law(d2, tau, 1.0, gate, kappa, h=h, lookahead=True)
        else:  # defect: the soft gate's temperature inverted, sigmoid((S - tau) kappa)
            _, cdf_def = _gated_lambda_law(d2, tau, 1.0, gate, 1.0 / kappa, h=h)
        disc = float(np.max(np.abs(cdf - cdf_def)))
        smp = ctx.subject(GaussianMixtureHead(M_U, S), GaussianMixtureHead(M_C, S), sch, variance="posterior",
                          gate=gate, beta_max=1.0, kappa=kappa, tau=tau)
        lam = np.asarray(smp.sample(n=n, seed=ctx.seed(gate)).final)
        ks = st.kstest(lam, _grid_cdf(edges, cdf), method="exact")
        powers.append(ks_power_lower_bound(n, level, max(0.0, disc - 2 * quad_err)))
        # p-value of the decision (stat > c + quad_err): exact kstwo tail at the statistic less the grid error
        pvals.append(float(st.kstwo.sf(max(0.0, float(ks.statistic) - quad_err), n)))
        rejects.append(bool(ks.statistic > crit))
        discs.append(disc)
        out[gate] = {"ks": float(ks.statistic), "p": pvals[-1], "p_grid_plain": float(ks.pvalue),
                     "critical_value": crit, "defect_discrepancy": disc,
                     "mean": float(lam.mean()), "activation": float(np.mean(lam > tau)),
                     "activation_exact": float(1.0 - np.interp(tau, edges, cdf))}
    ok = not any(rejects)
    return Evidence(
        verdict="holds" if ok else "violated", n=2 * n, estimate=out["hard"]["activation"],
        bound=out["hard"]["activation_exact"], p_value=min(1.0, 2 * min(pvals)),
        design=ctx.design("hard gate reading the current step's evidence / soft-gate temperature inverted",
                          min(discs), min(powers), n),
        details={"tau": tau, "D2": law.D2, "kappa": kappa, "quadrature_error": quad_err, **out},
        message="" if ok else f"gated Lambda rejects the past-evidence Markov law: KS p = {pvals}",
    )


# ------------------------------------------------------------------------------------------------------------------
RMAX_LAW_CLAIM = Claim(
    id="lrt.running_max.exact_law",
    source=f"{SOURCE}; DESIGN section 4 (running-max statistic); reference note section 4.2",
    statement="Under H0 with single-Gaussian heads the running max of Lambda over the evidence steps exceeds tau with "
    "the exact probability 1 - P(Lambda_1..Lambda_T' <= tau) (multivariate normal law of the Gaussian random walk).",
    assumptions=("equal head variances", "vp(T=5) schedule, posterior variance (4 evidence steps)"),
)


@check(RMAX_LAW_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=10000), full=dict(n=100000))
def check_running_max_exact_law(ctx):
    n = ctx.params["n"]
    sch = Schedule.vp(5)
    sampler, law = _gauss_world(ctx.subject, sch, "posterior", statistic="running_max")
    # the threshold where the running max and the final Lambda differ most (exact laws only), among thresholds where
    # the running max exceeds with a moderate probability (near tau = 0 it exceeds almost surely after one step)
    cands = [(law.running_max_sf(t), float(law.law("H0").sf(t)), t) for t in (law.tau(0.2), law.tau(0.1))]
    p_max, p_fin, tau = max(cands, key=lambda c: c[0] - c[1])
    rmax = np.asarray(sampler.null_statistics(n, seed=ctx.seed("h0")))
    count = int(np.sum(rmax > tau))
    reg = binomial_acceptance_region(n, p_max, ctx.false_fail_rate, alternative="two-sided")
    ok = reg.contains(count)
    power = binomial_power(n, p_max, p_fin, ctx.false_fail_rate, alternative="two-sided")
    lo, hi = st.binomtest(count, n).proportion_ci(1 - ctx.false_fail_rate, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated", n=n, estimate=count / n, lower=lo, upper=hi, bound=p_max,
        p_value=float(st.binomtest(count, n, p_max).pvalue),
        design=ctx.design("running max replaced by the final Lambda", p_max - p_fin, power, n),
        details={"tau": tau, "p_exact_running_max": p_max, "p_final": p_fin, "count": count,
                 "region": [reg.low, reg.high]},
        message="" if ok else f"count {count} outside the exact region [{reg.low}, {reg.high}] (p = {p_max:.4f})",
    )


# ------------------------------------------------------------------------------------------------------------------
ACTION_CLAIM = Claim(
    id="lrt.actions.exact_gaussian",
    source="DESIGN section 3 (reverse mean (x_t - beta_t/sqrt(1-ab_t) eps)/sqrt(alpha_t)); reference note section 4.2",
    statement="With single-Gaussian heads the chain is linear: a_{t-1} = A_t a_t + B_t m + sigma_t z with "
    "A_t = (1 - beta_t/c_t)/sqrt(alpha_t), B_t = beta_t sqrt(ab_t)/(c_t sqrt(alpha_t)), c_t = ab_t s^2 + 1 - ab_t, "
    "so the final action is exactly Gaussian: under H0 (m = m_u) and under H1 (the good head, m = m_c).",
    assumptions=("a_T ~ N(0, I)", "linear(T=20) schedule, posterior variance"),
)


def _final_action_law(sch, s2, m, s, *, drop_inv_sqrt_alpha=False):
    ab, al, b = sch.alpha_bars, sch.alphas, sch.betas
    mean, var = np.zeros_like(m, dtype=np.float64), 1.0
    for t in range(sch.T, 0, -1):
        i = t - 1
        c = ab[i] * s**2 + 1 - ab[i]
        r = 1.0 if drop_inv_sqrt_alpha else 1.0 / math.sqrt(al[i])
        A, B = (1 - b[i] / c) * r, b[i] * math.sqrt(ab[i]) / c * r
        mean, var = A * mean + B * m, A * A * var + s2[i]
    return mean, math.sqrt(var)


@check(ACTION_CLAIM, subject="lrt.sampler", default_subject=default_sampler_factory,
       quick=dict(n=8000, T=20), full=dict(n=40000, T=20))
def check_actions_exact_gaussian(ctx):
    n = ctx.params["n"]
    sch = Schedule.linear(ctx.params["T"], 1e-4, 0.2)
    s2 = sch.variance("posterior")
    sampler, _ = _gauss_world(ctx.subject, sch, "posterior")
    level = ctx.false_fail_rate / 2
    grid = np.linspace(-8, 8, 16001)
    out, pvals, discs = {}, [], []
    for hyp, m in (("H0", M_U), ("H1", M_C)):
        mean, sd = _final_action_law(sch, s2, m, S)
        smp = sampler if hyp == "H0" else sampler.replace(tau=-math.inf, beta_max=1.0, gate="hard")
        a = np.asarray(smp.sample(n=n, seed=ctx.seed(hyp), null=hyp == "H0").actions)
        z = ((a - mean[None, :]) / sd).ravel()  # 2n i.i.d. N(0, 1): isotropic, independent coordinates
        ks = st.kstest(z, st.norm.cdf, method="exact")
        # defect: 1/sqrt(alpha_t) dropped from the reverse mean
        mean_d, sd_d = _final_action_law(sch, s2, m, S, drop_inv_sqrt_alpha=True)
        mix = np.mean([st.norm.cdf(grid, (mean_d[j] - mean[j]) / sd, sd_d / sd) for j in range(m.size)], axis=0)
        discs.append(float(np.max(np.abs(mix - st.norm.cdf(grid)))))
        pvals.append(float(ks.pvalue))
        out[hyp] = {"mean_exact": mean.tolist(), "sd_exact": sd, "mean_sample": a.mean(0).tolist(),
                    "sd_sample": float(a.std()), "ks": float(ks.statistic), "p": float(ks.pvalue)}
    ok = min(pvals) > level
    power = ks_power_lower_bound(2 * n, level, min(discs))
    return Evidence(
        verdict="holds" if ok else "violated", n=4 * n, estimate=out["H1"]["mean_sample"][0],
        bound=out["H1"]["mean_exact"][0], p_value=min(1.0, 2 * min(pvals)),
        design=ctx.design("1/sqrt(alpha_t) dropped from the reverse mean", min(discs), power, 2 * n),
        details=out, message="" if ok else f"final actions reject the exact Gaussian law: KS p = {pvals}",
    )


# ------------------------------------------------------------------------------------------------------------------
HEADS_CLAIM = Claim(
    id="lrt.heads.exact_eps",
    source="DESIGN section 3 (exact heads); reference note section 4.1",
    statement="The exact GMM heads (numpy, torch and the sampler's fused two-head pass) return eps*(x, t) = "
    "E[eps | x_t = x] of the forward process x_t = sqrt(ab) x_0 + sqrt(1-ab) eps, computed here by Gaussian "
    "conditioning per component and Bayes' rule over components, finite at every x (log-sum-exp), to 1e-9.",
    assumptions=("float64",),
)


def _eps_by_conditioning(x, means, stds, weights, ab):
    """E[eps | x_t = x] for p_0 = sum_k w_k N(m_k, s_k^2 I): per component (x_t, eps) is jointly Gaussian with
    Var(x_t) = ab s_k^2 + (1 - ab), Cov(x_t, eps) = sqrt(1 - ab), so E[eps | x, k] = Cov/Var (x - sqrt(ab) m_k);
    P(k | x) by Bayes with scipy's log-densities and a stable softmax."""
    from scipy.special import softmax

    K, d = means.shape
    logp = np.empty((x.shape[0], K))
    cond = np.empty((x.shape[0], K, d))
    for k in range(K):
        var = ab * stds[k] ** 2 + (1.0 - ab)
        mean = math.sqrt(ab) * means[k]
        logp[:, k] = math.log(weights[k]) + st.multivariate_normal(mean, var * np.eye(d)).logpdf(x)
        cond[:, k] = math.sqrt(1.0 - ab) / var * (x - mean)
    w = softmax(logp, axis=1)
    return np.einsum("bk,bkd->bd", w, cond)


@check(HEADS_CLAIM, stochastic=False, quick=dict(n=200, T=100), full=dict(n=2000, T=100))
def check_heads_exact_eps(ctx):
    import torch

    from lrtcheck.diffusion import ExactTwoHead

    rng = ctx.rng
    sch = Schedule.linear(ctx.params["T"])
    means = np.array([[-3.0, 0.0], [2.0, 1.5], [0.5, -2.5]])
    stds, weights = np.array([0.05, 0.3, 1.0]), np.array([0.5, 0.3, 0.2])
    bg = GaussianMixtureHead(means, stds, weights)
    gd = bg.subset([0, 1])
    two = ExactTwoHead(bg, gd, sch)
    n = ctx.params["n"]
    worst, nonfinite, rows = 0.0, 0, {}
    for t in (1, 2, 10, 50, sch.T):
        ab = float(sch.alpha_bars[t - 1])
        # points from p_t, between the components, and far away (where unstabilised exponentials underflow)
        x0 = bg.sample(n, rng)
        xt = math.sqrt(ab) * x0 + math.sqrt(1 - ab) * rng.standard_normal(x0.shape)
        far = rng.uniform(-40, 40, size=(n // 4, 2))
        x = np.vstack([xt, far, [[-0.5, 0.75], [30.0, -30.0]]])
        ref_u = _eps_by_conditioning(x, means, stds, weights, ab)
        ref_c = _eps_by_conditioning(x, gd.means, gd.stds, gd.weights, ab)
        xt_t = torch.as_tensor(x, dtype=torch.float64)
        got = {"numpy": bg.epsilon(x, ab), "torch": bg.epsilon_torch(xt_t, ab).numpy()}
        eu, ec = two(None, xt_t, t)
        got["fused_background"], got["fused_good"] = eu.numpy(), ec.numpy()
        for name, val in got.items():
            ref = ref_c if name == "fused_good" else ref_u
            nonfinite += int(np.sum(~np.isfinite(val)))
            err = float(np.nanmax(np.abs(val - ref) / (1.0 + np.abs(ref)))) if np.isfinite(val).any() else math.inf
            worst = max(worst, err)
            rows[f"t={t}:{name}"] = err
    ok = worst <= 1e-9 and nonfinite == 0
    return Evidence(verdict="holds" if ok else "violated", n=len(rows), estimate=worst, bound=1e-9,
                    details={"max_rel_error": rows, "nonfinite": nonfinite},
                    message="" if ok else f"max relative error {worst:.3g}, {nonfinite} non-finite values")


# ------------------------------------------------------------------------------------------------------------------
SCHEDULE_CLAIM = Claim(
    id="lrt.schedule.posterior_variance",
    source="Ho et al. (2020) eq. (7); DESIGN section 3",
    statement="The posterior variance beta~_t equals Var(x_{t-1} | x_t, x_0) of the forward process, 1 / (1/(1 - "
    "ab_{t-1}) + alpha_t/beta_t) by Gaussian conditioning (0 at t = 1), for the linear, cosine and vp schedules.",
)


@check(SCHEDULE_CLAIM, stochastic=False, quick=dict(T=100), full=dict(T=1000))
def check_schedule_posterior_variance(ctx):
    T = ctx.params["T"]
    rows = {}
    worst = 0.0
    for sch in (Schedule.linear(T), Schedule.linear(20, 1e-4, 0.2), Schedule.cosine(T), Schedule.vp(5)):
        b = sch.betas
        ab_prev = np.concatenate([[1.0], np.cumprod(1.0 - b)[:-1]])
        # x_{t-1} | x_0 ~ N(., 1 - ab_{t-1}); x_t | x_{t-1} ~ N(sqrt(alpha_t) x_{t-1}, beta_t): precisions add
        with np.errstate(divide="ignore"):
            prec = 1.0 / (1.0 - ab_prev) + (1.0 - b) / b
        ref = np.where(np.isinf(prec), 0.0, 1.0 / prec)
        got = np.asarray(sch.variance("posterior"), dtype=np.float64)
        err = float(np.max(np.abs(got - ref) / np.maximum(ref, 1e-300))) if got.shape == ref.shape else math.inf
        rows[sch.name] = err
        worst = max(worst, err)
    ok = worst <= 1e-10
    return Evidence(verdict="holds" if ok else "violated", n=len(rows), estimate=worst, bound=1e-10, details=rows,
                    message="" if ok else f"posterior variance off by a relative {worst:.3g}")


# ------------------------------------------------------------------------------------------------------------------
RANKS_CLAIM = Claim(
    id="lrt.calibration.ranks_exact",
    source=f"{SOURCE} (conformal and DKW calibration); DESIGN section 4; Massart (1990)",
    statement="calibrate_threshold returns the k-th smallest H0 statistic with k = ceil((n+1)(1-alpha)) in exact "
    "arithmetic (conformal), k = ceil(n(1-alpha+eps)) with Massart's eps = sqrt(ln(1/delta)/(2n)) for delta <= 1/2 and "
    "sqrt(ln(2/delta)/(2n)) above (dkw), k = ceil(n(1-alpha)) with the two-sided eps reported (quantile); the DKW "
    "rank keeps P(realized level > alpha) <= delta exactly (Beta law of the order statistic).",
)


@check(RANKS_CLAIM, stochastic=False, quick=dict(n_max=300), full=dict(n_max=2000))
def check_calibration_ranks_exact(ctx):
    from fractions import Fraction

    rng = ctx.rng
    bad = []
    total = 0
    alphas = [Fraction(1, 3), Fraction(1, 10), Fraction(1, 20), Fraction(1, 7), Fraction(3, 10)]
    for n in range(1, ctx.params["n_max"] + 1):
        x = rng.permutation(n).astype(np.float64)  # the k-th smallest of a permutation of 0..n-1 is k-1
        for a in alphas:
            k = math.ceil((n + 1) * (1 - a))
            k = k if k <= n else None
            cal = calibrate_threshold(x, float(a))
            total += 1
            if cal.k != k or cal.tau != (math.inf if k is None else float(k - 1)):
                bad.append(("conformal", n, str(a), cal.k, k, cal.tau))
    for n in (10, 50, 200, 1000):
        x = rng.permutation(n).astype(np.float64)
        for a in (0.1, 0.05, 0.2):
            for delta in (0.05, 0.2, 0.5, 0.8):
                eps = math.sqrt(math.log((1.0 if delta <= 0.5 else 2.0) / delta) / (2 * n))
                v = n * (1 - a + eps)
                ok_k = {math.ceil(v - 1e-9), math.ceil(v + 1e-9)}
                cal = calibrate_threshold(x, a, delta=delta, method="dkw")
                total += 1
                k_ok = (cal.k is None and min(ok_k) > n) or (cal.k in ok_k and cal.tau == float(cal.k - 1))
                guar = cal.k is None or float(order_statistic_level_law(n, cal.k).sf(a)) <= delta
                if not (k_ok and guar and abs(cal.epsilon - eps) <= 1e-12 * eps):
                    bad.append(("dkw", n, a, delta, cal.k, sorted(ok_k), cal.epsilon, eps, guar))
                q = calibrate_threshold(x, a, delta=delta, method="quantile")
                kq = {math.ceil(n * (1 - a) - 1e-9), math.ceil(n * (1 - a) + 1e-9)}
                eps2 = math.sqrt(math.log(2.0 / delta) / (2 * n))
                total += 1
                if q.k not in kq or q.tau != float(q.k - 1) or abs(q.epsilon - eps2) > 1e-12 * eps2:
                    bad.append(("quantile", n, a, delta, q.k, sorted(kq), q.epsilon, eps2))
    ok = not bad
    return Evidence(verdict="holds" if ok else "violated", n=total, estimate=len(bad), bound=0.0,
                    details={"first_mismatches": [list(map(str, b)) for b in bad[:5]]},
                    message="" if ok else f"{len(bad)} mismatches, e.g. {bad[0]}")


# ------------------------------------------------------------------------------------------------------------------
BIND_CLAIM = Claim(
    id="lrt.calibration.config_binding",
    source="DESIGN section 4 (a calibration record binds tau to a hash of the sampler configuration)",
    statement="A calibration drawn from a sampler's null statistics is accepted by that configuration (also with a "
    "different batch size) and refused (ValueError) by every configuration whose H0 law differs: variance, schedule, "
    "heads, Q-step on/off, Q-step eta, clip, anchor or critic, and the statistic.",
)


@check(BIND_CLAIM, stochastic=False, quick=dict(n=64, T=10), full=dict(n=64, T=10))
def check_calibration_config_binding(ctx):
    p = ctx.params
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    w = (M_C - M_U) / np.linalg.norm(M_C - M_U) * 2.0
    q = QStep(LinearCritic(w), eta=0.5, clip=1.0, anchor=1.0)
    base, _ = _gauss_world(LRTSampler, sch, "posterior", q_step=q)
    cal = calibrate_threshold(base.null_statistics(p["n"], seed=ctx.seed("null")), 0.1)
    changed = {
        "variance": base.replace(variance="beta"),
        "schedule": base.replace(schedule=Schedule.linear(p["T"], 1e-4, 0.1)),
        "heads": base.replace(good=GaussianMixtureHead(M_C * 2, S)),
        "q_step_off": base.replace(q_step=None),
        "q_eta": base.replace(q_step=QStep(LinearCritic(w), eta=0.25, clip=1.0, anchor=1.0)),
        "q_clip": base.replace(q_step=QStep(LinearCritic(w), eta=0.5, clip=2.0, anchor=1.0)),
        "q_anchor": base.replace(q_step=QStep(LinearCritic(w), eta=0.5, clip=1.0, anchor=0.0)),
        "q_critic": base.replace(q_step=QStep(LinearCritic(-w), eta=0.5, clip=1.0, anchor=1.0)),
        "statistic": base.replace(statistic="running_max"),
    }
    accepted_wrongly = []
    for name, smp in changed.items():
        try:
            smp.deploy(cal)
            accepted_wrongly.append(name)
        except ValueError:
            pass
    refused_wrongly = []
    for name, smp in {"same": base, "batch_size": base.replace(batch_size=7)}.items():
        try:
            smp.deploy(cal)
        except ValueError as exc:
            refused_wrongly.append(f"{name}: {exc}")
    ok = not accepted_wrongly and not refused_wrongly
    return Evidence(verdict="holds" if ok else "violated", n=len(changed) + 2,
                    estimate=len(accepted_wrongly) + len(refused_wrongly), bound=0.0,
                    details={"accepted_wrongly": accepted_wrongly, "refused_wrongly": refused_wrongly,
                             "config_hash": cal.config_hash},
                    message="" if ok else f"calibration accepted by {accepted_wrongly}, refused by {refused_wrongly}")
