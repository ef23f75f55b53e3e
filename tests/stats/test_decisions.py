"""The decisions module against exact oracles: regions and powers by enumeration of the binomial pmf, p-values and
intervals from scipy, the KS law from ``kstwo``, and the legacy hand-written formulas of the family checks (which
the migration must reproduce bit for bit)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from scipy import stats as st

from lrtcheck.stats import clopper_pearson, ks_power_lower_bound, ks_threshold
from lrtcheck.stats.decisions import (
    Decision,
    binomial_count_decision,
    bonferroni,
    counterexample_decision,
    discrete_count_decision,
    exact_decision,
    ks_decision,
    p_value_decision,
    proportion_interval,
    split_share,
    verdict,
)


def _region_by_enumeration(n, p0, share, alternative):
    """The exact region from the pmf alone: the widest tails whose probabilities stay within the level."""
    pmf = st.binom.pmf(np.arange(n + 1), n, p0)
    lo_tail = share / 2 if alternative == "two-sided" else (share if alternative == "less" else 0.0)
    hi_tail = share / 2 if alternative == "two-sided" else (share if alternative == "greater" else 0.0)
    low = 0
    while lo_tail > 0 and low <= n and pmf[: low + 1].sum() <= lo_tail * (1 + 1e-12):
        low += 1
    high = n
    while hi_tail > 0 and high >= 0 and pmf[high:].sum() <= hi_tail * (1 + 1e-12):
        high -= 1
    return low, high


def test_verdict_and_split_share():
    assert verdict(True) == "holds" and verdict(np.bool_(False)) == "violated"
    assert split_share(1e-3, 4) == 1e-3 / 4
    assert split_share(4.1666666666666665e-05, 2) == 4.1666666666666665e-05 / 2
    for bad in (0.0, 1.0, -0.1, math.nan):
        with pytest.raises(ValueError, match="share"):
            split_share(bad, 2)
    with pytest.raises(ValueError, match="parts"):
        split_share(0.01, 0)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("n,p0,share", [(50, 0.3, 0.05), (200, 0.9, 1e-3), (1000, 0.05, 1e-4), (13, 0.5, 0.2)])
def test_count_decision_region_power_p_value_and_interval_are_exact(n, p0, share, alternative):
    low, high = _region_by_enumeration(n, p0, share, alternative)
    pmf_def = st.binom.pmf(np.arange(n + 1), n, min(1.0, p0 + 0.1))
    for count in sorted({0, low - 1, low, (low + high) // 2, high, high + 1, n} & set(range(n + 1))):
        d = binomial_count_decision(count, n, p0, share, alternative=alternative, defect_rate=min(1.0, p0 + 0.1))
        assert d.region == (low, high)
        assert d.holds == (low <= count <= high) and d.verdict == verdict(low <= count <= high)
        assert d.p_value == st.binomtest(count, n, p0, alternative=alternative).pvalue
        # the project's one Clopper-Pearson, bit for bit; scipy's root-finding inversion to ~1e-13
        assert (d.lower, d.upper) == clopper_pearson(count, n, share)
        ref = st.binomtest(count, n).proportion_ci(1 - share, method="exact")
        assert d.lower == pytest.approx(ref.low, abs=1e-12) and d.upper == pytest.approx(ref.high, abs=1e-12)
        outside = np.r_[0:low, high + 1:n + 1].astype(int)
        assert d.power == pytest.approx(pmf_def[outside].sum(), abs=1e-12)
        assert d.size <= share * (1 + 1e-12)
        assert (d.estimate, d.bound, d.n, d.share, d.statistic) == (count / n, p0, n, share, count)


def test_one_sided_count_design_is_the_legacy_sign_design():
    """risk's ``_sign_design`` (largest k with P(Bin(n, q0) < k) <= level, its size and its power against 1/2)."""
    def sign_design(n, q0, level):
        k = 0
        for kk in range(n + 1):
            if st.binom.cdf(kk - 1, n, q0) <= level:
                k = kk
        return k, float(st.binom.cdf(k - 1, n, q0)), float(st.binom.cdf(k - 1, n, 0.5))

    for n, q0, level in [(12, 0.995, 5.9e-7 / 2), (24, 0.995, 2e-5), (30, 0.9, 1e-3), (8, 0.6, 0.1)]:
        k, ff, power = sign_design(n, q0, level)
        d = binomial_count_decision(n, n, q0, level, alternative="less", defect_rate=0.5)
        assert (d.region[0], d.size, d.power) == (k, ff, power)
        assert d.p_value == st.binom.cdf(n, n, q0)


