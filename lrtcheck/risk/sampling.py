"""Sampling is the ordinary reverse process (r = 0; arXiv 2402.02081, Algorithms 2 and 4): only training differs.

* :func:`ddpm_sample` (discrete VP): x_T ~ N(0, I); x_{t-1} = (x_t - beta_t / sqrt(1 - ab_t) eps_hat) / sqrt(alpha_t)
  + sigma_t z with sigma_t^2 = beta~_t ("posterior") or beta_t ("beta"); no noise at t = 1 (Ho et al. 2020,
  Algorithm 2; docs/methods/diffusion.md §4).
* :func:`euler_maruyama_sample` (VPSDE / VESDE): t_M = 1 > ... > t_0 = t_eps on a uniform grid,
  x <- x - [f(x, t) - g(t)^2 s(x, t)] dt + g(t) sqrt(dt) z (z = 0 on the last step),
  x(1) ~ N(0, 1) (VP) or N(0, v0(1)^2) (VE).

``score_fn(x, t)`` takes x (M, B, D) (or (B, D)) and a Python float t, and returns the score; ``eps_fn`` the eps.
"""

from __future__ import annotations

import numpy as np
import torch

from lrtcheck.stats.validation import check_positive_int

from .kernels import VESDE, VPSDE, DiscreteVP

__all__ = ["ddpm_sample", "euler_maruyama_sample"]


@torch.no_grad()
def ddpm_sample(eps_fn, kernel: DiscreteVP, shape, *, generator: torch.Generator, variance: str = "posterior",
                device="cpu", dtype=torch.float32) -> torch.Tensor:
    """Ancestral DDPM sampling with an eps-predictor ``eps_fn(x, t_int)``."""
    if not isinstance(kernel, DiscreteVP):
        raise ValueError(f"kernel must be a DiscreteVP for DDPM sampling, got {kernel!r}")
    sch = kernel.schedule
    betas, alphas, ab = sch.betas, sch.alphas, sch.alpha_bars
    sig2 = sch.variance(variance)
    x = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)
    for t in range(sch.T, 0, -1):
        i = t - 1
        eps = eps_fn(x, t)
        x = (x - float(betas[i] / np.sqrt(1.0 - ab[i])) * eps) / float(np.sqrt(alphas[i]))
        if t > 1 and sig2[i] > 0:
            x = x + float(np.sqrt(sig2[i])) * torch.randn(x.shape, generator=generator, device=device, dtype=dtype)
    return x


@torch.no_grad()
def euler_maruyama_sample(score_fn, kernel, shape, *, steps: int = 200, generator: torch.Generator,
                          device="cpu", dtype=torch.float32) -> torch.Tensor:
    """Euler-Maruyama on the reverse SDE of a :class:`VPSDE` or :class:`VESDE` (Algorithm 2 / 4)."""
    if not isinstance(kernel, (VPSDE, VESDE)):
        raise ValueError(f"kernel must be a VPSDE or VESDE for Euler-Maruyama sampling, got {kernel!r}")
    steps = check_positive_int("steps", steps)
    grid = np.linspace(kernel.t_max, kernel.t_eps, steps + 1)
    # VP: N(0, 1) (alpha(1) ~ 4e-5 for beta 0.1..20); VE: N(0, sigma(1)^2 - sigma_min^2), the data's spread ignored
    prior_std = 1.0 if isinstance(kernel, VPSDE) else float(np.sqrt(kernel.clean_variance(np.array([1.0]))[0]))
    x = prior_std * torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)
    for i in range(steps):
        t, dt = float(grid[i]), float(grid[i] - grid[i + 1])
        f, g2 = kernel.drift_diffusion(x, t)
        s = score_fn(x, t)
        x = x - (f - g2 * s) * dt
        if i < steps - 1:
            x = x + float(np.sqrt(g2 * dt)) * torch.randn(x.shape, generator=generator, device=device, dtype=dtype)
    return x
