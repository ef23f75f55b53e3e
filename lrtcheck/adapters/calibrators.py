"""Calibrators of other libraries as ``csar.venn_abers`` / ``csar.conformal`` subjects.

What lrtcheck's laws assume: the scores are probabilities ``u(x)`` in [0, 1] of the positive class; labels are 0/1;
for ``csar.conformal`` the non-conformity score is the label residual ``|y - u(x)|`` and ``threshold_`` is the
``ceil((n+1)(1-delta))``-th smallest residual (``+inf`` when that rank exceeds n), so the interval is
``[u - threshold_, u + threshold_]``.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["ProbaVennAbers", "RegressorConformal"]


def _two_columns(scores) -> np.ndarray:
    s = np.asarray(scores, dtype=float).reshape(-1)
    return np.column_stack([1.0 - s, s])


class ProbaVennAbers:
    """A scikit-learn-style inductive Venn-Abers calibrator as a ``csar.venn_abers`` subject.

    ``make()`` returns a fresh, unfitted calibrator with ``fit(p_cal, y_cal)``, ``p_cal`` of shape (n, 2) (the
    two class probabilities, the positive class in column 1) and ``predict_proba(p_test) -> (p_prime, p0_p1)``
    with ``p0_p1`` of shape (n, 2) holding the Venn-Abers pair ``(p0, p1)`` (Vovk, Petej & Fedorova 2015,
    arXiv 1511.00213, section 4).  For example ``ProbaVennAbers(venn_abers.VennAbers)`` or
    ``ProbaVennAbers(mapie._venn_abers.VennAbers)``.
    """

    lrtcheck_subject_kind = "csar.venn_abers"

    def __init__(self, make: Callable[[], Any], name: str | None = None):
        self.make = make
        self.name = name or f"{getattr(make, '__module__', '?')}.{getattr(make, '__qualname__', make)}"

    def fit(self, scores, labels) -> "ProbaVennAbers":
        self.calibrator_ = self.make()
        self.calibrator_.fit(_two_columns(scores), np.asarray(labels, dtype=float).reshape(-1).astype(int))
        return self

    def predict_interval(self, scores):
        _, p0p1 = self.calibrator_.predict_proba(_two_columns(scores))
        p0p1 = np.asarray(p0p1, dtype=float)
        return p0p1[:, 0], p0p1[:, 1]

    def __repr__(self) -> str:
        return f"ProbaVennAbers({self.name})"


class _Identity:
    """The prefit estimator that predicts its single feature: the score u(x) itself (scikit-learn protocol)."""

    def __init__(self):
        self.n_features_in_ = 1
        self.fitted_ = True

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0]

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def __sklearn_is_fitted__(self):
        return True


class RegressorConformal:
    """A split-conformal regressor conformalized on the scores, as a ``csar.conformal`` subject.

    ``make(estimator, confidence_level)`` returns a conformal regressor over a prefit ``estimator`` with
    ``conformalize(X, y)`` and ``predict_interval(X) -> (y_pred, intervals)``, ``intervals`` of shape (n, 2, 1):
    MAPIE's ``SplitConformalRegressor(estimator, confidence_level=..., prefit=True)`` with its default absolute
    residual score.  The estimator is the identity on the score, so the residual is ``|y - u(x)|`` and the
    interval's half-width is the conformal quantile, read back as ``threshold_``.
    """

    lrtcheck_subject_kind = "csar.conformal"

    def __init__(self, make: Callable[..., Any], delta: float = 0.1, name: str | None = None):
        self.make, self.delta = make, delta
        self.name = name or f"{getattr(make, '__module__', '?')}.{getattr(make, '__qualname__', make)}"

    def fit(self, scores, labels) -> "RegressorConformal":
        u = np.asarray(scores, dtype=float).reshape(-1, 1)
        y = np.asarray(labels, dtype=float).reshape(-1)
        self.regressor_ = self.make(_Identity(), confidence_level=1.0 - float(self.delta))
        self.regressor_.conformalize(u, y)
        _, iv = self.regressor_.predict_interval(np.array([[0.0]]))  # at u = 0 the upper end is the quantile, exactly
        self.threshold_ = float(np.asarray(iv, dtype=float).reshape(-1)[1])
        return self

    def predict_interval(self, scores):
        u = np.asarray(scores, dtype=float).reshape(-1)
        return u - self.threshold_, u + self.threshold_

    def __repr__(self) -> str:
        return f"RegressorConformal({self.name}, delta={self.delta})"