def test_discrete_count_decision_is_equal_tailed_and_exact():
    law, share = st.betabinom(300, 20, 180), 0.01
    low, high = int(law.ppf(share / 2)), int(law.isf(share / 2))
    assert law.cdf(low - 1) <= share / 2 and law.sf(high) <= share / 2
    assert law.cdf(low) > share / 2 and law.sf(high - 1) > share / 2
    defect = st.binom(300, 0.2)
    for count in (low - 1, low, 30, high, high + 1):
        d = discrete_count_decision(count, 300, law, share, defect_law=defect)
        assert d.holds == (low <= count <= high) and d.region == (low, high)
        assert d.p_value == min(1.0, 2 * min(law.cdf(count), law.sf(count - 1)))
        assert d.power == defect.cdf(low - 1) + defect.sf(high)
        assert (d.lower, d.upper) == clopper_pearson(count, 300, share)
        assert d.lower == pytest.approx(proportion_interval(count, 300, 1 - share)[0], abs=1e-15)


def test_ks_decision_exact_law_and_guaranteed_power():
    x = np.random.default_rng(3).random(400)
    d = ks_decision(x, st.uniform.cdf, 1e-3, defect_discrepancy=0.2)
    ks = st.kstest(x, st.uniform.cdf, method="exact")
    assert d.p_value == ks.pvalue == pytest.approx(st.kstwo.sf(ks.statistic, 400))
    assert d.holds == (ks.pvalue > 1e-3) and d.statistic == ks.statistic
    assert d.power == ks_power_lower_bound(400, 1e-3, 0.2) and d.bound == ks_threshold(400, 1e-3)
    shifted = ks_decision(np.clip(x + 0.3, 0, 1), st.uniform.cdf, 1e-3)
    assert not shifted.holds and math.isnan(shifted.power) and "KS" in shifted.message


def test_ks_decision_with_a_cdf_known_to_a_tolerance():
    x = np.random.default_rng(4).random(500)
    err = 0.01
    d = ks_decision(x, st.uniform.cdf, 1e-3, defect_discrepancy=0.15, cdf_error=err)
    stat = st.kstest(x, st.uniform.cdf, method="exact").statistic
    assert d.holds == (not stat > ks_threshold(500, 1e-3) + err)
    assert d.p_value == st.kstwo.sf(max(0.0, stat - err), 500)
    assert d.power == ks_power_lower_bound(500, 1e-3, 0.15 - 2 * err)
    with pytest.raises(ValueError, match="cdf_error"):
        ks_decision(x, st.uniform.cdf, 1e-3, cdf_error=-1.0)


def test_bonferroni_joins_parts_by_the_union_bound():
    share = 1e-3
    level = split_share(share, 2)
    a = binomial_count_decision(480, 1000, 0.5, level, defect_rate=0.55)
    b = binomial_count_decision(300, 1000, 0.3, level, defect_rate=0.36)
    e = exact_decision(True, estimate=1.0, bound=1.0)
    j = bonferroni([a, b, e], share, report=1)
    assert j.holds and j.share == share and j.parts == (a, b, e)
    assert j.p_value == min(1.0, 2 * min(a.p_value, b.p_value))
    assert j.power == min(a.power, b.power)
    assert bonferroni([a, b], share, same_defect=True).power == max(a.power, b.power)
    assert (j.estimate, j.lower, j.upper, j.bound, j.n) == (b.estimate, b.lower, b.upper, b.bound, b.n)
    assert bonferroni([a, b], share, report="smallest_p").estimate == (a if a.p_value <= b.p_value else b).estimate
    assert j.size == a.size + b.size
    bad = exact_decision(False, message="exact part broken")
    assert not bonferroni([a, bad], share).holds and "exact part broken" in bonferroni([a, bad], share).message
    assert bonferroni([e], 0.0).p_value != bonferroni([e], 0.0).p_value  # exact only: NaN
    with pytest.raises(ValueError, match="split it"):
        bonferroni([a, b], level)
    with pytest.raises(ValueError, match="report"):
        bonferroni([a], share, report=3)


