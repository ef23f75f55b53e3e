"""Inductive and cross Venn-Abers predictors (Vovk, Petej & Fedorova 2015, "Large-scale probabilistic predictors
with and without guarantees of validity", NeurIPS; arXiv 1511.00213, Algorithms 1-4;
docs/methods/csar.md §3).

IVAP: for a test score s, ``p0 = g0(s)`` and ``p1 = g1(s)`` where ``g_y`` is the isotonic regression fitted to the
calibration set augmented with ``(s, y)``.  The guarantee is that ``p_Y`` (``p1`` if the true label is 1, else
``p0``) is perfectly calibrated, ``E[Y | p_Y] = p_Y``, under exchangeability, and ``p0 <= p1``.  It is **not** a
guarantee that ``P(Y = 1 | x)`` lies in ``[p0, p1]``.

Fast algorithm: two value sorts of the calibration scores (all of them, and those with label 1) give the cumulative
sum diagram (CSD) of the distinct scores by counting (no permutation, so the order of tied points never enters);
two greatest-convex-minorant sweeps (Graham-scan stacks, O(k) amortised: Algorithms 1-4) give the lookup tables
``F0`` and ``F1`` over the k+1 insertion positions; and the test scores are sorted once, located by one search of
two sorted arrays (the right-hand position follows from an equality test, the distinct scores being strictly
increasing) and sent back to their order as one integer code.  The tables are piecewise constant (a few thousand
runs at k = 1e5), and the sweeps do Python work only where a run ends: the next end is looked for among the next
eight candidates one by one, then in vectorised windows of growing length; the tables are filled from the runs by
``numpy.repeat``.

CVAP (same paper, section 4): K folds, one IVAP per fold trained on the other folds; the pairs are merged with the
log-loss rule ``p = GM(p1) / (GM(1 - p0) + GM(p1))``.  CVAP has no formal validity guarantee.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from lrtcheck.stats.validation import check_int

from ._inputs import as_array, finite_array, labels_1d, paired, scores_1d
from .isotonic import pool_ties

__all__ = ["VennAbers", "CrossVennAbers", "venn_abers_tables", "venn_abers_brute_force"]


def _strict(name: str, value, check):
    """Refuse what ``check`` would silently cast (complex, strings, objects, None, ragged), then apply ``check``."""
    arr = as_array(name, value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be real numbers, got dtype {arr.dtype}")
    return check(name, arr)


def _pool(scores: np.ndarray, labels: np.ndarray):
    """Distinct sorted scores ``c`` and the CSD ``(xs, ys)``: ``xs[j]``, ``ys[j]`` = number of calibration points
    and of label-1 points with a score ``<= c[j-1]`` (``xs[0] = ys[0] = 0``).

    Two value sorts and no permutation: ``np.sort`` of all the scores gives ``c`` and the counts, ``np.sort`` of the
    label-1 scores gives the label sums by counting (``searchsorted``), so the tie order never matters."""
    n = scores.shape[0]
    s = np.sort(scores)
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    c = s[starts]
    xs = np.empty(starts.shape[0] + 1)
    xs[0] = 0.0
    xs[1:-1] = starts[1:]
    xs[-1] = n
    ones = np.sort(scores[labels == 1.0])
    ys = np.empty(starts.shape[0] + 1)
    ys[0] = 0.0
    ys[1:] = _count_below(ones, c, "right")
    return c, xs, ys


def _count_below(a: np.ndarray, v: np.ndarray, side: str) -> np.ndarray:
    """``np.searchsorted(a, v, side)`` for sorted ``a`` and sorted ``v``, searching with the shorter array: for
    ``len(a) < len(v)``, ``#{a_j < v_p}`` (side 'left') is the number of j with ``#{v <= a_j} <= p``, a cumulative
    count of ``r = searchsorted(v, a, 'right')`` (and 'left'/'right' swap for side 'right'): value i repeated
    ``r_i - r_{i-1}`` times."""
    if 8 * a.shape[0] >= v.shape[0]:
        return np.searchsorted(a, v, side=side)
    r = np.searchsorted(v, a, side="right" if side == "left" else "left")
    return np.repeat(np.arange(a.shape[0] + 1), np.diff(r, prepend=0, append=v.shape[0]))


def _gcm_vertices(slopes: np.ndarray, weights: np.ndarray) -> list:
    """Vertices (point indices 0..m) of the greatest convex minorant of the polyline whose m segments have the
    given slopes and x-lengths: the isotonic regression of the slopes (PAV, ``scipy.optimize.isotonic_regression``)
    is the GCM slope on each segment (Barlow et al. 1972, Theorem 1.1); the vertices are where it changes."""
    fit = optimize.isotonic_regression(slopes, weights=weights, increasing=True).x
    inner = np.flatnonzero(fit[1:] != fit[:-1]) + 1
    return [0] + inner.tolist() + [slopes.shape[0]]


def _sweep(X, Y, stack: list, first: int, n_it: int, step: int, sign: float) -> np.ndarray:
    """Algorithms 2 and 4 of Vovk et al. (2015), Python work only at events.

    Iteration i runs from ``first`` by ``step`` (``n_it`` iterations); its candidate point is stored at index
    ``k + 1 + i`` of ``X``/``Y``.  At iteration i the slope between the stack's two top points is recorded; then the
    candidate replaces the top (and the Graham scan pops what it hides) if it lies strictly below the line through
    them.  Between two such events the recorded slope is constant, so only events run Python: the next one is
    looked for among the next eight candidates one by one, then in vectorised windows of growing length.
    ``sign`` is +1 when the stack grows to the right (Algorithm 2) and -1 when it grows to the left (Algorithm 4).
    """
    its = first + step * np.arange(n_it)
    cidx = its + (X.shape[0] - n_it - 1)  # candidate i is stored at index k + 1 + i
    cx = X[cidx]
    cy = Y[cidx]
    Xi = X.item
    Yi = Y.item
    cxi = cx.item
    cyi = cy.item
    starts = [0]  # iteration where each run of one (top, next) pair starts
    run_t = []
    run_n = []
    pos = 0
    t = stack[-1]
    nt = stack[-2]
    while True:
        run_t.append(t)
        run_n.append(nt)
        xt = Xi(t)
        yt = Yi(t)
        dx = sign * (Xi(nt) - xt)
        dy = sign * (Yi(nt) - yt)
        hit = -1
        lo = pos + 8 if pos + 8 < n_it else n_it
        for q in range(pos, lo):  # events come in runs: the next few candidates are tested one by one
            if (cyi(q) - yt) * dx < dy * (cxi(q) - xt):
                hit = q
                break
        w = 64
        while hit < 0 and lo < n_it:
            hi = min(n_it, lo + w)
            below = (cy[lo:hi] - yt) * dx < dy * (cx[lo:hi] - xt)
            k = int(below.argmax())
            if below[k]:
                hit = lo + k
                break
            lo = hi
            w *= 4
        if hit < 0 or hit + 1 >= n_it:
            break
        xj = cxi(hit)
        yj = cyi(hit)
        stack.pop()
        t = stack[-1]
        while len(stack) > 1:
            nt = stack[-2]
            xt = Xi(t)
            yt = Yi(t)
            if sign * ((xt - xj) * (Yi(nt) - yt) - (yt - yj) * (Xi(nt) - xt)) <= 0:
                stack.pop()
                t = nt
            else:
                break
        nt = t
        t = int(cidx[hit])
        stack.append(t)
        pos = hit + 1
        starts.append(pos)
    tops = np.array(run_t, dtype=np.int64)
    nexts = np.array(run_n, dtype=np.int64)
    return np.repeat((Y[nexts] - Y[tops]) / (X[nexts] - X[tops]), np.diff(np.append(starts, n_it)))


def _gcm_tables(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Algorithms 1-4 of Vovk et al. (2015) on the CSD points P_0..P_k = (xs, ys); returns (F0, F1).

    F1[i] (i = 1..k) is the isotonic value at a test object with label 1 merged into the i-th distinct score;
    F0[i] (i = 1..k) the value with label 0 merged into the i-th distinct score (F0[0] = 0; F1[0] unused,
    F1[k+1] = 1 above every score).

    Algorithms 1 and 3 (the GCM of the CSD extended by P_{-1} = (-1, -1), resp. P_{k+1} = P_k + (1, 0)) are
    computed by PAV.  Algorithms 2 and 4 overwrite P_{i-1} by P_{i-2} + P_i - P_{i-1} (resp. P_i by
    P_{i-1} + P_{i+1} - P_i); by induction these are P_i - (1, 1) (resp. P_{i-1} + (1, 0)), so the overwritten points
    are precomputed and the sweeps keep stacks of indices.
    """
    k = xs.shape[0] - 1
    counts = np.diff(xs)
    means = np.diff(ys) / counts
    # ---- Algorithms 1-2.  Index 0: P_{-1}; index j+1: P_j (j = 0..k); index k+1+i: P_i - (1, 1) (i = 1..k)
    X = np.concatenate(([-1.0], xs, xs[1:] - 1.0))
    Y = np.concatenate(([-1.0], ys, ys[1:] - 1.0))
    hull = _gcm_vertices(np.r_[1.0, means], np.r_[1.0, counts])  # indices 0..k+1, left to right
    f1 = np.zeros(k + 2)
    f1[1:-1] = _sweep(X, Y, hull[::-1], 1, k, 1, 1.0)
    f1[-1] = 1.0
    # ---- Algorithms 3-4.  Index j: P_j (j = 0..k); index k+1: P_k + (1, 0); index k+1+i: P_{i-1} + (1, 0)
    X = np.concatenate((xs, [xs[-1] + 1.0], xs[:-1] + 1.0))
    Y = np.concatenate((ys, [ys[-1]], ys[:-1]))
    hull = _gcm_vertices(np.r_[means, 0.0], np.r_[counts, 1.0])  # indices 0..k+1, left to right
    f0 = np.zeros(k + 1)
    f0[1:] = _sweep(X, Y, list(hull), k, k, -1, -1.0)[::-1]
    return f0, f1


