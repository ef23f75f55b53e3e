"""The conformal rank at drawn (n, delta) against a brute-force oracle, and the verdict that separates a valid but
conservative calibrator (rank one too high, as MAPIE's float ceil) from an invalid one (rank too low)."""

import math
from fractions import Fraction

import numpy as np
import pytest

from lrtcheck.certify.registry import all_checks
from lrtcheck.certify.runner import run_check
from lrtcheck.claims.csar.conformal import oracle_rank, rank_verdict
from lrtcheck.stats import conformal_rank


class _ShiftedRank:
    """A split-conformal calibrator whose rank is ``rank(n, delta)``: the float ceil of MAPIE, or k - 1."""

    def __init__(self, delta=0.1, rank=None):
        self.delta = delta
        self.rank = rank

    def fit(self, probs, labels):
        a = np.sort(np.abs(np.asarray(labels, float) - np.asarray(probs, float)))
        k = self.rank(a.shape[0], self.delta)
        self.threshold_ = math.inf if k > a.shape[0] else float(a[k - 1])
        return self

    def predict_interval(self, probs):
        p = np.asarray(probs, float)
        return np.clip(p - self.threshold_, 0, 1), np.clip(p + self.threshold_, 0, 1)


def _float_ceil(n, delta):
    return math.ceil((n + 1) * (1 - delta))


def _minus_one(n, delta):
    return max(1, conformal_rank(n, delta) - 1)


@pytest.mark.parametrize("n, delta, k, mapie", [(92, 1 / 3, 62, 63), (35, 1 / 3, 24, 25), (8, 1 / 3, 6, 7)])
def test_oracle_at_the_float_ceil_cases(n, delta, k, mapie):
    assert oracle_rank(n, Fraction(1, 3)) == k == conformal_rank(n, delta)
    assert _float_ceil(n, delta) == mapie


def test_oracle_agrees_with_the_library_rank_on_a_grid():
    for den in range(2, 13):
        for num in range(1, den):
            d = Fraction(num, den)
            for n in range(1, 80):
                k = oracle_rank(n, d)
                assert (conformal_rank(n, d) or n + 1) == k
                assert k - 1 < (n + 1) * (1 - d) <= k


def test_rank_verdicts():
    assert rank_verdict([5, 5], 5) == (True, "exact")
    assert rank_verdict([6, 5], 5)[1].startswith("valid but conservative: rank 6")
    assert rank_verdict([4, 5], 5)[1].startswith("invalid: rank 4")


def _spec(cid):
    return next(s for s in all_checks("quick") if s.check_id == cid)


@pytest.mark.parametrize("rank, verdict", [(_float_ceil, "valid but conservative"), (_minus_one, "invalid")])
def test_exact_coverage_flags_the_subject(rank, verdict):
    res = run_check(_spec("csar.conformal.exact_coverage"), tier="quick",
                    subject=lambda delta: _ShiftedRank(delta, rank))
    assert not res.passed and res.evidence.details["verdict"] == verdict, res.message


def test_reference_passes_both_rank_checks():
    for cid in ("csar.conformal.exact_coverage", "csar.conformal.coverage"):
        res = run_check(_spec(cid), tier="quick")
        assert res.passed, res.message
    rows = res.evidence.details["configurations"]
    assert len({(r["n"], r["delta"]) for r in rows}) == len(rows) == 4