def test_single_part_bonferroni_keeps_the_p_value():
    a = binomial_count_decision(4085, 5000, 0.8101082364325028, 4.1666666666666665e-05)
    assert bonferroni([a, exact_decision(True)], 4.1666666666666665e-05).p_value == a.p_value


def test_exact_and_p_value_decisions():
    e = exact_decision(False, estimate=3, bound=0.0, message="three mismatches")
    assert (e.verdict, e.share, e.estimate, e.message) == ("violated", 0.0, 3.0, "three mismatches")
    assert math.isnan(e.p_value) and not e.stochastic
    assert exact_decision(True, message="ignored when it holds").message == ""
    p = p_value_decision(0.2, 0.01, power=0.99, statistic=4.0)
    assert p.holds and p.power == 0.99 and p.stochastic
    assert not p_value_decision(0.005, 0.01).holds


def test_decision_is_frozen_and_validated():
    d = exact_decision(True)
    with pytest.raises(Exception):
        d.holds = False  # type: ignore[misc]
    with pytest.raises(ValueError, match="share"):
        Decision(holds=True, share=1.5)
    with pytest.raises(ValueError, match="p_value"):
        Decision(holds=True, p_value=2.0)
    with pytest.raises(ValueError, match="count"):
        binomial_count_decision(11, 10, 0.5, 0.01)
    with pytest.raises(ValueError, match="share"):
        binomial_count_decision(3, 10, 0.5, 0.0)
    with pytest.raises(ValueError, match="p0"):
        binomial_count_decision(3, 10, 1.5, 0.01)


@given(n=hs.integers(1, 400), p0=hs.floats(0.0, 1.0), share=hs.floats(1e-6, 0.5), data=hs.data())
def test_count_decision_invariants(n, p0, share, data):
    """Over the whole of [0, 1]: a p0 in (0, 1e-300), where scipy's binomial laws overflow, is refused by name
    (never an OverflowError); every other p0 gives a decision with its invariants."""
    count = data.draw(hs.integers(0, n))
    if 0.0 < p0 < 1e-300:
        with pytest.raises(ValueError, match="p0"):
            binomial_count_decision(count, n, p0, share)
        return
    alternative = data.draw(hs.sampled_from(["two-sided", "less", "greater"]))
    d = binomial_count_decision(count, n, p0, share, alternative=alternative)
    assert d.size <= share * (1 + 1e-9)
    assert 0.0 <= d.lower <= count / n <= d.upper <= 1.0
    assert d.holds == (d.region[0] <= count <= d.region[1])


@given(ps=hs.lists(hs.floats(0.0, 1.0), min_size=1, max_size=6))
def test_bonferroni_p_value_is_the_adjusted_minimum(ps):
    share = 0.01
    level = split_share(share, len(ps))
    parts = [p_value_decision(p, level) for p in ps]
    j = bonferroni(parts, share)
    assert j.p_value == min(1.0, len(ps) * min(ps))
    assert j.holds == all(p > level for p in ps)


def test_per_cell_bonferroni_reproduces_the_tabular_formulas():
    """tabular's hand-written per-cell tests: level share/K, p = min(1, K min p), power = the best cell's power,
    and the worst cell (smallest p) reported with its interval."""
    from lrtcheck.stats import binomial_acceptance_region, binomial_power

    share, n = 4.1666666666666665e-05, 10000
    p0 = np.array([0.0613, 0.0402, 0.1201, 0.0877, 0.0569, 0.2011, 0.0333, 0.0999, 0.0702, 0.0455, 0.0808, 0.1030])
    p1 = p0 * 1.07
    counts = np.random.default_rng(5).binomial(n, p0)
    level = share / p0.size
    pvals = np.array([st.binomtest(int(c), n, float(p)).pvalue for c, p in zip(counts, p0)])
    worst = int(np.argmin(pvals))
    cells = [binomial_count_decision(int(c), n, float(a), split_share(share, p0.size), defect_rate=float(b))
             for c, a, b in zip(counts, p0, p1)]
    joint = bonferroni(cells, share, report="smallest_p", same_defect=True)
    assert split_share(share, p0.size) == level
    assert joint.p_value == float(min(1.0, p0.size * pvals.min()))
    assert joint.power == max(binomial_power(n, float(a), float(b), level, alternative="two-sided")
                              for a, b in zip(p0, p1))
    ci = clopper_pearson(int(counts[worst]), n, level)
    assert (joint.estimate, joint.lower, joint.upper, joint.bound) == (counts[worst] / n, *ci, p0[worst])
    ref = st.binomtest(int(counts[worst]), n).proportion_ci(1 - level, method="exact")
    assert joint.lower == pytest.approx(ref.low, abs=1e-12) and joint.upper == pytest.approx(ref.high, abs=1e-12)
    assert joint.holds == all(binomial_acceptance_region(n, float(p), level).contains(int(c))
                              for p, c in zip(p0, counts))


