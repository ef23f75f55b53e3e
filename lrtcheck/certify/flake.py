"""False-fail calibration (``lrtcheck flake --runs N``).

Under the correct implementation and random root seeds, the p-value behind each ``holds`` check's decision must be
super-uniform: ``P(p <= x) <= x``.  For each check and x in {0.001, 0.01, 0.05, 0.1} we count ``p <= x`` over the
runs and compute the exact Clopper-Pearson interval of that frequency; calibration is *refuted* only when the
interval's lower end exceeds x (a one-sided exact binomial test at level ``confidence``).  This validates declared
false-fail rates far below what counting failed runs could.  Failed check runs are counted against the budget too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from lrtcheck.stats import clopper_pearson

from .grid import Task, run_grid
from .power import LEVELS, run_seeds

__all__ = ["flake_runs", "calibration_table", "run_flake_cli", "LEVELS"]


def flake_runs(patterns, runs: int, *, tier: str = "quick", root: int = 0, executor=None,
               progress: bool | None = None) -> pd.DataFrame:
    """Run the matching ``holds`` checks under ``runs`` independent root seeds (a grid of (run, check) tasks on
    ``executor``); one row per (run, check), in (run, check) order whichever executor ran it."""
    from .registry import select

    specs = [s for s in select(patterns, tier=tier) if s.stochastic and s.claim.expectation == "holds"]
    seeds = run_seeds(root, runs)
    tasks = [Task(spec.check_id, tier=tier, seed=seed) for seed in seeds for spec in specs]
    outcomes = run_grid(tasks, executor, desc=f"flake ({tier}, {runs} runs)", progress=progress)
    rows = [{"run": i // max(1, len(specs)), "seed": o.task.seed, "check_id": o.task.check_id, "passed": o.passed,
             "p_value": o.p_value, "false_fail_rate": o.budget_share} for i, o in enumerate(outcomes)]
    return pd.DataFrame(rows, columns=["run", "seed", "check_id", "passed", "p_value", "false_fail_rate"])


def calibration_table(frame: pd.DataFrame, confidence: float = 0.99) -> pd.DataFrame:
    """Per check and level x: count of p <= x, the exact interval of P(p <= x), and whether x is refuted."""
    out = []
    for cid, g in frame.groupby("check_id"):
        p = g["p_value"].to_numpy()
        valid = p[np.isfinite(p)]
        for x in LEVELS:
            k = int(np.sum(valid <= x))
            n = int(valid.size)
            if n == 0:
                continue
            lo = clopper_pearson(k, n, 2 * (1 - confidence))[0]  # one-sided lower bound at `confidence`
            out.append({"check_id": cid, "level": x, "runs": n, "count": k, "frequency": k / n,
                        "lower_bound": float(lo), "refuted": bool(lo > x),
                        "failed_runs": int((~g["passed"]).sum())})
    return pd.DataFrame(out)


def run_flake_cli(args, executor) -> int:
    frame = flake_runs(args.check or ["*"], args.runs, tier=args.tier, root=args.root, executor=executor,
                       progress=True if args.progress else None)
    if frame.empty:
        print("lrtcheck flake: no stochastic holds check matches", file=sys.stderr)
        return 2
    table = calibration_table(frame)
    failed_runs = int(frame.groupby("run")["passed"].apply(lambda s: (~s).any()).sum())
    budget = float(frame.groupby("check_id")["false_fail_rate"].first().sum())
    low, high = clopper_pearson(failed_runs, args.runs, 0.01)
    print(table.to_string(index=False))
    print(f"\n{failed_runs}/{args.runs} runs had a failed check; declared false-fail probability of these checks "
          f"together {budget:.2e}; exact 99% interval of the failed-run rate [{low:.2e}, {high:.2e}]")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "flake_runs.csv", index=False)
        table.to_csv(out / "flake_calibration.csv", index=False)
    refuted = table[table["refuted"]]
    if len(refuted):
        print("super-uniformity refuted for:\n" + refuted.to_string(index=False), file=sys.stderr)
        return 1
    return 0 if low <= budget else 1
