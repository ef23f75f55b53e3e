"""The risk-sensitive denoising loss (arXiv 2402.02081, Prop. 3.1 / G.1, Algorithms 1 and 3) and its training loop.

For t uniform on T(r), x~_t = u x~_0 + v eta, the score target is -eta / v (v = v(r, t) per dimension); its
conditional mean given (x~_t, r) is the clean score grad log p_t(x~_t) for Gaussian noise
(docs/methods/risk_sensitive.md §6), so the minimiser is the clean model.  Parameterisations of the network output o
(all express the same implied score s):

* ``eps``:      eps_hat = o, s = -eps_hat / v0;       target eps = v0 eta / v   (docs/reconstructions.md §4.4)
* ``score``:    s = o;                                 target -eta / v
* ``denoiser``: D_hat = o ~ E[x_0 | x_t], s = (u D_hat - x_t) / v0^2;  target (x_t - v0^2 eta / v) / u (Tweedie)

Weighting:

* ``"paper"``: the paper's uniform weight lambda = 1 in the parameterisation's own space (|eps_hat - v0 eta/v|^2,
  |s + eta/v|^2, |D_hat - target|^2).  The target's variance v0^2 / v^2 is not integrable over t uniform on T(r)
  near its left edge (v^2 vanishes linearly there), so this loss has infinite variance.
* ``"tamed"`` (default; **a deviation from the paper**): multiply per dimension by v^2 / v0^2 (eps), v^2 (score) or
  u^2 v^2 / v0^4 (denoiser); every parameterisation becomes |v s + eta|^2, i.e. for eps |(v/v0) eps_hat - eta|^2.
  The weight depends only on (r, t), so the minimiser is unchanged when the clean x_0 is independent of r.

``length_weight=True`` (an option, off by default as in the paper) multiplies each sample's loss by |T(r)| / |T(0)|,
so that the law of t is the clean one on T(r) for every sample: with t uniform on T(r), noisy samples are otherwise
over-represented at large t by |T(0)| / |T(r)|, which re-weights a mixture whose risk depends on the component.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lrtcheck.stats.validation import check_finite_array, check_open_unit, check_positive, check_positive_int

from .kernels import RiskKernel
from .psi import as_risk

__all__ = ["PARAMETERIZATIONS", "WEIGHTINGS", "denoising_residual", "implied_score", "training_targets",
           "TrainingTargets", "fit_network", "TrainingLog"]

PARAMETERIZATIONS = ("eps", "score", "denoiser")
WEIGHTINGS = ("tamed", "paper")


def _check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def implied_score(output, x_t, u, v0sq, parameterization: str):
    """The score s(x_t, t) a network output stands for (``u``, ``v0sq`` broadcast against x_t)."""
    _check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    if parameterization == "eps":
        return -output / v0sq.sqrt() if torch.is_tensor(v0sq) else -output / np.sqrt(v0sq)
    if parameterization == "score":
        return output
    return (u * output - x_t) / v0sq


def denoising_residual(output, x_t, eta, u, v0sq, v2, parameterization: str = "eps", weighting: str = "tamed"):
    """Per-dimension residual whose square is the (weighted) risk-sensitive loss; torch or numpy.

    ``u``, ``v0sq`` broadcast against x_t (shape (..., 1)); ``v2`` = v(r, t)^2 per dimension (> 0 inside T(r)).
    """
    _check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    _check_choice("weighting", weighting, WEIGHTINGS)
    sqrt = torch.sqrt if torch.is_tensor(v2) else np.sqrt
    v = sqrt(v2)
    if weighting == "tamed":
        if parameterization == "eps":
            return eta - (v / sqrt(v0sq)) * output  # = v s + eta with s = -eps_hat / v0
        s = implied_score(output, x_t, u, v0sq, parameterization)
        return v * s + eta
    if parameterization == "eps":
        return output - sqrt(v0sq) * eta / v
    if parameterization == "score":
        return output + eta / v
    return output - (x_t - v0sq * eta / v) / u


@dataclass(frozen=True)
class TrainingTargets:
    """One float64 training draw: t uniform on T(r), x~_t, eta, the eps target v0 eta / v, and the coefficients."""

    t: np.ndarray
    x_t: np.ndarray
    eta: np.ndarray
    eps_target: np.ndarray
    u: np.ndarray
    v0sq: np.ndarray
    v2: np.ndarray
    usable: np.ndarray


def training_targets(kernel: RiskKernel, x0, r, rng: np.random.Generator) -> TrainingTargets:
    """Algorithm 1, steps 1-3, in float64 (the rows whose T(r) is empty are dropped; ``usable`` says which)."""
    x0 = check_finite_array("x0", x0, ndim=2)
    r = as_risk(r, x0.shape)
    t, usable = kernel.sample_time(r, rng)
    x0, r, t = x0[usable], r[usable], t[usable]
    eta = rng.standard_normal(x0.shape)
    u = kernel.signal_scale(t)
    v0sq = kernel.clean_variance(t)
    v2 = kernel.noise_variance(r, t)
    x_t = u[:, None] * x0 + np.sqrt(v2) * eta
    return TrainingTargets(t, x_t, eta, np.sqrt(v0sq)[:, None] * eta / np.sqrt(v2), u, v0sq, v2, usable)


@dataclass
class TrainingLog:
    """Per-member loss trace (every ``log_every`` steps) and the number of samples with an empty T(r)."""

    losses: list
    n_unusable: np.ndarray
    seconds: float


def _as_members(a, members: int, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2:
        a = np.broadcast_to(a, (members,) + a.shape)
    if a.ndim != 3 or a.shape[0] != members:
        raise ValueError(f"{name} must have shape (N, D) or ({members}, N, D), got {a.shape}")
    return a


def fit_network(net, kernel: RiskKernel, x0, r=None, *, steps: int = 2000, batch_size: int = 256, lr: float = 2e-3,
                seed: int = 0, parameterization: str = "eps", weighting: str = "tamed", length_weight: bool = False,
                edge: float = 0.0, conditional: bool = False, p_uncond: float = 0.2, device: str = "cpu",
                log_every: int = 100,
                dtype=torch.float32) -> TrainingLog:
    """Train ``net`` (a :class:`~lrtcheck.risk.network.TabularMLP` with M members) by risk-sensitive DSM.

    ``x0`` (N, D) or (M, N, D): the (noisy) samples; ``r`` the same shape (or None: all zero, i.e. standard training).
    ``conditional=True`` trains the risk-conditional baseline instead: the forward process ignores r (standard
    kernel), the network sees r as its condition, replaced by the null token with probability ``p_uncond``.
    ``edge = c`` in [0, 1) restricts t to T_c(r) = {t : v(r, t)^2 >= c v0(t)^2 in every dimension} (c = 0: T(r)),
    which bounds the paper-weighted target variance by 1/c (docs/methods/risk_sensitive.md §6).
    """
    import time

    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_positive("lr", lr)
    _check_choice("parameterization", parameterization, PARAMETERIZATIONS)
    _check_choice("weighting", weighting, WEIGHTINGS)
    M = net.members
    x0 = _as_members(check_finite_array("x0", x0), M, "x0")
    if r is None:
        r = np.zeros_like(x0)
    r = check_finite_array("r", r)
    if np.any(r < 0.0):
        raise ValueError("r must be >= 0 (a standard deviation)")
    r = _as_members(r, M, "r")
    if r.shape != x0.shape:
        raise ValueError(f"r must have the shape of x0 {x0.shape}, got {r.shape}")
    if conditional:
        p_uncond = check_open_unit("p_uncond", p_uncond)
        if net.cond_dim != x0.shape[2]:
            raise ValueError(f"a conditional fit needs net.cond_dim == D = {x0.shape[2]}, got {net.cond_dim}")
    _, N, D = x0.shape
    flat_r = r.reshape(M * N, D)
    clean_process = conditional
    edge = float(edge)
    if not 0.0 <= edge < 1.0:
        raise ValueError(f"edge must lie in [0, 1), got {edge}")
    rho = np.zeros(M * N) if clean_process else np.asarray(kernel.rho(flat_r), dtype=np.float64).reshape(-1)
    rho = rho / (1.0 - edge)  # v0^2 - u^2 rho >= c v0^2  <=>  v0^2 >= u^2 rho / (1 - c)
    low = np.asarray(kernel._t_low(rho), dtype=np.float64).reshape(M, N)
    psi = np.zeros_like(flat_r) if clean_process else kernel.psi(flat_r)
    if kernel.discrete:
        low = np.maximum(low, 1.0)
        usable = low <= kernel.T
    else:
        low = np.maximum(low, kernel.t_eps)
        usable = low < kernel.t_max
    lw = np.ones((M, N))
    if length_weight and not clean_process:
        full = kernel.interval_length(np.zeros((1, D)), clean=True)[0]
        lw = (kernel.t_max - low + (1.0 if kernel.discrete else 0.0)).clip(min=0.0) / full
    weight = np.where(usable, lw, 0.0)

    dev = torch.device(device)
    tt = lambda a: torch.as_tensor(np.array(a, dtype=np.float64), dtype=dtype, device=dev)  # noqa: E731
    X, R, PSI, LOW, W = tt(x0), tt(r), tt(psi.reshape(M, N, D)), tt(low), tt(weight)
    gen = torch.Generator(device=dev)
    gen.manual_seed(int(seed))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr * 0.05)
    net.to(dev).train()
    losses = []
    start = time.perf_counter()
    ar = torch.arange(M, device=dev)[:, None]
    for step in range(steps):
        idx = torch.randint(0, N, (M, batch_size), generator=gen, device=dev)
        xb, lo, wb = X[ar, idx], LOW[ar, idx], W[ar, idx]
        unif = torch.rand((M, batch_size), generator=gen, device=dev, dtype=dtype)
        if kernel.discrete:
            t = torch.clamp(lo + torch.floor(unif * (kernel.T - lo + 1)), max=kernel.T)
            t_lookup = t.long()
        else:
            t = kernel.t_max - unif * (kernel.t_max - lo)
            t_lookup = t
        u = kernel.signal_scale(t_lookup).to(dtype).unsqueeze(-1)
        v0sq = kernel.clean_variance(t_lookup).to(dtype).unsqueeze(-1)
        v2 = torch.clamp(v0sq - u * u * PSI[ar, idx], min=torch.finfo(dtype).tiny) if not clean_process else v0sq
        eta = torch.randn(xb.shape, generator=gen, device=dev, dtype=dtype)
        x_t = u * xb + v2.sqrt() * eta
        tau = kernel.time_input(t)
        if conditional:
            use = torch.rand((M, batch_size), generator=gen, device=dev) >= p_uncond
            out = net(x_t, tau, R[ar, idx], use)
        else:
            out = net(x_t, tau)
        res = denoising_residual(out, x_t, eta, u, v0sq, v2.expand_as(x_t), parameterization, weighting)
        per = (res * res).sum(-1) * wb
        loss_m = per.sum(1) / torch.clamp(wb.sum(1), min=1e-12)
        loss = loss_m.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if log_every and (step % log_every == 0 or step == steps - 1):
            losses.append(loss_m.detach().cpu().numpy())
    net.eval()
    return TrainingLog(losses, (~usable).sum(axis=1), time.perf_counter() - start)
