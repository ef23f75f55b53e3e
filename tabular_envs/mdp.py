"""The tabular MDP container: validated arrays, optionally stacked over leading batch dimensions.

Conventions (docs/methods/tabular.md §1): ``P[..., s, a, s'] = p(s' | s, a)``, ``R[..., s, a]``,
``mu0[..., s]`` the initial-state law, discount ``gamma`` in [0, 1).  Leading dimensions (``batch_shape``) stack
independent MDPs so that every exact solver in :mod:`tabular_envs.solvers` runs on all of them in one linear solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.stats.validation import check_finite_array, check_int, check_name, check_positive_int, check_stochastic

__all__ = ["TabularMDP", "stack_mdps", "validate_kernel", "validate_policy", "validate_gamma", "validate_shape",
           "MAX_KERNEL_ENTRIES"]

_ATOL = 1e-8
#: the largest kernel (batch x S x A x S entries) a generator builds: 10**7 float64 entries are 80 MB
MAX_KERNEL_ENTRIES = 10**7


def validate_shape(name: str, value) -> tuple[int, ...]:
    """A batch shape: ``()``, a positive integer or a tuple of positive integers (1.5, True and 0 refused)."""
    if value is None or value == ():
        return ()
    items = value if isinstance(value, (tuple, list)) else (value,)
    return tuple(check_int(name, v, minimum=1, maximum=MAX_KERNEL_ENTRIES) for v in items)


def check_kernel_size(batch: tuple[int, ...], n_states: int, n_actions: int, *, name: str = "n_states") -> None:
    """Refuse a kernel of more than :data:`MAX_KERNEL_ENTRIES` entries before it is allocated."""
    total = int(np.prod(batch, dtype=object)) * n_states * n_actions * n_states if batch else \
        n_states * n_actions * n_states
    if total > MAX_KERNEL_ENTRIES:
        raise ValueError(f"{name}: a kernel of batch {batch} x n_states x n_actions x n_states = {n_states} x "
                         f"{n_actions} x {n_states}, {total} entries, exceeds {MAX_KERNEL_ENTRIES}")


def validate_kernel(name: str, value) -> np.ndarray:
    """A transition kernel ``(..., S, A, S)``: finite, non-negative, each row sums to 1 (ValueError otherwise)."""
    check_name("name", name)
    arr = check_finite_array(name, value, allow_bool=False)
    if arr.ndim < 3:
        raise ValueError(f"{name} must have shape (..., S, A, S), got shape {arr.shape}")
    if arr.shape[-1] != arr.shape[-3]:
        raise ValueError(f"{name} must have shape (..., S, A, S) with matching S, got shape {arr.shape}")
    if arr.shape[-1] == 0 or arr.shape[-2] == 0:
        raise ValueError(f"{name} must have at least one state and one action, got shape {arr.shape}")
    return check_stochastic(name, arr, axis=-1, atol=_ATOL)


def validate_policy(name: str, value, n_states: int | None = None, n_actions: int | None = None) -> np.ndarray:
    """A policy ``(..., S, A)``: finite, non-negative rows summing to 1, with the expected S and A."""
    check_name("name", name)
    arr = check_finite_array(name, value, allow_bool=False)
    if n_states is not None:
        n_states = check_positive_int("n_states", n_states)
    if n_actions is not None:
        n_actions = check_positive_int("n_actions", n_actions)
    if arr.ndim < 2:
        raise ValueError(f"{name} must have shape (..., S, A), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must have at least one state and one action, got shape {arr.shape}")
    if n_states is not None and arr.shape[-2] != n_states:
        raise ValueError(f"{name} must have n_states={n_states} states (shape (..., S, A)), got shape {arr.shape}")
    if n_actions is not None and arr.shape[-1] != n_actions:
        raise ValueError(f"{name} must have n_actions={n_actions} actions (shape (..., S, A)), got shape "
                         f"{arr.shape}")
    return check_stochastic(name, arr, axis=-1, atol=_ATOL)


def validate_gamma(gamma):
    """A discount in [0, 1) (scalar or array of per-MDP discounts); NaN refused."""
    g = check_finite_array("gamma", gamma, allow_bool=False)
    if np.any(g < 0.0) or np.any(g >= 1.0):
        raise ValueError(f"gamma must lie in [0, 1), got {gamma!r}")
    return float(g) if g.ndim == 0 else g


@dataclass(frozen=True, eq=False)
class TabularMDP:
    """A discounted tabular MDP ``(P, R, mu0, gamma)``, validated on construction.

    Parameters
    ----------
    P : array (..., S, A, S)
        Transition kernel; rows ``P[..., s, a, :]`` are probability vectors (non-negative, sum to 1 within 1e-8).
    R : array (..., S, A)
        Expected reward r(s, a), finite.
    mu0 : array (..., S)
        Initial-state distribution.
    gamma : float or array (...)
        Discount in [0, 1).

    Leading dimensions must broadcast to one ``batch_shape``; ``()`` for a single MDP.
    """

    P: np.ndarray
    R: np.ndarray
    mu0: np.ndarray
    gamma: float | np.ndarray

    def __post_init__(self) -> None:
        P = validate_kernel("P", self.P)
        S, A = P.shape[-3], P.shape[-2]
        R = check_finite_array("R", self.R, allow_bool=False)
        if R.ndim < 2 or R.shape[-2:] != (S, A):
            raise ValueError(f"R must have shape (..., {S}, {A}) to match P {P.shape}, got shape {R.shape}")
        mu0 = check_finite_array("mu0", self.mu0, allow_bool=False)
        if mu0.ndim < 1 or mu0.shape[-1] != S:
            raise ValueError(f"mu0 must have shape (..., {S}) to match P {P.shape}, got shape {mu0.shape}")
        mu0 = check_stochastic("mu0", mu0, axis=-1, atol=_ATOL)
        gamma = validate_gamma(self.gamma)
        try:
            batch = np.broadcast_shapes(P.shape[:-3], R.shape[:-2], mu0.shape[:-1], np.shape(gamma))
        except ValueError:
            raise ValueError(
                f"batch dimensions of P {P.shape[:-3]}, R {R.shape[:-2]}, mu0 {mu0.shape[:-1]} and gamma "
                f"{np.shape(gamma)} do not broadcast") from None
        for name, arr in (("P", P), ("R", R), ("mu0", mu0)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "_batch_shape", tuple(batch))

    @property
    def n_states(self) -> int:
        return int(self.P.shape[-1])

    @property
    def n_actions(self) -> int:
        return int(self.P.shape[-2])

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    @property
    def gamma_array(self) -> np.ndarray:
        """``gamma`` as an array of shape ``batch_shape`` (broadcast)."""
        return np.broadcast_to(np.asarray(self.gamma, dtype=np.float64), self.batch_shape)

    @property
    def horizon(self):
        """Effective horizon 1 / (1 - gamma)."""
        return 1.0 / (1.0 - np.asarray(self.gamma))

    def __getitem__(self, index) -> "TabularMDP":
        """The MDP(s) at ``index`` of the batch dimensions (arrays are broadcast to ``batch_shape`` first)."""
        if not self.batch_shape:
            raise IndexError("a single (unbatched) TabularMDP cannot be indexed")
        b = self.batch_shape
        S, A = self.n_states, self.n_actions
        return TabularMDP(np.broadcast_to(self.P, b + (S, A, S))[index], np.broadcast_to(self.R, b + (S, A))[index],
                          np.broadcast_to(self.mu0, b + (S,))[index], self.gamma_array[index])

    def with_reward(self, R) -> "TabularMDP":
        return TabularMDP(self.P, R, self.mu0, self.gamma)

    def with_kernel(self, P) -> "TabularMDP":
        return TabularMDP(P, self.R, self.mu0, self.gamma)

    def __repr__(self) -> str:
        g = self.gamma if np.ndim(self.gamma) == 0 else f"array{np.shape(self.gamma)}"
        return (f"TabularMDP(n_states={self.n_states}, n_actions={self.n_actions}, gamma={g}, "
                f"batch_shape={self.batch_shape})")


def stack_mdps(mdps) -> TabularMDP:
    """Stack single MDPs of equal (S, A) into one batched :class:`TabularMDP` with ``batch_shape == (len(mdps),)``."""
    if isinstance(mdps, (str, bytes)) or mdps is None or not hasattr(mdps, "__iter__"):
        raise ValueError(f"mdps must be a sequence of TabularMDP, got {mdps!r}")
    mdps = list(mdps)
    if not mdps:
        raise ValueError("mdps must contain at least one TabularMDP")
    if any(not isinstance(m, TabularMDP) or m.batch_shape for m in mdps):
        raise ValueError("mdps must be unbatched TabularMDP instances")
    shapes = {(m.n_states, m.n_actions) for m in mdps}
    if len(shapes) != 1:
        raise ValueError(f"mdps must share (n_states, n_actions), got {sorted(shapes)}")
    return TabularMDP(np.stack([m.P for m in mdps]), np.stack([m.R for m in mdps]), np.stack([m.mu0 for m in mdps]),
                      np.array([m.gamma for m in mdps]))
