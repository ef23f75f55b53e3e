"""Exact-ratio tabular worlds: validated MDPs, generators, policies, data sets, models, exact batched solvers,
exact log-ratios and exact Bayes-optimal discriminator logits (docs/methods/tabular.md)."""

from .datasets import (
    Transitions,
    count_transitions,
    geometric_stop_samples,
    sample_categorical,
    sample_dataset,
    sample_next_states,
    sample_occupancy_pairs,
    sample_rollouts,
)
from .generators import RiskyChain, chain_mdp, gridworld_mdp, random_kernel, random_mdp, risky_chain
from .mdp import TabularMDP, stack_mdps, validate_kernel, validate_policy
from .models import PerturbedModel, fit_model, max_abs_log_ratio, perturb_kernel, perturb_to_gap
from .policies import (
    behaviour_policy,
    epsilon_greedy_policy,
    greedy_policy,
    mix_policies,
    random_policy,
    softmax_policy,
    uniform_policy,
)
from .ratios import (
    bayes_logit_action,
    bayes_logit_from_joint,
    bayes_logit_state_action,
    bayes_logit_transition,
    darc_difference,
    log_ratio,
    policy_log_ratio,
    prior_log_odds,
    transition_log_ratio,
)
from .solvers import (
    ValueIterationResult,
    concentrability,
    evaluate_policy,
    occupancy,
    policy_iteration,
    policy_kernel,
    policy_return,
    q_values,
    soft_evaluate_policy,
    soft_value_iteration,
    state_occupancy,
    value_iteration,
)

__all__ = [
    "TabularMDP", "stack_mdps", "validate_kernel", "validate_policy",
    "random_mdp", "random_kernel", "chain_mdp", "gridworld_mdp", "risky_chain", "RiskyChain",
    "uniform_policy", "greedy_policy", "softmax_policy", "epsilon_greedy_policy", "random_policy", "mix_policies",
    "behaviour_policy",
    "Transitions", "sample_dataset", "sample_rollouts", "sample_occupancy_pairs", "geometric_stop_samples",
    "sample_categorical", "sample_next_states", "count_transitions",
    "fit_model", "perturb_kernel", "perturb_to_gap", "PerturbedModel", "max_abs_log_ratio",
    "evaluate_policy", "q_values", "policy_return", "policy_kernel", "state_occupancy", "occupancy",
    "value_iteration", "policy_iteration", "soft_value_iteration", "soft_evaluate_policy", "concentrability",
    "ValueIterationResult",
    "log_ratio", "transition_log_ratio", "policy_log_ratio", "prior_log_odds", "bayes_logit_transition",
    "bayes_logit_state_action", "bayes_logit_action", "darc_difference", "bayes_logit_from_joint",
]
