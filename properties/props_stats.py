"""Hypothesis properties of the statistical core."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as hs

from lrtcheck.stats import clopper_pearson, conformal_rank, dkw_epsilon, dkw_sample_size, ErrorBudget

alphas = hs.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(999_999, 10**6))


@given(n=hs.integers(1, 10**6), alpha=alphas)
def test_conformal_rank_matches_brute_force_fraction(n, alpha):
    k = conformal_rank(n, alpha)
    # brute force: the smallest integer k with k >= (n+1)(1-alpha), computed by scanning in exact arithmetic
    target = (n + 1) * (1 - alpha)
    brute = math.floor(target)
    while Fraction(brute) < target:
        brute += 1
    assert k == (brute if brute <= n else None)


@given(n=hs.integers(1, 5000), num=hs.integers(1, 999), den=hs.integers(2, 1000))
def test_conformal_rank_float_alpha_equals_exact_rational(n, num, den):
    assume(num < den)
    assert conformal_rank(n, num / den) == conformal_rank(n, Fraction(num, den))


@given(n=hs.integers(1, 10**7), delta=hs.floats(1e-9, 0.5, exclude_max=False))
def test_dkw_epsilon_falls_with_n_and_one_sided_is_tighter(n, delta):
    e = dkw_epsilon(n, delta)
    assert dkw_epsilon(n + 1, delta) < e
    assert dkw_epsilon(n, delta, two_sided=False) < e


@given(eps=hs.floats(1e-3, 0.5), delta=hs.floats(1e-9, 0.5))
def test_dkw_sample_size_is_the_smallest_sufficient_n(eps, delta):
    n = dkw_sample_size(eps, delta)
    assert dkw_epsilon(n, delta) <= eps
    if n > 1:
        assert dkw_epsilon(n - 1, delta) > eps


@given(n=hs.integers(1, 500), data=hs.data(), alpha=hs.floats(1e-4, 0.5))
def test_clopper_pearson_brackets_the_estimate_and_nests(n, data, alpha):
    x = data.draw(hs.integers(0, n))
    lo, hi = clopper_pearson(x, n, alpha)
    assert 0.0 <= lo <= x / n <= hi <= 1.0
    lo2, hi2 = clopper_pearson(x, n, min(0.9, alpha * 2))
    assert lo <= lo2 + 1e-12 and hi2 <= hi + 1e-12  # a lower level gives a narrower interval


@given(ids=hs.lists(hs.text("abcdefgh.", min_size=3, max_size=8), min_size=1, max_size=30, unique=True),
       total=hs.floats(1e-6, 0.5))
def test_error_budget_sums_to_total(ids, total):
    b = ErrorBudget.equal(ids, total)
    assert sum(b.shares().values()) == pytest.approx(total)


@given(bad=hs.one_of(hs.just(float("nan")), hs.floats(max_value=0.0), hs.floats(min_value=1.0)))
def test_conformal_rank_rejects_alpha_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="alpha"):
        conformal_rank(10, bad)
