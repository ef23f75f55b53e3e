"""The worlds of the tabular checks (lrtcheck.worlds.tabular) have the exact properties their docstrings state."""

import numpy as np
import pytest

import tabular_envs as te
from lrtcheck.worlds.tabular import (WORLD_SEED, batched_evaluation_world, batched_soft_world, bayes_logit_world,
                                     random_policy_world, solver_worlds, started_at)


def test_random_policy_world_is_fixed_and_its_success_rates_are_probabilities():
    (m1, p1), (m2, p2) = random_policy_world(6, 3, 0.8), random_policy_world(6, 3, 0.8, WORLD_SEED)
    assert np.array_equal(m1.P, m2.P) and np.array_equal(m1.R, m2.R) and np.array_equal(p1, p2)
    assert not np.array_equal(random_policy_world(6, 3, 0.8, WORLD_SEED + 1)[1], p1)
    rate = (1 - 0.8) * te.evaluate_policy(m1, p1)  # rewards in [0, 1]: E[r(s_T, a_T) | s_0 = s]
    assert np.all((rate > 0) & (rate < 1))


def test_started_at_evaluates_the_start_state():
    mdp, pi = random_policy_world(5, 3, 0.7)
    V = te.evaluate_policy(mdp, pi)
    for s in range(5):
        start = started_at(mdp, s)
        assert start.mu0[s] == 1.0 and start.mu0.sum() == 1.0
        assert te.policy_return(start, pi) == pytest.approx(V[s], rel=1e-12)


def test_bayes_logit_worlds_have_mismatched_marginals_and_one_balanced_prior():
    worlds = [bayes_logit_world(k, 6) for k in range(6)]
    assert [w.prior for w in worlds].count(0.5) == 1
    for w in worlds:
        assert w.d_env.shape == (w.n_states, w.n_actions) and w.d_env.sum() == pytest.approx(1.0, abs=1e-12)
        assert np.max(np.abs(w.d_env - w.d_model)) > 1e-3  # the lone (s, a, s') logit is biased there
        assert np.all(w.behaviour >= 0.2 / w.n_actions - 1e-15)  # coverage 0.2


def test_solver_and_batched_worlds():
    worlds = solver_worlds(3)
    assert len(worlds) == 5 and all(len(w.policies) == 4 for w in worlds)
    assert all(np.allclose(w.policies[-1], 1.0 / w.mdp.n_actions) for w in worlds)
    ev = batched_evaluation_world()
    assert ev.mdp.batch_shape == (4,) and np.array_equal(ev.mdp.gamma_array, ev.gammas)
    soft = batched_soft_world(2)
    assert len(soft.policies) == 2 and soft.reference.shape == (3, 4, 3)
