"""Risk validation and the effective noise variance psi(r) of Gaussian and Cauchy noise.

A risk vector r >= 0 gives, per dimension, the scale of the noise carried by a sample x~0 = x_0 + noise
(arXiv 2402.02081, Def. 3.1; docs/methods/risk_sensitive.md §2).  r is a **standard deviation** (Thm E.1 uses r^2
throughout; the paper's N(0, rI) in Remarks 3.1 / E.3 is a slip).

* Gaussian noise, N(0, diag(r^2)): psi(r) = r^2 (Thm 3.1 / E.1).
* Cauchy noise, independent Cauchy(0, r_j) per dimension: the paper's Cor. 3.2 / G.3 prints

      psi(r) = (r^-2 (r^-2)^T + diag(5 r^-4))^-1 (r^-1 (1^T r^-1) + 2 r^-2),

  which reduces to (D+2)/(D+5) r^2 for isotropic r and to r^2/2 in 1-D.  It is solved here in closed form: with
  psi = r^2 * phi, (1 1^T + 5 I) phi = r (1^T r^-1) + 2, so phi_i = [r_i s + 2 - (s S + 2D)/(D+5)] / 5 with
  s = sum_j 1/r_j and S = sum_j r_j (Sherman-Morrison), vectorised over samples.
* :func:`cauchy_psi_derived`: the general least-squares Psi of Thm 3.2 / F.1, evaluated with the weight the paper
  names (Omega = |phi_r|, product Cauchy), gives psi = (D+2)/(D+5) r^2 for **every** r (the moment integrals
  int e^-k|w| w^2 = 4/k^3, w^4 = 48/k^5, |w|^3 = 12/k^4 give M = 4P(a a^T + 5 diag a^2), rhs = -P(2D+4) a with
  a = r^-2).  It agrees with the printed formula only for isotropic r; for anisotropic r the printed formula can
  even be negative in a dimension.  Both are provided; the kernels use the printed one unless told otherwise.

Zero risk in some dimensions (``cauchy``): the paper's weight is not integrable there; we apply the formula to the
dimensions with r_j > 0 and set psi_j = 0 elsewhere (the separable limit: a dimension without noise carries none).
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_name

from ._validation import check_option, finite_real_array

__all__ = ["as_risk", "gaussian_psi", "cauchy_psi", "cauchy_psi_derived", "effective_psi", "NOISES"]

NOISES = ("gaussian", "cauchy")


def as_risk(r, like_shape: tuple[int, ...] | None = None, *, name: str = "r") -> np.ndarray:
    """Validate a risk array: finite, >= 0, and (when ``like_shape`` = (n, D) is given) broadcastable to it as
    (), (D,), (n, 1) or (n, D).  Returns float64 broadcast to ``like_shape`` (or as given)."""
    check_name("name", name)
    arr = finite_real_array(name, r, nonempty=False)  # an empty batch of risks is a valid batch
    if np.any(arr < 0.0):
        raise ValueError(f"{name} must be >= 0 (a standard deviation), found {float(arr.min())!r}")
    if np.any(arr > 1e150):
        raise ValueError(f"{name} must be at most 1e150 (psi(r) ~ r^2 must stay finite), found {float(arr.max())!r}")
    if arr.ndim > 2:
        raise ValueError(f"{name} must have at most 2 dimensions (samples, features), got shape {arr.shape}")
    if like_shape is not None:
        like_shape = tuple(like_shape)
        if len(like_shape) != 2:
            raise ValueError(f"data must have shape (n, D), got {like_shape}")
        n, d = like_shape
        ok = arr.shape in ((), (d,), (n, 1), (n, d))
        if not ok:
            raise ValueError(f"{name} must have shape (), ({d},), ({n}, 1) or ({n}, {d}) to match the data, "
                             f"got {arr.shape}")
        arr = np.broadcast_to(arr, like_shape).astype(np.float64, copy=True)
    return arr


def gaussian_psi(r) -> np.ndarray:
    """psi(r) = r^2 (Gaussian noise with per-dimension standard deviation r)."""
    r = as_risk(r)
    return r * r


def _rows(r: np.ndarray) -> tuple[np.ndarray, tuple]:
    shape = r.shape
    if r.ndim == 0:
        return r.reshape(1, 1), shape
    if r.ndim == 1:
        return r.reshape(1, -1), shape
    return r, shape


def cauchy_psi(r) -> np.ndarray:
    """The printed Cauchy psi(r) of Cor. 3.2 / G.3 (see the module docstring), per row of ``r`` (the last axis is
    the dimension D).  Same shape as ``r``; zero where r = 0."""
    r = as_risk(r)
    if r.ndim and r.shape[-1] == 0:
        raise ValueError(f"r must have at least one dimension (D >= 1) on its last axis, got shape {r.shape}")
    rr, shape = _rows(r)
    # psi is homogeneous of degree 2: evaluate on r / max(r) (no overflow in 1/r); ratios below 1e-150 count as 0
    scale = rr.max(axis=1, keepdims=True)
    safe = np.where(scale > 0.0, scale, 1.0)
    rr = rr / safe
    pos = rr > 1e-150
    dpos = pos.sum(axis=1, keepdims=True).astype(np.float64)
    inv = np.where(pos, 1.0 / np.where(pos, rr, 1.0), 0.0)
    s = inv.sum(axis=1, keepdims=True)
    big_s = np.where(pos, rr, 0.0).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = (rr * s + 2.0 - (s * big_s + 2.0 * dpos) / (dpos + 5.0)) / 5.0
    out = np.where(pos, rr * rr * phi, 0.0) * safe * safe
    return out.reshape(shape)


def cauchy_psi_derived(r) -> np.ndarray:
    """psi(r) = (D+2)/(D+5) r^2: the general Psi of Thm 3.2 / F.1 with the product-Cauchy weight (module
    docstring), D counting the dimensions with r_j > 0."""
    r = as_risk(r)
    rr, shape = _rows(r)
    dpos = (rr > 0).sum(axis=1, keepdims=True).astype(np.float64)
    out = (dpos + 2.0) / (dpos + 5.0) * rr * rr
    return out.reshape(shape)


def effective_psi(r, noise: str = "gaussian", *, cauchy_form: str = "paper") -> np.ndarray:
    """The per-dimension variance the noisy sample already carries: r^2 (gaussian) or psi(r) (cauchy)."""
    check_option("noise", noise, NOISES)
    check_option("cauchy_form", cauchy_form, ("paper", "derived"))
    if noise == "gaussian":
        return gaussian_psi(r)
    if noise == "cauchy":
        if cauchy_form == "paper":
            return cauchy_psi(r)
        if cauchy_form == "derived":
            return cauchy_psi_derived(r)
        raise ValueError(f"cauchy_form must be 'paper' or 'derived', got {cauchy_form!r}")
    raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")
