"""Measured power and false-fail rate of the Monte Carlo checks (``lrtcheck power``).

Each asserting Monte Carlo check states a target defect and its power against it.  Here the defect is run: the
catalogue mutant that declares it (``Mutant(..., declares=(check_id,))``) is applied while the check runs under R
independent root seeds (drawn from one root through ``SeedSequence``), and the check runs R more times without it.

Power, for a ``holds`` check.  A run *rejects* when a Monte Carlo part of its decision (a decision that spends a
share) does not hold (:func:`~lrtcheck.certify.grid.mc_rejected`); exact clauses are left out, since the declared
power is that of the Monte Carlo decision.  With K rejections in R runs:

* *shown*: the exact one-sided Clopper-Pearson lower bound of K/R at ``confidence`` is at least the power the tier
  requires (0.9 quick, 0.99 full), the figure every such check promises;
* *consistent*: the declared powers pi_1..pi_R of the runs (each run draws its own configurations, so each has
  its own) are not refuted: ``P(K' <= K) >= a`` for K' Poisson-binomial(pi) -- a declared power is a lower bound,
  so a true power at least pi makes K stochastically larger than K'.  A declared power of 1 is refuted by a single
  run that does not reject.  Every refutation of the table is made at ``a = (1 - confidence) / m``, m the number
  of refutation tests in the table (Bonferroni), so that a correct set of checks is refuted with probability at
  most ``1 - confidence`` (:func:`power_table`).

False-fail rate, without the defect.  F of the R runs fail; the share s is the check's budget share.  When the
exact one-sided upper bound of F/R is at most s the rate is *bounded*.  When s is too small for R runs to bound
(R < ln(1/(1 - confidence)) / s), the rate is tested as ``lrtcheck flake`` does: refuted when the exact lower bound
(at ``1 - a``) of F/R exceeds s, or when the p-values of the runs are not super-uniform (for x in 0.001, 0.01, 0.05,
0.1 the lower bound of the frequency of p <= x exceeds x).  A ``fails`` check has no defect to run: its power is the probability
of reproducing the violation, measured on the runs without a defect (shown and consistent as above), and its
false-fail rate is the rate of runs that do not reproduce it.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from lrtcheck.stats import clopper_pearson, poisson_binomial_cdf

from .grid import Task, run_grid

__all__ = ["power_tasks", "power_table", "run_power_cli", "run_seeds", "LEVELS"]

LEVELS = (0.001, 0.01, 0.05, 0.1)


def run_seeds(root: int, runs: int) -> list[int]:
    """``runs`` independent root seeds from ``SeedSequence(root)`` (the same list as ``lrtcheck flake``)."""
    return [int(s) for s in np.random.SeedSequence(int(root)).generate_state(int(runs), dtype=np.uint32)]


def _lower(k: int, n: int, confidence: float) -> float:
    return 0.0 if k == 0 else float(clopper_pearson(k, n, 2 * (1 - confidence))[0])


def _upper(k: int, n: int, confidence: float) -> float:
    return 1.0 if k == n else float(clopper_pearson(k, n, 2 * (1 - confidence))[1])


def power_tasks(specs, runs: int, *, tier: str, root: int):
    """The grid: each check under ``runs`` seeds without a defect, and again under each declared defect."""
    from .mutation import declared_defects

    seeds = run_seeds(root, runs)
    tasks, defects = [], {}
    for spec in specs:
        tasks += [Task(spec.check_id, tier=tier, seed=s) for s in seeds]
        mine = declared_defects(spec.check_id) if spec.claim.expectation == "holds" else []
        defects[spec.check_id] = (spec.claim.expectation, [m.id for m in mine])
        for m in mine:
            tasks += [Task(spec.check_id, tier=tier, seed=s, mutant=m.id) for s in seeds]
    return tasks, defects


def _false_fail(base, confidence: float, expectation: str, refute_at: float) -> dict:
    runs = len(base)
    share = float(base[0].budget_share)
    failed = sum(not o.passed for o in base)  # holds: a false fail; fails: the violation not reproduced
    upper = _upper(failed, runs, confidence)
    out = {"ff_failures": failed, "share": share, "ff_upper": upper}
    if upper <= share:
        out["ff_status"] = "bounded"
        return out
    refuted = _lower(failed, runs, 1 - refute_at) > share
    if expectation == "holds" and not refuted:
        p = np.array([o.p_value for o in base], dtype=float)
        p = p[np.isfinite(p)]
        for x in LEVELS:
            if p.size and _lower(int(np.sum(p <= x)), int(p.size), 1 - refute_at) > x:
                refuted = True
    out["ff_status"] = "REFUTED" if refuted else ("super-uniform p" if expectation == "holds" else "not refuted")
    return out


def _power(runs_, confidence: float, rejected, refute_at: float) -> dict:
    n = len(runs_)
    k = int(sum(rejected(o) for o in runs_))
    declared = np.array([o.power for o in runs_], dtype=float)
    required = float(runs_[0].required_power)
    lower = _lower(k, n, confidence)
    if np.all(np.isfinite(declared)):
        consistent_p = poisson_binomial_cdf(k, np.clip(declared, 0.0, 1.0))
    else:
        consistent_p = math.nan
    return {"runs": n, "declared_power": float(np.min(declared)) if declared.size else math.nan,
            "declared_power_mean": float(np.mean(declared)) if declared.size else math.nan,
            "required_power": required, "rejections": k, "rate": k / n, "cp_lower": lower,
            "shown": lower >= required, "consistency_p": consistent_p,
            "consistent": bool(consistent_p >= refute_at) if math.isfinite(consistent_p) else False,
            "gate_rejections": int(sum(not o.passed for o in runs_)) if rejected is not _reproduced else k,
            "errors": int(sum(bool(o.error) or o.verdict == "error" for o in runs_))}


def _reproduced(o) -> bool:
    return o.passed


def power_table(outcomes, defects: dict[str, tuple[str, list[str]]], *, confidence: float = 0.95) -> pd.DataFrame:
    """One row per (check, declared defect): measured power and false-fail status (module docstring).
    ``defects`` maps each check id to its expectation and its declared defects (:func:`power_tasks`).

    A power is *shown* per check at ``confidence``.  The refutations (a declared power, a false-fail count, a
    super-uniformity level) are tests of correct checks, so that the table as a whole refutes nothing true with
    probability above ``1 - confidence`` each is made at ``(1 - confidence) / m``, m the number of refutation tests
    the table can make (Bonferroni: per check and defect, one for the declared power; per check, one for the
    false-fail count and one per super-uniformity level)."""
    m = sum(len(mids) + 1 + len(LEVELS) for _, mids in defects.values())
    refute_at = (1 - confidence) / max(1, m)
    by = {}
    for o in outcomes:
        by.setdefault((o.task.check_id, o.task.mutant), []).append(o)
    rows = []
    for cid, (expectation, mids) in defects.items():
        base = by[(cid, None)]
        ff = _false_fail(base, confidence, expectation, refute_at)
        if expectation == "fails":
            row = {"check_id": cid, "expectation": "fails", "defect": "(reproduce the violation)",
                   **_power(base, confidence, _reproduced, refute_at), **ff, "refutation_level": refute_at}
            rows.append(row)
            continue
        if not mids:
            rows.append({"check_id": cid, "expectation": "holds", "defect": "", "runs": len(base), **ff,
                         "refutation_level": refute_at, "verdict": "NO DECLARED DEFECT"})
            continue
        for mid in mids:
            rows.append({"check_id": cid, "expectation": "holds", "defect": mid,
                         **_power(by[(cid, mid)], confidence, lambda o: o.mc_rejected, refute_at), **ff,
                         "refutation_level": refute_at})
    frame = pd.DataFrame(rows)
    if len(frame):
        def verdict(r):
            if isinstance(r.get("verdict"), str):
                return r["verdict"]
            problems = []
            if not r["shown"]:
                problems.append("power not shown")
            if not r["consistent"]:
                problems.append("declared power refuted")
            if r["ff_status"] == "REFUTED":
                problems.append("false-fail rate refuted")
            return "ok" if not problems else "; ".join(problems).upper()

        frame["verdict"] = frame.apply(verdict, axis=1)
    return frame


def _fmt_table(frame: pd.DataFrame) -> str:
    cols = ["check_id", "defect", "runs", "declared_power", "required_power", "rejections", "rate", "cp_lower",
            "consistency_p", "ff_failures", "share", "ff_upper", "ff_status", "verdict"]
    shown = frame[[c for c in cols if c in frame.columns]].copy()
    return shown.to_string(index=False, float_format=lambda x: f"{x:.4g}")


def run_power_cli(args, executor) -> int:
    """``lrtcheck power``: the table, ``power.csv`` and ``power_runs.csv`` with ``--out``; exit 1 when a check falls
    short (power not shown or refuted, false-fail rate refuted, no declared defect)."""
    from .registry import select

    specs = [s for s in select(args.check, tier=args.tier)
             if s.stochastic and s.claim.expectation in ("holds", "fails")]
    if not specs:
        print("lrtcheck power: no asserting Monte Carlo check matches", file=sys.stderr)
        return 2
    tasks, defects = power_tasks(specs, args.runs, tier=args.tier, root=args.root)
    outcomes = run_grid(tasks, executor, desc=f"power ({args.tier}, R={args.runs})",
                        progress=True if args.progress else None)
    frame = power_table(outcomes, defects, confidence=args.confidence)
    level = float(frame["refutation_level"].iloc[0]) if len(frame) else math.nan
    print(f"lrtcheck power: tier {args.tier}, R = {args.runs} root seeds from SeedSequence({args.root}); power shown "
          f"and false-fail bounded at one-sided confidence {args.confidence} per check; refutations at {level:.3g} "
          f"each (family-wise {1 - args.confidence:.3g})")
    print(_fmt_table(frame))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / "power.csv", index=False)
        pd.DataFrame([{"check_id": o.task.check_id, "defect": o.task.mutant or "", "seed": o.task.seed,
                       "passed": o.passed, "mc_rejected": o.mc_rejected, "p_value": o.p_value,
                       "declared_power": o.power, "budget_share": o.budget_share, "error": o.error}
                      for o in outcomes]).to_csv(out / "power_runs.csv", index=False)
    return 0 if (frame["verdict"] == "ok").all() else 1
