"""The pytest plugin (entry point ``pytest11``): the certification gate inside a test run.

Options: ``--lrtcheck-seed N|random``, ``--lrtcheck-tier quick|full``, ``--lrtcheck-budget P`` (total false-fail
probability of the run), ``--lrtcheck-report DIR`` (write ``results.csv``, ``index.md``, ``index.html``),
``--lrtcheck-device cpu|cuda``.

A test asks for the ``lrtcheck_check_id`` argument to be parametrised over every registered check of the tier (or
over those matching ``@pytest.mark.lrtcheck_select("lrt.*", ...)``) and runs it with the ``lrtcheck_gate`` fixture::

    def test_gate(lrtcheck_check_id, lrtcheck_gate):
        result = lrtcheck_gate.run(lrtcheck_check_id)
        assert result.passed, result.describe()

Under pytest-xdist the controller resolves the root seed once and hands it to every worker; workers send their
result rows back and the controller writes one merged report.  Budget shares are fixed by the registered set of the
tier, so they are identical on every worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lrtcheck.stats.budget import DEFAULT_TOTAL_FALSE_FAIL
from lrtcheck.stats.seeds import resolve_root_seed

__all__ = ["GateSession"]




class GateSession:
    """Runs checks for a pytest session with one root seed, tier and budget, and keeps their result rows."""

    def __init__(self, tier: str, seed: int, budget_total: float, device: str | None, report_dir: str | None):
        from lrtcheck.certify.registry import TIERS

        if tier not in TIERS:
            raise pytest.UsageError(f"--lrtcheck-tier must be one of {TIERS}, got {tier!r}")
        if not 0.0 < budget_total < 1.0:
            raise pytest.UsageError(f"--lrtcheck-budget must lie in (0, 1), got {budget_total!r}")
        self.tier = tier
        self.seed = seed
        self.budget_total = budget_total
        self.device = device
        self.report_dir = report_dir
        self.rows: list[dict[str, Any]] = []
        self.results: list[Any] = []
        self.figures: dict[str, dict[str, Any]] = {}  # the figures sidecar of the recorded rows
        self._budget = None

    @property
    def budget(self):
        if self._budget is None:
            from lrtcheck.certify.runner import budget_for

            self._budget = budget_for(self.tier, self.budget_total)
        return self._budget

    def run(self, check_id: str, *, subject: Any = None, record: bool = True, name: str | None = None):
        """Run one registered check (against ``subject`` if given) and record its row.

        ``record=False`` runs it without adding a row to the session's report: for tests that *expect* a check
        to fail (a deliberately broken subject), whose failure is the test's success, not the gate's.  ``name``
        names the subject in the report (default: its import path, ``module:QualName``).
        """
        from lrtcheck.certify.registry import get
        from lrtcheck.certify.runner import run_check

        spec = get(check_id)
        result = run_check(spec, tier=self.tier, root_seed=self.seed, budget=self.budget, subject=subject,
                           device=self.device, subject_name=name)
        if self.report_dir:  # plot specs for the report, onto the result (the figures sidecar)
            from lrtcheck.certify.figures import attach_figures

            attach_figures([result])
        if not record:
            return result
        row = result.row()
        if subject is not None:  # one row per subject and check: the subject's name keeps the ids unique
            base = f"{row['check_id']}@{result.subject}"
            taken = {r["check_id"] for r in self.rows}
            row["check_id"] = base
            i = 2
            while row["check_id"] in taken:  # two subjects of one name (two lambdas of one module): numbered
                row["check_id"] = f"{base}#{i}"
                i += 1
        self.rows.append(row)
        self.results.append(result)
        if result.figures or result.finding:
            self.figures[row["check_id"]] = {"plots": result.figures, "finding": result.finding}
        return result


_STASH = pytest.StashKey["GateSession"]()


def pytest_addoption(parser):
    group = parser.getgroup("lrtcheck", "lrtcheck certification gate")
    group.addoption("--lrtcheck-seed", default=None,
                    help="root seed (an integer, or 'random' for a statistical regression run); fixed by default")
    group.addoption("--lrtcheck-tier", default="quick", choices=["quick", "full"], help="check tier (default quick)")
    group.addoption("--lrtcheck-budget", type=float, default=DEFAULT_TOTAL_FALSE_FAIL,
                    help="total false-fail probability of the gate run (default 1e-3)")
    group.addoption("--lrtcheck-report", default=None, metavar="DIR",
                    help="write results.csv, index.md and index.html of the checks run into DIR")
    group.addoption("--lrtcheck-device", default=None, help="torch device for sampler checks (cpu or cuda)")


def pytest_configure(config):
    config.addinivalue_line("markers", "lrtcheck_select(*patterns): run only the checks matching these patterns")
    config.addinivalue_line("markers", "lrtcheck: a certification test (it uses the lrtcheck_gate fixture); "
                            "select them with -m lrtcheck, leave them out with -m 'not lrtcheck'")
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "lrtcheck_seed" in workerinput:
        seed = int(workerinput["lrtcheck_seed"])
    else:
        try:
            seed = resolve_root_seed(config.getoption("--lrtcheck-seed"))
        except ValueError as exc:
            raise pytest.UsageError(f"--lrtcheck-seed: {exc}") from None
    report_dir = config.getoption("--lrtcheck-report")
    if report_dir and workerinput is None:  # checked before any check runs; the report replaces its own (atomically)
        from lrtcheck.report.store import check_out_dir

        try:
            check_out_dir(report_dir, force=True, option="--lrtcheck-report")
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
    session = GateSession(
        tier=config.getoption("--lrtcheck-tier"),
        seed=seed,
        budget_total=config.getoption("--lrtcheck-budget"),
        device=config.getoption("--lrtcheck-device"),
        report_dir=config.getoption("--lrtcheck-report"),
    )
    config.stash[_STASH] = session
    config._lrtcheck_worker_rows = []
    config._lrtcheck_worker_figures = {}
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(), "lrtcheck-xdist")




class _XdistHooks:
    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        node.workerinput["lrtcheck_seed"] = node.config.stash[_STASH].seed

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        output = getattr(node, "workeroutput", {})
        rows = output.get("lrtcheck_rows")
        if rows:
            node.config._lrtcheck_worker_rows.extend(json.loads(rows))
        figures = output.get("lrtcheck_figures")
        if figures:
            node.config._lrtcheck_worker_figures.update(json.loads(figures))


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses the gate with ``lrtcheck``, so that ``-m lrtcheck`` selects them."""
    for item in items:
        if "lrtcheck_gate" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.lrtcheck)


