"""Exact noise predictors eps*(x, t) of Gaussian-mixture data (docs/methods/diffusion.md §5).

For data p_0 = sum_k pi_k N(m_k, s_k^2 I) the forward marginal at noise level alpha_bar is the GMM

    p_t(x) = sum_k pi_k N(x; sqrt(alpha_bar) m_k, c_k I),     c_k = alpha_bar s_k^2 + 1 - alpha_bar,

with responsibilities w_k(x) = softmax_k(log pi_k - ||x - sqrt(ab) m_k||^2 / (2 c_k) - (d/2) log c_k) (computed by
log-sum-exp), score grad log p_t(x) = -sum_k w_k (x - sqrt(ab) m_k) / c_k, and the minimiser of the eps-loss

    eps*(x, t) = E[eps | x_t = x] = -sqrt(1 - ab) grad log p_t(x) = sqrt(1 - ab) sum_k w_k (x - sqrt(ab) m_k) / c_k.

Tweedie's posterior mean: E[x_0 | x_t = x] = sum_k w_k [m_k + sqrt(ab) s_k^2 (x - sqrt(ab) m_k) / c_k]
(a version of this formula in circulation omits the factor sqrt(ab); Tweedie's formula (x + (1-ab) score)/sqrt(ab)
has it: docs/methods/diffusion.md §5).

:class:`GaussianMixtureHead` has fixed means; :class:`ConditionalGaussianMixtureHead` has means affine in a state,
m_k(s) = A_k s + b_k (the contextual toy of ``lrtcheck.lrt.toy``).  Both take the noise level as ``alpha_bar`` (a
number, or one per row), so they know no schedule; :class:`ExactTwoHead` binds a (background, good) pair to a
schedule and gives the two-head protocol ``heads(states, actions, t) -> (eps_u, eps_c)`` (t = 1..T) with one fused
evaluation of both mixtures.  Every method has a numpy float64 path and a torch path (``*_torch``, any device).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import softmax

from lrtcheck.diffusion._validate import (MAX_SAMPLES, check_finite_array, generator, int_array, real_array, strict_int,
                                          tensor_input)
from lrtcheck.stats.validation import check_real
from lrtcheck.stats.validation import check_stochastic

__all__ = ["GaussianMixtureHead", "ConditionalGaussianMixtureHead", "ExactTwoHead"]


def _check_alpha_bar(alpha_bar, n_rows: int | None = None) -> np.ndarray:
    ab = check_finite_array("alpha_bar", alpha_bar)
    if np.any(ab <= 0.0) or np.any(ab > 1.0):
        raise ValueError("alpha_bar must lie in (0, 1]")
    if ab.ndim > 1 or (ab.ndim == 1 and n_rows is not None and ab.shape[0] != n_rows):
        raise ValueError(f"alpha_bar must be a number or have one entry per row ({n_rows}), got shape {ab.shape}")
    return ab


def _check_alpha_bar_scalar(alpha_bar) -> float:
    """One noise level alpha_bar in (0, 1] (the torch paths take a single number)."""
    ab = check_real("alpha_bar", alpha_bar)
    if not 0.0 < ab <= 1.0:
        raise ValueError(f"alpha_bar must lie in (0, 1], got {alpha_bar!r}")
    return ab


def _prep_mixture(stds, weights, K: int) -> tuple[np.ndarray, np.ndarray]:
    s = check_finite_array("stds", stds)
    if s.ndim == 0:
        s = np.full(K, float(s))
    if s.shape != (K,):
        raise ValueError(f"stds must be a number or have shape ({K},) (one per row of means or slopes), got {s.shape}")
    if np.any(s <= 0.0):
        raise ValueError("stds must be > 0")
    if weights is None:
        w = np.full(K, 1.0 / K)
    else:
        w = check_stochastic("weights", real_array("weights", weights).reshape(-1))
        if w.shape != (K,):
            raise ValueError(f"weights must have shape ({K},), got {w.shape}")
    return s, w


def _gmm_numpy(x: np.ndarray, means: np.ndarray, stds: np.ndarray, log_w: np.ndarray, ab) -> tuple:
    """Shared float64 kernel.  ``means`` (K, d) or (B, K, d); ``ab`` scalar or (B,).

    Returns (responsibilities (B, K), diff (B, K, d) = x - sqrt(ab) m, c (B or 1, K)).
    """
    ab = np.asarray(ab, dtype=np.float64)
    sab = np.sqrt(ab)
    if ab.ndim == 1:
        sab_b = sab[:, None, None]
        c = ab[:, None] * stds[None, :] ** 2 + (1.0 - ab[:, None])
    else:
        sab_b = sab
        c = (ab * stds**2 + (1.0 - ab))[None, :]
    m = means if means.ndim == 3 else means[None, :, :]
    diff = x[:, None, :] - sab_b * m
    sq = np.einsum("bkd,bkd->bk", diff, diff)
    d = x.shape[1]
    logits = log_w[None, :] - sq / (2.0 * c) - 0.5 * d * np.log(c)
    r = softmax(logits, axis=1)  # shifted by the row max: finite at any x
    return r, diff, c


def _lastsum(x):
    """Sum over the last (small) axis as a matrix-vector product (torch's reduction over a tiny inner axis is ~15x
    slower than a GEMV on CPU)."""
    n = x.shape[-1]
    ones = x.new_ones(n)
    return (x.reshape(-1, n) @ ones).reshape(x.shape[:-1])


def _small_softmax(logits):
    """Softmax over axis 1 for a handful of components (a loop over K instead of a slow tiny-axis reduction)."""
    import torch

    K = logits.shape[1]
    if K == 1:
        return torch.ones_like(logits)
    if K > 16:
        return torch.softmax(logits, dim=1)
    mx = logits[:, 0]
    for k in range(1, K):
        mx = torch.maximum(mx, logits[:, k])
    e = torch.exp(logits - mx.unsqueeze(1))
    return e / _lastsum(e).unsqueeze(1)


def _gmm_torch(x, means, stds, log_w, ab: float):
    """Torch kernel for one noise level ``ab`` (a Python float): returns (resp (B,K), diff (B,K,d), c (K,))."""
    import torch

    sab = math.sqrt(ab)
    c = ab * stds**2 + (1.0 - ab)
    m = means if means.dim() == 3 else means.unsqueeze(0)
    diff = x.unsqueeze(1) - sab * m
    sq = _lastsum(diff * diff)
    d = x.shape[1]
    logits = log_w - sq / (2.0 * c) - 0.5 * d * torch.log(c)
    r = _small_softmax(logits)
    return r, diff, c


_NO_X = object()  # "no x given" (``x=None`` is refused by name, not taken as absent)


class _MixtureBase:
    """Common mixture attributes: stds (K,), weights (K,), dimension."""

    stds: np.ndarray
    weights: np.ndarray
    dim: int

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    def component_variances(self, alpha_bar) -> np.ndarray:
        """c_k(t) = alpha_bar s_k^2 + 1 - alpha_bar (per component; per row when alpha_bar is an array)."""
        ab = _check_alpha_bar(alpha_bar)
        if ab.ndim == 1:
            return ab[:, None] * self.stds[None, :] ** 2 + (1.0 - ab[:, None])
        return ab * self.stds**2 + (1.0 - ab)

    def _torch_params(self, device, dtype):
        import torch

        key = (str(device), dtype)
        cache = self.__dict__.setdefault("_torch_cache", {})
        if key not in cache:
            cache[key] = (torch.as_tensor(self.stds, device=device, dtype=dtype),
                          torch.as_tensor(np.log(self.weights), device=device, dtype=dtype))
        return cache[key]


class GaussianMixtureHead(_MixtureBase):
    """Exact eps* of p_0 = sum_k pi_k N(m_k, s_k^2 I) (docs/methods/diffusion.md §5).

    Parameters
    ----------
    means : (K, d) component means (a (d,) vector means K = 1).
    stds : (K,) isotropic standard deviations s_k (or one number for all).
    weights : (K,) mixture weights pi_k summing to 1 (uniform when ``None``).
    """

    conditional = False

    def __init__(self, means, stds, weights=None):
        m = check_finite_array("means", means)
        if m.ndim == 1:
            m = m[None, :]
        if m.ndim != 2 or m.shape[0] < 1 or m.shape[1] < 1:
            raise ValueError(f"means must have shape (K, d), got {np.shape(means)}")
        self.means = m
        self.dim = int(m.shape[1])
        self.stds, self.weights = _prep_mixture(stds, weights, m.shape[0])

    def __repr__(self) -> str:
        return f"GaussianMixtureHead(K={self.n_components}, d={self.dim})"

    # --- numpy float64 -------------------------------------------------------------------------------------------
    def _x(self, x) -> np.ndarray:
        x = check_finite_array("x", x)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x must have shape (B, {self.dim}), got {x.shape}")
        return x

    def responsibilities(self, x, alpha_bar) -> np.ndarray:
        """w_k(x, t) (B, K), by log-sum-exp."""
        x = self._x(x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        return _gmm_numpy(x, self.means, self.stds, np.log(self.weights), ab)[0]

    def score(self, x, alpha_bar) -> np.ndarray:
        """grad_x log p_t(x) = -sum_k w_k (x - sqrt(ab) m_k) / c_k."""
        x = self._x(x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        r, diff, c = _gmm_numpy(x, self.means, self.stds, np.log(self.weights), ab)
        return -np.einsum("bk,bkd->bd", r / c, diff)

    def epsilon(self, x, alpha_bar) -> np.ndarray:
        """eps*(x, t) = -sqrt(1 - ab) grad log p_t(x), float64 (B, d)."""
        x = self._x(x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        scale = np.sqrt(1.0 - ab)[..., None] if ab.ndim else math.sqrt(1.0 - ab)
        return -scale * self.score(x, ab)

    def posterior_mean(self, x, alpha_bar) -> np.ndarray:
        """Tweedie: E[x_0 | x_t = x] = sum_k w_k [m_k + sqrt(ab) s_k^2 (x - sqrt(ab) m_k) / c_k]."""
        x = self._x(x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        r, diff, c = _gmm_numpy(x, self.means, self.stds, np.log(self.weights), ab)
        sab = np.sqrt(ab)[:, None] if ab.ndim else np.sqrt(ab)
        return r @ self.means + sab * np.einsum("bk,bkd->bd", r * self.stds[None, :] ** 2 / c, diff)

    def log_prob(self, x, alpha_bar=1.0) -> np.ndarray:
        """log p_t(x) (log p_0 at alpha_bar = 1)."""
        x = self._x(x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        c = np.broadcast_to(self.component_variances(ab), (x.shape[0], self.n_components))
        sab = np.sqrt(ab)[:, None, None] if ab.ndim else np.sqrt(ab)
        diff = x[:, None, :] - sab * self.means[None]
        sq = np.einsum("bkd,bkd->bk", diff, diff)
        lp = np.log(self.weights)[None] - sq / (2 * c) - 0.5 * self.dim * np.log(2 * np.pi * c)
        mx = lp.max(axis=1, keepdims=True)
        return (mx + np.log(np.exp(lp - mx).sum(axis=1, keepdims=True)))[:, 0]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws from p_0 (float64)."""
        n = strict_int("n", n, minimum=0, maximum=MAX_SAMPLES)
        rng = generator("rng", rng)
        k = rng.choice(self.n_components, size=int(n), p=self.weights)
        return self.means[k] + self.stds[k, None] * rng.standard_normal((int(n), self.dim))

    def subset(self, components) -> "GaussianMixtureHead":
        """The mixture restricted to ``components`` and renormalised (exact "good" head, note section 4.3)."""
        idx = int_array("components", np.atleast_1d(np.asarray(components)))
        if idx.size == 0 or np.any(idx < 0) or np.any(idx >= self.n_components):
            raise ValueError(f"components must be non-empty indices in [0, {self.n_components})")
        w = self.weights[idx]
        return GaussianMixtureHead(self.means[idx], self.stds[idx], w / w.sum())

    # --- torch ---------------------------------------------------------------------------------------------------
    def means_torch(self, states, device, dtype):
        import torch

        cache = self.__dict__.setdefault("_torch_means", {})
        key = (str(device), dtype)
        if key not in cache:
            cache[key] = torch.as_tensor(self.means, device=device, dtype=dtype)
        return cache[key]

    def epsilon_torch(self, x, alpha_bar: float, states=None):
        """Torch eps*(x, t) for one noise level (same dtype and device as ``x``)."""
        x = tensor_input("x", x, ndim=2, cols=self.dim)
        alpha_bar = _check_alpha_bar_scalar(alpha_bar)
        stds, log_w = self._torch_params(x.device, x.dtype)
        r, diff, c = _gmm_torch(x, self.means_torch(states, x.device, x.dtype), stds, log_w, float(alpha_bar))
        return math.sqrt(1.0 - float(alpha_bar)) * torch_einsum_resp(r / c, diff)


