"""Designs over the configuration space: Latin hypercube draws, dimensions, shares, streams, and the record of the
drawn configurations in the evidence and in the reproduce line."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lrtcheck.certify import Claim, Evidence, run_check
from lrtcheck.certify.configurations import Choice, Fixed, Integer, ParameterSpace, Rational, Real
from lrtcheck.certify.registry import CheckSpec
from lrtcheck.stats import ErrorBudget
from lrtcheck.stats.decisions import binomial_count_decision, split_share

SPACE = ParameterSpace("demo", x=Real(0.0, 1.0), n=Integer(3, 12), dtype=Choice("float32", "float64"),
                       alpha=Rational(lambda c: Fraction(1, c["n"] + 1), Fraction(1, 2), 100), fixed=Fixed(7))


@given(hs.integers(0, 2**32 - 1), hs.integers(1, 40))
@settings(max_examples=40, deadline=None)
def test_latin_hypercube_puts_one_configuration_in_each_stratum(seed, k):
    draws = SPACE.draw(np.random.SeedSequence(seed), k)
    assert len(draws) == k
    xs = np.sort([d["x"] for d in draws])
    assert np.array_equal(np.floor(xs * k).astype(int), np.arange(k))  # one point per stratum [i/k, (i+1)/k)
    for d in draws:
        assert 3 <= d["n"] <= 12 and isinstance(d["n"], int)
        assert isinstance(d["alpha"], Fraction) and Fraction(1, d["n"] + 1) <= d["alpha"] <= Fraction(1, 2)
        assert d["alpha"].denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100)
        assert d["fixed"] == 7
    if k >= 2:  # a Choice of m <= k values sees every value
        assert {d["dtype"] for d in draws} == {"float32", "float64"}
    assert SPACE.draw(np.random.SeedSequence(seed), k) == draws  # the same stream draws the same design


def test_integer_ends_are_reached_and_log_scales_are_positive():
    space = ParameterSpace("ends", m=Integer(1, 4))
    assert {d["m"] for d in space.draw(np.random.SeedSequence(1), 4)} == {1, 2, 3, 4}
    logs = ParameterSpace("log", v=Real(1e-3, 1e3, log=True), m=Integer(1, 1000, log=True))
    d = logs.draw(np.random.SeedSequence(2), 50)
    assert min(x["v"] for x in d) < 1e-2 and max(x["v"] for x in d) > 1e2
    with pytest.raises(ValueError, match="log-scaled range needs low > 0"):
        ParameterSpace("bad", v=Real(0.0, 1.0, log=True)).draw(np.random.SeedSequence(0), 2)


@pytest.mark.parametrize("make, match", [
    (lambda: ParameterSpace("s"), "at least one dimension"),
    (lambda: ParameterSpace("", x=Real(0, 1)), "name"),
    (lambda: ParameterSpace("a/b", x=Real(0, 1)), "name"),
    (lambda: ParameterSpace("s", x=(0, 1)), "must be a Real"),
    (lambda: ParameterSpace("s", x=Real(1, 0)).draw(np.random.SeedSequence(0), 1), "low must be <= high"),
    (lambda: ParameterSpace("s", x=Real(0, float("nan"))).draw(np.random.SeedSequence(0), 1), "finite"),
    (lambda: ParameterSpace("s", x=Integer(0.5, 3)).draw(np.random.SeedSequence(0), 1), "integers"),
    (lambda: ParameterSpace("s", x=Rational(Fraction(1, 3), Fraction(1, 3), 10)).draw(
        np.random.SeedSequence(0), 1), "no multiple"),
    (lambda: ParameterSpace("s", x=Real(0, 1)).draw(np.random.SeedSequence(0), 0), ">= 1"),
    (lambda: ParameterSpace("s", x=Real(0, 1)).draw(np.random.SeedSequence(0), True), ">= 1"),
    (lambda: Choice(), "at least one value"),
])
def test_bad_spaces_are_refused_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def _demo_check(fail_index=None):
    def check(ctx):
        configs = ctx.configurations(SPACE, quick=3, full=5)
        parts = []
        for cfg in configs:
            assert cfg.share == split_share(ctx.false_fail_rate, len(configs))
            count = 0 if cfg.index == fail_index else int(cfg.rng.binomial(200, 0.5))
            parts.append(binomial_count_decision(count, 200, 0.5, cfg.share, defect_rate=0.8, target_defect="d"))
        return Evidence.from_decision(configs.join(parts))
    return check


def _spec(func):
    claim = Claim(id="demo.configs", source="test", statement="a demo claim")
    return CheckSpec(check_id="demo.configs", claim=claim, func=func)


BUDGET = ErrorBudget.equal(["demo.configs"], total=1e-3)


def test_drawn_configurations_are_recorded_and_named_in_the_reproduce_line():
    ok = run_check(_spec(_demo_check()), budget=BUDGET, root_seed=11)
    assert ok.passed, ok.describe()
    drawn = ok.evidence.details["config"]
    assert [c["index"] for c in drawn] == [0, 1, 2] and all(c["space"] == "demo" for c in drawn)
    assert ok.evidence.details["config_failed"] == [] and "failing configuration" not in ok.reproduce()
    bad = run_check(_spec(_demo_check(fail_index=1)), budget=BUDGET, root_seed=11)
    assert not bad.passed
    assert bad.evidence.details["config"] == drawn  # the same root seed draws the same configurations
    assert bad.evidence.details["config_failed"] == [{"space": "demo", "index": 1}]
    line = bad.reproduce()
    assert line.startswith("lrtcheck certify --tier quick --seed 11 --check 'demo.configs'")
    assert f"demo[1] x={drawn[1]['x']}" in line and "demo[0]" not in line
    assert "demo[1] (" in bad.evidence.decision.parts[1].name
    full = run_check(_spec(_demo_check()), budget=BUDGET, root_seed=11, tier="full")
    assert len(full.evidence.details["config"]) == 5


def test_configuration_streams_are_independent_and_reproducible():
    seen = {}

    def check(ctx):
        configs = ctx.configurations(SPACE, quick=2, full=2)
        seen[ctx.root_seed] = [cfg.rng.random(3).tolist() for cfg in configs] + [configs[0].rng.random(3).tolist()]
        return Evidence.from_decision(configs.join([binomial_count_decision(100, 200, 0.5, c.share) for c in configs]))

    run_check(_spec(check), budget=BUDGET, root_seed=3)
    a = seen[3]
    assert a[0] != a[1] and a[0] == a[2]  # cfg.rng is a fresh generator on the configuration's own stream
    run_check(_spec(check), budget=BUDGET, root_seed=3)
    assert seen[3] == a


def test_the_engine_owns_details_config_and_one_space_is_drawn_once():
    def writes_config(ctx):
        configs = ctx.configurations(SPACE, quick=1, full=1)
        d = configs.join([binomial_count_decision(100, 200, 0.5, configs[0].share)])
        return Evidence.from_decision(d, details={"config": "mine"})

    def twice(ctx):
        ctx.configurations(SPACE, quick=1, full=1)
        ctx.configurations(SPACE, quick=1, full=1)

    assert "written by the engine" in run_check(_spec(writes_config), budget=BUDGET).message
    assert "drawn twice" in run_check(_spec(twice), budget=BUDGET).message


def test_join_needs_one_decision_per_configuration():
    def short(ctx):
        configs = ctx.configurations(SPACE, quick=2, full=2)
        return Evidence.from_decision(configs.join([binomial_count_decision(100, 200, 0.5, configs[0].share)]))

    assert "one decision per configuration" in run_check(_spec(short), budget=BUDGET).message
