"""Le Cam: exact divergences, instances, rules and exact risks."""

import numpy as np
import pytest
from scipy import stats as st

from lrtcheck.lecam import (
    all_deterministic_rule_risks,
    certified_rule,
    constant_rule,
    enumerated_divergences,
    exact_risk,
    greedy_rule,
    joint_law,
    likelihood_ratio_rule,
    model_bias_pair,
    no_overlap_pair,
    pessimistic_rule,
    policy_shift_pair,
    statistic_grid,
    trinomial_law,
    two_point_divergences,
    two_point_tv,
)


def test_design_value():
    assert round(two_point_tv(200, 0.05, 0.5, 0.6), 6) == 0.248729
    d = two_point_divergences(200, 0.05, 0.5, 0.6)
    # the figures of docs/methods/lecam.md §3
    assert round(d.hellinger_lower, 3) == 0.049 and round(d.hellinger_upper, 3) == 0.310
    assert round(d.pinsker_upper, 3) == 0.319 and round(1 - d.tv, 3) >= round(0.5 * np.exp(-d.kl), 3)


def test_tv_equals_enumeration_of_the_trinomial():
    for n, w, q0, q1 in [(40, 0.3, 0.2, 0.45), (7, 1.0, 0.5, 0.5), (15, 0.0, 0.1, 0.9)]:
        e = enumerated_divergences(trinomial_law(n, w, q0, log=True), trinomial_law(n, w, q1, log=True))
        d = two_point_divergences(n, w, q0, q1)
        assert e["tv"] == pytest.approx(d.tv, abs=1e-13)
        assert e["kl"] == pytest.approx(d.kl, abs=1e-12)
        assert e["bhattacharyya"] == pytest.approx(d.bhattacharyya, abs=1e-13)
        np.testing.assert_allclose(np.exp(trinomial_law(n, w, q0, log=True)), joint_law(n, w, q0), atol=1e-15)


def test_single_visit_tv_is_w_times_abs_gap():
    # n = 1: TV = w |q1 - q0|
    assert two_point_tv(1, 0.3, 0.2, 0.7) == pytest.approx(0.3 * 0.5, abs=1e-15)


def test_bad_inputs():
    with pytest.raises(ValueError, match="w must lie in"):
        two_point_tv(10, 1.5, 0.1, 0.2)
    with pytest.raises(ValueError, match="q0"):
        two_point_tv(10, 0.5, np.nan, 0.2)
    with pytest.raises(ValueError, match="n must be an integer"):
        two_point_tv(2.5, 0.5, 0.1, 0.2)
    with pytest.raises(ValueError, match="m \\* exp\\(epsilon\\)"):
        model_bias_pair(10, 0.1, 1.0, m=0.5)
    with pytest.raises(ValueError, match="delta"):
        certified_rule(0.0)


def test_model_pair_structure_and_gap():
    p = model_bias_pair(100, 0.1, 0.2, gamma=0.9, alpha=2.0)
    m0, m1 = p.mdps
    diff = np.argwhere(~np.isclose(m0.P, m1.P))
    assert {tuple(x[:2]) for x in diff} == {p.info["informative_pair"]}
    np.testing.assert_array_equal(m0.R, m1.R)
    assert p.delta == pytest.approx(9.0 * 2.0 * 0.5 * np.sinh(0.2), rel=1e-12)
    assert p.info["log_ratio_good"] == pytest.approx((-0.2, 0.2), abs=1e-12)


def test_policy_pair_gap_is_H_beta_eps():
    p = policy_shift_pair(50, 0.1, 0.4, gamma=0.8, beta=1.5)
    assert p.delta == pytest.approx(5.0 * 1.5 * 0.4, rel=1e-12)
    b0, b1 = p.behaviour
    np.testing.assert_array_equal(b0[1], b1[1])
    assert np.log(b0[0, 1] / b0[0, 0]) - np.log(b1[0, 1] / b1[0, 0]) == pytest.approx(-0.8, abs=1e-12)


def test_exact_risk_matches_monte_carlo_free_formula():
    p = model_bias_pair(5, 0.4, 0.3)
    # constant rules: risk is the subopt of the constant choice
    r = exact_risk(constant_rule(1.0), p)
    assert r.risk == pytest.approx(tuple(p.subopt[:, 1]), abs=1e-14)
    # greedy by a hand-written sum
    k, j, valid = statistic_grid(5)
    x = np.where((k > 0) & (j / np.maximum(k, 1) > p.tie), 1.0, 0.0)
    want = [float(np.sum(p.joint(i) * (x * p.subopt[i, 1] + (1 - x) * p.subopt[i, 0]))) for i in (0, 1)]
    assert exact_risk(greedy_rule(), p).risk == pytest.approx(tuple(want), abs=1e-15)


def test_certified_rule_matches_clopper_pearson():
    p = model_bias_pair(25, 0.3, 0.3)
    k, j, valid = statistic_grid(25)
    kk = np.maximum(k, 1)
    with np.errstate(all="ignore"):
        lo = np.where(j > 0, st.beta.ppf(0.025, j, kk - j + 1), 0.0)
    ref = np.where(k > 0, lo > p.tie, False)
    np.testing.assert_array_equal(certified_rule(0.05)(k, j, p)[valid], ref[valid].astype(float))


def test_le_cam_holds_for_every_deterministic_rule_and_bayes_attains_it():
    p = model_bias_pair(3, 0.4, 0.4)
    R = all_deterministic_rule_risks(p)
    assert R.shape == (2 ** 10, 2)
    assert R.max(1).min() >= p.lower_bound - 1e-14
    bayes = exact_risk(likelihood_ratio_rule(), p)
    assert bayes.average == pytest.approx(p.lower_bound, abs=1e-14)
    assert R.mean(1).min() == pytest.approx(p.lower_bound, abs=1e-14)  # the best average is the Bayes risk
    with pytest.raises(ValueError, match="max_cells"):
        all_deterministic_rule_risks(model_bias_pair(10, 0.4, 0.4))


def test_no_overlap():
    p = no_overlap_pair(30, gap=0.25, gamma=0.5)
    assert p.tv == 0.0 and p.delta == pytest.approx(0.5, abs=1e-12)
    for rule in (greedy_rule(), pessimistic_rule(), certified_rule(), constant_rule(0.3)):
        assert exact_risk(rule, p).worst >= p.delta / 2 - 1e-14
    assert exact_risk(constant_rule(0.5), p).worst == pytest.approx(p.delta / 2, abs=1e-14)


def test_table_rule_refuses_wrong_shape():
    from lrtcheck.lecam import table_rule

    for bad in (np.zeros(3), np.zeros((2, 3)), np.zeros((0, 0)), np.zeros((2, 2, 2))):
        with pytest.raises(ValueError, match=r"^table must be a square 2-D array of shape \(n \+ 1, n \+ 1\)"):
            table_rule(bad)
    with pytest.raises(ValueError, match=r"^table must contain only finite values"):
        table_rule(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=r"^table must contain probabilities in \[0, 1\]"):
        table_rule(np.full((2, 2), 1.5))
    rule = table_rule(np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match=r"^table of shape \(3, 3\) must cover every cell"):
        rule(np.array([3]), np.array([0]), None)
    assert np.all(rule(np.array([2, 1]), np.array([1, 0]), None) == 0.5)
