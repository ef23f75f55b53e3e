"""Dvoretzky-Kiefer-Wolfowitz bounds with Massart's tight constant, and the exact law of the KS distance.

Massart (1990), "The tight constant in the Dvoretzky-Kiefer-Wolfowitz inequality", Ann. Probab. 18(3):

    two-sided  P(sup_x |F_n(x) - F(x)| > eps) <= 2 exp(-2 n eps^2)
    one-sided  P(sup_x (F_n(x) - F(x)) > eps) <= exp(-2 n eps^2)      (valid when exp(-2 n eps^2) <= 1/2)

so eps_n(delta) = sqrt(ln(2/delta) / (2n)) (two-sided) or sqrt(ln(1/delta) / (2n)) (one-sided).  The exact
finite-sample law of sup|F_n - F| for continuous F is Kolmogorov's, ``scipy.stats.kstwo``; the one-sided law is
``scipy.stats.ksone``.  Used by the finite-sample DKW calibration of LRT-Diffusion (arXiv 2510.24983).
"""

from __future__ import annotations

import math

from scipy import stats as _st

from .validation import MAX_EXACT_INT, check_bool, check_open_unit, check_positive, check_positive_int

__all__ = ["dkw_epsilon", "dkw_sample_size", "dkw_band_coverage"]


def _log_term(delta: float, two_sided: bool) -> float:
    delta = check_open_unit("delta", delta)
    two_sided = check_bool("two_sided", two_sided)
    if not two_sided and delta > 0.5:
        raise ValueError(f"delta must be <= 1/2 for Massart's one-sided constant, got {delta!r}")
    ratio = 2.0 / delta if two_sided else 1.0 / delta
    if math.isfinite(ratio):
        return math.log(ratio)
    return (math.log(2.0) if two_sided else 0.0) - math.log(delta)  # subnormal delta: 1/delta overflows


def dkw_epsilon(n: int, delta: float, *, two_sided: bool = True) -> float:
    """Half-width eps of the DKW-Massart confidence band at confidence ``1 - delta``.

    ``eps = sqrt(ln(2/delta) / (2n))`` (two-sided) or ``sqrt(ln(1/delta) / (2n))`` (one-sided).
    """
    n = check_positive_int("n", n)
    return math.sqrt(_log_term(delta, two_sided) / (2.0 * n))


def dkw_sample_size(epsilon: float, delta: float, *, two_sided: bool = True) -> int:
    """Smallest n with ``dkw_epsilon(n, delta) <= epsilon``: ``ceil(ln(2/delta) / (2 eps^2))``.

    >>> dkw_sample_size(0.01, 1e-3), dkw_sample_size(0.01, 1e-3, two_sided=False)
    (38005, 34539)
    """
    epsilon = check_positive("epsilon", epsilon)
    if epsilon >= 1.0:
        raise ValueError(f"epsilon must be < 1 (a CDF band wider than 1 says nothing), got {epsilon!r}")
    n_real = _log_term(delta, two_sided) / (2.0 * epsilon) / epsilon  # no underflow of epsilon**2
    if not n_real <= MAX_EXACT_INT:
        raise ValueError(f"epsilon={epsilon!r} with delta={delta!r} needs more than 2**53 samples; take a "
                         "larger epsilon or delta")
    n = math.ceil(n_real)
    # guard against floating round-up at exact integers
    while n > 1 and dkw_epsilon(n - 1, delta, two_sided=two_sided) <= epsilon:
        n -= 1
    return max(n, 1)


def dkw_band_coverage(n: int, epsilon: float, *, two_sided: bool = True) -> float:
    """Exact probability that the band ``F_n +- epsilon`` contains a continuous F everywhere.

    Two-sided: ``kstwo.cdf(epsilon, n)`` (Kolmogorov's exact law); one-sided: ``ksone.cdf(epsilon, n)``.  The DKW
    band at level delta has exact coverage >= 1 - delta; this gives the exact figure.
    """
    n = check_positive_int("n", n, maximum=MAX_EXACT_INT)
    epsilon = check_positive("epsilon", epsilon)
    dist = _st.kstwo if check_bool("two_sided", two_sided) else _st.ksone
    return float(dist.cdf(epsilon, n))
