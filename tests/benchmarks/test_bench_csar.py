"""Benchmarks: our IVAP and CVAP against the venn-abers package and against ``np.sort`` of the same scores, side by
side in one run, n = 1e4, 1e5, 1e6 calibration and test points, continuous scores and heavy ties (3 decimals).

Run with ``pytest tests/benchmarks/test_bench_csar.py --benchmark-only`` (add ``-k "not 1000000"`` to skip n = 1e6,
where the package alone takes minutes with continuous scores).  pytest-benchmark times ours; the three contenders are
also timed interleaved (best of the same number of rounds each) and ``extra_info`` holds their seconds and the
ratios ``speedup_vs_peer`` (package / ours) and ``times_np_sort`` (ours / np.sort).  No timed assertion: speed is
measured, not asserted.
"""

import time

import numpy as np
import pytest

from lrtcheck.csar import CrossVennAbers, VennAbers
from lrtcheck.csar.venn_abers import merge

SIZES = [10_000, 100_000, 1_000_000]
K = 5  # CVAP folds


def _data(n: int, ties: bool):
    rng = np.random.default_rng(0)
    s = rng.random(n)
    t = rng.random(n)
    if ties:
        s, t = np.round(s, 3), np.round(t, 3)
    y = (rng.random(n) < s ** 2).astype(int)
    return s, y, t


def _side_by_side(benchmark, contenders: dict, rounds: int) -> dict:
    """Best-of-``rounds`` seconds of each contender, the rounds interleaved, into ``benchmark.extra_info``."""
    best = dict.fromkeys(contenders, np.inf)
    for _ in range(rounds):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    for name, sec in best.items():
        benchmark.extra_info[f"{name}_s"] = sec
    benchmark.extra_info["speedup_vs_peer"] = best["peer"] / best["ours"]
    benchmark.extra_info["times_np_sort"] = best["ours"] / best["np_sort"]
    return best


def _rounds(n: int, ties: bool) -> int:
    return 1 if (n >= 1_000_000 and not ties) else (3 if n >= 1_000_000 else 7)


@pytest.mark.parametrize("ties", [False, True], ids=["continuous", "ties3"])
@pytest.mark.parametrize("n", SIZES)
def test_bench_ivap(benchmark, venn_abers_peer, n, ties):
    """IVAP fit on n calibration scores and predict_interval on n test scores."""
    s, y, t = _data(n, ties)
    benchmark.group = f"ivap n={n} {'ties' if ties else 'continuous'}"
    ours = lambda: VennAbers().fit(s, y).predict_interval(t)  # noqa: E731
    p0, p1 = ours()
    if n <= 100_000:
        r = np.c_[venn_abers_peer.interval(s, y, t)]
        np.testing.assert_allclose(np.c_[p0, p1], r, rtol=0, atol=1e-12)
    _side_by_side(benchmark, {"ours": ours, "peer": lambda: np.c_[venn_abers_peer.interval(s, y, t)],
                              "np_sort": lambda: np.sort(s)}, _rounds(n, ties))
    benchmark.pedantic(ours, rounds=_rounds(n, ties), iterations=1)


class _Identity:
    """CVAP around a scorer that is the identity on one column: what is timed is the calibration."""

    def fit(self, X, y):
        return self

    def score(self, X):
        return X[:, 0]


@pytest.mark.parametrize("ties", [False, True], ids=["continuous", "ties3"])
@pytest.mark.parametrize("n", SIZES)
def test_bench_cvap(benchmark, venn_abers_peer, n, ties):
    """CVAP (K = 5) fit on n points and the log-loss merged predict_proba on n test points; the package's side is
    its IVAP on each of our folds followed by the same merge."""
    s, y, t = _data(n, ties)
    benchmark.group = f"cvap K={K} n={n} {'ties' if ties else 'continuous'}"
    X, T = s[:, None], t[:, None]
    folds = np.random.default_rng(0).permutation(n) % K

    def ours():
        return CrossVennAbers(_Identity, n_splits=K, seed=0).fit(X, y).predict_proba(T)

    def theirs():
        pairs = [venn_abers_peer.interval(s[folds == k], y[folds == k], t) for k in range(K)]
        return merge(np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs]))

    p = ours()
    if n <= 100_000:
        np.testing.assert_allclose(p, theirs(), rtol=0, atol=1e-12)
    _side_by_side(benchmark, {"ours": ours, "peer": theirs, "np_sort": lambda: np.sort(s)}, _rounds(n, ties))
    benchmark.pedantic(ours, rounds=_rounds(n, ties), iterations=1)
