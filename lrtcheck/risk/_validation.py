"""Input rules of the risk package on top of :mod:`lrtcheck.stats.validation`: real arrays only (no complex, bool,
string or object arrays cast silently), non-empty where emptiness is meaningless, seeds as non-negative integers (or a
SeedSequence), string options compared as strings.  Each refusal is a ``ValueError`` naming the parameter and the
rule.  Finite arrays, seeds, options and indices are the shared helpers of :mod:`lrtcheck.stats.validation`; only
the NaN-allowing array (masked data) and the 0/1 flag array are the risk package's own."""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_choice, check_finite_array, check_int

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
    """A float64 array with every entry finite (bool refused, never cast), non-empty unless ``nonempty=False``:
    :func:`lrtcheck.stats.validation.check_finite_array` with the emptiness rule."""
    arr = check_finite_array(name, value, ndim=ndim, allow_bool=False)
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_seed(name: str, seed):
    """A seed: a numpy SeedSequence, or an integer >= 0 (bool refused, 1.9 refused rather than truncated) by
    :func:`lrtcheck.stats.validation.check_int`."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return check_int(name, seed, minimum=0)


def check_option(name: str, value, options) -> str:
    """A string option, one of ``options`` (:func:`lrtcheck.stats.validation.check_choice`)."""
    return check_choice(name, value, options)


def check_index(name: str, value, size: int) -> int:
    """An integer index in [0, size) (bool refused; :func:`lrtcheck.stats.validation.check_int`)."""
    return check_int(name, value, minimum=0, maximum=size - 1)


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
