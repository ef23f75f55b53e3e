"""Unit tests of the C-SAR calibrators against exact oracles and peers (scikit-learn, MAPIE, venn-abers)."""

import math

import numpy as np
import pytest
from scipy import special

from lrtcheck.csar import (IsotonicCalibrator, PerCellClopperPearson, SplitConformal, TemperatureScaling, VennAbers,
                           WeightedConformal, venn_abers_brute_force)
from lrtcheck.stats import conformal_rank


@pytest.fixture
def venn_abers_module():
    old = np.geterr()
    import venn_abers

    np.seterr(**old)
    yield venn_abers
    np.seterr(**old)


def test_venn_abers_matches_brute_force_with_ties():
    rng = np.random.default_rng(0)
    for rep in range(60):
        n = int(rng.integers(1, 30))
        s = rng.integers(0, 6, n).astype(float) if rep % 2 else rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        t = np.r_[np.arange(-1, 8, 0.5), s[:3]]
        p0, p1 = VennAbers().fit(s, y).predict_interval(t)
        b0, b1 = venn_abers_brute_force(s, y, t)
        np.testing.assert_array_equal(np.round(p0, 12), np.round(b0, 12))
        np.testing.assert_array_equal(np.round(p1, 12), np.round(b1, 12))
        assert np.all(p0 <= p1)


def test_venn_abers_matches_peer_package(venn_abers_module):
    rng = np.random.default_rng(1)
    for rep in range(20):
        n = 200
        s = np.round(rng.random(n), 2)  # ties
        y = (rng.random(n) < s).astype(int)
        t = np.round(rng.random(100), 2)
        peer = venn_abers_module.VennAbers()
        with np.errstate(all="ignore"):  # the peer divides 0/0 internally
            peer.fit(np.c_[1 - s, s], y)
            _, p01 = peer.predict_proba(np.c_[1 - t, t])
        p0, p1 = VennAbers().fit(s, y).predict_interval(t)
        np.testing.assert_allclose(p0, p01[:, 0], atol=1e-12)
        np.testing.assert_allclose(p1, p01[:, 1], atol=1e-12)


def test_split_conformal_rank_and_interval():
    rng = np.random.default_rng(2)
    u = rng.random(92)
    y = (rng.random(92) < u).astype(float)
    sc = SplitConformal(1 / 3).fit(u, y)
    assert sc.rank_ == 62 == conformal_rank(92, 1 / 3)
    assert sc.threshold_ == np.sort(np.abs(y - u))[61]
    lo, hi = sc.predict_interval([0.5])
    assert lo[0] == max(0.0, 0.5 - sc.threshold_) and hi[0] == min(1.0, 0.5 + sc.threshold_)


def test_split_conformal_never_looser_than_mapie():
    """MAPIE 1.6's classification quantile takes rank ceil((n+1)(1-alpha)) computed in floating point (and a
    'higher'-method quantile in earlier releases); ours uses the exact rank, so it is never looser, and equal
    wherever MAPIE's floating-point rank is the exact one."""
    from mapie.utils import _compute_classification_quantile

    rng = np.random.default_rng(3)
    equal = 0
    for n in range(10, 400, 3):
        for alpha in (0.05, 0.1, 0.2, 1 / 3, 0.3):
            k = conformal_rank(n, alpha)
            if k is None:
                continue
            s = rng.random(n)
            mapie_q = float(_compute_classification_quantile(s[:, None], np.array([alpha]))[0])
            ours = SplitConformal(alpha).fit(1 - s, np.ones(n)).threshold_  # residual |1 - (1 - s)| = s
            assert ours <= mapie_q
            if math.ceil((n + 1) * (1 - alpha)) == k:
                assert ours == mapie_q
                equal += 1
    assert equal > 100


def test_weighted_constant_weights_reduce_exactly():
    rng = np.random.default_rng(4)
    for n in (5, 9, 19, 92, 150):
        for delta in (0.1, 1 / 3, 0.05):
            u = rng.random(n)
            y = (rng.random(n) < u).astype(float)
            ref = SplitConformal(delta, allow_infinite=True).fit(u, y).threshold_
            got = WeightedConformal(delta).fit(u, y, np.full(n, 3.7)).threshold(3.7)[0]
            assert ref == got


def test_weighted_test_weight_included():
    u = np.linspace(0.05, 0.95, 10)
    y = np.zeros(10)
    wc = WeightedConformal(0.1).fit(u, y, np.ones(10))
    assert wc.threshold(1.0)[0] == np.sort(u)[9]  # rank ceil(11 * 0.9) = 10
    assert wc.threshold(0.0)[0] == np.sort(u)[8]  # without the test point's mass: rank ceil(10 * 0.9) = 9
    assert math.isinf(wc.threshold(5.0)[0])  # a heavy test point leaves < 90% of the mass on calibration


def test_temperature_matches_sklearn():
    from sklearn.calibration import _TemperatureScaling

    rng = np.random.default_rng(5)
    s = rng.normal(size=500) * 3
    y = (rng.random(500) < special.expit(s / 2.5)).astype(float)
    t = TemperatureScaling().fit(s, y)
    peer = _TemperatureScaling().fit(s, y)
    np.testing.assert_allclose(t.inverse_temperature_, 2 * peer.beta_, rtol=1e-6)
    assert 1.5 < t.temperature_ < 4


def test_isotonic_matches_sklearn():
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(6)
    s = np.round(rng.normal(size=300), 1)
    y = (rng.random(300) < special.expit(s)).astype(float)
    t = np.linspace(-4, 4, 101)
    ours = IsotonicCalibrator().fit(s, y).predict_proba(t)
    peer = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(s, y).predict(t)
    np.testing.assert_allclose(ours, peer, atol=1e-12)


def test_percell_union_bound_and_empty_cells():
    pc = PerCellClopperPearson(4, 0.1).fit([0, 0, 1, 1, 1], [1, 0, 1, 1, 0])
    assert pc.level_ == pytest.approx(0.05)
    lo, hi = pc.predict_interval([2, 3])
    assert np.all(lo == 0) and np.all(hi == 1)


@pytest.mark.parametrize("make,args", [
    (lambda: TemperatureScaling(), ([], [])),
    (lambda: IsotonicCalibrator(), ([], [])),
    (lambda: VennAbers(), ([], [])),
    (lambda: SplitConformal(0.1), ([], [])),
])
def test_empty_calibration_set_refused(make, args):
    with pytest.raises(ValueError, match="empty"):
        make().fit(*args)


def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN"):
        VennAbers().fit([0.1, np.nan], [0, 1])
    with pytest.raises(ValueError, match="binary"):
        IsotonicCalibrator().fit([0.1, 0.2], [0, 2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SplitConformal(0.1).fit([1.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="too few"):
        SplitConformal(0.1).fit([0.2] * 5, [0] * 5)
    with pytest.raises(ValueError, match="delta"):
        SplitConformal(1.5).fit([0.2] * 50, [0] * 50)
