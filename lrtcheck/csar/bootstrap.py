"""Bootstrap-percentile intervals around a point calibrator (C-SAR paper §9: temperature scaling "augmented with
bootstrap-based intervals"; Efron & Tibshirani 1993, An Introduction to the Bootstrap, §13.3).

The calibration pairs ``(s_i, y_i)``, i = 1..n, are resampled with replacement B times; the calibrator is refitted on
each resample b and evaluated at the points ``t``, giving ``u*_b(t)``.  The percentile interval at level ``1 - delta``
is ``[q_{delta/2}(u*(t)), q_{1 - delta/2}(u*(t))]``, the empirical quantiles of the B bootstrap values at each point
(``numpy.quantile``, linear interpolation).  It is an interval for the calibrator's own population value at ``t``
(the calibrated probability it would give with infinite calibration data), not for the true class probability: a
misspecified calibrator's bias is not in it.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_positive_int

from ._inputs import check_delta, labels_1d, paired, scores_1d

__all__ = ["bootstrap_percentile_interval"]


def bootstrap_percentile_interval(make, scores, labels, at, *, delta: float, n_boot: int = 200, seed=0):
    """``(lo, hi)``: the bootstrap-percentile interval of ``make().fit(scores, labels).predict_proba(at)``.

    ``make``: a zero-argument factory of a fresh calibrator with ``fit(scores, labels)`` and ``predict_proba``;
    ``delta`` in (0, 1): the interval's level is ``1 - delta``; ``n_boot``: the number B of resamples; ``seed``:
    anything ``numpy.random.default_rng`` accepts (the resample indices are drawn at once, a (B, n) array).
    """
    if not callable(make):
        raise ValueError(f"make must be a callable returning a fresh calibrator, got {make!r}")
    s = scores_1d("scores", scores)
    y = labels_1d("labels", labels)
    paired(s, y)
    t = scores_1d("at", at)
    delta = check_delta(delta)
    n_boot = check_positive_int("n_boot", n_boot)
    idx = np.random.default_rng(seed).integers(0, s.shape[0], size=(n_boot, s.shape[0]))
    # one refit per resample (a calibrator's fit is an optimiser or a PAV pass): the loop is over resamples
    boot = np.stack([make().fit(s[i], y[i]).predict_proba(t) for i in idx])
    lo, hi = np.quantile(boot, [delta / 2, 1 - delta / 2], axis=0)
    return lo, hi
