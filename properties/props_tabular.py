"""Property suites for ``tabular_envs``: Bellman equations, occupancy flow, batched == single, log-ratio identities,
bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tabular_envs as te
from properties.strategies.tabular import (
    batched_mdp_and_policy,
    mdp_and_policy,
    policies,
    stochastic_rows,
    tabular_mdps,
)


def _scale(mdp):
    return 1.0 + np.max(np.abs(mdp.R)) / (1.0 - mdp.gamma)


@given(mdp_and_policy())
def test_bellman_equation_holds(world):
    mdp, pi = world
    V = te.evaluate_policy(mdp, pi)
    P_pi, r_pi = te.policy_kernel(mdp, pi)
    np.testing.assert_allclose(V, r_pi + mdp.gamma * P_pi @ V, atol=1e-9 * _scale(mdp))
    assert np.all(np.abs(V) <= np.max(np.abs(mdp.R)) / (1 - mdp.gamma) * (1 + 1e-9) + 1e-12)


@given(mdp_and_policy())
def test_occupancy_is_a_distribution_and_satisfies_the_flow_equation(world):
    mdp, pi = world
    d = te.occupancy(mdp, pi)
    assert np.all(d >= -1e-12)
    assert abs(d.sum() - 1.0) < 1e-9
    flow = (1 - mdp.gamma) * mdp.mu0 + mdp.gamma * np.einsum("sa,sat->t", d, mdp.P)
    np.testing.assert_allclose(d.sum(-1), flow, atol=1e-9)
    # J = mu0.V = <d, r>/(1 - gamma)
    J = te.policy_return(mdp, pi)
    assert abs(J - np.sum(d * mdp.R) / (1 - mdp.gamma)) <= 1e-8 * _scale(mdp)
    assert np.all(d[pi == 0] == 0)


@given(batched_mdp_and_policy())
def test_batched_agrees_with_single(world):
    mb, pis, mdps = world
    V = te.evaluate_policy(mb, pis)
    d = te.occupancy(mb, pis)
    Q = te.q_values(mb, pis)
    for k, m in enumerate(mdps):
        np.testing.assert_allclose(V[k], te.evaluate_policy(m, pis[k]), atol=1e-10 * _scale(m))
        np.testing.assert_allclose(d[k], te.occupancy(m, pis[k]), atol=1e-10)
        np.testing.assert_allclose(Q[k], te.q_values(m, pis[k]), atol=1e-10 * _scale(m))


@given(tabular_mdps(max_states=5, max_actions=3, max_gamma=0.9))
def test_optimal_values_dominate_every_policy(mdp):
    opt = te.policy_iteration(mdp)
    Q = te.q_values(mdp, V=opt.V)
    np.testing.assert_allclose(Q.max(-1), opt.V, atol=1e-9 * _scale(mdp))
    for pi in (te.uniform_policy(mdp.n_states, mdp.n_actions), te.greedy_policy(mdp.R)):
        assert np.all(te.evaluate_policy(mdp, pi) <= opt.V + 1e-9 * _scale(mdp))


@given(tabular_mdps(max_states=4, max_actions=3, max_gamma=0.9), st.floats(0.05, 2.0))
def test_soft_value_iteration_is_the_soft_evaluation_of_its_policy(mdp, tau):
    Q, V, pi = te.soft_value_iteration(mdp, tau)
    np.testing.assert_allclose(te.soft_evaluate_policy(mdp, pi, tau), V, atol=1e-7 * (_scale(mdp) + tau * 3 / 0.1))
    # soft optimum >= hard optimum and <= hard optimum + tau log A / (1 - gamma)
    Vh = te.policy_iteration(mdp).V
    assert np.all(V >= Vh - 1e-8 * _scale(mdp))
    assert np.all(V <= Vh + tau * np.log(mdp.n_actions) / (1 - mdp.gamma) + 1e-8 * _scale(mdp))


@given(st.integers(1, 4), st.integers(1, 3), st.data())
def test_log_ratio_identities(S, A, data):
    P = data.draw(stochastic_rows((S, A, S), min_positive=1e-3))
    M = data.draw(stochastic_rows((S, A, S), min_positive=1e-3))
    L = te.transition_log_ratio(P, M)
    np.testing.assert_allclose(L, -te.transition_log_ratio(M, P), atol=1e-12)
    np.testing.assert_allclose(np.exp(L) * M, P, atol=1e-12)
    assert np.all(te.transition_log_ratio(P, P) == 0)
    # E_m[p/m] = 1 per (s, a)
    np.testing.assert_allclose(np.sum(M * np.exp(L), -1), 1.0, atol=1e-10)
    d_env = data.draw(stochastic_rows((S * A,), min_positive=1e-3)).reshape(S, A)
    d_m = data.draw(stochastic_rows((S * A,), min_positive=1e-3)).reshape(S, A)
    rho = data.draw(st.floats(0.05, 0.95))
    z = te.bayes_logit_transition(P, M, d_env, d_m, rho)
    z_sa = te.bayes_logit_state_action(d_env, d_m, rho)
    np.testing.assert_allclose(te.darc_difference(z, z_sa), L, atol=1e-10)
    np.testing.assert_allclose(z, te.bayes_logit_from_joint(d_env[..., None] * P, d_m[..., None] * M, rho),
                               atol=1e-8)


@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_policy_log_ratio_signs(S, A, data):
    pi = data.draw(policies(S, A, allow_zeros=True))
    pi_b = data.draw(policies(S, A, min_positive=1e-3, allow_zeros=False))
    L = te.policy_log_ratio(pi, pi_b)
    assert np.all(L[pi == 0] == -np.inf)
    # E_{pi_b}[pi/pi_b] = 1
    np.testing.assert_allclose(np.sum(pi_b * np.exp(L), -1), 1.0, atol=1e-10)


@given(tabular_mdps(max_states=4, max_actions=3), st.sampled_from(["row_sum", "negative", "nan", "gamma"]))
def test_bad_inputs_raise(mdp, kind):
    P, R, mu0, gamma = np.array(mdp.P), np.array(mdp.R), np.array(mdp.mu0), mdp.gamma
    if kind == "row_sum":
        P = P * 1.01
        match = "P rows must sum to 1"
    elif kind == "negative":
        P = P.copy()
        P[0, 0, 0] = -0.5
        match = "P"
    elif kind == "nan":
        R = R.copy()
        R[0, 0] = np.nan
        match = "R must contain only finite"
    else:
        gamma = 1.0
        match = "gamma"
    with pytest.raises(ValueError, match=match):
        te.TabularMDP(P, R, mu0, gamma)


@given(mdp_and_policy(max_states=4, max_actions=3), st.sampled_from(["sum", "shape", "nan"]))
def test_bad_policies_raise(world, kind):
    mdp, pi = world
    if kind == "sum":
        bad = pi * 2
    elif kind == "shape":
        bad = np.full((mdp.n_states, mdp.n_actions + 1), 1.0 / (mdp.n_actions + 1))
    else:
        bad = pi.copy()
        bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="pi"):
        te.evaluate_policy(mdp, bad)
    with pytest.raises(ValueError, match="pi"):
        te.occupancy(mdp, bad)
