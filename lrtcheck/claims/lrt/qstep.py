"""``lrt.qstep``: a Q-step changes the null law of Lambda, so the threshold must be recalibrated with it.

Claims.  The threshold must be calibrated with the deployed sampler, per Q-gradient anchor (arXiv 2510.24983,
Prop. 5.3; docs/paper_errors.md §2.1).  ``recalibrate`` (expected to fail) reproduces the misuse: calibrated without
the Q-step and deployed with it, the realized Type-I exceeds alpha, while recalibrated with the Q-step on the
realized level follows its exact Beta law again.  ``size_clip`` measures the stale threshold's realized level across
the step size eta and the clip c.

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` with a :class:`lrtcheck.worlds.lrt.LinearCritic` pulling
toward the good head: the clipped constant gradient g shifts Lambda's H0 mean by eta sum_t <g, Delta_t>
(docs/methods/lrt_diffusion.md §6, §9), so every realized level is exact.

Checks.  ``recalibrate``: the exact realized level of the stale threshold against alpha (exact reproduction
probability, Beta law of the order statistic), with the recalibrated levels' KS test against Beta(n+1-k, k) as the
control, at half the share.  ``size_clip``: exact, measured.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure, finding, finite, fmt, number
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt import QStep, calibrate_threshold
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats import conformal_rank, order_statistic_level_law
from lrtcheck.stats.decisions import counterexample_decision, exact_decision, ks_decision, split_share
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, LinearCritic, clipped_gradient,
                                 gaussian_heads_world, good_direction_gradient, lrt_sampler_factory)

QSTEP_CLAIM = Claim(
    id="lrt.qstep.recalibrate",
    source=f"{PAPER} (calibrate per Q-gradient anchor; Prop. 5.3); docs/methods/lrt_diffusion.md §6; "
    "docs/paper_errors.md §2.1",
    statement="A threshold calibrated without the Q-step and deployed with it exceeds alpha (violated); recalibrated "
    "with the Q-step on, the realized level follows Beta(n+1-k, k) again.",
    expectation="fails",
    limitation=True,
    assumptions=("single-Gaussian heads", "linear critic (constant gradient toward the good head)"),
)

QSIZE_CLAIM = Claim(
    id="lrt.qstep.size_clip",
    source=f"{PAPER}, Prop. 5.3 (Type-I vs Q-step size and clipping); docs/methods/lrt_diffusion.md §6, §9",
    statement="Realized Type-I of a threshold calibrated without the Q-step, as a function of the step size eta and "
    "the clip c (exact, single-Gaussian heads and a linear critic).",
    expectation="measured",
)


@check(QSTEP_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=400, alpha=0.1, eta=0.5, clip=1.0, R=1500, n_rec=99, T=20),
       full=dict(n=400, alpha=0.1, eta=0.5, clip=1.0, R=4000, n_rec=99, T=20))
def check_qstep_recalibrate(ctx):
    """Stale threshold's exact realized level > alpha, with the recalibrated levels' exact KS law as the control."""
    p = ctx.params
    n, alpha, eta, clip = p["n"], p["alpha"], p["eta"], p["clip"]
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    w = good_direction_gradient()
    sampler, law = gaussian_heads_world(ctx.subject, sch, "beta")
    shift = law.qstep_shift(clipped_gradient(w, clip), eta)
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
    recal = ks_decision(lev, order_statistic_level_law(nr, k).cdf, split_share(ctx.false_fail_rate, 2),
                        name="recalibrated levels ~ Beta(n+1-k, k)")
    keeps = exact_decision(realized <= alpha, estimate=realized, bound=alpha,
                           name="no-Q-step threshold keeps alpha with the Q-step on")
    decision = counterexample_decision(
        keeps, p_repro, ctx.false_fail_rate, controls=[recal], p_value=recal.p_value, n=n + R * nr,
        target_defect="Q-step shifts the H0 statistic (reproduction probability, exact)", defect_size=shift / law.D)
    return Evidence.from_decision(
        decision, message=decision.message, lower=float(lev.mean()), upper=float(np.quantile(lev, 0.99)),
        details={"shift": shift, "D": law.D, "tau_no_q": cal.tau, "realized_with_q": realized,
                 "p_reproduce_exact": p_repro, "recal_ks_p": recal.p_value},
    )


@check(QSIZE_CLAIM, stochastic=False, quick=dict(alpha=0.1, T=20), full=dict(alpha=0.1, T=20))
def check_qstep_size_clip(ctx):
    """Exact, measured: the stale threshold's realized level over eta in {0, ..., 2} and c in {0.5, 1, none}."""
    alpha = ctx.params["alpha"]
    sch = Schedule.linear(ctx.params["T"], 1e-4, 0.2)
    law = GaussianLRTLaw(sch, "beta", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    w = good_direction_gradient()
    tau = law.tau(alpha)
    table = {}
    for clip in (0.5, 1.0, None):
        for eta in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0):
            shift = law.qstep_shift(clipped_gradient(w, clip), eta)
            table[f"clip={clip},eta={eta}"] = float(law.law("H0", shift).sf(tau))
    measured = exact_decision(True, estimate=table["clip=1.0,eta=0.5"], bound=alpha, name="measured")
    return Evidence.from_decision(measured, details=table)


