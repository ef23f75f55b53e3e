"""Inductive and cross Venn-Abers predictors (Vovk, Petej & Fedorova 2015, "Large-scale probabilistic predictors
with and without guarantees of validity", NeurIPS; arXiv 1511.00213, Algorithms 1-4; reference note
``calibration_and_testing.md`` section 1.1).

IVAP: for a test score s, ``p0 = g0(s)`` and ``p1 = g1(s)`` where ``g_y`` is the isotonic regression fitted to the
calibration set augmented with ``(s, y)``.  The guarantee is that ``p_Y`` (``p1`` if the true label is 1, else
``p0``) is perfectly calibrated, ``E[Y | p_Y] = p_Y``, under exchangeability, and ``p0 <= p1``.  It is **not** a
guarantee that ``P(Y = 1 | x)`` lies in ``[p0, p1]``.

Fast algorithm: one sort of the calibration scores, the cumulative sum diagram (CSD) of the distinct scores, two
greatest-convex-minorant sweeps (Graham-scan stacks, O(k) amortised: Algorithms 1-4) give the lookup tables
``F0`` and ``F1`` over the k+1 insertion positions, and each test point costs one binary search
(``numpy.searchsorted``, vectorised).  The stack sweeps run over distinct calibration scores on plain Python floats
(they are inherently sequential); the per-test-point work is vectorised.

CVAP (same paper, section 4): K folds, one IVAP per fold trained on the other folds; the pairs are merged with the
log-loss rule ``p = GM(p1) / (GM(1 - p0) + GM(p1))``.  CVAP has no formal validity guarantee.
"""

from __future__ import annotations

import numpy as np

from ._inputs import labels_1d, paired, scores_1d
from .isotonic import pool_ties

__all__ = ["VennAbers", "CrossVennAbers", "venn_abers_tables", "venn_abers_brute_force"]


