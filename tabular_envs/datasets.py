"""Offline data sets ``D_env``: n transitions ``(s, a, r, s')`` drawn i.i.d. from the normalised discounted
occupancy ``d_{pi_b}`` (exactly, by a linear solve, or by geometric-stopping roll-outs), or from fixed-horizon
roll-outs; as arrays (:class:`Transitions`) and as a pandas DataFrame.

Geometric stopping (Puterman 1994, section 5.3): with ``T ~ Geometric(1 - gamma)`` on {0, 1, ...} independent of
the trajectory, ``P(s_T = s, a_T = a) = d_pi(s, a)`` exactly and ``E[r(s_T, a_T)] = (1 - gamma) J(pi)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.stats.validation import (check_choice, check_finite_array, check_int_array, check_positive_int,
                                      check_rng, check_stochastic)

from .mdp import MAX_KERNEL_ENTRIES, TabularMDP, check_kernel_size, validate_kernel, validate_policy

#: the largest number of transitions one call draws (each is a few int64 columns)
MAX_SAMPLES = 10**8
from .solvers import occupancy

__all__ = [
    "Transitions",
    "sample_categorical",
    "sample_next_states",
    "sample_occupancy_pairs",
    "sample_dataset",
    "sample_rollouts",
    "geometric_stop_samples",
    "count_transitions",
]


@dataclass(frozen=True)
class Transitions:
    """A data set of transitions as parallel arrays (``episode``/``timestep`` are -1 for i.i.d. occupancy draws)."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_states: np.ndarray
    episode: np.ndarray | None = None
    timestep: np.ndarray | None = None

    def __post_init__(self) -> None:
        s = check_int_array("states", self.states, minimum=0, ndim=1)
        n = s.shape[0]
        a = check_int_array("actions", self.actions, minimum=0, ndim=1)
        r = check_finite_array("rewards", self.rewards, ndim=1, allow_bool=False)
        s2 = check_int_array("next_states", self.next_states, minimum=0, ndim=1)
        for name, arr in (("actions", a), ("rewards", r), ("next_states", s2)):
            if arr.shape[0] != n:
                raise ValueError(f"{name} must have the length of states ({n}), got {arr.shape[0]}")
        cols = {"states": s, "actions": a, "rewards": r, "next_states": s2}
        for name in ("episode", "timestep"):
            value = getattr(self, name)
            if value is not None:
                arr = check_int_array(name, value, minimum=-1, ndim=1)
                if arr.shape[0] != n:
                    raise ValueError(f"{name} must have the length of states ({n}), got {arr.shape[0]}")
                cols[name] = arr
        for name, arr in cols.items():
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return int(self.states.shape[0])

    def to_frame(self):
        """A pandas DataFrame with columns ``state, action, reward, next_state`` (+ ``episode, timestep``)."""
        import pandas as pd

        cols = {"state": self.states, "action": self.actions, "reward": self.rewards, "next_state": self.next_states}
        if self.episode is not None:
            cols["episode"] = self.episode
        if self.timestep is not None:
            cols["timestep"] = self.timestep
        return pd.DataFrame(cols)


def _rng(seed, name: str = "seed"):
    return check_rng(name, seed)


def _n(name: str, n) -> int:
    return check_positive_int(name, n, maximum=MAX_SAMPLES)


def _single(mdp: TabularMDP):
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp must be a TabularMDP, got {type(mdp).__name__}")
    if mdp.batch_shape:
        raise ValueError("mdp must be a single (unbatched) TabularMDP for sampling; index the batch first")
    return mdp


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``probs`` (..., K) by inverse CDF (vectorised).  Each row must be a probability vector
    (finite, non-negative, summing to 1 within 1e-8); ``rng`` a Generator, SeedSequence or non-negative int seed."""
    probs = check_finite_array("probs", probs, allow_bool=False)
    if probs.ndim < 1 or probs.shape[-1] < 1:
        raise ValueError(f"probs must have shape (..., K) with K >= 1, got shape {probs.shape}")
    probs = check_stochastic("probs", probs, axis=-1)
    rng = _rng(rng, "rng")
    cdf = np.cumsum(probs, axis=-1)
    cdf[..., -1] = 1.0  # guard the last edge against round-off
    u = rng.random(probs.shape[:-1] + (1,))
    return np.minimum(np.sum(u >= cdf, axis=-1), probs.shape[-1] - 1)


def sample_next_states(P: np.ndarray, states: np.ndarray, actions: np.ndarray, rng) -> np.ndarray:
    """``s' ~ P(. | s, a)`` for each pair (``states``, ``actions`` integer arrays of one shape, in range)."""
    P = validate_kernel("P", P)
    if P.ndim != 3:
        raise ValueError(f"P must be a single kernel of shape (S, A, S), got shape {P.shape}")
    S, A = P.shape[0], P.shape[1]
    s = check_int_array("states", states, minimum=0, maximum=S - 1)
    a = check_int_array("actions", actions, minimum=0, maximum=A - 1)
    if s.shape != a.shape:
        raise ValueError(f"states and actions must have one shape, got {s.shape} and {a.shape}")
    return sample_categorical(P[s, a], _rng(rng, "rng"))