@figure(check_qstep_recalibrate)
def recalibration_bars(ev) -> list[Spec]:
    alpha = number(ev.bound)
    return [{"kind": "bars", "title": "Q-step: calibrated without vs recalibrated with it",
             "labels": ["no-Q τ, deployed with Q (exact)", "recalibrated: mean realized (MC)",
                        "recalibrated: 99% quantile (MC)"],
             "values": [number(ev.estimate), number(ev.lower), number(ev.upper)], "target": alpha,
             "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "The Q-step shifts Λ's null law (shift "
                        f"{fmt(detail(ev, 'shift', default=float('nan')))}): the old threshold exceeds α; "
                        "recalibrating with the Q-step on brings the realized level back to its exact Beta law."}]


@finding(check_qstep_recalibrate)
def recalibration_finding(ev):
    return (f"a threshold calibrated without the Q-step gives realized Type-I {fmt(ev.estimate)} > α = {fmt(ev.bound)} "
            f"once the Q-step is on; recalibrating with it restores the exact level (mean {fmt(ev.lower)}).")


@figure(check_qstep_size_clip)
def size_clip_lines(ev) -> list[Spec]:
    tab = ev.details
    series: dict[str, dict[float, float]] = {}
    for key, val in tab.items():
        if not key.startswith("clip=") or not finite(val):
            continue
        clip, eta = key.split(",")
        series.setdefault(clip.replace("clip=None", "no clip"), {})[float(eta.split("=")[1])] = float(val)
    if not series:
        raise Skip("no table")
    etas = sorted({e for s in series.values() for e in s})
    alpha = number(ev.bound)
    return [{"kind": "lines", "title": "Type-I of a no-Q-step threshold deployed with a Q-step (exact)",
             "x": etas, "series": {k: [v.get(e, float("nan")) for e in etas] for k, v in series.items()},
             "hlines": [{"y": alpha, "label": f"α = {alpha:g}"}], "xlabel": "Q-step size η",
             "ylabel": "realized Type-I",
             "caption": "Any Q-step shifts the H0 law of Λ: the realized Type-I climbs above α with η; clipping the "
                        "gradient caps the damage but does not remove it."}]


# --- mutants of the Q-step ----------------------------------------------------------------------------------------
def _record_deployed_hash(out, sampler, *args, **kwargs):
    """The null statistics' record still names the deployed configuration (Q-step on)."""
    out.config_hash = sampler.config_hash()
    return out


MUTANTS = [
    Mutant("lrt.qstep_not_scaled", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the Q-step applied as eta g, without Diffuser's scale_grad_by_std factor sigma_t^2",
           source_edit(("m = m + (self.q_step.eta * s2) * g", "m = m + self.q_step.eta * g")),
           ("lrt.qstep.*",), tags=("ci",)),
    Mutant("lrt.qstep_clip_skipped", "lrtcheck.lrt.sampler:QStep.gradient",
           "gradient clipping implemented only in the autograd branch: an analytic critic.grad() is used unclipped",
           source_edit(("g = self.critic.grad(states, actions)",
                        "return self.critic.grad(states, actions).to(actions.dtype)")),
           ("lrt.qstep.*",), tags=("ci",)),
    Mutant("lrt.null_without_qstep", "lrtcheck.lrt.sampler:LRTSampler.null_statistics",
           "H0 drawn from the plain background sampler (Q-step off) while the deployed sampler runs with it: "
           "calibrated on a different configuration than the deployed one",
           wrapper(inputs=lambda sampler, *args, **kwargs: ((sampler.replace(q_step=None), *args), kwargs),
                   output=_record_deployed_hash),
           ("lrt.qstep.*",), tags=("ci",)),
]
