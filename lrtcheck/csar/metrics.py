"""Calibration and certificate metrics (C-SAR paper §9; docs/methods/csar.md §3): ECE, reliability curves, AUC,
logit-interval coverage, mean radius, fraction clipped and pessimism penalty.

* ECE with B equal-width bins: ``sum_b (n_b / n) |mean(y in b) - mean(p in b)|`` (Guo et al. 2017).
* AUC: the Mann-Whitney statistic ``P(score_1 > score_0) + P(=)/2`` from average ranks (``scipy.stats.rankdata``).
* Coverage of the certificate under a target law nu: ``sum_x nu(x) 1{|clip_L(ell(x)) - ell_hat(x)| <= eps(x)}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from lrtcheck.stats.validation import MAX_ENUMERATION, check_positive_int

from ._inputs import count_array, labels_1d, paired, probabilities_1d, scores_1d, weights_1d

__all__ = ["expected_calibration_error", "reliability_curve", "auc", "ReliabilityCurve", "weighted_mean"]


@dataclass(frozen=True)
class ReliabilityCurve:
    """Per-bin mean predicted probability, observed frequency and count (empty bins are dropped).

    The fields are checked on construction: two arrays of probabilities in [0, 1] and positive integer counts, all
    one-dimensional and of one length."""

    mean_predicted: np.ndarray
    observed: np.ndarray
    count: np.ndarray

    def __post_init__(self):
        mp = probabilities_1d("mean_predicted", self.mean_predicted)
        ob = probabilities_1d("observed", self.observed)
        cnt = count_array("count", self.count)
        if cnt.ndim != 1:
            raise ValueError(f"count must be one-dimensional, got shape {cnt.shape}")
        if np.any(cnt == 0):
            raise ValueError("count must contain counts >= 1 (empty bins are dropped)")
        if not mp.shape == ob.shape == cnt.shape:
            raise ValueError(f"mean_predicted, observed and count must have one length "
                             f"({mp.shape[0]}, {ob.shape[0]}, {cnt.shape[0]})")
        object.__setattr__(self, "mean_predicted", mp)
        object.__setattr__(self, "observed", ob)
        object.__setattr__(self, "count", cnt)


def reliability_curve(probs, labels, n_bins: int = 10) -> ReliabilityCurve:
    p = probabilities_1d("probs", probs)
    y = labels_1d("labels", labels)
    paired(p, y, what="evaluation set", names=("probs", "labels"))
    B = check_positive_int("n_bins", n_bins, maximum=MAX_ENUMERATION)
    b = np.minimum((p * B).astype(np.int64), B - 1)
    cnt = np.bincount(b, minlength=B)
    sp = np.bincount(b, weights=p, minlength=B)
    sy = np.bincount(b, weights=y, minlength=B)
    keep = cnt > 0
    return ReliabilityCurve(sp[keep] / cnt[keep], sy[keep] / cnt[keep], cnt[keep])


def expected_calibration_error(probs, labels, n_bins: int = 10) -> float:
    rc = reliability_curve(probs, labels, n_bins)
    return float(np.sum(rc.count * np.abs(rc.observed - rc.mean_predicted)) / np.sum(rc.count))


def auc(scores, labels) -> float:
    """Area under the ROC curve (ties count one half); NaN-free, refuses a single-class label set."""
    s = scores_1d("scores", scores)
    y = labels_1d("labels", labels)
    paired(s, y, what="evaluation set")
    n1 = int(y.sum())
    n0 = y.shape[0] - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("labels must contain both classes for the AUC")
    r = stats.rankdata(s)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def weighted_mean(values, weights) -> float:
    """``sum w v / sum w`` (weights non-negative, not all zero)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    w = weights_1d("weights", np.asarray(weights, dtype=np.float64).ravel(), v.shape[0])
    if w.sum() <= 0:
        raise ValueError("weights must not all be zero")
    return float(np.sum(w * v) / w.sum())
