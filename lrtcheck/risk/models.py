"""Estimators (scikit-learn style): the risk-sensitive model and its three baselines (arXiv 2402.02081, section 5,
App. A; docs/methods/risk_sensitive.md §8).

* :class:`RiskSensitiveDiffusion` -- risk-sensitive training (t uniform on T(r), kernel v(r, t)); ordinary sampling.
* :class:`StandardDiffusion` -- the standard model trained on the noisy samples as if clean (r ignored); fitted on
  clean data it is the **oracle**.
* :class:`RiskConditionalDiffusion` -- the risk-conditional guidance baseline: a network conditioned on r (null token
  with probability ``p_uncond``), sampled with (1 + gamma) s(x, t, r = 0) - gamma s(x, t, null).
* :class:`RiskVariableDiffusion` -- the "risk variable" baseline (App. A, Table 1): a standard model of the joint
  vector z = (x~, r) in 2D dimensions, sampled with the guidance -gamma r / |r| added to the score of the r part,
  which pulls the sampled risk towards 0; the x part is returned.
* :class:`RiskRegressorDiffusion` -- the "risk regressor" baseline (App. A, Table 1): the standard model plus a
  regressor rho(x~_t, t) = softplus(f(x~_t, t)) of the risk r, fitted by least squares on the standard forward
  process of the noisy samples, sampled with classifier-style guidance s(x, t) - gamma grad_x sum_j rho_j(x, t).

``members = M`` trains M independent networks at once (seeds or variants; data (M, N, D)); ``sample`` then returns
(M, n, D).  Sampling: ancestral DDPM for a :class:`DiscreteVP` kernel, Euler-Maruyama for :class:`VPSDE` /
:class:`VESDE`.  ``fit`` returns self; fitted attributes end in ``_``.
"""

from __future__ import annotations

import numpy as np
import torch

from lrtcheck.stats.validation import check_finite_array, check_nonnegative, check_positive_int

from .kernels import DiscreteVP, RiskKernel
from .network import TabularMLP
from .sampling import ddpm_sample, euler_maruyama_sample
from .training import PARAMETERIZATIONS, WEIGHTINGS, fit_network, implied_score

__all__ = ["RiskSensitiveDiffusion", "StandardDiffusion", "RiskConditionalDiffusion", "RiskVariableDiffusion",
           "RiskRegressorDiffusion"]


