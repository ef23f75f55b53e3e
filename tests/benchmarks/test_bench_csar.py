"""Benchmarks: our IVAP versus the venn-abers package at n = 100,000 calibration and test points (one run each,
both in the same session), on continuous scores and on scores with ties.  Run with ``--benchmark-only``."""

import numpy as np
import pytest

from lrtcheck.csar import VennAbers

N = 100_000


def _data(ties: bool):
    rng = np.random.default_rng(0)
    s = rng.random(N)
    t = rng.random(N)
    if ties:
        s, t = np.round(s, 3), np.round(t, 3)
    y = (rng.random(N) < s ** 2).astype(int)
    return s, y, t


@pytest.fixture(scope="module")
def peer():
    old = np.geterr()
    import venn_abers

    np.seterr(**old)
    yield venn_abers
    np.seterr(**old)


@pytest.mark.parametrize("ties", [False, True])
def test_bench_ivap_ours(benchmark, ties):
    s, y, t = _data(ties)
    benchmark.group = f"ivap n=100k ties={ties}"
    p0, p1 = benchmark(lambda: VennAbers().fit(s, y).predict_interval(t))
    assert np.all(p0 <= p1)


@pytest.mark.parametrize("ties", [False, True])
def test_bench_ivap_venn_abers_package(benchmark, peer, ties):
    s, y, t = _data(ties)
    benchmark.group = f"ivap n=100k ties={ties}"

    def run():
        with np.errstate(all="ignore"):
            va = peer.VennAbers()
            va.fit(np.c_[1 - s, s], y)
            return va.predict_proba(np.c_[1 - t, t])[1]

    p01 = benchmark.pedantic(run, rounds=3, iterations=1)
    assert p01.shape == (N, 2)
