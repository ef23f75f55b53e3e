"""lrtcheck power: the rejection under a declared defect counts the Monte Carlo parts only; power is shown by the
Clopper-Pearson lower bound, declared powers are tested with the exact Poisson-binomial law, false-fail rates are
bounded or tested by p-value super-uniformity; the stats checks' declared defects are registered and measured."""

import math

import pytest

from lrtcheck.certify import Evidence
from lrtcheck.certify.grid import Task, TaskOutcome, mc_rejected
from lrtcheck.certify.mutation import declared_defects
from lrtcheck.certify.power import power_table, power_tasks, run_seeds
from lrtcheck.certify.registry import all_checks, select
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision


def _outcome(check, seed, mutant=None, *, passed=True, mc=False, power=0.95, p=0.5, share=1e-4, required=0.9):
    return TaskOutcome(Task(check, seed=seed, mutant=mutant), passed, "holds" if passed else "violated", p, power,
                       share, share, required, mc, 0.0)


def _table(base, defect, expectation="holds"):
    outs = [_outcome("demo.x", i, **kw) for i, kw in enumerate(base)]
    outs += [_outcome("demo.x", i, "demo.bug", **kw) for i, kw in enumerate(defect)]
    return power_table(outs, {"demo.x": (expectation, ["demo.bug"] if defect else [])}).iloc[0]


def test_power_is_shown_by_the_exact_lower_bound_and_declared_powers_are_tested():
    ok = _table([{}] * 200, [{"passed": False, "mc": True}] * 200)
    assert ok["verdict"] == "ok" and ok["cp_lower"] == pytest.approx(0.05 ** (1 / 200)) and ok["ff_status"] in (
        "super-uniform p", "bounded")
    few = _table([{}] * 20, [{"passed": False, "mc": True}] * 20)  # 20 runs cannot show 0.9 at 95%
    assert few["verdict"] == "POWER NOT SHOWN" and few["consistent"]
    weak = _table([{}] * 200, [{"passed": False, "mc": True}] * 150 + [{"mc": False}] * 50)  # declared 0.95
    assert not weak["shown"] and not weak["consistent"] and "DECLARED POWER REFUTED" in weak["verdict"]
    exact_only = _table([{}] * 200, [{"passed": False, "mc": False}] * 200)  # only an exact clause rejects
    assert exact_only["rejections"] == 0 and exact_only["gate_rejections"] == 200 and exact_only["verdict"] != "ok"
    assert _table([{}] * 200, [])["verdict"] == "NO DECLARED DEFECT"


def test_false_fail_rates_are_refuted_by_counts_or_by_p_values():
    flaky = _table([{"passed": False, "p": 1e-6}] * 5 + [{}] * 195, [{"passed": False, "mc": True}] * 200)
    assert flaky["ff_status"] == "REFUTED" and "FALSE-FAIL RATE REFUTED" in flaky["verdict"]
    small_p = _table([{"p": 1e-4}] * 40 + [{}] * 160, [{"passed": False, "mc": True}] * 200)  # P(p<=.001) ~ .2
    assert small_p["ff_failures"] == 0 and small_p["ff_status"] == "REFUTED"
    bounded = _table([{"share": 0.5}] * 200, [{"passed": False, "mc": True}] * 200)
    assert bounded["ff_status"] == "bounded"


def test_mc_rejected_reads_the_stochastic_leaves_of_the_decision():
    mc_fail = binomial_count_decision(0, 100, 0.5, 0.01, defect_rate=0.9)
    mc_ok = binomial_count_decision(50, 100, 0.5, 0.01, defect_rate=0.9)
    exact_fail = exact_decision(False, message="x")
    assert mc_rejected(Evidence.from_decision(bonferroni([mc_fail, exact_decision(True)], 0.01)))
    assert not mc_rejected(Evidence.from_decision(bonferroni([mc_ok, exact_fail], 0.01)))
    half_ok = binomial_count_decision(50, 100, 0.5, 0.005)
    half_fail = binomial_count_decision(0, 100, 0.5, 0.005)
    nested = bonferroni([bonferroni([half_ok], 0.005), bonferroni([half_fail], 0.005)], 0.01)
    assert mc_rejected(Evidence.from_decision(nested)) and mc_rejected(None)
    assert mc_rejected(Evidence(verdict="violated")) and not mc_rejected(Evidence(verdict="holds"))


def test_seeds_come_from_one_root_and_tasks_cover_each_defect():
    seeds = run_seeds(0, 5)
    assert seeds == run_seeds(0, 5) and seeds[:3] == run_seeds(0, 3) and len(set(seeds)) == 5
    tasks, defects = power_tasks(select(["stats.dkw.band_coverage"]), 4, tier="quick", root=0)
    assert defects == {"stats.dkw.band_coverage": ("holds", ["stats.dkw_massart_dropped"])}
    assert [t.mutant for t in tasks] == [None] * 4 + ["stats.dkw_massart_dropped"] * 4
    assert [t.seed for t in tasks[:4]] == [t.seed for t in tasks[4:]] == run_seeds(0, 4)


def test_every_stats_monte_carlo_check_has_a_declared_defect():
    mc = [s for s in all_checks("quick") if s.claim.method == "stats" and s.stochastic]
    assert mc and all(declared_defects(s.check_id) for s in mc), [s.check_id for s in mc]


def test_the_stats_checks_see_their_declared_defects_through_their_monte_carlo_parts():
    """Run, not assumed: under its declared defect each stats Monte Carlo check's Monte Carlo decision rejects."""
    from lrtcheck.certify.grid import run_grid

    tasks, defects = power_tasks(select(["stats.dkw.band_coverage", "stats.conformal.coverage"]), 2, tier="quick",
                                 root=1)
    outs = run_grid(tasks, progress=False)
    for o in outs:
        assert not o.error, o.error
        if o.task.mutant is None:
            assert o.passed and not o.mc_rejected and math.isfinite(o.p_value)
        else:
            assert not o.passed and o.mc_rejected, (o.task, o.message)


def test_every_holds_monte_carlo_check_of_the_quick_tier_has_a_runnable_declared_defect():
    """Every asserting (``holds``) Monte Carlo check of the quick tier, of every family, has at least one declared
    target defect, and each declared mutant applies (its source edits are found, its target resolves), so that
    ``lrtcheck power`` can run it.  Read from the registry, without running a check."""
    from lrtcheck.certify.mutation import patched
    from lrtcheck.certify.registry import load_all

    load_all()
    mc = [s for s in all_checks("quick") if s.stochastic and s.claim.expectation == "holds"]
    assert {s.claim.method for s in mc} >= {"csar", "lrt", "risk", "stats", "tabular"}
    missing = [s.check_id for s in mc if not declared_defects(s.check_id)]
    assert not missing, f"holds Monte Carlo checks without a declared defect: {missing}"
    for m in {m.id: m for s in mc for m in declared_defects(s.check_id)}.values():
        with patched(m):
            pass


def test_every_declared_pattern_names_a_monte_carlo_check():
    """A ``declares`` pattern that matches no check (a renamed check, or an id whose ``[variant]`` fnmatch reads as a
    character class) would leave a check without its defect silently; each must match a stochastic check."""
    import fnmatch

    from lrtcheck.certify.mutation import catalogue

    checks = [s for s in all_checks("quick") if s.stochastic]
    for m in catalogue():
        for pattern in m.declares:
            assert any(fnmatch.fnmatchcase(s.check_id, pattern) for s in checks), (m.id, pattern)
