"""Split conformal on label residuals, and weighted conformal under covariate shift.

Split conformal (C-SAR paper §4; Vovk et al. 2005; Angelopoulos & Bates 2021 section 1): with base probabilities
``u(x)`` (a calibrated classifier) the residual scores are ``a_i = |y_i - u(x_i)|`` on the calibration set, the
threshold is the k-th smallest with the exact rank ``k = ceil((n + 1)(1 - delta))`` (``lrtcheck.stats.
conformal_rank``, exact rational arithmetic), and the interval ``[max(0, u - q), min(1, u + q)]`` contains the
*label* Y with marginal probability ``k/(n+1)`` in ``[1 - delta, 1 - delta + 1/(n+1))`` for continuous residuals.
It covers the label, **not** ``P(Y = 1 | x)``.

Weighted conformal (Tibshirani, Barber, Candes & Ramdas 2019, "Conformal prediction under covariate shift",
section 2): with likelihood-ratio weights ``w(x) = dP_test/dP_cal(x)`` the threshold for a test point x is the
``1 - delta`` quantile of ``sum_i p_i(x) delta_{a_i} + p_{n+1}(x) delta_{+inf}``,
``p_i(x) = w(x_i) / (sum_j w(x_j) + w(x))``, ``p_{n+1}(x) = w(x) / (sum_j w(x_j) + w(x))`` (the test point's own
weight included).  The comparison ``sum_{i<=k} w_(i) >= (1 - delta)(W + w(x))`` is made as
``b * C_k >= (b - a)(W + w(x))`` with ``delta = a/b`` read exactly (``lrtcheck.stats.exact_fraction``) and weights
scaled by their maximum, so that constant weights reproduce split conformal's rank exactly.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.stats import conformal_rank, exact_fraction

from ._inputs import check_delta, check_flag, labels_1d, paired, probabilities_1d, real_array, weights_1d

__all__ = ["SplitConformal", "WeightedConformal", "label_residuals"]


def label_residuals(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Non-conformity scores ``|y - u(x)|`` (C-SAR paper §4)."""
    u = real_array("probs", probs)
    y = real_array("labels", labels)
    if np.isnan(u).any() or np.any(u < 0) or np.any(u > 1):
        raise ValueError("probs must contain probabilities in [0, 1] (NaN refused)")
    if np.isnan(y).any() or not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("labels must contain binary labels 0 or 1")
    if u.shape != y.shape:
        raise ValueError(f"probs and labels must have the same shape ({u.shape} != {y.shape})")
    return np.abs(y - u)


def _interval(probs: np.ndarray, q) -> tuple[np.ndarray, np.ndarray]:
    """``[max(0, u - q), min(1, u + q)]``, with the ends at the labels decided by the residual itself: the label 1 is
    inside iff ``1 - u <= q`` and 0 iff ``u <= q``, exactly as the scores were computed (in floating point
    ``u + (1 - u)`` can round below 1, which dropped a test label whose residual equals the threshold -- a tie of
    probability > 0 on finite covariate spaces)."""
    lo = np.where(probs <= q, 0.0, np.clip(probs - q, 0.0, 1.0))
    hi = np.where(1.0 - probs <= q, 1.0, np.clip(probs + q, 0.0, 1.0))
    return lo, hi


