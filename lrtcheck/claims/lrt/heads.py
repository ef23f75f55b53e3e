"""``lrt.heads.exact_eps`` and ``lrt.schedule.posterior_variance``: the exact parts of the diffusion core.

Claims.  For data p_0 = sum_k w_k N(m_k, s_k^2 I) the optimal noise predictor is eps*(x, t) = E[eps | x_t = x] of
the forward process x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps (DDPM, arXiv 2006.11239, eq. 4; docs/methods/diffusion.md
§3, §5); the numpy, torch and fused two-head evaluations return it, finite at every x (log-sum-exp).  The posterior
variance beta~_t = beta_t (1 - ab_{t-1})/(1 - ab_t) is Var(x_{t-1} | x_t, x_0) (DDPM eq. 7; docs/methods/diffusion.md
§4).

World.  :func:`lrtcheck.worlds.lrt.separated_mixture` (components of very different scales) with the independent
oracle :func:`lrtcheck.worlds.lrt.mixture_eps_by_conditioning` (Gaussian conditioning per component, Bayes' rule
over components with scipy's log-densities); the linear, cosine and vp schedules.

Checks.  Exact: the largest relative error over points drawn from p_t, between the components and far away, to
1e-9; the posterior variance against Gaussian conditioning (precisions add), to 1e-10.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.diffusion import ExactTwoHead, GaussianMixtureHead, Schedule
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.lrt import mixture_eps_by_conditioning, separated_mixture

HEADS_CLAIM = Claim(
    id="lrt.heads.exact_eps",
    source="Ho, Jain & Abbeel (2020), arXiv 2006.11239, eq. 4 (forward process); docs/methods/diffusion.md §5 "
    "(exact Gaussian-mixture heads)",
    statement="The exact GMM heads (numpy, torch and the sampler's fused two-head pass) return eps*(x, t) = "
    "E[eps | x_t = x] of the forward process x_t = sqrt(ab) x_0 + sqrt(1-ab) eps, computed here by Gaussian "
    "conditioning per component and Bayes' rule over components, finite at every x (log-sum-exp), to 1e-9.",
    assumptions=("float64",),
)

SCHEDULE_CLAIM = Claim(
    id="lrt.schedule.posterior_variance",
    source="Ho et al. (2020) eq. (7); docs/methods/diffusion.md §4",
    statement="The posterior variance beta~_t equals Var(x_{t-1} | x_t, x_0) of the forward process, 1 / (1/(1 - "
    "ab_{t-1}) + alpha_t/beta_t) by Gaussian conditioning (0 at t = 1), for the linear, cosine and vp schedules.",
)


@check(HEADS_CLAIM, stochastic=False, quick=dict(n=200, T=100), full=dict(n=2000, T=100))
def check_heads_exact_eps(ctx):
    """Exact: numpy, torch and fused eps* against Gaussian conditioning at five noise levels, to 1e-9."""
    import torch

    rng = ctx.rng
    sch = Schedule.linear(ctx.params["T"])
    means, stds, weights = separated_mixture()
    bg = GaussianMixtureHead(means, stds, weights)
    gd = bg.subset([0, 1])
    two = ExactTwoHead(bg, gd, sch)
    n = ctx.params["n"]
    worst, nonfinite, rows = 0.0, 0, {}
    for t in (1, 2, 10, 50, sch.T):
        ab = float(sch.alpha_bars[t - 1])
        # points from p_t, between the components, and far away (where unstabilised exponentials underflow)
        x0 = bg.sample(n, rng)
        xt = math.sqrt(ab) * x0 + math.sqrt(1 - ab) * rng.standard_normal(x0.shape)
        far = rng.uniform(-40, 40, size=(n // 4, 2))
        x = np.vstack([xt, far, [[-0.5, 0.75], [30.0, -30.0]]])
        ref_u = mixture_eps_by_conditioning(x, means, stds, weights, ab)
        ref_c = mixture_eps_by_conditioning(x, gd.means, gd.stds, gd.weights, ab)
        xt_t = torch.as_tensor(x, dtype=torch.float64)
        got = {"numpy": bg.epsilon(x, ab), "torch": bg.epsilon_torch(xt_t, ab).numpy()}
        eu, ec = two(None, xt_t, t)
        got["fused_background"], got["fused_good"] = eu.numpy(), ec.numpy()
        for name, val in got.items():
            ref = ref_c if name == "fused_good" else ref_u
            nonfinite += int(np.sum(~np.isfinite(val)))
            err = float(np.nanmax(np.abs(val - ref) / (1.0 + np.abs(ref)))) if np.isfinite(val).any() else math.inf
            worst = max(worst, err)
            rows[f"t={t}:{name}"] = err
    decision = exact_decision(worst <= 1e-9 and nonfinite == 0, estimate=worst, bound=1e-9, n=len(rows),
                              name="max relative error of eps*",
                              message=f"max relative error {worst:.3g}, {nonfinite} non-finite values")
    return Evidence.from_decision(decision, details={"max_rel_error": rows, "nonfinite": nonfinite})


@check(SCHEDULE_CLAIM, stochastic=False, quick=dict(T=100), full=dict(T=1000))
def check_schedule_posterior_variance(ctx):
    """Exact: beta~_t against 1/(1/(1 - ab_{t-1}) + alpha_t/beta_t) for four schedules, to 1e-10."""
    T = ctx.params["T"]
    rows = {}
    worst = 0.0
    for sch in (Schedule.linear(T), Schedule.linear(20, 1e-4, 0.2), Schedule.cosine(T), Schedule.vp(5)):
        b = sch.betas
        ab_prev = np.concatenate([[1.0], np.cumprod(1.0 - b)[:-1]])
        # x_{t-1} | x_0 ~ N(., 1 - ab_{t-1}); x_t | x_{t-1} ~ N(sqrt(alpha_t) x_{t-1}, beta_t): precisions add
        with np.errstate(divide="ignore"):
            prec = 1.0 / (1.0 - ab_prev) + (1.0 - b) / b
        ref = np.where(np.isinf(prec), 0.0, 1.0 / prec)
        got = np.asarray(sch.variance("posterior"), dtype=np.float64)
        err = float(np.max(np.abs(got - ref) / np.maximum(ref, 1e-300))) if got.shape == ref.shape else math.inf
        rows[sch.name] = err
        worst = max(worst, err)
    decision = exact_decision(worst <= 1e-10, estimate=worst, bound=1e-10, n=len(rows),
                              name="relative error of the posterior variance",
                              message=f"posterior variance off by a relative {worst:.3g}")
    return Evidence.from_decision(decision, details=rows)


_HEAD_EPS = "lrtcheck.diffusion.heads:ExactTwoHead._head_eps"

MUTANTS = [
    Mutant("lrt.gmm_component_variance", _HEAD_EPS,
           "the forward component variance written ab s_k^2 + ab instead of ab s_k^2 + 1 - ab",
           source_edit(("cs = [ab * float(s) ** 2 + (1.0 - ab) for s in stds]",
                        "cs = [ab * float(s) ** 2 + ab for s in stds]")),
           ("lrt.null.exact_gaussian*", "lrt.heads.*"), tags=("ci",)),
    Mutant("lrt.gmm_no_logsumexp_fused", _HEAD_EPS,
           "the responsibilities exponentiated without subtracting the max logit: far from every component (or "
           "at small t with narrow components) exp underflows and 0/0 = NaN",
           source_edit(("es = [torch.exp(lg - mx) for lg in logits]", "es = [torch.exp(lg) for lg in logits]")),
           ("lrt.heads.*",), tags=("ci",)),
    Mutant("lrt.gmm_no_logsumexp_numpy", "lrtcheck.diffusion.heads:_gmm_numpy",
           "the numpy responsibilities exponentiated by hand without the log-sum-exp shift (no max subtracted)",
           source_edit(("r = softmax(logits, axis=1)", "r = np.exp(logits)\nr /= r.sum(axis=1, keepdims=True)")),
           ("lrt.heads.*",), tags=("ci",)),
    Mutant("lrt.posterior_variance_abar_t", "lrtcheck.diffusion.schedule:Schedule.posterior_variance",
           "the posterior variance computed with ab_t in place of ab_{t-1}: beta_t (1 - ab_t)/(1 - ab_t) = beta_t, "
           "so 'posterior' silently equals 'beta'",
           source_edit(("self.betas * (1.0 - self.alpha_bars_prev) / (1.0 - self.alpha_bars)",
                        "self.betas * (1.0 - self.alpha_bars) / (1.0 - self.alpha_bars)")),
           ("lrt.schedule.*", "lrt.variance_mismatch", "lrt.null.*"), tags=("ci",)),
]
