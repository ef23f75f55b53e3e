"""Logit certificates: probability intervals transported through the logit, prior offset, clipping, midpoint and
radius (C-SAR paper §3 and §5; docs/methods/csar.md §4).

``[z_lo, z_hi] = [logit(p_low), logit(p_high)] + offset`` (``logit(0) = -inf``, ``logit(1) = +inf``),
``ell_hat = clip_L((z_lo + z_hi)/2)`` and ``eps = min(L, (z_hi - z_lo)/2)``.  When both ends are infinite the
midpoint is undefined; it is taken as 0, the centre of ``[-L, L]`` (documented convention).  With ``clip=inf``
nothing is clipped (the "calibration without clipping" ablation) and ``ell_hat - eps`` equals ``z_lo`` exactly.

Note (a finding, checked by ``csar.logit.radius_cap``): the paper's radius ``min(L, (z_hi - z_lo)/2)`` does **not**
guarantee ``|clip_L(z) - ell_hat| <= eps`` for z in ``[z_lo, z_hi]`` once the half-width exceeds L (e.g.
``[z_lo, z_hi] = [-inf, 0.5]`` gives ``ell_hat = -L``, ``eps = L`` while ``clip_L(0.5) - ell_hat = L + 0.5``).
``radius="sound"`` uses ``max(clip_L(z_hi) - ell_hat, ell_hat - clip_L(z_lo))``, which is never larger than
``(z_hi - z_lo)/2``, at most 2L, and always certifies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from lrtcheck.stats.validation import check_positive

from ._inputs import as_array, broadcast_compatible, finite_array, flag_array, real_array

__all__ = ["LogitCertificate", "logit_certificate", "logit_interval", "clip_logit", "safe_logit"]


def _clip_level(clip, name: str = "clip") -> float:
    if (isinstance(clip, (int, float, np.floating, np.integer)) and not isinstance(clip, (bool, np.bool_))
            and math.isinf(float(clip)) and float(clip) > 0):
        return math.inf
    return check_positive(name, clip)


def _logits(name: str, value) -> np.ndarray:
    """A real array of logits: NaN refused, +-inf kept (the logit of a probability 0 or 1)."""
    arr = real_array(name, value)
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    return arr


def safe_logit(p) -> np.ndarray:
    """``log(p/(1-p))`` with ``logit(0) = -inf`` and ``logit(1) = +inf`` (no warnings)."""
    p = real_array("p", p)
    if np.isnan(p).any() or np.any(p < 0.0) or np.any(p > 1.0):
        raise ValueError("p must contain probabilities in [0, 1] (NaN refused)")
    with np.errstate(divide="ignore"):
        return special.logit(p)


def clip_logit(z, clip) -> np.ndarray:
    """``clip_L(z) = max(-L, min(L, z))``."""
    L = _clip_level(clip)
    z = real_array("z", z)
    if np.isnan(z).any():
        raise ValueError("z must not contain NaN")
    return np.clip(z, -L, L)


@dataclass(frozen=True)
class LogitCertificate:
    """A logit certificate per input.

    Fields: ``z_low``, ``z_high`` (the transported interval, offset added), ``ell_hat`` (clipped midpoint),
    ``radius``, ``lower`` (``ell_hat - radius``, exact also when infinite), ``clipped`` (midpoint outside [-L, L]).
    """

    z_low: np.ndarray
    z_high: np.ndarray
    ell_hat: np.ndarray
    radius: np.ndarray
    lower: np.ndarray
    clipped: np.ndarray
    clip_level: float = math.inf

    def __post_init__(self):
        # a certificate is passed back in (covers, interval_covers, the reward): its fields are checked here
        L = _clip_level(self.clip_level, "clip_level")
        z_lo = _logits("z_low", self.z_low)
        shape = z_lo.shape
        fields = {"z_low": z_lo}
        for name in ("z_high", "ell_hat", "radius", "lower"):
            arr = _logits(name, getattr(self, name))
            if arr.shape != shape:
                raise ValueError(f"{name} must have the shape of z_low {shape}, got {arr.shape}")
            fields[name] = arr
        clipped = flag_array("clipped", self.clipped)
        if clipped.shape != shape:
            raise ValueError(f"clipped must have the shape of z_low {shape}, got {clipped.shape}")
        if np.any(fields["z_high"] < z_lo):
            raise ValueError("z_high must not lie below z_low")
        if np.any(fields["radius"] < 0):
            raise ValueError("radius must be >= 0")
        if np.any(np.abs(fields["ell_hat"]) > L):
            raise ValueError(f"ell_hat must lie in [-clip_level, clip_level] = [-{L}, {L}]")
        for name, arr in fields.items():
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "clipped", clipped)
        object.__setattr__(self, "clip_level", L)

    def _z_true(self, z_true) -> np.ndarray:
        z = _logits("z_true", z_true)
        return broadcast_compatible("z_true", z, self.z_low.shape, to="the certificate")

    def covers(self, z_true) -> np.ndarray:
        """The certified event ``|clip_L(z) - ell_hat| <= radius`` for the true (unclipped) log-ratios ``z``."""
        z = np.clip(self._z_true(z_true), -self.clip_level, self.clip_level)
        with np.errstate(invalid="ignore"):
            gap = np.abs(z - self.ell_hat)
        return np.where(np.isnan(gap), False, gap <= self.radius * (1 + 1e-12) + 1e-12)

    def interval_covers(self, z_true) -> np.ndarray:
        """Containment of the true log-ratio in the transported interval ``[z_low, z_high]``."""
        z = self._z_true(z_true)
        return (self.z_low <= z) & (z <= self.z_high)


def logit_certificate(p_low, p_high, *, clip, offset=0.0, radius: str = "seed") -> LogitCertificate:
    """Transport ``[p_low, p_high]`` through the logit and build the clipped midpoint and radius.

    ``radius="seed"``: ``min(L, (z_hi - z_lo)/2)`` (the paper's); ``radius="sound"``: the clipped-interval radius
    ``max(clip(z_hi) - ell_hat, ell_hat - clip(z_lo))`` that always certifies (see the module note).
    """
    L = _clip_level(clip)
    lo = np.atleast_1d(real_array("p_low", p_low))
    hi = np.atleast_1d(real_array("p_high", p_high))
    if lo.shape != hi.shape:
        raise ValueError(f"p_low and p_high must have the same shape ({lo.shape} != {hi.shape})")
    for name, arr in (("p_low", lo), ("p_high", hi)):
        if np.isnan(arr).any():
            raise ValueError(f"{name} must not contain NaN")
        if np.any(arr < 0.0) or np.any(arr > 1.0):
            raise ValueError(f"{name} must contain probabilities in [0, 1]")
    if np.any(lo > hi):
        raise ValueError("p_low must not exceed p_high")
    if isinstance(offset, (bool, np.bool_)) or as_array("offset", offset).dtype.kind == "b":
        raise ValueError("offset must be a real number or array, got a bool (refused, not cast)")
    off = finite_array("offset", offset)
    z_lo = safe_logit(lo) + off
    z_hi = safe_logit(hi) + off
    both = np.isneginf(z_lo) & np.isposinf(z_hi)
    point = z_lo == z_hi  # includes a point interval at 0 or 1 (both ends at the same infinity)
    with np.errstate(invalid="ignore"):
        mid = np.where(both, 0.0, np.where(point, z_lo, 0.5 * z_lo + 0.5 * z_hi))
        half = np.where(both, np.inf, np.where(point, 0.0, 0.5 * z_hi - 0.5 * z_lo))
    ell = np.clip(mid, -L, L)
    if radius == "seed":
        eps = np.minimum(L, half)
    elif radius == "sound":
        eps = np.maximum(np.clip(z_hi, -L, L) - ell, ell - np.clip(z_lo, -L, L))
        eps = np.minimum(eps, half)
    else:
        raise ValueError(f"radius must be 'seed' or 'sound', got {radius!r}")
    with np.errstate(invalid="ignore"):
        lower = np.where(np.isinf(eps), np.where(np.isinf(L), z_lo, -np.inf), ell - eps)
    if math.isinf(L):
        lower = np.where(np.isinf(eps) | np.isinf(ell), z_lo, lower)
    return LogitCertificate(z_lo, z_hi, ell, eps, lower, np.abs(mid) > L, L)


def logit_interval(p_low, p_high, *, clip, offset=0.0, radius: str = "seed"):
    """``(ell_hat, radius)`` of the logit certificate of ``[p_low, p_high]`` (a public name of the
    C-SAR API; docs/methods/csar.md §4)."""
    cert = logit_certificate(p_low, p_high, clip=clip, offset=offset, radius=radius)
    return cert.ell_hat, cert.radius
