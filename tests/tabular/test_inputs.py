"""Bad inputs raise ValueError naming the parameter and the rule."""

import numpy as np
import pytest

import tabular_envs as te


def good():
    m = te.random_mdp(3, 2, seed=0)
    return np.array(m.P), np.array(m.R), np.array(m.mu0)


@pytest.mark.parametrize("mutate, match", [
    (lambda P, R, mu0: (P * 1.1, R, mu0), "P rows must sum to 1"),
    (lambda P, R, mu0: (np.where(P == P.max(), -0.1, P), R, mu0), "P must not contain negative"),
    (lambda P, R, mu0: (np.where(P == P.max(), np.nan, P), R, mu0), "P must contain only finite"),
    (lambda P, R, mu0: (P, np.full_like(R, np.nan), mu0), "R must contain only finite"),
    (lambda P, R, mu0: (P, R[:, :1], mu0), "R must have shape"),
    (lambda P, R, mu0: (P, R, mu0[:2] / mu0[:2].sum()), "mu0 must have shape"),
    (lambda P, R, mu0: (P, R, mu0 * 2), "mu0 rows must sum to 1"),
    (lambda P, R, mu0: (P[:, :, :2], R, mu0), "P must have shape"),
])
def test_mdp_refuses(mutate, match):
    P, R, mu0 = mutate(*good())
    with pytest.raises(ValueError, match=match):
        te.TabularMDP(P, R, mu0, 0.9)


@pytest.mark.parametrize("gamma", [1.0, -0.1, np.nan, 1.5])
def test_gamma_refused(gamma):
    P, R, mu0 = good()
    with pytest.raises(ValueError, match="gamma"):
        te.TabularMDP(P, R, mu0, gamma)


def test_batch_mismatch_refused():
    P, R, mu0 = good()
    with pytest.raises(ValueError, match="do not broadcast"):
        te.TabularMDP(np.stack([P, P]), np.stack([R, R, R]), mu0, 0.9)


def test_policy_refused():
    m = te.random_mdp(3, 2, seed=0)
    with pytest.raises(ValueError, match="pi rows must sum to 1"):
        te.evaluate_policy(m, np.full((3, 2), 0.6))
    with pytest.raises(ValueError, match="pi must have n_actions=2 actions"):
        te.evaluate_policy(m, np.full((3, 3), 1 / 3))
    with pytest.raises(ValueError, match="mdp must be a TabularMDP"):
        te.evaluate_policy(m.P, np.full((3, 2), 0.5))


def test_generators_refuse():
    with pytest.raises(ValueError, match="n_states"):
        te.random_mdp(0, 2)
    with pytest.raises(ValueError, match="sparsity"):
        te.random_mdp(3, 2, sparsity=1.0)
    with pytest.raises(ValueError, match="reward_range"):
        te.random_mdp(3, 2, reward_range=(1.0, 0.0))
    with pytest.raises(ValueError, match="q must lie in"):
        te.risky_chain(1.2)
    with pytest.raises(ValueError, match="temperature"):
        te.softmax_policy(np.zeros((2, 2)), 0.0)
    with pytest.raises(ValueError, match="epsilon"):
        te.epsilon_greedy_policy(np.zeros((2, 2)), 1.5)
    with pytest.raises(ValueError, match="temperature"):
        te.soft_value_iteration(te.random_mdp(2, 2), -1.0)


def test_log_ratio_conventions():
    P = np.array([[[1.0, 0.0], [0.5, 0.5]]])[:, :, :]  # (1, 2, 2) is (S=1?) -> use a 2-state kernel instead
    P = np.array([[[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]]])
    M = np.array([[[0.5, 0.5], [1.0, 0.0]], [[0.0, 1.0], [0.5, 0.5]]])
    with pytest.raises(ValueError, match="undefined where both probabilities are 0"):
        te.transition_log_ratio(P, M)
    L = te.transition_log_ratio(P, M, undefined=0.0)
    assert L[0, 0, 0] == pytest.approx(np.log(2)) and L[0, 0, 1] == -np.inf
    assert L[0, 1, 1] == np.inf and L[1, 0, 0] == 0.0
    with pytest.raises(ValueError, match="undefined must be"):
        te.transition_log_ratio(P, M, undefined="zero")
    with pytest.raises(ValueError, match="prior"):
        te.prior_log_odds(1.0)


def test_model_inputs():
    with pytest.raises(ValueError, match="counts must contain integers >= 0"):
        te.fit_model(-np.ones((2, 1, 2)))
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        te.fit_model(np.zeros((2, 1, 2)), smoothing=0.0)
    P = te.random_mdp(3, 2, seed=1).P
    with pytest.raises(ValueError, match="epsilon"):
        te.perturb_kernel(P, 1.5)
    with pytest.raises(ValueError, match="gap must be at most"):
        te.perturb_to_gap(P, 1e6)
