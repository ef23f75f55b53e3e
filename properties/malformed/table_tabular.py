"""Valid calls of ``tabular_envs`` (one per entry point) for the malformed-input suite."""

import numpy as np

import tabular_envs as T

from . import constants, fn, method, record

PACKAGE = T
CONSTANTS = constants("RiskyChain")  # a namespace of state and action indices
UNFUZZED = {"Transitions.to_frame": "no parameters"}

G = {"gamma": "[0,1)"}
U = "[0,1]"


def mdp():
    return T.random_mdp(3, 2, seed=0)


def pi():
    return T.uniform_policy(3, 2)


def Q():
    return np.array([[1.0, 0.5], [0.2, 0.3], [0.0, 0.9]])


def data():
    return T.sample_dataset(mdp(), pi(), 40, seed=1)


def d(seed):
    return T.occupancy(mdp(), T.random_policy(3, 2, seed=seed))


ENTRIES = [
    fn("TabularMDP", T.TabularMDP, mdp().P, mdp().R, mdp().mu0, 0.9, domains=G),
    method("TabularMDP.with_reward", mdp, "with_reward", mdp().R * 2),
    method("TabularMDP.with_kernel", mdp, "with_kernel", T.random_kernel(3, 2, seed=3)),
    fn("stack_mdps", T.stack_mdps, [mdp(), T.random_mdp(3, 2, seed=1)]),
    # validate_kernel / validate_policy refuse a value by the caller's parameter name (their ``name`` argument):
    # called here with name="value", so that the refusal names the parameter fuzzed
    fn("validate_kernel", T.validate_kernel, "value", mdp().P, allow={"name": ("any",)}),
    fn("validate_policy", T.validate_policy, "value", pi(), 3, 2, allow={"name": ("any",)},
       domains={"n_states": ">=1", "n_actions": ">=1"}),
    # a reward range is an interval, not a probability vector: negative rewards are legal
    fn("random_mdp", T.random_mdp, 3, 2, gamma=0.9, seed=0, sparsity=0.2, concentration=1.0, reward_range=(-1.0, 1.0),
       domains={**G, "n_states": ">=1", "n_actions": ">=1", "sparsity": "[0,1)", "concentration": ">0",
                "seed": ">=0"}),
    fn("random_kernel", T.random_kernel, 3, 2, sparsity=0.2, concentration=1.0, seed=0,
       domains={"n_states": ">=1", "n_actions": ">=1", "sparsity": "[0,1)", "concentration": ">0", "seed": ">=0"}),
    fn("chain_mdp", T.chain_mdp, 4, domains={**G, "n_states": ">=2", "slip": U}),
    # start is a cell (row, column), not a 0/1 label: the valid call starts at (0, 2) of the 3 x 3 grid
    fn("gridworld_mdp", T.gridworld_mdp, 3, 3, start=(0, 2), domains={**G, "height": ">=1", "width": ">=1", "slip": U}),
    fn("risky_chain", T.risky_chain, 0.3, domains={**G, "q": U}),
    fn("uniform_policy", T.uniform_policy, 3, 2, domains={"n_states": ">=1", "n_actions": ">=1"}),
    fn("greedy_policy", T.greedy_policy, Q()),
    fn("softmax_policy", T.softmax_policy, Q(), 0.5, domains={"temperature": ">0"}),
    fn("epsilon_greedy_policy", T.epsilon_greedy_policy, Q(), 0.1, domains={"epsilon": U}),
    fn("random_policy", T.random_policy, 3, 2, concentration=1.0, seed=0,
       domains={"n_states": ">=1", "n_actions": ">=1", "concentration": ">0", "seed": ">=0"}),
    fn("mix_policies", T.mix_policies, pi(), T.random_policy(3, 2, seed=1), 0.3, domains={"weight": U}),
    fn("behaviour_policy", T.behaviour_policy, 3, 2, kind="random", coverage=0.1, seed=0,
       domains={"n_states": ">=1", "n_actions": ">=1", "coverage": U, "temperature": ">0", "concentration": ">0",
                "seed": ">=0"}),
    # actions are indices, not 0/1 labels: the record comes from a three-action MDP
    record("Transitions", T.Transitions, lambda: T.sample_dataset(T.random_mdp(3, 3, seed=0), T.uniform_policy(3, 3), 40,
                                                                  seed=1)),
    fn("sample_dataset", T.sample_dataset, mdp(), pi(), 40, seed=1, domains={"n": ">=1", "seed": ">=0"}),
    fn("sample_rollouts", T.sample_rollouts, mdp(), pi(), 3, 5, seed=1,
       domains={"n_episodes": ">=1", "horizon": ">=1", "seed": ">=0"}),
    fn("sample_occupancy_pairs", T.sample_occupancy_pairs, mdp(), pi(), 40, seed=1,
       domains={"n": ">=1", "seed": ">=0"}),
    fn("geometric_stop_samples", T.geometric_stop_samples, mdp(), pi(), 40, seed=1, max_steps=1000,
       domains={"n": ">=1", "seed": ">=0", "max_steps": ">=1"}),
    fn("sample_categorical", T.sample_categorical, np.array([[0.2, 0.8], [0.5, 0.5]]), np.random.default_rng(0)),
    fn("sample_next_states", T.sample_next_states, mdp().P, np.array([0, 1, 2]), np.array([1, 0, 1]),
       np.random.default_rng(0)),
    fn("count_transitions", T.count_transitions, data(), 3, 2, domains={"n_states": ">=1", "n_actions": ">=1"}),
    fn("fit_model", T.fit_model, T.count_transitions(data(), 3, 2), smoothing=1.0, domains={"smoothing": ">=0"}),
    fn("perturb_kernel", T.perturb_kernel, mdp().P, 0.1, seed=0, domains={"epsilon": ">=0", "seed": ">=0"}),
    fn("perturb_to_gap", T.perturb_to_gap, mdp().P, 0.05, seed=0, domains={"gap": ">=0", "seed": ">=0"}),
    # the gap max |log P/M| is +inf when the supports differ: a legal infinite answer
    record("PerturbedModel", T.PerturbedModel, lambda: T.perturb_kernel(mdp().P, 0.1, seed=0),
           domains={"epsilon": "[0,1]", "max_abs_log_ratio": ">=0"}, allow={"max_abs_log_ratio": ("inf",)},
           inf_ok=True),
    fn("max_abs_log_ratio", T.max_abs_log_ratio, mdp().P, T.perturb_kernel(mdp().P, 0.1, seed=0).M),
    fn("evaluate_policy", T.evaluate_policy, mdp(), pi()),
    fn("q_values", T.q_values, mdp(), pi()),
    fn("policy_return", T.policy_return, mdp(), pi()),
    fn("policy_kernel", T.policy_kernel, mdp(), pi()),
    fn("state_occupancy", T.state_occupancy, mdp(), pi()),
    fn("occupancy", T.occupancy, mdp(), pi()),
    fn("value_iteration", T.value_iteration, mdp(), domains={"tol": ">0", "max_iter": ">=1"}),
    fn("policy_iteration", T.policy_iteration, mdp(), domains={"max_iter": ">=1"}),
    fn("soft_value_iteration", T.soft_value_iteration, mdp(), 0.5, domains={"temperature": ">0", "tol": ">0",
                                                                           "max_iter": ">=1"}),
    fn("soft_evaluate_policy", T.soft_evaluate_policy, mdp(), pi(), 0.5, domains={"temperature": ">0"}),
    fn("concentrability", T.concentrability, d(1), d(2)),
    record("ValueIterationResult", T.ValueIterationResult, lambda: T.value_iteration(mdp())),
    # log_ratio is elementwise on probabilities, which need not form a law (q = (1, 1) is legal): the valid q is
    # not a row of a law, so the suite does not ask for its rows to sum to 1
    fn("log_ratio", T.log_ratio, np.array([0.2, 0.8]), np.array([0.5, 0.4]), allow={"name": ("any",)}),
    fn("transition_log_ratio", T.transition_log_ratio, mdp().P, T.perturb_kernel(mdp().P, 0.1, seed=0).M),
    fn("policy_log_ratio", T.policy_log_ratio, T.random_policy(3, 2, seed=1), pi()),
    fn("prior_log_odds", T.prior_log_odds, 0.3, domains={"prior": "(0,1)"}),
    fn("bayes_logit_transition", T.bayes_logit_transition, mdp().P, T.perturb_kernel(mdp().P, 0.1, seed=0).M,
       d(1), d(2), 0.5, domains={"prior": "(0,1)"}),
    fn("bayes_logit_state_action", T.bayes_logit_state_action, d(1), d(2), 0.5, domains={"prior": "(0,1)"}),
    fn("bayes_logit_action", T.bayes_logit_action, T.random_policy(3, 2, seed=1), pi(),
       T.state_occupancy(mdp(), T.random_policy(3, 2, seed=1)), T.state_occupancy(mdp(), pi()), 0.5,
       domains={"prior": "(0,1)"}),
    # DARC logits may be infinite (a log-ratio where one support is missing), and so may their difference
    fn("darc_difference", T.darc_difference, np.ones((3, 2, 3)) * 0.1, np.ones((3, 2)) * 0.2,
       allow={"z_sas": ("inf",), "z_sa": ("inf",)}, inf_ok=True),
    fn("bayes_logit_from_joint", T.bayes_logit_from_joint, d(1), d(2), 0.5, domains={"prior": "(0,1)"}),
]
