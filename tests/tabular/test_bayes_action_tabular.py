"""``tabular.bayes_logit.identity`` at mismatched state marginals and with an empty cell: an action logit that drops
its state term passes the matched-marginal check but not this one."""

from lrtcheck.certify.mutation import Mutant, patched, source_edit
from lrtcheck.certify.registry import get
from lrtcheck.certify.runner import run_check

NO_STATES = Mutant("tabular.action_logit_no_states", "tabular_envs.ratios:bayes_logit_action",
                   "the action logit without its state term log d_states_pi/d_states_b",
                   source_edit(("log_ratio(ds1[..., None] * pi, ds0[..., None] * pi_b,", "log_ratio(pi, pi_b,")),
                   ("tabular.bayes_logit.identity",))


def test_bayes_identity_holds_and_sees_the_state_marginals():
    spec = get("tabular.bayes_logit.identity")
    clean = run_check(spec, tier="quick")
    assert clean.passed and clean.evidence.details["min_state_marginal_gap"] > 1e-3
    with patched(NO_STATES):
        bad = run_check(spec, tier="quick")
    assert not bad.passed and "action" in bad.message