def venn_abers_tables(scores: np.ndarray, labels: np.ndarray):
    """Distinct calibration scores ``c`` and the lookup tables ``F0`` (length k+1) and ``F1`` (length k+2)."""
    c, xs, ys = _pool(scores, labels)
    f0, f1 = _gcm_tables(xs, ys)
    return c, np.clip(f0, 0.0, 1.0), np.clip(f1, 0.0, 1.0)


def _lookup(c: np.ndarray, f0: np.ndarray, f1: np.ndarray, t: np.ndarray):
    """p0 = F0[#{c <= t}] (F0[0] = 0 below every score); p1 = F1[#{c < t} + 1] (F1[k+1] = 1 above every score).

    The test scores are sorted once; ``#{c < t}`` comes from one search of sorted arrays (``_count_below``), and
    ``#{c <= t}`` adds one where ``t`` equals the next distinct score; both go back to the test order as one code
    ``2 #{c < t} + [t in c]``, which indexes the two tables laid out by code."""
    order = None if np.all(t[1:] >= t[:-1]) else np.argsort(t)
    s = t if order is None else t[order]
    k = c.shape[0]
    if 8 * k >= s.shape[0]:
        pos1 = np.searchsorted(c, s, side="left") + 1
        lt = pos1 - 1
        code = 2 * lt + (c[np.minimum(lt, k - 1)] == s)  # 2 #{c < s} + [s is a calibration score]
    else:  # few distinct calibration scores: both counts cost two short searches
        code = _count_below(c, s, "left") + _count_below(c, s, "right")
    if order is not None:
        back = np.empty(t.shape[0], dtype=np.int64)
        back[order] = code
        code = back
    # tables indexed by the code: p0 = F0[#{c < s} + equal] (at most k), p1 = F1[#{c < s} + 1]
    j = np.arange(2 * k + 2) >> 1
    t0 = f0[np.minimum(j + (np.arange(2 * k + 2) & 1), k)]
    t1 = f1[np.minimum(j + 1, k + 1)]
    return t0[code], t1[code]


