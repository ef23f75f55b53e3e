"""``lrt.null`` and ``lrt.actions``: the exact laws of the statistic and of the final action on Gaussian heads.

Claims.  With single-Gaussian heads N(m_u, s^2 I) (background) and N(m_c, s^2 I) (good) the per-step log-likelihood
ratio of the two reverse kernels (arXiv 2510.24983 §3.2) sums to Lambda ~ N(-D^2/2, D^2) under H0 and N(+D^2/2, D^2)
under H1, D^2 = sum_{sigma_t > 0} beta_t^2 ab_t ||m_c - m_u||^2 / (alpha_t (ab_t s^2 + 1 - ab_t)^2 sigma_t^2)
(docs/methods/lrt_diffusion.md §4, §9).  The reverse chain is linear, so the final action is exactly Gaussian under
both hypotheses (docs/methods/diffusion.md §5; DDPM, arXiv 2006.11239, eq. 11).

World.  :func:`lrtcheck.worlds.lrt.gaussian_heads_world` (the sampler and its exact ``GaussianLRTLaw``) and
:func:`lrtcheck.worlds.lrt.final_action_law`.

Checks.  Exact KS tests (``kstwo``) of the sampler's H0 and H1 draws against the exact laws, at half the share
each, joined by Bonferroni.  Defects: a drift bias of 0.1 D in Lambda (a mis-scaled 1/2 ||Delta||^2 term: KS
discrepancy 2 Phi(0.05) - 1), and the 1/sqrt(alpha_t) dropped from the reverse mean (its exact discrepancy).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, artifact, detail, figure, fmt, histogram, number
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.stats.decisions import bonferroni, ks_decision, split_share
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, final_action_law, gaussian_heads_world,
                                 lrt_sampler_factory)

NULL_CLAIM = Claim(
    id="lrt.null.exact_gaussian",
    source=f"{PAPER}, §3.2 (the per-step LRT of two Gaussian kernels with a shared covariance); exact oracle: "
    "docs/methods/lrt_diffusion.md §9",
    statement="With single-Gaussian heads N(m_u, s^2 I), N(m_c, s^2 I), the final Lambda follows N(-D^2/2, D^2) under "
    "H0 and N(+D^2/2, D^2) under H1, D^2 = sum_{sigma_t>0} beta_t^2 ab_t ||m_c-m_u||^2/(alpha_t (ab_t s^2+1-ab_t)^2 "
    "sigma_t^2).",
    assumptions=("equal head variances", "DDPM eps-parametrisation, no clipping", "steps with sigma_t = 0 skipped"),
)

ACTION_CLAIM = Claim(
    id="lrt.actions.exact_gaussian",
    source="Ho, Jain & Abbeel (2020), arXiv 2006.11239, eq. 11 (reverse mean (x_t - beta_t/sqrt(1-ab_t) eps)/"
    "sqrt(alpha_t)); docs/methods/diffusion.md §5 (single Gaussian, the linear chain)",
    statement="With single-Gaussian heads the chain is linear: a_{t-1} = A_t a_t + B_t m + sigma_t z with "
    "A_t = (1 - beta_t/c_t)/sqrt(alpha_t), B_t = beta_t sqrt(ab_t)/(c_t sqrt(alpha_t)), c_t = ab_t s^2 + 1 - ab_t, "
    "so the final action is exactly Gaussian: under H0 (m = m_u) and under H1 (the good head, m = m_c).",
    assumptions=("a_T ~ N(0, I)", "linear(T=20) schedule, posterior variance"),
)


@check(NULL_CLAIM, variants=("posterior", "beta"), subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=12000, T=100), full=dict(n=20000, T=100))
def check_null_exact_gaussian(ctx):
    """KS of the H0 and H1 statistics against N(-+D^2/2, D^2) at half the share each; defect: a drift of 0.1 D."""
    n, variance = ctx.params["n"], ctx.variant
    sampler, law = gaussian_heads_world(ctx.subject, Schedule.linear(ctx.params["T"]), variance)
    level = split_share(ctx.false_fail_rate, 2)
    h0 = np.asarray(sampler.null_statistics(n, seed=ctx.seed("h0")))
    h1 = np.asarray(sampler.replace(tau=-math.inf, beta_max=1.0, gate="hard").sample(n=n, seed=ctx.seed("h1")).final)
    # defect: a drift bias of 0.1 standard deviations of Lambda (e.g. a mis-scaled 1/2||Delta||^2 term)
    disc = float(2 * st.norm.cdf(0.05) - 1)
    defect = "mean of Lambda off by 0.1 D (KS discrepancy 2 Phi(0.05) - 1)"
    ks0 = ks_decision(h0, law.law("H0").cdf, level, defect_discrepancy=disc, target_defect=defect,
                      name="H0 statistics ~ N(-D^2/2, D^2)")
    ks1 = ks_decision(h1, law.law("H1").cdf, level, defect_discrepancy=disc, target_defect=defect,
                      name="H1 statistics ~ N(+D^2/2, D^2)")
    return Evidence.from_decision(
        bonferroni([ks0, ks1], ctx.false_fail_rate), n=2 * n, estimate=float(np.mean(h0)), lower=float(np.var(h0)),
        upper=float(np.mean(h1)), bound=-law.D2 / 2, design_n=n,
        details={"D2": law.D2, "ks_H0": ks0.statistic, "p_H0": ks0.p_value, "ks_H1": ks1.statistic,
                 "p_H1": ks1.p_value, "variance": variance},
        artifacts={"null": h0, "alt": h1},
    )


@check(ACTION_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(n=8000, T=20), full=dict(n=40000, T=20))
def check_actions_exact_gaussian(ctx):
    """KS of the whitened final actions (2n i.i.d. N(0, 1) coordinates) under H0 and H1, at half the share each;
    defect: 1/sqrt(alpha_t) dropped from the reverse mean."""
    n = ctx.params["n"]
    sch = Schedule.linear(ctx.params["T"], 1e-4, 0.2)
    s2 = sch.variance("posterior")
    sampler, _ = gaussian_heads_world(ctx.subject, sch, "posterior")
    level = split_share(ctx.false_fail_rate, 2)
    grid = np.linspace(-8, 8, 16001)
    out, parts, discs = {}, [], []
    for hyp, m in (("H0", BACKGROUND_MEAN), ("H1", GOOD_MEAN)):
        mean, sd = final_action_law(sch, s2, m, HEAD_STD)
        smp = sampler if hyp == "H0" else sampler.replace(tau=-math.inf, beta_max=1.0, gate="hard")
        a = np.asarray(smp.sample(n=n, seed=ctx.seed(hyp), null=hyp == "H0").actions)
        z = ((a - mean[None, :]) / sd).ravel()  # 2n i.i.d. N(0, 1): isotropic, independent coordinates
        # defect: 1/sqrt(alpha_t) dropped from the reverse mean; the pooled coordinates follow a Gaussian mixture
        mean_d, sd_d = final_action_law(sch, s2, m, HEAD_STD, drop_inv_sqrt_alpha=True)
        mix = np.mean([st.norm.cdf(grid, (mean_d[j] - mean[j]) / sd, sd_d / sd) for j in range(m.size)], axis=0)
        discs.append(float(np.max(np.abs(mix - st.norm.cdf(grid)))))
        ks = ks_decision(z, st.norm.cdf, level, defect_discrepancy=discs[-1],
                         target_defect="1/sqrt(alpha_t) dropped from the reverse mean",
                         name=f"{hyp} final actions ~ exact Gaussian")
        parts.append(ks)
        out[hyp] = {"mean_exact": mean.tolist(), "sd_exact": sd, "mean_sample": a.mean(0).tolist(),
                    "sd_sample": float(a.std()), "ks": ks.statistic, "p": ks.p_value}
    return Evidence.from_decision(
        bonferroni(parts, ctx.false_fail_rate), n=4 * n, estimate=out["H1"]["mean_sample"][0],
        bound=out["H1"]["mean_exact"][0], design_n=2 * n, defect_size=min(discs), details=out,
    )


@figure(check_null_exact_gaussian)
def null_statistic_histograms(ev) -> list[Spec]:
    """The H0 and H1 histograms of the final Lambda on the exact Gaussian densities."""
    d2 = number(detail(ev, "D2"))
    h0, h1 = artifact(ev, "null"), artifact(ev, "alt")
    sd = math.sqrt(d2)
    lo, hi = -d2 / 2 - 4.5 * sd, d2 / 2 + 4.5 * sd
    x = np.linspace(lo, hi, 300)
    e0, c0 = histogram(h0, 60, lo, hi)
    e1, c1 = histogram(h1, 60, lo, hi)
    var = detail(ev, "variance", default="?")
    return [{
        "kind": "hist", "title": f"Final Λ under H0 and H1 vs exact laws ({var} variance)",
        "edges": e0, "counts": c0, "label": f"H0 draws (n={h0.size})",
        "density_x": x.tolist(), "density_y": st.norm.pdf(x, -d2 / 2, sd).tolist(), "law_label": "exact N(-D²/2, D²)",
        "overlays": [{"edges": e1, "counts": c1, "label": f"H1 draws (n={h1.size})", "density_x": x.tolist(),
                      "density_y": st.norm.pdf(x, d2 / 2, sd).tolist(), "law_label": "exact N(+D²/2, D²)"}],
        "xlabel": "Λ (log-likelihood ratio statistic)", "ylabel": "density",
        "note": f"D² = {fmt(d2)}; KS p: H0 {fmt(detail(ev, 'p_H0', default=math.nan))}, "
                f"H1 {fmt(detail(ev, 'p_H1', default=math.nan))}",
        "caption": "The sampler's H0 and H1 histograms should sit on the exact Gaussian curves; a drift or scale "
                   "error shows as a shifted or widened histogram.",
    }]


# --- mutants: the statistic, the reverse mean and the noise of the sampler's step loop ---------------------------
_RUN_CHUNK = "lrtcheck.lrt.sampler:LRTSampler._run_chunk"
_NULL = ("lrt.null.exact_gaussian*",)
_NULL_AND_ACTIONS = _NULL + ("lrt.actions.*",)
_ELL = "ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / s2"

MUTANTS = [
    Mutant("lrt.llr_sign", _RUN_CHUNK,
           "the log-ratio written background over good, (dist(a, mu_c)^2 - dist(a, mu_u)^2)/(2 sigma^2): Lambda "
           "measures evidence for H0",
           source_edit((_ELL, "ell = (0.5 * (d64 * d64).sum(0) - (diff * d64).sum(0)) / s2")),
           _NULL + ("lrt.type1.learned",), tags=("ci",)),
    Mutant("lrt.llr_sigma_not_squared", _RUN_CHUNK,
           "the increment divided by sigma_t (the noise scale at hand) instead of the variance sigma_t^2",
           source_edit((_ELL, "ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / math.sqrt(s2)")), _NULL,
           tags=("ci",)),
    Mutant("lrt.sigma0_step_counted", _RUN_CHUNK,
           "sigma_t^2 clamped to 1e-20 as diffusers' _get_variance does, so the deterministic t = 1 step enters "
           "Lambda with weight 1e20",
           source_edit(("s2 = float(self._sigma2[i])", "s2 = max(float(self._sigma2[i]), 1e-20)")), _NULL,
           tags=("ci",)),
    Mutant("lrt.reverse_mean_coef", _RUN_CHUNK,
           "the reverse mean's coefficient beta_t/sqrt(1 - ab_t) written beta_t/(1 - ab_t)",
           source_edit(("coef = betas_np[i] / math.sqrt(1.0 - abar_np[i])", "coef = betas_np[i] / (1.0 - abar_np[i])")),
           _NULL_AND_ACTIONS + ("lrt.type1.learned",), tags=("ci",)),
    Mutant("lrt.reverse_mean_no_inv_sqrt_alpha", _RUN_CHUNK,
           "the 1/sqrt(alpha_t) of the reverse mean forgotten in mu_u (Delta, computed on its own line, keeps it): "
           "Lambda's law is unchanged, the actions are not",
           source_edit(("mu_u = (a - coef * eps_u) * inv_sa", "mu_u = a - coef * eps_u")), _NULL_AND_ACTIONS,
           tags=("ci",), declares=("lrt.actions.exact_gaussian",)),
    Mutant("lrt.noise_sigma2_scale", _RUN_CHUNK,
           "the noise scaled by the variance sigma_t^2 instead of the standard deviation sigma_t",
           source_edit(("a_next = m + math.sqrt(s2) * counter_normal(", "a_next = m + s2 * counter_normal(")),
           _NULL_AND_ACTIONS, tags=("ci",)),
    Mutant("lrt.noise_step_ignored", "lrtcheck.diffusion.noise:counter_normal",
           "the noise counter omits the step index: every reverse step reuses the prior draw's noise",
           wrapper(inputs=lambda keys, step, dim, **kwargs: ((keys, 0, dim), kwargs)), _NULL_AND_ACTIONS,
           tags=("ci",)),
]
MUTANTS += [
    Mutant("lrt.llr_drift_tenth_D", _RUN_CHUNK,
           "a bias of 0.1 D in Lambda (D^2 = sum_t ||Delta_t||^2 / sigma_t^2 its variance), as a mis-scaled "
           "1/2 ||Delta||^2 / sigma^2 term adds: the statistic's mean off by a tenth of its standard deviation",
           source_edit(("lam = torch.zeros(B, dtype=torch.float64, device=dev)",
                        "lam = torch.zeros(B, dtype=torch.float64, device=dev)\n"
                        "d2_ = torch.zeros(B, dtype=torch.float64, device=dev)"),
                       ("lam = lam + ell", "lam = lam + ell\nd2_ = d2_ + (d64 * d64).sum(0) / s2"),
                       ("rmax = torch.where(torch.isinf(rmax), lam, rmax)",
                        "lam = lam + 0.1 * torch.sqrt(d2_)\nrmax = torch.where(torch.isinf(rmax), lam, rmax)")),
           _NULL, declares=("lrt.null.exact_gaussian*",)),
]
