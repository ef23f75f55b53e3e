"""``stats.conformal.coverage``: the reference law is independent of ``conformal_rank``, and its Monte Carlo parts
(not only the exact rank bracket) reject the rank off by one (k+1)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

import lrtcheck.stats.conformal as sc
from lrtcheck.certify.configurations import Configuration
from lrtcheck.certify.mutation import catalogue, patched
from lrtcheck.claims.stats import conformal as topic


def _cfg(n, alpha, share=1e-4, index=0):
    return Configuration("conformal", index, 1, {"n": n, "alpha": alpha}, share,
                         lambda name: np.random.SeedSequence(12345, spawn_key=(len(name), index)))


@given(n=hs.integers(1, 10**5), num=hs.integers(1, 10**4), den=hs.integers(2, 10**4))
def test_reference_rank_is_the_brute_force_rank(n, num, den):
    alpha = Fraction(min(num, den - 1), den)
    target = (n + 1) * (1 - alpha)
    brute = math.floor(target)
    while Fraction(brute) < target:
        brute += 1
    assert topic.reference_rank(n, alpha) == brute


def test_reference_rank_never_calls_conformal_rank(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the oracle called the code under test")
    monkeypatch.setattr(sc, "conformal_rank", boom)
    monkeypatch.setattr(topic, "conformal_rank", boom)
    assert topic.reference_rank(92, Fraction(1, 3)) == 62


@given(n=hs.integers(1, 5000), num=hs.integers(1, 999), den=hs.integers(2, 1000))
def test_integer_rank_formula_is_exact(n, num, den):
    """``conformal_rank``'s integer formula against the Fraction ceiling, for the rational and for its float."""
    a = Fraction(min(num, den - 1), den)
    k = math.ceil((n + 1) * (1 - a))
    expect = k if k <= n else None
    assert sc.conformal_rank(n, a) == expect
    assert sc.conformal_rank(n, float(a)) == expect


@pytest.mark.parametrize("n, alpha", [(81, Fraction(99, 1000)), (51, Fraction(28, 125)), (25, Fraction(11, 25)),
                                      (199, Fraction(1, 100))])
def test_monte_carlo_parts_reject_the_rank_plus_one(n, alpha):
    mutant = {m.id: m for m in catalogue()}["stats.rank_plus_one"]
    assert "stats.conformal.coverage" in mutant.declares
    clean, *_ = topic._configuration_decision(_cfg(n, alpha), 4000, 0.9)
    with patched(mutant):
        bad, *_ = topic._configuration_decision(_cfg(n, alpha), 4000, 0.9)
    ks, count, bracket = bad.parts
    assert clean.holds
    assert not ks.holds and ks.p_value < 1e-20, ks  # the KS part alone sees k+1 (it was blind, p = 0.62, before)
    assert not bracket.holds
