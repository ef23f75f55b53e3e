"""Risk-sensitive forward kernels: discrete VP (DDPM), continuous VP SDE, VE SDE; Gaussian and Cauchy noise.

A noisy sample (x~_0, r) is perturbed by (arXiv 2402.02081, Thm 3.1 / E.1, Lemma E.1; docs/methods/risk_sensitive.md
§3)

    x~_t = u(t) x~_0 + v(r, t) eta,     v(r, t)^2 = max(v(0, t)^2 - u(t)^2 psi(r), 0)   (per dimension),

with the clean drift u and clean noise variance v(0, t)^2, psi(r) = r^2 for Gaussian noise (r a standard deviation)
and the Cauchy psi of Cor. 3.2 / G.3 otherwise (VP: Psi(u, r) = -psi(u r) = -u^2 psi(r), since psi is homogeneous of
degree 2).  The stability interval is T(r) = {t : v(r, t) > 0 in every dimension} = {t : v0(t)^2 > u(t)^2 rho},
rho = max(0, max_j psi_j(r)).  Inside it, for Gaussian noise, the noisy marginal equals the clean one exactly
(u^2 r^2 + v^2 = v0^2).

* :class:`DiscreteVP` (DDPM, t = 1..T): u = sqrt(ab_t), v0^2 = 1 - ab_t; stable when ab_t (1 + rho) < 1.
* :class:`VPSDE` (t in [0, 1], beta(t) = beta_min + t (beta_max - beta_min)): u = sqrt(alpha(t)),
  alpha(t) = exp(-(beta_min t + (beta_max - beta_min) t^2 / 2)); T(r) = (t_low, 1] with t_low the positive root of
  beta_min t + (beta_max - beta_min) t^2 / 2 = ln(1 + rho) (Cor. 3.1 / G.2; r = 1 gives 0.259, Fig. 2).
* :class:`VESDE` (t in [0, 1], sigma(t) = sigma_min (sigma_max / sigma_min)^t): u = 1, v0^2 = sigma(t)^2 - sigma_min^2;
  T(r) = (t_low, 1], t_low = ln(1 + rho / sigma_min^2) / (2 ln(sigma_max / sigma_min)) (Cor. G.1, with the sigma(0)^2
  the paper drops).

Every coefficient function accepts numpy arrays (float64) or torch tensors (any device) for t.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.stats.validation import check_bool, check_open_unit, check_positive, check_rng

from ._validation import check_option, finite_real_array
from .psi import NOISES, as_risk, effective_psi

__all__ = ["RiskKernel", "DiscreteVP", "VPSDE", "VESDE", "StabilityInterval"]


def _is_torch(x) -> bool:
    return type(x).__module__.startswith("torch")


def _exp(x):
    if _is_torch(x):
        return x.exp()
    return np.exp(x)


def _broadcast(names: str, *shapes) -> tuple:
    """np.broadcast_shapes, with a ValueError naming the parameters when the shapes do not broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"{names} must have shapes that broadcast together, got "
                         f"{', '.join(str(s) for s in shapes)}") from None


class StabilityInterval(tuple):
    """(t_low, t_high): T(r) = (t_low, t_high] (continuous) or {t_low..t_high} (discrete); empty when t_low > t_high
    (discrete) or t_low >= t_high (continuous).  Entries are floats for one risk vector, arrays for a batch; both
    finite real numbers of the same shape (checked)."""

    __slots__ = ()

    def __new__(cls, low, high):
        lo = finite_real_array("low", low, nonempty=False)
        hi = finite_real_array("high", high, nonempty=False)
        if lo.shape != hi.shape:
            raise ValueError(f"low and high must have the same shape, got {lo.shape} and {hi.shape}")
        if lo.ndim == 0:
            return super().__new__(cls, (float(lo), float(hi)))
        return super().__new__(cls, (lo, hi))

    @property
    def low(self):
        return self[0]

    @property
    def high(self):
        return self[1]


