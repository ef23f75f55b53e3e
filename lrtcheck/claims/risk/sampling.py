"""``risk.sampling.transitions``: the samplers apply the ordinary reverse transitions, with no noise on the last step.

Claim.  Sampling is the ordinary reverse process at r = 0; only training differs (Algorithms 2 / 4 of Li, Ruiz
Luyten & van der Schaar, arXiv 2402.02081; docs/methods/risk_sensitive.md §7).  Ancestral DDPM applies
``x_(t-1) = (x_t - beta_t / sqrt(1 - ab_t) eps(x_t)) / sqrt(alpha_t) + sigma_t z`` at every step and adds no noise
at t = 1 (Ho et al. 2020, Algorithm 2; docs/methods/diffusion.md §4); Euler-Maruyama on the reverse VP SDE (Song et
al. 2021, arXiv 2011.13456) visits the uniform grid 1 = t_M > ... > t_0 = t_eps and its last step is the noiseless
``x - (f - g^2 s) dt`` with f = -beta(t) x / 2, g^2 = beta(t).

World.  A recording eps (or score) function with a known nonlinear output, tanh(x) + 0.1 t / T (or
-tanh(x) (1 + t)); the linear schedule's betas from their definition.

Check.  Exact, float32 sampling against a float64 recomputation (relative 1e-4): every DDPM transition with the
real betas and sigma = 0, the t = 1 step with both variances, the Euler-Maruyama grid (1e-12) and its last step
(1e-2 of the score term g^2 s dt).
"""

from __future__ import annotations

import inspect

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, wrapper
from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VPSDE, DiscreteVP
from lrtcheck.risk import sampling as risk_sampling
from lrtcheck.stats.decisions import exact_decision

SAMPLER_CLAIM = Claim(
    id="risk.sampling.transitions",
    source="arXiv 2402.02081: Algorithms 2 and 4 (ordinary reverse process); docs/methods/risk_sensitive.md §7, "
    "docs/methods/diffusion.md §4; Song et al. 2021, arXiv 2011.13456 (reverse SDE)",
    statement="Ancestral DDPM sampling applies x_(t-1) = (x_t - beta_t / sqrt(1 - ab_t) eps(x_t)) / sqrt(alpha_t) "
    "+ sigma_t z at every step (exactly, when sigma = 0) and adds no noise at t = 1; Euler-Maruyama visits the "
    "uniform grid 1 = t_M > ... > t_0 = t_eps and its last step is the noiseless x - (f - g^2 s) dt with "
    "f = -beta(t) x / 2, g^2 = beta(t).",
    assumptions=("a recording eps / score function with a known nonlinear output; float32 sampling compared with "
                 "a float64 recomputation at relative tolerance 1e-4",),
)


@check(SAMPLER_CLAIM, stochastic=False)
def check_sampling_transitions(ctx):
    """Exact: every recorded transition against its float64 recomputation."""
    import types

    import torch

    from lrtcheck.risk.sampling import ddpm_sample, euler_maruyama_sample

    T = 200
    betas = np.linspace(1e-4, 2e-2, T)  # the linear schedule, from its definition
    alphas = 1.0 - betas
    ab = np.cumprod(alphas)
    sch = Schedule.linear(T)
    problems, details = [], {}

    def eps_fn_factory(record):
        def eps_fn(x, t):
            record.append((t, x.double().numpy().copy()))
            return torch.tanh(x) + 0.1 * t / T
        return eps_fn

    def f_eps(x, t):
        return np.tanh(x) + 0.1 * t / T

    def mean_step(x, t):
        return (x - betas[t - 1] / np.sqrt(1.0 - ab[t - 1]) * f_eps(x, t)) / np.sqrt(alphas[t - 1])

    def rel(a, b):
        return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))

    # (1) sigma = 0: a stand-in schedule with the real betas and a zero variance; every transition is deterministic
    silent = types.SimpleNamespace(T=T, name="linear-silent", betas=sch.betas, alphas=sch.alphas,
                                   alpha_bars=sch.alpha_bars, variance=lambda kind: np.zeros(T))
    for label, variance, schedule in (("sigma0", "posterior", silent), ("real", "posterior", sch),
                                      ("real", "beta", sch)):
        rec = []
        out = ddpm_sample(eps_fn_factory(rec), DiscreteVP(schedule), (2, 300, 2), variance=variance,
                          generator=ctx.torch_generator(f"ddpm-{label}-{variance}"), dtype=torch.float32)
        out = out.double().numpy()
        visited = [t for t, _ in rec]
        if visited != list(range(T, 0, -1)):
            problems.append(f"ddpm/{label}/{variance}: visited steps {visited[:3]}...{visited[-3:]}")
            continue
        xs = [x for _, x in rec] + [out]
        if label == "sigma0":
            err = max(rel(xs[i + 1], mean_step(xs[i], T - i)) for i in range(T))
            details[f"ddpm/sigma0/{variance}/max_rel_error"] = err
            if not err <= 1e-4:
                problems.append(f"ddpm with sigma = 0 ({variance}): a transition differs by {err:.3g}")
        else:
            err = rel(out, mean_step(xs[T - 1], 1))
            details[f"ddpm/{variance}/last_step_rel_error"] = err
            if not err <= 1e-4:
                problems.append(f"ddpm ({variance}): the t = 1 step is not the noiseless mean ({err:.3g})")
    # (2) Euler-Maruyama on the VP SDE: the time grid and the noiseless last step
    sde = VPSDE(0.1, 20.0)
    steps = 50
    rec = []

    def score_fn(x, t):
        rec.append((t, x.double().numpy().copy()))
        return -torch.tanh(x) * (1.0 + t)

    out = euler_maruyama_sample(score_fn, sde, (300, 2), steps=steps, generator=ctx.torch_generator("em"))
    out = out.double().numpy()
    grid = 1.0 - (1.0 - sde.t_eps) * np.arange(steps + 1) / steps
    ts = np.array([t for t, _ in rec])
    grid_err = float(np.max(np.abs(ts - grid[:-1]))) if ts.size == steps else float("inf")
    details["em/grid_max_error"] = grid_err
    if not grid_err <= 1e-12:
        problems.append(f"euler-maruyama: times differ from the uniform grid ({grid_err:.3g})")
    else:
        t, x = ts[-1], rec[-1][1]
        dt = grid[-2] - grid[-1]
        beta = 0.1 + t * (20.0 - 0.1)
        score_term = beta * (-np.tanh(x) * (1.0 + t)) * dt
        want = x - (-0.5 * beta * x) * dt + score_term
        # error relative to the size of the score term g^2 s dt (x itself may be large)
        err = float(np.max(np.abs(out - want)) / np.max(np.abs(score_term)))
        details["em/last_step_error_over_score_term"] = err
        if not err <= 1e-2:
            problems.append(f"euler-maruyama: the last step is not x - (f - g^2 s) dt ({err:.3g})")
    decision = exact_decision(not problems, estimate=float(len(problems)), bound=0.0, name="reverse transitions",
                              message="; ".join(problems[:4]))
    return Evidence.from_decision(decision, details=details)


