"""Design companions for statistical checks, in the manner of TensorFlow Probability's ``statistical_testing``.

Every assertion comes with two companions: the smallest defect it detects at a given n (with the stated false-fail
rate and power), and the n needed to detect a given defect.  All figures come from exact laws:

* binomial rate checks: the exact one-sided binomial test and its exact power under ``Bin(n, p1)``;
* distribution checks (KS against an exact CDF): the rejection threshold ``c = kstwo.ppf(1 - ff, n)`` and the
  DKW-style detection guarantee: if ``sup|F - G| >= d`` then the KS statistic exceeds ``c`` with probability at least
  ``kstwo.cdf(d - c, n)``, so the smallest detectable discrepancy is ``c + kstwo.ppf(power, n)``
  (TFP: ``min_discrepancy_of_true_cdfs_detectable_by_dkwm``).
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import optimize as _opt
from scipy import stats as _st

from .binomial import _ALTERNATIVES, binomial_acceptance_region, check_binomial_probability
from .validation import (MAX_ENUMERATION, MAX_EXACT_INT, check_choice, check_int, check_open_unit,
                         check_positive_int, check_real, check_unit)

__all__ = [
    "Design",
    "binomial_power",
    "binomial_min_detectable_rate",
    "binomial_sample_size",
    "ks_threshold",
    "ks_power_lower_bound",
    "ks_min_detectable_discrepancy",
    "ks_sample_size",
]


@dataclass(frozen=True)
class Design:
    """The design of one statistical check: what it can fail for no reason, and what it is built to catch.

    ``false_fail_rate`` in [0, 1) (0 for an exact check), ``power`` in [0, 1], ``defect_size`` a finite real, ``n``
    an integer >= 0; ``power`` and ``defect_size`` may be NaN, meaning "not stated" (as in ``Decision``).
    """

    false_fail_rate: float
    target_defect: str
    defect_size: float
    power: float
    n: int

    def __post_init__(self) -> None:
        # NaN marks a power or defect size the check does not state (Decision's convention); anything else is checked
        ff = check_unit("false_fail_rate", self.false_fail_rate)
        if ff >= 1.0:
            raise ValueError(f"false_fail_rate must lie in [0, 1), got {self.false_fail_rate!r}")
        if not isinstance(self.target_defect, str):
            raise ValueError(f"target_defect must be a string, got {self.target_defect!r}")
        if not _is_nan(self.defect_size):
            check_real("defect_size", self.defect_size)
        if not _is_nan(self.power):
            check_unit("power", self.power)
        check_int("n", self.n, minimum=0)

    def as_dict(self) -> dict:
        return {
            "false_fail_rate": self.false_fail_rate,
            "target_defect": self.target_defect,
            "defect_size": self.defect_size,
            "power": self.power,
            "n": self.n,
        }


def _is_nan(value) -> bool:
    return isinstance(value, float) and value != value


#: the most work (sum over the scanned n of n + 1 binomial terms) the stability scan of ``binomial_sample_size``
#: may do: about 2 s; beyond it the request (a tiny false-fail rate, a tiny p1 - p0) is refused, never left running
MAX_SCAN_WORK = 5 * 10**6


def binomial_power(n: int, p0: float, p1: float, false_fail_rate: float, *, alternative: str = "greater") -> float:
    """Exact power under ``Bin(n, p1)`` of the exact level-``false_fail_rate`` test of ``Bin(n, p0)``."""
    n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
    p0 = check_binomial_probability("p0", p0)
    p1 = check_unit("p1", p1)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    check_choice("alternative", alternative, _ALTERNATIVES)
    region = binomial_acceptance_region(n, p0, false_fail_rate, alternative=alternative)
    alt = _st.binom(n, check_unit("p1", p1))
    return float(alt.cdf(region.low - 1) + alt.sf(region.high))


def binomial_min_detectable_rate(n: int, p0: float, false_fail_rate: float, power: float) -> float:
    """Smallest rate ``p1 > p0`` that the one-sided exact binomial test detects with the given power."""
    n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
    p0 = check_binomial_probability("p0", p0)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    power = check_open_unit("power", power)
    if p0 >= 1.0:
        raise ValueError("p0 must be < 1 (no rate p1 > p0 = 1 exists)")
    if binomial_power(n, p0, 1.0, false_fail_rate) < power:
        raise ValueError(f"power: no rate p1 <= 1 reaches power {power} with n={n} and false_fail_rate="
                         f"{false_fail_rate} (the test cannot reject often enough)")
    if binomial_power(n, p0, p0, false_fail_rate) >= power:
        return p0  # the power asked for is at most the test's size: reached at p1 = p0
    f = lambda p1: binomial_power(n, p0, p1, false_fail_rate) - power  # noqa: E731 - power rises with p1
    return float(_opt.brentq(f, p0, 1.0, xtol=1e-10))


def binomial_sample_size(p0: float, p1: float, false_fail_rate: float, power: float, *,
                         n_max: int = MAX_ENUMERATION) -> int:
    """Smallest n at which the exact one-sided test of ``p0`` reaches ``power`` against ``p1 > p0``.

    Exact power is a saw-tooth in n; the answer is the smallest n from which power stays above target over the
    next 5% of n (so that a slightly larger n does not drop below it).  ``power`` in (0, 1); ``n_max`` at most
    ``MAX_ENUMERATION`` (each power is an exact sum over 0..n).
    """
    p0 = check_binomial_probability("p0", p0)
    p1 = check_unit("p1", p1)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    power = check_open_unit("power", power)
    n_max = check_positive_int("n_max", n_max, maximum=MAX_ENUMERATION)
    if p1 <= p0:
        raise ValueError(f"p1 must exceed p0 (p0={p0}, p1={p1})")
    n = 1
    while binomial_power(n, p0, p1, false_fail_rate) < power:
        n *= 2
        if n > n_max:
            raise ValueError(f"power: no n <= n_max={n_max} reaches the requested power {power}")
    lo, hi = n // 2, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if binomial_power(mid, p0, p1, false_fail_rate) >= power:
            hi = mid
        else:
            lo = mid
    if hi * max(2, hi // 20) > MAX_SCAN_WORK:
        raise ValueError(f"false_fail_rate={false_fail_rate}, power={power}, p0={p0}, p1={p1} need n of about {hi}: "
                         f"the exact stability scan over the next 5% of n is too long; ask for a larger "
                         f"false_fail_rate or p1 - p0")
    while any(binomial_power(m, p0, p1, false_fail_rate) < power for m in range(hi, hi + max(2, hi // 20))):
        hi += 1
    return hi


def ks_threshold(n: int, false_fail_rate: float) -> float:
    """Exact rejection threshold of the two-sided KS test: ``kstwo.ppf(1 - false_fail_rate, n)``."""
    n = check_positive_int("n", n, maximum=MAX_EXACT_INT)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    return float(_st.kstwo.ppf(1.0 - false_fail_rate, n))


def ks_power_lower_bound(n: int, false_fail_rate: float, discrepancy: float) -> float:
    """Guaranteed power of the KS test against any law with ``sup|F - G| >= discrepancy``."""
    # [0, 1], not (0, 1]: discrepancy 0 (a defect clamped to no distance, lrt_checks) has guaranteed power 0
    discrepancy = check_unit("discrepancy", discrepancy)
    n = check_positive_int("n", n, maximum=MAX_EXACT_INT)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    c = ks_threshold(n, false_fail_rate)
    margin = discrepancy - c
    return float(_st.kstwo.cdf(margin, n)) if margin > 0 else 0.0


def ks_min_detectable_discrepancy(n: int, false_fail_rate: float, power: float) -> float:
    """Smallest ``sup|F - G|`` the KS test detects with ``power``: ``c + kstwo.ppf(power, n)``."""
    power = check_open_unit("power", power)
    return ks_threshold(n, false_fail_rate) + float(_st.kstwo.ppf(power, n))


def ks_sample_size(discrepancy: float, false_fail_rate: float, power: float, *, n_max: int = 10**8) -> int:
    """Smallest n for which the KS test detects ``sup|F - G| >= discrepancy`` with ``power``."""
    discrepancy = check_open_unit("discrepancy", discrepancy)
    false_fail_rate = check_open_unit("false_fail_rate", false_fail_rate)
    power = check_open_unit("power", power)
    n_max = check_positive_int("n_max", n_max, maximum=MAX_EXACT_INT)
    n = 1
    while ks_min_detectable_discrepancy(n, false_fail_rate, power) > discrepancy:
        n *= 2
        if n > n_max:
            raise ValueError(f"power: no n <= n_max={n_max} reaches the requested power {power} (discrepancy="
                             f"{discrepancy}, false_fail_rate={false_fail_rate})")
    lo, hi = max(1, n // 2), n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ks_min_detectable_discrepancy(mid, false_fail_rate, power) <= discrepancy:
            hi = mid
        else:
            lo = mid
    return hi if ks_min_detectable_discrepancy(lo, false_fail_rate, power) > discrepancy else lo
