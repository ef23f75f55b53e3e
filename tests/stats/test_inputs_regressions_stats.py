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


# ---------------------------------------------------------------------------------------------------------------------
# issue 17, fix round: the most important malformed-input cases of stats, lecam and tabular_envs, pinned
def test_stats_records_and_designs_refuse_malformed_fields():
    with pytest.raises(ValueError, match=r"\bfalse_fail_rate\b"):
        ls.Design(float("nan"), "shift", 0.1, 0.9, 100)
    with pytest.raises(ValueError, match=r"\bpower\b"):
        ls.Design(0.001, "shift", 0.1, 1.5, 100)
    with pytest.raises(ValueError, match=r"\bn\b"):
        ls.Design(0.001, "shift", 0.1, 0.9, 1.5)
    ls.Design(0.0, "", float("nan"), float("nan"), 0)  # an exact check's design: no share, no stated power
    with pytest.raises(ValueError, match=r"\bsize\b"):
        ls.AcceptanceRegion(2, 8, float("nan"))
    with pytest.raises(ValueError, match=r"\bcount\b"):
        ls.AcceptanceRegion(2, 8, 0.01).contains(1.5)
    assert not ls.AcceptanceRegion(0, 8, 0.01).contains(-1)  # below the region: outside, not an error
    with pytest.raises(ValueError, match=r"\bcheck_id\b"):
        ls.ErrorBudget(0.001, {"a": 1.0}).share(None)


def test_stats_design_companions_answer_or_refuse_at_extreme_rates():
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=r"\bfalse_fail_rate\b"):
        ls.binomial_sample_size(0.1, 0.2, 5e-324, 0.8, n_max=10**6)  # used to run for minutes
    assert time.perf_counter() - t0 < 5.0
    with pytest.raises(ValueError, match=r"\bpower\b"):
        ls.binomial_min_detectable_rate(200, 0.1, 5e-324, 0.8)  # used to return inf
    with pytest.raises(ValueError, match=r"\bp0\b"):
        ls.binomial_min_detectable_rate(200, 1.0, 0.01, 0.8)
    assert ls.binomial_min_detectable_rate(200, 0.1, 0.01, 5e-324) == 0.1  # power below the size: reached at p0
    assert np.isfinite(ls.dkw_epsilon(100, 5e-324))
    assert ls.dkw_epsilon(100, 0.05) == np.sqrt(np.log(2 / 0.05) / 200)
    with pytest.raises(ValueError, match=r"\bdelta\b"):
        ls.dkw_sample_size(1e-9, 5e-324)
    with pytest.raises(ValueError, match=r"\bdiscrepancy\b"):
        ls.ks_sample_size(5e-324, 0.01, 0.8, n_max=10**6)
    with pytest.raises(ValueError, match=r"\bdevice\b"):
        ls.torch_generator(np.random.SeedSequence(5), "bogus")
    with pytest.raises(ValueError, match=r"\broot\b"):
        ls.seed_sequence(None, "check.a")


def test_lecam_records_and_rules_refuse_malformed_fields():
    prob = lc.model_bias_pair(4, 0.5, 0.2)
    fields = {f: getattr(prob, f) for f in prob.__dataclass_fields__}
    for name, bad in (("n", 1.5), ("w", float("nan")), ("sign", 0), ("theta", (0.5,)), ("tie", 2.0),
                      ("mdps", "x"), ("decision_state", 7)):
        with pytest.raises(ValueError, match=rf"\b{name}\b"):
            lc.TwoPointProblem(**{**fields, name: bad})
    div = lc.two_point_divergences(5, 0.5, 0.3, 0.6)
    with pytest.raises(ValueError, match=r"\btv\b"):
        lc.TwoPointDivergences(**{**div.__dict__, "tv": float("nan")})
    with pytest.raises(ValueError, match=r"\btol\b"):
        div.bounds_hold(float("nan"))  # NaN used to switch every bound off
    res = lc.exact_risk(lc.greedy_rule(), prob)
    with pytest.raises(ValueError, match=r"\brisk\b"):
        lc.RiskResult(**{**res.__dict__, "risk": (float("nan"), 0.0)})
    rule = lc.greedy_rule()
    with pytest.raises(ValueError, match=r"\bk\b"):
        rule(np.array([0.5, 1.0]), np.array([0, 1]), prob)
    with pytest.raises(ValueError, match=r"\bproblem\b"):
        rule(np.array([0, 1]), np.array([0, 1]), None)  # greedy reads the problem
    assert np.all(lc.table_rule(np.full((3, 3), 0.5))(np.array([2]), np.array([1]), None) == 0.5)


def test_lecam_kl_to_a_point_mass_is_a_legal_infinity():
    assert lc.bernoulli_kl(0.3, 0.0) == np.inf and lc.two_point_kl(5, 0.5, 0.3, 1.0) == np.inf
    d = lc.two_point_divergences(5, 0.5, 0.3, 1.0)
    assert d.kl == np.inf and d.pinsker_upper == 1.0 and np.isfinite(d.tv)


def test_tabular_records_and_policies_refuse_malformed_input():
    mdp = te.random_mdp(3, 2, seed=0)
    pm = te.perturb_kernel(mdp.P, 0.1, seed=0)
    with pytest.raises(ValueError, match=r"\bM\b"):
        te.PerturbedModel(pm.M * 2, pm.epsilon, pm.target, pm.max_abs_log_ratio)
    with pytest.raises(ValueError, match=r"\bepsilon\b"):
        te.PerturbedModel(pm.M, float("nan"), pm.target, pm.max_abs_log_ratio)
    vi = te.value_iteration(mdp)
    with pytest.raises(ValueError, match=r"\bpolicy\b"):
        te.ValueIterationResult(vi.Q, vi.V, vi.policy * 2, vi.n_iter, vi.residual)
    with pytest.raises(ValueError, match=r"\bn_iter\b"):
        te.ValueIterationResult(vi.Q, vi.V, vi.policy, 1.5, vi.residual)
    with pytest.raises(ValueError, match=r"\btemperature\b"):
        te.behaviour_policy(3, 2, kind="random", temperature=float("nan"))  # used to be ignored
    with pytest.raises(ValueError, match=r"\bpi\b"):
        te.sample_rollouts(mdp, te.uniform_policy(3, 2)[None], 3, 5, seed=1)  # used to be an IndexError
    with pytest.raises(ValueError, match=r"\bname\b"):
        te.validate_policy(None, te.uniform_policy(3, 2))
    with pytest.raises(ValueError, match=r"\bundefined\b"):
        te.log_ratio(np.array([0.0, 1.0]), np.array([0.0, 1.0]), undefined=1)
    with pytest.raises(ValueError, match=r"\bp\b"):
        te.log_ratio(np.array([0.4, 1.6]), np.array([0.5, 0.5]))
    assert np.all(np.isfinite(te.bayes_logit_from_joint(np.array([0.3, 0.7]), np.array([0.5, 0.5]), 5e-324)))
