"""The worlds of the lecam checks (lrtcheck.worlds.lecam)."""

import pytest

from lrtcheck.lecam import TwoPointProblem
from lrtcheck.worlds.lecam import evaluated_rules, rule_guarantee_problems, two_point_pair


def test_two_point_pair_builds_both_kinds_and_refuses_others():
    assert two_point_pair("model", n=10, w=0.1, epsilon=0.2).kind == "model"
    assert two_point_pair("policy", n=10, w=0.1, epsilon=0.2).kind == "policy"
    with pytest.raises(ValueError, match="kind"):
        two_point_pair("no_overlap", n=10)


def test_rule_guarantee_problems_cover_both_signs_and_ties_on_both_sides_of_one_half():
    probs = rule_guarantee_problems(20)
    assert all(isinstance(p, TwoPointProblem) and p.n == 20 and p.w == 0.05 for _, _, p in probs)
    assert {p.sign for _, _, p in probs} == {-1, 1}
    ties = [p.tie for _, _, p in probs]
    assert min(ties) < 0.5 < max(ties)


def test_evaluated_rules_are_distinct():
    names = [r.name for r in evaluated_rules()]
    assert len(names) == len(set(names)) == 9
