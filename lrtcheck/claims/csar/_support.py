"""What several C-SAR topic modules share: a fresh copy of a check's subject, and the reliability table of a
calibrated probability (no claims, checks or mutants here).

C-SAR's calibrators are check subjects (``csar.conformal``, ``csar.weighted_conformal``, ``csar.venn_abers``,
``csar.cells``; :mod:`lrtcheck.certify.subjects`): a user's implementation with the same ``fit`` /
``predict_interval`` protocol is certified in place of ours, so a check fits a fresh copy of the subject for every
calibration set.
"""

from __future__ import annotations

import copy

import numpy as np

__all__ = ["fresh_subject", "reliability_bins"]


def fresh_subject(subject, **params):
    """A fresh, unfitted subject: a class (or factory) is called with ``params``; an instance is deep-copied and
    given the params as attributes (scikit-learn ``clone``-style), so users may pass either."""
    if isinstance(subject, type) or (callable(subject) and not hasattr(subject, "fit")):
        return subject(**params)
    obj = copy.deepcopy(subject)
    for k, v in params.items():
        setattr(obj, k, v)
    return obj


def reliability_bins(pred, target, weight, bins=10) -> dict:
    """The reliability table of the report: weighted bin means of predicted probabilities and of their targets
    (exact probabilities or exact conditional frequencies) over ``bins`` equal-width bins of ``pred``; empty bins
    left out (Guo et al. 2017, section 2, reliability diagrams)."""
    pred, target, weight = (np.asarray(v, dtype=float).ravel() for v in (pred, target, weight))
    idx = np.clip((pred * bins).astype(int), 0, bins - 1)
    m = np.bincount(idx, weights=weight, minlength=bins)
    keep = m > 0
    return {"predicted": (np.bincount(idx, weights=weight * pred, minlength=bins)[keep] / m[keep]).tolist(),
            "true": (np.bincount(idx, weights=weight * target, minlength=bins)[keep] / m[keep]).tolist(),
            "weight": (m[keep] / m.sum()).tolist()}
