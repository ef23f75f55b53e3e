"""Exact worlds of Risk-Sensitive Diffusion (Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081).

* The reference kernels (:func:`reference_kernels`): the discrete VP with the linear DDPM schedule (T = 1000), the VP
  SDE with beta(t) = 0.1 + 19.9 t and the VE SDE with sigma(t) = 0.01 (10 / 0.01)^t, and their coefficients from
  their definitions (:func:`closed_form_coefficients`, :func:`closed_form_t_low`; docs/methods/risk_sensitive.md §3).
* The 2-D Gaussian-mixture toy with Gaussian corruption (:data:`MIX_MEANS`, :data:`MIX_COVS`, :data:`MIX_WEIGHTS`,
  the risk :data:`RISK_VEC` and the projection :data:`THETA`): p_0 = sum_k pi_k N(m_k, S_k) with full covariances,
  the noisy sample x~_0 = x_0 + r * eps with eps ~ N(0, I) (Def. 3.1, Thm 3.1 / E.1), and the exact law of
  x~_t = u x~_0 + v eta under any noise variance v^2 (:func:`mixture_marginal_laws`): the mixture
  sum_k pi_k N(u m_k, u^2 S_k + u^2 diag(r^2) + diag(v^2)), whose projection theta^T x~_t has a closed-form CDF
  (docs/methods/risk_sensitive.md §3-§4, ``lrtcheck/risk/exact.py``).
* The Gaussian target world (:data:`TARGET_MEAN`, :data:`TARGET_COV`, :func:`gaussian_noisy_samples`): clean
  x_0 ~ N(m, S), risk r ~ U(0, 1.5)^2 drawn independently of x_0, x~_0 = x_0 + r * eps; there the optimal noise
  predictor eps*(x~_t) and the conditional covariance of the eps target are exact (Prop. 3.1 / G.1;
  docs/methods/risk_sensitive.md §6).

The learned-model worlds (data, variants trained, samples drawn) are in :mod:`lrtcheck.worlds.risk_learned`.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VESDE, VPSDE, DiscreteVP
from lrtcheck.risk.exact import forward_mixture_moments, projected_mixture_cdf

__all__ = [
    "reference_kernels", "closed_form_coefficients", "closed_form_t_low",
    "MIX_MEANS", "MIX_COVS", "MIX_WEIGHTS", "RISK_VEC", "THETA", "sample_mixture", "noisy_mixture_samples",
    "time_inside", "mixture_marginal_laws", "risk_kernel_laws", "sup_projected_cdf_gap",
    "TARGET_MEAN", "TARGET_COV", "gaussian_noisy_samples",
]


# ---------------------------------------------------------------------------------------------------------------
# the reference kernels and their closed forms
# ---------------------------------------------------------------------------------------------------------------
def reference_kernels() -> dict:
    """The three kernels every kernel check runs: ``{"discrete_vp": DiscreteVP(linear schedule, T = 1000),
    "vpsde": VPSDE(0.1, 20), "vesde": VESDE(0.01, 10)}`` (Gaussian noise; docs/methods/risk_sensitive.md §3)."""
    return {"discrete_vp": DiscreteVP(Schedule.linear(1000)), "vpsde": VPSDE(0.1, 20.0), "vesde": VESDE(0.01, 10.0)}


def closed_form_coefficients(name: str, t):
    """(u(t)^2, v0(t)^2) of the clean reference kernel ``name`` from its definition, not from the kernel classes.

    Discrete VP: (ab_t, 1 - ab_t) with ab_t the cumulative product of the linear schedule's alphas (DDPM); VP SDE:
    (alpha(t), 1 - alpha(t)) with ln alpha(t) = -(0.1 t + (20 - 0.1) t^2 / 2) (Cor. 3.1 / G.2); VE SDE:
    (1, sigma(t)^2 - sigma_min^2) = (1, 0.01^2 expm1(2 ln(10 / 0.01) t)) (Cor. G.1 with the sigma(0)^2 the paper
    drops; docs/methods/risk_sensitive.md §3).
    """
    t = np.asarray(t, dtype=np.float64)
    if name == "discrete_vp":
        ab = np.asarray(Schedule.linear(1000).alpha_bars, dtype=np.float64)[t.astype(np.int64) - 1]
        return ab, 1.0 - ab
    if name == "vpsde":
        la = -(0.1 * t + 0.5 * (20.0 - 0.1) * t * t)
        return np.exp(la), -np.expm1(la)
    return np.ones_like(t), 0.01**2 * np.expm1(2.0 * np.log(10.0 / 0.01) * t)


def closed_form_t_low(name: str, rho):
    """The left end of T(r) from its definition v0(t)^2 > u(t)^2 rho (Thm 3.1 / E.1): the first stable step of the
    discrete VP (T + 1 when none), the positive root of 0.1 t + 9.95 t^2 = ln(1 + rho) by the quadratic formula
    (VP SDE, Cor. 3.1 / G.2), or ln(1 + rho / sigma_min^2) / (2 ln 1000) (VE SDE, Cor. G.1 corrected;
    docs/methods/risk_sensitive.md §3)."""
    rho = np.asarray(rho, dtype=np.float64)
    if name == "discrete_vp":
        ab = np.asarray(Schedule.linear(1000).alpha_bars, dtype=np.float64)
        stable = ab[None, :] * (1.0 + rho[:, None]) < 1.0
        return np.where(stable.any(axis=1), stable.argmax(axis=1) + 1, ab.size + 1).astype(np.float64)
    if name == "vpsde":
        a, b, L = 0.5 * (20.0 - 0.1), 0.1, np.log1p(rho)
        return (-b + np.sqrt(b * b + 4.0 * a * L)) / (2.0 * a)
    return np.log1p(rho / 0.01**2) / (2.0 * np.log(10.0 / 0.01))


# ---------------------------------------------------------------------------------------------------------------
# the 2-D Gaussian-mixture toy with Gaussian corruption
# ---------------------------------------------------------------------------------------------------------------
#: component means m_k, full covariances S_k and weights pi_k of the clean mixture p_0
MIX_MEANS = np.array([[-1.5, 0.5], [1.0, -0.5]])
MIX_COVS = np.array([[[0.30, 0.10], [0.10, 0.20]], [[0.15, -0.05], [-0.05, 0.40]]])
MIX_WEIGHTS = np.array([0.4, 0.6])
#: the risk of every noisy sample (a per-dimension standard deviation, docs/methods/risk_sensitive.md §2)
RISK_VEC = np.array([0.8, 0.3])
#: the direction on which the marginal is projected (its CDF is a closed-form 1-D mixture)
THETA = np.array([1.0, 1.0]) / np.sqrt(2.0)


def sample_mixture(rng: np.random.Generator, n: int) -> np.ndarray:
    """n draws of the clean mixture p_0 (component by ``rng.choice``, then a Cholesky transform of N(0, I))."""
    k = rng.choice(2, size=n, p=MIX_WEIGHTS)
    chol = np.linalg.cholesky(MIX_COVS)
    return MIX_MEANS[k] + np.einsum("nij,nj->ni", chol[k], rng.standard_normal((n, 2)))


def noisy_mixture_samples(rng: np.random.Generator, n: int, r=RISK_VEC) -> np.ndarray:
    """n noisy samples x~_0 = x_0 + r * eps of the mixture, eps ~ N(0, I) (Gaussian corruption at risk r)."""
    x0 = sample_mixture(rng, n)
    return x0 + r * rng.standard_normal((n, 2))


def time_inside(kernel, r, ratio: float) -> float:
    """A time inside T(r) where v^2 / v0^2 is closest to ``ratio`` in the binding dimension (the hardest place for
    the stability identity): a step of the discrete VP, or a point of a 20000-point grid of T(r)."""
    lo, hi = kernel.stability_interval(r)
    grid = np.arange(int(lo), int(hi) + 1) if kernel.discrete else np.linspace(lo, hi, 20001)[1:]
    v2 = kernel.noise_variance(np.broadcast_to(r, (grid.size, r.size)), grid).min(axis=1)
    frac = v2 / kernel.clean_variance(grid)
    return float(grid[np.argmin(np.abs(frac - ratio))])


def mixture_marginal_laws(u: float, v0sq, v2, r=RISK_VEC):
    """Exact laws at one time, as ``(means, covs, weights)``: the clean marginal of u x_0 + v0 eta, and the law of
    u x~_0 + v eta for the noisy sample at risk r and per-dimension noise variance ``v2``:
    sum_k pi_k N(u m_k, u^2 S_k + v0^2 I) and sum_k pi_k N(u m_k, u^2 S_k + diag(u^2 r^2 + v^2))."""
    clean = forward_mixture_moments(MIX_MEANS, MIX_COVS, u, np.full(2, v0sq))
    noisy = forward_mixture_moments(MIX_MEANS, MIX_COVS, u, u * u * r**2 + v2)
    return (clean[0], clean[1], MIX_WEIGHTS), (noisy[0], noisy[1], MIX_WEIGHTS)


def risk_kernel_laws(kernel, t, r=RISK_VEC, sign=-1.0, r_power=2.0):
    """(clean law, law of the noisy sample under v^2 = max(v0^2 + sign u^2 r^r_power, 0)) of x~_t at time t.

    ``sign = -1, r_power = 2`` is the risk-sensitive kernel of Thm 3.1 / E.1 (the two laws are equal inside T(r));
    ``sign = 0`` is the standard kernel applied to noisy samples (risk ignored); ``sign = +1`` the printed
    Psi = +r^2 u^2 of the Thm 3.2 / F.1 text (docs/methods/risk_sensitive.md §5)."""
    tt = np.array([t])
    u = float(kernel.signal_scale(tt)[0])
    v0sq = float(kernel.clean_variance(tt)[0])
    v2 = np.maximum(v0sq + sign * u * u * r**r_power, 0.0)
    return mixture_marginal_laws(u, v0sq, v2, r)


def sup_projected_cdf_gap(law_a, law_b, lo: float = -8.0, hi: float = 8.0) -> float:
    """sup_z |F_a(z) - F_b(z)| of the projections THETA^T X of two mixture laws, on a 40001-point grid of [lo, hi]."""
    z = np.linspace(lo, hi, 40001)
    return float(np.max(np.abs(projected_mixture_cdf(z, THETA, *law_a) - projected_mixture_cdf(z, THETA, *law_b))))


# ---------------------------------------------------------------------------------------------------------------
# the Gaussian target world
# ---------------------------------------------------------------------------------------------------------------
TARGET_MEAN = np.array([0.5, -1.0])
TARGET_COV = np.array([[0.6, 0.2], [0.2, 0.3]])


def gaussian_noisy_samples(rng: np.random.Generator, n: int):
    """(x_0, r, x~_0): n clean draws of N(TARGET_MEAN, TARGET_COV), risks r ~ U(0, 1.5)^2 independent of x_0, and
    the noisy samples x~_0 = x_0 + r * eps, eps ~ N(0, I) (drawn in that order from ``rng``)."""
    chol = np.linalg.cholesky(TARGET_COV)
    x0 = TARGET_MEAN + rng.standard_normal((n, 2)) @ chol.T
    r = rng.uniform(0.0, 1.5, (n, 2))
    return x0, r, x0 + r * rng.standard_normal((n, 2))


# ---------------------------------------------------------------------------------------------------------------
# the proof of concept's exact minimisers (one component 95% corrupted: the risk depends on x_0)
# ---------------------------------------------------------------------------------------------------------------
def poc_minimiser_score(x, t, objective: str, *, means, std: float = 0.35, corrupted: int = 2,
                        fraction: float = 0.95, r_range=(0.5, 1.5), beta=(0.1, 20.0), t_eps: float = 1e-3,
                        grid: int = 60):
    """The exact minimiser at time t of a training objective on the proof-of-concept mixture (equal weights,
    isotropic std, component ``corrupted`` corrupted with probability ``fraction`` at r ~ U(r_range)^2, VP SDE).

    For Gaussian noise the noisy sample's forward marginal given its component k is N(u m_k, C I), C = u^2 s^2 + v0^2,
    for every r inside T(r) (docs/methods/risk_sensitive.md §3), and E[eta / v | x, k, r] = (x - u m_k) / C.  A loss
    lambda(r, t) |s + eta / v|^2 with t uniform on T(r) (density 1 / |T(r)|) is minimised by the mixture score whose
    component weights are pi_k a_kj(t), a_kj(t) = E_r[lambda_j(r, t) 1{t in T(r)} w(r) | k] per dimension j, with
    w(r) = 1 / |T(r)| (``*_nolw``) or 1 / |T(0)| (``*_lw``, the length weight) and lambda = 1 (``paper_*``) or
    v_j^2 (``tamed_*``, the project's default weighting).  ``objective="standard"`` is the standard loss on the noisy
    samples (r ignored): the score of sum_k pi_k law_k with the corrupted component's law the mixture of N(u m,
    C) and N(u m, u^2 (s^2 + r^2) + v0^2) over r; ``"clean"`` the clean mixture's score.  r's law by the midpoint
    rule on a ``grid`` x ``grid`` grid."""
    means = np.asarray(means, dtype=np.float64)
    K = means.shape[0]
    pi = np.full(K, 1.0 / K)
    bmin, bmax = beta
    la = -(bmin * t + 0.5 * (bmax - bmin) * t * t)
    u, v0 = float(np.exp(0.5 * la)), float(-np.expm1(la))
    g = r_range[0] + (r_range[1] - r_range[0]) * (np.arange(grid) + 0.5) / grid
    R = np.stack([a.ravel() for a in np.meshgrid(g, g, indexing="ij")], 1)
    C = u * u * std * std + v0
    if objective == "standard":
        comps = [(pi[k] * (1.0 - fraction if k == corrupted else 1.0), np.full(2, C), k) for k in range(K)]
        sub = R[:: max(1, len(R) // 97)]
        comps += [(pi[corrupted] * fraction / len(sub), u * u * (std * std + rr**2) + v0, corrupted) for rr in sub]
        lp = np.stack([np.log(w) - 0.5 * np.sum((x - u * means[k]) ** 2 / c + np.log(c), 1) for w, c, k in comps], 1)
        p = np.exp(lp - lp.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        return sum(p[:, [i]] * (-(x - u * means[k]) / c) for i, (w, c, k) in enumerate(comps))
    a = np.ones((K, 2))
    if objective != "clean":
        lam_kind, time_kind = objective.split("_")
        rho = np.max(R**2, 1)
        L = np.log1p(rho)
        A = 0.5 * (bmax - bmin)
        lo = np.maximum(2.0 * L / (bmin + np.sqrt(bmin * bmin + 4.0 * A * L)), t_eps)
        ok = (t > lo)[:, None]
        w = (1.0 / (1.0 - lo))[:, None] if time_kind == "nolw" else np.full((len(R), 1), 1.0 / (1.0 - t_eps))
        v2 = np.maximum(v0 - u * u * R**2, 0.0)
        lam = v2 if lam_kind == "tamed" else np.ones_like(v2)
        clean = np.full(2, (v0 if lam_kind == "tamed" else 1.0) / (1.0 - t_eps))
        a = np.tile(clean, (K, 1))
        a[corrupted] = (1.0 - fraction) * clean + fraction * np.mean(lam * ok * w, 0)
    d = x[:, None, :] - u * means[None]
    logn = -0.5 * np.sum(d * d, 2) / C
    out = np.empty_like(x)
    for j in range(2):
        lw = np.log(pi * a[:, j])[None] + logn
        p = np.exp(lw - lw.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        out[:, j] = np.sum(p * (-d[:, :, j] / C), 1)
    return out


def poc_minimiser_samples(objective: str, rng: np.random.Generator, n: int = 20000, steps: int = 400, **world):
    """n samples of the reverse VP SDE (Euler-Maruyama, ``steps`` steps from N(0, I), no noise on the last step) run
    with the exact minimiser :func:`poc_minimiser_score` of ``objective``."""
    bmin, bmax = world.get("beta", (0.1, 20.0))
    t_eps = world.get("t_eps", 1e-3)
    x = rng.standard_normal((n, 2))
    ts = np.linspace(1.0, t_eps, steps + 1)
    for i in range(steps):
        t, dt = ts[i], ts[i] - ts[i + 1]
        b = bmin + t * (bmax - bmin)
        x = x + (0.5 * b * x + b * poc_minimiser_score(x, t, objective, **world)) * dt
        if i < steps - 1:
            x = x + np.sqrt(b * dt) * rng.standard_normal(x.shape)
    return x
