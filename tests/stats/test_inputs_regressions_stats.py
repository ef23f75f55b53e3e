"""Regression tests for the bad inputs the outside fuzzer found in lrtcheck.stats, tabular_envs and lrtcheck.lecam
(each once returned a silent wrong answer, hung or crashed with an unnamed error)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.special import logsumexp

import lrtcheck.lecam as lc
import lrtcheck.stats as ls
import tabular_envs as te
from lrtcheck.stats.decisions import binomial_count_decision


@pytest.mark.parametrize("power", [np.nan, 0.0, -1.0, 1.0, 1.5, True, 0.5 + 0j])
def test_binomial_sample_size_checks_power(power):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="power"):
        ls.binomial_sample_size(0.1, 0.3, 0.01, power)
    assert time.perf_counter() - start < 1.0  # 1.5 once ran for 115 s


@pytest.mark.parametrize("probs", [[[np.nan] * 3], [[5.0, -4.0, 0.0]], [[0.5, 0.6]], [[0.5 + 0j, 0.5]]])
def test_sample_categorical_refuses_rows_that_are_not_laws(probs):
    with pytest.raises(ValueError, match="probs"):
        te.sample_categorical(np.array(probs), np.random.default_rng(0))


def test_sample_next_states_refuses_bad_kernel_and_indices():
    P = np.array(te.random_mdp(3, 2, seed=0).P)
    rng = np.random.default_rng(0)
    bad = P.copy()
    bad[0, 0] = [5.0, -4.0, 0.0]
    with pytest.raises(ValueError, match="P"):
        te.sample_next_states(bad, np.array([0]), np.array([0]), rng)
    with pytest.raises(ValueError, match="states"):
        te.sample_next_states(P, np.array([-1]), np.array([0]), rng)  # once wrapped round to the last state
    with pytest.raises(ValueError, match="actions"):
        te.sample_next_states(P, np.array([0]), np.array([0.5]), rng)


def test_subopt_from_mdps_refuses_anything_but_a_pair():
    with pytest.raises(ValueError, match="mdps"):
        lc.subopt_from_mdps([])  # once returned uninitialised memory
    m = te.random_mdp(3, 2, seed=0)
    with pytest.raises(ValueError, match="mdps"):
        lc.subopt_from_mdps([m])
    with pytest.raises(ValueError, match="decision_state"):
        lc.subopt_from_mdps([m, m], decision_state=3)


def test_clopper_pearson_refuses_counts_beyond_exact_floats():
    with pytest.raises(ValueError, match="trials"):
        ls.clopper_pearson(3, 1e308, 0.05)  # once (nan, nan)
    lo, hi = ls.clopper_pearson(3, 2**53, 0.05)
    assert 0.0 < lo < hi < 1e-15


def test_clopper_pearson_refuses_bool_and_fractional_counts():
    with pytest.raises(ValueError, match="successes"):
        ls.clopper_pearson(True, 10, 0.05)
    with pytest.raises(ValueError, match="successes"):
        ls.clopper_pearson(np.array([1.5]), 10, 0.05)


def test_softmax_policy_at_a_subnormal_temperature_is_the_greedy_limit():
    Q = np.array([[0.0, 1.0], [2.0, 2.0], [3.0, -1.0]])
    pi = te.softmax_policy(Q, 5e-324)  # once a NaN policy
    assert np.all(np.isfinite(pi))
    np.testing.assert_array_equal(pi, [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    np.testing.assert_array_equal(te.softmax_policy(Q, 0.7), __import__("scipy.special").special.softmax(Q / 0.7, -1))


def test_soft_value_iteration_at_a_tiny_temperature_is_value_iteration():
    mdp = te.random_mdp(4, 3, seed=2)
    soft = te.soft_value_iteration(mdp, 5e-324)
    hard = te.value_iteration(mdp)
    assert np.all(np.isfinite(soft.Q)) and np.all(np.isfinite(soft.policy))
    np.testing.assert_allclose(soft.V, hard.V, atol=1e-9)


@pytest.mark.parametrize("tau", [0.05, 0.5, 3.0])
@pytest.mark.parametrize("with_reference", [False, True])
def test_soft_value_iteration_agrees_with_the_logsumexp_formula(tau, with_reference):
    """The vectorised, shifted soft backup is the old ``tau logsumexp(Q/tau + log pi0)`` fixed point."""
    mdp = te.random_mdp(5, 3, seed=4, gamma=0.95)
    ref = te.random_policy(5, 3, seed=1) if with_reference else None
    res = te.soft_value_iteration(mdp, tau, reference=ref, tol=1e-12)
    log_ref = 0.0 if ref is None else np.log(ref)
    V = np.zeros(5)
    for _ in range(5000):
        V_new = tau * logsumexp(te.q_values(mdp, V=V) / tau + log_ref, axis=-1)
        if np.max(np.abs(V_new - V)) < 1e-14:
            break
        V = V_new
    np.testing.assert_allclose(res.V, V_new, rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.policy.sum(-1), 1.0, atol=1e-12)


def test_count_decision_at_a_subnormal_p0_is_refused_not_an_overflow():
    with pytest.raises(ValueError, match="p0"):
        binomial_count_decision(0, 5, 2e-308, 0.01)  # scipy's binomtest once raised OverflowError here
    with pytest.raises(ValueError, match="p0"):
        binomial_count_decision(3, 100, 1e-306, 0.01)
    for n in (1, 5, 100, 400):
        for count in range(n + 1):
            for alternative in ("two-sided", "less", "greater"):
                d = binomial_count_decision(count, n, 1e-300, 0.01, alternative=alternative)
                assert d.holds == (count == 0 or alternative == "less")


def test_seeds_are_not_truncated():
    with pytest.raises(ValueError, match="seed"):
        te.random_mdp(3, 2, seed=1.9)
    with pytest.raises(ValueError, match="seed"):
        te.random_policy(3, 2, seed=True)
    with pytest.raises(ValueError, match="root"):
        ls.seed_sequence(1.9, "x")


def test_complex_arrays_are_refused_not_cast():
    m = te.random_mdp(3, 2, seed=0)
    with pytest.raises(ValueError, match="complex"):
        te.TabularMDP(np.asarray(m.P) + 0j, m.R, m.mu0, 0.9)
    with pytest.raises(ValueError, match="z_sas"):
        te.darc_difference(np.zeros((3, 2, 3)) + 1j, np.zeros((3, 2)))


def test_bool_flags_must_be_bools():
    with pytest.raises(ValueError, match="two_sided"):
        ls.dkw_epsilon(10, 0.05, two_sided="yes")
    with pytest.raises(ValueError, match="log"):
        lc.trinomial_law(5, 0.3, 0.4, log=2)
    assert ls.dkw_epsilon(10, 0.05, two_sided=0) == ls.dkw_epsilon(10, 0.05, two_sided=False)