@pytest.fixture(scope="session")
def lrtcheck_gate(request) -> GateSession:
    """The session's :class:`GateSession` (tier, root seed, budget from the command-line options)."""
    return request.config.stash[_STASH]


def pytest_generate_tests(metafunc):
    if "lrtcheck_check_id" not in metafunc.fixturenames:
        return
    from lrtcheck.certify.registry import select

    tier = metafunc.config.getoption("--lrtcheck-tier")
    marker = metafunc.definition.get_closest_marker("lrtcheck_select")
    patterns = list(marker.args) if marker else None
    ids = [s.check_id for s in select(patterns, tier=tier)]
    metafunc.parametrize("lrtcheck_check_id", ids, ids=ids)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    gate = config.stash.get(_STASH, None)
    if gate is None:
        return
    if hasattr(config, "workeroutput"):  # an xdist worker: send rows to the controller
        config.workeroutput["lrtcheck_rows"] = json.dumps(gate.rows, default=str)
        config.workeroutput["lrtcheck_figures"] = json.dumps(gate.figures, default=str)
        return
    rows = list(gate.rows) + list(getattr(config, "_lrtcheck_worker_rows", []))
    gate.merged_rows = rows
    if gate.report_dir and rows:
        from lrtcheck.certify.results import results_frame, write_figures, write_results
        from lrtcheck.report import write_report
        from lrtcheck.report.store import ReportDir, run_record

        df = results_frame(sorted(rows, key=lambda r: r["check_id"]))
        figures = {**gate.figures, **getattr(config, "_lrtcheck_worker_figures", {})}
        record = run_record(["pytest", *config.invocation_params.args], tier=gate.tier, root_seed=gate.seed,
                            budget=gate.budget_total, executor="pytest", checks=len(rows))
        store = ReportDir(Path(gate.report_dir), record)
        staging = store.begin()  # written beside the target and swapped in: never half old, half new
        write_results(df, staging)
        write_figures(figures, staging)
        write_report(df, staging, sidecar=figures, run=record)
        store.commit(passed=int(df["passed"].sum()), total=len(df))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    gate = config.stash.get(_STASH, None)
    if gate is None or hasattr(config, "workeroutput"):
        return
    rows = getattr(gate, "merged_rows", None) or gate.rows
    if not rows:
        return
    reference = [r for r in rows if "@" not in r["check_id"]]
    subjects = [r for r in rows if "@" in r["check_id"]]
    names = list(dict.fromkeys(r.get("subject", "") for r in subjects))
    passed = sum(bool(r["passed"]) for r in reference)
    spent = sum(float(r["budget_share"]) for r in reference)
    terminalreporter.write_sep("-", "lrtcheck certification gate")
    if reference:  # a run of users' subjects only has no reference line (its budget is each subject's own)
        terminalreporter.write_line(
            f"{passed}/{len(reference)} checks passed (tier {gate.tier}, root seed {gate.seed}, "
            f"false-fail budget spent {spent:.2e} of {gate.budget_total:.0e})")
    if subjects:  # each user subject is its own certification, with its own budget
        for n in names:
            mine = [r for r in subjects if r.get("subject", "") == n]
            terminalreporter.write_line(f"subject {n}: {sum(bool(r['passed']) for r in mine)}/{len(mine)} "
                                        "subject checks passed")
    for r in rows:
        if not r["passed"]:
            terminalreporter.write_line(f"  FAILED {r['check_id']}: {r['message']}")
    if gate.report_dir:
        terminalreporter.write_line(f"report written to {gate.report_dir}")
