"""``lrt.noise.independent_steps``: the reverse steps draw fresh, independent noise, tested jointly as a law.

Claim.  Each reverse step draws a_{t-1} = m + sigma_t z_t with z_t ~ N(0, I) independent of everything before
(DDPM, arXiv 2006.11239, Algorithm 2; the sampler of arXiv 2510.24983 §3.2).  On equal-variance single-Gaussian
heads Delta_t does not depend on the action, so under H0 the standardized increments
u_t = (ell_t + d_t^2 / 2) / d_t = <z_t, Delta_t> / (sigma_t d_t) are i.i.d. N(0, 1) across steps and samples
(docs/methods/lrt_diffusion.md §9).  The laws of one step (the marginal of u_t) and of the noise across steps are
tested together: for disjoint pairs of consecutive evidence steps (t, t-1) the rotations (u_t + u_{t-1}) / sqrt 2
and (u_t - u_{t-1}) / sqrt 2 are again i.i.d. N(0, 1) exactly when the pair is an independent standard normal pair;
with correlation rho their variances are 1 +- rho.

World.  Single-Gaussian heads (:func:`lrtcheck.worlds.lrt.gaussian_heads_world`), drawn per configuration: the
schedule length T, the variance kind and the working dtype.

Check.  Per configuration one exact KS test of the pooled rotations against N(0, 1) (all i.i.d. under the claim).
Target defect (declared, runnable): a stale noise buffer refreshed every other step, so that step t-1 reuses step
t's noise (rho = 1 within each pair: half the rotations are exactly 0, half N(0, 2); KS discrepancy at least 1/2 -
computed exactly below).  Another mutant draws the noise once and reuses it at every step.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Choice, Integer, ParameterSpace
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.stats import ks_sample_size
from lrtcheck.stats.decisions import ks_decision
from lrtcheck.lrt import LRTSampler
from lrtcheck.worlds.lrt import gaussian_heads_world, standardized_increments

NOISE_CLAIM = Claim(
    id="lrt.noise.independent_steps",
    source="DDPM (Ho et al. 2020, arXiv 2006.11239), Algorithm 2 (fresh z at every step); "
    f"{PAPER}, §3.2; docs/methods/lrt_diffusion.md §9",
    statement="Under H0 on equal-variance single-Gaussian heads the standardized per-step increments of Lambda are "
    "i.i.d. N(0, 1) across the reverse steps: jointly, the rotations (u_t +- u_{t-1})/sqrt 2 of disjoint pairs of "
    "consecutive steps are i.i.d. N(0, 1).",
    assumptions=("equal head variances", "H0 sampler (beta = 0), no Q-step"),
)

NOISE_SPACE = ParameterSpace("noise", T=Integer(4, 16), variance=Choice("beta", "posterior"),
                             dtype=Choice("float64", "float32"))


def _defect_discrepancy(grid_n: int = 20001) -> float:
    """sup |Phi(x) - (1[x >= 0] + Phi(x / sqrt 2)) / 2|: the law of the pooled rotations when each pair shares one
    noise draw (u_t = u_{t-1}: the difference is 0, the sum N(0, 2))."""
    x = np.linspace(-6.0, 6.0, grid_n)
    mix_left = 0.5 * st.norm.cdf(x / math.sqrt(2.0)) + 0.5 * (x > 0)
    mix_right = 0.5 * st.norm.cdf(x / math.sqrt(2.0)) + 0.5 * (x >= 0)
    ref = st.norm.cdf(x)
    return float(max(np.max(np.abs(ref - mix_left)), np.max(np.abs(ref - mix_right))))


def _rotations(u: np.ndarray) -> np.ndarray:
    """Pooled (u_t +- u_{t-1}) / sqrt 2 over disjoint consecutive pairs of rows (steps) of u."""
    k = (u.shape[0] // 2) * 2
    a, b = u[0:k:2], u[1:k:2]
    return np.concatenate([(a + b).ravel(), (a - b).ravel()]) / math.sqrt(2.0)


@check(NOISE_CLAIM,
       quick=dict(configurations=2, n=2000), full=dict(configurations=8, n=20000))
def check_noise_independent_steps(ctx):
    """Per drawn (T, variance, dtype): exact KS of the pooled rotations of consecutive standardized increments
    against N(0, 1); defect: a stale noise buffer (step t-1 reuses step t's noise)."""
    import torch

    configs = ctx.configurations(NOISE_SPACE)
    disc = _defect_discrepancy()
    parts, rows = [], []
    for cfg in configs:
        T, var = int(cfg["T"]), str(cfg["variance"])
        sch = Schedule.linear(T, 1e-4, 0.2)
        dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
        smp, law = gaussian_heads_world(LRTSampler, sch, var, dtype=dtype)
        d2 = law.d2_steps[::-1]
        pairs = int(np.sum(d2 > 0)) // 2
        # each sample gives 2 * pairs rotations; size the sample for the required power at the configuration's share
        need = ks_sample_size(disc, cfg.share, ctx.required_power)
        n = max(ctx.params["n"], math.ceil(need / (2 * pairs)))
        res = smp.sample(n=n, seed=cfg.seed("sample"), null=True, return_trace=True)
        rot = _rotations(standardized_increments(res.ell, d2))
        ks = ks_decision(rot, st.norm.cdf, cfg.share, defect_discrepancy=disc,
                         target_defect="noise reused by the next step (stale buffer)",
                         name="rotations of consecutive increments ~ N(0, 1)")
        parts.append(ks)
        rows.append({"T": T, "variance": var, "dtype": cfg["dtype"], "n": n, "rotations": int(rot.size),
                     "p": ks.p_value, "power": ks.power, "sample_var": float(np.var(rot))})
    return Evidence.from_decision(configs.join(parts), n=sum(r["rotations"] for r in rows), defect_size=disc,
                                  details={"per_configuration": rows})


_RUN_CHUNK = "lrtcheck.lrt.sampler:LRTSampler._run_chunk"
_NOISE = "a_next = m + math.sqrt(s2) * counter_normal(keys, t, d, dtype=dt).T"

MUTANTS = [
    Mutant("lrt.noise_stale_buffer", _RUN_CHUNK,
           "the noise buffer refreshed only every other step: step t-1 reuses the noise step t drew",
           source_edit((_NOISE, "a_next = m + math.sqrt(s2) * counter_normal(keys, t + (T - t) % 2, d, dtype=dt).T")),
           ("lrt.noise.*",), tags=("ci",), declares=("lrt.noise.independent_steps",)),
    Mutant("lrt.noise_hoisted", _RUN_CHUNK,
           "the step noise drawn once before the loop (noise = randn_like(x) hoisted) and reused at every step",
           source_edit((_NOISE, "a_next = m + math.sqrt(s2) * counter_normal(keys, 1, d, dtype=dt).T")),
           ("lrt.noise.*",), tags=("ci",)),
]
