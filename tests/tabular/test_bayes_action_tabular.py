"""``tabular.bayes_logit.identity`` at mismatched state marginals and with an empty cell: an action logit that drops
its state term passes the matched-marginal check but not this one."""

from lrtcheck.certify.mutation import patched
from lrtcheck.certify.registry import get
from lrtcheck.certify.runner import run_check
from lrtcheck.claims.tabular.bayes_logits import MUTANTS

NO_STATES = next(m for m in MUTANTS if m.id == "tabular.action_logit_no_states")


def test_bayes_identity_holds_and_sees_the_state_marginals():
    spec = get("tabular.bayes_logit.identity")
    clean = run_check(spec, tier="quick")
    assert clean.passed and clean.evidence.details["min_state_marginal_gap"] > 1e-3
    with patched(NO_STATES):
        bad = run_check(spec, tier="quick")
    assert not bad.passed and "action" in bad.message
