"""Venn-Abers (IVAP, CVAP) after the speed-up: identical to the previous implementation (kept below, verbatim up
to names, as the oracle) and to the venn-abers package (1.5) on ties, duplicates and test scores outside the
calibration range, on Hypothesis-drawn inputs."""


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize

from lrtcheck.csar import CrossVennAbers, VennAbers, venn_abers_brute_force
from lrtcheck.csar.isotonic import pool_ties
from lrtcheck.csar.venn_abers import _count_below, venn_abers_tables

# ---------------------------------------------------------------------------------------------------------------
# The implementation this one replaced (lrtcheck before the speed-up), the oracle of the bit-identity tests.

def _old_gcm_vertices(slopes: np.ndarray, weights: np.ndarray) -> list:
    """Vertices (point indices 0..m) of the greatest convex minorant of the polyline whose m segments have the
    given slopes and x-lengths: the isotonic regression of the slopes (PAV, ``scipy.optimize.isotonic_regression``)
    is the GCM slope on each segment (Barlow et al. 1972, Theorem 1.1); the vertices are where it changes."""
    fit = optimize.isotonic_regression(slopes, weights=weights, increasing=True).x
    inner = np.flatnonzero(fit[1:] != fit[:-1]) + 1
    return [0] + inner.tolist() + [slopes.shape[0]]


def _old_sweep(X, Y, stack: list, first: int, last: int, step: int, cand, sign: float):
    """Algorithms 2 and 4 of Vovk et al. (2015) with vectorised runs.

    At iteration i (from ``first`` to ``last`` by ``step``) the slope between the stack's two top points is
    recorded; then candidate point ``cand(i)`` replaces the top if it lies strictly below the line through them.
    Most iterations leave the stack unchanged, so the next such event is found by a vectorised scan over a
    window of iterations (doubling windows), and only events run the Graham-scan pops in Python.
    ``sign`` is +1 when the stack grows to the right (Algorithm 2) and -1 when it grows to the left (Algorithm 4).
    """
    n_it = abs(last - first) // abs(step) + 1
    its = first + step * np.arange(n_it)
    cidx = cand(its)
    cx = X[cidx]
    cy = Y[cidx]
    Xl = X.tolist()  # Python floats for the scalar work at events
    Yl = Y.tolist()
    cl = cidx.tolist()
    tops = np.empty(n_it, dtype=np.int64)
    nexts = np.empty(n_it, dtype=np.int64)
    pos = 0
    while pos < n_it:
        t = stack[-1]
        nt = stack[-2]
        xt = Xl[t]
        yt = Yl[t]
        dx = sign * (Xl[nt] - xt)
        dy = sign * (Yl[nt] - yt)
        hit = -1
        w = 32
        lo = pos
        while lo < n_it:
            hi = min(n_it, lo + w)
            # notBelow: (y - yt) * dx >= dy * (x - xt), with the inequality flipped when dx < 0
            below = (cy[lo:hi] - yt) * dx < dy * (cx[lo:hi] - xt)
            k = int(below.argmax())
            if below[k]:
                hit = lo + k
                break
            lo = hi
            w *= 4
        end = n_it if hit < 0 else hit + 1
        tops[pos:end] = t
        nexts[pos:end] = nt
        if hit < 0:
            break
        j = cl[hit]
        xj = Xl[j]
        yj = Yl[j]
        stack.pop()
        while len(stack) > 1:
            t = stack[-1]
            nt = stack[-2]
            if sign * ((Xl[t] - xj) * (Yl[nt] - Yl[t]) - (Yl[t] - yj) * (Xl[nt] - Xl[t])) <= 0:
                stack.pop()
            else:
                break
        stack.append(j)
        pos = hit + 1
    return (Y[nexts] - Y[tops]) / (X[nexts] - X[tops])


