"""Models m of the dynamics: fitted from counts with Dirichlet smoothing, and controlled perturbations of p with an
exactly reported gap ``max |log p/m|`` (docs/methods/tabular.md §8)."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy.optimize import brentq

from lrtcheck.stats.validation import (check_finite_array, check_int_array, check_nonnegative, check_positive,
                                      check_rng, check_unit)

from .generators import random_kernel
from .mdp import validate_kernel

__all__ = ["fit_model", "PerturbedModel", "perturb_kernel", "perturb_to_gap", "max_abs_log_ratio"]


def fit_model(counts, *, smoothing: float = 1.0, prior=None) -> np.ndarray:
    """Posterior-mean model ``m(s'|s,a) = (N(s,a,s') + smoothing * prior(s'|s,a)) / (N(s,a) + smoothing)``.

    ``counts`` (..., S, A, S) non-negative; ``prior`` a kernel (uniform by default); ``smoothing`` >= 0 (with 0,
    every (s, a) must have been visited)."""
    N = check_int_array("counts", counts, minimum=0).astype(np.float64)
    if N.ndim < 3 or N.shape[-1] != N.shape[-3]:
        raise ValueError(f"counts must have shape (..., S, A, S), got {N.shape}")
    c = check_nonnegative("smoothing", smoothing)
    S = N.shape[-1]
    pr = np.full(N.shape[-3:], 1.0 / S) if prior is None else validate_kernel("prior", prior)
    tot = N.sum(axis=-1, keepdims=True) + c
    if np.any(tot <= 0):
        raise ValueError("smoothing must be > 0 when some (s, a) has no visits")
    return (N + c * pr) / tot


def max_abs_log_ratio(P, M) -> float:
    """``max |log P/M|`` over entries where ``P > 0`` or ``M > 0`` (``inf`` if the supports differ)."""
    P = validate_kernel("P", P)
    M = validate_kernel("M", M)
    if P.shape != M.shape:
        raise ValueError(f"M must have the shape of P {P.shape}, got {M.shape}")
    live = (P > 0) | (M > 0)
    if not np.any(live):
        return 0.0
    if np.any(live & ((P == 0) | (M == 0))):
        return float("inf")
    return float(np.max(np.abs(np.log(P[live]) - np.log(M[live]))))


@dataclass(frozen=True)
class PerturbedModel:
    """A model ``M = (1 - epsilon) P + epsilon Q`` with its exact gap ``max_abs_log_ratio = max |log P/M|``."""

    M: np.ndarray
    epsilon: float
    target: np.ndarray
    max_abs_log_ratio: float

    def __post_init__(self) -> None:
        # a model is passed back in (fitted, compared): every field is checked, none converted
        M = validate_kernel("M", self.M)
        check_unit("epsilon", self.epsilon)
        T = validate_kernel("target", self.target)
        if T.shape != M.shape:
            raise ValueError(f"target must have the shape of M {M.shape}, got {T.shape}")
        gap = self.max_abs_log_ratio
        # +inf is legal: the gap of a model whose support differs from the kernel's
        if isinstance(gap, (bool, np.bool_)) or not isinstance(gap, (Real, np.floating, np.integer)) or not gap >= 0:
            raise ValueError(f"max_abs_log_ratio must be a number >= 0 (or +inf), got {gap!r}")


def perturb_kernel(P, epsilon: float, *, target=None, seed=0, concentration: float = 1.0) -> PerturbedModel:
    """Mix ``P`` toward ``target`` (a random Dirichlet kernel with full support by default) with weight
    ``epsilon`` in [0, 1].  With a full-support target, M > 0 everywhere and for every entry with P > 0
    ``log M/P`` moves monotonically with epsilon, so the gap is continuous and increasing in epsilon."""
    P = validate_kernel("P", P)
    eps = check_unit("epsilon", epsilon)
    if target is None:
        check_rng("seed", seed)
        target = random_kernel(P.shape[-1], P.shape[-2], concentration=concentration, size=P.shape[:-3], seed=seed)
    Q = validate_kernel("target", target)
    if Q.shape != P.shape:
        raise ValueError(f"target must have the shape of P {P.shape}, got {Q.shape}")
    M = (1.0 - eps) * P + eps * Q
    return PerturbedModel(M, eps, Q, max_abs_log_ratio(P, M))


def perturb_to_gap(P, gap: float, *, target=None, seed=0, xtol: float = 1e-12) -> PerturbedModel:
    """The perturbation of :func:`perturb_kernel` whose gap ``max |log P/M|`` equals ``gap`` (bisection on
    epsilon; the gap is increasing in epsilon).  ``P`` must have full support (else any epsilon > 0 has an
    infinite gap)."""
    P = validate_kernel("P", P)
    gap = check_positive("gap", gap)
    xtol = check_positive("xtol", xtol)
    if np.any(P == 0):
        raise ValueError("P must have full support for a finite tunable gap")
    if target is None:
        check_rng("seed", seed)
        target = random_kernel(P.shape[-1], P.shape[-2], size=P.shape[:-3], seed=seed)
    top = perturb_kernel(P, 1.0, target=target).max_abs_log_ratio
    if gap > top:
        raise ValueError(f"gap must be at most {top:.6g} (the gap of the target kernel itself), got {gap}")
    eps = brentq(lambda e: perturb_kernel(P, e, target=target).max_abs_log_ratio - gap, 0.0, 1.0, xtol=xtol)
    return perturb_kernel(P, eps, target=target)
