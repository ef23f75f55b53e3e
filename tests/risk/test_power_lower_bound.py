"""``lrtcheck.stats.decisions.simulated_power_lower_bound`` (added for ``risk.target.unbiased``): the formula the legacy
check wrote by hand, reproduced bit for bit, the Beta quantiles it stands for, its exact coverage, and its bad
inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from scipy import stats as st

from lrtcheck.stats import clopper_pearson
from lrtcheck.stats.decisions import simulated_power_lower_bound


def _legacy(hits, draws, alpha=1e-3):
    """risk.target.unbiased before the layout migration."""
    return clopper_pearson(hits, draws, alpha)[0] if hits < draws else (alpha / 2) ** (1 / draws)


@pytest.mark.parametrize("hits,draws", [(19974, 20000), (20000, 20000), (99990, 100000), (100000, 100000),
                                        (0, 50), (1, 50), (49, 50), (50, 50)])
def test_reproduces_the_legacy_formula_bit_for_bit(hits, draws):
    assert simulated_power_lower_bound(hits, draws, 1e-3) == _legacy(hits, draws)


@pytest.mark.parametrize("alpha", [1e-3, 0.05, 0.3])
@pytest.mark.parametrize("draws", [1, 7, 200])
def test_is_the_clopper_pearson_lower_beta_quantile(draws, alpha):
    for hits in range(draws + 1):
        bound = simulated_power_lower_bound(hits, draws, alpha)
        want = 0.0 if hits == 0 else st.beta.ppf(alpha / 2, hits, draws - hits + 1)
        assert bound == pytest.approx(want, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("draws,alpha", [(30, 0.1), (200, 0.01)])
def test_covers_every_power_at_its_confidence(draws, alpha):
    """P(bound(X) <= p) >= 1 - alpha/2 for X ~ Bin(draws, p), computed exactly on a grid of p."""
    bounds = np.array([simulated_power_lower_bound(k, draws, alpha) for k in range(draws + 1)])
    for p in np.linspace(0.001, 0.999, 400):
        covered = st.binom.pmf(np.arange(draws + 1), draws, p)[bounds <= p].sum()
        assert covered >= 1 - alpha / 2 - 1e-12, p


@given(draws=hs.integers(1, 500), data=hs.data(), alpha=hs.floats(1e-6, 0.5))
def test_bound_lies_in_the_unit_interval_and_rises_with_the_rejections(draws, data, alpha):
    hits = data.draw(hs.integers(0, draws))
    b = simulated_power_lower_bound(hits, draws, alpha)
    assert 0.0 <= b <= hits / draws
    if hits < draws:
        assert simulated_power_lower_bound(hits + 1, draws, alpha) > b


@pytest.mark.parametrize("args,match", [((3, 0, 0.1), "draws"), ((-1, 10, 0.1), "rejections"),
                                        ((11, 10, 0.1), "rejections"), ((2.5, 10, 0.1), "rejections"),
                                        ((3, 10, 0.0), "alpha"), ((3, 10, 1.0), "alpha"),
                                        ((3, 10, float("nan")), "alpha")])
def test_bad_inputs_name_the_parameter(args, match):
    with pytest.raises(ValueError, match=match):
        simulated_power_lower_bound(*args)
