"""Policies ``pi[..., s, a] = pi(a | s)``: uniform, greedy, softmax of Q, epsilon-greedy, random (Dirichlet rows),
and behaviour policies with guaranteed coverage (mixtures with the uniform policy)."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from lrtcheck.stats.validation import (check_choice, check_finite_array, check_positive, check_positive_int, check_rng,
                                      check_unit)

from .mdp import MAX_KERNEL_ENTRIES, validate_policy


def _check_Q(Q) -> np.ndarray:
    Q = check_finite_array("Q", Q, allow_bool=False)
    if Q.ndim < 2 or Q.shape[-1] < 1 or Q.shape[-2] < 1:
        raise ValueError(f"Q must have shape (..., S, A) with S, A >= 1, got shape {Q.shape}")
    return Q


def _sizes(n_states, n_actions) -> tuple[int, int]:
    S = check_positive_int("n_states", n_states, maximum=MAX_KERNEL_ENTRIES)
    A = check_positive_int("n_actions", n_actions, maximum=MAX_KERNEL_ENTRIES)
    if S * A > MAX_KERNEL_ENTRIES:
        raise ValueError(f"n_states x n_actions = {S * A} exceeds {MAX_KERNEL_ENTRIES}")
    return S, A

__all__ = [
    "uniform_policy",
    "greedy_policy",
    "softmax_policy",
    "epsilon_greedy_policy",
    "random_policy",
    "mix_policies",
    "behaviour_policy",
]


def uniform_policy(n_states: int, n_actions: int) -> np.ndarray:
    """``pi(a|s) = 1/A``."""
    S, A = _sizes(n_states, n_actions)
    return np.full((S, A), 1.0 / A)


def greedy_policy(Q) -> np.ndarray:
    """Deterministic argmax of ``Q`` (ties to the lowest action index)."""
    Q = _check_Q(Q)
    pi = np.zeros_like(Q)
    np.put_along_axis(pi, np.argmax(Q, axis=-1)[..., None], 1.0, axis=-1)
    return pi


def softmax_policy(Q, temperature: float) -> np.ndarray:
    """``pi(a|s) = exp(Q(s,a)/tau) / sum_b exp(Q(s,b)/tau)``, computed stably as the softmax of
    ``(Q - max_b Q(s,b)) / tau``: the shift is finite and <= 0, so a tiny temperature sends the non-maximal entries
    to ``-inf`` (probability 0) and splits the mass among the maximisers, the ``tau -> 0`` limit, never NaN."""
    Q = _check_Q(Q)
    tau = check_positive("temperature", temperature)
    with np.errstate(over="ignore"):
        z = Q / tau
        if not np.all(np.isfinite(z)):  # only then shift (the ordinary path stays bit-identical to softmax(Q/tau))
            z = (Q - Q.max(axis=-1, keepdims=True)) / tau
    return softmax(z, axis=-1)


def epsilon_greedy_policy(Q, epsilon: float) -> np.ndarray:
    """``(1 - epsilon) greedy(Q) + epsilon uniform``."""
    eps = check_unit("epsilon", epsilon)
    g = greedy_policy(Q)
    return (1.0 - eps) * g + eps / g.shape[-1]


def random_policy(n_states: int, n_actions: int, *, concentration: float = 1.0, seed=0) -> np.ndarray:
    """Rows drawn i.i.d. from Dirichlet(concentration * 1_A); ``seed`` is an int, SeedSequence or Generator."""
    S, A = _sizes(n_states, n_actions)
    c = check_positive("concentration", concentration)
    rng = check_rng("seed", seed)
    pi = rng.dirichlet(np.full(A, c), size=S)
    # Dirichlet draws with small concentration can underflow to exact zeros; keep rows normalised.
    return pi / pi.sum(axis=-1, keepdims=True)


def mix_policies(pi, other, weight: float) -> np.ndarray:
    """``(1 - weight) pi + weight other``."""
    w = check_unit("weight", weight)
    pi = validate_policy("pi", pi)
    other = validate_policy("other", other, pi.shape[-2], pi.shape[-1])
    return (1.0 - w) * pi + w * other


def behaviour_policy(n_states: int, n_actions: int, *, kind: str = "random", coverage: float = 0.1,
                     Q=None, temperature: float = 1.0, concentration: float = 1.0, seed=0) -> np.ndarray:
    """A behaviour policy ``pi_b`` with full support: a base policy mixed with the uniform policy.

    ``kind``: ``"uniform"``, ``"random"`` (Dirichlet rows), ``"softmax"`` (of ``Q`` at ``temperature``) or
    ``"greedy"`` (of ``Q``).  ``coverage`` in [0, 1] is the uniform mixing weight, so
    ``pi_b(a|s) >= coverage / A`` (full overlap when ``coverage > 0``).
    """
    S, A = _sizes(n_states, n_actions)
    cov = check_unit("coverage", coverage)
    check_choice("kind", kind, ("uniform", "random", "softmax", "greedy"))
    check_positive("temperature", temperature)  # checked whatever the kind: a bad value is never ignored
    check_positive("concentration", concentration)
    if kind == "uniform":
        base = uniform_policy(S, A)
    elif kind == "random":
        base = random_policy(S, A, concentration=concentration, seed=seed)
    elif kind in ("softmax", "greedy"):
        if Q is None:
            raise ValueError(f"kind={kind!r} needs Q")
        Q = _check_Q(Q)
        if Q.shape[-2:] != (S, A):
            raise ValueError(f"Q must have shape (..., {S}, {A}), got shape {Q.shape}")
        base = softmax_policy(Q, temperature) if kind == "softmax" else greedy_policy(Q)
    else:
        raise ValueError(f"kind must be 'uniform', 'random', 'softmax' or 'greedy', got {kind!r}")
    return (1.0 - cov) * base + cov / A
