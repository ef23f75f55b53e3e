"""``lrt.gate``: the gate reads past evidence only, and an opened gate with beta_max > 1/2 feeds itself.

Claims.  The gate interpolates mu_u + beta (mu_c - mu_u) with beta a hard or logistic function of the evidence
accumulated so far (arXiv 2510.24983 §3.2; the past-evidence rule is reconstructed, docs/reconstructions.md §3.4).
With single-Gaussian heads and a finite threshold the final Lambda then follows the law of the Markov chain
Lambda_t = Lambda_{t+1} + ell_t, ell_t ~ N((beta(Lambda_{t+1}) - 1/2) d_t^2, d_t^2) (docs/methods/lrt_diffusion.md
§5, §9).  Given the past, E[ell_t] = (beta_t - 1/2) d_t^2, so with beta_max > 1/2 an opened gate pushes Lambda up
(docs/methods/lrt_diffusion.md §5, measured).

World.  :func:`lrtcheck.worlds.lrt.gated_lambda_law`: the chain's law on a grid by exact Gaussian cell transitions,
its midpoint error measured on the gate-free chain against N(-D^2/2, D^2); vp(T=5), posterior variance.

Checks.  ``past_evidence``: KS of the hard- and soft-gated samples against the grid law (its sup error added to the
critical value), at half the share each; defects: the hard gate reading the current step's evidence, the soft gate's
temperature inverted (their grid laws).  ``gate_feedback``: measured against the exact (beta_max - 1/2) d_t^2.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, figure, finite
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import LRTSampler
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats.decisions import bonferroni, exact_decision, ks_decision, split_share
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, gated_lambda_law, gaussian_heads_world,
                                 grid_cdf, lrt_sampler_factory)

GATE_CLAIM = Claim(
    id="lrt.gate.past_evidence",
    source=f"{PAPER}, §3.2 (the gated interpolation); docs/methods/lrt_diffusion.md §3 steps 2-5 (the gate reads past "
    "evidence only), §9 (the gated chain)",
    statement="With single-Gaussian heads and a finite threshold, the final Lambda of the hard-gated and of the "
    "soft-gated sampler follows the law of the Markov chain Lambda_t = Lambda_{t+1} + ell_t, ell_t ~ "
    "N((beta(Lambda_{t+1}) - 1/2) d_t^2, d_t^2), beta(.) the gate applied to the evidence of the steps already taken.",
    assumptions=("equal head variances", "vp(T=5) schedule, posterior variance", "beta_max = 1",
                 "law evaluated on a grid (exact Gaussian cell transitions, midpoint error measured)"),
)

FEED_CLAIM = Claim(
    id="lrt.gate_feedback",
    source="docs/methods/lrt_diffusion.md §5: E[ell_t | a_t] = (beta_t - 1/2) ||Delta_t||^2 / sigma_t^2",
    statement="With beta_max > 1/2 an opened gate feeds itself (E[ell_t] > 0 after opening); measured against the "
    "exact (beta_max - 1/2) d_t^2 for Gaussian heads.",
    expectation="measured",
)


@check(GATE_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=10000, kappa=0.5, tau_sd=-0.5), full=dict(n=40000, kappa=0.5, tau_sd=-0.5))
def check_gate_past_evidence(ctx):
    """KS of the hard- and soft-gated final Lambda against the grid law, at half the share each."""
    p = ctx.params
    n, kappa = p["n"], p["kappa"]
    sch = Schedule.vp(5)
    law = GaussianLRTLaw(sch, "posterior", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    d2 = law.d2_steps[::-1]
    h = 0.02
    tau = (math.floor(p["tau_sd"] * law.D / h - 0.5) + 0.5) * h  # on a cell edge of the grid
    # quadrature accuracy: the gate-free chain must reproduce N(-D^2/2, D^2)
    e0, c0 = gated_lambda_law(d2, math.inf, 1.0, "hard", kappa, h=h)
    quad_err = float(np.max(np.abs(c0 - law.law("H0").cdf(e0))))
    if quad_err > 1e-4:
        raise RuntimeError(f"grid law inaccurate: {quad_err:.2e} on the gate-free chain")
    level = split_share(ctx.false_fail_rate, 2)
    # the grid CDF is within quad_err of the exact law: ks_decision rejects at the KS critical value + quad_err and
    # counts a defect whose grid law is disc away as at least disc - 2 quad_err from the true law
    out, parts, discs = {}, [], []
    for gate in ("hard", "soft"):
        edges, cdf = gated_lambda_law(d2, tau, 1.0, gate, kappa, h=h)
        if gate == "hard":  # defect: the gate reads the current step's evidence as well
            _, cdf_def = gated_lambda_law(d2, tau, 1.0, gate, kappa, h=h, lookahead=True)
        else:  # defect: the soft gate's temperature inverted, sigmoid((S - tau) kappa)
            _, cdf_def = gated_lambda_law(d2, tau, 1.0, gate, 1.0 / kappa, h=h)
        disc = float(np.max(np.abs(cdf - cdf_def)))
        smp = ctx.subject(GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD), GaussianMixtureHead(GOOD_MEAN, HEAD_STD),
                          sch, variance="posterior", gate=gate, beta_max=1.0, kappa=kappa, tau=tau)
        lam = np.asarray(smp.sample(n=n, seed=ctx.seed(gate)).final)
        ks = ks_decision(lam, grid_cdf(edges, cdf), level, defect_discrepancy=disc, cdf_error=quad_err,
                         target_defect="hard gate reading the current step's evidence / soft-gate temperature "
                         "inverted", name=f"{gate}-gated Lambda ~ past-evidence Markov law")
        parts.append(ks)
        discs.append(disc)
        out[gate] = {"ks": ks.statistic, "p": ks.p_value,
                     "p_grid_plain": float(st.kstest(lam, grid_cdf(edges, cdf), method="exact").pvalue),
                     "critical_value": ks.bound, "defect_discrepancy": disc,
                     "mean": float(lam.mean()), "activation": float(np.mean(lam > tau)),
                     "activation_exact": float(1.0 - np.interp(tau, edges, cdf))}
    return Evidence.from_decision(
        bonferroni(parts, ctx.false_fail_rate), n=2 * n, estimate=out["hard"]["activation"],
        bound=out["hard"]["activation_exact"], design_n=n, defect_size=min(discs),
        details={"tau": tau, "D2": law.D2, "kappa": kappa, "quadrature_error": quad_err, **out},
    )


@check(FEED_CLAIM, quick=dict(n=20000, T=100), full=dict(n=200000, T=100))
def check_gate_feedback(ctx):
    """Measured: the mean increment after the gate opens, for beta_max in {1/4, 1/2, 3/4, 1}, against its exact
    value."""
    p = ctx.params
    sch = Schedule.linear(p["T"])
    rows = {}
    for bmax in (0.25, 0.5, 0.75, 1.0):
        smp, law = gaussian_heads_world(LRTSampler, sch, "posterior", beta_max=bmax)
        tau = law.tau(0.5)
        res = smp.replace(tau=tau).sample(n=p["n"], seed=ctx.seed(f"b{bmax}"), return_trace=True)
        opened = res.beta > 0
        d2 = law.d2_steps[::-1][:, None] * np.ones_like(res.ell)
        mean_ell = float(res.ell[opened].mean()) if opened.any() else math.nan
        exact = float(((bmax - 0.5) * d2)[opened].mean()) if opened.any() else math.nan
        rows[str(bmax)] = {"mean_ell_after_opening": mean_ell, "exact": exact,
                           "open_fraction_final_step": float(opened[-1].mean())}
    measured = exact_decision(True, estimate=rows["1.0"]["mean_ell_after_opening"], bound=rows["1.0"]["exact"],
                              n=p["n"], name="measured")
    return Evidence.from_decision(measured, details=rows)


@figure(check_gate_past_evidence)
def gate_activation_bars(ev) -> list[Spec]:
    gates = [g for g in ("hard", "soft") if isinstance(ev.details.get(g), dict)]
    if not gates:
        raise Skip("no gates")
    return [{"kind": "bars", "title": "Finite-threshold gate: activation rate vs exact Markov law",
             "labels": [f"{g} gate" for g in gates],
             "values": {"Monte Carlo": [ev.details[g]["activation"] for g in gates],
                        "exact (grid law)": [ev.details[g]["activation_exact"] for g in gates]},
             "ylabel": "P(Λ > τ)",
             "caption": "The gate reads only past evidence: the sampler's activation rate equals the exact law of the "
                        "gated Markov chain."}]


@figure(check_gate_feedback)
def gate_feedback_bars(ev) -> list[Spec]:
    keys = [k for k in ev.details if finite(k)]
    if not keys:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Gate feedback: mean evidence after the gate opens",
             "labels": [f"β_max = {k}" for k in keys],
             "values": {"measured E[ℓ_t | open]": [ev.details[k]["mean_ell_after_opening"] for k in keys],
                        "exact (β_max - ½) d_t²": [ev.details[k]["exact"] for k in keys]},
             "hlines": [{"y": 0.0, "label": None, "color": "k", "ls": "-"}], "ylabel": "mean ℓ_t after opening",
             "caption": "With β_max > ½ an opened gate feeds itself (positive evidence); the measured means follow the "
                        "exact (β_max − ½) d_t²."}]


# --- mutants of the gate ------------------------------------------------------------------------------------------
_RUN_CHUNK = "lrtcheck.lrt.sampler:LRTSampler._run_chunk"

MUTANTS = [
    Mutant("lrt.gate_current_evidence", _RUN_CHUNK,
           "the step scored before it is gated: the gate reads Lambda plus the current step's evidence (of the "
           "background proposal drawn with this step's noise), peeking at the noise it is about to use",
           source_edit(("past = lam if self.statistic == \"final\" else rmax",
                        "past = lam if self.statistic == \"final\" else rmax\n"
                        "s2_ = float(self._sigma2[i])\n"
                        "if s2_ > 0.0:\n"
                        "    z_ = counter_normal(keys, t, d, dtype=dt).T.to(torch.float64)\n"
                        "    d_ = delta.to(torch.float64)\n"
                        "    lam_ = lam + ((math.sqrt(s2_) * z_ * d_).sum(0) - 0.5 * (d_ * d_).sum(0)) / s2_\n"
                        "    past = lam_ if self.statistic == \"final\" else torch.maximum(rmax, lam_)")),
           ("lrt.gate.*", "lrt.null.exact_gaussian*", "lrt.ump"), tags=("ci",), declares=("lrt.gate.past_evidence",)),
    Mutant("lrt.soft_gate_kappa_inverted", _RUN_CHUNK,
           "the soft gate's temperature multiplied instead of divided: sigmoid((S - tau) kappa)",
           source_edit(("- self.tau) / self.kappa)", "- self.tau) * self.kappa)")),
           ("lrt.gate.*",), tags=("ci",), declares=("lrt.gate.past_evidence",)),
]
