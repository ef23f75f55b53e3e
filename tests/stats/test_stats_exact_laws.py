"""Exact laws of the binomial helpers, the one-sided acceptance regions, validation rules and seed helpers
(gaps found by running mutmut on lrtcheck/stats)."""

import numpy as np
import pytest
from scipy import stats as st

from lrtcheck.stats import binomial_acceptance_region, binomial_tail_pvalue, child_seeds, clopper_pearson, stream_key
from lrtcheck.stats.validation import (check_finite_array, check_nonnegative, check_probability_array,
                                       check_stochastic)


@pytest.mark.parametrize("count,n,p,alt", [(3, 10, 0.2, "greater"), (0, 10, 0.2, "less"), (7, 20, 0.5, "two-sided"),
                                           (20, 20, 0.9, "greater")])
def test_binomial_tail_pvalue_equals_scipy(count, n, p, alt):
    assert binomial_tail_pvalue(count, n, p, alternative=alt) == pytest.approx(
        st.binomtest(count, n, p, alternative=alt).pvalue, rel=1e-12)


@pytest.mark.parametrize("bad", [dict(count=11, n=10, p=0.5), dict(count=-1, n=10, p=0.5),
                                 dict(count=1, n=0, p=0.5), dict(count=1, n=10, p=1.5)])
def test_binomial_tail_pvalue_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        binomial_tail_pvalue(bad["count"], bad["n"], bad["p"])


@pytest.mark.parametrize("alt", ["greater", "less", "two-sided"])
@pytest.mark.parametrize("n,p,alpha", [(50, 0.3, 0.05), (200, 0.02, 0.01), (30, 0.9, 0.1)])
def test_acceptance_region_is_exact_and_maximal(alt, n, p, alpha):
    reg = binomial_acceptance_region(n, p, alpha, alternative=alt)
    d = st.binom(n, p)
    lo_mass = d.cdf(reg.low - 1) if reg.low > 0 else 0.0
    hi_mass = d.sf(reg.high)
    assert reg.size == pytest.approx(lo_mass + hi_mass, abs=1e-15)
    budget_lo = {"greater": 0.0, "less": alpha, "two-sided": alpha / 2}[alt]
    budget_hi = {"greater": alpha, "less": 0.0, "two-sided": alpha / 2}[alt]
    assert lo_mass <= budget_lo + 1e-15 and hi_mass <= budget_hi + 1e-15
    if budget_lo == 0.0:
        assert reg.low == 0
    elif reg.low < n:
        assert d.cdf(reg.low) > budget_lo  # one more count rejected would exceed the tail's budget
    if budget_hi == 0.0:
        assert reg.high == n
    elif reg.high > 0:
        assert d.sf(reg.high - 1) > budget_hi
    assert reg.contains(reg.low) and reg.contains(reg.high)
    assert not reg.contains(reg.low - 1) and not reg.contains(reg.high + 1)


def test_acceptance_region_refuses_unknown_alternative():
    with pytest.raises(ValueError, match="alternative"):
        binomial_acceptance_region(10, 0.5, 0.05, alternative="bigger")


def test_clopper_pearson_refuses_non_integers_and_bad_trials():
    with pytest.raises(ValueError, match="successes must contain integers"):
        clopper_pearson(2.5, 10, 0.05)
    with pytest.raises(ValueError, match="trials must contain integers"):
        clopper_pearson(2, 10.5, 0.05)
    with pytest.raises(ValueError, match="trials must contain integers >= 1"):
        clopper_pearson(np.array([0]), np.array([0]), 0.05)
    lo, hi = clopper_pearson(np.array([0, 10]), np.array([10, 10]), 0.05)
    assert lo[0] == 0.0 and hi[0] == pytest.approx(1 - 0.025 ** (1 / 10))
    assert hi[1] == 1.0 and lo[1] == pytest.approx(0.025 ** (1 / 10))


def test_validation_rules_name_the_parameter():
    with pytest.raises(ValueError, match="^P rows must sum to 1"):
        check_stochastic("P", [[0.5, 0.4], [0.5, 0.5]])
    with pytest.raises(ValueError, match="^P must not contain negative"):
        check_stochastic("P", [[1.2, -0.2], [0.5, 0.5]])
    assert check_stochastic("P", [[0.5, 0.5], [1.0, 0.0]]).shape == (2, 2)
    with pytest.raises(ValueError, match="^p must contain probabilities in"):
        check_probability_array("p", [0.2, 1.1])
    with pytest.raises(ValueError, match="^x must contain only finite"):
        check_finite_array("x", [1.0, np.nan])
    with pytest.raises(ValueError, match="^x must have 2 dimension"):
        check_finite_array("x", [1.0], ndim=2)
    with pytest.raises(ValueError, match="^c must be a finite number >= 0"):
        check_nonnegative("c", -1e-9)
    assert check_nonnegative("c", 0) == 0.0


def test_seed_helpers_are_deterministic_and_distinct():
    ss = np.random.SeedSequence(5)
    a, b = child_seeds(ss, 3), child_seeds(np.random.SeedSequence(5), 3)
    assert a == b and len(set(a)) == 3 and all(0 <= s < 2**63 for s in a)
    assert stream_key("x") == stream_key("x") and stream_key("x") != stream_key("y") and len(stream_key("x")) == 4
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        stream_key("")
