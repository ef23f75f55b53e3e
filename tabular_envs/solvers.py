"""Exact solvers, batched over leading dimensions (one ``np.linalg.solve`` over a stack).

Formulas (docs/methods/tabular.md §3-§4; Puterman 1994, sections 6.1-6.4):

- ``P_pi[s, s'] = sum_a pi(a|s) P(s'|s,a)``, ``r_pi[s] = sum_a pi(a|s) r(s,a)``.
- Policy evaluation ``V = (I - gamma P_pi)^{-1} r_pi``; ``Q = r + gamma P V``.
- Normalised discounted state occupancy ``d_s = (1 - gamma) (I - gamma P_pi)^{-T} mu0``,
  state-action occupancy ``d(s, a) = d_s(s) pi(a|s)``; it satisfies the flow equation
  ``d_s(s') = (1 - gamma) mu0(s') + gamma sum_{s,a} d(s,a) P(s'|s,a)`` and ``J = mu0.V = <d, r>/(1 - gamma)``.
- Soft (entropy-regularised, temperature tau) value iteration: ``Q = r + gamma P V``,
  ``V = tau log sum_a exp(Q/tau)``, ``pi = exp((Q - V)/tau)``; soft evaluation
  ``V = (I - gamma P_pi)^{-1}(r_pi - tau sum_a pi log pi)``.
- Concentrability ``C(d_target, d_ref) = max d_target/d_ref`` over the support of ``d_target``.

Policies may carry their own leading dimensions; they broadcast against the MDP's ``batch_shape``.  NumPy >= 2
treats a right-hand side as a vector only when 1-D, so every solve uses ``b[..., None]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.stats.validation import check_finite_array, check_nonnegative, check_positive, check_positive_int

from .mdp import TabularMDP, validate_policy

__all__ = [
    "policy_kernel",
    "evaluate_policy",
    "q_values",
    "policy_return",
    "state_occupancy",
    "occupancy",
    "value_iteration",
    "policy_iteration",
    "soft_value_iteration",
    "soft_evaluate_policy",
    "concentrability",
    "ValueIterationResult",
]


def _check_mdp(mdp) -> TabularMDP:
    if not isinstance(mdp, TabularMDP):
        raise ValueError(f"mdp must be a TabularMDP, got {type(mdp).__name__}")
    return mdp


def _gamma(mdp: TabularMDP, extra: int) -> np.ndarray:
    g = np.asarray(mdp.gamma, dtype=np.float64)
    return g.reshape(g.shape + (1,) * extra)


def policy_kernel(mdp: TabularMDP, pi) -> tuple[np.ndarray, np.ndarray]:
    """``(P_pi, r_pi)`` of shapes ``(..., S, S)`` and ``(..., S)``."""
    mdp = _check_mdp(mdp)
    pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
    P_pi = np.einsum("...sa,...sat->...st", pi, mdp.P)
    r_pi = np.sum(pi * mdp.R, axis=-1)
    return P_pi, r_pi


def _system(mdp: TabularMDP, P_pi: np.ndarray) -> np.ndarray:
    eye = np.eye(mdp.n_states)
    return eye - _gamma(mdp, 2) * P_pi


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve the stacked systems ``A x = b`` (A ``(..., S, S)``, b ``(..., S)``), broadcasting the stacks."""
    shape = np.broadcast_shapes(A.shape[:-2], b.shape[:-1])
    S = A.shape[-1]
    A = np.broadcast_to(A, shape + (S, S))
    b = np.broadcast_to(b, shape + (S,))[..., None]
    return np.linalg.solve(A, b)[..., 0]


def evaluate_policy(mdp: TabularMDP, pi) -> np.ndarray:
    """Exact ``V^pi`` of shape ``(..., S)``: solves ``(I - gamma P_pi) V = r_pi``."""
    P_pi, r_pi = policy_kernel(mdp, pi)
    return _solve(_system(mdp, P_pi), r_pi)


