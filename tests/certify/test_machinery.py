"""The certification machinery: verdicts against expectations, design rules, seeds, schema, CLI exit codes."""

import math

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from lrtcheck.certify import Claim, Evidence, run_check
from lrtcheck.certify.registry import CheckSpec, all_checks, select
from lrtcheck.certify.results import read_results, results_frame, write_results
from lrtcheck.cli import main as cli_main
from lrtcheck.stats import ErrorBudget


def _spec(func, expectation="holds", stochastic=True, cid="demo.check"):
    claim = Claim(id=cid, source="test", statement="a demo claim", expectation=expectation)
    return CheckSpec(check_id=cid, claim=claim, func=func, stochastic=stochastic)


BUDGET = ErrorBudget.equal(["demo.check"], total=1e-3)


def _ev(verdict, power=0.999, ff=None):
    def f(ctx):
        d = ctx.design("demo defect", 0.1, power, 100, false_fail_rate=ff)
        return Evidence(verdict=verdict, n=100, estimate=0.5, design=d)
    return f


def test_holds_claim_passes_on_holds_and_fails_on_violated():
    assert run_check(_spec(_ev("holds")), budget=BUDGET).passed
    assert not run_check(_spec(_ev("violated")), budget=BUDGET).passed


def test_fails_claim_passes_only_when_violation_reproduced():
    assert run_check(_spec(_ev("violated", power=1 - 1e-6), "fails"), budget=BUDGET).passed
    assert not run_check(_spec(_ev("holds", power=1 - 1e-6), "fails"), budget=BUDGET).passed


def test_fails_claim_needs_power_one_minus_share():
    res = run_check(_spec(_ev("violated", power=0.995), "fails"), budget=BUDGET)
    assert not res.passed and "power" in res.message


def test_design_rules_enforced():
    low_power = run_check(_spec(_ev("holds", power=0.5)), budget=BUDGET)
    assert not low_power.passed and "power" in low_power.message
    over_budget = run_check(_spec(_ev("holds", ff=0.01)), budget=BUDGET)
    assert not over_budget.passed and "budget" in over_budget.message
    no_design = run_check(_spec(lambda ctx: Evidence(verdict="holds")), budget=BUDGET)
    assert not no_design.passed and "design" in no_design.message
    exact = run_check(_spec(lambda ctx: Evidence(verdict="holds"), stochastic=False), budget=BUDGET)
    assert exact.passed and exact.false_fail_rate == 0.0


def test_crashing_check_fails_with_error_verdict():
    def boom(ctx):
        raise RuntimeError("kaboom")

    res = run_check(_spec(boom), budget=BUDGET)
    assert not res.passed and res.verdict == "error" and "kaboom" in res.message


def test_streams_depend_only_on_root_and_id():
    seen = {}

    def draw(ctx):
        seen[ctx.check_id] = ctx.rng.random(3)
        return Evidence(verdict="holds", design=ctx.design("d", 0.1, 1.0, 3))

    run_check(_spec(draw, cid="demo.a"), root_seed=5, budget=BUDGET)
    first = seen["demo.a"].copy()
    run_check(_spec(draw, cid="demo.b"), root_seed=5, budget=BUDGET)
    run_check(_spec(draw, cid="demo.a"), root_seed=5, budget=BUDGET)
    assert np.array_equal(first, seen["demo.a"])
    run_check(_spec(draw, cid="demo.a"), root_seed=6, budget=BUDGET)
    assert not np.array_equal(first, seen["demo.a"])


def _rep(ss, scale):
    return float(np.random.default_rng(ss).random() * scale)


def test_replications_identical_across_executors():
    from lrtcheck.certify.executors import ProcessExecutor

    out = {}

    def f(ctx):
        out[type(ctx.executor).__name__] = ctx.replicate(_rep, 16, 2.0)
        return Evidence(verdict="holds", design=ctx.design("d", 0.1, 1.0, 16))

    run_check(_spec(f), root_seed=3, budget=BUDGET)
    ex = ProcessExecutor(2)
    try:
        run_check(_spec(f), root_seed=3, budget=BUDGET, executor=ex)
    finally:
        ex.close()
    assert out["SerialExecutor"] == out["ProcessExecutor"]


