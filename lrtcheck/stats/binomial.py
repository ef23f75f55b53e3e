"""Exact binomial inference: Clopper-Pearson intervals, exact acceptance regions and exact tail p-values.

Clopper & Pearson (1934): the two-sided level 1 - alpha interval for a binomial proportion is
``[B(alpha/2; x, n - x + 1), B(1 - alpha/2; x + 1, n - x)]`` with B the Beta quantile (0 at x = 0, 1 at x = n);
this is what ``scipy.stats.binomtest(...).proportion_ci(method="exact")`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from .validation import (MAX_ENUMERATION, MAX_EXACT_INT, check_choice, check_int, check_int_array, check_nonnegative,
                         check_open_unit,
                         check_positive_int, check_probability_array, check_unit)

__all__ = [
    "clopper_pearson",
    "binomial_acceptance_region",
    "binomial_tail_pvalue",
    "AcceptanceRegion",
    "poisson_binomial_cdf",
    "check_binomial_probability",
]

_ALTERNATIVES = ("two-sided", "greater", "less")
#: the smallest positive success probability the exact binomial laws take: below about 1e-305 scipy's binomial
#: routines (``binomtest``, ``binom.pmf``; boost's ``ibeta_derivative``) overflow, from n = 2 at 1e-308 and n = 100
#: at 1e-306; 1e-300 is clear of that for every n up to 10**7 (measured on scipy 1.17).  Such a p differs from 0 by
#: less than 1e-293 in every binomial probability of n <= 10**7 trials.
MIN_BINOMIAL_P = 1e-300


def check_binomial_probability(name: str, value) -> float:
    """A success probability in [0, 1] that scipy's exact binomial routines handle: 0, or at least
    :data:`MIN_BINOMIAL_P` (1e-300)."""
    p = check_unit(name, value)
    if 0.0 < p < MIN_BINOMIAL_P:
        raise ValueError(f"{name} must be 0 or at least {MIN_BINOMIAL_P:g} (scipy's exact binomial laws overflow "
                         f"below), got {value!r}")
    return p



def clopper_pearson(successes, trials, alpha):
    """Two-sided exact (Clopper-Pearson) interval at level ``1 - alpha``; vectorised over ``successes``/``trials``.

    Returns ``(low, high)`` as floats for scalar input, arrays otherwise.
    """
    alpha = check_open_unit("alpha", alpha)
    x = check_int_array("successes", successes, minimum=0)
    n = check_int_array("trials", trials, minimum=1, maximum=MAX_EXACT_INT)
    try:
        x, n = np.broadcast_arrays(x, n)
    except ValueError:
        raise ValueError(f"successes and trials must broadcast, got shapes {x.shape} and {n.shape}") from None
    if np.any(x > n):
        raise ValueError("successes must lie in [0, trials]")
    x = x.astype(np.float64)
    n = n.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x > 0, _st.beta.ppf(alpha / 2.0, x, n - x + 1.0), 0.0)
        high = np.where(x < n, _st.beta.ppf(1.0 - alpha / 2.0, x + 1.0, n - x), 1.0)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


@dataclass(frozen=True)
class AcceptanceRegion:
    """Counts ``low <= X <= high`` accepted by an exact binomial test; ``size`` is its exact rejection probability."""

    low: int
    high: int
    size: float

    def __post_init__(self) -> None:
        check_positive_int("low", self.low, minimum=0)
        check_positive_int("high", self.high, minimum=0)
        # size is not capped at 1 here: a defective region whose "size" exceeds 1 must reach the checks that catch it
        check_nonnegative("size", self.size)

    def contains(self, count) -> bool:
        count = check_int("count", count)  # any integer: one below low (e.g. low - 1 = -1) is simply outside
        return bool(self.low <= count <= self.high)


def binomial_acceptance_region(n: int, p: float, alpha: float, *, alternative: str = "two-sided") -> AcceptanceRegion:
    """Exact acceptance region of a level-``alpha`` binomial test of ``H0: X ~ Bin(n, p)``.

    ``two-sided`` splits alpha equally between the tails; ``greater`` rejects large counts only; ``less`` small
    counts only.  The exact rejection probability under H0 (``size``) is <= alpha.
    """
    n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
    p = check_binomial_probability("p", p)
    alpha = check_open_unit("alpha", alpha)
    check_choice("alternative", alternative, _ALTERNATIVES)
    dist = _st.binom(n, p)
    ks = np.arange(n + 1)
    cdf = dist.cdf(ks)
    sf = dist.sf(ks)  # P(X > k)
    lo_tail = alpha / 2 if alternative == "two-sided" else (alpha if alternative == "less" else 0.0)
    hi_tail = alpha / 2 if alternative == "two-sided" else (alpha if alternative == "greater" else 0.0)
    low = 0
    if lo_tail > 0:
        # largest low with P(X < low) = cdf(low - 1) <= lo_tail
        ok = np.nonzero(cdf <= lo_tail)[0]
        low = int(ok[-1] + 1) if ok.size else 0
    high = n
    if hi_tail > 0:
        ok = np.nonzero(sf <= hi_tail)[0]  # P(X > k) <= hi_tail
        high = int(ok[0]) if ok.size else n
    size = (float(cdf[low - 1]) if low > 0 else 0.0) + float(sf[high])
    return AcceptanceRegion(low, high, size)


def binomial_tail_pvalue(count: int, n: int, p: float, *, alternative: str = "greater") -> float:
    """Exact p-value of an observed binomial count (``scipy.stats.binomtest``)."""
    n = check_positive_int("n", n, maximum=MAX_EXACT_INT)
    count = check_positive_int("count", count, minimum=0)
    if count > n:
        raise ValueError(f"count must be <= n (count={count}, n={n})")
    p = check_binomial_probability("p", p)
    check_choice("alternative", alternative, _ALTERNATIVES)
    return float(_st.binomtest(count, n, p, alternative=alternative).pvalue)


def poisson_binomial_cdf(count, probabilities) -> float:
    """``P(K <= count)`` for K the number of successes of independent trials with the given success probabilities
    (the Poisson-binomial law), computed exactly by convolving the trials' laws (Wang 1993, Statistica Sinica 3).

    With ``probabilities`` lower bounds of the true ones, K is stochastically larger than this law, so a small value
    at the observed count refutes the bounds (``lrtcheck power`` tests declared powers this way).
    """
    if isinstance(probabilities, np.ndarray) and probabilities.dtype.kind == "b" or (
            isinstance(probabilities, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in probabilities)):
        raise ValueError("probabilities must be numbers in [0, 1], got a bool array")
    p = check_probability_array("probabilities", probabilities)
    if p.ndim != 1 or p.size < 1:
        raise ValueError("probabilities must be a non-empty one-dimensional sequence")
    count = check_positive_int("count", count, minimum=0)
    if count >= p.size:
        return 1.0
    pmf = np.ones(1)
    for q in p:  # one convolution per trial: the trials are few (runs of a power measurement), not samples
        pmf = np.convolve(pmf, (1.0 - q, q))
    return float(min(1.0, np.sum(pmf[: count + 1])))
