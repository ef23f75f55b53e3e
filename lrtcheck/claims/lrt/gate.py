"""``lrt.gate``: the gate reads past evidence only, and an opened gate with beta_max > 1/2 feeds itself.

Claims.  The gate interpolates mu_u + beta (mu_c - mu_u) with beta a hard or logistic function of the evidence
accumulated so far (arXiv 2510.24983 §3.2; the past-evidence rule is reconstructed, docs/reconstructions.md §3.4).
With single-Gaussian heads and a finite threshold the final Lambda then follows the law of the Markov chain
Lambda_t = Lambda_{t+1} + ell_t, ell_t ~ N((beta(Lambda_{t+1}) - 1/2) d_t^2, d_t^2) (docs/methods/lrt_diffusion.md
§5, §9).  Given the past, E[ell_t] = (beta_t - 1/2) d_t^2, so with beta_max > 1/2 an opened gate pushes Lambda up
(docs/methods/lrt_diffusion.md §5, measured).

World.  :func:`lrtcheck.worlds.lrt.gated_lambda_law`: the chain's law on a grid by exact Gaussian cell transitions,
its midpoint error measured on the gate-free chain against N(-D^2/2, D^2); vp(T=5), posterior variance.

Checks.  ``past_evidence``: per drawn configuration (beta_max in [0.25, 1], kappa in [0.2, 0.5], tau), KS of the
hard- and soft-gated samples against the grid law (its sup error added to the critical value), at half the
configuration's share each, n sized for the required power against each defect; defects: the hard gate reading the
current step's evidence, the soft gate's temperature inverted (their grid laws).  ``gate_feedback``: exact KS of the residuals of each increment against its
conditional law N((beta_t - 1/2) d_t^2, d_t^2), beta_t recomputed from the past; defect: the pull halved.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import ParameterSpace, Real
from lrtcheck.certify.figures import Skip, Spec, figure, finite
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import LRTSampler
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.stats import ks_sample_size
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
    assumptions=("equal head variances", "vp(T=5) schedule, posterior variance",
                 "beta_max drawn in [0.25, 1], kappa in [0.2, 0.5], tau in [-1, 0.3] H0 standard deviations",
                 "law evaluated on a grid (exact Gaussian cell transitions, midpoint error measured)"),
)

FEED_CLAIM = Claim(
    id="lrt.gate_feedback",
    source=f"{PAPER}, §3.2 (the gated interpolation); docs/methods/lrt_diffusion.md §5: E[ell_t | a_t] = "
    "(beta_t - 1/2) ||Delta_t||^2 / sigma_t^2",
    statement="Given the past, each increment is ell_t ~ N((beta_t - 1/2) d_t^2, d_t^2) with beta_t the gate applied "
    "to the past evidence, so with beta_max > 1/2 an opened gate feeds itself (E[ell_t] > 0 after opening): the "
    "residuals (ell_t - (beta_t - 1/2) d_t^2) / d_t, beta_t recomputed from the past increments, are i.i.d. N(0, 1).",
    assumptions=("equal head variances", "linear(T=100), posterior variance", "hard gate at the H0 median",
                 "beta_max in {1/4, 1/2, 3/4, 1}"),
)


#: the gate settings drawn per configuration: beta_max in (0, 1] (away from 0, where the gate is inert and no defect
#: of it can show), the soft gate's temperature kappa kept away from 1 (where its inversion is a no-op) and the
#: threshold in standard deviations of the H0 law
GATE_SPACE = ParameterSpace("gate", beta_max=Real(0.25, 1.0), kappa=Real(0.2, 0.5, log=True),
                            tau_sd=Real(-1.0, 0.3))


def _gate_configuration(ctx, cfg, law, d2, quad_err, h, n_min, n_max):
    """Hard and soft gate at one drawn (beta_max, kappa, tau): KS of each against its grid law at half the
    configuration's share, n sized so that each reaches the required power against its own defect."""
    bmax, kappa = float(cfg["beta_max"]), float(cfg["kappa"])
    tau = (math.floor(float(cfg["tau_sd"]) * law.D / h - 0.5) + 0.5) * h  # on a cell edge of the grid
    level = split_share(cfg.share, 2)
    sch = Schedule.vp(5)
    parts, discs, out = [], [], {}
    for gate in ("hard", "soft"):
        edges, cdf = gated_lambda_law(d2, tau, bmax, gate, kappa, h=h)
        if gate == "hard":  # defect: the gate reads the current step's evidence as well
            _, cdf_def = gated_lambda_law(d2, tau, bmax, gate, kappa, h=h, lookahead=True)
        else:  # defect: the soft gate's temperature inverted, sigmoid((S - tau) kappa)
            _, cdf_def = gated_lambda_law(d2, tau, bmax, gate, 1.0 / kappa, h=h)
        disc = float(np.max(np.abs(cdf - cdf_def)))
        n = int(min(n_max, max(n_min, ks_sample_size(max(disc - 2 * quad_err, 1e-6), level, ctx.required_power))))
        smp = ctx.subject(GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD), GaussianMixtureHead(GOOD_MEAN, HEAD_STD),
                          sch, variance="posterior", gate=gate, beta_max=bmax, kappa=kappa, tau=tau)
        lam = np.asarray(smp.sample(n=n, seed=cfg.seed(gate)).final)
        ks = ks_decision(lam, grid_cdf(edges, cdf), level, defect_discrepancy=disc, cdf_error=quad_err,
                         target_defect="hard gate reading the current step's evidence / soft-gate temperature "
                         "inverted", name=f"{gate}-gated Lambda ~ past-evidence Markov law")
        parts.append(ks)
        discs.append(disc)
        out[gate] = {"n": n, "ks": ks.statistic, "p": ks.p_value, "critical_value": ks.bound,
                     "defect_discrepancy": disc, "power": ks.power, "mean": float(lam.mean()),
                     "activation": float(np.mean(lam > tau)),
                     "activation_exact": float(1.0 - np.interp(tau, edges, cdf))}
    row = {"beta_max": bmax, "kappa": kappa, "tau": tau, **out}
    return bonferroni(parts, cfg.share), row, min(discs)


