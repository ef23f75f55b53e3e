"""``lecam.rules.guarantee`` checks the Hoeffding rule's switch point exactly: a wrong radius constant that keeps the
rule conservative (so the delta/2 guarantee still holds) is caught."""

import numpy as np
import pytest

from lrtcheck.certify.mutation import Mutant, patched, source_edit
from lrtcheck.certify.registry import get
from lrtcheck.certify.runner import run_check
from lrtcheck.lecam import model_bias_pair, pessimistic_rule, statistic_grid

_RAD = "rad = np.sqrt(np.log(2.0 / delta) / (2.0 * kk))"


@pytest.mark.parametrize("edit", ["rad = np.sqrt(np.log(1.0 / delta) / (2.0 * kk))",
                                  "rad = np.sqrt(np.log(2.0 / delta) / kk)"])
def test_wrong_hoeffding_radius_is_caught(edit):
    m = Mutant("lecam.hoeffding_radius", "lrtcheck.lecam.rules:pessimistic_rule", "a wrong Hoeffding radius",
               source_edit((_RAD, edit)), ("lecam.rules.guarantee",))
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