def torch_einsum_resp(rc, diff):
    """sum_k rc[b, k] diff[b, k, :] (a batched matrix-vector product)."""
    if diff.shape[1] == 1:
        return rc[:, :1] * diff[:, 0]
    return _lastsum((rc.unsqueeze(-1) * diff).transpose(1, 2))


class ConditionalGaussianMixtureHead(_MixtureBase):
    """Exact eps* of p_0(a | s) = sum_k pi_k N(A_k s + b_k, s_k^2 I): means affine in the state s.

    Parameters
    ----------
    slopes : (K, d, d_s) matrices A_k.
    intercepts : (K, d) vectors b_k.
    stds, weights : as for :class:`GaussianMixtureHead` (state-independent).
    """

    conditional = True

    def __init__(self, slopes, intercepts, stds, weights=None):
        A = check_finite_array("slopes", slopes)
        b = check_finite_array("intercepts", intercepts)
        if A.ndim != 3 or 0 in A.shape:
            raise ValueError(f"slopes must have shape (K, d, d_s) with K, d, d_s >= 1, got {A.shape}")
        if b.shape != A.shape[:2]:
            raise ValueError(f"intercepts must have shape {A.shape[:2]}, got {b.shape}")
        self.slopes, self.intercepts = A, b
        self.dim = int(A.shape[1])
        self.state_dim = int(A.shape[2])
        self.stds, self.weights = _prep_mixture(stds, weights, A.shape[0])

    def __repr__(self) -> str:
        return f"ConditionalGaussianMixtureHead(K={self.n_components}, d={self.dim}, d_s={self.state_dim})"

    def _sx(self, states, x=_NO_X):
        s = check_finite_array("states", states)
        if s.ndim == 1:
            s = s[None, :]
        if s.ndim != 2 or s.shape[1] != self.state_dim:
            raise ValueError(f"states must have shape (B, {self.state_dim}), got {s.shape}")
        if s.shape[0] == 0:
            raise ValueError(f"states must not be empty (shape (B, {self.state_dim}) with B >= 1)")
        if x is _NO_X:
            return s, None
        x = check_finite_array("x", x)
        if x.ndim == 1:
            x = x[None, :]
        if x.shape != (s.shape[0], self.dim):
            raise ValueError(f"x must have shape ({s.shape[0]}, {self.dim}), got {x.shape}")
        return s, x

    def means_at(self, states) -> np.ndarray:
        """m_k(s) = A_k s + b_k, shape (B, K, d)."""
        s, _ = self._sx(states)
        return np.einsum("kde,be->bkd", self.slopes, s) + self.intercepts[None]

    def at_state(self, state) -> GaussianMixtureHead:
        """The unconditional mixture p_0(. | s) at one state."""
        s = check_finite_array("state", state)
        if s.shape not in ((self.state_dim,), (1, self.state_dim)):
            raise ValueError(f"state must have shape ({self.state_dim},), got {s.shape}")
        return GaussianMixtureHead(self.means_at(s.reshape(1, -1))[0], self.stds, self.weights)

    def responsibilities(self, states, x, alpha_bar) -> np.ndarray:
        s, x = self._sx(states, x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        return _gmm_numpy(x, self.means_at(s), self.stds, np.log(self.weights), ab)[0]

    def score(self, states, x, alpha_bar) -> np.ndarray:
        s, x = self._sx(states, x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        r, diff, c = _gmm_numpy(x, self.means_at(s), self.stds, np.log(self.weights), ab)
        return -np.einsum("bk,bkd->bd", r / c, diff)

    def epsilon(self, states, x, alpha_bar) -> np.ndarray:
        """eps*(x, t | s), float64 (B, d)."""
        s, x = self._sx(states, x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        scale = np.sqrt(1.0 - ab)[..., None] if ab.ndim else math.sqrt(1.0 - ab)
        return -scale * self.score(s, x, ab)

    def posterior_mean(self, states, x, alpha_bar) -> np.ndarray:
        s, x = self._sx(states, x)
        ab = _check_alpha_bar(alpha_bar, x.shape[0])
        m = self.means_at(s)
        r, diff, c = _gmm_numpy(x, m, self.stds, np.log(self.weights), ab)
        sab = np.sqrt(ab)[:, None] if ab.ndim else np.sqrt(ab)
        return np.einsum("bk,bkd->bd", r, m) + sab * np.einsum("bk,bkd->bd", r * self.stds[None, :] ** 2 / c, diff)

    def sample(self, states, rng: np.random.Generator) -> np.ndarray:
        """One draw a ~ p_0(. | s) per state (float64)."""
        s, _ = self._sx(states)
        rng = generator("rng", rng)
        k = rng.choice(self.n_components, size=s.shape[0], p=self.weights)
        m = self.means_at(s)[np.arange(s.shape[0]), k]
        return m + self.stds[k, None] * rng.standard_normal((s.shape[0], self.dim))

    def subset(self, components) -> "ConditionalGaussianMixtureHead":
        idx = int_array("components", np.atleast_1d(np.asarray(components)))
        if idx.size == 0 or np.any(idx < 0) or np.any(idx >= self.n_components):
            raise ValueError(f"components must be non-empty indices in [0, {self.n_components})")
        w = self.weights[idx]
        return ConditionalGaussianMixtureHead(self.slopes[idx], self.intercepts[idx], self.stds[idx], w / w.sum())

    # --- torch ---------------------------------------------------------------------------------------------------
    def means_torch(self, states, device, dtype):
        import torch

        if states is None:
            raise ValueError("states are required by a state-conditional head")
        cache = self.__dict__.setdefault("_torch_ab", {})
        key = (str(device), dtype)
        if key not in cache:
            cache[key] = (torch.as_tensor(self.slopes, device=device, dtype=dtype),
                          torch.as_tensor(self.intercepts, device=device, dtype=dtype))
        A, b = cache[key]
        return torch.einsum("kde,be->bkd", A, states.to(dtype)) + b.unsqueeze(0)

    def epsilon_torch(self, x, alpha_bar: float, states=None):
        x = tensor_input("x", x, ndim=2, cols=self.dim)
        alpha_bar = _check_alpha_bar_scalar(alpha_bar)
        if states is None:
            raise ValueError("states are required by a state-conditional head")
        states = tensor_input("states", states, ndim=2, cols=self.state_dim, rows=x.shape[0])
        stds, log_w = self._torch_params(x.device, x.dtype)
        r, diff, c = _gmm_torch(x, self.means_torch(states, x.device, x.dtype), stds, log_w, float(alpha_bar))
        return math.sqrt(1.0 - float(alpha_bar)) * torch_einsum_resp(r / c, diff)


class ExactTwoHead:
    """The two-head protocol for exact mixture heads: ``heads(states, actions, t) -> (eps_u, eps_c)``, t = 1..T.

    Both mixtures are evaluated in one fused pass: their components are stacked, distances are computed once, and
    the responsibilities are normalised within each head's block (docs/methods/diffusion.md §5, two heads in one
    pass).
    """

    def __init__(self, background, good, schedule):
        for name, h in (("background", background), ("good", good)):
            if not isinstance(h, (GaussianMixtureHead, ConditionalGaussianMixtureHead)):
                raise ValueError(f"{name} must be a GaussianMixtureHead or ConditionalGaussianMixtureHead")
        from .schedule import Schedule

        if not isinstance(schedule, Schedule):
            raise ValueError("schedule must be a lrtcheck.diffusion.Schedule")
        if background.dim != good.dim:
            raise ValueError(f"background and good heads must share the action dimension ({background.dim} != "
                             f"{good.dim})")
        self.background, self.good, self.schedule = background, good, schedule
        self.dim = background.dim
        self.conditional = background.conditional or good.conditional
        self._Ku = background.n_components
        self._cache: dict = {}

    def fingerprint(self) -> str:
        import hashlib

        h = hashlib.sha256()
        for head in (self.background, self.good):
            for arr in (getattr(head, "means", None), getattr(head, "slopes", None),
                        getattr(head, "intercepts", None), head.stds, head.weights):
                if arr is not None:
                    h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
        return "exact-gmm:" + h.hexdigest()[:16]

    def _component_columns(self, head, states, device, dtype):
        """Per component k, per action dim j: the mean m_kj as a Python float (fixed means) or a (B,) vector."""
        if not head.conditional:
            return [[float(v) for v in row] for row in head.means]
        key = ("cond", id(head), states.data_ptr(), tuple(states.shape), str(device), dtype)
        hit = self._cache.get("cols")
        if hit is not None and hit[0] == key:
            return hit[1]
        m = head.means_torch(states, device, dtype)  # (B, K, d)
        cols = [[m[:, k, j].contiguous() for j in range(head.dim)] for k in range(head.n_components)]
        self._cache["cols"] = (key, cols)  # states are fixed over the T steps of a chunk
        return cols

    @staticmethod
    def _head_eps(xc, cols, stds, log_w, ab: float, d: int):
        """eps* of one mixture from action columns ``xc`` (d tensors (B,)), all scalars as Python floats."""
        import torch

        sab = math.sqrt(ab)
        K = len(cols)
        cs = [ab * float(s) ** 2 + (1.0 - ab) for s in stds]
        diffs, logits = [], []
        for k in range(K):
            dk = [xc[j] - sab * cols[k][j] for j in range(d)]
            sq = dk[0] * dk[0]
            for j in range(1, d):
                sq = sq + dk[j] * dk[j]
            diffs.append(dk)
            if K > 1:
                logits.append(sq * (-0.5 / cs[k]) + (float(log_w[k]) - 0.5 * d * math.log(cs[k])))
        if K == 1:
            w = [None]
        else:
            mx = logits[0]
            for k in range(1, K):
                mx = torch.maximum(mx, logits[k])
            es = [torch.exp(lg - mx) for lg in logits]
            tot = es[0]
            for k in range(1, K):
                tot = tot + es[k]
            inv = 1.0 / tot
            w = [e * inv for e in es]
        scale = math.sqrt(1.0 - ab)
        out = []
        for j in range(d):
            acc = None
            for k in range(K):
                term = diffs[k][j] * (scale / cs[k]) if w[k] is None else (w[k] * diffs[k][j]) * (scale / cs[k])
                acc = term if acc is None else acc + term
            out.append(acc)
        return out

    def __call__(self, states, actions, t: int):
        """(eps_u, eps_c) at step t: one fused pass in a column layout (per action dimension contiguous vectors,
        every mixture constant a Python float), which avoids torch's slow broadcasts over tiny inner axes."""
        import torch

        t = strict_int("t", t, minimum=1, maximum=self.schedule.T)
        if not isinstance(actions, torch.Tensor) or not actions.is_floating_point():
            raise ValueError("actions must be a real floating torch tensor (B, d)")
        if actions.dim() != 2 or actions.shape[1] != self.dim:
            raise ValueError(f"actions must have shape (B, {self.dim}), got {tuple(actions.shape)}")
        if not bool(torch.isfinite(actions).all()):
            raise ValueError("actions must contain only finite values (found NaN or inf)")
        if self.conditional and states is None:
            raise ValueError("states are required: the heads are state-conditional")
        if states is not None:
            states = tensor_input("states", states, ndim=2, rows=actions.shape[0])
        return self._pair(states, actions, t)

    def _pair(self, states, actions, t: int):
        """The unchecked fused pass (the sampler's loop checks its inputs once and its outputs at the end)."""
        import torch

        ab = float(self.schedule.alpha_bars[t - 1])
        dev, dt = actions.device, actions.dtype
        d = self.dim
        xc = list(actions.T.contiguous().unbind(0))  # free when ``actions`` is a transposed (d, B) tensor
        out = []
        for head in (self.background, self.good):
            cols = self._component_columns(head, states, dev, dt)
            out.append(torch.stack(self._head_eps(xc, cols, head.stds, np.log(head.weights), ab, d), dim=0).T)
        return out[0], out[1]