def q_values(mdp: TabularMDP, pi=None, *, V=None) -> np.ndarray:
    """``Q = r + gamma P V`` of shape ``(..., S, A)``, with ``V = V^pi`` (exact) unless ``V`` is given."""
    mdp = _check_mdp(mdp)
    if V is None:
        if pi is None:
            raise ValueError("q_values needs pi or V")
        V = evaluate_policy(mdp, pi)
    V = check_finite_array("V", V, allow_bool=False)
    if V.ndim < 1 or V.shape[-1] != mdp.n_states:
        raise ValueError(f"V must have shape (..., {mdp.n_states}), got shape {V.shape}")
    try:
        np.broadcast_shapes(V.shape[:-1], mdp.batch_shape)
    except ValueError:
        raise ValueError(f"V batch shape {V.shape[:-1]} does not broadcast with the MDP's {mdp.batch_shape}") from None
    return mdp.R + _gamma(mdp, 2) * np.einsum("...sat,...t->...sa", mdp.P, V)


def policy_return(mdp: TabularMDP, pi) -> np.ndarray:
    """``J(pi) = mu0 . V^pi`` (shape ``batch``)."""
    mdp = _check_mdp(mdp)
    return np.sum(mdp.mu0 * evaluate_policy(mdp, pi), axis=-1)


def state_occupancy(mdp: TabularMDP, pi) -> np.ndarray:
    """Normalised discounted state occupancy ``d_s = (1 - gamma)(I - gamma P_pi)^{-T} mu0`` (sums to 1)."""
    P_pi, _ = policy_kernel(mdp, pi)
    d = _solve(np.swapaxes(_system(mdp, P_pi), -1, -2), mdp.mu0)
    return (1.0 - _gamma(mdp, 1)) * d


def occupancy(mdp: TabularMDP, pi) -> np.ndarray:
    """Normalised discounted state-action occupancy ``d(s, a) = d_s(s) pi(a|s)``, shape ``(..., S, A)``."""
    mdp = _check_mdp(mdp)
    pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
    return state_occupancy(mdp, pi)[..., None] * pi


@dataclass(frozen=True)
class ValueIterationResult:
    """Result of (soft) value iteration: ``Q``, ``V``, ``policy``, the number of sweeps and the final sup-change."""

    Q: np.ndarray
    V: np.ndarray
    policy: np.ndarray
    n_iter: int
    residual: float

    def __post_init__(self) -> None:
        Q = check_finite_array("Q", self.Q, allow_bool=False)
        if Q.ndim < 2 or Q.size == 0:
            raise ValueError(f"Q must have shape (..., S, A) with S, A >= 1, got shape {Q.shape}")
        V = check_finite_array("V", self.V, allow_bool=False)
        if V.shape != Q.shape[:-1]:
            raise ValueError(f"V must have shape {Q.shape[:-1]} (Q's without the action axis), got {V.shape}")
        validate_policy("policy", self.policy, Q.shape[-2], Q.shape[-1])
        if np.shape(self.policy) != Q.shape:
            raise ValueError(f"policy must have the shape of Q {Q.shape}, got {np.shape(self.policy)}")
        check_positive_int("n_iter", self.n_iter, minimum=0)
        check_nonnegative("residual", self.residual)

    def __iter__(self):  # unpack as (Q, V, pi)
        return iter((self.Q, self.V, self.policy))


def _greedy(Q: np.ndarray) -> np.ndarray:
    pi = np.zeros_like(Q)
    np.put_along_axis(pi, np.argmax(Q, axis=-1)[..., None], 1.0, axis=-1)
    return pi


