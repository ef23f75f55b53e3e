"""The kill matrix: the unmutated run, then every mutant against its checks; the kill rate and the survivors."""

from __future__ import annotations

import fnmatch
import sys
from pathlib import Path

import pandas as pd

from .mutation import MutantOutcome, catalogue, run_mutant

__all__ = ["kill_matrix", "KILL_RATE_FLOOR", "run_cli"]

KILL_RATE_FLOOR = 0.95


def kill_matrix(mutants, *, tier: str = "quick", seed=None, progress=None):
    """Return ``(baseline_failures, outcomes, frame)``; ``frame`` has one row per mutant and check."""
    from .registry import select
    from .runner import run_checks

    patterns = sorted({p for m in mutants for p in m.checks})
    specs = select(patterns, tier=tier) if patterns else []
    baseline = run_checks(specs, tier=tier, seed=seed)
    baseline_failures = [r.check_id for r in baseline if not r.passed]
    outcomes: list[MutantOutcome] = []
    rows = []
    for m in mutants:
        mine = [s for s in specs if any(fnmatch.fnmatchcase(s.check_id, p) or s.check_id.startswith(p.rstrip("*"))
                                        for p in m.checks)]
        out = run_mutant(m, tier=tier, seed=seed, specs=mine)
        outcomes.append(out)
        for cid in out.check_ids:
            rows.append({"mutant": m.id, "check_id": cid, "killed_by": cid in out.failed})
        if progress:
            progress(out)
    return baseline_failures, outcomes, pd.DataFrame(rows, columns=["mutant", "check_id", "killed_by"])


def _summary_markdown(outcomes: list[MutantOutcome], baseline_failures: list[str]) -> str:
    killed = sum(o.killed for o in outcomes)
    rate = killed / max(1, len(outcomes))
    lines = ["# Mutant kill matrix", "",
             f"{killed}/{len(outcomes)} mutants killed (kill rate {rate:.1%}); unmutated run: "
             + ("all checks passed" if not baseline_failures else f"FAILED {baseline_failures}"), "",
             "| mutant | story | killed | killing checks | s |", "|---|---|---|---|---|"]
    for o in outcomes:
        status = "yes" if o.killed else ("**error**" if o.error else "**survived**")
        why = o.error or o.mutant.survives
        lines.append(f"| `{o.mutant.id}` | {o.mutant.story} | {status} | {', '.join(o.failed) or why or '–'} | "
                     f"{o.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def run_cli(args) -> int:
    """``lrtcheck mutants``: the kill matrix of the catalogue (or of the mutants matching ``--only``)."""
    mutants = catalogue()
    if getattr(args, "only", None):
        mutants = [m for m in mutants if any(fnmatch.fnmatchcase(m.id, p) for p in args.only)]
    if not mutants:
        print("lrtcheck mutants: no mutant matches", file=sys.stderr)
        return 2

    def progress(o):
        print(f"{'KILLED  ' if o.killed else 'SURVIVED'} {o.mutant.id:<40} {o.seconds:6.1f} s  "
              f"{', '.join(o.failed[:3]) or o.error or o.mutant.survives}", file=sys.stderr)

    baseline_failures, outcomes, frame = kill_matrix(mutants, tier=args.tier, progress=progress)
    md = _summary_markdown(outcomes, baseline_failures)
    print(md)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "kill_matrix.csv", index=False)
        (out / "mutants.md").write_text(md, encoding="utf-8")
    rate = sum(o.killed for o in outcomes) / len(outcomes)
    if baseline_failures:
        print(f"the unmutated run failed: {baseline_failures}", file=sys.stderr)
        return 1
    return 0 if rate >= KILL_RATE_FLOOR else 1