# ------------------------------------------------------------------------------------------------------------------
# The samplers are decorated with @torch.no_grad(), so their mutants alter a call's inputs or its result
# (``wrapper``) around the untouched sampler; each has the effect of the one-line slip its story names.
_SAMP = "lrtcheck.risk.sampling"


def sampler_arguments(sampler, args, kwargs) -> dict:
    """The arguments of a sampler call by name, defaults filled in."""
    bound = inspect.signature(sampler).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments


def score_negated(score_fn, kernel, shape, **kwargs):
    """Euler-Maruyama handed -s: its step x - (f - g^2 (-s)) dt is the forward-time x - (f + g^2 s) dt."""
    return (lambda x, t: -score_fn(x, t), kernel, shape), kwargs


def noise_on_last_em_step(x, *args, **kwargs):
    """The noise g(t_1) sqrt(dt) z of the last Euler-Maruyama step added after all (drawn from the same generator,
    right after the sampler's own draws)."""
    import torch

    a = sampler_arguments(risk_sampling.euler_maruyama_sample, args, kwargs)
    kernel, steps = a["kernel"], a["steps"]
    grid = np.linspace(kernel.t_max, kernel.t_eps, steps + 1)
    t, dt = float(grid[steps - 1]), float(grid[steps - 1] - grid[steps])
    _, g2 = kernel.drift_diffusion(x, t)
    return x + float(np.sqrt(g2 * dt)) * torch.randn(x.shape, generator=a["generator"], device=a["device"],
                                                     dtype=a["dtype"])


def eps_over_sqrt_one_minus_ab(eps_fn, kernel, shape, **kwargs):
    """DDPM handed eps / sqrt(1 - ab_t): its mean step subtracts beta_t / sqrt(1 - ab_t) eps / sqrt(1 - ab_t), i.e.
    the coefficient beta_t / (1 - ab_t)."""
    ab = kernel.schedule.alpha_bars
    return (lambda x, t: eps_fn(x, t) / float(np.sqrt(1.0 - ab[t - 1])), kernel, shape), kwargs


def noise_at_t1(x, *args, **kwargs):
    """The t = 1 noise sigma_1 z added after all (the t > 1 guard dropped; with the 'beta' variance sigma_1^2 =
    beta_1 > 0), drawn from the same generator right after the sampler's own draws."""
    import torch

    a = sampler_arguments(risk_sampling.ddpm_sample, args, kwargs)
    sig2 = a["kernel"].schedule.variance(a["variance"])
    if sig2[0] > 0:
        x = x + float(np.sqrt(sig2[0])) * torch.randn(x.shape, generator=a["generator"], device=a["device"],
                                                      dtype=a["dtype"])
    return x


MUTANTS = [
    Mutant("risk.em_score_sign", f"{_SAMP}:euler_maruyama_sample",
           "the reverse drift written f + g^2 s (the forward-time sign of the score term)",
           wrapper(inputs=score_negated), ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.em_last_step_noise", f"{_SAMP}:euler_maruyama_sample",
           "noise added on the last Euler-Maruyama step too (the final denoising step not made noiseless)",
           wrapper(output=noise_on_last_em_step), ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.ddpm_mean_coef", f"{_SAMP}:ddpm_sample",
           "the DDPM mean coefficient written beta_t / (1 - ab_t) instead of beta_t / sqrt(1 - ab_t)",
           wrapper(inputs=eps_over_sqrt_one_minus_ab), ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.ddpm_noise_at_t1", f"{_SAMP}:ddpm_sample",
           "noise added at t = 1 as well (the t > 1 guard dropped; with the 'beta' variance sigma_1^2 = beta_1 > 0)",
           wrapper(output=noise_at_t1), ("risk.sampling.transitions",), tags=("ci",)),
]