def _bellman_fixed_point(mdp: TabularMDP, backup, tol: float, max_iter: int) -> tuple[np.ndarray, int, float]:
    """Iterate ``V <- backup(r + gamma P V)`` from ``V_0 = 0`` (batched) until the sup-change is <= ``tol (1-g)/g``
    with ``g`` the largest discount of the batch, or ``max_iter`` sweeps; returns ``(V, sweeps, last change)``.

    ``backup`` maps ``Q`` of shape ``(..., S, A)`` to ``V`` of shape ``(..., S)``: the max over actions (value
    iteration) or the soft-max ``tau log sum_a pi0 exp(Q/tau)`` (soft value iteration).  Both are
    gamma-contractions in the sup norm, so the stopped iterate lies within ``tol`` of the fixed point (Puterman
    1994, section 6.3.2; docs/methods/tabular.md section 4).
    """
    g = float(np.max(mdp.gamma_array)) if mdp.batch_shape else float(mdp.gamma)
    stop = tol * (1 - g) / g if g > 0 else np.inf
    V = np.zeros(mdp.batch_shape + (mdp.n_states,))
    resid = np.inf
    q = _q_sweep(mdp)
    for it in range(1, max_iter + 1):
        V_new = backup(q(V))
        resid = float(np.max(np.abs(V_new - V)))
        V = V_new
        if resid <= stop:
            break
    return V, it, resid


def _q_sweep(mdp: TabularMDP):
    """``V -> r + gamma P V`` for the sweeps of value iteration: one matrix product of the ``(..., S*A, S)`` kernel
    with ``V`` (no validation per sweep; the MDP was validated once)."""
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P.reshape(mdp.P.shape[:-3] + (S * A, S))
    g = _gamma(mdp, 2)
    R = mdp.R

    def q(V):
        PV = np.matmul(P, V[..., None])[..., 0]
        return R + g * PV.reshape(PV.shape[:-1] + (S, A))
    return q


def _soft_backup(tau: float, ref):
    """``Q -> tau log sum_a pi0(a|s) exp(Q(s,a)/tau)``, computed as ``m + tau log sum_a pi0 exp((Q - m)/tau)``
    with ``m`` the largest Q on the support of ``pi0``: the shifted exponent is <= 0 on the support, so no
    temperature overflows it (a tiny tau gives the hard max, never NaN)."""
    if ref is None:
        def backup(Q):
            m = Q.max(axis=-1, keepdims=True)
            with np.errstate(over="ignore", under="ignore"):
                s = np.exp((Q - m) / tau).sum(axis=-1)
            return m[..., 0] + tau * np.log(s)
        return backup
    support = ref > 0

    def backup(Q):
        m = np.where(support, Q, -np.inf).max(axis=-1, keepdims=True)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            s = np.where(support, ref * np.exp((Q - m) / tau), 0.0).sum(axis=-1)
        return m[..., 0] + tau * np.log(s)
    return backup


def value_iteration(mdp: TabularMDP, *, tol: float = 1e-10, max_iter: int = 100_000) -> ValueIterationResult:
    """Optimal ``(Q*, V*, greedy pi)`` by value iteration, stopped when ``||V_{k+1} - V_k||_inf <= tol (1-g)/g``
    (then ``||V_k - V*||_inf <= tol``); batched.  See :func:`policy_iteration` for the exact optimum."""
    mdp = _check_mdp(mdp)
    tol = check_positive("tol", tol)
    max_iter = check_positive_int("max_iter", max_iter)
    V, it, resid = _bellman_fixed_point(mdp, lambda Q: Q.max(axis=-1), tol, max_iter)
    Q = q_values(mdp, V=V)
    return ValueIterationResult(Q, Q.max(axis=-1), _greedy(Q), it, resid)


