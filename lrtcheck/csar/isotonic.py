"""Isotonic calibration (Zadrozny & Elkan 2002; C-SAR paper §4): the non-decreasing map g minimising the squared
error ``sum_i (y_i - g(s_i))^2`` on the calibration set, by pool-adjacent-violators.

Ties in the scores are pooled first (weighted mean of their labels: scikit-learn's default), the PAV solution is
computed by ``scipy.optimize.isotonic_regression`` on the distinct scores, and new scores are mapped by linear
interpolation between the distinct calibration scores, clipped at the ends (``IsotonicRegression(out_of_bounds=
"clip")``, which ``CalibratedClassifierCV(method="isotonic")`` uses).  A point calibrator: no interval.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from ._inputs import labels_1d, paired, scores_1d

__all__ = ["IsotonicCalibrator", "pool_ties"]


def pool_ties(scores: np.ndarray, labels: np.ndarray):
    """Distinct sorted scores, their counts and label sums (one sort)."""
    order = np.argsort(scores, kind="stable")
    s = scores[order]
    y = labels[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    counts = np.diff(np.r_[starts, s.shape[0]])
    sums = np.add.reduceat(y, starts)
    return s[starts], counts.astype(np.float64), sums


class IsotonicCalibrator:
    """PAV isotonic calibration of scores.

    Attributes (after ``fit``)
    --------------------------
    thresholds_ : distinct calibration scores (sorted).
    values_ : fitted non-decreasing probabilities at ``thresholds_``.
    n_ : calibration set size.
    """

    def fit(self, scores, labels):
        s = scores_1d("scores", scores)
        y = labels_1d("labels", labels)
        paired(s, y)
        xs, counts, sums = pool_ties(s, y)
        res = optimize.isotonic_regression(sums / counts, weights=counts, increasing=True)
        self.thresholds_ = xs
        self.values_ = np.clip(res.x, 0.0, 1.0)
        self.n_ = int(s.shape[0])
        return self

    def predict_proba(self, scores) -> np.ndarray:
        """Calibrated ``P(Y = 1 | x)`` (1-D), linear interpolation clipped at the ends."""
        if not hasattr(self, "values_"):
            raise ValueError("this IsotonicCalibrator is not fitted yet; call fit(scores, labels) first")
        s = scores_1d("scores", scores)
        if self.thresholds_.shape[0] == 1:
            return np.full(s.shape, self.values_[0])
        return np.interp(s, self.thresholds_, self.values_)