class SplitConformal:
    """Split conformal interval for the label around base probabilities.

    Parameters
    ----------
    delta : miscoverage level in (0, 1).
    allow_infinite : when the calibration set is too small for ``delta`` (``ceil((n+1)(1-delta)) > n``) the
        threshold is +inf and every interval is [0, 1]; by default that is refused with a ``ValueError``.

    Attributes (after ``fit``)
    --------------------------
    rank_ : the order-statistic rank k (None when infinite).
    threshold_ : the residual threshold q (``inf`` when the rank exceeds n).
    n_ : calibration set size.
    """

    def __init__(self, delta: float = 0.1, *, allow_infinite: bool = False):
        self.delta = delta
        self.allow_infinite = allow_infinite
        check_delta(delta)
        check_flag("allow_infinite", allow_infinite)

    def fit(self, probs, labels):
        delta = check_delta(self.delta)
        allow_infinite = check_flag("allow_infinite", self.allow_infinite)
        u = probabilities_1d("probs", probs)
        y = labels_1d("labels", labels)
        paired(u, y, names=("probs", "labels"))
        n = u.shape[0]
        k = conformal_rank(n, delta)
        if k is None and not allow_infinite:
            need = math.ceil(1 / delta) - 1
            raise ValueError(f"n={n} calibration points are too few for delta={delta}: the conformal rank "
                             f"ceil((n+1)(1-delta)) exceeds n (need n >= {need}); pass allow_infinite=True to "
                             "accept the trivial interval [0, 1]")
        scores = np.sort(label_residuals(u, y))
        self.rank_ = k
        self.threshold_ = math.inf if k is None else float(scores[k - 1])
        self.n_ = n
        return self

    def predict_interval(self, probs) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high) = (max(0, u - q), min(1, u + q))``."""
        if not hasattr(self, "threshold_"):
            raise ValueError("this SplitConformal is not fitted yet; call fit(probs, labels) first")
        return _interval(probabilities_1d("probs", probs), self.threshold_)

    def predict_proba(self, probs) -> np.ndarray:
        """The base probabilities, unchanged (the point prediction the interval is built around)."""
        if not hasattr(self, "threshold_"):
            raise ValueError("this SplitConformal is not fitted yet; call fit(probs, labels) first")
        return probabilities_1d("probs", probs)


class WeightedConformal:
    """Weighted split conformal (Tibshirani et al. 2019) with the test point's weight included.

    ``fit(probs, labels, weights)`` takes the calibration weights ``w(x_i)``; ``predict_interval(probs, weights)``
    the test weights ``w(x)``.  A test point whose weight leaves less than ``1 - delta`` of the mass on the
    calibration residuals gets the threshold +inf (interval [0, 1]), as the method prescribes.

    Attributes (after ``fit``)
    --------------------------
    scores_ : sorted calibration residuals; ``weights_`` their weights (scaled by the largest weight);
    scale_ : the scaling factor; ``n_`` : calibration set size.
    """

    def __init__(self, delta: float = 0.1):
        self.delta = delta
        check_delta(delta)

    def fit(self, probs, labels, weights=None):
        check_delta(self.delta)
        u = probabilities_1d("probs", probs)
        y = labels_1d("labels", labels)
        paired(u, y, names=("probs", "labels"))
        n = u.shape[0]
        w = np.ones(n) if weights is None else weights_1d("weights", weights, n, like="probs")
        if not np.any(w > 0):
            raise ValueError("weights must not all be zero")
        scores = label_residuals(u, y)
        order = np.argsort(scores, kind="stable")
        self.scale_ = float(np.max(w))
        self.scores_ = scores[order]
        self.weights_ = w[order] / self.scale_
        self._cum = np.cumsum(self.weights_)
        self.n_ = n
        return self

    def threshold(self, weights) -> np.ndarray:
        """Per-test-point thresholds for test weights ``w(x)`` (``inf`` where the quantile is the atom at +inf)."""
        if not hasattr(self, "scores_"):
            raise ValueError("this WeightedConformal is not fitted yet; call fit(probs, labels, weights) first")
        wt = weights_1d("weights", np.atleast_1d(real_array("weights", weights))) / self.scale_
        frac = exact_fraction("delta", self.delta)
        a, b = frac.numerator, frac.denominator
        total = self._cum[-1]
        need = (b - a) * (total + wt)
        k = np.searchsorted(b * self._cum, need, side="left")
        out = np.full(wt.shape, np.inf)
        ok = k < self.n_
        out[ok] = self.scores_[k[ok]]
        return out

    def predict_interval(self, probs, weights) -> tuple[np.ndarray, np.ndarray]:
        u = probabilities_1d("probs", probs)
        w = weights_1d("weights", weights, u.shape[0], like="probs")
        return _interval(u, self.threshold(w))

    def predict_proba(self, probs) -> np.ndarray:
        if not hasattr(self, "scores_"):
            raise ValueError("this WeightedConformal is not fitted yet; call fit(probs, labels, weights) first")
        return probabilities_1d("probs", probs)
