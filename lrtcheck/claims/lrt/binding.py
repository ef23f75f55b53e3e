"""``lrt.calibration.config_binding`` and ``lrt.variance_mismatch``: a threshold belongs to one sampler configuration.

Claims.  The paper calibrates "per task and per sampler" and reports a deliberate variance-mismatch stress test that
breaks the Type-I rate (arXiv 2510.24983; docs/paper_errors.md §2.3).  This project binds a calibration to a hash of
everything the H0 law depends on (docs/methods/lrt_diffusion.md §7; docs/reconstructions.md §3.10): the same
configuration accepts it, any other refuses it.  ``lrt.variance_mismatch`` (expected to fail) reproduces what the
binding protects against: calibrated with the posterior variance and deployed with beta_t, the realized Type-I
exceeds alpha.

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` (exact realized levels) with a
:class:`lrtcheck.worlds.lrt.LinearCritic` Q-step for the binding.

Checks.  ``config_binding``: exact, every changed configuration must refuse the record, the same one (and another
batch size) accept it.  ``variance_mismatch``: the exact realized level of the stale threshold against alpha; the
reproduction probability P(tau_hat < tau*) is exact (Beta law of the order statistic).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, finding, fmt, number
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import LRTSampler, QStep, calibrate_threshold
from lrtcheck.stats.decisions import counterexample_decision, exact_decision
from lrtcheck.worlds.lrt import (GOOD_MEAN, HEAD_STD, LinearCritic, gaussian_heads_world, good_direction_gradient,
                                 lrt_sampler_factory)

BIND_CLAIM = Claim(
    id="lrt.calibration.config_binding",
    source=f"{PAPER} (calibrate per task and per sampler); docs/methods/lrt_diffusion.md §7 (a calibration record "
    "binds tau to a hash of the sampler configuration)",
    statement="A calibration drawn from a sampler's null statistics is accepted by that configuration (also with a "
    "different batch size) and refused (ValueError) by every configuration whose H0 law differs: variance, schedule, "
    "heads, Q-step on/off, Q-step eta, clip, anchor or critic, and the statistic.",
)

VAR_CLAIM = Claim(
    id="lrt.variance_mismatch",
    source=f"{PAPER} (variance-mismatch stress test); docs/paper_errors.md §2.3",
    statement="A threshold calibrated with one reverse variance (posterior) and deployed with the other (beta) keeps "
    "the Type-I rate alpha (violated: the null law changes; the config hash refuses the calibration record).",
    expectation="fails",
    limitation=True,
    assumptions=("single-Gaussian heads",),
)


@check(BIND_CLAIM, stochastic=False, quick=dict(n=64, T=10), full=dict(n=64, T=10))
def check_calibration_config_binding(ctx):
    """Exact: nine changed configurations refuse the record; the same one and another batch size accept it."""
    p = ctx.params
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    w = good_direction_gradient()
    q = QStep(LinearCritic(w), eta=0.5, clip=1.0, anchor=1.0)
    base, _ = gaussian_heads_world(LRTSampler, sch, "posterior", q_step=q)
    cal = calibrate_threshold(base.null_statistics(p["n"], seed=ctx.seed("null")), 0.1)
    changed = {
        "variance": base.replace(variance="beta"),
        "schedule": base.replace(schedule=Schedule.linear(p["T"], 1e-4, 0.1)),
        "heads": base.replace(good=GaussianMixtureHead(GOOD_MEAN * 2, HEAD_STD)),
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
    decision = exact_decision(not accepted_wrongly and not refused_wrongly,
                              estimate=len(accepted_wrongly) + len(refused_wrongly), bound=0.0, n=len(changed) + 2,
                              name="binding errors",
                              message=f"calibration accepted by {accepted_wrongly}, refused by {refused_wrongly}")
    return Evidence.from_decision(decision, details={"accepted_wrongly": accepted_wrongly,
                                                     "refused_wrongly": refused_wrongly,
                                                     "config_hash": cal.config_hash})


@check(VAR_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=2000, alpha=0.1, T=20), full=dict(n=2000, alpha=0.1, T=20))
def check_variance_mismatch(ctx):
    """Exact realized level of a posterior-variance threshold under the beta variance; exact reproduction
    probability."""
    p = ctx.params
    n, alpha = p["n"], p["alpha"]
    sch = Schedule.linear(p["T"], 1e-4, 0.2)
    post, law_p = gaussian_heads_world(ctx.subject, sch, "posterior")
    beta, law_b = gaussian_heads_world(ctx.subject, sch, "beta")
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
    keeps = exact_decision(realized <= alpha, estimate=realized, bound=alpha,
                           name="posterior-variance threshold keeps alpha under beta_t")
    decision = counterexample_decision(keeps, p_repro, ctx.false_fail_rate, n=n,
                                       target_defect="variance choice changes the H0 law (reproduction probability, "
                                       "exact)", defect_size=abs(law_p.D2 - law_b.D2))
    return Evidence.from_decision(
        decision, message=decision.message,
        details={"D2_posterior": law_p.D2, "D2_beta": law_b.D2, "tau": cal.tau, "config_hash_refused": refused},
    )


@figure(check_variance_mismatch)
def variance_mismatch_bars(ev) -> list[Spec]:
    alpha = number(ev.bound)
    return [{"kind": "bars", "title": "Calibrated with posterior variance, deployed with β_t (exact)",
             "labels": ["realized Type-I"], "values": [number(ev.estimate)], "target": alpha,
             "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "note": f"D² posterior {fmt(detail(ev, 'D2_posterior', default=math.nan))}, "
                     f"β {fmt(detail(ev, 'D2_beta', default=math.nan))}; config hash refused: "
                     f"{detail(ev, 'config_hash_refused', default='?')}",
             "caption": "Changing the reverse variance changes the H0 law of Λ, so the old threshold no longer gives "
                        "α."}]


@finding(check_variance_mismatch)
def variance_mismatch_finding(ev):
    return (f"calibrated with the posterior variance and deployed with β_t, the realized Type-I is {fmt(ev.estimate)} "
            f"instead of α = {fmt(ev.bound)}.")


# --- mutants of the configuration binding -----------------------------------------------------------------------
_CONFIG = "lrtcheck.lrt.sampler:LRTSampler.config"


def _without(key):
    """The configuration dict returned without ``key`` (the hash then ignores that setting)."""
    return lambda config, *args, **kwargs: {k: v for k, v in config.items() if k != key}


MUTANTS = [
    Mutant("lrt.config_ignores_variance", _CONFIG,
           "the configuration hash leaves out the variance choice, so a posterior-variance calibration is accepted "
           "by a beta-variance sampler",
           wrapper(output=_without("variance")), ("lrt.calibration.config_binding", "lrt.variance_mismatch"),
           tags=("ci",)),
    Mutant("lrt.config_ignores_qstep", _CONFIG,
           "the configuration hash leaves out the Q-step, so a calibration without it is deployed with it",
           wrapper(output=_without("q_step")), ("lrt.calibration.config_binding", "lrt.qstep.*"), tags=("ci",)),
    Mutant("lrt.qstep_fingerprint_critic_only", "lrtcheck.lrt.sampler:QStep.fingerprint",
           "the Q-step fingerprint records the critic only: a calibration survives a change of eta, clip or anchor",
           source_edit(('"eta": float(self.eta), "clip": None if self.clip is None else float(self.clip),', ""),
                       ('"anchor": float(self.anchor), ', "")),
           ("lrt.calibration.config_binding",), tags=("ci",)),
]