class RiskKernel:
    """Common machinery.  Subclasses define ``signal_scale(t)`` (u), ``clean_variance(t)`` (v0^2),
    ``_t_low(rho)`` and the time domain."""

    discrete: bool = False
    t_max: float = 1.0

    def __init__(self, noise: str = "gaussian", cauchy_form: str = "paper", t_eps: float = 1e-3):
        check_option("noise", noise, NOISES)
        check_option("cauchy_form", cauchy_form, ("paper", "derived"))
        self.noise = noise
        self.cauchy_form = cauchy_form
        self.t_eps = check_open_unit("t_eps", t_eps)

    # --- psi and the binding dimension ---------------------------------------------------------------------------
    def psi(self, r) -> np.ndarray:
        """Per-dimension effective variance the noisy sample carries (r^2, or the Cauchy psi)."""
        return effective_psi(r, self.noise, cauchy_form=self.cauchy_form)

    def rho(self, r) -> np.ndarray:
        """rho(r) = max(0, max_j psi_j(r)) per risk vector (last axis = dimension); a float for one vector."""
        p = self.psi(r)
        if p.ndim == 0:
            return float(max(p, 0.0))
        if p.shape[-1] == 0:
            raise ValueError(f"r must have at least one dimension (D >= 1) on its last axis, got shape {p.shape}")
        out = np.maximum(p.max(axis=-1), 0.0)
        return float(out) if out.ndim == 0 else out

    # --- coefficients --------------------------------------------------------------------------------------------
    def signal_scale(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def clean_variance(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def noise_variance(self, r, t) -> np.ndarray:
        """v(r, t)^2 = max(v0(t)^2 - u(t)^2 psi(r), 0), per dimension; ``t`` broadcast against r's rows."""
        p = self.psi(r)
        t = self._check_t(t)
        u2 = self.signal_scale(t) ** 2
        v02 = self.clean_variance(t)
        if p.ndim == 2 and np.ndim(t) == 1:
            if t.shape[0] != p.shape[0]:
                raise ValueError(f"t must have one entry per row of r ({p.shape[0]}), got shape {t.shape}")
            u2, v02 = u2[:, None], v02[:, None]
        _broadcast("r and t", p.shape, np.shape(u2))
        return np.maximum(v02 - u2 * p, 0.0)

    def time_input(self, t):
        """The network's time input in [0, 1] (a torch tensor is passed through unchecked: the training hot path)."""
        if _is_torch(t):
            return t
        return self._check_t(t)

    # --- stability -----------------------------------------------------------------------------------------------
    def stability_interval(self, r) -> StabilityInterval:
        """T(r) for a risk vector (shape () or (D,)): floats; for a batch (n, D): arrays of shape (n,)."""
        rho = self.rho(as_risk(r))
        low = self._t_low(np.asarray(rho, dtype=np.float64))
        high = np.full_like(low, self.t_max, dtype=np.float64)
        if np.ndim(low) == 0:
            return StabilityInterval(float(low), float(high))
        return StabilityInterval(low, high)

    def is_stable(self, r, t) -> np.ndarray:
        """Whether t lies in T(r): v(r, t) > 0 in every dimension (bool per row)."""
        v2 = self.noise_variance(r, t)
        return np.all(v2 > 0.0, axis=-1) if v2.ndim else bool(v2 > 0)

    def _check_t(self, t):
        t = finite_real_array("t", t, nonempty=False)
        lo = 1 if self.discrete else 0.0
        if np.any(t < lo) or np.any(t > self.t_max):
            raise ValueError(f"t must lie in [{lo}, {self.t_max}], got range [{t.min()}, {t.max()}]")
        return t

    # --- training draws (numpy) ----------------------------------------------------------------------------------
    def sample_time(self, r, rng: np.random.Generator, *, clean: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """t uniform on each row's T(r) (intersected with [t_eps, t_max] for continuous times).

        Returns (t, usable): rows whose T(r) is empty get ``usable = False`` (and an arbitrary t = t_max).  With
        ``clean=True`` the risk is ignored (T(0)).
        """
        r = as_risk(r)
        if r.ndim != 2:
            raise ValueError(f"r must have shape (n, D) for sampling, got {r.shape}")
        rng = check_rng("rng", rng)
        clean = check_bool("clean", clean)
        rho = np.zeros(r.shape[0]) if clean else np.asarray(self.rho(r), dtype=np.float64).reshape(-1)
        low = np.asarray(self._t_low(rho), dtype=np.float64)
        u = rng.random(r.shape[0])
        if self.discrete:
            lo = np.maximum(low, 1).astype(np.int64)
            usable = lo <= self.T
            span = np.where(usable, self.T - lo + 1, 1)
            t = np.where(usable, lo + np.floor(u * span).astype(np.int64), self.T).astype(np.float64)
            return t, usable
        lo = np.maximum(low, self.t_eps)
        usable = lo < self.t_max
        t = np.where(usable, self.t_max - u * (self.t_max - lo), self.t_max)  # in (lo, t_max]
        return t, usable

    def interval_length(self, r, *, clean: bool = False) -> np.ndarray:
        """|T(r)| (number of steps, or length within [t_eps, t_max])."""
        r = as_risk(r)
        clean = check_bool("clean", clean)
        if clean and r.ndim == 0:
            raise ValueError("r must have shape (n,) or (n, D) with clean=True (one length per row), got shape ()")
        rho = np.zeros(r.shape[0]) if clean else np.asarray(self.rho(r), dtype=np.float64).reshape(-1)
        low = np.asarray(self._t_low(rho), dtype=np.float64)
        if self.discrete:
            return np.maximum(self.T - np.maximum(low, 1) + 1, 0.0)
        return np.maximum(self.t_max - np.maximum(low, self.t_eps), 0.0)

    def perturb(self, x0, r, t, eta) -> np.ndarray:
        """x~_t = u(t) x~_0 + v(r, t) eta (float64); refuses t outside T(r) of any row."""
        x0 = finite_real_array("x0", x0, ndim=2, nonempty=False)
        try:
            r = as_risk(r, x0.shape)
        except ValueError as exc:
            raise ValueError(f"{exc} (x0 has shape {x0.shape})") from None
        eta = finite_real_array("eta", eta, nonempty=False)
        if eta.shape != x0.shape:
            raise ValueError(f"eta must have the shape of x0 {x0.shape}, got {eta.shape}")
        t = self._check_t(t)
        if t.shape not in ((), (x0.shape[0],)):
            raise ValueError(f"t must be a scalar or have one entry per row of x0 ({x0.shape[0]}), got shape "
                             f"{t.shape}")
        t = np.broadcast_to(t, (x0.shape[0],))
        v2 = self.noise_variance(r, t)
        if np.any(v2 <= 0.0):
            raise ValueError("t must lie inside the stability interval T(r) of every row (v(r, t) > 0)")
        return self.signal_scale(t)[:, None] * x0 + np.sqrt(v2) * eta

    def describe(self) -> str:  # pragma: no cover - trivial
        return repr(self)


class DiscreteVP(RiskKernel):
    """Discrete VP (DDPM) kernel on a :class:`~lrtcheck.diffusion.Schedule`; t = 1..T, time input t / T."""

    discrete = True

    def __init__(self, schedule, noise: str = "gaussian", cauchy_form: str = "paper"):
        if not all(hasattr(schedule, a) for a in ("T", "betas", "alphas", "alpha_bars", "variance")):
            raise ValueError(f"schedule must be a lrtcheck.diffusion.Schedule (T, betas, alphas, alpha_bars, "
                             f"variance), got {type(schedule).__name__}")
        super().__init__(noise, cauchy_form)
        self.schedule = schedule
        self.T = int(schedule.T)
        self.t_max = self.T
        self._ab = np.asarray(schedule.alpha_bars, dtype=np.float64)

    def __repr__(self) -> str:
        return f"DiscreteVP({self.schedule.name}, noise={self.noise!r})"

    def _lookup(self, t):
        if _is_torch(t):
            import torch

            ab = torch.as_tensor(self._ab, device=t.device, dtype=t.dtype if t.is_floating_point() else torch.float64)
            return ab[t.long() - 1]
        t = self._check_t(t)
        return self._ab[np.asarray(t).astype(np.int64) - 1]

    def signal_scale(self, t):
        ab = self._lookup(t)
        return ab.sqrt() if _is_torch(ab) else np.sqrt(ab)

    def clean_variance(self, t):
        return 1.0 - self._lookup(t)

    def _check_t(self, t):
        t = super()._check_t(t)
        if np.any(np.mod(t, 1) != 0):
            raise ValueError("t must be an integer step in 1..T for the discrete VP kernel")
        return t

    def _t_low(self, rho):
        # smallest t with ab_t (1 + rho) < 1; T + 1 when none (ab decreasing in t)
        rho = np.asarray(rho, dtype=np.float64)
        bad = self._ab[None, :] * (1.0 + rho.reshape(-1, 1)) >= 1.0  # True for unstable t
        first = np.where(bad.all(axis=1), self.T + 1, np.argmin(bad, axis=1) + 1).astype(np.float64)
        return first.reshape(rho.shape) if rho.ndim else float(first[0])

    def time_input(self, t):
        if _is_torch(t):
            return t / self.T
        return self._check_t(t) / self.T


class VPSDE(RiskKernel):
    """Continuous VP SDE with beta(t) = beta_min + t (beta_max - beta_min), t in [0, 1] (Song et al. 2021)."""

    def __init__(self, beta_min: float = 0.1, beta_max: float = 20.0, noise: str = "gaussian",
                 cauchy_form: str = "paper", t_eps: float = 1e-3):
        super().__init__(noise, cauchy_form, t_eps)
        self.beta_min = check_positive("beta_min", beta_min)
        self.beta_max = check_positive("beta_max", beta_max)
        if self.beta_max < self.beta_min:
            raise ValueError(f"beta_max must be >= beta_min (got {beta_min}, {beta_max})")

    def __repr__(self) -> str:
        return f"VPSDE(beta_min={self.beta_min}, beta_max={self.beta_max}, noise={self.noise!r})"

    def log_alpha(self, t):
        """ln alpha(t) = -(beta_min t + (beta_max - beta_min) t^2 / 2)."""
        if not _is_torch(t):
            t = self._check_t(t)
        return -(self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t * t)

    def beta(self, t):
        if not _is_torch(t):
            t = self._check_t(t)
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def signal_scale(self, t):
        return _exp(0.5 * self.log_alpha(t))

    def clean_variance(self, t):
        la = self.log_alpha(t)
        return -la.expm1() if _is_torch(la) else -np.expm1(la)

    def _t_low(self, rho):
        # exact positive root of beta_min t + (beta_max - beta_min) t^2 / 2 = ln(1 + rho)
        rho = np.asarray(rho, dtype=np.float64)
        L = np.log1p(rho)
        a = 0.5 * (self.beta_max - self.beta_min)
        b = self.beta_min
        if a == 0.0:
            out = L / b
        else:
            out = 2.0 * L / (b + np.sqrt(b * b + 4.0 * a * L))  # stable form of (-b + sqrt(b^2 + 4aL)) / (2a)
        return float(out) if out.ndim == 0 else out

    def drift_diffusion(self, x, t):
        """Clean forward SDE: f(x, t) = -beta(t) x / 2, g(t)^2 = beta(t)."""
        b = self.beta(t)
        if not _is_torch(x):
            x = finite_real_array("x", x, nonempty=False)
            _broadcast("x and t", x.shape, np.shape(b))
        return -0.5 * b * x, b


class VESDE(RiskKernel):
    """Continuous VE SDE with sigma(t) = sigma_min (sigma_max / sigma_min)^t, t in [0, 1]; u = 1."""

    def __init__(self, sigma_min: float = 0.01, sigma_max: float = 10.0, noise: str = "gaussian",
                 cauchy_form: str = "paper", t_eps: float = 1e-3):
        super().__init__(noise, cauchy_form, t_eps)
        self.sigma_min = check_positive("sigma_min", sigma_min)
        self.sigma_max = check_positive("sigma_max", sigma_max)
        if self.sigma_max <= self.sigma_min:
            raise ValueError(f"sigma_max must be > sigma_min (got {sigma_min}, {sigma_max})")
        for name, v in (("sigma_min", self.sigma_min), ("sigma_max", self.sigma_max)):
            if not 1e-150 <= v <= 1e150:  # keeps sigma^2, g^2 = 2 ln(sigma_max / sigma_min) sigma^2 finite
                raise ValueError(f"{name} must lie in [1e-150, 1e150], got {v!r}")
        self._log_ratio = math.log(self.sigma_max / self.sigma_min)

    def __repr__(self) -> str:
        return f"VESDE(sigma_min={self.sigma_min}, sigma_max={self.sigma_max}, noise={self.noise!r})"

    def sigma(self, t):
        """sigma(t) = sigma_min (sigma_max / sigma_min)^t."""
        if not _is_torch(t):
            t = self._check_t(t)
        return self.sigma_min * _exp(self._log_ratio * t)

    def signal_scale(self, t):
        if _is_torch(t):
            return t * 0.0 + 1.0
        return np.ones_like(self._check_t(t))

    def clean_variance(self, t):
        if not _is_torch(t):
            t = self._check_t(t)
        x = 2.0 * self._log_ratio * t
        with np.errstate(over="ignore"):
            out = self.sigma_min**2 * (x.expm1() if _is_torch(x) else np.expm1(x))
        if not _is_torch(x) and np.any(x > 700.0):
            # expm1 overflows there while sigma(t)^2 is finite: sigma_min^2 expm1(x) = exp(2 ln sigma_min + x) to
            # rounding (x > 700)
            out = np.where(x > 700.0, np.exp(2.0 * math.log(self.sigma_min) + x), out)
        return out

    def _t_low(self, rho):
        rho = np.asarray(rho, dtype=np.float64)
        with np.errstate(over="ignore"):
            out = np.log1p(rho / self.sigma_min**2) / (2.0 * self._log_ratio)
        big = ~np.isfinite(out)
        if np.any(big):  # rho / sigma_min^2 overflowed: there ln(1 + ratio) = ln rho - 2 ln sigma_min to rounding
            with np.errstate(divide="ignore"):
                out = np.where(big, (np.log(rho) - 2.0 * math.log(self.sigma_min)) / (2.0 * self._log_ratio), out)
        return float(out) if out.ndim == 0 else out

    def drift_diffusion(self, x, t):
        """f = 0, g(t)^2 = d sigma^2 / dt = 2 ln(sigma_max/sigma_min) sigma(t)^2."""
        s = self.sigma(t)
        if not _is_torch(x):
            x = finite_real_array("x", x, nonempty=False)
            _broadcast("x and t", x.shape, np.shape(s))
        return 0.0 * x, 2.0 * self._log_ratio * s * s