def _gcm_tables(xs: list, ys: list, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Algorithms 1-4 of Vovk et al. (2015) on the CSD points P_0..P_k (lists of floats); returns (F0, F1).

    F1[i] (i = 1..k) is the isotonic value at a test object with label 1 merged into the i-th distinct score;
    F0[i] (i = 1..k) the value with label 0 merged into the i-th distinct score (F0[0] = 0, F1[0] unused).

    Algorithms 2 and 4 overwrite P_{i-1} by P_{i-2} + P_i - P_{i-1} (resp. P_i by P_{i-1} + P_{i+1} - P_i); by
    induction these are P_i - (1, 1) (resp. P_{i-1} + (1, 0)), so the overwritten points are precomputed and the
    sweeps only keep stacks of indices; the slopes F are read off the recorded stack tops, vectorised.
    """
    # points for algorithms 1-2: index 0 is P_{-1} = (-1, -1), index j+1 is P_j; index k+1+i is P_i - (1, 1)
    X = [-1.0] + xs + [x - 1.0 for x in xs[1:]]
    Y = [-1.0] + ys + [y - 1.0 for y in ys[1:]]
    # ---- Algorithm 1: lower hull of P_{-1}, P_0, ..., P_k
    st = [0, 1]
    for i in range(2, k + 2):
        xi = X[i]
        yi = Y[i]
        while len(st) > 1:
            a = st[-2]
            b = st[-1]
            if (X[b] - X[a]) * (yi - Y[b]) - (Y[b] - Y[a]) * (xi - X[b]) <= 0:
                st.pop()
            else:
                break
        st.append(i)
    # ---- Algorithm 2 (reversed stack; the point at list position i becomes P_i - (1,1) at iteration i)
    sp = st[::-1]
    tops = [0] * (k + 1)
    nexts = [0] * (k + 1)
    base = k + 1  # P_i - (1, 1) lives at index base + i (i = 1..k)
    for i in range(1, k + 1):
        t = sp[-1]
        nt = sp[-2]
        tops[i] = t
        nexts[i] = nt
        j = base + i  # the overwritten point: P_{i-1} <- P_i - (1, 1)
        xj = X[j]
        yj = Y[j]
        if (yj - Y[t]) * (X[nt] - X[t]) >= (Y[nt] - Y[t]) * (xj - X[t]):
            continue
        sp.pop()
        while len(sp) > 1:
            t = sp[-1]
            nt = sp[-2]
            if (X[t] - xj) * (Y[nt] - Y[t]) - (Y[t] - yj) * (X[nt] - X[t]) <= 0:
                sp.pop()
            else:
                break
        sp.append(j)
    Xa = np.asarray(X)
    Ya = np.asarray(Y)
    ti = np.asarray(tops[1:])
    ni = np.asarray(nexts[1:])
    f1 = np.zeros(k + 1)
    f1[1:] = (Ya[ni] - Ya[ti]) / (Xa[ni] - Xa[ti])
    # ---- Algorithm 3: upper sweep on P_0..P_k, P_{k+1} = P_k + (1, 0); index k+2+i holds P_{i-1} + (1, 0)
    X = xs + [xs[-1] + 1.0] + [x + 1.0 for x in xs[:-1]]
    Y = ys + [ys[-1]] + ys[:-1]
    st = [k + 1, k]
    for i in range(k - 1, -1, -1):
        xi = X[i]
        yi = Y[i]
        while len(st) > 1:
            a = st[-2]
            b = st[-1]
            if (X[b] - X[a]) * (yi - Y[b]) - (Y[b] - Y[a]) * (xi - X[b]) >= 0:
                st.pop()
            else:
                break
        st.append(i)
    # ---- Algorithm 4
    sp = st[::-1]
    base = k + 1  # P_{i-1} + (1, 0) lives at index base + i for i = 1..k
    for i in range(k, 0, -1):
        t = sp[-1]
        nt = sp[-2]
        tops[i] = t
        nexts[i] = nt
        j = base + i
        xj = X[j]
        yj = Y[j]
        # notBelow, multiplied through by X[nt] - X[t] < 0 (the reversed stack's top is the rightmost point)
        if (yj - Y[t]) * (X[nt] - X[t]) <= (Y[nt] - Y[t]) * (xj - X[t]):
            continue
        sp.pop()
        while len(sp) > 1:
            t = sp[-1]
            nt = sp[-2]
            if (X[t] - xj) * (Y[nt] - Y[t]) - (Y[t] - yj) * (X[nt] - X[t]) >= 0:
                sp.pop()
            else:
                break
        sp.append(j)
    Xa = np.asarray(X)
    Ya = np.asarray(Y)
    ti = np.asarray(tops[1:])
    ni = np.asarray(nexts[1:])
    f0 = np.zeros(k + 1)
    f0[1:] = (Ya[ni] - Ya[ti]) / (Xa[ni] - Xa[ti])
    return f0, f1


def venn_abers_tables(scores: np.ndarray, labels: np.ndarray):
    """Distinct calibration scores ``c`` and the lookup tables ``F0`` (length k+1) and ``F1`` (length k+2)."""
    c, counts, sums = pool_ties(scores, labels)
    xs = np.cumsum(counts)
    ys = np.cumsum(sums)
    k = c.shape[0]
    f0, f1 = _gcm_tables([0.0] + xs.tolist(), [0.0] + ys.tolist(), k)
    f1 = np.append(f1, 1.0)
    return c, np.clip(f0, 0.0, 1.0), np.clip(f1, 0.0, 1.0)


def _lookup(c: np.ndarray, f0: np.ndarray, f1: np.ndarray, s: np.ndarray):
    """p0 = F0[#{c <= s}] (F0[0] = 0 below every score); p1 = F1[#{c < s} + 1] (F1[k+1] = 1 above every score)."""
    pos0 = np.searchsorted(c, s, side="right")
    pos1 = np.searchsorted(c, s, side="left") + 1
    return f0[pos0], f1[pos1]


def venn_abers_brute_force(scores, labels, test_scores):
    """By-definition IVAP (isotonic refit on the augmented set per test point and label): the exact oracle.

    O(n) per test point; for tests and checks only (ptocca's ``VennABERS_by_def``).
    """
    from scipy import optimize

    s = scores_1d("scores", scores)
    y = labels_1d("labels", labels)
    t = scores_1d("test_scores", test_scores)
    out = np.empty((2, t.shape[0]))
    for j, st in enumerate(t):
        for lab in (0, 1):
            xs, counts, sums = pool_ties(np.r_[s, st], np.r_[y, lab])
            fit = optimize.isotonic_regression(sums / counts, weights=counts).x
            out[lab, j] = fit[np.searchsorted(xs, st)]
    return out[0], out[1]


class VennAbers:
    """Inductive Venn-Abers predictor on pre-computed scores (IVAP, fast algorithm).

    Attributes (after ``fit``)
    --------------------------
    thresholds_ : distinct calibration scores; ``f0_``, ``f1_`` : the lookup tables; ``n_`` : calibration size.
    """

    def fit(self, scores, labels):
        s = scores_1d("scores", scores)
        y = labels_1d("labels", labels)
        paired(s, y)
        self.thresholds_, self.f0_, self.f1_ = venn_abers_tables(s, y)
        self.n_ = int(s.shape[0])
        return self

    def predict_interval(self, scores) -> tuple[np.ndarray, np.ndarray]:
        """``(p0, p1)`` per test score, ``p0 <= p1``."""
        if not hasattr(self, "f0_"):
            raise ValueError("this VennAbers is not fitted yet; call fit(scores, labels) first")
        s = scores_1d("scores", scores)
        return _lookup(self.thresholds_, self.f0_, self.f1_, s)

    def predict_proba(self, scores, *, loss: str = "log") -> np.ndarray:
        """Merged point probability: ``p1 / (1 - p0 + p1)`` (log loss) or ``p1 + (p0^2 - p1^2)/2`` (Brier).

        The merged probability does not inherit the IVAP calibration guarantee.
        """
        p0, p1 = self.predict_interval(scores)
        return merge(p0[None], p1[None], loss=loss)


def merge(p0: np.ndarray, p1: np.ndarray, *, loss: str = "log") -> np.ndarray:
    """Merge ``(p0, p1)`` pairs along axis 0 (one row per IVAP) into a probability (Vovk et al. 2015, eq. (10))."""
    if loss == "log":
        gm1 = np.exp(np.mean(np.log(np.maximum(p1, 1e-300)), axis=0))
        gm0 = np.exp(np.mean(np.log(np.maximum(1.0 - p0, 1e-300)), axis=0))
        return gm1 / (gm0 + gm1)
    if loss == "brier":
        return np.mean(p1, axis=0) + np.mean(p0**2, axis=0) / 2 - np.mean(p1**2, axis=0) / 2
    raise ValueError(f"loss must be 'log' or 'brier', got {loss!r}")


class CrossVennAbers:
    """Cross Venn-Abers predictor (CVAP) around a scoring model.

    Parameters
    ----------
    make_scorer : callable returning an object with ``fit(X, y)`` and ``score(X) -> 1-D scores`` (higher = class 1).
    n_splits : number of folds K >= 2.
    seed : seed of the fold assignment.

    Attributes (after ``fit``)
    --------------------------
    scorers_ : the K fitted scorers; ``ivaps_`` : the K fitted IVAPs.
    """

    def __init__(self, make_scorer, *, n_splits: int = 5, seed=0):
        self.make_scorer = make_scorer
        self.n_splits = n_splits
        self.seed = seed

    def fit(self, X, labels):
        y = labels_1d("labels", labels)
        X = np.asarray(X)
        if X.shape[0] != y.shape[0]:
            raise ValueError("X and labels must have the same length")
        if not isinstance(self.n_splits, (int, np.integer)) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2, got {self.n_splits!r}")
        if y.shape[0] < self.n_splits:
            raise ValueError(f"need at least n_splits={self.n_splits} points, got {y.shape[0]}")
        rng = np.random.default_rng(self.seed)
        folds = rng.permutation(y.shape[0]) % self.n_splits
        self.scorers_, self.ivaps_ = [], []
        for k in range(self.n_splits):
            tr, cal = folds != k, folds == k
            sc = self.make_scorer().fit(X[tr], y[tr])
            self.scorers_.append(sc)
            self.ivaps_.append(VennAbers().fit(sc.score(X[cal]), y[cal]))
        return self

    def predict_intervals(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The K pairs, shape (K, n) each."""
        pairs = [iv.predict_interval(sc.score(X)) for sc, iv in zip(self.scorers_, self.ivaps_)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    def predict_interval(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Envelope of the K intervals: ``(min_k p0, max_k p1)``."""
        p0, p1 = self.predict_intervals(X)
        return p0.min(axis=0), p1.max(axis=0)

    def predict_proba(self, X, *, loss: str = "log") -> np.ndarray:
        p0, p1 = self.predict_intervals(X)
        return merge(p0, p1, loss=loss)
