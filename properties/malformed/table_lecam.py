"""Valid calls of ``lrtcheck.lecam`` (one per entry point) for the malformed-input suite."""

import numpy as np

import lrtcheck.lecam as L

from . import constants, fn, method, record

PACKAGE = L
CONSTANTS = constants()
UNFUZZED = {}

W = {"n": ">=0", "w": "[0,1]", "q0": "[0,1]", "q1": "[0,1]", "q": "[0,1]"}
G = {"gamma": "[0,1)"}


def prob():
    return L.model_bias_pair(4, 0.5, 0.2)


def law(q):
    return L.trinomial_law(4, 0.5, q, log=True)


ENTRIES = [
    fn("two_point_tv", L.two_point_tv, 5, 0.5, 0.3, 0.6, domains=W),
    # KL to a point mass (q1 at 0 or 1 with q0 inside) is +inf: a legal infinite answer, documented
    fn("two_point_kl", L.two_point_kl, 5, 0.5, 0.3, 0.6, domains=W, inf_ok=True),
    fn("two_point_bhattacharyya", L.two_point_bhattacharyya, 5, 0.5, 0.3, 0.6, domains=W),
    fn("two_point_hellinger_sq", L.two_point_hellinger_sq, 5, 0.5, 0.3, 0.6, domains=W),
    fn("two_point_divergences", L.two_point_divergences, 5, 0.5, 0.3, 0.6, domains=W, inf_ok=True),
    record("TwoPointDivergences", L.TwoPointDivergences, lambda: L.two_point_divergences(5, 0.5, 0.3, 0.6),
           domains={k: "[0,1]" for k in ("tv", "bhattacharyya", "hellinger_sq", "pinsker_upper",
                                         "bretagnolle_huber_upper", "hellinger_lower", "hellinger_upper")}
           | {"kl": ">=0"}, allow={"kl": ("inf",)}, inf_ok=True),
    method("TwoPointDivergences.bounds_hold", lambda: L.two_point_divergences(5, 0.5, 0.3, 0.6), "bounds_hold",
           1e-12, domains={"tol": ">=0"}),
    fn("bernoulli_kl", L.bernoulli_kl, 0.3, 0.6, domains=W, inf_ok=True),
    fn("binomial_tv", L.binomial_tv, np.array([0, 1, 2]), 0.3, 0.6, domains=W),
    fn("joint_law", L.joint_law, 4, 0.5, 0.3, domains=W),
    fn("trinomial_law", L.trinomial_law, 4, 0.5, 0.3, domains=W),
    fn("enumerated_divergences", L.enumerated_divergences, law(0.3), law(0.6), inf_ok=True),
    record("TwoPointProblem", L.TwoPointProblem, prob, domains={"n": ">=1", "w": "[0,1]"},
           allow={"kind": ("any",)}),
    method("TwoPointProblem.joint", prob, "joint", 1, domains={"i": "[0,1]"}),
    fn("model_bias_pair", L.model_bias_pair, 4, 0.5, 0.2,
       domains={**G, "n": ">=1", "w": "[0,1]", "epsilon": "[0,1]", "m": "[0,1]", "alpha": ">0"}),
    fn("policy_shift_pair", L.policy_shift_pair, 4, 0.5, 0.2,
       # epsilon is a shift in logit units here: any epsilon > 0 (refused only where expit rounds to 0 or 1)
       domains={**G, "n": ">=1", "w": "[0,1]", "epsilon": ">0", "b": "[0,1]", "beta": ">0"}),
    fn("no_overlap_pair", L.no_overlap_pair, 4, domains={**G, "n": ">=1"}),
    fn("subopt_from_mdps", L.subopt_from_mdps, prob().mdps, 0, domains={"decision_state": ">=0"}),
    record("RiskResult", L.RiskResult, lambda: L.exact_risk(L.greedy_rule(), prob()),
           # delta is the suboptimality gap Delta (a return, H alpha m sinh(eps)), not a probability
           domains={"delta": ">=0", "tv": "[0,1]", "lower_bound": ">=0"}, allow={"rule": ("any",)}),
    fn("exact_risk", L.exact_risk, L.greedy_rule(), prob()),
    fn("all_deterministic_rule_risks", L.all_deterministic_rule_risks, L.model_bias_pair(1, 0.5, 0.2), max_cells=16,
       domains={"max_cells": ">=1"}),
    fn("statistic_grid", L.statistic_grid, 4, domains={"n": ">=0"}),
    fn("Rule", L.Rule, "mine", lambda k, j, problem: np.zeros(np.shape(k)), allow={"name": ("any",)}),
    # j is a count (successes among k visits), not a 0/1 label: the valid call has j = 2 at k = 2
    method("Rule.__call__", L.greedy_rule, "__call__", np.array([0, 1, 2]), np.array([0, 1, 2]), prob(),
           allow={"problem": ("none",)}),  # None is legal for rules that ignore the problem (table, constant)
    fn("greedy_rule", L.greedy_rule),
    fn("pessimistic_rule", L.pessimistic_rule, 0.05, domains={"delta": "(0,1)"}),
    fn("certified_rule", L.certified_rule, 0.05, domains={"delta": "(0,1)"}),
    fn("constant_rule", L.constant_rule, 0.5, domains={"p": "[0,1]"}),
    fn("likelihood_ratio_rule", L.likelihood_ratio_rule),
    fn("table_rule", L.table_rule, np.full((5, 5), 0.5), allow={"name": ("any",)}),
]
