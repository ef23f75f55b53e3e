"""Exact order-statistic laws: conformal ranks, the realized level of an order-statistic threshold, and coverage.

For n exchangeable calibration scores with a continuous law F, the threshold tau = X_(k) (k-th smallest) has
``F(X_(k)) ~ Beta(k, n - k + 1)``, so the realized exceedance level ``1 - F(tau) ~ Beta(n - k + 1, k)``, and the
number of m fresh points covered (``X <= tau``) is ``BetaBinomial(m, k, n - k + 1)``.  With the conformal rank
``k = ceil((n + 1)(1 - alpha))`` the marginal coverage is ``k / (n + 1)`` in ``[1 - alpha, 1 - alpha + 1/(n+1))``
(Vovk et al. 2005; Angelopoulos & Bates 2021, "A gentle introduction", section 1 and appendix D).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from numbers import Rational, Real

import numpy as np
from scipy import stats as _st

from .validation import MAX_EXACT_INT, check_name, check_positive_int

__all__ = [
    "exact_fraction",
    "conformal_rank",
    "order_statistic_level_law",
    "conformal_coverage_law",
    "conformal_marginal_coverage",
]


def exact_fraction(name: str, value) -> Fraction:
    """Read ``value`` as an exact rational.

    ``Fraction``, ``int``, ``Decimal`` and decimal strings are taken as they are.  A float is read as the rational
    with the smallest denominator that rounds to the same float, so ``1/3`` computed in floating point means 1/3
    and ``0.1`` means 1/10 (the binary expansion of the float is an artefact, not the user's intent).  Bools,
    complex numbers, NaN, infinities and anything that is not a real number are refused by ``name``.
    """
    check_name("name", name)
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, (Fraction, Rational)):
        return Fraction(value)
    if isinstance(value, (Decimal, str)):
        try:
            out = Fraction(value)
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"{name} must be a finite number, got {value!r}") from exc
        return out
    if not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return _float_fraction(x)


@lru_cache(maxsize=4096)
def _float_fraction(x: float) -> Fraction:
    """The rational with the smallest power-of-ten denominator bound that rounds to the float ``x`` (cached: the
    conversion is the slow part of a conformal rank, and checks ask for the same few levels again and again)."""
    exact = Fraction(x)
    bound = 1
    while bound < 10**18:
        bound *= 10
        candidate = exact.limit_denominator(bound)
        if float(candidate) == x:
            return candidate
    return exact


def _ceil_rank(n: int, p: int, q: int) -> int:
    """``ceil((n + 1)(1 - p/q))`` in integer arithmetic: ``-((-(n + 1)(q - p)) // q)`` (exact for every rational
    level; no floating ceil error)."""
    return -((-(n + 1) * (q - p)) // q)


def _level(alpha) -> tuple[int, int]:
    """``alpha = p/q`` in lowest terms, checked to lie in (0, 1); a float alpha takes the cached path."""
    if type(alpha) is float:
        return _float_level(alpha)
    if type(alpha) is Fraction:  # lowest terms with a positive denominator by construction
        p, q = alpha.numerator, alpha.denominator
        if not 0 < p < q:
            raise ValueError(f"alpha must lie in the open interval (0, 1), got {alpha!r}")
        return p, q
    a = exact_fraction("alpha", alpha)
    if not 0 < a < 1:
        raise ValueError(f"alpha must lie in the open interval (0, 1), got {alpha!r}")
    return a.numerator, a.denominator


@lru_cache(maxsize=4096)
def _float_level(alpha: float) -> tuple[int, int]:
    a = exact_fraction("alpha", alpha)
    if not 0 < a < 1:
        raise ValueError(f"alpha must lie in the open interval (0, 1), got {alpha!r}")
    return a.numerator, a.denominator


def conformal_rank(n: int, alpha) -> int | None:
    """The conformal order-statistic rank ``k = ceil((n + 1)(1 - alpha))`` in exact arithmetic.

    With ``alpha = p/q`` in lowest terms, ``k = -((-(n + 1)(q - p)) // q)``: integer arithmetic only, exact for
    every rational level (a float alpha is read as the rational it stands for, :func:`exact_fraction`; cached).
    Returns ``None`` when ``k > n`` (too few calibration points for level ``alpha``: the threshold is +inf).

    >>> conformal_rank(92, 1/3)
    62
    """
    n = check_positive_int("n", n)
    p, q = _level(alpha)
    k = _ceil_rank(n, p, q)
    return k if k <= n else None


def _check_rank(n: int, k: int) -> tuple[int, int]:
    n = check_positive_int("n", n, maximum=MAX_EXACT_INT)
    k = check_positive_int("k", k)
    if k > n:
        raise ValueError(f"k must be <= n (k={k}, n={n})")
    return n, k


def order_statistic_level_law(n: int, k: int):
    """Exact law of the realized level ``P(X > X_(k) | calibration)``: ``Beta(n - k + 1, k)`` (frozen scipy law)."""
    n, k = _check_rank(n, k)
    return _st.beta(n - k + 1, k)


def conformal_coverage_law(n: int, k: int, m: int):
    """Exact law of the number of m fresh points with ``X <= X_(k)``: ``BetaBinomial(m, k, n - k + 1)``."""
    n, k = _check_rank(n, k)
    m = check_positive_int("m", m, maximum=MAX_EXACT_INT)
    return _st.betabinom(m, k, n - k + 1)


def conformal_marginal_coverage(n: int, alpha) -> Fraction:
    """Exact marginal coverage ``k / (n + 1)`` of the conformal threshold (1 if the rank exceeds n)."""
    k = conformal_rank(n, alpha)
    return Fraction(1) if k is None else Fraction(k, n + 1)


