"""Input checks shared by the C-SAR calibrators: scores, binary labels, probabilities, weights, cells.

Every refusal is a ``ValueError`` naming the parameter and the rule (the project's convention for bad input); the
generic helpers live in ``lrtcheck.stats.validation``.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_finite_array, check_open_unit, check_probability_array

__all__ = ["scores_1d", "labels_1d", "probabilities_1d", "weights_1d", "cells_1d", "check_delta", "paired"]


def scores_1d(name: str, value) -> np.ndarray:
    """A 1-D float64 array of finite scores (NaN and inf refused)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    return check_finite_array(name, arr, ndim=1)


def labels_1d(name: str, value) -> np.ndarray:
    """A 1-D array of binary labels in {0, 1}, returned as float64."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    arr = arr.astype(np.float64)
    if np.isnan(arr).any() or not np.all((arr == 0.0) | (arr == 1.0)):
        raise ValueError(f"{name} must contain binary labels 0 or 1")
    return arr


def probabilities_1d(name: str, value) -> np.ndarray:
    """A 1-D float64 array of probabilities in [0, 1] (NaN refused)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return check_probability_array(name, arr, ndim=1)


def weights_1d(name: str, value, n: int | None = None) -> np.ndarray:
    """A 1-D float64 array of finite non-negative weights (of length ``n`` when given)."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    arr = check_finite_array(name, arr, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have length {n}, got {arr.shape[0]}")
    return arr


def cells_1d(name: str, value, n_cells: int | None = None) -> np.ndarray:
    """A 1-D int64 array of cell indices in [0, n_cells)."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        f = arr.astype(np.float64)
        if np.isnan(f).any() or np.any(f != np.round(f)):
            raise ValueError(f"{name} must contain integer cell indices")
    arr = arr.astype(np.int64)
    if np.any(arr < 0) or (n_cells is not None and np.any(arr >= n_cells)):
        raise ValueError(f"{name} must contain cell indices in [0, {n_cells})")
    return arr


def check_delta(value) -> float:
    """The miscoverage level delta, in (0, 1)."""
    return check_open_unit("delta", value)


def paired(scores: np.ndarray, labels: np.ndarray, *, what: str = "calibration set") -> None:
    """Refuse an empty calibration set and mismatched lengths."""
    if scores.shape[0] == 0:
        raise ValueError(f"the {what} must not be empty (got 0 points)")
    if scores.shape[0] != labels.shape[0]:
        raise ValueError(f"scores and labels must have the same length ({scores.shape[0]} != {labels.shape[0]})")