def _old_gcm_tables(xs: np.ndarray, ys: np.ndarray, counts: np.ndarray,
                    sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Algorithms 1-4 of Vovk et al. (2015) on the CSD points P_0..P_k; returns (F0, F1).

    F1[i] (i = 1..k) is the isotonic value at a test object with label 1 merged into the i-th distinct score;
    F0[i] (i = 1..k) the value with label 0 merged into the i-th distinct score (F0[0] = 0, F1[0] unused).

    Algorithms 1 and 3 (the GCM of the CSD extended by P_{-1} = (-1, -1), resp. P_{k+1} = P_k + (1, 0)) are
    computed by PAV.  Algorithms 2 and 4 overwrite P_{i-1} by P_{i-2} + P_i - P_{i-1} (resp. P_i by
    P_{i-1} + P_{i+1} - P_i); by induction these are P_i - (1, 1) (resp. P_{i-1} + (1, 0)), so the overwritten points
    are precomputed and the sweeps keep stacks of indices.
    """
    k = counts.shape[0]
    means = sums / counts
    # ---- Algorithms 1-2.  Index 0: P_{-1}; index j+1: P_j (j = 0..k); index k+1+i: P_i - (1, 1) (i = 1..k)
    X = np.concatenate(([-1.0], xs, xs[1:] - 1.0))
    Y = np.concatenate(([-1.0], ys, ys[1:] - 1.0))
    hull = _old_gcm_vertices(np.r_[1.0, means], np.r_[1.0, counts])  # indices 0..k+1, left to right
    f1 = np.zeros(k + 1)
    f1[1:] = _old_sweep(X, Y, hull[::-1], 1, k, 1, lambda i: k + 1 + i, 1.0)
    # ---- Algorithms 3-4.  Index j: P_j (j = 0..k); index k+1: P_k + (1, 0); index k+1+i: P_{i-1} + (1, 0)
    X = np.concatenate((xs, [xs[-1] + 1.0], xs[:-1] + 1.0))
    Y = np.concatenate((ys, [ys[-1]], ys[:-1]))
    hull = _old_gcm_vertices(np.r_[means, 0.0], np.r_[counts, 1.0])  # indices 0..k+1, left to right
    f0 = np.zeros(k + 1)
    f0[1:] = _old_sweep(X, Y, list(hull), k, 1, -1, lambda i: k + 1 + i, -1.0)[::-1]
    return f0, f1


def _old_tables(scores: np.ndarray, labels: np.ndarray):
    """Distinct calibration scores ``c`` and the lookup tables ``F0`` (length k+1) and ``F1`` (length k+2)."""
    c, counts, sums = pool_ties(scores, labels)
    xs = np.r_[0.0, np.cumsum(counts)]
    ys = np.r_[0.0, np.cumsum(sums)]
    f0, f1 = _old_gcm_tables(xs, ys, counts, sums)
    f1 = np.append(f1, 1.0)
    return c, np.clip(f0, 0.0, 1.0), np.clip(f1, 0.0, 1.0)


def _old_lookup(c: np.ndarray, f0: np.ndarray, f1: np.ndarray, s: np.ndarray):
    """p0 = F0[#{c <= s}] (F0[0] = 0 below every score); p1 = F1[#{c < s} + 1] (F1[k+1] = 1 above every score)."""
    pos0 = np.searchsorted(c, s, side="right")
    pos1 = np.searchsorted(c, s, side="left") + 1
    return f0[pos0], f1[pos1]



# ---------------------------------------------------------------------------------------------------------------


@st.composite
def calibration_and_test(draw, max_size=80):
    """Calibration scores and labels, test scores: continuous, on a grid of a few values (heavy ties) or rounded
    to 1-3 decimals; test scores repeat calibration scores, fall between them and outside their range."""
    n = draw(st.integers(1, max_size))
    kind = draw(st.sampled_from(["continuous", "grid", "rounded"]))
    if kind == "continuous":
        s = draw(hnp.arrays(np.float64, n, elements=st.floats(0, 1, allow_nan=False)))
    elif kind == "grid":
        s = draw(hnp.arrays(np.float64, n, elements=st.integers(0, 4).map(lambda v: v / 4)))
    else:
        d = draw(st.integers(1, 3))
        s = np.round(draw(hnp.arrays(np.float64, n, elements=st.floats(0, 1, allow_nan=False))), d)
    y = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    extra = draw(hnp.arrays(np.float64, draw(st.integers(0, 20)), elements=st.floats(-0.5, 1.5, allow_nan=False)))
    picks = draw(st.lists(st.integers(0, n - 1), max_size=10))
    t = np.concatenate((extra, s[picks], [-1.0, 2.0, s.min(), s.max()]))
    t = t[draw(st.permutations(range(t.shape[0])))]
    return s, y, t


@given(calibration_and_test())
def test_identical_to_the_previous_implementation(data):
    s, y, t = data
    c, f0, f1 = venn_abers_tables(s, y)
    c_old, f0_old, f1_old = _old_tables(s, y)
    assert np.array_equal(c, c_old) and np.array_equal(f0, f0_old) and np.array_equal(f1, f1_old)
    p0, p1 = VennAbers().fit(s, y).predict_interval(t)
    q0, q1 = _old_lookup(c_old, f0_old, f1_old, t)
    assert np.array_equal(p0, q0) and np.array_equal(p1, q1)


@given(calibration_and_test())
def test_agrees_with_the_venn_abers_package(venn_abers_peer, data):
    s, y, t = data
    p0, p1 = VennAbers().fit(s, y).predict_interval(t)
    r0, r1 = venn_abers_peer.interval(s, y, t)
    np.testing.assert_allclose(p0, r0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p1, r1, rtol=0, atol=1e-12)


@settings(max_examples=20)
@given(calibration_and_test(max_size=12))
def test_agrees_with_the_definition(data):
    s, y, t = data
    p0, p1 = VennAbers().fit(s, y).predict_interval(t)
    b0, b1 = venn_abers_brute_force(s, y, t)
    np.testing.assert_allclose(p0, b0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p1, b1, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n,decimals", [(20_000, None), (20_000, 3), (20_000, 1)])
def test_large_inputs_identical_to_the_previous_implementation_and_the_package(venn_abers_peer, n, decimals):
    rng = np.random.default_rng(n + (decimals or 0))
    s, t = rng.random(n), rng.uniform(-0.1, 1.1, n)
    y = (rng.random(n) < s ** 2).astype(float)
    if decimals is not None:
        s, t = np.round(s, decimals), np.round(t, decimals)
    p0, p1 = VennAbers().fit(s, y).predict_interval(t)
    q0, q1 = _old_lookup(*_old_tables(s, y), t)
    assert np.array_equal(p0, q0) and np.array_equal(p1, q1)
    m = 2_000  # the package's cost grows with n times its events
    r0, r1 = venn_abers_peer.interval(s[:m], y[:m], t)
    p0, p1 = VennAbers().fit(s[:m], y[:m]).predict_interval(t)
    np.testing.assert_allclose(p0, r0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p1, r1, rtol=0, atol=1e-12)


class _Identity:
    """A scorer whose score is the first column of X (CVAP's model is then the identity)."""

    def fit(self, X, y):
        return self

    def score(self, X):
        return np.asarray(X, dtype=float)[:, 0]


@settings(max_examples=25)
@given(calibration_and_test(), st.integers(2, 4), st.integers(0, 2**32 - 1))
def test_cvap_is_the_fold_ivaps_of_the_package(venn_abers_peer, data, K, seed):
    s, y, t = data
    if s.shape[0] < K:
        return
    cv = CrossVennAbers(_Identity, n_splits=K, seed=seed).fit(s[:, None], y)
    P0, P1 = cv.predict_intervals(t[:, None])
    folds = np.random.default_rng(seed).permutation(s.shape[0]) % K
    for k in range(K):
        r0, r1 = venn_abers_peer.interval(s[folds == k], y[folds == k], t)
        np.testing.assert_allclose(P0[k], r0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(P1[k], r1, rtol=0, atol=1e-12)


@pytest.mark.parametrize("call,match", [
    (lambda: VennAbers().fit([0.1, np.nan], [0, 1]), "scores must not contain NaN"),
    (lambda: VennAbers().fit([0.1, np.inf], [0, 1]), "scores must contain only finite"),
    (lambda: VennAbers().fit([0.1, 0.2], [0, 2]), "labels must contain binary"),
    (lambda: VennAbers().fit([0.1, 0.2], [0, np.nan]), "labels must contain binary"),
    (lambda: VennAbers().fit([0.1, 0.2], [0, 1 + 0j]), "labels must be real"),
    (lambda: VennAbers().fit([0.1, 0.2 + 1j], [0, 1]), "scores must be real"),
    (lambda: VennAbers().fit(["a", "b"], [0, 1]), "scores must be real"),
    (lambda: VennAbers().fit([0.1, 0.2, 0.3], [0, 1]), "same length"),
    (lambda: VennAbers().fit([[0.1, 0.2]], [0]), "scores must be one-dimensional"),
    (lambda: VennAbers().fit([], []), "empty"),
    (lambda: VennAbers().predict_interval([0.5]), "not fitted"),
    (lambda: VennAbers().fit([0.1, 0.2], [0, 1]).predict_interval([np.nan]), "scores must not contain NaN"),
    (lambda: CrossVennAbers(_Identity, n_splits=True).fit(np.zeros((4, 1)), [0, 1, 0, 1]), "n_splits"),
    (lambda: CrossVennAbers(_Identity, n_splits=2).fit(np.zeros((4, 1)), [0, 1, 0]), "same length"),
    (lambda: CrossVennAbers(_Identity, n_splits=2).fit(np.zeros((4, 1)), [0, 1, 0, 3]), "labels must contain"),
])
def test_bad_input_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_one_class_is_meaningful_and_kept():
    """One label only is a valid calibration set: the isotonic fits are then constant at that label, except where
    the test point carries the other one."""
    p0, p1 = VennAbers().fit([0.1, 0.5, 0.9], [0, 0, 0]).predict_interval([0.0, 0.5, 1.0])
    b0, b1 = venn_abers_brute_force([0.1, 0.5, 0.9], [0, 0, 0], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(p0, b0, atol=1e-12)
    np.testing.assert_allclose(p1, b1, atol=1e-12)
    assert np.all(p0 == 0)


@given(hnp.arrays(np.float64, st.integers(0, 30), elements=st.integers(0, 6).map(float)),
       hnp.arrays(np.float64, st.integers(0, 300), elements=st.integers(-1, 7).map(float)),
       st.sampled_from(["left", "right"]))
def test_count_below_is_searchsorted_in_either_direction(a, v, side):
    a, v = np.sort(a), np.sort(v)
    assert np.array_equal(_count_below(a, v, side), np.searchsorted(a, v, side=side))
