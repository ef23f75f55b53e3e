"""``binomial_violation_reproduced``: a ``fails`` claim on a rate, asserted by a count that rejects the claimed rate
and agrees with the exact one.  Checked against the pmf (power by enumeration of every count), against the legacy
formulas of ``csar.va.truth_coverage`` bit for bit, and on the cases that must not count as a reproduction."""

import numpy as np
import pytest

from lrtcheck.stats import clopper_pearson
from hypothesis import given
from hypothesis import strategies as hs
from scipy import stats as st

from lrtcheck.stats import binomial_acceptance_region
from lrtcheck.stats.binomial import MIN_BINOMIAL_P
from lrtcheck.stats.decisions import binomial_violation_reproduced


@pytest.mark.parametrize("alternative,claimed,exact", [("less", 0.9, 0.57), ("less", 0.9, 0.86),
                                                       ("greater", 0.05, 0.12), ("greater", 0.3, 0.33)])
@pytest.mark.parametrize("n,share", [(400, 4.1666666666666665e-05), (120, 0.01)])
def test_power_is_the_probability_of_reproducing_under_the_exact_rate(alternative, claimed, exact, n, share):
    reproduced = np.array([not binomial_violation_reproduced(k, n, claimed, exact, share,
                                                             alternative=alternative).holds for k in range(n + 1)])
    by_enumeration = float(np.sum(st.binom.pmf(np.arange(n + 1), n, exact)[reproduced]))
    d = binomial_violation_reproduced(int(round(n * exact)), n, claimed, exact, share, alternative=alternative)
    assert d.power == pytest.approx(by_enumeration, abs=1e-12)
    assert d.share == share and [p.share for p in d.parts[:2]] == [share / 2, share / 2]
    assert d.defect_size == pytest.approx(abs(claimed - exact), abs=0) and d.bound == claimed


@pytest.mark.parametrize("hits", [190, 227, 260, 330, 359])
def test_reproduces_the_legacy_truth_coverage_formulas_bit_for_bit(hits):
    R, claimed, exact, share = 400, 1 - 0.1, 0.5687, 4.1666666666666665e-05
    level = share / 2
    region = binomial_acceptance_region(R, claimed, level, alternative="less")
    agree = binomial_acceptance_region(R, exact, level)
    top = min(region.low - 1, agree.high)
    power = float(st.binom.cdf(top, R, exact) - st.binom.cdf(agree.low - 1, R, exact)) \
        if exact < claimed and top >= agree.low else 0.0
    reproduced = hits < region.low and exact < claimed and agree.contains(hits)
    ci = clopper_pearson(hits, R, level)  # the project's one Clopper-Pearson; scipy's root finder within 1e-12
    ref = st.binomtest(hits, R).proportion_ci(1 - level, method="exact")
    assert abs(ci[0] - ref.low) < 1e-12 and abs(ci[1] - ref.high) < 1e-12
    d = binomial_violation_reproduced(hits, R, claimed, exact, share, alternative="less")
    assert d.holds == (not reproduced)
    assert d.power == power and d.p_value == st.binomtest(hits, R, claimed, alternative="less").pvalue
    assert (d.estimate, d.lower, d.upper, d.bound, d.n) == (hits / R, *ci, claimed, R)
    assert d.defect_size == 1 - 0.1 - exact and d.region == (region.low, region.high)
    assert d.parts[1].region == (agree.low, agree.high)
    assert (d.message == "") == reproduced


def test_not_reproduced_says_why():
    share, R = 1e-3, 400
    ok = binomial_violation_reproduced(228, R, 0.9, 0.57, share)
    assert not ok.holds and ok.message == ""
    disagrees = binomial_violation_reproduced(150, R, 0.9, 0.57, share)  # far below the exact rate
    assert disagrees.holds and "against the exact rate" in disagrees.message
    no_violation = binomial_violation_reproduced(372, R, 0.9, 0.93, share)
    assert no_violation.holds and no_violation.power == 0.0 and "does not violate" in no_violation.message
    not_rejected = binomial_violation_reproduced(355, R, 0.9, 0.89, share)
    assert not_rejected.holds and "does not reject" in not_rejected.message


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="alternative"):
        binomial_violation_reproduced(10, 20, 0.9, 0.5, 0.01, alternative="two-sided")
    with pytest.raises(ValueError, match="claimed"):
        binomial_violation_reproduced(10, 20, 1.5, 0.5, 0.01)
    with pytest.raises(ValueError, match="exact"):
        binomial_violation_reproduced(10, 20, 0.9, -0.1, 0.01)
    with pytest.raises(ValueError, match="share"):
        binomial_violation_reproduced(10, 20, 0.9, 0.5, 0.0)
    with pytest.raises(ValueError, match="count"):
        binomial_violation_reproduced(21, 20, 0.9, 0.5, 0.01)


@given(n=hs.integers(1, 300), claimed=hs.floats(0.01, 0.99), exact=hs.floats(0.0, 1.0),
       share=hs.floats(1e-6, 0.5), alternative=hs.sampled_from(["less", "greater"]), data=hs.data())
def test_invariants(n, claimed, exact, share, alternative, data):
    count = data.draw(hs.integers(0, n))
    if 0.0 < exact < MIN_BINOMIAL_P:  # below scipy's exact binomial range: refused by name (lrtcheck.stats.binomial)
        with pytest.raises(ValueError, match="p0"):
            binomial_violation_reproduced(count, n, claimed, exact, share, alternative=alternative)
        return
    d = binomial_violation_reproduced(count, n, claimed, exact, share, alternative=alternative)
    claim, agreement, oracle = d.parts
    violates = exact < claimed if alternative == "less" else exact > claimed
    assert d.holds == (not (violates and not claim.holds and agreement.holds))
    assert 0.0 <= d.power <= 1.0 and (violates or d.power == 0.0)
    assert oracle.holds == (not violates) and d.share == share
    assert d.lower <= count / n <= d.upper and (d.message == "") == (not d.holds)