def venn_abers_brute_force(scores, labels, test_scores):
    """By-definition IVAP (isotonic refit on the augmented set per test point and label): the exact oracle.

    O(n) per test point; for tests and checks only (ptocca's ``VennABERS_by_def``).
    """
    s = scores_1d("scores", scores)
    y = labels_1d("labels", labels)
    t = scores_1d("test_scores", test_scores)
    paired(s, y)
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
        s = _strict("scores", scores, scores_1d)
        y = _strict("labels", labels, labels_1d)
        paired(s, y)
        self.thresholds_, self.f0_, self.f1_ = venn_abers_tables(s, y)
        self.n_ = int(s.shape[0])
        return self

    def predict_interval(self, scores) -> tuple[np.ndarray, np.ndarray]:
        """``(p0, p1)`` per test score, ``p0 <= p1``."""
        if not hasattr(self, "f0_"):
            raise ValueError("this VennAbers is not fitted yet; call fit(scores, labels) first")
        s = _strict("scores", scores, scores_1d)
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
        self._check_params()

    def _check_params(self) -> None:
        if not callable(self.make_scorer):
            raise ValueError(f"make_scorer must be callable (a factory of scorers), got {self.make_scorer!r}")
        check_int("n_splits", self.n_splits, minimum=2)
        if not isinstance(self.seed, (np.random.SeedSequence, np.random.Generator)):
            check_int("seed", self.seed, minimum=0)  # 1.9 or True refused, never truncated

    def _features(self, X, *, fitted: bool) -> np.ndarray:
        """``X`` as an array, checked real and finite with at least one axis (and, after fit, the feature shape of
        fit); returned in its own dtype (the scorer sees what it was given)."""
        arr = as_array("X", X)
        finite_array("X", arr)
        if arr.ndim == 0:
            raise ValueError("X must have at least one dimension (one row per point)")
        if fitted and arr.shape[1:] != self.feature_shape_:
            raise ValueError(f"X must have rows of shape {self.feature_shape_} (as in fit), got shape {arr.shape}")
        return arr

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_shape_"):
            raise ValueError("this CrossVennAbers is not fitted yet; call fit(X, labels) first")

    def fit(self, X, labels):
        self._check_params()
        y = _strict("labels", labels, labels_1d)
        X = self._features(X, fitted=False)
        if X.shape[0] != y.shape[0]:
            raise ValueError("X and labels must have the same length")
        if y.shape[0] < self.n_splits:
            raise ValueError(f"need at least n_splits={self.n_splits} points, got {y.shape[0]}")
        rng = np.random.default_rng(self.seed)
        folds = rng.permutation(y.shape[0]) % self.n_splits
        self.scorers_, self.ivaps_ = [], []
        for k in range(self.n_splits):
            tr, cal = np.flatnonzero(folds != k), np.flatnonzero(folds == k)  # np.take of indices: no mask copy
            sc = self.make_scorer().fit(np.take(X, tr, axis=0), np.take(y, tr))
            self.scorers_.append(sc)
            self.ivaps_.append(VennAbers().fit(sc.score(np.take(X, cal, axis=0)), np.take(y, cal)))
        self.feature_shape_ = X.shape[1:]
        return self

    def predict_intervals(self, X) -> tuple[np.ndarray, np.ndarray]:
        """The K pairs, shape (K, n) each."""
        self._check_fitted()
        X = self._features(X, fitted=True)
        pairs = [iv.predict_interval(sc.score(X)) for sc, iv in zip(self.scorers_, self.ivaps_)]
        return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])

    def predict_interval(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Envelope of the K intervals: ``(min_k p0, max_k p1)``."""
        p0, p1 = self.predict_intervals(X)
        return p0.min(axis=0), p1.max(axis=0)

    def predict_proba(self, X, *, loss: str = "log") -> np.ndarray:
        p0, p1 = self.predict_intervals(X)
        return merge(p0, p1, loss=loss)
