"""Command line: ``lrtcheck certify | report | list | explain | bench | power | mutants | flake``.

Exit codes: 0 every check passed; 1 some check did not pass (its verdict contradicts the expectation, or its design
is short of the required power); 2 bad usage (one line on stderr, before any check runs: unknown check, bad seed,
an unusable output directory, ``--workers`` below 1, an unreachable Dask scheduler, an empty pattern, a results
file with no rows); 3 a check crashed; 130 interrupted (the previous report is kept and marked).
"""

from __future__ import annotations

import argparse
import signal
import sys
import textwrap
import time
from pathlib import Path

__all__ = ["main", "load_subject", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def load_subject(spec: str):
    """Resolve ``[KIND=]module:object`` into ``(kind, object)`` (see :func:`lrtcheck.certify.subjects.load_subject`)."""
    from lrtcheck.certify.subjects import load_subject as _load

    return _load(spec)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``lrtcheck <command>: error: ...``) and exit status 2."""

    def error(self, message):  # noqa: D401 - argparse's hook
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class UsageError(ValueError):
    """A bad argument: reported as one line, exit 2, before any check runs."""


def _patterns(values, option: str) -> list[str] | None:
    if values is None:
        return None
    for v in values:
        if not v or not v.strip():
            raise UsageError(f"{option} must not be empty (give a check id or a glob such as 'lrt.*')")
    return list(values)


def _positive(value, option: str, minimum: int = 1) -> int:
    if value is None or value < minimum:
        raise UsageError(f"{option} must be an integer >= {minimum}, got {value!r}")
    return value


def _writable_dir(path, option: str) -> Path:
    """A directory this command may write its files into (created if needed)."""
    import os

    p = Path(path)
    if not str(path).strip():
        raise UsageError(f"{option} must not be empty")
    if p.exists() and not p.is_dir():
        raise UsageError(f"{option} {str(p)!r} is a file, not a directory")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {str(p)!r} cannot be created ({exc.strerror or exc})") from None
    if not os.access(p, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {str(p)!r} is not writable")
    return p


def _executor(args, *, initializer=None, initargs=()):
    """The executor of ``--workers`` / ``--dask`` (validated; a Dask scheduler must answer within a few seconds)."""
    from lrtcheck.certify.executors import make_executor

    if args.workers is not None:
        _positive(args.workers, "--workers")
    if args.dask is not None and not args.dask.strip():
        raise UsageError("--dask must be a scheduler address (tcp://host:port) or 'local'")
    try:
        return make_executor(args.workers, args.dask, initializer=initializer, initargs=initargs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _usage(command: str, exc: Exception) -> int:
    print(f"lrtcheck {command}: {exc}", file=sys.stderr)
    return EXIT_USAGE


def _on_sigterm(signum, frame):  # pragma: no cover - exercised through a subprocess
    raise KeyboardInterrupt


# ---------------------------------------------------------------------------------------------------------------
# certify
# ---------------------------------------------------------------------------------------------------------------
def _cmd_certify(args, argv) -> int:
    from lrtcheck.certify.registry import all_checks, select
    from lrtcheck.report.store import ReportDir, check_out_dir, run_record
    from lrtcheck.stats.seeds import resolve_root_seed

    coverage = None
    executor = None
    try:
        if args.coverage:
            if args.dask is not None:
                raise UsageError("--coverage measures this machine's processes; use --workers N, not --dask")
            import tempfile

            from lrtcheck.certify.gate_coverage import GateCoverage

            coverage = GateCoverage(tempfile.mkdtemp(prefix="lrtcheck-coverage-"))
            coverage.start()  # before the checks are discovered: lines run at import count
        seed = resolve_root_seed(args.seed)
        patterns = _patterns(args.check, "--check")
        specs = select(patterns, tier=args.tier)
        subjects = {}
        kinds = {sp.subject for sp in all_checks(args.tier) if sp.subject}
        for s in args.subject or []:
            kind, obj = load_subject(s)
            if kind not in kinds:
                raise UsageError(f"--subject kind {kind!r} has no checks; known kinds: {sorted(kinds)}")
            if kind in subjects:
                raise UsageError(f"--subject {s!r}: a subject of kind {kind!r} is already given ({subjects[kind]!r}); "
                                 "certify one subject of a kind per run (run lrtcheck certify again for the other)")
            from lrtcheck.certify.protocols import check_conformance

            check_conformance(kind, obj, s.split("=", 1)[1] if "=" in s.split(":", 1)[0] else s)
            subjects[kind] = s
        if subjects and not patterns:
            specs = [s for s in specs if s.subject in subjects]
        elif subjects:
            other = [sp.check_id for sp in specs if sp.subject not in subjects]
            if other:
                mine = sorted(sp.check_id for sp in all_checks(args.tier) if sp.subject in subjects)
                raise UsageError(f"--check selects {other} whose subject kind is not that of the --subject given "
                                 f"({sorted(subjects)}): they would certify the reference, not your subject; the "
                                 f"subject's checks are {mine}")
        if not 0 < args.budget < 1:
            raise UsageError(f"--budget must lie in (0, 1), got {args.budget}")
        out = check_out_dir(args.out, force=args.force)
        init = coverage.initializer if coverage is not None else (None, ())
        executor = _executor(args, initializer=init[0], initargs=init[1])
    except ValueError as exc:
        if coverage is not None:
            coverage.stop()
        if executor is not None:
            executor.close()
        return _usage("certify", exc)

    from lrtcheck.certify.grid import Task, run_grid
    from lrtcheck.certify.runner import CheckResult

    record = run_record(["lrtcheck", *argv], tier=args.tier, root_seed=seed, budget=args.budget,
                        executor=executor.name, workers=getattr(executor, "workers", 1),
                        checks=len(specs))
    report = ReportDir(out, record)
    staging = report.begin()
    tasks = [Task(s.check_id, tier=args.tier, seed=seed, budget_total=args.budget, device=args.device,
                  subjects=tuple(subjects.items()), keep_evidence=True) for s in specs]
    by_id = {s.check_id: s for s in specs}
    done = []

    def result_of(o):
        return CheckResult(by_id[o.task.check_id], args.tier, seed, o.budget_share, o.required_power, o.evidence,
                           o.passed, o.seconds, o.message, subject=o.subject, subject_spec=o.subject_spec,
                           traceback=o.traceback)

    def progress(o):
        done.append(o)
        if args.verbose or not o.passed:
            res = result_of(o)
            print(("PASS " if res.passed else "FAIL ") + res.describe().splitlines()[0] + f" ({res.seconds:.1f} s)",
                  file=sys.stderr)

    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    start = time.perf_counter()
    try:
        with executor:
            outcomes = run_grid(tasks, executor, desc=f"certify ({args.tier})",
                                progress=False if args.quiet else (True if args.progress else None),
                                on_outcome=progress)
    except KeyboardInterrupt:
        report.interrupted(len(done), len(tasks))
        if coverage is not None:
            coverage.stop()
        print(f"lrtcheck certify: interrupted after {len(done)}/{len(tasks)} checks; the report in {out} is kept "
              "and marked as not current", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    wall = time.perf_counter() - start
    results = [result_of(o) for o in outcomes]
    _write_certify_report(results, staging, figures=not args.no_figures, record=record)
    cov = None
    if coverage is not None:
        coverage.stop()
        cov = coverage.report(staging)
    passed = sum(r.passed for r in results)
    report.commit(passed=passed, total=len(results), wall_seconds=round(wall, 3),
                  **({"branch_coverage": cov["branch_coverage"],
                      "branch_coverage_excluding_raises": cov["branch_coverage_excluding_raises"]} if cov else {}))
    errors = [r for r in results if r.evidence is None]
    for kind, spec in subjects.items():
        mine = [r for r in results if r.spec.subject == kind]
        outcomes = {}
        for r in mine:
            outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
        said = ", ".join(f"{v} {k}" for k, v in sorted(outcomes.items()))
        verdict = ("CERTIFIED" if all(r.passed for r in mine) else
                   "ERROR" if any(r.evidence is None for r in mine) else "REJECTED")
        print(f"subject {spec} ({kind}): {verdict}: {said}")
    print(f"{passed}/{len(results)} checks passed in {wall:.1f} s (tier {args.tier}, root seed {seed}"
          + (f", subject{'s' if len(subjects) > 1 else ''} {', '.join(subjects.values())}" if subjects else "")
          + f"); report: {out / 'index.html'}")
    if cov is not None:
        print(f"branch coverage of the method packages: {cov['branch_coverage']:.1f}% "
              f"({cov['branch_coverage_excluding_raises']:.1f}% without the lines that only raise ValueError); "
              f"{out / 'coverage.md'}")
    for r in results:
        if not r.passed:
            print("  " + r.describe().replace("\n", "\n  "))
    if errors:
        return EXIT_ERROR
    return EXIT_OK if passed == len(results) else EXIT_FAILED


def _write_certify_report(results, staging: Path, *, figures: bool, record: dict) -> None:
    """results.csv, figures.json, index.md and index.html into the staging directory (the pages name the run
    from its record; ``run.json`` itself is completed when the directory is swapped into place)."""
    from lrtcheck.certify.figures import attach_figures, figures_of
    from lrtcheck.certify.results import results_frame, write_figures, write_results
    from lrtcheck.report import write_report

    if figures:
        attach_figures(results)  # plot specs onto each result (small, JSON-able), for the figures sidecar
    df = results_frame([r.row() for r in results])
    write_results(df, staging)
    sidecar = figures_of(results)
    write_figures(sidecar, staging)
    write_report(df, staging, figures=figures, sidecar=sidecar, run=record)


# ---------------------------------------------------------------------------------------------------------------
# report, list, explain, bench
# ---------------------------------------------------------------------------------------------------------------
def _cmd_report(args, argv) -> int:
    from lrtcheck.certify.results import FIGURES_FILE, read_figures, read_results
    from lrtcheck.report import write_report
    from lrtcheck.report.store import notice_text, read_marker

    results = Path(args.results)
    results_dir = results if results.is_dir() else results.parent
    marker = read_marker(results_dir) if results_dir.is_dir() else None
    try:
        if not str(args.results).strip():
            raise UsageError("the results path must not be empty")
        if marker is not None and not (results_dir / "results.csv").exists():
            how = "was interrupted" if marker["state"] == "interrupted" else "has not finished (or was killed)"
            raise UsageError(f"{results_dir} has no results.csv: a run into it (started {marker.get('started', '?')}, "
                             f"command: {marker.get('command', '?')}) {how} before writing one")
        df = read_results(args.results)
        if len(df) == 0:
            raise UsageError(f"{results_dir / 'results.csv'} has no rows: there is nothing to report")
        # the figures sidecar beside results.csv; results written before it existed carry their plots in details
        sidecar = read_figures(results_dir) if (results_dir / FIGURES_FILE).exists() else None
        out = _writable_dir(args.out, "--out") if args.out else results_dir
    except Exception as exc:  # pandera SchemaError and friends: say what is wrong, exit 2
        return _usage("report", exc)
    notice = notice_text(marker) if marker is not None else None
    if notice:
        print(f"lrtcheck report: warning: {notice}", file=sys.stderr)
    from lrtcheck.report.store import read_run_record

    paths = write_report(df, out, figures=not args.no_figures, sidecar=sidecar, notice=notice,
                         run=read_run_record(results_dir))
    print(f"wrote {paths['markdown']} and {paths['html']}")
    return EXIT_OK


def _cmd_list(args, argv) -> int:
    from lrtcheck.certify.registry import all_checks

    specs = all_checks(args.tier)
    if args.subjects:
        kinds = sorted({s.subject for s in specs if s.subject})
        from lrtcheck.certify.subjects import describe_protocol

        for k in kinds:
            ids = [s.check_id for s in specs if s.subject == k]
            print(f"{k}: {len(ids)} checks ({', '.join(ids)})\n    protocol: {describe_protocol(k)}")
        return EXIT_OK
    width = max((len(s.check_id) for s in specs), default=10)
    for s in specs:
        kind = "MC" if s.stochastic else "exact"
        print(f"{s.check_id:<{width}}  {s.claim.expectation:<8}  {kind:<5}  {s.claim.source}")
    print(f"{len(specs)} checks")
    return EXIT_OK


def _cmd_explain(args, argv) -> int:
    from lrtcheck.certify.mutation import declared_defects
    from lrtcheck.certify.registry import TIER_POWER, get
    from lrtcheck.certify.runner import budget_for

    try:
        spec = get(args.check_id)
    except ValueError as exc:
        return _usage("explain", exc)
    c = spec.claim
    import inspect

    doc = inspect.cleandoc(spec.func.__doc__ or "")
    print(f"{spec.check_id}\n  claim:       {c.id}\n  statement:   {c.statement}\n  source:      {c.source}\n"
          f"  expectation: {c.expectation}")
    if c.assumptions:
        print("  assumptions: " + "; ".join(c.assumptions))
    print(f"  kind:        {'Monte Carlo' if spec.stochastic else 'exact'}; subject: {spec.subject or '-'}")
    for tier in spec.tiers:
        share = budget_for(tier).share(spec.check_id) if spec.stochastic else 0.0
        print(f"  {tier:<5} tier:  params {spec.params_for(tier)}; false-fail share {share:.2e}; "
              f"required power {TIER_POWER[tier]}")
    defects = declared_defects(spec.check_id)
    if defects:
        print("  declared defect: " + "; ".join(f"{m.id} ({m.story})" for m in defects))
    elif spec.stochastic and c.expectation == "holds":
        print("  declared defect: none registered (`lrtcheck power` cannot measure this check's power)")
    if doc:
        print("  design:\n" + textwrap.indent(doc, "    "))
    for i, tier in enumerate(spec.tiers):
        head = "  reproduce:  " if i == 0 else "              "
        print(f"{head} lrtcheck certify --tier {tier} --seed SEED --check '{spec.check_id}' --verbose")
    print("               (SEED is the `seed` column of the failing row in results.csv)")
    return EXIT_OK


def _cmd_bench(args, argv) -> int:
    import pytest

    root = Path(args.path)
    if not root.exists():
        return _usage("bench", UsageError(f"no benchmark directory {root} (run from the repository root)"))
    opts = [str(root), "--benchmark-only", "-q", "-p", "no:cacheprovider"]
    if args.json:
        opts.append(f"--benchmark-json={args.json}")
    return int(pytest.main(opts + list(args.pytest_args)))


# ---------------------------------------------------------------------------------------------------------------
# grids: power, mutants, flake
# ---------------------------------------------------------------------------------------------------------------
def _grid_command(name: str, args, validate, run) -> int:
    executor = None
    try:
        validate()
        if getattr(args, "out", None):
            _writable_dir(args.out, "--out")
        executor = _executor(args)
    except ValueError as exc:
        if executor is not None:
            executor.close()
        return _usage(name, exc)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with executor:
            return run(executor)
    except KeyboardInterrupt:
        print(f"lrtcheck {name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cmd_power(args, argv) -> int:
    from lrtcheck.certify.power import run_power_cli
    from lrtcheck.certify.registry import select

    def validate():
        _positive(args.runs, "--runs")
        if not 0 < args.confidence < 1:
            raise UsageError(f"--confidence must lie in (0, 1), got {args.confidence}")
        _positive(args.root, "--root", minimum=0)
        select(_patterns(args.check, "--check"), tier=args.tier)

    return _grid_command("power", args, validate, lambda ex: run_power_cli(args, ex))


def _cmd_mutants(args, argv) -> int:
    from lrtcheck.certify.kill_matrix import run_cli, select_mutants
    from lrtcheck.stats.seeds import resolve_root_seed

    def validate():
        args.only = _patterns(args.only, "--only")
        args.seed = resolve_root_seed(args.seed)
        if not select_mutants(args.only):
            raise UsageError(f"no mutant matches {args.only}; `lrtcheck mutants --list` shows the catalogue")

    if args.list:
        from lrtcheck.certify.kill_matrix import plan

        try:
            mutants = select_mutants(_patterns(args.only, "--only"))
        except ValueError as exc:
            return _usage("mutants", exc)
        checks = plan(mutants, tier=args.tier)
        for m in mutants:
            print(f"{m.id:<40} {m.target}  ({len(checks[m.id])} checks; declares: {', '.join(m.declares) or '-'})")
        print(f"{len(mutants)} mutants")
        return EXIT_OK
    return _grid_command("mutants", args, validate, lambda ex: run_cli(args, ex))


def _cmd_flake(args, argv) -> int:
    from lrtcheck.certify.flake import run_flake_cli
    from lrtcheck.certify.registry import select

    def validate():
        _positive(args.runs, "--runs")
        _positive(args.root, "--root", minimum=0)
        select(_patterns(args.check, "--check"), tier=args.tier)

    return _grid_command("flake", args, validate, lambda ex: run_flake_cli(args, ex))


def _add_scale_out(p) -> None:
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="run the tasks (whole checks) in one pool of N processes")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run the tasks on a Dask scheduler at ADDRESS ('local' starts a LocalCluster of --workers "
                        "processes, default 2)")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lrtcheck", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("certify", help="run the certification gate and write a report")
    c.add_argument("--tier", choices=["quick", "full"], default="quick")
    c.add_argument("--seed", default=None, help="root seed: an integer, or 'random' (default: fixed)")
    c.add_argument("--out", default="reports/quick", help="report directory (default reports/quick)")
    c.add_argument("--force", action="store_true",
                   help="replace the report already in --out (without it, an existing report is kept and the run "
                        "refused)")
    c.add_argument("--budget", type=float, default=1e-3, help="total false-fail probability (default 1e-3)")
    c.add_argument("--check", action="append", help="run only checks matching this id or glob (repeatable)")
    c.add_argument("--subject", action="append", metavar="[KIND=]module:object",
                   help="certify your own implementation in place of the reference one (repeatable)")
    _add_scale_out(c)
    c.add_argument("--coverage", action="store_true",
                   help="measure branch coverage of the method packages under the run (coverage.md beside the report)")
    c.add_argument("--device", default=None, help="torch device for sampler checks (default: cpu; full: cuda if any)")
    c.add_argument("--no-figures", action="store_true", help="skip the report's plots")
    c.add_argument("--verbose", action="store_true", help="print every check's outcome")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=_cmd_certify)

    r = sub.add_parser("report", help="(re)build index.md and index.html from a results directory")
    r.add_argument("results", help="directory holding results.csv (or the csv itself)")
    r.add_argument("--out", default=None)
    r.add_argument("--no-figures", action="store_true")
    r.set_defaults(func=_cmd_report)

    li = sub.add_parser("list", help="list the registered checks with expectation and source")
    li.add_argument("--tier", choices=["quick", "full"], default=None)
    li.add_argument("--subjects", action="store_true", help="list the subject kinds a user can certify")
    li.set_defaults(func=_cmd_list)

    e = sub.add_parser("explain", help="explain one check: claim, design, how to reproduce a failure")
    e.add_argument("check_id")
    e.set_defaults(func=_cmd_explain)

    b = sub.add_parser("bench", help="run the pytest-benchmark suite")
    b.add_argument("--path", default="tests/benchmarks")
    b.add_argument("--json", default=None, help="write pytest-benchmark's JSON here")
    b.add_argument("pytest_args", nargs="*")
    b.set_defaults(func=_cmd_bench)

    pw = sub.add_parser("power", help="measured power under each check's declared defect, and false-fail rate")
    pw.add_argument("--runs", type=int, default=200, help="independent root seeds R (default 200)")
    pw.add_argument("--tier", choices=["quick", "full"], default="quick")
    pw.add_argument("--check", action="append", help="only checks matching these patterns")
    pw.add_argument("--root", type=int, default=0, help="root of the seed stream of the runs")
    pw.add_argument("--confidence", type=float, default=0.95, help="one-sided confidence of the bounds")
    pw.add_argument("--out", default=None, help="write power.csv and power_runs.csv here")
    _add_scale_out(pw)
    pw.set_defaults(func=_cmd_power)

    m = sub.add_parser("mutants", help="run the mutant catalogue and print the kill matrix")
    m.add_argument("--tier", choices=["quick", "full"], default="quick")
    m.add_argument("--out", default=None)
    m.add_argument("--only", action="append", help="only mutants whose id matches these globs")
    m.add_argument("--seed", default=None, help="root seed of the runs (default: fixed)")
    m.add_argument("--full-matrix", action="store_true",
                   help="run every check under every mutant (default: stop a mutant at its first kill)")
    m.add_argument("--list", action="store_true", help="list the mutants and how many checks each runs against")
    _add_scale_out(m)
    m.set_defaults(func=_cmd_mutants)

    fl = sub.add_parser("flake", help="false-fail calibration: p-value super-uniformity over random root seeds")
    fl.add_argument("--runs", type=int, default=200)
    fl.add_argument("--tier", choices=["quick", "full"], default="quick")
    fl.add_argument("--check", action="append", help="only checks matching these patterns")
    fl.add_argument("--root", type=int, default=0, help="root of the seed stream of the runs")
    fl.add_argument("--out", default=None)
    _add_scale_out(fl)
    fl.set_defaults(func=_cmd_flake)
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args, argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
