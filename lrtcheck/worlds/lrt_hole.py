"""The support-hole world of the return-OOD claims (docs/methods/lrt_diffusion.md §11).

One-dimensional actions.  Behaviour (background head) p_b = 1/2 N(-m, s^2) + 1/2 N(+m, s^2); the good head is the
high-reward component N(+m, (g s)^2), g in (0, 1] (g < 1: the high-advantage actions are its core).  Between the components lies a hole of (almost) zero behaviour density.

* True reward r(a) = exp(-(a - m)^2 / (2 rho^2)) in [0, 1] (closed form, peaked on the good component).
* Critic Q_hat(a) = r(a) + B exp(-a^2 / (2 w^2)): exact on the support (the bump is below e^-m^2/(2w^2) B there) and
  optimistic in the hole, the regime of arXiv 2510.24983 Thm 5.4 / Table 1 (critic errors off the data support).
  Its gradient, used by the Q-step, is the closed form
  dQ_hat/da = -(a - m)/rho^2 r(a) - a/w^2 B exp(-a^2/(2 w^2)).
* OOD indicator (exact, pointwise): 1[p_b(a) < kappa p_b(m)], p_b evaluated in closed form (no kNN estimate).
* A bounded reward gives an exact Bernoulli law for the return: with U ~ Uniform(0, 1) independent of a,
  1[U < r(a)] ~ Bernoulli(E r(a)), so a return comparison is an exact binomial test.

The heads are the project's exact mixture heads (:class:`lrtcheck.diffusion.GaussianMixtureHead`).
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.diffusion import GaussianMixtureHead
from lrtcheck.stats.validation import check_positive, check_unit

__all__ = ["SupportHoleWorld", "HoleCritic"]


class HoleCritic:
    """Q_hat(a) = r(a) + B exp(-a^2/(2 w^2)) with r(a) = exp(-(a - m)^2/(2 rho^2)); ``grad`` in closed form (torch)."""

    def __init__(self, m: float, rho: float, bump: float, width: float):
        self.m = check_positive("m", m)
        self.rho = check_positive("rho", rho)
        if isinstance(bump, bool) or not isinstance(bump, (int, float)) or not math.isfinite(bump) or bump < 0:
            raise ValueError(f"bump must be a finite number >= 0, got {bump!r}")
        self.bump = float(bump)
        self.width = check_positive("width", width)

    def reward(self, actions) -> np.ndarray:
        """The true reward r(a) of (n, 1) actions."""
        a = np.asarray(actions, dtype=np.float64)[:, 0]
        return np.exp(-(a - self.m) ** 2 / (2 * self.rho**2))

    def value(self, actions) -> np.ndarray:
        """The critic Q_hat(a) of (n, 1) actions."""
        a = np.asarray(actions, dtype=np.float64)[:, 0]
        return self.reward(actions) + self.bump * np.exp(-a**2 / (2 * self.width**2))

    def grad(self, states, actions):
        import torch

        r = torch.exp(-(actions - self.m) ** 2 / (2 * self.rho**2))
        b = self.bump * torch.exp(-actions**2 / (2 * self.width**2))
        return -(actions - self.m) / self.rho**2 * r - actions / self.width**2 * b

    def fingerprint(self) -> str:
        return f"hole:{self.m:.12g},{self.rho:.12g},{self.bump:.12g},{self.width:.12g}"


class SupportHoleWorld:
    """Behaviour 1/2 N(-m, s^2) + 1/2 N(m, s^2), good head N(m, (g s)^2) (g = ``good_scale`` in (0, 1]: the
    high-advantage actions are the core of the good component), the critic :class:`HoleCritic` and the exact
    OOD indicator p_b(a) < kappa p_b(m)."""

    def __init__(self, m: float = 2.0, s: float = 0.4, rho: float = 0.6, bump: float = 4.0, width: float = 1.0,
                 kappa: float = 0.05, good_scale: float = 1.0):
        self.m = check_positive("m", m)
        self.s = check_positive("s", s)
        self.kappa = check_unit("kappa", kappa)
        if self.kappa in (0.0, 1.0):
            raise ValueError(f"kappa must lie in (0, 1), got {kappa}")
        self.critic = HoleCritic(self.m, rho, bump, width)
        self.background = GaussianMixtureHead(np.array([[-self.m], [self.m]]), self.s)
        self.good_scale = check_positive("good_scale", good_scale)
        if self.good_scale > 1.0:
            raise ValueError(f"good_scale must lie in (0, 1] (the good head inside the support), got {good_scale}")
        self.good = GaussianMixtureHead(np.array([[self.m]]), self.s * self.good_scale)
        self.log_threshold = float(self.background.log_prob(np.array([[self.m]]))[0]) + math.log(self.kappa)

    def ood(self, actions) -> np.ndarray:
        """Exact OOD flags: 1[log p_b(a) < log kappa + log p_b(m)] for (n, 1) actions."""
        a = np.asarray(actions, dtype=np.float64)
        if a.ndim != 2 or a.shape[1] != 1:
            raise ValueError(f"actions must have shape (n, 1), got {a.shape}")
        return self.background.log_prob(a) < self.log_threshold

    def reward(self, actions) -> np.ndarray:
        return self.critic.reward(actions)
