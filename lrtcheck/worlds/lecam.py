"""Worlds of the ``lecam.*`` checks: the two-point instances and the decision rules evaluated on them
(docs/methods/lecam.md).

Each instance is an exact :class:`lrtcheck.lecam.TwoPointProblem`: the law of the sufficient statistic (k, j) under
both instances, the exact suboptimality of each action (exact policy evaluation of the two MDPs), Delta and the Le
Cam bound ``(Delta/2)(1 - TV)`` (docs/methods/lecam.md §1-§6).  Every rule's risk on it is an exact finite sum
(§7), so no check of this family samples.
"""

from __future__ import annotations

from lrtcheck.lecam import (
    certified_rule,
    constant_rule,
    greedy_rule,
    likelihood_ratio_rule,
    model_bias_pair,
    pessimistic_rule,
    policy_shift_pair,
)

__all__ = ["PAIRS", "two_point_pair", "evaluated_rules", "RULE_GUARANTEE_SETTINGS", "rule_guarantee_problems"]

#: the two constructions with an informative pair: the model-bias pair (risky chain, q_i = m e^{-+eps},
#: docs/methods/lecam.md §4) and the policy-shift pair (logit pi_b^i = logit b -+ eps, §5)
PAIRS = {"model": model_bias_pair, "policy": policy_shift_pair}


def two_point_pair(kind: str, **params):
    """The ``kind`` (``"model"`` or ``"policy"``) pair built with ``params`` (n, w, epsilon, gamma, ...)."""
    if kind not in PAIRS:
        raise ValueError(f"kind must be one of {sorted(PAIRS)}, got {kind!r}")
    return PAIRS[kind](**params)


def evaluated_rules() -> list:
    """The rules every bound check evaluates (docs/methods/lecam.md §7): greedy plug-in, Hoeffding-pessimistic at
    delta = 0.05, C-SAR-style certified (Clopper-Pearson) at delta = 0.01, 0.05, 0.2, the Bayes likelihood-ratio rule
    and the constants 0, 1 and the fair coin."""
    return [greedy_rule(), pessimistic_rule(0.05), certified_rule(0.01), certified_rule(0.05), certified_rule(0.2),
            likelihood_ratio_rule(), constant_rule(0.0), constant_rule(1.0), constant_rule(0.5)]


#: (pair, construction parameters) of the rule-guarantee check: both pairs, ties on both sides of 1/2
RULE_GUARANTEE_SETTINGS = (("model", dict(m=0.5, epsilon=0.3)), ("model", dict(m=0.3, epsilon=0.1)),
                           ("policy", dict(b=0.37, epsilon=0.2)), ("policy", dict(b=0.62, epsilon=0.4)))


def rule_guarantee_problems(n: int):
    """``[(kind, params, problem), ...]``: each setting of :data:`RULE_GUARANTEE_SETTINGS` with n samples and visit
    probability w = 0.05; the check reads only its tie (the theta at which both actions are equally good) and the
    side on which action 1 is better (``sign``)."""
    return [(kind, extra, two_point_pair(kind, n=n, w=0.05, **extra)) for kind, extra in RULE_GUARANTEE_SETTINGS]