def policy_iteration(mdp: TabularMDP, *, max_iter: int = 10_000) -> ValueIterationResult:
    """Howard's policy iteration with exact evaluation; returns the exact optimum (batched, ties to lowest index)."""
    mdp = _check_mdp(mdp)
    pi = _greedy(np.broadcast_to(mdp.R, mdp.batch_shape + mdp.R.shape[-2:]).copy())
    for it in range(1, check_positive_int("max_iter", max_iter) + 1):
        Q = q_values(mdp, pi)
        V = np.sum(pi * Q, axis=-1)
        # keep the current action unless another one improves by more than round-off
        improve = Q.max(axis=-1) > V + 1e-12 * (1 + np.abs(V))
        new = np.where(improve[..., None], _greedy(Q), pi)
        if np.array_equal(new, pi):
            return ValueIterationResult(Q, V, pi, it, 0.0)
        pi = new
    raise RuntimeError(f"policy iteration did not converge in {max_iter} iterations")


def soft_value_iteration(mdp: TabularMDP, temperature: float, *, reference=None, tol: float = 1e-10,
                         max_iter: int = 100_000) -> ValueIterationResult:
    """Soft (entropy- or KL-regularised) value iteration at ``temperature`` tau > 0; returns ``(Q, V, pi)``.

    ``V(s) = tau log sum_a pi0(a|s) exp(Q(s,a)/tau)`` with ``pi0`` = ``reference`` (uniform weights 1 when None,
    i.e. the entropy-regularised soft-max), ``pi = pi0 exp((Q - V)/tau)``.  The operator is a gamma-contraction
    (Bacon, *rlbook*, "Smooth Bellman optimality equations"); stopped when the sup-change is <= tol (1-g)/g.
    """
    mdp = _check_mdp(mdp)
    tau = check_positive("temperature", temperature)
    tol = check_positive("tol", tol)
    max_iter = check_positive_int("max_iter", max_iter)
    ref = None if reference is None else validate_policy("reference", reference, mdp.n_states, mdp.n_actions)
    backup = _soft_backup(tau, ref)
    V, it, resid = _bellman_fixed_point(mdp, backup, tol, max_iter)
    Q = q_values(mdp, V=V)
    V = backup(Q)
    # pi = pi0 exp((Q - V)/tau), normalised; (Q - V)/tau <= 0 up to rounding on the support of pi0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        w = np.exp((Q - V[..., None]) / tau)
        if ref is not None:
            w = np.where(ref > 0, ref * w, 0.0)
    pi = w / w.sum(axis=-1, keepdims=True)
    return ValueIterationResult(Q, V, pi, it, resid)


def soft_evaluate_policy(mdp: TabularMDP, pi, temperature: float) -> np.ndarray:
    """Exact soft value ``V = (I - gamma P_pi)^{-1}(r_pi - tau sum_a pi log pi)`` (0 log 0 = 0)."""
    tau = check_positive("temperature", temperature)
    P_pi, r_pi = policy_kernel(mdp, pi)
    pi = np.asarray(pi, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = -np.sum(np.where(pi > 0, pi * np.log(np.where(pi > 0, pi, 1.0)), 0.0), axis=-1)
    return _solve(_system(mdp, P_pi), r_pi + tau * ent)


def concentrability(d_target, d_reference) -> np.ndarray:
    """``max_{(s,a): d_target > 0} d_target / d_reference`` over the last two axes; ``inf`` where the reference
    misses part of the target's support (no overlap).  Inputs must be non-negative and finite."""
    t = check_finite_array("d_target", d_target, allow_bool=False)
    r = check_finite_array("d_reference", d_reference, allow_bool=False)
    if np.any(t < 0):
        raise ValueError("d_target must be non-negative")
    if np.any(r < 0):
        raise ValueError("d_reference must be non-negative")
    if t.ndim < 1:
        raise ValueError("d_target must have at least one dimension")
    if r.ndim < 1:
        raise ValueError("d_reference must have at least one dimension")
    try:
        t, r = np.broadcast_arrays(t, r)
    except ValueError:
        raise ValueError(f"d_reference shape {r.shape} does not broadcast with d_target {t.shape}") from None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t > 0, np.where(r > 0, t / np.where(r > 0, r, 1.0), np.inf), 0.0)
    axes = tuple(range(max(0, t.ndim - 2), t.ndim))
    return np.max(ratio, axis=axes)
