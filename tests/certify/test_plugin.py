"""The pytest plugin, run in a sub-session with pytester: options, results, xdist merge."""

import json

import pandas as pd
import pytest

from lrtcheck.certify import select

pytest_plugins = ["pytester"]

N_STATS = len(select(["stats.*"]))

GATE_TEST = """
import pytest

@pytest.mark.lrtcheck_select("stats.*")
def test_gate(lrtcheck_check_id, lrtcheck_gate):
    result = lrtcheck_gate.run(lrtcheck_check_id)
    assert result.passed, result.describe()
"""


def test_plugin_runs_selected_checks_and_writes_report(pytester):
    pytester.makepyfile(test_gate=GATE_TEST)
    out = pytester.path / "rep"
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--lrtcheck-seed", "11",
                                        "--lrtcheck-report", str(out))
    res.assert_outcomes(passed=N_STATS)
    res.stdout.fnmatch_lines([f"*{N_STATS}/{N_STATS} checks passed (tier quick, root seed 11*"])
    df = pd.read_csv(out / "results.csv")
    assert set(df["seed"]) == {11} and (out / "index.html").exists()


def test_plugin_under_xdist_merges_rows_with_one_seed(pytester):
    pytester.makepyfile(test_gate=GATE_TEST)
    out = pytester.path / "rep"
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--lrtcheck-seed", "random",
                                        "--lrtcheck-report", str(out))
    res.assert_outcomes(passed=N_STATS)
    df = pd.read_csv(out / "results.csv")
    assert len(df) == N_STATS and df["seed"].nunique() == 1
    assert df["budget_share"].sum() <= 1e-3 + 1e-12
    # figures built on the workers reach the controller's sidecar and the page
    sidecar = json.loads((out / "figures.json").read_text())
    assert sidecar["stats.conformal.coverage"]["plots"]
    assert "data:image/png;base64," in (out / "index.html").read_text()


def test_plugin_rejects_bad_options(pytester):
    pytester.makepyfile(test_gate=GATE_TEST)
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--lrtcheck-seed", "xyz")
    assert res.ret != 0
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--lrtcheck-budget", "3")
    assert res.ret != 0


def test_plugin_loads_by_its_module_name_too(pytester):
    """``-p lrtcheck.plugin`` (the module) alongside the installed entry point: one registration, no crash."""
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "lrtcheck.plugin")
    assert res.ret == 0, res.stdout.str()[-2000:] + res.stderr.str()[-2000:]
    res.assert_outcomes(passed=1)
    res = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--help")
    assert "--lrtcheck-device" in res.stdout.str()
