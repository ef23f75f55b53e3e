"""Exact oracles for the statistical core."""

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as st

from lrtcheck.stats import (
    ErrorBudget,
    binomial_acceptance_region,
    binomial_min_detectable_rate,
    binomial_power,
    binomial_sample_size,
    clopper_pearson,
    conformal_coverage_law,
    conformal_marginal_coverage,
    conformal_rank,
    dkw_band_coverage,
    dkw_epsilon,
    dkw_sample_size,
    exact_fraction,
    ks_min_detectable_discrepancy,
    ks_power_lower_bound,
    ks_sample_size,
    ks_threshold,
    order_statistic_level_law,
    seed_sequence,
    resolve_root_seed,
)


def test_dkw_sample_size_oracles():
    assert dkw_sample_size(0.01, 1e-3) == 38005
    assert dkw_sample_size(0.01, 1e-3, two_sided=False) == 34539


def test_dkw_epsilon_formula_and_inverse():
    assert dkw_epsilon(10_000, 0.05) == pytest.approx(math.sqrt(math.log(40) / 20_000))
    assert dkw_epsilon(10_000, 0.05, two_sided=False) == pytest.approx(math.sqrt(math.log(20) / 20_000))
    for eps, delta in [(0.05, 0.1), (0.013, 1e-4), (0.2, 0.5)]:
        n = dkw_sample_size(eps, delta)
        assert dkw_epsilon(n, delta) <= eps < dkw_epsilon(n - 1, delta) if n > 1 else True


def test_dkw_band_coverage_is_exact_and_at_least_nominal():
    for n in (10, 100, 1000):
        eps = dkw_epsilon(n, 0.05)
        cov = dkw_band_coverage(n, eps)
        assert cov == pytest.approx(st.kstwo.cdf(eps, n))
        assert cov >= 0.95


def test_conformal_rank_exact_arithmetic():
    assert conformal_rank(92, 1 / 3) == 62  # a naive float ceil gives 63
    assert conformal_rank(92, Fraction(1, 3)) == 62
    assert conformal_rank(9, 0.1) == 9
    assert conformal_rank(8, 0.1) is None
    assert conformal_rank(99, 0.05) == 95
    assert conformal_rank(19, "0.1") == 18


def test_exact_fraction_reads_floats_as_intended_rationals():
    assert exact_fraction("a", 0.1) == Fraction(1, 10)
    assert exact_fraction("a", 1 / 3) == Fraction(1, 3)
    assert exact_fraction("a", 0.05) == Fraction(1, 20)


def test_clopper_pearson_equals_scipy_binomtest():
    for x, n in [(0, 10), (3, 10), (10, 10), (17, 250), (999, 1000)]:
        lo, hi = clopper_pearson(x, n, 0.05)
        ref = st.binomtest(x, n).proportion_ci(0.95, method="exact")
        assert lo == pytest.approx(ref.low, rel=1e-9, abs=1e-12)
        assert hi == pytest.approx(ref.high, rel=1e-9, abs=1e-12)


def test_clopper_pearson_vectorised():
    lo, hi = clopper_pearson(np.array([0, 5, 10]), np.array([10, 10, 10]), 0.1)
    assert lo[0] == 0.0 and hi[2] == 1.0 and np.all(lo <= hi)


def test_order_statistic_and_coverage_laws():
    n, alpha = 19, 0.1
    k = conformal_rank(n, alpha)
    law = order_statistic_level_law(n, k)
    assert law.mean() == pytest.approx((n - k + 1) / (n + 1))
    cov = conformal_coverage_law(n, k, 1)
    assert cov.pmf(1) == pytest.approx(k / (n + 1))
    assert conformal_marginal_coverage(n, alpha) == Fraction(18, 20)


def test_acceptance_region_exact_size():
    reg = binomial_acceptance_region(100, 0.1, 0.01)
    d = st.binom(100, 0.1)
    assert reg.size == pytest.approx(d.cdf(reg.low - 1) + d.sf(reg.high))
    assert reg.size <= 0.01
    # maximal: widening either end by one more step would exceed alpha/2 on that side
    assert d.cdf(reg.low) > 0.005 and d.sf(reg.high - 1) > 0.005


def test_binomial_design_companions_are_consistent():
    p1 = binomial_min_detectable_rate(1000, 0.05, 1e-3, 0.99)
    assert binomial_power(1000, 0.05, p1, 1e-3) == pytest.approx(0.99, abs=1e-6)
    n = binomial_sample_size(0.05, 0.08, 1e-3, 0.9)
    assert binomial_power(n, 0.05, 0.08, 1e-3) >= 0.9
    assert binomial_power(n // 2, 0.05, 0.08, 1e-3) < 0.9


def test_ks_design_companions_are_consistent():
    n, ff = 2000, 1e-4
    d = ks_min_detectable_discrepancy(n, ff, 0.99)
    assert ks_power_lower_bound(n, ff, d) == pytest.approx(0.99, abs=1e-6)
    assert d > ks_threshold(n, ff)
    m = ks_sample_size(0.05, ff, 0.99)
    assert ks_min_detectable_discrepancy(m, ff, 0.99) <= 0.05 < ks_min_detectable_discrepancy(m - 1, ff, 0.99)


def test_error_budget_split_and_seed_streams_are_stable():
    b = ErrorBudget.equal(["a.x", "b.y", "c.z", "d.w"], total=1e-3)
    assert b.share("a.x") == pytest.approx(2.5e-4) and b.share("missing") == 0.0
    assert sum(b.shares().values()) == pytest.approx(1e-3)
    s1 = seed_sequence(7, "lrt.ump").generate_state(4)
    s2 = seed_sequence(7, "lrt.ump").generate_state(4)
    s3 = seed_sequence(7, "lrt.umpx").generate_state(4)
    assert np.array_equal(s1, s2) and not np.array_equal(s1, s3)
    assert resolve_root_seed(None) == resolve_root_seed(None)
    assert resolve_root_seed("random") != resolve_root_seed("random")


@pytest.mark.parametrize(
    "call",
    [
        lambda: dkw_epsilon(0, 0.1),
        lambda: dkw_epsilon(10, 1.0),
        lambda: dkw_epsilon(10, float("nan")),
        lambda: dkw_epsilon(10, 0.7, two_sided=False),
        lambda: dkw_sample_size(0.0, 0.1),
        lambda: conformal_rank(10, 0.0),
        lambda: conformal_rank(10, 1.5),
        lambda: conformal_rank(0, 0.1),
        lambda: conformal_rank(10, float("nan")),
        lambda: clopper_pearson(11, 10, 0.05),
        lambda: clopper_pearson(3, 10, 0.0),
        lambda: clopper_pearson(-1, 10, 0.05),
        lambda: binomial_acceptance_region(10, 1.2, 0.05),
        lambda: ErrorBudget(total=2.0),
        lambda: resolve_root_seed("abc"),
        lambda: resolve_root_seed(-3),
    ],
)
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_ks_power_lower_bound_refuses_bad_discrepancy():
    for bad in (math.nan, -0.1, 1.5, math.inf):
        with pytest.raises(ValueError, match=r"^discrepancy (must lie in \[0, 1\]|must not be NaN)"):
            ks_power_lower_bound(100, 1e-3, bad)
    assert ks_power_lower_bound(100, 1e-3, 0.0) == 0.0
    assert 0.99 < ks_power_lower_bound(100, 1e-3, 1.0) <= 1.0
