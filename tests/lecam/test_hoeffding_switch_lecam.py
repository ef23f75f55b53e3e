"""``lecam.rules.guarantee`` checks the Hoeffding rule's switch point exactly: a wrong radius constant that keeps the
rule conservative (so the delta/2 guarantee still holds) is caught."""

import numpy as np
import pytest

from lrtcheck.certify.mutation import patched
from lrtcheck.certify.registry import get
from lrtcheck.certify.runner import run_check
from lrtcheck.claims.lecam.rules import MUTANTS
from lrtcheck.lecam import model_bias_pair, pessimistic_rule, statistic_grid



@pytest.mark.parametrize("mutant_id", ["lecam.hoeffding_radius_one_sided", "lecam.hoeffding_radius_no_half"])
def test_wrong_hoeffding_radius_is_caught(mutant_id):
    m = next(m for m in MUTANTS if m.id == mutant_id)
    spec = get("lecam.rules.guarantee")
    with patched(m):
        bad = run_check(spec, tier="quick")
    assert not bad.passed and "Hoeffding's exact point" in bad.message


def test_hoeffding_switch_point_by_hand():
    """At k = 100, delta = 0.05 and the tie theta* = m cosh(epsilon): action 1 iff j > 100 theta* + sqrt(50 log 40),
    so from the next integer on."""
    prob = model_bias_pair(100, 0.3, 0.2, m=0.5)
    k, j, valid = statistic_grid(100)
    x = np.where(valid, pessimistic_rule(0.05)(k, j, prob), 0.0)
    t = 100 * prob.tie + np.sqrt(100 * np.log(40) / 2)
    assert int(np.argmax(x[100] > 0.5)) == int(np.floor(t)) + 1
    assert run_check(get("lecam.rules.guarantee"), tier="quick").passed
