"""``lrt.ood``: the OOD rate of the LRT sampler across alpha (Prop. 4), and the return-OOD Pareto against Q-guidance.

Claims.  ``lrt.ood.monotone``: a lower alpha gives a lower OOD rate (arXiv 2510.24983, Prop. 4).  Expected to
*fail*: in the support-hole world the good head N(m, (g s)^2), g < 1, is the high-density core of a behaviour
component, so opening the gate less often (lower alpha) leaves more samples on the behaviour chain and *raises* the
OOD rate (docs/paper_errors.md §1.8).  The proposition needs the extra assumption that the good chain is more
OOD-prone than the behaviour chain.  ``lrt.ood.pareto``: when the critic is optimistic off the data support, the
LRT sampler is not more OOD than Q-only guidance at any alpha, and where the gate opens at once (alpha >= 0.5) its
true return is not lower either (arXiv 2510.24983, Table 1, Thm 5.4).  Below alpha = 0.5 the returns are recorded,
not asserted: the LRT sampler then stays near the behaviour chain, and a mild bump lets Q-only come close.

World.  :class:`lrtcheck.worlds.lrt_hole.SupportHoleWorld`: behaviour 1/2 N(-m, s^2) + 1/2 N(m, s^2) with exact
mixture heads, the good head N(m, (g s)^2) (g = 1 in the Pareto check), true reward r(a) = exp(-(a - m)^2/(2 rho^2)), critic r(a) plus an
optimistic bump B exp(-a^2/(2 w^2)) in the hole, and the exact OOD flag p_b(a) < kappa p_b(m)
(docs/methods/lrt_diffusion.md §11).  Configurations (alpha pairs, s, g, bump, width, eta, alpha) are drawn from their
spaces.

Checks.  Paired designs on common noise (the same per-sample noise ids for both samplers): of the discordant pairs
(one sampler OOD, the other not) the share in which the method claimed better is OOD is, under the claim, at most
1/2, so a one-sided exact binomial sign test (``binomial_count_decision``) decides each comparison; the return is
made a binomial count by common uniforms, 1[U < r(a)] ~ Bernoulli(E r(a)).  No normal approximation anywhere.
The Pareto check's declared defect is ``lrt.guided_mean_sign`` (the pull written mu_u - beta Delta), which drives the
early-gated LRT sampler into the hole; the monotone check's counter-example is reproduced with the exact power of
its sign test against 80% of discordant pairs going against Prop. 4 (observed: 99-100%).
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import ParameterSpace, Real
from lrtcheck.certify.figures import Spec, detail, figure, finding, fmt
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt import LRTSampler, QStep, calibrate_threshold
from lrtcheck.stats.decisions import (binomial_count_decision, bonferroni, counterexample_decision, exact_decision,
                                      split_share)
from lrtcheck.worlds.lrt_hole import SupportHoleWorld

OOD_CLAIM = Claim(
    id="lrt.ood.monotone",
    source=f"{PAPER} (Prop. 4: lower alpha, lower OOD rate); docs/paper_errors.md §1.8",
    statement="In the support-hole world the exact OOD rate of the LRT sampler at a lower alpha is not larger than "
    "at a higher alpha (violated when the good head is the core of a behaviour component: lowering alpha leaves more samples on the "
    "behaviour chain and raises it).",
    expectation="fails",
    assumptions=("exact mixture heads", "exact OOD flag p_b(a) < kappa p_b(m)", "good head inside the support"),
)

PARETO_CLAIM = Claim(
    id="lrt.ood.pareto",
    source=f"{PAPER} (Table 1; Thm 5.4: critic errors off the support dominate); docs/methods/lrt_diffusion.md §11",
    statement="In the support-hole world with a critic optimistic in the hole, the LRT sampler's exact OOD rate is "
    "not above Q-only guidance's at any alpha, and its true return is not below Q-only's where the gate opens at once "
    "(alpha >= 0.5).",
    assumptions=("exact mixture heads", "critic exact on the support, optimistic bump in the hole", "T = 20 cosine"),
)

MONO_SPACE = ParameterSpace("ood_alpha", s=Real(0.3, 0.45), good_scale=Real(0.5, 0.8), alpha_hi=Real(0.55, 0.8), alpha_lo=Real(0.02, 0.2))
PARETO_SPACE = ParameterSpace("hole", bump=Real(2.5, 4.5), width=Real(1.0, 1.3), eta=Real(1.5, 3.0),
                              alpha=Real(0.05, 0.8))
#: from this level on the conformal threshold is negative in every drawn world, so the gate opens at the first step
#: and the LRT sampler follows the good head; the return comparison is asserted there only (below it the LRT sampler
#: stays near the behaviour chain, and Q-only's return may exceed it: recorded, not asserted)
RETURN_ALPHA = 0.5

#: declared violation of the monotone claim: of the discordant pairs, 80% are OOD only at the lower alpha
MONO_VIOLATION = 0.8
#: declared defect of the Pareto check: of the discordant pairs, 65% go the wrong way for the LRT
PARETO_DEFECT = 0.35


def _lrt_actions(world, schedule, alpha, n_cal, n, seed_cal, seed_eval, factory=LRTSampler):
    """Deploy the LRT sampler calibrated at alpha (conformal, on its own null statistics) and sample n actions."""
    base = factory(world.background, world.good, schedule, beta_max=1.0)
    cal = calibrate_threshold(base.null_statistics(n_cal, seed=seed_cal), alpha)
    res = base.deploy(cal).sample(n=n, seed=seed_eval)
    return res.actions, float(res.activated.mean())


def _sign_test(better_only, worse_only, share, p_defect, name, target):
    """Exact one-sided sign test on the discordant pairs: under the claim the count ``worse_only`` (pairs where the
    claimed-better method is the worse one) is at most Bin(n_d, 1/2) stochastically; large counts reject."""
    n_d = int(better_only + worse_only)
    if n_d == 0:
        return exact_decision(True, estimate=0.0, bound=0.5, name=name + " (no discordant pair)")
    return binomial_count_decision(int(worse_only), n_d, 0.5, share, alternative="greater", defect_rate=p_defect,
                                   target_defect=target, name=name)


@check(OOD_CLAIM, quick=dict(n=60000, n_cal=20000, T=20, configurations=3),
       full=dict(n=300000, n_cal=50000, T=20, configurations=8))
def check_ood_monotone(ctx):
    """Reproduce the counter-example to Prop. 4 with an exact paired sign test per drawn configuration."""
    p = ctx.params
    sch = Schedule.cosine(p["T"])
    configs = ctx.configurations(MONO_SPACE)
    parts, rows = [], []
    for cfg in configs:
        world = SupportHoleWorld(s=cfg["s"], good_scale=cfg["good_scale"])
        seed_cal, seed_eval = cfg.seed("cal"), cfg.seed("eval")
        a_hi, act_hi = _lrt_actions(world, sch, cfg["alpha_hi"], p["n_cal"], p["n"], seed_cal, seed_eval)
        a_lo, act_lo = _lrt_actions(world, sch, cfg["alpha_lo"], p["n_cal"], p["n"], seed_cal, seed_eval)
        o_hi, o_lo = world.ood(a_hi), world.ood(a_lo)
        assertion = _sign_test(int(np.sum(o_hi & ~o_lo)), int(np.sum(o_lo & ~o_hi)), cfg.share, MONO_VIOLATION,
                               "OOD(alpha_lo) <= OOD(alpha_hi): sign test", "lower alpha raises the OOD rate")
        power = assertion.power if np.isfinite(assertion.power) else 0.0
        parts.append(counterexample_decision(assertion, power, cfg.share, p_value=assertion.p_value, n=2 * p["n"],
                                             target_defect="lower alpha raises the OOD rate (declared: 80% of "
                                                           "discordant pairs OOD only at the lower alpha)",
                                             defect_size=MONO_VIOLATION - 0.5))
        rows.append({"alpha_hi": cfg["alpha_hi"], "alpha_lo": cfg["alpha_lo"], "s": cfg["s"],
                     "ood_hi": float(o_hi.mean()), "ood_lo": float(o_lo.mean()), "act_hi": act_hi,
                     "act_lo": act_lo, "p_value": assertion.p_value, "discordant": assertion.n,
                     "ood_only_at_lo": int(np.sum(o_lo & ~o_hi))})
    # reproduced iff every configuration reproduces it: the joined decision is violated iff all parts are
    reproduced = all(not d.holds for d in parts)
    power = float(np.prod([d.power for d in parts]))
    decision = counterexample_decision(
        exact_decision(not reproduced, estimate=max(r["ood_lo"] - r["ood_hi"] for r in rows), bound=0.0,
                       name="OOD(alpha_lo) <= OOD(alpha_hi) in some configuration"),
        power, ctx.false_fail_rate, p_value=max(r["p_value"] for r in rows), n=2 * p["n"] * len(rows),
        target_defect=parts[0].target_defect, defect_size=MONO_VIOLATION - 0.5)
    return Evidence.from_decision(decision, message=decision.message, details={"rows": rows})


@check(PARETO_CLAIM, quick=dict(n=20000, n_cal=20000, T=20, configurations=3),
       full=dict(n=100000, n_cal=50000, T=20, configurations=8))
def check_ood_pareto(ctx):
    """Paired exact sign tests: LRT not more OOD than Q-only, and its Bernoulli-randomised return not lower."""
    p = ctx.params
    sch = Schedule.cosine(p["T"])
    configs = ctx.configurations(PARETO_SPACE)
    parts, rows = [], []
    for cfg in configs:
        world = SupportHoleWorld(bump=cfg["bump"], width=cfg["width"])
        seed_eval = cfg.seed("eval")
        a_l, act = _lrt_actions(world, sch, cfg["alpha"], p["n_cal"], p["n"], cfg.seed("cal"), seed_eval)
        q_only = LRTSampler(world.background, world.good, sch, beta_max=0.0,
                            q_step=QStep(world.critic, eta=cfg["eta"], clip=None))
        a_q = q_only.sample(n=p["n"], seed=seed_eval).actions
        o_l, o_q = world.ood(a_l), world.ood(a_q)
        u = np.random.default_rng(cfg.stream("reward")).random(p["n"])
        s_l, s_q = u < world.reward(a_l), u < world.reward(a_q)
        with_return = cfg["alpha"] >= RETURN_ALPHA
        sh = split_share(cfg.share, 2) if with_return else cfg.share
        d_ood = _sign_test(int(np.sum(o_q & ~o_l)), int(np.sum(o_l & ~o_q)), sh, 1 - PARETO_DEFECT,
                           "OOD(LRT) <= OOD(Q-only): sign test", "the LRT sampler as OOD-prone as Q-guidance")
        if with_return:
            d_ret = _sign_test(int(np.sum(s_l & ~s_q)), int(np.sum(s_q & ~s_l)), sh, 1 - PARETO_DEFECT,
                               "return(LRT) >= return(Q-only): sign test", "the LRT sampler's return below Q-only's")
            parts.append(bonferroni([d_ood, d_ret], cfg.share, same_defect=True))
        else:
            d_ret = None
            parts.append(d_ood)
        rows.append({**{k: cfg[k] for k in ("bump", "width", "eta", "alpha")}, "ood_lrt": float(o_l.mean()),
                     "ood_q": float(o_q.mean()), "return_lrt": float(world.reward(a_l).mean()),
                     "return_q": float(world.reward(a_q).mean()), "activation": act,
                     "p_ood": d_ood.p_value, "p_return": None if d_ret is None else d_ret.p_value,
                     "power": parts[-1].power})
    # the declared defect (a pull away from the good head) shows where the gate opens early; every configuration
    # that rejects rejects the check, and the Latin hypercube puts one configuration in alpha's top third
    decision = configs.join(parts, same_defect=True)
    return Evidence.from_decision(decision, details={"rows": rows})


@figure(check_ood_pareto)
def pareto_scatter(ev) -> list[Spec]:
    rows = detail(ev, "rows")
    pts = [{"label": "LRT", "x": [r["ood_lrt"] for r in rows], "y": [r["return_lrt"] for r in rows]},
           {"label": "Q-only", "x": [r["ood_q"] for r in rows], "y": [r["return_q"] for r in rows]}]
    return [{"kind": "scatter", "title": "Return-OOD in the support-hole world (exact OOD flag)", "points": pts,
             "xlabel": "OOD rate (behaviour density below kappa of its peak)", "ylabel": "mean true return",
             "caption": "One point per drawn configuration (bump, width, eta, alpha); up-and-left is better. "
                        f"LRT OOD {fmt(min(r['ood_lrt'] for r in rows))}-{fmt(max(r['ood_lrt'] for r in rows))}, "
                        f"Q-only OOD {fmt(min(r['ood_q'] for r in rows))}-{fmt(max(r['ood_q'] for r in rows))}."}]


@figure(check_ood_monotone)
def monotone_bars(ev) -> list[Spec]:
    rows = detail(ev, "rows")
    labels, values = [], []
    for r in rows:
        labels += [f"α={r['alpha_hi']:.2f}", f"α={r['alpha_lo']:.2f}"]
        values += [r["ood_hi"], r["ood_lo"]]
    return [{"kind": "bars", "title": "LRT OOD rate at a higher and a lower α (support-hole world)",
             "labels": labels, "values": values, "ylabel": "exact-flag OOD rate",
             "caption": "Pairs of bars per drawn configuration: Prop. 4 says the second bar is not higher."}]


@finding(check_ood_monotone)
def monotone_finding(ev):
    rows = detail(ev, "rows")
    r = rows[0]
    return (f"lowering α from {r['alpha_hi']:.2f} to {r['alpha_lo']:.2f} raises the LRT sampler's exact OOD rate "
            f"from {fmt(r['ood_hi'])} to {fmt(r['ood_lo'])} when the good head sits inside the behaviour support.")


MUTANTS = [
    Mutant("lrt.guided_mean_sign", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the gated mean written mu_u - beta Delta (the pull points away from the good head)",
           source_edit(("m = mu_u if bt is None else mu_u + bt.to(dt).unsqueeze(0) * delta",
                        "m = mu_u if bt is None else mu_u - bt.to(dt).unsqueeze(0) * delta")),
           ("lrt.ood.*",), tags=("ci",), declares=("lrt.ood.pareto",)),
]
