"""The proof of concept's exact minimisers: with nothing corrupted every objective's minimiser is the clean score."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from lrtcheck.risk.data import POC_MEANS
from lrtcheck.worlds.risk import poc_minimiser_score


def clean_score(x, t, s=0.35):
    la = -(0.1 * t + 0.5 * 19.9 * t * t)
    u, v0 = np.exp(0.5 * la), -np.expm1(la)
    c = u * u * s * s + v0
    dens = np.stack([multivariate_normal(u * m, c * np.eye(2)).pdf(x) for m in POC_MEANS], 1)
    p = dens / dens.sum(1, keepdims=True)
    return sum(p[:, [k]] * (-(x - u * POC_MEANS[k]) / c) for k in range(3))


@pytest.mark.parametrize("t", [0.01, 0.2, 0.7])
@pytest.mark.parametrize("objective", ["clean", "paper_nolw", "tamed_nolw", "paper_lw", "tamed_lw"])
def test_no_corruption_gives_the_clean_score(objective, t):
    x = np.random.default_rng(1).standard_normal((50, 2)) * 2
    got = poc_minimiser_score(x, t, objective, means=POC_MEANS, fraction=0.0)
    np.testing.assert_allclose(got, clean_score(x, t), rtol=1e-10, atol=1e-12)


def test_corruption_down_weights_the_corrupted_component_at_small_t():
    x = np.array([[0.0, 0.5], [0.2, 0.6]])  # between the components
    t = 0.02  # below T(r) of every r >= 0.5: only the 5% clean samples of component 2 are usable
    s_rs = poc_minimiser_score(x, t, "paper_nolw", means=POC_MEANS)
    s_clean = clean_score(x, t)
    assert np.all(s_rs[:, 1] < s_clean[:, 1])  # pulled less towards component 2 at (0, 2)
