"""Agents on the C-SAR surrogate (C-SAR paper §5 and §7; docs/methods/csar.md §6).

* ``soft_vi_policy``: exact soft value iteration on the surrogate MDP (``tabular_envs.soft_value_iteration``).
* ``TabularSAC``: tabular soft actor-critic on transitions; critic target
  ``y = r_C + gamma * sum_a' pi(a'|s') (Qbar(s',a') - tau log pi(a'|s'))`` (C-SAR paper §5), a tabular critic moved
  toward the batch-mean target per visited (s, a) with step ``lr``, a Polyak target table, and the tabular actor
  ``pi(.|s) = softmax(Q(s,.)/tau)`` (the exact minimiser of the SAC actor loss for a tabular policy).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp, softmax

import tabular_envs as te
from lrtcheck.stats.validation import check_positive, check_positive_int, check_unit

__all__ = ["soft_vi_policy", "TabularSAC"]


def soft_vi_policy(mdp: te.TabularMDP, temperature: float) -> np.ndarray:
    """The soft-optimal policy of ``mdp`` at ``temperature``."""
    return te.soft_value_iteration(mdp, temperature).policy


def _indices(name: str, value, n: int) -> np.ndarray:
    """Integer indices in [0, n) (a ValueError, not an IndexError, for anything else)."""
    arr = np.asarray(value)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        f = arr.astype(np.float64)
        if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
            raise ValueError(f"{name} must contain integer indices")
    arr = arr.astype(np.int64)
    if np.any(arr < 0) or np.any(arr >= n):
        raise ValueError(f"{name} must contain indices in [0, {n})")
    return arr


class TabularSAC:
    """Tabular SAC; ``update(s, a, r, s2)`` takes one minibatch (arrays), ``policy()`` returns pi (S, A)."""

    def __init__(self, n_states: int, n_actions: int, *, gamma: float, temperature: float = 0.1, lr: float = 0.5,
                 polyak: float = 0.05):
        self.S = check_positive_int("n_states", n_states)
        self.A = check_positive_int("n_actions", n_actions)
        self.gamma = check_unit("gamma", gamma)
        if self.gamma >= 1.0:
            raise ValueError(f"gamma must lie in [0, 1) (a discounted critic), got {gamma!r}")
        self.tau = check_positive("temperature", temperature)
        self.lr = check_positive("lr", lr)
        if self.lr > 1.0:
            raise ValueError(f"lr must lie in (0, 1], got {lr!r}")
        self.polyak = check_unit("polyak", polyak)
        self.Q = np.zeros((self.S, self.A))
        self.Qbar = self.Q.copy()

    def policy(self) -> np.ndarray:
        return softmax(self.Q / self.tau, axis=-1)

    def soft_state_value(self, Q) -> np.ndarray:
        # sum_a pi (Q - tau log pi) with pi = softmax(Q/tau) equals tau logsumexp(Q/tau)
        return self.tau * logsumexp(Q / self.tau, axis=-1)

    def update(self, s, a, r, s2) -> None:
        r = np.asarray(r, dtype=np.float64)
        if not np.all(np.isfinite(r)):
            raise ValueError("rewards must be finite (clip the logits)")
        s = _indices("s", s, self.S)
        a = _indices("a", a, self.A)
        s2 = _indices("s2", s2, self.S)
        pi = softmax(self.Q / self.tau, axis=-1)
        logp = np.log(np.maximum(pi, 1e-300))
        v_next = np.sum(pi * (self.Qbar - self.tau * logp), axis=-1)
        y = r + self.gamma * v_next[s2]
        idx = s * self.A + a
        tot = np.bincount(idx, weights=y, minlength=self.S * self.A)
        cnt = np.bincount(idx, minlength=self.S * self.A)
        seen = cnt > 0
        q = self.Q.reshape(-1)
        q[seen] += self.lr * (tot[seen] / cnt[seen] - q[seen])
        self.Qbar += self.polyak * (self.Q - self.Qbar)
