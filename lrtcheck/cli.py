"""Command line: ``lrtcheck certify | report | list | explain | bench | mutants | flake``.

Exit codes: 0 every check passed; 1 some check did not pass (its verdict contradicts the expectation, or its design
is short of the required power); 2 bad usage (unknown check, bad seed, unreadable results); 3 a check crashed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
import time
from pathlib import Path

__all__ = ["main", "load_subject"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


def load_subject(spec: str):
    """Resolve ``[KIND=]module:object`` into ``(kind, object)``.

    Without ``KIND=``, the kind is read from the object's ``lrtcheck_subject_kind`` attribute.  A class is
    instantiated with no arguments.
    """
    kind = None
    if "=" in spec:
        kind, spec = spec.split("=", 1)
    if ":" not in spec:
        raise ValueError(f"--subject must look like [KIND=]module:object, got {spec!r}")
    mod_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(mod_name)
    except ImportError as exc:
        raise ValueError(f"--subject: cannot import module {mod_name!r}: {exc}") from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"--subject: module {mod_name!r} has no attribute {attr!r}") from None
    if isinstance(obj, type):
        obj = obj()
    kind = kind or getattr(obj, "lrtcheck_subject_kind", None)
    if not kind:
        raise ValueError("--subject: give the subject kind as KIND=module:object, or set the object's "
                         "lrtcheck_subject_kind attribute (`lrtcheck list --subjects` shows the kinds)")
    return kind, obj


def _cmd_certify(args) -> int:
    from lrtcheck.certify.executors import make_executor
    from lrtcheck.certify.figures import figures_of
    from lrtcheck.certify.registry import all_checks, select
    from lrtcheck.certify.results import results_frame, write_figures, write_results
    from lrtcheck.certify.runner import run_checks
    from lrtcheck.report import write_report
    from lrtcheck.stats.seeds import resolve_root_seed

    try:
        seed = resolve_root_seed(args.seed)
        specs = select(args.check, tier=args.tier)
        subjects = {}
        for s in args.subject or []:
            kind, obj = load_subject(s)
            kinds = {sp.subject for sp in all_checks(args.tier) if sp.subject}
            if kind not in kinds:
                raise ValueError(f"--subject kind {kind!r} has no checks; known kinds: {sorted(kinds)}")
            subjects[kind] = obj
        if subjects and not args.check:
            specs = [s for s in specs if s.subject in subjects]
        if not 0 < args.budget < 1:
            raise ValueError(f"--budget must lie in (0, 1), got {args.budget}")
        executor = make_executor(args.workers, args.dask)
    except ValueError as exc:
        print(f"lrtcheck certify: {exc}", file=sys.stderr)
        return EXIT_USAGE

    bar = None
    if not args.quiet:
        try:
            from tqdm import tqdm

            bar = tqdm(total=len(specs), desc=f"certify ({args.tier})", unit="check", file=sys.stderr,
                       disable=not sys.stderr.isatty() and not args.progress)
        except ImportError:  # pragma: no cover
            bar = None

    def progress(res):
        if bar is not None:
            bar.set_postfix_str(res.check_id[:40])
            bar.update(1)
        if args.verbose or not res.passed:
            print(("PASS " if res.passed else "FAIL ") + res.describe().splitlines()[0] + f" ({res.seconds:.1f} s)",
                  file=sys.stderr)

    start = time.perf_counter()
    try:
        results = run_checks(specs, tier=args.tier, seed=seed, budget_total=args.budget, subjects=subjects,
                             device=args.device, executor=executor, progress=progress)
    finally:
        executor.close()
        if bar is not None:
            bar.close()
    wall = time.perf_counter() - start
    if not args.no_figures:
        from lrtcheck.certify.figures import attach_figures

        attach_figures(results)  # plot specs onto each result (small, JSON-able), for the figures sidecar
    df = results_frame([r.row() for r in results])
    out = Path(args.out)
    write_results(df, out)
    sidecar = figures_of(results)
    write_figures(sidecar, out)
    write_report(df, out, figures=not args.no_figures, sidecar=sidecar)
    passed = sum(r.passed for r in results)
    errors = [r for r in results if r.evidence is None]
    print(f"{passed}/{len(results)} checks passed in {wall:.1f} s (tier {args.tier}, root seed {seed}); "
          f"report: {out / 'index.html'}")
    for r in results:
        if not r.passed:
            print("  " + r.describe().replace("\n", "\n  "))
    if errors:
        return EXIT_ERROR
    return EXIT_OK if passed == len(results) else EXIT_FAILED


def _cmd_report(args) -> int:
    from lrtcheck.certify.results import FIGURES_FILE, read_figures, read_results
    from lrtcheck.report import write_report

    results_dir = Path(args.results) if Path(args.results).is_dir() else Path(args.results).parent
    try:
        df = read_results(args.results)
        # the figures sidecar beside results.csv; results written before it existed carry their plots in details
        sidecar = read_figures(results_dir) if (results_dir / FIGURES_FILE).exists() else None
    except Exception as exc:  # pandera SchemaError and friends: say what is wrong, exit 2
        print(f"lrtcheck report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else results_dir
    paths = write_report(df, out, figures=not args.no_figures, sidecar=sidecar)
    print(f"wrote {paths['markdown']} and {paths['html']}")
    return EXIT_OK


def _cmd_list(args) -> int:
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


def _cmd_explain(args) -> int:
    from lrtcheck.certify.registry import get
    from lrtcheck.certify.runner import budget_for
    from lrtcheck.certify.registry import TIER_POWER

    try:
        spec = get(args.check_id)
    except ValueError as exc:
        print(f"lrtcheck explain: {exc}", file=sys.stderr)
        return EXIT_USAGE
    c = spec.claim
    doc = textwrap.dedent(spec.func.__doc__ or "").strip()
    print(f"{spec.check_id}\n  claim:       {c.id}\n  statement:   {c.statement}\n  source:      {c.source}\n"
          f"  expectation: {c.expectation}")
    if c.assumptions:
        print("  assumptions: " + "; ".join(c.assumptions))
    print(f"  kind:        {'Monte Carlo' if spec.stochastic else 'exact'}; subject: {spec.subject or '-'}")
    for tier in spec.tiers:
        share = budget_for(tier).share(spec.check_id) if spec.stochastic else 0.0
        print(f"  {tier:<5} tier:  params {spec.params_for(tier)}; false-fail share {share:.2e}; "
              f"required power {TIER_POWER[tier]}")
    if doc:
        print("  design:\n" + textwrap.indent(doc, "    "))
    print(f"  reproduce:   lrtcheck certify --tier quick --seed SEED --check '{spec.check_id}' --verbose\n"
          "               (SEED is the `seed` column of the failing row in results.csv)")
    return EXIT_OK


def _cmd_bench(args) -> int:
    import pytest

    root = Path(args.path)
    if not root.exists():
        print(f"lrtcheck bench: no benchmark directory {root} (run from the repository root)", file=sys.stderr)
        return EXIT_USAGE
    opts = [str(root), "--benchmark-only", "-q", "-p", "no:cacheprovider"]
    if args.json:
        opts.append(f"--benchmark-json={args.json}")
    return int(pytest.main(opts + list(args.pytest_args)))


def _cmd_mutants(args) -> int:
    from lrtcheck.certify.kill_matrix import run_cli

    return run_cli(args)


def _cmd_flake(args) -> int:
    from lrtcheck.certify.flake import run_flake_cli

    return run_flake_cli(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lrtcheck", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("certify", help="run the certification gate and write a report")
    c.add_argument("--tier", choices=["quick", "full"], default="quick")
    c.add_argument("--seed", default=None, help="root seed: an integer, or 'random' (default: fixed)")
    c.add_argument("--out", default="reports/quick", help="report directory (default reports/quick)")
    c.add_argument("--budget", type=float, default=1e-3, help="total false-fail probability (default 1e-3)")
    c.add_argument("--check", action="append", help="run only checks matching this id or glob (repeatable)")
    c.add_argument("--subject", action="append", metavar="[KIND=]module:object",
                   help="certify your own implementation in place of the reference one (repeatable)")
    c.add_argument("--workers", type=int, default=None, help="run Monte Carlo replications in N processes")
    c.add_argument("--dask", default=None, metavar="ADDRESS", help="run replications on a Dask cluster ('local')")
    c.add_argument("--device", default=None, help="torch device for sampler checks (default: cpu; full: cuda if any)")
    c.add_argument("--no-figures", action="store_true", help="skip the report's plots")
    c.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
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

    m = sub.add_parser("mutants", help="run the mutant catalogue and print the kill matrix")
    m.add_argument("--tier", choices=["quick", "full"], default="quick")
    m.add_argument("--out", default=None)
    m.add_argument("--only", action="append")
    m.set_defaults(func=_cmd_mutants)

    fl = sub.add_parser("flake", help="false-fail calibration: p-value super-uniformity over random root seeds")
    fl.add_argument("--runs", type=int, default=200)
    fl.add_argument("--tier", choices=["quick", "full"], default="quick")
    fl.add_argument("--check", action="append", help="only checks matching these patterns")
    fl.add_argument("--root", type=int, default=0, help="root of the seed stream of the runs")
    fl.add_argument("--out", default=None)
    fl.set_defaults(func=_cmd_flake)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
