"""Worlds of the LRT-Diffusion checks: single-Gaussian heads with their exact laws, a linear critic, the exact
final-action law, the grid law of the gated statistic, and an independent oracle of the exact mixture heads.

Everything here is exact (closed forms or exact Gaussian transitions) and imports only the methods and the
statistical core.  The formulas are those of docs/methods/lrt_diffusion.md §9 (the exact Gaussian oracle) and
docs/methods/diffusion.md §4-§5 (reverse step, exact heads), on the sampler of arXiv 2510.24983 §3.2 as this project
reconstructs it (docs/methods/lrt_diffusion.md §3-§6).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st
from scipy.special import expit, ndtr, softmax

from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import LRTSampler
from lrtcheck.lrt.exact import GaussianLRTLaw

__all__ = [
    "BACKGROUND_MEAN", "GOOD_MEAN", "HEAD_STD", "lrt_sampler_factory", "gaussian_heads_world",
    "good_direction_gradient", "LinearCritic", "clipped_gradient", "final_action_law", "gate_value",
    "gated_lambda_law", "grid_cdf", "mixture_eps_by_conditioning", "separated_mixture", "QuadraticCritic",
    "affine_chain_law", "standardized_increments",
]

#: the default Gaussian heads world: background N(m_u, s^2 I), good N(m_c, s^2 I), equal s
#: (docs/methods/lrt_diffusion.md §9: D^2 = 1.26385 on linear(100) with the posterior variance)
BACKGROUND_MEAN = np.array([0.0, 0.0])
GOOD_MEAN = np.array([0.5, -0.3])
HEAD_STD = 0.5


def lrt_sampler_factory():
    """The default subject of the ``lrt.sampler`` checks: the package's own :class:`lrtcheck.lrt.LRTSampler`, a
    factory ``factory(background, good, schedule, **settings)``."""
    return LRTSampler


def gaussian_heads_world(factory, schedule: Schedule, variance: str = "posterior", good_mean=GOOD_MEAN,
                         std: float = HEAD_STD, **settings):
    """A sampler on single-Gaussian heads and the exact law of its statistic.

    Heads N(m_u, s^2 I) (background, ``BACKGROUND_MEAN``) and N(m_c, s^2 I) (good), built by ``factory`` (the check's
    subject) with the keyword ``settings`` of :class:`lrtcheck.lrt.LRTSampler`.  Since
    Delta_t = beta_t sqrt(ab_t) (m_c - m_u) / (sqrt(alpha_t) (ab_t s^2 + 1 - ab_t)) does not depend on the action,
    Lambda ~ N(-+D^2/2, D^2) under H0 / H1 with D^2 = sum_{sigma_t > 0} ||Delta_t||^2 / sigma_t^2
    (docs/methods/lrt_diffusion.md §9); returns ``(sampler, GaussianLRTLaw)``.
    """
    background, good = GaussianMixtureHead(BACKGROUND_MEAN, std), GaussianMixtureHead(good_mean, std)
    sampler = factory(background, good, schedule, variance=variance, **settings)
    return sampler, GaussianLRTLaw(schedule, variance, BACKGROUND_MEAN, good_mean, std)


def good_direction_gradient(norm: float = 2.0) -> np.ndarray:
    """The constant critic gradient of norm ``norm`` pointing from the background mean to the good mean,
    w = norm (m_c - m_u) / ||m_c - m_u||: a Q-step that pulls toward the good head."""
    return (GOOD_MEAN - BACKGROUND_MEAN) / np.linalg.norm(GOOD_MEAN - BACKGROUND_MEAN) * norm


class LinearCritic:
    """Q(s, a) = <w, a>: a constant action gradient w, the exact world of the Q-step checks.

    With a constant gradient the clipped Q-step g = w min(1, c/||w||) adds exactly eta <g, Delta_t> to each
    evidence increment, so Lambda stays Gaussian with its mean shifted (docs/methods/lrt_diffusion.md §6, §9).
    """

    def __init__(self, w):
        self.w = np.asarray(w, dtype=np.float64)

    def grad(self, states, actions):
        import torch

        return torch.as_tensor(self.w, dtype=actions.dtype, device=actions.device).expand_as(actions)

    def fingerprint(self) -> str:
        return "linear:" + ",".join(f"{v:.12g}" for v in self.w)


def clipped_gradient(w, clip):
    """w clipped to norm ``clip`` (unchanged when ``clip`` is None or ||w|| <= clip): g = w min(1, c/||w||)
    (docs/methods/lrt_diffusion.md §6)."""
    w = np.asarray(w, dtype=np.float64)
    nrm = float(np.linalg.norm(w))
    return w if clip is None or nrm <= clip else w * clip / nrm


def final_action_law(schedule: Schedule, sigma2, m, s: float, *, drop_inv_sqrt_alpha: bool = False):
    """Exact law of the final action of the chain started at a_T ~ N(0, I) on single-Gaussian heads N(m, s^2 I).

    The reverse mean is linear (docs/methods/diffusion.md §5): a_{t-1} = A_t a_t + B_t m + sigma_t z with
    A_t = (1 - beta_t/c_t)/sqrt(alpha_t), B_t = beta_t sqrt(ab_t)/(c_t sqrt(alpha_t)), c_t = ab_t s^2 + 1 - ab_t,
    so a_0 ~ N(mean, sd^2 I).  ``drop_inv_sqrt_alpha`` gives the law of the defect in which the 1/sqrt(alpha_t) of
    the reverse mean (DDPM, arXiv 2006.11239, eq. 11) is forgotten.  Returns ``(mean (d,), sd)``.
    """
    ab, al, b = schedule.alpha_bars, schedule.alphas, schedule.betas
    mean, var = np.zeros_like(m, dtype=np.float64), 1.0
    for t in range(schedule.T, 0, -1):
        i = t - 1
        c = ab[i] * s**2 + 1 - ab[i]
        r = 1.0 if drop_inv_sqrt_alpha else 1.0 / math.sqrt(al[i])
        A, B = (1 - b[i] / c) * r, b[i] * math.sqrt(ab[i]) / c * r
        mean, var = A * mean + B * m, A * A * var + sigma2[i]
    return mean, math.sqrt(var)


def gate_value(lam, tau, beta_max, gate, kappa):
    """beta(Lambda): beta_max 1[Lambda > tau] (hard) or beta_max sigmoid((Lambda - tau)/kappa) (soft)
    (docs/methods/lrt_diffusion.md §5)."""
    if gate == "hard":
        return beta_max * (lam > tau)
    return beta_max * expit((lam - tau) / kappa)


def gated_lambda_law(d2_order, tau, beta_max, gate, kappa, *, h=0.01, half_width=8.0, lookahead=False):
    """Law of the final Lambda of the gated sampler with single-Gaussian heads, by exact Gaussian transitions on a grid.

    Lambda_{T+1} = 0 and, at every evidence step (d_t^2 > 0, in sampling order ``d2_order``), given the past Lambda'
    the increment is ell_t ~ N((beta(Lambda') - 1/2) d_t^2, d_t^2) (docs/methods/lrt_diffusion.md §3 step 5 and §9,
    with a_{t-1} = mu_u + beta Delta + sigma z; Delta_t does not depend on the action for equal-variance Gaussian
    heads), so Lambda is a Markov chain.  Mass sits at cell centres j h (0 is a centre; put tau on a cell edge, so
    the hard gate is exact per cell); a transition moves each centre's mass to the cells by exact Gaussian cell
    probabilities (Phi differences), the outer cells absorbing the tails.  The only error is the midpoint placement
    of the mass inside a cell, O(h^2) for the smooth transitions; measure it against the gate-free case
    N(-D^2/2, D^2).

    ``lookahead=True`` gives the law of the defect in which the hard gate reads Lambda' + ell'_t, ell'_t the current
    step's evidence of the background proposal drawn with the same noise (so ell_t = ell'_t + beta d_t^2 1[...]).
    Returns (edges, cdf at the edges).
    """
    J = int(round(half_width / h))
    centres = np.arange(-J, J + 1) * h
    edges = np.concatenate([[-np.inf], (np.arange(-J, J) + 0.5) * h, [np.inf]])
    mass = np.zeros(centres.size)
    mass[J] = 1.0
    for d2 in d2_order:
        if d2 <= 0.0:
            continue
        d = math.sqrt(d2)
        live = mass > 1e-300
        c, p = centres[live], mass[live]
        if not lookahead:
            mu = c + (gate_value(c, tau, beta_max, gate, kappa) - 0.5) * d2
            cdf = ndtr((edges[None, :] - mu[:, None]) / d)
        else:  # new = c + y + beta d2 1[c + y > tau], y ~ N(-d2/2, d2)
            m = c - 0.5 * d2
            below = ndtr((np.minimum(edges[None, :], tau) - m[:, None]) / d)
            jump = ndtr((edges[None, :] - beta_max * d2 - m[:, None]) / d) - ndtr((tau - m[:, None]) / d)
            cdf = below + np.clip(jump, 0.0, None) * (edges[None, :] - beta_max * d2 > tau)
        mass = p @ np.diff(cdf, axis=1)
    return edges[1:-1], np.cumsum(mass)[:-1]


def grid_cdf(edges, cdf):
    """The CDF of a grid law (:func:`gated_lambda_law`), linear between the edges, 0 and 1 outside."""
    return lambda x: np.interp(x, edges, cdf, left=0.0, right=1.0)


def separated_mixture():
    """A three-component mixture p_0 = sum_k w_k N(m_k, s_k^2 I) with very different scales (s = 0.05, 0.3, 1.0),
    where unstabilised exponentials underflow, and its "good" subset of the first two components (renormalised):
    the world of the exact-heads check (docs/methods/diffusion.md §5).  Returns (means, stds, weights)."""
    means = np.array([[-3.0, 0.0], [2.0, 1.5], [0.5, -2.5]])
    stds, weights = np.array([0.05, 0.3, 1.0]), np.array([0.5, 0.3, 0.2])
    return means, stds, weights


def mixture_eps_by_conditioning(x, means, stds, weights, ab):
    """E[eps | x_t = x] for p_0 = sum_k w_k N(m_k, s_k^2 I), independently of the heads' code.

    Per component (x_t, eps) is jointly Gaussian with Var(x_t) = ab s_k^2 + (1 - ab), Cov(x_t, eps) = sqrt(1 - ab),
    so E[eps | x, k] = Cov/Var (x - sqrt(ab) m_k); P(k | x) by Bayes' rule with scipy's log-densities and a stable
    softmax (docs/methods/diffusion.md §5).
    """
    K, d = means.shape
    logp = np.empty((x.shape[0], K))
    cond = np.empty((x.shape[0], K, d))
    for k in range(K):
        var = ab * stds[k] ** 2 + (1.0 - ab)
        mean = math.sqrt(ab) * means[k]
        logp[:, k] = math.log(weights[k]) + st.multivariate_normal(mean, var * np.eye(d)).logpdf(x)
        cond[:, k] = math.sqrt(1.0 - ab) / var * (x - mean)
    w = softmax(logp, axis=1)
    return np.einsum("bk,bkd->bd", w, cond)


class QuadraticCritic:
    """Q(s, a) = -(a - a*)^T H (a - a*) / 2 (H symmetric): the action gradient H (a* - a) depends on the action, so
    the anchor of the Q-step matters, yet the Q-step stays affine in the action and the chain stays Gaussian
    (:func:`affine_chain_law`)."""

    def __init__(self, H, target):
        self.H = np.asarray(H, dtype=np.float64)
        self.target = np.asarray(target, dtype=np.float64)

    def grad(self, states, actions):
        import torch

        H = torch.as_tensor(self.H, dtype=actions.dtype, device=actions.device)
        tgt = torch.as_tensor(self.target, dtype=actions.dtype, device=actions.device)
        return (tgt - actions) @ H.T

    def fingerprint(self) -> str:
        return "quadratic:" + ",".join(f"{v:.12g}" for v in np.concatenate([self.H.ravel(), self.target]))


def affine_chain_law(schedule: Schedule, variance: str, m_u, m_c, s: float, *, beta: float, eta: float = 0.0,
                     H=None, target=None, anchor: float = 1.0):
    """Exact joint Gaussian law of (a_0, Lambda) for the sampler whose gate is always open at ``beta``, on
    equal-variance single-Gaussian heads, with an unclipped Q-step of a quadratic critic (or none).

    Per step (docs/methods/lrt_diffusion.md §3, §6; docs/methods/diffusion.md §5), with c_t = ab_t s^2 + 1 - ab_t,
    A_t = (1 - beta_t / c_t) / sqrt(alpha_t), B_t = beta_t sqrt(ab_t) / (c_t sqrt(alpha_t)):
    mu_u(a) = A_t a + B_t m_u, Delta_t = B_t (m_c - m_u) (action-free), m = mu_u + beta Delta,
    anchor x = mu_u + lambda beta Delta, g = H (a* - x), and if sigma_t > 0: m <- m + eta sigma_t^2 g,
    a' = m + sigma_t z, ell = (<a' - mu_u, Delta> - ||Delta||^2 / 2) / sigma_t^2.  Every map is affine in
    (a_t, Lambda, z), so x = (a, Lambda) evolves as x' = M x + c + N z and its mean and covariance follow exactly.
    Computed from the schedule and head parameters only (never from the sampler).  Returns (mean (d+1,), cov).
    """
    m_u, m_c = np.asarray(m_u, dtype=np.float64), np.asarray(m_c, dtype=np.float64)
    d = m_u.size
    H = np.zeros((d, d)) if H is None else np.asarray(H, dtype=np.float64)
    tgt = np.zeros(d) if target is None else np.asarray(target, dtype=np.float64)
    ab, al, b = schedule.alpha_bars, schedule.alphas, schedule.betas
    s2_all = np.asarray(schedule.variance(variance), dtype=np.float64)
    mean = np.zeros(d + 1)
    cov = np.zeros((d + 1, d + 1))
    cov[:d, :d] = np.eye(d)
    eye = np.eye(d)
    for t in range(schedule.T, 0, -1):
        i = t - 1
        c = ab[i] * s**2 + 1 - ab[i]
        A = (1 - b[i] / c) / math.sqrt(al[i])
        B = b[i] * math.sqrt(ab[i]) / (c * math.sqrt(al[i]))
        delta = B * (m_c - m_u)
        s2 = float(s2_all[i])
        M = np.zeros((d + 1, d + 1))
        off = np.zeros(d + 1)
        N = np.zeros((d + 1, d))
        M[d, d] = 1.0
        if s2 > 0.0:
            q = eta * s2
            # a' = (I - q H) mu_u(a) + beta Delta + q H (a* - lambda beta Delta) + sigma z
            M[:d, :d] = (eye - q * H) * A
            off[:d] = (eye - q * H) @ (B * m_u) + beta * delta + q * H @ (tgt - anchor * beta * delta)
            N[:d, :] = math.sqrt(s2) * eye
            # a' - mu_u(a) = -q H mu_u(a) + beta Delta + q H (a* - lambda beta Delta) + sigma z
            r_lin = -q * (H * A)  # (d, d) acting on a
            r_off = -q * H @ (B * m_u) + beta * delta + q * H @ (tgt - anchor * beta * delta)
            M[d, :d] = delta @ r_lin / s2
            off[d] = (delta @ r_off - 0.5 * delta @ delta) / s2
            N[d, :] = math.sqrt(s2) * delta / s2
        else:  # no noise, no Q-step, no evidence
            M[:d, :d] = A * eye
            off[:d] = B * m_u + beta * delta
        mean = M @ mean + off
        cov = M @ cov @ M.T + N @ N.T
    return mean, cov


def standardized_increments(ell, d2_order):
    """u_t = (ell_t + d_t^2 / 2) / d_t for the evidence steps of a trace (rows in sampling order): under H0 on
    equal-variance Gaussian heads with fresh noise at every step, i.i.d. N(0, 1) across steps and samples."""
    d2 = np.asarray(d2_order, dtype=np.float64)
    pos = d2 > 0
    return (np.asarray(ell)[pos] + 0.5 * d2[pos, None]) / np.sqrt(d2[pos])[:, None]


def null_chain_reference(model, schedule: Schedule, variance: str, states, seed: int, sample_ids):
    """A second, independent implementation of the H0 reverse chain (beta = 0, no Q-step) on any two-head model
    ``model(states, actions, t) -> (eps_u, eps_c)``, with the same counter-based noise: the oracle of the learned
    pipeline's sampler.  It never calls the sampler.

    DDPM (arXiv 2006.11239, eq. 11; docs/methods/diffusion.md §4): mu_h = (a_t - beta_t / sqrt(1 - ab_t) eps_h) /
    sqrt(alpha_t); a_{t-1} = mu_u + sigma_t z_t; the evidence of a step with sigma_t > 0 is the log-ratio of the two
    Gaussian kernels in its difference-of-squares form (||a_{t-1} - mu_u||^2 - ||a_{t-1} - mu_c||^2) / (2 sigma_t^2)
    (docs/methods/lrt_diffusion.md §3), not the sampler's inner-product form.  Returns (final actions (n, d),
    final Lambda (n,)) as float64 numpy arrays.
    """
    import torch

    from lrtcheck.diffusion import counter_normal, sample_keys

    s = torch.as_tensor(np.asarray(states, dtype=np.float64))
    ids = torch.as_tensor(np.asarray(sample_ids, dtype=np.int64))
    keys = sample_keys(int(seed), ids)
    d = int(model.action_dim)
    a = counter_normal(keys, 0, d).contiguous()
    lam = torch.zeros(a.shape[0], dtype=torch.float64)
    ab, al, b = schedule.alpha_bars, schedule.alphas, schedule.betas
    s2_all = np.asarray(schedule.variance(variance), dtype=np.float64)
    with torch.no_grad():
        for t in range(schedule.T, 0, -1):
            i = t - 1
            eu, ec = model(s, a, t)
            eu, ec = eu.to(torch.float64), ec.to(torch.float64)
            k = b[i] / math.sqrt(1.0 - ab[i])
            mu_u = (a - k * eu) / math.sqrt(al[i])
            mu_c = (a - k * ec) / math.sqrt(al[i])
            s2 = float(s2_all[i])
            if s2 > 0.0:
                nxt = mu_u + math.sqrt(s2) * counter_normal(keys, t, d).contiguous()
                lam = lam + (((nxt - mu_u) ** 2).sum(1) - ((nxt - mu_c) ** 2).sum(1)) / (2.0 * s2)
            else:
                nxt = mu_u
            a = nxt
    return a.numpy(), lam.numpy()


__all__ += ["null_chain_reference"]
