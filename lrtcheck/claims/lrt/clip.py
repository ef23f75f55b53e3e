"""``lrt.clip.x0``: the sampler's optional x0 clipping is the DDPM posterior mean of the clipped x0 predictions.

Claim.  With ``clip_sample = c`` each head's x0 prediction x0_h = (a_t - sqrt(1 - ab_t) eps_h) / sqrt(ab_t) is
clipped to [-c, c] and the reverse mean is the DDPM posterior mean mu_h = beta_t sqrt(ab_{t-1}) / (1 - ab_t) x0_h +
(1 - ab_{t-1}) sqrt(alpha_t) / (1 - ab_t) a_t (DDPM, arXiv 2006.11239, eq. 7; diffusers' ``clip_sample``).
Unclipped, this mean equals the eps-form (a_t - beta_t / sqrt(1 - ab_t) eps_h) / sqrt(alpha_t) (docs/methods/
diffusion.md §4), so a clip that never binds changes nothing; with the posterior variance the last step is
noise-free with mu = x0_h (ab_0 = 1), so every final action lies in [-c, c].  A binding clip makes Delta depend on
the action: Lambda is no longer Gaussian on Gaussian heads (its realized level at the Gaussian threshold is
recorded), and the threshold must be calibrated on the clipped configuration (the clip is in its hash).

Check (exact).  (1) c = 10^6 reproduces the unclipped sampler to 1e-9 (actions and Lambda, same noise); (2) with
c in {0.2, 0.4} every final action lies in [-c, c] (up to 1e-12 relative rounding); (3) the configuration hash
changes with c.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.stats.decisions import bonferroni, exact_decision
from lrtcheck.lrt import LRTSampler
from lrtcheck.worlds.lrt import gaussian_heads_world

CLIP_CLAIM = Claim(
    id="lrt.clip.x0",
    source="DDPM (Ho et al. 2020, arXiv 2006.11239), eq. 7 (posterior mean from x0); diffusers clip_sample; "
    f"{PAPER}, §3.2 (the reverse kernels of both heads)",
    statement="x0 clipping takes the DDPM posterior mean of the clipped x0 predictions: a clip that never binds "
    "reproduces the unclipped sampler, and with the posterior variance every final action lies in [-c, c].",
    assumptions=("single-Gaussian heads", "linear(T=100) schedule, posterior variance"),
)


@check(CLIP_CLAIM, stochastic=False,
       quick=dict(n=2000), full=dict(n=20000))
def check_clip_x0(ctx):
    """Exact: the non-binding clip is the identity; binding clips bound the final actions; the hash sees the clip."""
    n = ctx.params["n"]
    sch = Schedule.linear(100)
    plain, law = gaussian_heads_world(LRTSampler, sch, "posterior", tau=0.0)
    seed = ctx.seed("sample")
    ref = plain.sample(n=n, seed=seed)
    loose = plain.replace(clip_sample=1e6).sample(n=n, seed=seed)
    err = max(float(np.max(np.abs(loose.actions - ref.actions) / (1 + np.abs(ref.actions)))),
              float(np.max(np.abs(loose.final - ref.final) / (1 + np.abs(ref.final)))))
    parts = [exact_decision(err <= 1e-9, estimate=err, bound=1e-9, n=n, name="non-binding clip = no clip",
                            message=f"clip_sample=1e6 differs from no clipping by {err:.3g}")]
    rows = {}
    for c in (0.2, 0.4):
        smp = plain.replace(clip_sample=c)
        res = smp.sample(n=n, seed=seed)
        worst = float(np.max(np.abs(res.actions)))
        null = np.asarray(smp.null_statistics(n, seed=ctx.seed(f"null{c}")))
        rows[str(c)] = {"max_abs_action": worst, "unclipped_max_abs_action": float(np.max(np.abs(ref.actions))),
                        "null_mean": float(null.mean()), "null_sd": float(null.std()),
                        "gaussian_null_mean": -law.D2 / 2, "gaussian_null_sd": law.D,
                        "level_at_gaussian_tau_0.1": float(np.mean(null > law.tau(0.1)))}
        parts.append(exact_decision(worst <= c * (1 + 1e-12), estimate=worst, bound=c, n=n,
                                    name=f"final actions in [-{c}, {c}]",
                                    message=f"a final action reaches {worst:.6g} > c = {c}"))
        parts.append(exact_decision(smp.config_hash() != plain.config_hash(), name=f"hash sees clip {c}",
                                    message="the configuration hash ignores clip_sample"))
    decision = bonferroni(parts, 0.0)
    return Evidence.from_decision(decision, estimate=err, bound=1e-9, n=n,
                                  details={"reference_error": err, "clips": rows})


MUTANTS = [
    Mutant("lrt.clip_posterior_coef", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the posterior mean's coefficient of a_t written with ab_t instead of ab_{t-1}",
           source_edit(("c1 = (1.0 - ab_p) * math.sqrt(alphas_np[i]) / (1.0 - ab_t)",
                        "c1 = (1.0 - ab_t) * math.sqrt(alphas_np[i]) / (1.0 - ab_t)")),
           ("lrt.clip.*",), tags=("ci",)),
    Mutant("lrt.clip_eps_not_x0", "lrtcheck.lrt.sampler:LRTSampler._run_chunk",
           "the noise prediction clipped instead of the x0 prediction",
           source_edit(("x0_u = torch.clamp((a - sq * eps_u) * isab, -c, c)",
                        "x0_u = (a - sq * torch.clamp(eps_u, -c, c)) * isab")),
           ("lrt.clip.*",), tags=("ci",)),
]