@check(GATE_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(configurations=3, n_min=10000, n_max=100000), full=dict(configurations=8, n_min=40000,
                                                                            n_max=400000))
def check_gate_past_evidence(ctx):
    """Per drawn (beta_max, kappa, tau): KS of the hard- and soft-gated final Lambda against the grid law, at half
    the configuration's share each (n sized for the required power against each defect)."""
    p = ctx.params
    sch = Schedule.vp(5)
    law = GaussianLRTLaw(sch, "posterior", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    d2 = law.d2_steps[::-1]
    h = 0.02
    # quadrature accuracy: the gate-free chain must reproduce N(-D^2/2, D^2)
    e0, c0 = gated_lambda_law(d2, math.inf, 1.0, "hard", 1.0, h=h)
    quad_err = float(np.max(np.abs(c0 - law.law("H0").cdf(e0))))
    if quad_err > 1e-4:
        raise RuntimeError(f"grid law inaccurate: {quad_err:.2e} on the gate-free chain")
    # the grid CDF is within quad_err of the exact law: ks_decision rejects at the KS critical value + quad_err and
    # counts a defect whose grid law is disc away as at least disc - 2 quad_err from the true law
    configs = ctx.configurations(GATE_SPACE)
    parts, rows, discs = [], [], []
    for cfg in configs:
        part, row, disc = _gate_configuration(ctx, cfg, law, d2, quad_err, h, p["n_min"], p["n_max"])
        parts.append(part)
        rows.append(row)
        discs.append(disc)
    first = rows[0]
    return Evidence.from_decision(
        configs.join(parts, same_defect=True), n=sum(r["hard"]["n"] + r["soft"]["n"] for r in rows),
        estimate=first["hard"]["activation"], bound=first["hard"]["activation_exact"], defect_size=min(discs),
        details={"D2": law.D2, "quadrature_error": quad_err, "per_configuration": rows,
                 "hard": first["hard"], "soft": first["soft"]},
    )


@check(FEED_CLAIM, quick=dict(n=6000, T=100), full=dict(n=60000, T=100))
def check_gate_feedback(ctx):
    """Per beta_max in {1/4, 1/2, 3/4, 1} (a quarter of the share each): exact KS of the residuals
    r_t = (ell_t - (beta_t - 1/2) d_t^2) / d_t against N(0, 1), beta_t recomputed from the cumulated past increments
    (never read from the sampler's trace).  Given the past, r_t ~ N(0, 1) whatever happened before, so the residuals
    of a chain are i.i.d. N(0, 1) and the pooled sample is too.  Defect (declared, runnable): an opened gate pulling
    with beta / 2; under it the opened residuals are N(-beta d_t / 2, 1), a KS discrepancy of at least
    mean_j 1[open_j] (Phi(beta_max d_j / 2) - 1/2) (the CDFs at 0), computed from the opened steps of the run."""
    p = ctx.params
    sch = Schedule.linear(p["T"])
    level = split_share(ctx.false_fail_rate, 4)
    rows, parts = {}, []
    for bmax in (0.25, 0.5, 0.75, 1.0):
        smp, law = gaussian_heads_world(LRTSampler, sch, "posterior", beta_max=bmax)
        tau = law.tau(0.5)
        res = smp.replace(tau=tau).sample(n=p["n"], seed=ctx.seed(f"b{bmax}"), return_trace=True)
        d2 = law.d2_steps[::-1]
        ev = d2 > 0
        ell = res.ell[ev]  # (steps, n) in sampling order, evidence steps only
        past = np.vstack([np.zeros((1, ell.shape[1])), np.cumsum(ell, axis=0)[:-1]])  # Lambda before each step
        beta = bmax * (past > tau)
        dd = np.sqrt(d2[ev])[:, None]
        r = (ell - (beta - 0.5) * dd**2) / dd
        opened = beta > 0
        disc = float(np.sum(opened * (st.norm.cdf(bmax * dd / 2) - 0.5)) / r.size)
        ks = ks_decision(r.ravel(), st.norm.cdf, level, defect_discrepancy=disc,
                         target_defect="opened gate pulling with beta/2", name=f"residuals ~ N(0, 1), beta_max={bmax}")
        parts.append(ks)
        exact = float(((bmax - 0.5) * np.broadcast_to(dd**2, ell.shape))[opened].mean()) if opened.any() else 0.0
        rows[str(bmax)] = {"mean_ell_after_opening": float(ell[opened].mean()) if opened.any() else math.nan,
                           "exact": exact, "open_fraction_final_step": float(opened[-1].mean()),
                           "ks_p": ks.p_value, "defect_discrepancy": disc, "power": ks.power}
    # the declared defect halves the pull at every beta_max: any part rejecting rejects (same_defect)
    decision = bonferroni(parts, ctx.false_fail_rate, report="smallest_p", same_defect=True)
    return Evidence.from_decision(decision, details=rows)


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
    Mutant("lrt.gate_pull_halved", _RUN_CHUNK,
           "the opened gate interpolates with beta / 2 (the midpoint convention of another codebase): m = mu_u + "
           "(beta / 2) Delta",
           source_edit(("m = mu_u if bt is None else mu_u + bt.to(dt).unsqueeze(0) * delta",
                        "m = mu_u if bt is None else mu_u + (0.5 * bt).to(dt).unsqueeze(0) * delta")),
           ("lrt.gate_feedback",), tags=("ci",), declares=("lrt.gate_feedback",)),
]
