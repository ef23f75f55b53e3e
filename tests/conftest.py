"""Fixtures shared by the test packages.

``venn_abers_peer``: the reference Venn-Abers implementation (the venn-abers package, 1.5) behind one function,
``interval(s, y, t) -> (p0, p1)``, the IVAP interval of test scores ``t`` calibrated on scores ``s`` and labels ``y``.
It is the oracle of tests/csar/test_venn_abers_equivalence.py and the contender of tests/benchmarks/test_bench_csar.py.
"""

import warnings

import numpy as np
import pytest


class VennAbersPeer:
    """The venn-abers package's IVAP, called the way both suites call it."""

    def __init__(self, module):
        self.module = module

    def interval(self, s, y, t):
        """``(p0, p1)`` of the package's ``VennAbers`` fitted on ``(s, y)`` and evaluated at ``t``."""
        s, t = np.asarray(s, dtype=float), np.asarray(t, dtype=float)
        with np.errstate(all="ignore"), warnings.catch_warnings():  # the package divides 0/0 internally
            warnings.simplefilter("ignore", RuntimeWarning)
            va = self.module.VennAbers()
            va.fit(np.c_[1 - s, s], np.asarray(y).astype(int))
            _, p01 = va.predict_proba(np.c_[1 - t, t])
        return p01[:, 0], p01[:, 1]


@pytest.fixture(scope="module")
def venn_abers_peer():
    old = np.geterr()  # importing the package changes numpy's error state
    import venn_abers

    np.seterr(**old)
    yield VennAbersPeer(venn_abers)
    np.seterr(**old)