class RiskSensitiveDiffusion:
    """Risk-sensitive diffusion on tabular vectors.

    Parameters
    ----------
    kernel : a :class:`~lrtcheck.risk.kernels.RiskKernel` (its ``noise`` says Gaussian or Cauchy risk).
    parameterization : ``eps`` (default), ``score`` or ``denoiser``.  weighting : ``tamed`` (default) or ``paper``.
    length_weight : weight each sample by |T(r)| / |T(0)| (see :mod:`lrtcheck.risk.training`).
    edge : train on T_c(r) = {t : v^2 >= c v0^2} (c = ``edge``; 0 is the paper's T(r)).
    hidden, depth, time_features : network size.  steps, batch_size, lr : Adam with cosine decay.
    members : number of independent networks trained together.  seed : initialisation and training stream.
    sample_steps : Euler-Maruyama steps (continuous kernels).  device : torch device.
    """

    _conditional = False
    _use_risk = True

    def __init__(self, kernel: RiskKernel, *, parameterization: str = "eps", weighting: str = "tamed",
                 length_weight: bool = False, edge: float = 0.0, hidden: int = 128, depth: int = 3,
                 time_features: int = 16,
                 steps: int = 2000, batch_size: int = 256, lr: float = 2e-3, members: int = 1, seed: int = 0,
                 sample_steps: int = 200, device: str = "cpu"):
        if not isinstance(kernel, RiskKernel):
            raise ValueError(f"kernel must be a RiskKernel, got {kernel!r}")
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(f"parameterization must be one of {PARAMETERIZATIONS}, got {parameterization!r}")
        if weighting not in WEIGHTINGS:
            raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
        self.kernel = kernel
        self.parameterization = parameterization
        self.weighting = weighting
        self.length_weight = bool(length_weight)
        self.edge = float(edge)
        self.hidden = check_positive_int("hidden", hidden)
        self.depth = check_positive_int("depth", depth)
        self.time_features = check_positive_int("time_features", time_features, minimum=2)
        self.steps = check_positive_int("steps", steps)
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.lr = lr
        self.members = check_positive_int("members", members)
        self.seed = int(seed)
        self.sample_steps = check_positive_int("sample_steps", sample_steps)
        self.device = device

    # --- fitting -------------------------------------------------------------------------------------------------
    def _make_net(self, dim: int) -> TabularMLP:
        g = torch.Generator()
        g.manual_seed(self.seed)
        return TabularMLP(dim, self.hidden, self.depth, self.time_features,
                          cond_dim=dim if self._conditional else 0, members=self.members, generator=g)

    def fit(self, x, r=None):
        """Fit on samples ``x`` ((N, D) or (M, N, D)) with risk ``r`` (same shape; None = zero)."""
        x = check_finite_array("x", x)
        if x.ndim not in (2, 3):
            raise ValueError(f"x must have shape (N, D) or (M, N, D), got {x.shape}")
        dim = x.shape[-1]
        self.net_ = self._make_net(dim)
        rr = None
        if r is not None:
            rr = np.asarray(r, dtype=np.float64)
            if rr.shape != x.shape:
                rr = np.broadcast_to(rr, x.shape) if rr.ndim <= x.ndim else rr
        if not self._use_risk and not self._conditional:
            rr = None
        if self._conditional and rr is None:
            rr = np.zeros_like(x)
        self.log_ = fit_network(self.net_, self.kernel, x, rr, steps=self.steps, batch_size=self.batch_size,
                                lr=self.lr, seed=self.seed + 1, parameterization=self.parameterization,
                                weighting=self.weighting, length_weight=self.length_weight, edge=self.edge,
                                conditional=self._conditional, p_uncond=getattr(self, "p_uncond", 0.2),
                                device=self.device)
        self.dim_ = dim
        self.n_unusable_ = self.log_.n_unusable
        return self

    # --- model functions -----------------------------------------------------------------------------------------
    def _coeffs(self, t, x):
        k = self.kernel
        tt = torch.full(x.shape[:-1], float(t), device=x.device, dtype=x.dtype)
        if k.discrete:
            u = k.signal_scale(tt.long()).to(x.dtype)
            v0sq = k.clean_variance(tt.long()).to(x.dtype)
        else:
            u, v0sq = k.signal_scale(tt), k.clean_variance(tt)
        return tt, u.unsqueeze(-1), v0sq.unsqueeze(-1)

    def _output(self, x, tt):
        return self.net_(x, self.kernel.time_input(tt))

    def score(self, x: torch.Tensor, t) -> torch.Tensor:
        """The fitted score s(x, t) (x (M, B, D) or (B, D) tensor; t a number)."""
        tt, u, v0sq = self._coeffs(t, x)
        return implied_score(self._output(x, tt), x, u, v0sq, self.parameterization)

    def epsilon(self, x: torch.Tensor, t) -> torch.Tensor:
        """eps_hat = -v0 s."""
        _, _, v0sq = self._coeffs(t, x)
        return -v0sq.sqrt() * self.score(x, t)

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """n samples per member by the ordinary reverse process (r = 0); (n, D) for one member, else (M, n, D)."""
        if not hasattr(self, "net_"):
            raise ValueError("the model is not fitted; call fit first")
        n = check_positive_int("n", n)
        g = torch.Generator(device=self.device)
        g.manual_seed(int(seed))
        shape = (self.members, n, self.dim_)
        if isinstance(self.kernel, DiscreteVP):
            x = ddpm_sample(self.epsilon, self.kernel, shape, generator=g, device=self.device)
        else:
            x = euler_maruyama_sample(self.score, self.kernel, shape, steps=self.sample_steps, generator=g,
                                      device=self.device)
        out = x.detach().cpu().numpy().astype(np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError("sampling produced non-finite values (diverged); check the training configuration")
        return out[0] if self.members == 1 else out


class StandardDiffusion(RiskSensitiveDiffusion):
    """The standard model: trained as if every sample were clean (r ignored).  On clean data: the oracle."""

    _use_risk = False


class RiskConditionalDiffusion(RiskSensitiveDiffusion):
    """The risk-conditional guidance baseline: s_guided = (1 + gamma) s(x, t, r = 0) - gamma s(x, t, null)."""

    _conditional = True
    _use_risk = False

    def __init__(self, kernel: RiskKernel, *, guidance: float = 1.0, p_uncond: float = 0.2, **kwargs):
        super().__init__(kernel, **kwargs)
        self.guidance = check_nonnegative("guidance", guidance)
        self.p_uncond = p_uncond

    def _output(self, x, tt):
        tau = self.kernel.time_input(tt)
        zero = torch.zeros_like(x)
        cond = self.net_(x, tau, zero, torch.ones(x.shape[:-1], dtype=torch.bool, device=x.device))
        null = self.net_(x, tau, zero, torch.zeros(x.shape[:-1], dtype=torch.bool, device=x.device))
        return (1.0 + self.guidance) * cond - self.guidance * null


def _risk_like(x: np.ndarray, r) -> np.ndarray:
    """r as a finite, non-negative float64 array of x's shape (None: zeros)."""
    if r is None:
        return np.zeros_like(x)
    r = check_finite_array("r", r)
    if r.shape != x.shape:
        raise ValueError(f"r must have the shape of x {x.shape}, got {r.shape}")
    if np.any(r < 0):
        raise ValueError("r must be non-negative (a per-dimension standard deviation)")
    return r


class RiskVariableDiffusion(StandardDiffusion):
    """The "risk variable" baseline of arXiv 2402.02081 (App. A; Table 1): the risk is an extra variable.

    ``fit(x, r)`` trains the standard model on z = concat(x~, r) (dimension 2D, the clean forward process on z);
    sampling runs the reverse process on z with the score s(z, t) + gamma (0, -r / |r|) (r the last D coordinates of
    the current state, |r| its Euclidean norm, 1e-8 added), the gradient of -gamma |r|, which guides the sample towards
    zero risk, and returns the x part.  ``guidance`` is gamma >= 0 (0: the joint model's own x marginal).
    """

    def __init__(self, kernel: RiskKernel, *, guidance: float = 1.0, **kwargs):
        super().__init__(kernel, **kwargs)
        self.guidance = check_nonnegative("guidance", guidance)

    def fit(self, x, r=None):
        """Fit on ``x`` ((N, D) or (M, N, D)) and its risk ``r`` (same shape; None = zero)."""
        x = check_finite_array("x", x)
        if x.ndim not in (2, 3):
            raise ValueError(f"x must have shape (N, D) or (M, N, D), got {x.shape}")
        z = np.concatenate([x, _risk_like(x, r)], axis=-1)
        super().fit(z)
        self.data_dim_ = x.shape[-1]
        return self

    def score(self, x: torch.Tensor, t) -> torch.Tensor:
        """s(z, t) with the guidance -gamma r / |r| on the risk coordinates."""
        s = super().score(x, t)
        d = self.data_dim_
        r = x[..., d:]
        push = r / (torch.linalg.vector_norm(r, dim=-1, keepdim=True) + 1e-8)
        return torch.cat([s[..., :d], s[..., d:] - self.guidance * push], dim=-1)

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """n samples of the x part per member ((n, D), or (M, n, D) for an ensemble)."""
        return super().sample(n, seed=seed)[..., : self.data_dim_]


class RiskRegressorDiffusion(StandardDiffusion):
    """The "risk regressor" baseline of arXiv 2402.02081 (App. A; Table 1): classifier-style guidance by a risk
    regressor.

    ``fit(x, r)`` trains the standard model on x (r ignored) and, with ``regressor_steps`` Adam steps (same width,
    depth, batch size and learning rate), a second network f with rho(x~_t, t) = softplus(f(x~_t, t)) minimising
    E |rho(x~_t, t) - r|^2 over t uniform on T(0) and x~_t = u x~_0 + v0 eta (the standard forward process of the
    noisy sample).  The sampler uses s(x, t) - gamma grad_x sum_j rho_j(x, t) (``guidance`` gamma >= 0): the score
    of p_t(x) exp(-gamma sum_j rho_j), tilted towards samples the regressor rates as low-risk.
    """

    def __init__(self, kernel: RiskKernel, *, guidance: float = 1.0, regressor_steps: int | None = None, **kwargs):
        super().__init__(kernel, **kwargs)
        self.guidance = check_nonnegative("guidance", guidance)
        self.regressor_steps = self.steps if regressor_steps is None else check_positive_int(
            "regressor_steps", regressor_steps)

    def fit(self, x, r=None):
        """Fit the standard model on ``x`` and the risk regressor on (x, ``r``) (same shape; None = zero)."""
        x = check_finite_array("x", x)
        if x.ndim not in (2, 3):
            raise ValueError(f"x must have shape (N, D) or (M, N, D), got {x.shape}")
        r = _risk_like(x, r)
        super().fit(x)
        xm, rm = (x[None], r[None]) if x.ndim == 2 else (x, r)
        M, N, D = xm.shape
        if M != self.members:
            raise ValueError(f"x must have {self.members} member(s) on its first axis, got {M}")
        g = torch.Generator()
        g.manual_seed(self.seed + 2)
        self.regressor_ = TabularMLP(D, self.hidden, self.depth, self.time_features, members=M, generator=g).to(
            self.device)
        opt = torch.optim.Adam(self.regressor_.parameters(), lr=self.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.regressor_steps)
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, 3]))
        B = min(self.batch_size, N)
        xt_all = torch.as_tensor(xm, dtype=torch.float32, device=self.device)
        rt_all = torch.as_tensor(rm, dtype=torch.float32, device=self.device)
        rows = torch.arange(M, device=self.device)[:, None]
        losses = np.empty(self.regressor_steps)
        for step in range(self.regressor_steps):
            idx = torch.as_tensor(rng.integers(0, N, (M, B)), device=self.device)
            t, _ = self.kernel.sample_time(np.zeros((M * B, 1)), rng, clean=True)
            u = torch.as_tensor(self.kernel.signal_scale(t), dtype=torch.float32, device=self.device).reshape(M, B, 1)
            v0 = torch.as_tensor(np.sqrt(self.kernel.clean_variance(t)), dtype=torch.float32,
                                 device=self.device).reshape(M, B, 1)
            eta = torch.as_tensor(rng.standard_normal((M, B, D)), dtype=torch.float32, device=self.device)
            xt = u * xt_all[rows, idx] + v0 * eta
            tau = self.kernel.time_input(torch.as_tensor(t, dtype=torch.float32, device=self.device).reshape(M, B))
            pred = torch.nn.functional.softplus(self.regressor_(xt, tau))
            loss = ((pred - rt_all[rows, idx]) ** 2).sum(-1).mean(-1)  # per member: members do not interact
            opt.zero_grad()
            loss.sum().backward()
            opt.step()
            sched.step()
            losses[step] = float(loss.detach().mean())
        self.regressor_losses_ = losses
        return self

    def predicted_risk(self, x: torch.Tensor, t) -> torch.Tensor:
        """rho(x, t) = softplus(f(x, t)) (x (M, B, D) or (B, D) tensor; t a number)."""
        tt, _, _ = self._coeffs(t, x)
        return torch.nn.functional.softplus(self.regressor_(x, self.kernel.time_input(tt)))

    def score(self, x: torch.Tensor, t) -> torch.Tensor:
        """s(x, t) - gamma grad_x sum_j rho_j(x, t)."""
        s = super().score(x, t)
        if self.guidance == 0.0:
            return s
        with torch.enable_grad():
            xg = x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.predicted_risk(xg, t).sum(), xg)
        return s - self.guidance * grad.detach()
