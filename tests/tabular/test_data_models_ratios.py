"""Data sets, models, log-ratios and the exact Bayes logits."""

import numpy as np
import pytest

import tabular_envs as te


def test_dataset_shapes_and_frame():
    m = te.random_mdp(5, 3, seed=0)
    pi = te.behaviour_policy(5, 3, kind="random", coverage=0.2, seed=1)
    for method in ("occupancy", "rollout"):
        D = te.sample_dataset(m, pi, 500, seed=2, method=method)
        assert len(D) == 500
        assert np.all(D.rewards == m.R[D.states, D.actions])
        df = D.to_frame()
        assert list(df.columns[:4]) == ["state", "action", "reward", "next_state"]
    R = te.sample_rollouts(m, pi, 4, 6, seed=3)
    assert len(R) == 24
    ep = R.episode.reshape(4, 6)
    # consecutive transitions of an episode chain up
    st = R.states.reshape(4, 6)
    nx = R.next_states.reshape(4, 6)
    assert np.all(st[:, 1:] == nx[:, :-1]) and np.all(ep == np.arange(4)[:, None])
    N = te.count_transitions(D, 5, 3)
    assert N.sum() == 500


def test_sampling_is_reproducible():
    m = te.random_mdp(4, 2, seed=0)
    pi = te.uniform_policy(4, 2)
    a = te.sample_dataset(m, pi, 100, seed=11, method="rollout")
    b = te.sample_dataset(m, pi, 100, seed=11, method="rollout")
    assert np.array_equal(a.states, b.states) and np.array_equal(a.next_states, b.next_states)


def test_fit_model_is_posterior_mean():
    N = np.array([[[3, 1], [0, 0]], [[0, 2], [1, 1]]], dtype=float)
    M = te.fit_model(N, smoothing=2.0)
    np.testing.assert_allclose(M[0, 0], [(3 + 1) / 6, (1 + 1) / 6])
    np.testing.assert_allclose(M[0, 1], [0.5, 0.5])
    np.testing.assert_allclose(M.sum(-1), 1.0)


def test_perturbation_gap_is_exact_and_monotone():
    P = te.random_mdp(6, 2, seed=4).P
    gaps = [te.perturb_kernel(P, e, seed=5).max_abs_log_ratio for e in (0.0, 0.1, 0.3, 0.6)]
    assert gaps[0] == 0.0 and all(a < b for a, b in zip(gaps, gaps[1:]))
    pm = te.perturb_to_gap(P, 0.25, seed=5)
    assert pm.max_abs_log_ratio == pytest.approx(0.25, abs=1e-9)
    L = te.transition_log_ratio(P, pm.M)
    assert np.max(np.abs(L)) == pytest.approx(pm.max_abs_log_ratio, abs=1e-12)


def test_bayes_logit_identities():
    mdp = te.random_mdp(5, 3, seed=8)
    M = te.perturb_kernel(mdp.P, 0.4, seed=9).M
    pi_b = te.behaviour_policy(5, 3, seed=10)
    pi = te.random_policy(5, 3, seed=12)
    d_env = te.occupancy(mdp, pi_b)
    d_m = te.occupancy(mdp.with_kernel(M), pi)
    rho = 0.3
    z = te.bayes_logit_transition(mdp.P, M, d_env, d_m, rho)
    oracle = te.bayes_logit_from_joint(d_env[..., None] * mdp.P, d_m[..., None] * M, rho)
    np.testing.assert_allclose(z, oracle, atol=1e-9)
    lp = te.transition_log_ratio(mdp.P, M)
    z_sa = te.bayes_logit_state_action(d_env, d_m, rho)
    np.testing.assert_allclose(te.darc_difference(z, z_sa), lp, atol=1e-12)
    assert np.max(np.abs(z - lp)) > 0.1  # a lone sas logit is biased at mismatched marginals
    np.testing.assert_allclose(te.bayes_logit_transition(mdp.P, M, d_env, d_env, 0.5), lp, atol=1e-12)
    # action classifier at matched states: ell_pi plus the prior log-odds
    ds = d_env.sum(-1)
    za = te.bayes_logit_action(pi, pi_b, ds, ds, rho)
    np.testing.assert_allclose(za, te.policy_log_ratio(pi, pi_b) + np.log(rho / (1 - rho)), atol=1e-12)


def test_policies():
    Q = np.array([[1.0, 2.0, 0.0], [0.0, 0.0, 5.0]])
    g = te.greedy_policy(Q)
    np.testing.assert_array_equal(g, [[0, 1, 0], [0, 0, 1]])
    eg = te.epsilon_greedy_policy(Q, 0.3)
    np.testing.assert_allclose(eg[0], [0.1, 0.8, 0.1])
    sm = te.softmax_policy(Q, 1.0)
    np.testing.assert_allclose(sm[0], np.exp(Q[0]) / np.exp(Q[0]).sum())
    b = te.behaviour_policy(2, 3, kind="greedy", Q=Q, coverage=0.3)
    assert b.min() >= 0.1 - 1e-15


def test_gridworld_and_chain():
    g = te.gridworld_mdp(3, 4, slip=0.2)
    assert g.n_states == 12 and g.n_actions == 4
    c = te.chain_mdp(5, slip=0.0, gamma=0.5)
    V = te.evaluate_policy(c, np.tile([1.0, 0.0], (5, 1)))
    assert V[-1] == pytest.approx(1.0 / (1 - 0.5))


def test_risky_chain_gap_formula():
    rc = te.RiskyChain
    for q in (0.2, 0.5, 0.9):
        m = te.risky_chain(q, gamma=0.8, reward_good=2.0, reward_bad=0.5, reward_safe=1.0)
        Q = te.q_values(m, te.uniform_policy(4, 2))
        gap = Q[rc.START, rc.RISKY] - Q[rc.START, rc.SAFE]
        assert gap == pytest.approx(0.8 / 0.2 * (q * 2.0 + (1 - q) * 0.5 - 1.0), abs=1e-12)
