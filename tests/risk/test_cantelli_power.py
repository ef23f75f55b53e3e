"""``cantelli_power``: a valid lower bound on the power of a two-sided chi-square region, against exact laws."""

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given
from hypothesis import strategies as hs

from lrtcheck.claims.risk.laws import cantelli_power


@given(dof=hs.integers(1, 5000), scale=hs.floats(0.05, 3.0), level=hs.floats(1e-6, 0.2))
def test_bound_never_exceeds_the_exact_power_of_a_scaled_chi_square(dof, scale, level):
    # Q = scale * chi-square(dof): mean scale * dof, variance 2 scale^2 dof; exact power from scipy
    lo, hi = st.chi2.ppf(level / 2, dof), st.chi2.isf(level / 2, dof)
    exact = st.chi2.cdf(lo / scale, dof) + st.chi2.sf(hi / scale, dof)
    bound = cantelli_power(scale * dof, 2.0 * scale**2 * dof, lo, hi)
    assert 0.0 <= bound <= exact + 1e-12


def test_bound_is_zero_inside_and_near_one_far_outside():
    assert cantelli_power(10.0, 4.0, 5.0, 15.0) == 0.0
    assert cantelli_power(1.0, 1.0, 101.0, 200.0) == pytest.approx(1 - 1 / (1 + 100.0**2))
    assert cantelli_power(300.0, 1.0, 101.0, 200.0) == pytest.approx(1 - 1 / (1 + 100.0**2))
    # the defect of risk.training.draw_law at its full-tier size: sum of v^2 chi-square(1), v^2 in (0.2, 0.9)
    w = np.random.default_rng(0).uniform(0.2, 0.9, 160000)
    lo, hi = st.chi2.ppf(1e-6, w.size), st.chi2.isf(1e-6, w.size)
    assert cantelli_power(w.sum(), 2 * (w * w).sum(), lo, hi) > 0.99