def test_beta_binomial_count_reproduces_the_lrt_exceedance_formulas():
    """lrt's fresh-exceedance count: region (ppf, isf) at half the share, the doubled-tail p-value, and a power
    that the far lower tail of the defect law does not move (the legacy code summed the upper tail only)."""
    share, m = 4.1666666666666665e-05, 3000
    law, defect = st.betabinom(m, 109, 1392), st.binom(m, 0.2)
    half = share / 2
    lo_c, hi_c = int(law.ppf(half)), int(law.isf(half))
    count = 231
    d = discrete_count_decision(count, m, law, share, defect_law=defect)
    assert d.region == (lo_c, hi_c)
    assert d.p_value == float(min(1.0, 2 * min(law.cdf(count), law.sf(count - 1))))
    assert d.power == float(defect.sf(hi_c))
    assert (d.lower, d.upper) == clopper_pearson(count, m, share)
    ci = st.binomtest(count, m).proportion_ci(1 - share, method="exact")
    assert d.lower == pytest.approx(ci.low, abs=1e-12) and d.upper == pytest.approx(ci.high, abs=1e-12)


@pytest.mark.parametrize("assertion_holds", [True, False])
@pytest.mark.parametrize("control_holds", [True, False])
def test_counterexample_is_reproduced_only_when_the_assertion_fails_and_the_controls_hold(assertion_holds,
                                                                                          control_holds):
    share = 4.1666666666666665e-05
    assertion = exact_decision(assertion_holds, estimate=0.237, bound=0.1, name="stale threshold keeps alpha",
                               message="realized above alpha")
    control = p_value_decision(0.6 if control_holds else 1e-9, split_share(share, 2), name="recalibrated law")
    d = counterexample_decision(assertion, 0.99999, share, controls=[control], p_value=control.p_value, n=7)
    reproduced = not assertion_holds and control_holds
    assert d.holds is (not reproduced) and d.verdict == ("violated" if reproduced else "holds")
    assert (d.message == "") is reproduced  # the message explains a counter-example that was not reproduced
    assert (d.estimate, d.bound, d.p_value, d.n, d.share) == (0.237, 0.1, control.p_value, 7, share)
    assert d.parts == (assertion, control)


def test_counterexample_power_reproduces_the_lrt_formulas():
    """lrt's hand-written reproduction powers: p_repro (1 - level) with one control at half the share
    (lrt.qstep.recalibrate), p_repro (1 - share/2) with two controls at a quarter each (lrt.running_max), p_repro
    with none (lrt.variance_mismatch); no p-value unless one is given."""
    ff, p_repro = 4.1666666666666665e-05, 0.9999999791
    violated = exact_decision(False, estimate=0.2, bound=0.1)
    one = [p_value_decision(0.5, ff / 2)]
    assert counterexample_decision(violated, p_repro, ff, controls=one).power == p_repro * (1 - ff / 2)
    two = [p_value_decision(0.5, split_share(ff, 4)), p_value_decision(0.5, split_share(ff, 4))]
    share = ff / 2
    assert counterexample_decision(violated, p_repro, ff, controls=two).power == p_repro * (1 - share)
    none = counterexample_decision(violated, p_repro, ff)
    assert none.power == p_repro and math.isnan(none.p_value) and not none.holds


def test_counterexample_decision_validates_its_inputs():
    ff = 1e-3
    violated = exact_decision(False)
    with pytest.raises(ValueError, match="controls spend"):
        counterexample_decision(violated, 0.5, ff, controls=[p_value_decision(0.5, ff), p_value_decision(0.5, ff)])
    with pytest.raises(ValueError, match="reproduction_probability"):
        counterexample_decision(violated, 1.5, ff)
    with pytest.raises(ValueError, match="share"):
        counterexample_decision(violated, 0.5, 0.0)
    with pytest.raises(ValueError, match="assertion"):
        counterexample_decision(True, 0.5, ff)
