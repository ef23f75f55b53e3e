"""The exact Poisson-binomial CDF (used by ``lrtcheck power`` to test declared powers) against enumeration."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lrtcheck.stats import poisson_binomial_cdf


@given(hs.lists(hs.floats(0.0, 1.0), min_size=1, max_size=8), hs.integers(0, 9))
@settings(max_examples=60, deadline=None)
def test_poisson_binomial_cdf_equals_enumeration_of_outcomes(probs, count):
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(probs)):
        if sum(outcome) <= count:
            total += float(np.prod([p if o else 1 - p for o, p in zip(outcome, probs)]))
    assert poisson_binomial_cdf(count, probs) == pytest.approx(min(1.0, total), abs=1e-12)


def test_equal_probabilities_give_the_binomial_law():
    from scipy import stats as st

    assert poisson_binomial_cdf(37, [0.9] * 50) == pytest.approx(st.binom.cdf(37, 50, 0.9), rel=1e-10)


@pytest.mark.parametrize("count, probs, match", [
    (1, [], "non-empty"), (1, [[0.5]], "one-dimensional"), (1, [1.5], r"in \[0, 1\]"), (1, [float("nan")], "finite"),
    (-1, [0.5], "count"), (1.5, [0.5], "count"), (True, [0.5], "count"),
])
def test_bad_input_is_refused_by_name(count, probs, match):
    with pytest.raises(ValueError, match=match):
        poisson_binomial_cdf(count, probs)
