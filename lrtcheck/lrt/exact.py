"""Exact laws of the LRT statistic for single-Gaussian heads (docs/methods/lrt_diffusion.md §9-§10).

Heads N(m_u, s^2 I) (background) and N(m_c, s^2 I) (good): Delta_t = beta_t sqrt(ab_t) (m_c - m_u) / (sqrt(alpha_t)
(ab_t s^2 + 1 - ab_t)) does not depend on the action, so the increments are independent,
ell_t ~ N(-d_t^2/2, d_t^2) under H0 and N(+d_t^2/2, d_t^2) under H1, d_t^2 = ||Delta_t||^2 / sigma_t^2 (sigma_t > 0),
and Lambda ~ N(-+D^2/2, D^2) with D^2 = sum_t d_t^2.  A Q-step with a constant (clipped) gradient g adds the
deterministic eta <g, Delta_t> to ell_t.  The partial sums Lambda_1..Lambda_T' form a Gaussian random walk, so the
running max has P(max <= tau) = a multivariate normal CDF (scipy's Genz algorithm, a randomised quasi-Monte Carlo
quadrature: it is given a generator seeded from the caller's stream, so the same seed gives the same bits).  The
final action under H0 / H1 is Gaussian with the same covariance (the chain is linear), which gives the best test on
the final action alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as st

from lrtcheck.diffusion._validate import strict_int
from lrtcheck.diffusion.schedule import Schedule

__all__ = ["GaussianLRTLaw"]


@dataclass(frozen=True)
class GaussianLRTLaw:
    schedule: Schedule
    variance: str
    m_u: np.ndarray
    m_c: np.ndarray
    s: float

    def __post_init__(self):
        object.__setattr__(self, "m_u", np.asarray(self.m_u, dtype=np.float64))
        object.__setattr__(self, "m_c", np.asarray(self.m_c, dtype=np.float64))

    @property
    def sigma2(self) -> np.ndarray:
        return np.asarray(self.schedule.variance(self.variance), dtype=np.float64)

    @property
    def deltas(self) -> np.ndarray:
        """Delta_t (T, d) for t = 1..T (row t-1)."""
        sch = self.schedule
        ab, al, b = sch.alpha_bars, sch.alphas, sch.betas
        coef = b * np.sqrt(ab) / (np.sqrt(al) * (ab * self.s**2 + 1 - ab))
        return coef[:, None] * (self.m_c - self.m_u)[None, :]

    @property
    def d2_steps(self) -> np.ndarray:
        s2 = self.sigma2
        out = np.zeros_like(s2)
        pos = s2 > 0
        out[pos] = np.sum(self.deltas[pos] ** 2, axis=1) / s2[pos]
        return out

    @property
    def D2(self) -> float:
        return float(np.sum(self.d2_steps))

    @property
    def D(self) -> float:
        return math.sqrt(self.D2)

    def qstep_shift(self, g, eta: float) -> float:
        """Mean shift of Lambda from a constant Q-step gradient g (already clipped): sum_{sigma>0} eta <g, Delta_t>."""
        pos = self.sigma2 > 0
        return float(eta * np.sum(self.deltas[pos] @ np.asarray(g, dtype=np.float64)))

    def law(self, hypothesis: str = "H0", shift: float = 0.0):
        sign = -1.0 if hypothesis == "H0" else 1.0
        return st.norm(sign * self.D2 / 2 + shift, self.D)

    def tau(self, alpha: float) -> float:
        """Exact level-alpha threshold -D^2/2 + D Phi^-1(1 - alpha)."""
        return -self.D2 / 2 + self.D * st.norm.ppf(1 - alpha)

    def power(self, alpha: float) -> float:
        return float(st.norm.sf(st.norm.ppf(1 - alpha) - self.D))

    def running_max_sf(self, tau: float, hypothesis: str = "H0", *, seed) -> float:
        """P(max_t Lambda_t > tau) over the evidence steps (multivariate normal CDF of the partial sums).

        ``seed`` (a non-negative integer or a ``numpy.random.SeedSequence``) seeds the randomised Genz quadrature:
        each call draws a fresh generator from it, so a value depends only on (tau, seed), not on the calls before.
        """
        if isinstance(seed, np.random.SeedSequence):
            rng = np.random.default_rng(seed)
        else:
            rng = np.random.default_rng(strict_int("seed", seed, minimum=0))
        d2 = self.d2_steps[::-1]  # sampling order t = T..1
        d2 = d2[d2 > 0]
        sign = -1.0 if hypothesis == "H0" else 1.0
        mean = np.cumsum(sign * d2 / 2)
        cv = np.cumsum(d2)
        cov = np.minimum.outer(cv, cv)
        if len(d2) > 20:
            raise ValueError("running_max_sf is meant for short chains (<= 20 evidence steps)")
        mvn = st.multivariate_normal(mean, cov, allow_singular=False, maxpts=2_000_000, abseps=1e-8, releps=1e-8)
        return float(1.0 - mvn.cdf(np.full(len(d2), tau), rng=rng))

    def final_action_distance(self) -> float:
        """D_a = ||E_H1 a_0 - E_H0 a_0|| / sd(a_0): the Mahalanobis separation of the final action alone."""
        sch = self.schedule
        ab, al, b, s2 = sch.alpha_bars, sch.alphas, sch.betas, self.sigma2
        mean_diff = np.zeros_like(self.m_u)
        var = 1.0
        for t in range(sch.T, 0, -1):
            i = t - 1
            c = ab[i] * self.s**2 + 1 - ab[i]
            A = (1 - b[i] / c) / math.sqrt(al[i])  # mu(x) = A x + B m
            mean_diff = A * mean_diff + self.deltas[i]
            var = A * A * var + s2[i]
        return float(np.linalg.norm(mean_diff) / math.sqrt(var))
