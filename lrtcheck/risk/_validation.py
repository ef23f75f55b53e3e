"""Input rules of the risk package on top of :mod:`lrtcheck.stats.validation`: real arrays only (no complex, bool,
string or object arrays cast silently), non-empty where emptiness is meaningless, seeds as non-negative integers (or a
SeedSequence), string options compared as strings.  Each refusal is a ``ValueError`` naming the parameter and the
rule."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from lrtcheck.stats.validation import check_finite_array

__all__ = ["real_array", "finite_real_array", "check_seed", "check_option", "check_index", "check_flags"]


def real_array(name: str, value, *, ndim: int | None = None, nonempty: bool = True) -> np.ndarray:
    """``value`` as a float64 array, refusing None, complex, bool, string and object input (NaN allowed)."""
    if value is None:
        raise ValueError(f"{name} must be an array of real numbers, got None")
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an array of real numbers, got {value!r}")
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nestings
        raise ValueError(f"{name} must be a rectangular array of real numbers ({exc})") from None
    if raw.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers (int or float), got dtype {raw.dtype} "
                         "(complex, bool, string and object arrays are refused)")
    arr = raw.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def finite_real_array(name: str, value, *, ndim: int | None = None, nonempty: bool = True) -> np.ndarray:
    """:func:`real_array` with every entry finite."""
    return check_finite_array(name, real_array(name, value, ndim=ndim, nonempty=nonempty))


def check_seed(name: str, seed):
    """A seed: an integer >= 0 (bool refused, 1.9 refused rather than truncated) or a numpy SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (Integral, np.integer)) or int(seed) < 0:
        raise ValueError(f"{name} must be an integer >= 0 or a numpy SeedSequence, got {seed!r}")
    return int(seed)


def check_option(name: str, value, options) -> str:
    """A string option, one of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def check_index(name: str, value, size: int) -> int:
    """An integer index in [0, size) (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)) or not 0 <= int(value) < size:
        raise ValueError(f"{name} must be an integer in [0, {size}), got {value!r}")
    return int(value)


def check_flags(name: str, value, *, ndim: int | None = 1) -> np.ndarray:
    """A boolean array: bool dtype, or integers that are all 0 or 1 (NaN, 2, -1 refused, never cast)."""
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be an array of bools (or 0/1), got {value!r}")
    try:
        raw = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a rectangular array of bools ({exc})") from None
    if raw.dtype.kind == "b":
        out = raw
    elif raw.dtype.kind in "iu" and np.all((raw == 0) | (raw == 1)):
        out = raw.astype(bool)
    else:
        raise ValueError(f"{name} must hold bools (True/False or 0/1), got dtype {raw.dtype}"
                         + (" with entries other than 0/1" if raw.dtype.kind in "iuf" else ""))
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {out.shape}")
    return out
