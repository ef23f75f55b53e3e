"""Input validation shared by every layer: clear ``ValueError`` messages naming the parameter and the rule.

Nothing in lrtcheck lets a NaN through silently; these helpers are the one place that says how inputs are refused.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = [
    "check_open_unit",
    "check_unit",
    "check_positive",
    "check_nonnegative",
    "check_positive_int",
    "check_finite_array",
    "check_probability_array",
    "check_stochastic",
]


def _scalar(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def check_open_unit(name: str, value) -> float:
    """Return ``value`` as float if 0 < value < 1, else raise ``ValueError`` naming ``name``."""
    v = _scalar(name, value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie in the open interval (0, 1), got {value!r}")
    return v


def check_unit(name: str, value) -> float:
    """Return ``value`` as float if 0 <= value <= 1."""
    v = _scalar(name, value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return v


def check_positive(name: str, value) -> float:
    """Return ``value`` as float if it is finite and > 0."""
    v = _scalar(name, value)
    if not (v > 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return v


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as float if it is finite and >= 0."""
    v = _scalar(name, value)
    if not (v >= 0.0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_finite_array(name: str, value, *, ndim: int | None = None, dtype=np.float64) -> np.ndarray:
    """Return ``value`` as an array of ``dtype``; refuse NaN/inf and a wrong number of dimensions."""
    arr = np.asarray(value, dtype=dtype)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def check_probability_array(name: str, value, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as float64 array if every entry is a finite probability in [0, 1]."""
    arr = check_finite_array(name, value, ndim=ndim)
    if np.any(arr < 0.0) or np.any(arr > 1.0):
        raise ValueError(f"{name} must contain probabilities in [0, 1]")
    return arr


def check_stochastic(name: str, value, *, axis: int = -1, atol: float = 1e-8) -> np.ndarray:
    """Return ``value`` if it is non-negative and sums to 1 along ``axis`` (rows of a stochastic matrix)."""
    arr = check_finite_array(name, value)
    if np.any(arr < 0.0):
        raise ValueError(f"{name} must not contain negative probabilities")
    sums = arr.sum(axis=axis)
    if not np.allclose(sums, 1.0, atol=atol, rtol=0.0):
        worst = float(np.max(np.abs(sums - 1.0)))
        raise ValueError(f"{name} rows must sum to 1 along axis {axis} (largest deviation {worst:.3g})")
    return arr
