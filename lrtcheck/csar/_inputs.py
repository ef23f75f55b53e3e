"""Input checks shared by the C-SAR calibrators: scores, binary labels, probabilities, weights, cells.

Every refusal is a ``ValueError`` naming the parameter and the rule (the project's convention for bad input); the
generic helpers live in ``lrtcheck.stats.validation``.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_finite_array, check_open_unit, check_probability_array

__all__ = ["as_array", "scores_1d", "labels_1d", "probabilities_1d", "weights_1d", "cells_1d", "check_delta",
           "paired", "real_array", "finite_array", "flag_array", "check_flag", "count_array", "broadcast_compatible"]


def as_array(name: str, value) -> np.ndarray:
    """``np.asarray(value)``, with ``None`` and ragged nestings refused by name (numpy's own error names nothing)."""
    if value is None:
        raise ValueError(f"{name} must be an array of real numbers, got None")
    try:
        return np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of real numbers, not a ragged nesting ({exc})") from None


def real_array(name: str, value, *, allow_bool: bool = True) -> np.ndarray:
    """``value`` as a float64 array of real numbers: complex values (whose imaginary part a cast would drop),
    strings, ``None``, ragged nestings and other non-numbers are refused by name, never cast; NaN and inf are left
    to the caller."""
    arr = as_array(name, value)
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must contain real numbers (complex values refused, not cast)")
    if kind == "b" and not allow_bool:
        raise ValueError(f"{name} must contain numbers, not booleans")
    if kind == "O":
        if any(isinstance(v, (complex, np.complexfloating)) for v in arr.ravel()):
            raise ValueError(f"{name} must contain real numbers (complex values refused, not cast)")
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an array of real numbers, got {arr.dtype} values") from None
    if kind not in "biuf":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64)


def finite_array(name: str, value, *, ndim: int | None = None, allow_bool: bool = True) -> np.ndarray:
    """A float64 array of finite real numbers (complex, NaN and inf refused by name; booleans too unless
    ``allow_bool``)."""
    return check_finite_array(name, real_array(name, value, allow_bool=allow_bool), ndim=ndim)


def flag_array(name: str, value) -> np.ndarray:
    """Boolean flags: a bool array, or numbers that are exactly 0 or 1 (NaN, 2, -1, 0.5 refused, never cast)."""
    arr = as_array(name, value)
    if arr.dtype.kind == "b":
        return arr
    f = real_array(name, arr)
    if np.isnan(f).any() or not np.all((f == 0.0) | (f == 1.0)):
        raise ValueError(f"{name} must contain boolean flags (True/False or 0/1)")
    return f.astype(bool)


def check_flag(name: str, value) -> bool:
    """A scalar boolean option: ``True``/``False`` (numpy booleans included) only."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def count_array(name: str, value) -> np.ndarray:
    """Non-negative integer counts as int64: floats must be integral (1.9 refused, not truncated), booleans and
    complex values refused."""
    arr = as_array(name, value)
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64)
    else:
        f = real_array(name, arr, allow_bool=False)
        if not np.all(np.isfinite(f)) or np.any(f != np.round(f)):
            raise ValueError(f"{name} must contain integer counts (no NaN, no fractions)")
        out = f.astype(np.int64)
    if np.any(out < 0):
        raise ValueError(f"{name} must contain counts >= 0")
    return out


def broadcast_compatible(name: str, arr: np.ndarray, shape, to: str | None = None) -> np.ndarray:
    """``arr`` broadcast to ``shape`` (the shape of parameter ``to``, when given), with a ValueError naming both
    when it cannot be."""
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        whose = f"the shape of {to} " if to else ""
        raise ValueError(f"{name} has shape {np.shape(arr)}, which does not broadcast to {whose}{tuple(shape)}") \
            from None


def scores_1d(name: str, value) -> np.ndarray:
    """A 1-D float64 array of finite scores (NaN and inf refused)."""
    arr = real_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    return check_finite_array(name, arr, ndim=1)


def labels_1d(name: str, value) -> np.ndarray:
    """A 1-D array of binary labels in {0, 1}, returned as float64."""
    arr = real_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isnan(arr).any() or not np.all((arr == 0.0) | (arr == 1.0)):
        raise ValueError(f"{name} must contain binary labels 0 or 1")
    return arr


def probabilities_1d(name: str, value) -> np.ndarray:
    """A 1-D float64 array of probabilities in [0, 1] (NaN refused)."""
    arr = real_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return check_probability_array(name, arr, ndim=1)


def weights_1d(name: str, value, n: int | None = None, like: str | None = None) -> np.ndarray:
    """A 1-D float64 array of finite non-negative weights (of length ``n`` when given: the length of parameter
    ``like``, named in the message)."""
    arr = real_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    arr = check_finite_array(name, arr, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if n is not None and arr.shape[0] != n:
        whose = f" (the length of {like})" if like else ""
        raise ValueError(f"{name} must have length {n}{whose}, got {arr.shape[0]}")
    return arr


def cells_1d(name: str, value, n_cells: int | None = None) -> np.ndarray:
    """A 1-D int64 array of cell indices in [0, n_cells)."""
    arr = as_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        f = real_array(name, arr, allow_bool=False)
        if np.isnan(f).any() or np.any(f != np.round(f)):
            raise ValueError(f"{name} must contain integer cell indices")
    arr = arr.astype(np.int64)
    if np.any(arr < 0) or (n_cells is not None and np.any(arr >= n_cells)):
        raise ValueError(f"{name} must contain cell indices in [0, {n_cells})")
    return arr


def check_delta(value) -> float:
    """The miscoverage level delta, in (0, 1)."""
    return check_open_unit("delta", value)


def paired(scores: np.ndarray, labels: np.ndarray, *, what: str = "calibration set",
           names: tuple[str, str] = ("scores", "labels")) -> None:
    """Refuse an empty calibration set and mismatched lengths (the message names the two parameters ``names``)."""
    a, b = names
    if scores.shape[0] == 0:
        raise ValueError(f"the {what} must not be empty ({a} and {b}: got 0 points)")
    if scores.shape[0] != labels.shape[0]:
        raise ValueError(f"{a} and {b} must have the same length ({scores.shape[0]} != {labels.shape[0]})")
