"""Commands that read the registry: explain prints a reproduce line for each tier the check runs in (a full-only
check says full) and names its declared defect; mutants --list shows what each mutant runs against."""

from lrtcheck.cli import main


def test_explain_reproduces_in_the_checks_own_tiers(capsys):
    assert main(["explain", "risk.learned.tabular"]) == 0
    out = capsys.readouterr().out
    assert "--tier full --seed SEED --check 'risk.learned.tabular'" in out and "--tier quick" not in out
    assert main(["explain", "stats.conformal.coverage"]) == 0
    out = capsys.readouterr().out
    assert "--tier quick --seed SEED" in out and "--tier full --seed SEED" in out
    assert "declared defect: stats.rank_plus_one" in out
    assert "\n    Per drawn (n, alpha)" in out and "\n        fresh" not in out  # the design, dedented


def test_mutants_list_shows_the_whole_family_plan(capsys):
    assert main(["mutants", "--list", "--only", "stats.rank_*"]) == 0
    out = capsys.readouterr().out
    assert "stats.rank_plus_one" in out and "declares: stats.conformal.coverage" in out
    from lrtcheck.certify.registry import all_checks

    assert f"({len(all_checks('quick'))} checks;" in out  # the statistical core is used by every family
