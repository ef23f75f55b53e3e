"""Input validation shared by every layer: clear ``ValueError`` messages naming the parameter and the rule.

Nothing in lrtcheck lets a NaN through silently; these helpers are the one place that says how inputs are refused.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = [
    "MAX_EXACT_INT",
    "MAX_ENUMERATION",
    "check_real",
    "check_bool",
    "check_choice",
    "check_name",
    "check_int",
    "check_int_array",
    "check_seed_sequence",
    "check_rng",
    "check_open_unit",
    "check_unit",
    "check_positive",
    "check_nonnegative",
    "check_positive_int",
    "check_finite_array",
    "check_real_array",
    "check_probability_array",
    "check_stochastic",
]


#: the largest integer a float64 holds exactly (counts beyond it cannot be told apart in the exact laws)
MAX_EXACT_INT = 2**53
#: the largest number of points an enumeration (an ``arange(n + 1)`` grid) may hold
MAX_ENUMERATION = 10**7


def _scalar(name: str, value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return value


def check_real(name: str, value) -> float:
    """Return ``value`` as float if it is a finite real number (no bool, complex, string or array)."""
    v = _scalar(name, value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return v


def check_bool(name: str, value) -> bool:
    """Return ``value`` as bool if it is a bool (or the integer 0 or 1); anything else is refused, not cast."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (Integral, np.integer)) and int(value) in (0, 1):
        return bool(value)
    raise ValueError(f"{name} must be a bool (True/False, or 0/1), got {value!r}")


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}, got {value!r}")
    return value


def check_name(name: str, value) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer (not a bool, not a float) in ``[minimum, maximum]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value!r}")
    return v


def check_int_array(name: str, value, *, minimum: int | None = None, maximum: int | None = None,
                    ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as an int64 array of integers in ``[minimum, maximum]``.

    Integer dtypes are taken as they are; float arrays only when every entry is an integer below 2**53 (no
    truncation of 1.9 to 1); bool, complex and non-numeric arrays are refused."""
    arr = _numeric_array(name, value)
    if arr.dtype.kind == "b":
        raise ValueError(f"{name} must contain integers, got a bool array")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(np.abs(arr) > MAX_EXACT_INT):
            raise ValueError(f"{name} must contain integers (a float entry is not an integer below 2**53)")
    elif arr.dtype.kind == "u" and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name} must contain integers below 2**63")
    out = arr.astype(np.int64)
    if minimum is not None and out.size and int(out.min()) < minimum:
        raise ValueError(f"{name} must contain integers >= {minimum}, got {int(out.min())}")
    if maximum is not None and out.size and int(out.max()) > maximum:
        raise ValueError(f"{name} must contain integers <= {maximum}, got {int(out.max())}")
    return out


def check_seed_sequence(name: str, value) -> np.random.SeedSequence:
    """Return ``value`` if it is a ``numpy.random.SeedSequence``."""
    if not isinstance(value, np.random.SeedSequence):
        raise ValueError(f"{name} must be a numpy.random.SeedSequence, got {type(value).__name__}")
    return value


def check_rng(name: str, value) -> np.random.Generator:
    """A ``numpy.random.Generator`` from ``value``: a Generator (used as it is), a SeedSequence, a non-negative
    integer seed (1.9 or True refused, not truncated).  None is refused: it would draw fresh entropy, and every
    seed of a run comes from its root."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, np.random.SeedSequence):
        return np.random.default_rng(value)
    return np.random.default_rng(check_int(name, value, minimum=0))


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


def check_positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer >= ``minimum`` (and <= ``maximum`` when given)."""
    if type(value) is int and value >= minimum and (maximum is None or value <= maximum):  # the common case, fast
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and int(value) > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value!r}")
    return int(value)


def _numeric_array(name: str, value) -> np.ndarray:
    """``np.asarray(value)`` if it is a real numeric array (bool, integer or float); complex, strings, objects
    that are not real numbers, None and ragged nestings are refused by name."""
    if value is None or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a real numeric array, got {value!r}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} must be a real numeric array ({exc})") from None
    if arr.dtype.kind == "O":
        items = arr.ravel().tolist()
        if any(isinstance(x, (complex, np.complexfloating)) for x in items):
            raise ValueError(f"{name} must be real, got complex entries (the imaginary part is not dropped)")
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError):
            raise ValueError(f"{name} must be a real numeric array, got entries of type "
                             f"{sorted({type(x).__name__ for x in items})}") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got a complex array (the imaginary part is not dropped)")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a real numeric array, got dtype {arr.dtype}")
    return arr


def check_real_array(name: str, value, *, ndim: int | None = None, allow_inf: bool = False,
                     allow_bool: bool = True) -> np.ndarray:
    """Return ``value`` as a float64 array of real numbers: complex and non-numeric input refused, NaN refused,
    infinities refused unless ``allow_inf`` (log-probabilities and logits may be infinite), bool arrays refused
    unless ``allow_bool``."""
    raw = _numeric_array(name, value)
    if not allow_bool and raw.dtype.kind == "b":
        raise ValueError(f"{name} must contain numbers, got a bool array (refused, not cast)")
    arr = raw.astype(np.float64, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")
    if not allow_inf and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def check_finite_array(name: str, value, *, ndim: int | None = None, dtype=np.float64,
                       allow_bool: bool = True) -> np.ndarray:
    """Return ``value`` as an array of ``dtype``; refuse complex or non-numeric input, NaN/inf and a wrong number of
    dimensions (and bool arrays unless ``allow_bool``)."""
    raw = _numeric_array(name, value)
    if not allow_bool and raw.dtype.kind == "b":
        raise ValueError(f"{name} must contain numbers, got a bool array (refused, not cast)")
    arr = raw.astype(dtype, copy=False)
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
