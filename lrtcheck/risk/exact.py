"""Exact laws of the risk-sensitive forward process for Gaussian and Gaussian-mixture data with full covariances
(docs/methods/risk_sensitive.md §3-§4; :class:`lrtcheck.diffusion.GaussianMixtureHead` covers isotropic components
only).

For p_0 = sum_k pi_k N(m_k, S_k), noisy x~_0 = x_0 + r * eps (eps ~ N(0, I)) and x~_t = u x~_0 + v eta:

    x~_t ~ sum_k pi_k N(u m_k, u^2 S_k + u^2 diag(r^2) + diag(v^2)),

which is the clean marginal sum_k pi_k N(u m_k, u^2 S_k + v0^2 I) exactly when v^2 = v0^2 - u^2 r^2 (inside T(r)).
A projection theta^T x~_t is a 1-D Gaussian mixture with a closed-form CDF.  For one Gaussian component the optimal
noise predictor is eps*(x) = v0 C^-1 (x - u m), C = u^2 S + v0^2 I, and the eps target v0 eta / v of a noisy
sample has E[v0 eta / v | x~_t, r] = eps*(x~_t) with conditional covariance v0^2 (diag(1/v^2) - C^-1).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["forward_mixture_moments", "projected_mixture_cdf", "gaussian_eps_star", "target_residual_covariance"]


def forward_mixture_moments(means, covs, u: float, extra_var) -> tuple[np.ndarray, np.ndarray]:
    """Component means u m_k and covariances u^2 S_k + diag(extra_var) of the forward marginal at one time."""
    means = np.asarray(means, dtype=np.float64)
    covs = np.asarray(covs, dtype=np.float64)
    extra = np.broadcast_to(np.asarray(extra_var, dtype=np.float64), means.shape[1:])
    return u * means, u * u * covs + np.diag(extra)[None]


def projected_mixture_cdf(z, theta, means, covs, weights) -> np.ndarray:
    """CDF of theta^T X for X ~ sum_k pi_k N(means_k, covs_k)."""
    theta = np.asarray(theta, dtype=np.float64)
    mu = means @ theta
    sd = np.sqrt(np.einsum("i,kij,j->k", theta, covs, theta))
    z = np.asarray(z, dtype=np.float64)
    return np.sum(np.asarray(weights)[None, :] * stats.norm.cdf((z[..., None] - mu) / sd), axis=-1)


def gaussian_eps_star(x, mean, cov, u, v0sq) -> np.ndarray:
    """eps*(x, t) = v0 C^-1 (x - u m), C = u^2 S + v0^2 I; ``u``, ``v0sq`` scalars or one per row."""
    x = np.asarray(x, dtype=np.float64)
    u = np.broadcast_to(np.asarray(u, dtype=np.float64), x.shape[:1])
    v0sq = np.broadcast_to(np.asarray(v0sq, dtype=np.float64), x.shape[:1])
    d = x.shape[1]
    C = (u * u)[:, None, None] * np.asarray(cov)[None] + v0sq[:, None, None] * np.eye(d)[None]
    diff = x - u[:, None] * np.asarray(mean)[None]
    return np.sqrt(v0sq)[:, None] * np.linalg.solve(C, diff[..., None])[..., 0]


def target_residual_covariance(cov, u, v0sq, v2) -> np.ndarray:
    """Cov(v0 eta / v - eps*(x~_t) | x~_t, r) = v0^2 (diag(1 / v^2) - C^-1), per row (n, D, D)."""
    v2 = np.asarray(v2, dtype=np.float64)
    n, d = v2.shape
    u = np.broadcast_to(np.asarray(u, dtype=np.float64), (n,))
    v0sq = np.broadcast_to(np.asarray(v0sq, dtype=np.float64), (n,))
    C = (u * u)[:, None, None] * np.asarray(cov)[None] + v0sq[:, None, None] * np.eye(d)[None]
    eye = np.eye(d)[None]
    return v0sq[:, None, None] * (eye / v2[:, :, None] - np.linalg.inv(C))
