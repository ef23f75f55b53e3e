"""Le Cam two-point lower bounds for offline RL (docs/methods/lecam.md; C-SAR paper §8): exact instances (model
bias, policy shift, no overlap), exact divergences, and the exact risk of any decision rule by enumerating counts.
Knows nothing of the certification layer."""

from .divergences import (
    TwoPointDivergences,
    bernoulli_kl,
    binomial_tv,
    enumerated_divergences,
    joint_law,
    trinomial_law,
    two_point_bhattacharyya,
    two_point_divergences,
    two_point_hellinger_sq,
    two_point_kl,
    two_point_tv,
)
from .instances import TwoPointProblem, model_bias_pair, no_overlap_pair, policy_shift_pair, subopt_from_mdps
from .risk import RiskResult, all_deterministic_rule_risks, exact_risk, statistic_grid
from .rules import (
    Rule,
    certified_rule,
    constant_rule,
    greedy_rule,
    likelihood_ratio_rule,
    pessimistic_rule,
    table_rule,
)

__all__ = [
    "two_point_tv", "two_point_kl", "two_point_bhattacharyya", "two_point_hellinger_sq", "two_point_divergences",
    "TwoPointDivergences", "bernoulli_kl", "binomial_tv", "joint_law", "trinomial_law", "enumerated_divergences",
    "TwoPointProblem", "model_bias_pair", "policy_shift_pair", "no_overlap_pair", "subopt_from_mdps",
    "RiskResult", "exact_risk", "all_deterministic_rule_risks", "statistic_grid",
    "Rule", "greedy_rule", "pessimistic_rule", "certified_rule", "constant_rule", "likelihood_ratio_rule",
    "table_rule",
]
