"""The kill matrix: the unmutated run, then every mutant against every check of the families that use its code.

The checks a mutant runs against are derived, never chosen: :func:`~lrtcheck.certify.mutation.checks_using` takes
every check of the tier in each family whose check modules import the mutant's target module (directly or through
other modules, from the import graph).  A mutant is killed when at least one of them does not pass.  Once a check
kills it, its remaining checks are skipped (``full=True`` runs them all and gives the whole matrix); the verdict,
killed or survived, is the same either way.  The grid of (mutant, check) tasks runs on any executor
(:mod:`lrtcheck.certify.grid`) with identical outcomes.
"""

from __future__ import annotations

import fnmatch
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .grid import Task, run_grid
from .mutation import Mutant, MutantOutcome, catalogue, checks_using, families_using

__all__ = ["kill_matrix", "KillMatrix", "KILL_RATE_FLOOR", "run_cli", "plan"]

KILL_RATE_FLOOR = 0.95


@dataclass
class KillMatrix:
    baseline_failures: list[str]
    outcomes: list[MutantOutcome]
    frame: pd.DataFrame
    families: dict[str, list[str]]
    planned: dict[str, int]

    def __iter__(self):  # (baseline_failures, outcomes, frame), as the earlier tuple
        return iter((self.baseline_failures, self.outcomes, self.frame))

    @property
    def kill_rate(self) -> float:
        return sum(o.killed for o in self.outcomes) / max(1, len(self.outcomes))


def plan(mutants, *, tier: str = "quick") -> dict[str, list[str]]:
    """``{mutant id: [check ids]}``: the checks each mutant runs against under the whole-family rule."""
    return {m.id: [s.check_id for s in checks_using(m, tier=tier)] for m in mutants}


def _killed_by(outcome) -> bool:
    return outcome is not None and not outcome.passed and not outcome.error


def kill_matrix(mutants, *, tier: str = "quick", seed=None, executor=None, full: bool = False,
                progress: bool | None = None, on_mutant=None) -> KillMatrix:
    """Run the baseline and every mutant against the checks of the families that use its code."""
    from lrtcheck.stats.seeds import resolve_root_seed

    root = resolve_root_seed(seed)
    mutants = list(mutants)
    checks = plan(mutants, tier=tier)
    union = sorted({c for ids in checks.values() for c in ids})
    tasks = [Task(c, tier=tier, seed=root) for c in union]
    for m in mutants:
        tasks += [Task(c, tier=tier, seed=root, mutant=m.id, group=m.id) for c in checks[m.id]]
    outs = run_grid(tasks, executor, desc=f"mutants ({tier})", progress=progress,
                    stop_group=None if full else _killed_by)
    base = outs[:len(union)]
    baseline_failures = [o.task.check_id for o in base if not o.passed]
    by_mutant: dict[str, list] = {m.id: [] for m in mutants}
    for o in outs[len(union):]:
        if o is not None:
            by_mutant[o.task.mutant].append(o)
    outcomes, rows = [], []
    for m in mutants:
        runs = by_mutant[m.id]
        errors = sorted({o.error for o in runs if o.error})
        out = MutantOutcome(m, [o.task.check_id for o in runs], [o.task.check_id for o in runs if _killed_by(o)],
                            sum(o.seconds for o in runs), "; ".join(errors))
        outcomes.append(out)
        rows += [{"mutant": m.id, "check_id": o.task.check_id, "killed_by": _killed_by(o)} for o in runs]
        if on_mutant is not None:
            on_mutant(out)
    families = {m.id: families_using(m.module, tier=tier) for m in mutants}
    return KillMatrix(baseline_failures, outcomes, pd.DataFrame(rows, columns=["mutant", "check_id", "killed_by"]),
                      families, {k: len(v) for k, v in checks.items()})


def _summary_markdown(km: KillMatrix, tier: str) -> str:
    killed = sum(o.killed for o in km.outcomes)
    lines = ["# Mutant kill matrix", "",
             f"{killed}/{len(km.outcomes)} mutants killed (kill rate {km.kill_rate:.1%}) under the whole-family rule "
             f"(each mutant against every {tier}-tier check of the families that import its code); unmutated run: "
             + ("all checks passed" if not km.baseline_failures else f"FAILED {km.baseline_failures}"), "",
             "| mutant | story | families | checks run / planned | killed | killing checks | s |",
             "|---|---|---|---|---|---|---|"]
    for o in km.outcomes:
        status = "yes" if o.killed else ("**error**" if o.error else "**survived**")
        why = o.error or o.mutant.survives
        lines.append(f"| `{o.mutant.id}` | {o.mutant.story} | {', '.join(km.families[o.mutant.id])} | "
                     f"{len(o.check_ids)} / {km.planned[o.mutant.id]} | {status} | "
                     f"{', '.join(o.failed) or why or '–'} | {o.seconds:.1f} |")
    return "\n".join(lines) + "\n"


def select_mutants(patterns) -> list[Mutant]:
    mutants = catalogue()
    if patterns:
        mutants = [m for m in mutants if any(fnmatch.fnmatchcase(m.id, p) for p in patterns)]
    return mutants


def run_cli(args, executor) -> int:
    """``lrtcheck mutants``: the kill matrix of the catalogue (or of the mutants matching ``--only``)."""
    mutants = select_mutants(args.only)

    def report(o):
        print(f"{'KILLED  ' if o.killed else 'SURVIVED'} {o.mutant.id:<40} {o.seconds:6.1f} s  "
              f"{', '.join(o.failed[:3]) or o.error or o.mutant.survives}", file=sys.stderr)

    km = kill_matrix(mutants, tier=args.tier, seed=args.seed, executor=executor, full=args.full_matrix,
                     progress=None if not args.progress else True, on_mutant=report)
    md = _summary_markdown(km, args.tier)
    print(md)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        km.frame.to_csv(out / "kill_matrix.csv", index=False)
        (out / "mutants.md").write_text(md, encoding="utf-8")
    if km.baseline_failures:
        print(f"the unmutated run failed: {km.baseline_failures}", file=sys.stderr)
        return 1
    return 0 if km.kill_rate >= KILL_RATE_FLOOR else 1
