"""Exact oracles for the batched solvers: Bellman equations, flow equation, batched == unbatched, peer values."""

import numpy as np
import pytest

import tabular_envs as te


@pytest.fixture(scope="module")
def world():
    mdp = te.random_mdp(7, 3, gamma=0.85, seed=3)
    pi = te.random_policy(7, 3, seed=4)
    return mdp, pi


def test_bellman_equation(world):
    mdp, pi = world
    V = te.evaluate_policy(mdp, pi)
    r_pi = np.sum(pi * mdp.R, -1)
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    np.testing.assert_allclose(V, r_pi + mdp.gamma * P_pi @ V, atol=1e-12)
    Q = te.q_values(mdp, pi)
    np.testing.assert_allclose(np.sum(pi * Q, -1), V, atol=1e-12)


def test_occupancy_flow_equation_and_return(world):
    mdp, pi = world
    d = te.occupancy(mdp, pi)
    assert d.min() >= 0 and abs(d.sum() - 1) < 1e-12
    ds = d.sum(-1)
    flow = (1 - mdp.gamma) * mdp.mu0 + mdp.gamma * np.einsum("sa,sat->t", d, mdp.P)
    np.testing.assert_allclose(ds, flow, atol=1e-12)
    J = te.policy_return(mdp, pi)
    assert abs(J - np.sum(d * mdp.R) / (1 - mdp.gamma)) < 1e-11


def test_occupancy_equals_truncated_series(world):
    mdp, pi = world
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    ds, row = np.zeros(7), mdp.mu0.copy()
    for t in range(600):
        ds += (1 - mdp.gamma) * mdp.gamma ** t * row
        row = row @ P_pi
    np.testing.assert_allclose(te.state_occupancy(mdp, pi), ds, atol=1e-12)


def test_batched_equals_unbatched():
    mb = te.random_mdp(6, 2, seed=9, batch=(3, 2), gamma=0.8)
    pis = np.stack([te.random_policy(6, 2, seed=i) for i in range(2)])  # (2, S, A) broadcasts over (3, 2)
    V = te.evaluate_policy(mb, pis)
    d = te.occupancy(mb, pis)
    assert V.shape == (3, 2, 6) and d.shape == (3, 2, 6, 2)
    for i in range(3):
        for j in range(2):
            np.testing.assert_allclose(V[i, j], te.evaluate_policy(mb[i, j], pis[j]), atol=1e-12)
            np.testing.assert_allclose(d[i, j], te.occupancy(mb[i, j], pis[j]), atol=1e-12)


def test_per_mdp_gamma_in_a_batch():
    ms = [te.random_mdp(4, 2, gamma=g, seed=1) for g in (0.0, 0.5, 0.95)]
    mb = te.stack_mdps(ms)
    pi = te.uniform_policy(4, 2)
    V = te.evaluate_policy(mb, pi)
    for k, m in enumerate(ms):
        np.testing.assert_allclose(V[k], te.evaluate_policy(m, pi), atol=1e-12)
    np.testing.assert_allclose(V[0], np.sum(pi * ms[0].R, -1), atol=1e-14)  # gamma = 0: V = r_pi


def test_value_and_policy_iteration_agree():
    mdp = te.random_mdp(8, 3, seed=5, gamma=0.9)
    pi_res = te.policy_iteration(mdp)
    vi = te.value_iteration(mdp, tol=1e-11)
    np.testing.assert_allclose(vi.V, pi_res.V, atol=1e-10)
    # optimality: Bellman optimality equation holds exactly for the PI values
    Q = te.q_values(mdp, V=pi_res.V)
    np.testing.assert_allclose(Q.max(-1), pi_res.V, atol=1e-11)
    np.testing.assert_allclose(te.evaluate_policy(mdp, pi_res.policy), pi_res.V, atol=1e-12)


def test_soft_value_iteration_fixed_point():
    mdp = te.random_mdp(6, 4, seed=2, gamma=0.9, batch=5)
    Q, V, pi = te.soft_value_iteration(mdp, 0.5)
    np.testing.assert_allclose(te.soft_evaluate_policy(mdp, pi, 0.5), V, atol=1e-8)
    np.testing.assert_allclose(pi.sum(-1), 1.0, atol=1e-12)
    # small temperature approaches the hard optimum
    _, Vh, _ = te.soft_value_iteration(mdp, 1e-4)
    np.testing.assert_allclose(Vh, te.policy_iteration(mdp).V, atol=1e-4 * np.log(4) / (1 - 0.9) + 1e-8)


def test_soft_value_iteration_with_reference_policy():
    mdp = te.random_mdp(5, 3, seed=7)
    ref = te.uniform_policy(5, 3)
    _, V_ref, pi_ref = te.soft_value_iteration(mdp, 0.3, reference=ref)
    _, V, pi = te.soft_value_iteration(mdp, 0.3)
    np.testing.assert_allclose(pi_ref, pi, atol=1e-9)  # a uniform reference only shifts V by tau log(1/A)/(1-g)
    np.testing.assert_allclose(V_ref, V - 0.3 * np.log(3) / (1 - 0.9), atol=1e-8)


def test_concentrability():
    d1 = np.array([[0.5, 0.5], [0.0, 0.0]])
    d2 = np.array([[0.25, 0.25], [0.25, 0.25]])
    assert te.concentrability(d1, d2) == pytest.approx(2.0)
    assert te.concentrability(d2, d1) == np.inf
    assert te.concentrability(d2, d2) == pytest.approx(1.0)


def test_forest_matches_pymdptoolbox():
    mdptoolbox = pytest.importorskip("mdptoolbox")
    import mdptoolbox.example
    import mdptoolbox.mdp

    for S, gamma in ((3, 0.9), (20, 0.95)):
        P, R = mdptoolbox.example.forest(S=S)
        pi_tb = mdptoolbox.mdp.PolicyIteration(P, R, gamma)
        pi_tb.run()
        mdp = te.TabularMDP(np.transpose(P, (1, 0, 2)), R, np.full(S, 1.0 / S), gamma)
        pol = np.zeros((S, 2))
        pol[np.arange(S), np.asarray(pi_tb.policy)] = 1.0
        np.testing.assert_allclose(te.evaluate_policy(mdp, pol), np.asarray(pi_tb.V), rtol=1e-12, atol=1e-10)
        # our exact optimum has the same values (pymdptoolbox maximises too)
        np.testing.assert_allclose(te.policy_iteration(mdp).V, np.asarray(pi_tb.V), rtol=1e-12, atol=1e-10)
