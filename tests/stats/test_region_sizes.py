"""The harness certifies its own regions: every acceptance region the decisions module builds has each tail at
most its share (exact enumeration, the check ``stats.decisions.region_size``), and the decisions module refuses,
at run time, a region whose exact tail exceeds its share."""

from fractions import Fraction

import pytest
from scipy import stats as st

import lrtcheck.stats.decisions as decisions
from lrtcheck.certify import get, run_check
from lrtcheck.certify.mutation import mutant_by_id, patched
from lrtcheck.claims.stats.decisions import (betabinomial_pmf_numerators, binomial_pmf_numerators,
                                             region_problems)
from lrtcheck.stats import AcceptanceRegion


def test_exact_pmfs_agree_with_scipy_and_sum_to_one():
    for n, p in ((1, Fraction(1, 2)), (20, Fraction(1, 3)), (137, Fraction(999, 1000))):
        pmf, den = binomial_pmf_numerators(n, p)
        assert sum(pmf) == den
        assert max(abs(float(Fraction(k, den)) - st.binom.pmf(i, n, float(p))) for i, k in enumerate(pmf)) < 1e-12
    pmf, den = betabinomial_pmf_numerators(30, 18, 2)
    assert sum(pmf) == den
    assert max(abs(float(Fraction(k, den)) - st.betabinom.pmf(i, 30, 18, 2)) for i, k in enumerate(pmf)) < 1e-12


def test_region_problems_sees_an_oversized_tail_and_a_region_that_gives_power_away():
    pmf, den = binomial_pmf_numerators(10, Fraction(1, 2))  # P(X = 0) = P(X = 10) = 1/1024
    assert region_problems(pmf, den, 1, 9, 1 / 1024, 1 / 1024) == []
    assert "lower tail" in region_problems(pmf, den, 1, 9, 1 / 2048, 1 / 1024)[0]
    assert "could also reject 1" in region_problems(pmf, den, 1, 9, 0.05, 1 / 1024)[0]


def test_every_region_of_the_grid_is_exact():
    res = run_check(get("stats.decisions.region_size"))
    assert res.passed, res.describe()
    assert res.evidence.details["regions"] > 1400


@pytest.mark.parametrize("mutant", ["stats.region_alpha_not_split", "stats.region_off_by_one"])
def test_the_region_mutants_are_caught_by_enumeration(mutant):
    with patched(mutant_by_id(mutant)):
        res = run_check(get("stats.decisions.region_size"))
    assert not res.passed and "regions wrong" in res.message


def test_the_run_time_guard_refuses_a_region_whose_tail_exceeds_its_share(monkeypatch):
    def too_wide(n, p, alpha, *, alternative="two-sided"):  # each tail at alpha: twice the two-sided share
        lo = int(st.binom.ppf(alpha, n, p))
        return AcceptanceRegion(lo, n - lo, 0.0)

    monkeypatch.setattr(decisions, "binomial_acceptance_region", too_wide)
    with pytest.raises(ValueError, match="tail probability .* above its share"):
        decisions.binomial_count_decision(50, 100, 0.5, 0.05)
    with pytest.raises(ValueError, match="above its share"):
        decisions.check_region_size(st.betabinom(30, 2, 5), 3, 30, 1e-3, 1e-3, what="demo")
    assert decisions.check_region_size(st.binom(100, 0.5), 37, 63, 0.005, 0.005, what="demo") < 0.01


def test_the_guard_is_on_in_every_count_decision_of_a_real_check():
    with patched(mutant_by_id("stats.region_alpha_not_split")):
        res = run_check(get("stats.dkw.band_coverage"))
    assert not res.passed and "refusing to decide" in res.message
