"""The contextual toy world that stands in for D4RL (docs/methods/lrt_diffusion.md §11; docs/reconstructions.md §3.13).

* States s ~ N(0, I_{d_s}).
* Behaviour policy pi_b(a | s) = sum_k pi_k N(A_k s + b_k, s_k^2 I): a :class:`ConditionalGaussianMixtureHead`.
* Reward r(s, a) = -||a - a*(s)||^2 / 2 with a*(s) = A* s + b*; a one-step (contextual-bandit) world, so the exact
  critic is Q(s, a) = r(s, a), grad_a Q = a*(s) - a, and V(s) = E_{pi_b}[Q] = -(1/2) sum_k pi_k (||m_k(s) - a*(s)||^2
  + d s_k^2).  The return of a policy is E_s[Q(s, pi(s))].
* The exact "good" subset is a set of components (those with the highest mean advantage), so both heads are exact
  GMMs; the learned-pipeline variant labels the global top-p fraction of (s, a) pairs by advantage A = Q - V
  (p = 0.2, a global quantile, as the paper's labeler), whose good law is a truncated mixture with no closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.diffusion.heads import ConditionalGaussianMixtureHead
from lrtcheck.diffusion._validate import (MAX_DIM, MAX_SAMPLES, check_finite_array, flag_array, generator, strict_int,
                                          tensor_input)
from lrtcheck.stats.validation import check_nonnegative, check_open_unit, check_positive, check_positive_int

__all__ = ["ContextualToy", "ToyCritic", "ToyDataset", "label_top_fraction"]


def label_top_fraction(advantages, p: float = 0.2) -> np.ndarray:
    """Boolean mask of the global top-``p`` fraction by advantage (ties broken by order; exactly ceil(p n) kept)."""
    adv = check_finite_array("advantages", advantages, ndim=1)
    p = check_open_unit("p", p)
    n = adv.size
    if n < 1:
        raise ValueError("advantages must not be empty")
    k = int(np.ceil(p * n))
    idx = np.argsort(-adv, kind="stable")[:k]
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


@dataclass(frozen=True)
class ToyCritic:
    """Exact critic Q(s, a) = -||a - (A* s + b*)||^2 / 2 with an analytic action gradient (numpy and torch)."""

    target_slope: np.ndarray
    target_intercept: np.ndarray

    def __post_init__(self) -> None:
        A = check_finite_array("target_slope", self.target_slope, ndim=2)
        b = check_finite_array("target_intercept", self.target_intercept, ndim=1)
        if A.size == 0 or b.shape[0] != A.shape[0]:
            raise ValueError(f"target_slope must be (d, d_s) non-empty and target_intercept (d,), got {A.shape} and "
                             f"{b.shape}")
        object.__setattr__(self, "target_slope", A)
        object.__setattr__(self, "target_intercept", b)

    def _states(self, states) -> np.ndarray:
        s = check_finite_array("states", states, ndim=2)
        if s.shape[0] == 0:
            raise ValueError("states must not be empty (shape (B, d_s) with B >= 1)")
        if s.shape[1] != self.target_slope.shape[1]:
            raise ValueError(f"states must have shape (B, {self.target_slope.shape[1]}), got {s.shape}")
        return s

    def target(self, states) -> np.ndarray:
        return self._states(states) @ self.target_slope.T + self.target_intercept

    def q(self, states, actions) -> np.ndarray:
        tgt = self.target(states)
        a = check_finite_array("actions", actions, ndim=2)
        if a.shape != tgt.shape:
            raise ValueError(f"actions must have shape {tgt.shape}, got {a.shape}")
        diff = a - tgt
        return -0.5 * np.sum(diff * diff, axis=1)

    def _tensors(self, states, actions):
        d, ds = self.target_slope.shape
        actions = tensor_input("actions", actions, ndim=2, cols=d)
        states = tensor_input("states", states, ndim=2, cols=ds, rows=actions.shape[0])
        return states, actions

    def __call__(self, states, actions):
        import torch

        states, actions = self._tensors(states, actions)
        A = torch.as_tensor(self.target_slope, device=actions.device, dtype=actions.dtype)
        b = torch.as_tensor(self.target_intercept, device=actions.device, dtype=actions.dtype)
        diff = actions - (states.to(actions.dtype) @ A.T + b)
        return -0.5 * (diff * diff).sum(1)

    def grad(self, states, actions):
        """grad_a Q = a*(s) - a (torch)."""
        import torch

        states, actions = self._tensors(states, actions)
        A = torch.as_tensor(self.target_slope, device=actions.device, dtype=actions.dtype)
        b = torch.as_tensor(self.target_intercept, device=actions.device, dtype=actions.dtype)
        return states.to(actions.dtype) @ A.T + b - actions

    def fingerprint(self) -> str:
        return "toy-critic:" + np.round(np.concatenate([self.target_slope.ravel(), self.target_intercept]), 12
                                        ).tobytes().hex()[:32]


@dataclass(frozen=True)
class ToyDataset:
    """An offline data set from the toy: states, actions, exact advantages, the good label and its component."""

    states: np.ndarray
    actions: np.ndarray
    components: np.ndarray
    advantages: np.ndarray
    good: np.ndarray

    def __post_init__(self) -> None:
        s = check_finite_array("states", self.states, ndim=2)
        if s.shape[0] == 0:
            raise ValueError("states must not be empty")
        a = check_finite_array("actions", self.actions, ndim=2)
        n = s.shape[0]
        if a.shape[0] != n:
            raise ValueError(f"actions must have {n} rows, got {a.shape[0]}")
        try:
            comp = np.asarray(self.components)
        except (ValueError, TypeError):
            raise ValueError("components must be a rectangular array of integers") from None
        if comp.dtype.kind not in "iu" or comp.shape != (n,) or (n and comp.min() < 0):
            raise ValueError(f"components must hold {n} non-negative integers")
        adv = check_finite_array("advantages", self.advantages, ndim=1)
        if adv.shape[0] != n:
            raise ValueError(f"advantages must have {n} entries, got {adv.shape[0]}")
        good = flag_array("good", self.good)
        if good.shape[0] != n:
            raise ValueError(f"good must have {n} entries, got {good.shape[0]}")
        for name, v in (("states", s), ("actions", a), ("advantages", adv), ("good", good)):
            object.__setattr__(self, name, v)


class ContextualToy:
    """The contextual toy (see the module docstring).

    Parameters
    ----------
    state_dim, action_dim : dimensions (default 2 and 2).
    seed : fixes the world (component slopes); the default world has 4 components at the corners of a square,
        stds 0.35, uniform weights, small random slopes, and the target a*(s) beyond the best corner.
    p_good : the top fraction for the learned labeler (default 0.2).
    """

    def __init__(self, state_dim: int = 2, action_dim: int = 2, *, seed: int = 0, p_good: float = 0.2,
                 spread: float = 1.5, std: float = 0.35, slope_scale: float = 0.3, target_shift: float = 1.5):
        self.state_dim = check_positive_int("state_dim", state_dim, maximum=MAX_DIM)
        self.action_dim = check_positive_int("action_dim", action_dim, maximum=MAX_DIM)
        self.p_good = check_open_unit("p_good", p_good)
        seed = strict_int("seed", seed, minimum=0)
        spread = check_positive("spread", spread)
        std = check_positive("std", std)
        slope_scale = check_nonnegative("slope_scale", slope_scale)
        target_shift = check_nonnegative("target_shift", target_shift)
        if not np.isfinite(target_shift / spread):
            raise ValueError(f"spread is too small for target_shift={target_shift}: target_shift / spread overflows")
        rng = np.random.default_rng(seed)
        K = 4
        corners = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]], dtype=np.float64)
        b = np.zeros((K, self.action_dim))
        b[:, : min(2, self.action_dim)] = spread * corners[:, : min(2, self.action_dim)]
        A = slope_scale * rng.standard_normal((K, self.action_dim, self.state_dim))
        self.behaviour = ConditionalGaussianMixtureHead(A, b, np.full(K, std), np.full(K, 1.0 / K))
        # target: beyond component 0's corner, with that component's slope
        self.critic = ToyCritic(A[0].copy(), b[0] * (1.0 + target_shift / spread))
        self.good_components = np.array([0])
        self.good_head = self.behaviour.subset(self.good_components)

    # --- exact quantities ---------------------------------------------------------------------------------------
    def sample_states(self, n: int, rng: np.random.Generator) -> np.ndarray:
        n = check_positive_int("n", n, maximum=MAX_SAMPLES)
        return generator("rng", rng).standard_normal((n, self.state_dim))

    def value(self, states) -> np.ndarray:
        """V(s) = E_{a ~ pi_b(.|s)} Q(s, a), exact."""
        states = self.critic._states(states)
        m = self.behaviour.means_at(states)  # (B, K, d)
        tgt = self.critic.target(states)[:, None, :]
        sq = np.sum((m - tgt) ** 2, axis=2) + self.action_dim * self.behaviour.stds[None, :] ** 2
        return -0.5 * sq @ self.behaviour.weights

    def advantage(self, states, actions) -> np.ndarray:
        return self.critic.q(states, actions) - self.value(states)

    def expected_return(self, states, actions) -> float:
        """Mean exact Q over the (s, a) pairs: the return of the policy that produced them."""
        return float(np.mean(self.critic.q(states, actions)))

    # --- data ---------------------------------------------------------------------------------------------------
    def dataset(self, n: int, rng: np.random.Generator) -> ToyDataset:
        """n behaviour pairs with exact advantages; ``good`` = the global top-p_good by advantage."""
        s = self.sample_states(n, rng)
        k = rng.choice(self.behaviour.n_components, size=s.shape[0], p=self.behaviour.weights)
        m = self.behaviour.means_at(s)[np.arange(s.shape[0]), k]
        a = m + self.behaviour.stds[k, None] * rng.standard_normal((s.shape[0], self.action_dim))
        adv = self.advantage(s, a)
        return ToyDataset(states=s, actions=a, components=k, advantages=adv, good=label_top_fraction(adv, self.p_good))

    def exact_heads(self):
        """(background, good) exact heads: the behaviour mixture and its good components."""
        return self.behaviour, self.good_head
