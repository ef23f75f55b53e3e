"""Sample-quality metrics (arXiv 2402.02081, section 5: Wasserstein in Table 1, MMD in Table 2;
docs/methods/risk_sensitive.md §9).

* :func:`sliced_wasserstein` -- SW_1(P, Q) = E_theta W_1(theta^T P, theta^T Q), theta uniform on the sphere, with
  all projections done in one matmul and each 1-D W_1 = int |F - G| computed from the merged sorted sample.
* :func:`mmd_rbf` -- the unbiased MMD^2 estimator (Gretton et al. 2012, eq. 3) with k(x, y) = exp(-|x-y|^2 / (2 h^2))
  (h: median heuristic on the pooled sample when not given).
* :func:`empirical_wasserstein` -- the exact W_p between two equal-size empirical measures (an assignment problem,
  scipy's ``linear_sum_assignment``).
* :func:`gaussian_w2` -- exact W_2 between N(m1, S1) and N(m2, S2):
  |m1 - m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)  (Dowson & Landau 1982), via ``scipy.linalg.sqrtm``.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from lrtcheck.stats.validation import check_positive, check_positive_int

from ._validation import check_seed, finite_real_array

__all__ = ["sliced_wasserstein", "wasserstein_1d", "mmd_rbf", "empirical_wasserstein", "gaussian_w2",
           "median_bandwidth"]


#: the most projections :func:`sliced_wasserstein` draws (the projected samples are a (P, n) array)
MAX_PROJECTIONS = 100_000
#: the largest order p of :func:`empirical_wasserstein`
MAX_ORDER = 100


def _samples(name, x, dim=None) -> np.ndarray:
    x = finite_real_array(name, x)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"{name} must have shape (n, D) with n >= 1, got {x.shape}")
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have D = {dim} columns (those of x), got {x.shape[1]}")
    return x


def wasserstein_1d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """W_1 between empirical laws, row by row: a (P, n), b (P, m) -> (P,); int |F_a - F_b| on the merged grid."""
    a = finite_real_array("a", a, ndim=2, nonempty=False)
    b = finite_real_array("b", b, ndim=2, nonempty=False)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows P, got {a.shape[0]} and {b.shape[0]}")
    if a.shape[1] < 1 or b.shape[1] < 1:
        raise ValueError(f"a and b must hold at least 1 sample per row, got shapes {a.shape} and {b.shape}")
    n, m = a.shape[1], b.shape[1]
    if n == m:
        return np.mean(np.abs(np.sort(a, axis=1) - np.sort(b, axis=1)), axis=1)
    allv = np.concatenate([a, b], axis=1)
    order = np.argsort(allv, axis=1, kind="stable")
    vals = np.take_along_axis(allv, order, axis=1)
    from_a = order < n
    fa = np.cumsum(from_a, axis=1)[:, :-1] / n
    fb = np.cumsum(~from_a, axis=1)[:, :-1] / m
    return np.sum(np.abs(fa - fb) * np.diff(vals, axis=1), axis=1)


def sliced_wasserstein(x, y, *, n_projections: int = 256, seed: int = 0) -> float:
    """Monte Carlo sliced W_1 with ``n_projections`` directions uniform on the sphere (seeded)."""
    x = _samples("x", x)
    y = _samples("y", y, x.shape[1])
    n_projections = check_positive_int("n_projections", n_projections, maximum=MAX_PROJECTIONS)
    rng = np.random.default_rng(check_seed("seed", seed))
    theta = rng.standard_normal((n_projections, x.shape[1]))
    theta /= np.linalg.norm(theta, axis=1, keepdims=True)
    return float(np.mean(wasserstein_1d(theta @ x.T, theta @ y.T)))


def median_bandwidth(x, y) -> float:
    """Median heuristic: the median pairwise distance of the pooled sample (at most 1000 points of each).

    sqrt(median_{i < j} |z_i - z_j|^2), the squared distances from ``scipy.spatial.distance.pdist`` (condensed, no
    n x n x D intermediate); the root is taken after the median, so with an even pair count the result is the root
    of the mean of the two middle squared distances.
    """
    from scipy.spatial.distance import pdist

    x = _samples("x", x)
    y = _samples("y", y, x.shape[1])
    z = np.concatenate([x[:1000], y[:1000]])
    med = float(np.sqrt(np.median(pdist(z, "sqeuclidean"))))
    if not np.isfinite(med):
        raise ValueError(f"the median pairwise distance of x and y must be finite, got {med}")
    return med if med > 0 else 1.0


def mmd_rbf(x, y, *, bandwidth: float | None = None) -> float:
    """Unbiased MMD^2 with an RBF kernel (may be slightly negative when P = Q)."""
    x = _samples("x", x)
    y = _samples("y", y, x.shape[1])
    if x.shape[0] < 2 or y.shape[0] < 2:
        raise ValueError("x and y must hold at least 2 samples each for the unbiased MMD")
    h = median_bandwidth(x, y) if bandwidth is None else check_positive("bandwidth", bandwidth)
    if not (np.isfinite(h * h) and h * h >= np.finfo(np.float64).tiny):
        raise ValueError(f"bandwidth must lie in [1.5e-154, 1e154] (its square a normal float), got {h!r}")
    g = 1.0 / (2.0 * h * h)

    def kern(a, b):
        d2 = np.sum(a * a, 1)[:, None] + np.sum(b * b, 1)[None, :] - 2.0 * a @ b.T
        return np.exp(-g * np.maximum(d2, 0.0))

    n, m = x.shape[0], y.shape[0]
    kxx, kyy, kxy = kern(x, x), kern(y, y), kern(x, y)
    return float((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                 - 2.0 * kxy.mean())


def empirical_wasserstein(x, y, *, p: int = 1) -> float:
    """Exact W_p between two empirical measures of equal size (optimal assignment)."""
    from scipy.optimize import linear_sum_assignment

    x = _samples("x", x)
    y = _samples("y", y, x.shape[1])
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have the same number of samples, got {x.shape[0]} and {y.shape[0]}")
    p = check_positive_int("p", p, maximum=MAX_ORDER)
    dist = np.linalg.norm(x[:, None, :] - y[None, :, :], axis=-1)
    scale = float(dist.max())
    if not np.isfinite(scale):
        raise ValueError("x and y must be close enough that their distances are finite (found an overflow)")
    fits = scale == 0.0 or abs(p * np.log10(scale)) < 250.0  # dist^p neither overflows nor underflows
    if fits:
        cost = dist**p
        i, j = linear_sum_assignment(cost)
        return float(np.mean(cost[i, j]) ** (1.0 / p))
    cost = (dist / scale) ** p  # W_p is homogeneous: scaled by the largest distance, cost^p cannot overflow
    i, j = linear_sum_assignment(cost)
    return float(scale * np.mean(cost[i, j]) ** (1.0 / p))


def gaussian_w2(m1, s1, m2, s2) -> float:
    """Exact W_2 between N(m1, S1) and N(m2, S2) (covariances symmetric positive semi-definite)."""
    m1 = finite_real_array("m1", m1, ndim=1)
    m2 = finite_real_array("m2", m2, ndim=1)
    d = m1.shape[0]
    s1 = finite_real_array("s1", s1, ndim=2)
    s2 = finite_real_array("s2", s2, ndim=2)
    for name, s in (("s1", s1), ("s2", s2)):
        if s.shape != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}), got {s.shape}")
        if not np.allclose(s, s.T, atol=1e-10):
            raise ValueError(f"{name} must be symmetric")
        if np.linalg.eigvalsh(s).min() < -1e-10:
            raise ValueError(f"{name} must be positive semi-definite")
    if m2.shape != (d,):
        raise ValueError(f"m2 must have shape ({d},), got {m2.shape}")
    r2 = linalg.sqrtm(s2)
    cross = linalg.sqrtm(r2 @ s1 @ r2)
    val = float(np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2.0 * np.real(cross)))
    return float(np.sqrt(max(val, 0.0)))
