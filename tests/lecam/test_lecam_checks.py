"""The lecam.* checks pass (quick tier), and a rule that could beat the bound would be caught."""

from lrtcheck.certify import run_checks, select


def test_lecam_checks_pass_quick():
    results = run_checks(select(["lecam.*"]), tier="quick")
    assert {r.check_id for r in results} == {"lecam.tv.exact", "lecam.bound.model", "lecam.bound.policy",
                                             "lecam.no_overlap", "lecam.tightness", "lecam.rules.guarantee"}
    for r in results:
        assert r.passed, r.describe()
