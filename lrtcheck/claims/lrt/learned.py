"""``lrt.type1.learned``: a trained two-head model, calibrated on held-out states, keeps its Type-I on fresh states.

Claim.  The threshold is calibrated once under H0 to a Type-I rate alpha with a DKW finite-sample guarantee (arXiv
2510.24983; docs/methods/lrt_diffusion.md §7-§8).  For a fixed trained model and i.i.d. states, the number of m
fresh H0 statistics above tau_hat = X_(k) follows BetaBinomial(m, n+1-k, k) exactly (docs/certification.md §8).

World.  The contextual toy (docs/methods/lrt_diffusion.md §11) and a two-head MLP trained on it
(docs/methods/diffusion.md §6), calibrated at the DKW rank on held-out states.

Check.  The fresh exceedance count against its exact Beta-Binomial law (equal-tailed region at the whole share);
defect: a realized Type-I of 2 alpha on fresh states (exact binomial power).  That law holds for any exchangeable
statistic, so it cannot see a statistic with its sign flipped or a broken reverse mean; an exact clause (no share)
compares the sampler's H0 chain on the trained model, sample by sample, with an independent implementation of the
reverse chain and of the kernel log-ratio (:func:`lrtcheck.worlds.lrt.null_chain_reference`, same counter-based
noise), to a relative 1e-8: it kills ``lrt.llr_sign`` and ``lrt.reverse_mean_coef`` (exactly, every run; they are
not ``declares=`` targets, which ``lrtcheck power`` reserves for defects a Monte Carlo part detects).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, number
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt import ContextualToy, LRTSampler, calibrate_threshold
from lrtcheck.stats.decisions import bonferroni, discrete_count_decision, exact_decision
from lrtcheck.worlds.lrt import null_chain_reference

LEARNED_CLAIM = Claim(
    id="lrt.type1.learned",
    source=f"{PAPER} (calibration on held-out states); docs/methods/lrt_diffusion.md §7-§8",
    statement="A trained two-head MLP on the contextual toy, calibrated (DKW level) on held-out states, keeps the "
    "realized Type-I on fresh states within the exact law: the fresh exceedance count is BetaBinomial(m, n+1-k, k).",
    assumptions=("calibration and deployment states i.i.d. N(0, I)", "the trained model is fixed"),
)


@check(LEARNED_CLAIM, quick=dict(n_data=8000, steps=1200, n_cal=1500, m=3000, alpha=0.1, delta=0.1, T=10,
                  n_ref=500),
       full=dict(n_data=20000, steps=4000, n_cal=4000, m=8000, alpha=0.1, delta=0.1, T=10, n_ref=2000))
def check_type1_learned(ctx):
    """The fresh exceedance count against BetaBinomial(m, n+1-k, k); defect: realized Type-I 2 alpha."""
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
    alpha_def = 2 * alpha
    # the chain itself, sample by sample, against an independent implementation of the H0 reverse chain on the same
    # trained model and noise: sees a wrong statistic or reverse mean that the exchangeable count cannot
    n_ref = min(p["n_ref"], m)
    ref_states = toy.sample_states(n_ref, rng)
    ref_seed = ctx.seed("reference")
    got = sampler.sample(ref_states, seed=ref_seed, null=True)
    a_ref, lam_ref = null_chain_reference(tr.model_, sch, "posterior", ref_states, ref_seed, np.arange(n_ref))
    err_lam = float(np.max(np.abs(got.final - lam_ref) / (1.0 + np.abs(lam_ref))))
    err_act = float(np.max(np.abs(got.actions - a_ref) / (1.0 + np.abs(a_ref))))
    chain = exact_decision(err_lam <= 1e-8 and err_act <= 1e-8, estimate=max(err_lam, err_act), bound=1e-8,
                           n=n_ref, name="H0 chain = independent reverse-chain implementation",
                           message=f"sampler differs from the reference chain: relative error {err_lam:.3g} in "
                                   f"Lambda, {err_act:.3g} in the actions")
    counted = discrete_count_decision(count, m, st.betabinom(m, n + 1 - cal.k, cal.k), ctx.false_fail_rate,
                                       defect_law=st.binom(m, alpha_def),
                                       target_defect=f"realized Type-I >= {alpha_def} on fresh states",
                                       name="fresh exceedances")
    decision = bonferroni([counted, chain], ctx.false_fail_rate, report=0)
    return Evidence.from_decision(
        decision, bound=alpha, defect_size=alpha_def - alpha,
        details={"tau": cal.tau, "k": cal.k, "eps": cal.epsilon, "final_loss": float(tr.losses_[-200:].mean()),
                 "region": list(counted.region), "reference_error_lambda": err_lam,
                 "reference_error_actions": err_act, "n_reference": n_ref},
    )


@figure(check_type1_learned)
def learned_type1_bars(ev) -> list[Spec]:
    alpha = number(ev.bound)
    reg = detail(ev, "region")
    m = int(ev.n)
    return [{"kind": "bars", "title": "Trained two-head model: Type-I on fresh states",
             "labels": ["fresh realized Type-I"], "values": [number(ev.estimate)], "lower": [number(ev.lower)],
             "upper": [number(ev.upper)], "target": alpha, "target_label": f"α = {alpha:g}",
             "hlines": [{"y": reg[0] / m, "label": "exact Beta-Binomial acceptance region", "color": "tab:green"},
                        {"y": reg[1] / m, "color": "tab:green"}],
             "ylabel": "realized Type-I",
             "caption": "Calibrated (DKW level) on held-out states, the fresh exceedance rate must fall inside the "
                        "exact Beta-Binomial region (green) around α."}]


# --------------------------------------------------------------------------------------------------------------
from lrtcheck.certify.mutation import Mutant, source_edit  # noqa: E402  (the mutants' own import, kept with them)

MUTANTS = [
    Mutant("lrt.threshold_rank_two_alpha", "lrtcheck.lrt.calibration:calibrate_threshold",
           "the threshold read at the rank of level 1 - 2 alpha (alpha doubled, a two-sided convention applied to "
           "the one-sided test) while the reported rank k stays the calibrated one: realized Type-I about 2 alpha",
           source_edit(("tau = math.inf if k is None else float(np.partition(x, k - 1)[k - 1])",
                        "k2_ = min(max(math.ceil(n * (1.0 - 2.0 * alpha) - 1e-12), 1), n)\n"
                        "tau = math.inf if k is None else float(np.partition(x, k2_ - 1)[k2_ - 1])")),
           ("lrt.type1.learned", "lrt.calibration.*"), declares=("lrt.type1.learned",)),
]
