"""Property suites for ``lrtcheck.lecam``: the two instances agree everywhere except where they should, the exact
divergences obey their identities and bounds, and no rule beats Le Cam's bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrtcheck.lecam import (
    certified_rule,
    constant_rule,
    exact_risk,
    greedy_rule,
    likelihood_ratio_rule,
    model_bias_pair,
    no_overlap_pair,
    pessimistic_rule,
    policy_shift_pair,
    table_rule,
    two_point_divergences,
    two_point_tv,
)

probs = st.floats(0.0, 1.0)
gammas = st.floats(0.0, 0.98)


@given(st.integers(1, 60), probs, probs, probs)
def test_divergence_bounds(n, w, q0, q1):
    d = two_point_divergences(n, w, q0, q1)
    assert 0.0 <= d.tv <= 1.0 + 1e-12
    assert d.bounds_hold(1e-10)
    assert two_point_tv(n, w, q0, q1) == pytest.approx(two_point_tv(n, w, q1, q0), abs=1e-12)  # symmetric


@given(st.integers(1, 40), probs, probs, probs)
def test_tv_monotone_in_n_and_w(n, w, q0, q1):
    assert two_point_tv(n + 1, w, q0, q1) >= two_point_tv(n, w, q0, q1) - 1e-12
    assert two_point_tv(n, min(1.0, w + 0.1), q0, q1) >= two_point_tv(n, w, q0, q1) - 1e-12


@given(st.integers(1, 50), st.floats(0.0, 1.0), st.floats(0.01, 0.6), gammas, st.floats(0.1, 3.0))
def test_model_pair_differs_only_at_the_risky_transition(n, w, eps, gamma, alpha):
    p = model_bias_pair(n, w, eps, gamma=gamma, alpha=alpha)
    m0, m1 = p.mdps
    s, a = p.info["informative_pair"]
    mask = np.ones(m0.P.shape, dtype=bool)
    mask[s, a] = False
    np.testing.assert_array_equal(m0.P[mask], m1.P[mask])
    assert not np.array_equal(m0.P[s, a], m1.P[s, a])
    np.testing.assert_array_equal(m0.R, m1.R)
    np.testing.assert_array_equal(m0.mu0, m1.mu0)
    np.testing.assert_array_equal(p.behaviour[0], p.behaviour[1])
    assert p.delta == pytest.approx(p.info["delta_formula"], rel=1e-9, abs=1e-12)


@given(st.integers(1, 50), st.floats(0.0, 1.0), st.floats(0.01, 2.0), gammas, st.floats(0.1, 3.0),
       st.floats(0.05, 0.95))
def test_policy_pair_differs_only_at_the_decision_state(n, w, eps, gamma, beta, b):
    p = policy_shift_pair(n, w, eps, gamma=gamma, beta=beta, b=b)
    m0, m1 = p.mdps
    np.testing.assert_array_equal(m0.P, m1.P)
    np.testing.assert_array_equal(m0.R[1:], m1.R[1:])
    assert not np.array_equal(m0.R[0], m1.R[0])
    b0, b1 = p.behaviour
    np.testing.assert_array_equal(b0[1:], b1[1:])
    assert p.delta == pytest.approx(p.info["delta_formula"], rel=1e-9, abs=1e-12)


@given(st.integers(1, 50), st.floats(0.01, 1.0), gammas)
def test_no_overlap_laws_identical(n, gap, gamma):
    p = no_overlap_pair(n, gap=gap, gamma=gamma)
    np.testing.assert_array_equal(p.joint(0), p.joint(1))
    np.testing.assert_array_equal(p.mdps[0].P, p.mdps[1].P)
    assert p.mdps[0].R[0, 0] == p.mdps[1].R[0, 0] and p.mdps[0].R[0, 1] != p.mdps[1].R[0, 1]


@given(st.integers(1, 6), st.floats(0.05, 1.0), st.floats(0.05, 0.6), st.booleans(), st.data())
def test_no_rule_beats_le_cam(n, w, eps, policy_pair, data):
    p = policy_shift_pair(n, w, eps) if policy_pair else model_bias_pair(n, w, eps)
    table = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=(n + 1) ** 2, max_size=(n + 1) ** 2)))
    rules = [table_rule(table.reshape(n + 1, n + 1), "random table"), greedy_rule(), pessimistic_rule(0.1),
             certified_rule(0.1), likelihood_ratio_rule(), constant_rule(data.draw(st.floats(0.0, 1.0)))]
    for rule in rules:
        assert exact_risk(rule, p).worst >= p.lower_bound - 1e-12
