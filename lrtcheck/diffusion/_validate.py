"""Strict input checks for the diffusion core and LRT-Diffusion (on top of :mod:`lrtcheck.stats.validation`).

Every helper raises ``ValueError`` naming the parameter and the rule.  What they refuse beyond the shared layer:
complex or non-numeric arrays (``np.asarray(z, dtype=float)`` would silently drop the imaginary part), integers given
as floats or bools (no truncation: a seed of 1.9 or ``True`` is refused), flags that are not bool or 0/1, integer
arrays given as floats (sample ids 0.2 and 0.9 are not id 0), torch dtypes other than float32/float64.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = ["real_array", "strict_int", "int_array", "flag_array", "flag", "choice", "optional_str", "generator",
           "float_dtype", "real_tensor"]


def _as_numpy(name: str, value):
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        if value.is_complex():
            raise ValueError(f"{name} must be real, got a complex tensor")
        return value.detach().cpu().numpy()
    if value is None:
        raise ValueError(f"{name} must be an array of real numbers, got None")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of real numbers ({exc})") from None
    return arr


def real_array(name: str, value, *, ndim: int | None = None, min_ndim: int | None = None, nonempty: bool = True,
               dtype=np.float64) -> np.ndarray:
    """``value`` as a finite real array of ``dtype``: complex, object, string and bool arrays are refused."""
    arr = _as_numpy(name, value)
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real, got a complex array (the imaginary part would be dropped)")
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    arr = arr.astype(dtype, copy=False)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def strict_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as int: Python or numpy integers only (no bool, no float, even integral), within the bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer (not a bool or a float), got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {v}")
    return v


def int_array(name: str, value, *, minimum: int | None = None, ndim: int = 1) -> np.ndarray:
    """``value`` as an int64 array: an integer dtype (floats and bools refused, however integral)."""
    arr = _as_numpy(name, value)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers (integer dtype, not bool or float), got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        raise ValueError(f"{name} must hold integers below 2^63")
    arr = arr.astype(np.int64, copy=False)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if minimum is not None and arr.size and int(arr.min()) < minimum:
        raise ValueError(f"{name} must hold integers >= {minimum}")
    return arr


def flag_array(name: str, value, *, ndim: int = 1) -> np.ndarray:
    """``value`` as a bool array: bool dtype, or numbers that are all exactly 0 or 1 (NaN, 2, -1 refused)."""
    arr = _as_numpy(name, value)
    if arr.dtype.kind == "b":
        out = arr.astype(bool, copy=False)
    elif arr.dtype.kind in "iuf":
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError(f"{name} must hold flags (bool, or numbers equal to 0 or 1)")
        out = arr.astype(bool)
    else:
        raise ValueError(f"{name} must hold flags (bool, or numbers equal to 0 or 1), got dtype {arr.dtype}")
    if out.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {out.shape}")
    return out


def flag(name: str, value) -> bool:
    """A single flag: ``True``/``False`` (numpy bools too) or the integers 0/1."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (Integral, np.integer)) and int(value) in (0, 1):
        return bool(value)
    raise ValueError(f"{name} must be a bool (or 0/1), got {value!r}")


def choice(name: str, value, options) -> str:
    """``value`` if it is one of the string ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def optional_str(name: str, value) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} must be a string or None, got {value!r}")
    return value


def generator(name: str, value) -> np.random.Generator:
    if not isinstance(value, np.random.Generator):
        raise ValueError(f"{name} must be a numpy.random.Generator, got {type(value).__name__}")
    return value


def float_dtype(name: str, value):
    """A torch floating dtype for the working precision: ``None`` (float64), torch.float32 or torch.float64."""
    import torch

    if value is None:
        return torch.float64
    if value not in (torch.float32, torch.float64):
        raise ValueError(f"{name} must be torch.float32 or torch.float64 (or None), got {value!r}")
    return value


def torch_device(name: str, value, *, allow_device: bool = False):
    """A name torch accepts as a device (``"cpu"``, ``"cuda:0"``), returned unchanged; with ``allow_device`` a
    ``torch.device`` is accepted too.  Whether the device exists is left to the first use."""
    import torch

    kinds = (str, torch.device) if allow_device else (str,)
    if not isinstance(value, kinds):
        raise ValueError(f"{name} must be a string{' or torch.device' if allow_device else ''}, got {value!r}")
    try:
        torch.device(value)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"{name} must name a torch device, got {value!r} ({exc})") from None
    return value


def real_tensor(name: str, value, *, ndim: int | None = None):
    """A real floating torch tensor with finite entries (the torch-side twin of :func:`real_array`)."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a torch tensor, got {type(value).__name__}")
    if value.is_complex() or not value.is_floating_point():
        raise ValueError(f"{name} must be a real floating tensor, got dtype {value.dtype}")
    if ndim is not None and value.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(value.shape)}")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return value


def check_finite_array(name: str, value, *, ndim: int | None = None, dtype=np.float64) -> np.ndarray:
    """Drop-in for :func:`lrtcheck.stats.validation.check_finite_array` that also refuses complex, bool, string and
    object input (empty arrays pass, as there)."""
    return real_array(name, value, ndim=ndim, nonempty=False, dtype=dtype)


__all__ += ["check_finite_array"]


#: the largest sample count a sampler or a data-set builder accepts (beyond it the arrays cannot be allocated)
MAX_SAMPLES = 10**9
#: the largest dimension (state, action, hidden width, embedding) a model or a toy world accepts
MAX_DIM = 10**5


def tensor_input(name: str, value, *, ndim: int | None = None, cols: int | None = None, rows: int | None = None):
    """A real floating torch tensor with finite entries, ``ndim`` dimensions, ``cols`` columns and ``rows`` rows
    when given, and not empty (the entry check of the torch paths: heads, critics, Q-steps)."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{name} must be a real floating torch tensor, got {type(value).__name__}")
    if value.is_complex() or not value.is_floating_point():
        raise ValueError(f"{name} must be a real floating tensor, got dtype {value.dtype}")
    if ndim is not None and value.dim() != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    if cols is not None and value.shape[-1] != cols:
        raise ValueError(f"{name} must have {cols} column(s), got shape {tuple(value.shape)}")
    if rows is not None and value.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} row(s) (one per row of the other input), got shape "
                         f"{tuple(value.shape)}")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return value


__all__ += ["MAX_SAMPLES", "MAX_DIM", "tensor_input"]
