"""Temperature scaling (Guo et al. 2017, section 4.2; C-SAR paper §4): ``u(x) = sigma(s(x) / T)`` with T fitted by
maximum likelihood on a held-out calibration set.

The negative log-likelihood ``f(theta) = sum_i softplus(-(2 y_i - 1) theta s_i)`` is convex in the inverse
temperature ``theta = 1/T``; its derivative is increasing, so the minimiser over ``theta >= 0`` is the root of
``f'(theta)`` found by bracketing (``brentq``), or ``theta = 0`` (T = inf, constant 1/2) when the scores are not
positively associated with the labels.  A temperature gives a point probability only: there is no interval.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from lrtcheck.stats.validation import check_positive

from ._inputs import labels_1d, paired, scores_1d

__all__ = ["TemperatureScaling"]


def _nll_grad(theta: float, s: np.ndarray, sign: np.ndarray) -> float:
    # d/dtheta sum softplus(-sign*theta*s) = -sum sign*s*sigmoid(-sign*theta*s)
    return float(-np.sum(sign * s * special.expit(-sign * theta * s)))


class TemperatureScaling:
    """Fit ``T > 0`` minimising the calibration NLL of ``sigma(s / T)``.

    Attributes (after ``fit``)
    --------------------------
    inverse_temperature_ : theta = 1/T (0 when the scores carry no positive signal).
    temperature_ : T (``inf`` when theta = 0).
    n_ : calibration set size.
    """

    def __init__(self, *, max_inverse_temperature: float = 1e6):
        self.max_inverse_temperature = max_inverse_temperature
        check_positive("max_inverse_temperature", max_inverse_temperature)

    def fit(self, scores, labels):
        # a NaN or an infinite cap would switch the separation guard off (the loop below would never stop)
        cap = check_positive("max_inverse_temperature", self.max_inverse_temperature)
        s = scores_1d("scores", scores)
        y = labels_1d("labels", labels)
        paired(s, y)
        sign = 2.0 * y - 1.0
        g0 = _nll_grad(0.0, s, sign)
        if g0 >= 0.0:
            theta = 0.0
        else:
            hi = 1.0
            while _nll_grad(hi, s, sign) < 0.0:
                hi *= 4.0
                if hi > cap:
                    raise ValueError("scores separate the labels perfectly: the temperature is not identified "
                                     "(T -> 0); use more calibration data or another calibrator")
            theta = optimize.brentq(_nll_grad, 0.0, hi, args=(s, sign), xtol=1e-14, rtol=8.9e-16)
        self.inverse_temperature_ = float(theta)
        self.temperature_ = math.inf if theta == 0.0 else 1.0 / theta
        self.n_ = int(s.shape[0])
        return self

    def _check_fitted(self):
        if not hasattr(self, "inverse_temperature_"):
            raise ValueError("this TemperatureScaling is not fitted yet; call fit(scores, labels) first")

    def decision_function(self, scores) -> np.ndarray:
        """Calibrated logits ``s / T``."""
        self._check_fitted()
        return self.inverse_temperature_ * scores_1d("scores", scores)

    def predict_proba(self, scores) -> np.ndarray:
        """Calibrated ``P(Y = 1 | x) = sigma(s / T)`` (1-D)."""
        return special.expit(self.decision_function(scores))