def sample_occupancy_pairs(mdp: TabularMDP, pi, n: int, *, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """n i.i.d. ``(s, a)`` from the exact occupancy ``d_pi`` (one multinomial draw over the S*A cells)."""
    mdp = _single(mdp)
    n = _n("n", n)
    rng = _rng(seed)
    d = occupancy(mdp, pi).ravel()
    d = np.clip(d, 0.0, None)
    d = d / d.sum()
    idx = rng.choice(d.size, size=n, p=d)
    return np.divmod(idx, mdp.n_actions)


def _same_batch(name: str, pi: np.ndarray, mdp: TabularMDP) -> None:
    """A batched policy needs the MDP's batch shape (an unbatched policy serves every MDP of a batch)."""
    if pi.ndim > 2 and pi.shape[:-2] != tuple(mdp.batch_shape):
        raise ValueError(f"{name} has batch shape {pi.shape[:-2]}, the MDP {tuple(mdp.batch_shape)}")


def geometric_stop_samples(mdp: TabularMDP, pi, n: int, *, seed=0, max_steps: int = 100_000):
    """n independent roll-outs from ``mu0`` under ``pi``, each stopped at ``T ~ Geometric(1 - gamma)``;
    returns ``(s_T, a_T, T)``.  ``(s_T, a_T) ~ d_pi`` exactly (module docstring).  Vectorised over roll-outs; the
    loop runs over time steps while any roll-out is alive."""
    mdp = _single(mdp)
    n = _n("n", n)
    pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
    _same_batch("pi", pi, mdp)
    max_steps = check_positive_int("max_steps", max_steps)
    rng = _rng(seed)
    g = float(mdp.gamma)
    # T = number of transitions before stopping: P(T = t) = (1 - g) g^t
    T = rng.geometric(1.0 - g, size=n) - 1 if g > 0 else np.zeros(n, dtype=np.int64)
    s = sample_categorical(np.broadcast_to(mdp.mu0, (n, mdp.n_states)), rng)
    a = sample_categorical(pi[s], rng)
    alive = np.nonzero(T > 0)[0]
    t = 0
    while alive.size:
        t += 1
        if t > max_steps:
            raise ValueError(f"max_steps={max_steps} is too small: a geometric roll-out is still alive after it")
        s[alive] = sample_categorical(mdp.P[s[alive], a[alive]], rng)
        a[alive] = sample_categorical(pi[s[alive]], rng)
        alive = alive[T[alive] > t]
    return s, a, T


def sample_dataset(mdp: TabularMDP, pi_b, n: int, *, seed=0, method: str = "occupancy") -> Transitions:
    """n i.i.d. transitions with ``(s, a) ~ d_{pi_b}`` and ``s' ~ P(. | s, a)``, reward ``R[s, a]``.

    ``method="occupancy"`` draws ``(s, a)`` from the exactly solved occupancy; ``"rollout"`` by geometric
    stopping (same law, no linear solve)."""
    mdp = _single(mdp)
    check_choice("method", method, ("occupancy", "rollout"))
    pi_b = validate_policy("pi_b", pi_b, mdp.n_states, mdp.n_actions)
    rng = _rng(seed)
    if method == "occupancy":
        s, a = sample_occupancy_pairs(mdp, pi_b, n, seed=rng)
    elif method == "rollout":
        s, a, _ = geometric_stop_samples(mdp, pi_b, n, seed=rng)
    else:
        raise ValueError(f"method must be 'occupancy' or 'rollout', got {method!r}")
    s2 = sample_next_states(mdp.P, s, a, rng)
    minus = np.full(len(s), -1)
    return Transitions(s, a, mdp.R[s, a].copy(), s2, minus, minus.copy())


def sample_rollouts(mdp: TabularMDP, pi, n_episodes: int, horizon: int, *, seed=0) -> Transitions:
    """``n_episodes`` roll-outs of ``horizon`` steps from ``mu0`` under ``pi`` (vectorised over episodes),
    flattened episode-major with ``episode`` and ``timestep`` columns."""
    mdp = _single(mdp)
    E = _n("n_episodes", n_episodes)
    H = _n("horizon", horizon)
    if E * H > MAX_SAMPLES:
        raise ValueError(f"n_episodes x horizon = {E * H} exceeds {MAX_SAMPLES} transitions")
    pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
    _same_batch("pi", pi, mdp)
    rng = _rng(seed)
    S_ = np.empty((E, H), dtype=np.int64)
    A_ = np.empty((E, H), dtype=np.int64)
    S2 = np.empty((E, H), dtype=np.int64)
    s = sample_categorical(np.broadcast_to(mdp.mu0, (E, mdp.n_states)), rng)
    for t in range(H):
        a = sample_categorical(pi[s], rng)
        s2 = sample_categorical(mdp.P[s, a], rng)
        S_[:, t], A_[:, t], S2[:, t] = s, a, s2
        s = s2
    ep = np.repeat(np.arange(E), H)
    ts = np.tile(np.arange(H), E)
    s_f, a_f = S_.ravel(), A_.ravel()
    return Transitions(s_f, a_f, mdp.R[s_f, a_f].copy(), S2.ravel(), ep, ts)


def count_transitions(data: Transitions, n_states: int, n_actions: int) -> np.ndarray:
    """Count tensor ``N[s, a, s']`` (the sufficient statistic of i.i.d. transitions)."""
    if not isinstance(data, Transitions):
        raise ValueError(f"data must be a Transitions, got {type(data).__name__}")
    S = check_positive_int("n_states", n_states, maximum=MAX_KERNEL_ENTRIES)
    A = check_positive_int("n_actions", n_actions, maximum=MAX_KERNEL_ENTRIES)
    check_kernel_size((), S, A)
    s, a, s2 = data.states, data.actions, data.next_states
    if s.size and (s.max() >= S or s2.max() >= S):
        raise ValueError(f"data states must lie in [0, n_states={S})")
    if a.size and a.max() >= A:
        raise ValueError(f"data actions must lie in [0, n_actions={A})")
    N = np.zeros(S * A * S, dtype=np.int64)
    np.add.at(N, (s * A + a) * S + s2, 1)
    return N.reshape(S, A, S)