def test_results_schema_validates_and_roundtrips(tmp_path):
    res = run_check(_spec(_ev("holds")), budget=BUDGET)
    df = results_frame([res.row()])
    write_results(df, tmp_path)
    back = read_results(tmp_path)
    assert list(back.columns) == list(df.columns) and bool(back["passed"].iloc[0])
    bad = df.copy()
    bad.loc[0, "p_value"] = 1.5
    with pytest.raises(pandera.errors.SchemaError):
        results_frame(bad.to_dict("records"))


def test_claim_validation():
    with pytest.raises(ValueError, match="expectation"):
        Claim(id="a.b", source="s", statement="x", expectation="maybe")
    with pytest.raises(ValueError, match="claim id"):
        Claim(id="nodots", source="s", statement="x")


def test_registry_selection():
    ids = [s.check_id for s in select(["stats.*"])]
    assert "stats.dkw.band_coverage" in ids
    with pytest.raises(ValueError, match="no registered check"):
        select(["nope.*"])
    assert all(s.check_id for s in all_checks("quick"))


def test_cli_exit_codes(tmp_path, capsys):
    assert cli_main(["certify", "--check", "stats.*", "--out", str(tmp_path), "--quiet", "--no-figures"]) == 0
    assert (tmp_path / "results.csv").exists() and (tmp_path / "index.html").exists()
    assert cli_main(["certify", "--check", "nope.*", "--out", str(tmp_path)]) == 2
    assert cli_main(["certify", "--seed", "abc", "--out", str(tmp_path)]) == 2
    assert cli_main(["explain", "nope.x"]) == 2
    assert cli_main(["report", str(tmp_path / "missing")]) == 2
    assert cli_main(["report", str(tmp_path), "--no-figures"]) == 0
    assert cli_main(["list"]) == 0


def test_evidence_is_frozen_and_its_details_read_only():
    ev = Evidence(verdict="holds", details={"a": [1, 2], "b": {"c": 1.0}}, artifacts={"x": np.arange(3.0)})
    with pytest.raises(Exception):
        ev.verdict = "violated"  # type: ignore[misc]
    for mutate in (lambda: ev.details.__setitem__("a", 0), lambda: ev.details["a"].append(3),
                   lambda: ev.details["b"].update(c=2.0), lambda: ev.artifacts["x"].__setitem__(0, 9.0)):
        with pytest.raises((TypeError, ValueError)):
            mutate()
    import json
    import pickle

    assert json.loads(json.dumps(ev.details)) == {"a": [1, 2], "b": {"c": 1.0}}
    assert isinstance(ev.details, dict) and isinstance(ev.details["a"], list)
    assert pickle.loads(pickle.dumps(ev)).details == ev.details


def test_evidence_from_decision_carries_the_decision_and_its_design():
    from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision, split_share

    share = 1e-3
    count = binomial_count_decision(70, 100, 0.7, split_share(share, 2), defect_rate=0.9, target_defect="bias")
    other = binomial_count_decision(20, 100, 0.25, split_share(share, 2), defect_rate=0.5)
    joint = bonferroni([count, other, exact_decision(True)], share)
    ev = Evidence.from_decision(joint, details={"k": 1}, design_n=200)
    assert (ev.verdict, ev.n, ev.estimate, ev.lower, ev.upper, ev.bound, ev.p_value) == (
        "holds", 100, 0.7, count.lower, count.upper, 0.7, joint.p_value)
    d = ev.design
    assert (d.false_fail_rate, d.target_defect, d.defect_size, d.power, d.n) == (
        share, "bias", count.defect_size, min(count.power, other.power), 200)
    assert ev.decision is joint and ev.details == {"k": 1} and ev.message == ""
    assert run_check(_spec(lambda ctx: Evidence.from_decision(joint)), budget=BUDGET).passed
    exact = Evidence.from_decision(exact_decision(False, estimate=2.0, bound=0.0, message="two mismatches"))
    assert exact.design is None and exact.verdict == "violated" and exact.message == "two mismatches"
    with pytest.raises(TypeError, match="overrides"):
        Evidence.from_decision(joint, p_value=0.5)
    with pytest.raises(ValueError, match="exceeds the share"):
        Evidence.from_decision(joint, false_fail_rate=2 * share)
