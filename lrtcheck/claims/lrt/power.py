"""``lrt.ump``: the hard LRT at the exact level-alpha threshold has the Neyman-Pearson power.

Claim.  The hard gate is the level-alpha uniformly most powerful test of the evidence-carrying steps (arXiv
2510.24983, Prop. 5.1).  On single-Gaussian heads its power at the exact threshold
tau_alpha = -D^2/2 + D Phi^-1(1 - alpha) is 1 - Phi(Phi^-1(1 - alpha) - D), above that of the best same-level test
on the final action alone (separation D_a) (docs/methods/lrt_diffusion.md §9).

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` on linear(100) with the posterior variance.

Check.  The number of H1 draws above tau_alpha against Bin(m, power) (exact two-sided region at the whole share),
with the exact comparison power > final-action power; defect: the LRT's power 0.05 below the optimum.  The caveat
of a deterministic last step (vp(T=5), where the final action separates better) is recorded, not asserted.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, finite, fmt, number
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision
from lrtcheck.worlds.lrt import BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, gaussian_heads_world, lrt_sampler_factory

UMP_CLAIM = Claim(
    id="lrt.ump",
    source=f"{PAPER}, Prop. 5.1 (UMP of the hard LRT); docs/methods/lrt_diffusion.md §9 (Neyman-Pearson power)",
    statement="The hard LRT at the exact level-alpha threshold has power 1 - Phi(Phi^-1(1-alpha) - D) and beats the "
    "best same-level test on the final action alone.",
    assumptions=("single-Gaussian heads, equal variances", "H1 = sampling with the good head"),
)


@check(UMP_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(m=6000, alpha=0.1, T=100), full=dict(m=10000, alpha=0.1, T=100))
def check_ump(ctx):
    """Exact two-sided count of H1 exceedances of tau_alpha against Bin(m, power), and power > final-action power."""
    p = ctx.params
    m, alpha = p["m"], p["alpha"]
    sampler, law = gaussian_heads_world(ctx.subject, Schedule.linear(p["T"]), "posterior")
    tau = law.tau(alpha)
    h1 = np.asarray(sampler.replace(tau=-math.inf, beta_max=1.0).sample(n=m, seed=ctx.seed("h1")).final)
    hits = int(np.sum(h1 > tau))
    pw = law.power(alpha)
    Da = law.final_action_distance()
    pw_final = float(st.norm.sf(st.norm.ppf(1 - alpha) - Da))
    # the paper's optimality is for the evidence-carrying kernels: with a deterministic last step (posterior variance,
    # sigma_1 = 0) the final action carries Delta_1, which Lambda omits; record the counterexample on vp(T=5)
    vp = GaussianLRTLaw(Schedule.vp(5), "posterior", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    counter = {"vp5_D": vp.D, "vp5_final_action_D": vp.final_action_distance()}
    count = binomial_count_decision(hits, m, pw, ctx.false_fail_rate, defect_rate=pw - 0.05,
                                    target_defect="LRT power 0.05 below the Neyman-Pearson optimum",
                                    name="H1 draws above the exact threshold")
    beats = exact_decision(pw > pw_final, estimate=pw, bound=pw_final, name="LRT power > final-action power",
                           message=f"final-action power {pw_final:.4f} >= {pw:.4f}")
    return Evidence.from_decision(
        bonferroni([count, beats], ctx.false_fail_rate), defect_size=0.05,
        details={"D": law.D, "power_exact": pw, "final_action_D": Da, "final_action_power": pw_final,
                 "tau_exact": tau, **counter},
    )


@figure(check_ump)
def power_curves(ev) -> list[Spec]:
    """The exact power curves of the LRT and of the final-action test over alpha, with the Monte Carlo power."""
    D, Da = number(detail(ev, "D")), number(detail(ev, "final_action_D"))
    pw = number(detail(ev, "power_exact"))
    alpha = float(st.norm.sf(D - st.norm.ppf(pw)))  # power = 1 - Phi(z_{1-alpha} - D)
    a = np.logspace(-3, np.log10(0.5), 60)
    spec = {"kind": "lines", "title": "Power vs α: LRT (Prop. 5.1) vs the best test on the final action",
            "x": a.tolist(), "logx": True,
            "series": {f"LRT on Λ: 1-Φ(z₁₋α - D), D={fmt(D)}": st.norm.sf(st.norm.ppf(1 - a) - D).tolist(),
                       f"final action only, D={fmt(Da)}": st.norm.sf(st.norm.ppf(1 - a) - Da).tolist()},
            "reference": {"α (trivial test)": a.tolist()},
            "xlabel": "level α", "ylabel": "power under H1",
            "caption": "The LRT's exact power curve lies above the final-action test's at every level; the Monte Carlo "
                       "power (diamond, exact Clopper-Pearson interval) sits on the LRT curve."}
    if finite(ev.estimate):
        spec["markers"] = [{"label": "Monte Carlo power", "x": [alpha], "y": [float(ev.estimate)],
                            "lower": [float(ev.lower)], "upper": [float(ev.upper)]}]
    return [spec]


# --------------------------------------------------------------------------------------------------------------
from lrtcheck.certify.mutation import Mutant, source_edit  # noqa: E402  (the mutants' own import, kept with them)

MUTANTS = [
    Mutant("lrt.gate_interpolation_halved", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the gated mean written mu_u + beta (mu_c - mu_u) / 2 (averaged with the background instead of moved to "
           "the good head): under H1 Lambda ~ N(0, D^2), the LRT's power 1 - Phi(z - D/2) far below the optimum",
           source_edit(("m = mu_u if bt is None else mu_u + bt.to(dt).unsqueeze(0) * delta",
                        "m = mu_u if bt is None else mu_u + bt.to(dt).unsqueeze(0) * (0.5 * delta)")),
           ("lrt.ump", "lrt.null.*", "lrt.gate.*"), declares=("lrt.ump",)),
]
