"""Exact divergences between the data laws of a two-point construction (docs/methods/lecam.md §2-§3).

Each of n i.i.d. samples visits the informative pair with probability ``w``; a visit yields a success (e.g. the
risky transition reaching the good state) with probability ``q_i`` under instance i.  Every other part of the data
has the same law under both instances and cancels, so the sufficient statistic is ``(k, j)`` with ``k ~ Bin(n, w)``
visits and ``j | k ~ Bin(k, q_i)`` successes (a trinomial ``(j, k - j, n - k)``).  Exactly:

- ``TV(P0^n, P1^n) = sum_k Bin(k; n, w) TV(Bin(k, q0), Bin(k, q1))``;
- ``KL(P0^n || P1^n) = n w KL(q0 || q1)``;
- Bhattacharyya ``BC(P0^n, P1^n) = (1 - w (1 - BC1))^n``, ``BC1 = sqrt(q0 q1) + sqrt((1-q0)(1-q1))``;
  squared Hellinger ``H^2 = 1 - BC``.

Bounds on TV used as cross-checks (Tsybakov 2009, Lemma 2.3 and 2.4; Lattimore & Szepesvari 2020, Thm 14.2):
Pinsker ``TV <= sqrt(KL/2)``, Bretagnolle-Huber ``TV <= 1 - exp(-KL)/2``, Hellinger ``1 - BC <= TV <= sqrt(1 - BC^2)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import stats as st
from scipy import special
from scipy.special import gammaln, xlogy

from numbers import Real

from lrtcheck.stats.validation import (MAX_EXACT_INT, check_bool, check_int_array, check_nonnegative,
                                      check_positive_int, check_real_array, check_unit)

#: the largest n whose ``(n + 1) x (n + 1)`` grid of the sufficient statistic ``(k, j)`` is enumerated (200 MB)
MAX_GRID_N = 5000


def check_grid_n(name: str, n, *, minimum: int = 0) -> int:
    """A sample size n whose statistic grid can be enumerated: an integer in ``[minimum, MAX_GRID_N]``."""
    return check_positive_int(name, n, minimum=minimum, maximum=MAX_GRID_N)

__all__ = [
    "binomial_tv",
    "two_point_tv",
    "two_point_kl",
    "two_point_bhattacharyya",
    "two_point_hellinger_sq",
    "bernoulli_kl",
    "joint_law",
    "trinomial_law",
    "enumerated_divergences",
    "TwoPointDivergences",
    "two_point_divergences",
]


def _args(n, w, q0, q1, *, maximum: int = MAX_GRID_N):
    return (check_positive_int("n", n, minimum=0, maximum=maximum), check_unit("w", w), check_unit("q0", q0),
            check_unit("q1", q1))


def _binom_pmf(j, k, q: float) -> np.ndarray:
    """``Bin(j; k, q)`` by scipy, falling back to the log-gamma form where boost overflows (subnormal q)."""
    j, k = np.broadcast_arrays(np.asarray(j), np.asarray(k))
    try:
        with special.errstate(all="ignore"):
            out = np.asarray(st.binom.pmf(j, k, q), dtype=np.float64)
        if np.all(np.isfinite(out)):
            return out
    except (OverflowError, FloatingPointError):
        pass
    jf, kf = j.astype(np.float64), k.astype(np.float64)
    valid = (jf >= 0) & (jf <= kf)
    jj = np.where(valid, jf, 0.0)
    logp = (gammaln(kf + 1) - gammaln(jj + 1) - gammaln(kf - jj + 1) + _xlog(jj, q) + _xlog(kf - jj, 1.0 - q))
    return np.where(valid, np.exp(logp), 0.0)


def binomial_tv(k, q0: float, q1: float) -> np.ndarray:
    """``TV(Bin(k, q0), Bin(k, q1)) = 1/2 sum_j |Bin(j; k, q0) - Bin(j; k, q1)|`` for each k (vectorised)."""
    q0, q1 = check_unit("q0", q0), check_unit("q1", q1)
    k = np.atleast_1d(check_int_array("k", k, minimum=0, maximum=MAX_GRID_N))
    kmax = int(k.max()) if k.size else 0
    j = np.arange(kmax + 1)
    K = k[:, None]
    diff = np.where(j[None, :] <= K, np.abs(_binom_pmf(j[None, :], K, q0) - _binom_pmf(j[None, :], K, q1)), 0.0)
    return 0.5 * diff.sum(axis=1)


def two_point_tv(n: int, w: float, q0: float, q1: float) -> float:
    """Exact ``TV(P0^n, P1^n) = sum_k Bin(k; n, w) TV(Bin(k, q0), Bin(k, q1))`` by enumerating the counts.

    n=200, w=0.05, q0=0.5, q1=0.6 gives 0.248729 (docs/methods/lecam.md §3)."""
    n, w, q0, q1 = _args(n, w, q0, q1)
    ks = np.arange(n + 1)
    return float(np.sum(_binom_pmf(ks, n, w) * binomial_tv(ks, q0, q1)))


def bernoulli_kl(q0: float, q1: float) -> float:
    """``KL(Ber(q0) || Ber(q1))`` (``inf`` when q0 puts mass where q1 does not)."""
    q0, q1 = check_unit("q0", q0), check_unit("q1", q1)
    with np.errstate(divide="ignore"):
        t1 = xlogy(q0, q0) - xlogy(q0, q1)
        t0 = xlogy(1 - q0, 1 - q0) - xlogy(1 - q0, 1 - q1)
    return float(t1 + t0)


def two_point_kl(n: int, w: float, q0: float, q1: float) -> float:
    """``KL(P0^n || P1^n) = n w KL(q0 || q1)`` (0 when w = 0; ``+inf`` when q1 is 0 or 1 and q0 puts mass where
    q1 does not: P0 is then not absolutely continuous with respect to P1, a legal infinite answer)."""
    n, w, q0, q1 = _args(n, w, q0, q1, maximum=MAX_EXACT_INT)
    return 0.0 if w == 0 or n == 0 else float(n * w * bernoulli_kl(q0, q1))


def two_point_bhattacharyya(n: int, w: float, q0: float, q1: float) -> float:
    """``BC(P0^n, P1^n) = (1 - w (1 - BC1))^n`` with ``BC1 = sqrt(q0 q1) + sqrt((1-q0)(1-q1))``."""
    n, w, q0, q1 = _args(n, w, q0, q1, maximum=MAX_EXACT_INT)
    bc1 = np.sqrt(q0 * q1) + np.sqrt((1 - q0) * (1 - q1))
    return float((1.0 - w * (1.0 - bc1)) ** n)


def two_point_hellinger_sq(n: int, w: float, q0: float, q1: float) -> float:
    """Squared Hellinger distance ``H^2 = 1 - BC`` (convention with values in [0, 1])."""
    return 1.0 - two_point_bhattacharyya(n, w, q0, q1)


def joint_law(n: int, w: float, q: float) -> np.ndarray:
    """``P(k, j) = Bin(k; n, w) Bin(j; k, q)`` as an ``(n+1, n+1)`` read-only array (zero where j > k)."""
    n = check_grid_n("n", n)
    return _joint_law(n, check_unit("w", w), check_unit("q", q))


@lru_cache(maxsize=32)
def _joint_law(n: int, w: float, q: float) -> np.ndarray:
    k = np.arange(n + 1)[:, None]
    j = np.arange(n + 1)[None, :]
    out = np.where(j <= k, _binom_pmf(k, n, w) * _binom_pmf(j, k, q), 0.0)
    out.setflags(write=False)
    return out


def trinomial_law(n: int, w: float, q: float, *, log: bool = False) -> np.ndarray:
    """The same law computed independently, as the trinomial ``(j, k - j, n - k)`` with cell probabilities
    ``(w q, w (1 - q), 1 - w)``: ``n!/(j!(k-j)!(n-k)!) (wq)^j (w(1-q))^(k-j) (1-w)^(n-k)`` (log-gamma form);
    with ``log=True`` the log-probabilities (``-inf`` off the support and where j > k)."""
    n = check_grid_n("n", n)
    w, q = check_unit("w", w), check_unit("q", q)
    log = check_bool("log", log)
    k = np.arange(n + 1)[:, None].astype(np.float64)
    j = np.arange(n + 1)[None, :].astype(np.float64)
    valid = j <= k
    jj, kk = np.where(valid, j, 0.0), np.where(valid, k, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = (gammaln(n + 1) - gammaln(jj + 1) - gammaln(kk - jj + 1) - gammaln(n - kk + 1)
                + _xlog(jj, w * q) + _xlog(kk - jj, w * (1 - q)) + _xlog(n - kk, 1 - w))
    logp = np.where(valid, logp, -np.inf)
    return logp if log else np.exp(logp)


def _xlog(x, p):
    """``x log p`` with ``0 log 0 = 0`` and ``x log 0 = -inf`` for x > 0."""
    with np.errstate(divide="ignore"):
        return np.where(x > 0, x * np.log(p) if p > 0 else -np.inf, 0.0)


@dataclass(frozen=True)
class TwoPointDivergences:
    """Exact divergences and the TV bounds built from them."""

    tv: float
    kl: float
    bhattacharyya: float
    hellinger_sq: float
    pinsker_upper: float
    bretagnolle_huber_upper: float
    hellinger_lower: float
    hellinger_upper: float

    def __post_init__(self) -> None:
        for name in ("tv", "bhattacharyya", "hellinger_sq", "pinsker_upper", "bretagnolle_huber_upper",
                     "hellinger_lower", "hellinger_upper"):
            check_unit(name, getattr(self, name))
        # KL is +inf when P0 puts mass where P1 has none (q1 at 0 or 1 with q0 inside): a legal infinite answer
        kl = getattr(self, "kl")
        if isinstance(kl, (bool, np.bool_)) or not isinstance(kl, (Real, np.floating, np.integer)) or not kl >= 0:
            raise ValueError(f"kl must be a number >= 0 (or +inf), got {kl!r}")

    def bounds_hold(self, tol: float = 1e-12) -> bool:
        tol = check_nonnegative("tol", tol)
        return (self.hellinger_lower <= self.tv + tol and self.tv <= self.hellinger_upper + tol
                and self.tv <= self.pinsker_upper + tol and self.tv <= self.bretagnolle_huber_upper + tol)


def two_point_divergences(n: int, w: float, q0: float, q1: float) -> TwoPointDivergences:
    """All exact divergences of the pair, with the Pinsker, Bretagnolle-Huber and Hellinger bounds on TV."""
    tv = two_point_tv(n, w, q0, q1)
    kl = two_point_kl(n, w, q0, q1)
    bc = two_point_bhattacharyya(n, w, q0, q1)
    return TwoPointDivergences(
        tv=tv, kl=kl, bhattacharyya=bc, hellinger_sq=1.0 - bc,
        pinsker_upper=float(min(1.0, np.sqrt(kl / 2.0))),
        bretagnolle_huber_upper=float(1.0 - 0.5 * np.exp(-kl)),
        hellinger_lower=float(1.0 - bc),
        hellinger_upper=float(np.sqrt(max(0.0, 1.0 - bc * bc))),
    )


def _log_law(name: str, value) -> np.ndarray:
    """Log-probabilities of a law on a finite space: real, no NaN, at most 0 (``-inf`` = no mass), summing to 1."""
    arr = check_real_array(name, value, allow_inf=True, allow_bool=False)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any(arr > 0):
        raise ValueError(f"{name} must be log-probabilities (<= 0), got a maximum of {float(arr.max()):.6g}")
    total = float(np.exp(arr).sum())
    if not abs(total - 1.0) <= 1e-9:
        raise ValueError(f"{name} must be the log-probabilities of a law (their exponentials sum to {total:.12g}, "
                         "not 1)")
    return arr


def enumerated_divergences(logP0: np.ndarray, logP1: np.ndarray) -> dict:
    """TV, KL and BC of two laws on the same finite space, from their log-probabilities (``-inf`` = 0 mass), by
    summing over its points; KL terms are ``P0 (log P0 - log P1)`` so no probability underflow can break them."""
    l0 = _log_law("logP0", logP0)
    l1 = _log_law("logP1", logP1)
    if l0.shape != l1.shape:
        raise ValueError(f"logP1 must have the shape of logP0 {l0.shape}, got {l1.shape}")
    P0, P1 = np.exp(l0), np.exp(l1)
    live0 = np.isfinite(l0)
    if np.any(live0 & ~np.isfinite(l1)):
        kl = float("inf")
    else:
        kl = float(np.sum(np.where(live0, P0 * (np.where(live0, l0, 0.0) - np.where(live0, l1, 0.0)), 0.0)))
    both = live0 & np.isfinite(l1)
    bc = float(np.sum(np.where(both, np.exp(0.5 * (np.where(both, l0, 0.0) + np.where(both, l1, 0.0))), 0.0)))
    return {"tv": float(0.5 * np.abs(P0 - P1).sum()), "kl": kl, "bhattacharyya": bc}
