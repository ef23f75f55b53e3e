"""The bootstrap-percentile interval of a point calibrator (lrtcheck.csar.bootstrap)."""

import numpy as np
import pytest

from lrtcheck.csar import IsotonicCalibrator, TemperatureScaling
from lrtcheck.csar.bootstrap import bootstrap_percentile_interval


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-2 * s))).astype(int)
    return s, y


def test_percentiles_of_the_refits_on_the_same_resamples():
    s, y = _data()
    t = np.linspace(-2, 2, 7)
    lo, hi = bootstrap_percentile_interval(TemperatureScaling, s, y, t, delta=0.2, n_boot=30, seed=5)
    idx = np.random.default_rng(5).integers(0, s.shape[0], size=(30, s.shape[0]))
    boot = np.array([TemperatureScaling().fit(s[i], y[i]).predict_proba(t) for i in idx])
    np.testing.assert_array_equal(lo, np.quantile(boot, 0.1, axis=0))
    np.testing.assert_array_equal(hi, np.quantile(boot, 0.9, axis=0))
    assert np.all(lo <= hi)


def test_interval_contains_the_full_fit_and_shrinks_with_n():
    t = np.linspace(-2, 2, 9)
    widths = []
    for n in (200, 5000):
        s, y = _data(n, seed=1)
        lo, hi = bootstrap_percentile_interval(IsotonicCalibrator, s, y, t, delta=0.1, n_boot=100, seed=2)
        widths.append(np.mean(hi - lo))
    assert widths[1] < widths[0]
    s, y = _data(5000, seed=1)
    lo, hi = bootstrap_percentile_interval(TemperatureScaling, s, y, t, delta=0.1, n_boot=100, seed=2)
    u = TemperatureScaling().fit(s, y).predict_proba(t)
    assert np.all((lo <= u + 1e-12) & (u <= hi + 1e-12))


@pytest.mark.parametrize("kw, match", [
    (dict(make=None), "make"),
    (dict(delta=0.0), "delta"),
    (dict(delta=float("nan")), "delta"),
    (dict(n_boot=0), "n_boot"),
    (dict(n_boot=2.5), "n_boot"),
    (dict(scores=[0.1, float("nan")]), "scores"),
    (dict(labels=[0, 2]), "labels"),
    (dict(labels=[0, 1, 1]), "same length"),
    (dict(at=[[0.1]]), "at"),
])
def test_bad_input_refused(kw, match):
    args = dict(make=TemperatureScaling, scores=[0.1, -0.3], labels=[1, 0], at=[0.0], delta=0.1, n_boot=5)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        bootstrap_percentile_interval(args.pop("make"), args.pop("scores"), args.pop("labels"), args.pop("at"),
                                      **args)
