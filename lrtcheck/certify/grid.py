"""Grids of independent (check, seed, defect) tasks, run on any executor with a progress bar.

``lrtcheck certify`` (one task per check), ``power`` (each check under R root seeds, with and without its declared
defect), ``flake`` (each check under R root seeds) and ``mutants`` (each mutant against each check of the families
that use its code) are grids of :class:`Task`.  A task names everything it needs by value (check id, tier, root
seed, mutant id, budget, device, user subjects as ``module:object`` names), so it runs the same in this process, in
a pool of processes or on a Dask worker, and :func:`run_task` returns a picklable :class:`TaskOutcome`.
:func:`run_grid` submits the whole grid to one executor, shows a tqdm bar as tasks finish, and returns the outcomes
in task order: the same list whichever executor ran it.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Sequence

from lrtcheck.stats.budget import DEFAULT_TOTAL_FALSE_FAIL

from .evidence import Evidence

__all__ = ["Task", "TaskOutcome", "run_task", "run_grid", "mc_rejected", "progress_bar"]


@dataclass(frozen=True)
class Task:
    """One run of one check.

    Attributes
    ----------
    check_id : the registered check.
    tier, seed, budget_total, device : as for ``lrtcheck certify``.
    mutant : the id of a catalogue mutant applied while the check runs (``None``: the code as it is).
    subjects : user subjects ``(kind, "[KIND=]module:object")``, loaded in the worker.
    keep_evidence : return the whole evidence (``certify`` needs it for figures); otherwise only the summary.
    group : tasks of one group can be cancelled together (a mutant's remaining checks once it is killed).
    """

    check_id: str
    tier: str = "quick"
    seed: int = 0
    mutant: str | None = None
    budget_total: float = DEFAULT_TOTAL_FALSE_FAIL
    device: str | None = None
    subjects: tuple[tuple[str, str], ...] = ()
    keep_evidence: bool = False
    group: Hashable = None


@dataclass(frozen=True)
class TaskOutcome:
    """What one task found (picklable; floats exactly as the check computed them)."""

    task: Task
    passed: bool
    verdict: str
    p_value: float
    power: float
    false_fail_rate: float
    budget_share: float
    required_power: float
    mc_rejected: bool
    seconds: float
    message: str = ""
    error: str = ""
    evidence: Evidence | None = None
    subject: str = ""
    subject_spec: str = ""
    traceback: str = ""


def mc_rejected(evidence: Evidence | None) -> bool:
    """Whether a Monte Carlo part of the evidence's decision rejected: a leaf of the decision tree that spends a
    share (``share > 0``) and does not hold.  Exact clauses are left out, so this is the rejection the declared power
    speaks of.  Evidence made without a decision counts by its verdict; an error counts as a rejection."""
    if evidence is None:
        return True
    decision = evidence.decision
    if decision is None:
        return evidence.verdict == "violated"

    def walk(d) -> bool:
        if d.parts:
            return any(walk(p) for p in d.parts)
        return d.share > 0.0 and not d.holds

    return walk(decision)


def run_task(task: Task) -> TaskOutcome:
    """Run one task (in whatever process it lands); a mutant that cannot be applied is reported in ``error``."""
    import contextlib

    from .registry import get, load_all
    from .runner import budget_for, run_check
    from .subjects import load_subject

    load_all()  # every family imported first, so a mutant is patched wherever its target is referenced
    spec = get(task.check_id)
    subject, subject_spec = None, ""
    for kind, name in task.subjects:
        if spec.subject == kind:
            subject = load_subject(name)[1]
            subject_spec = name if name.split(":", 1)[0].count("=") else f"{kind}={name}"
    start = time.perf_counter()
    try:
        if task.mutant is not None:
            from .mutation import mutant_by_id, patched

            context = patched(mutant_by_id(task.mutant))
        else:
            context = contextlib.nullcontext()
        with context:
            res = run_check(spec, tier=task.tier, root_seed=task.seed, budget=budget_for(task.tier, task.budget_total),
                            subject=subject, device=task.device,
                            subject_name=subject_spec.split("=", 1)[1] if subject_spec else None,
                            subject_spec=subject_spec)
    except Exception as exc:  # the mutant could not be applied: not a kill, an error to mend
        return TaskOutcome(task, False, "error", math.nan, math.nan, math.nan, math.nan, math.nan, True,
                           time.perf_counter() - start, error=f"{type(exc).__name__}: {exc}")
    finally:
        from .gate_coverage import flush_worker_coverage

        flush_worker_coverage()  # a no-op unless this is a pool worker of `certify --coverage`
    ev = res.evidence
    d = ev.design if ev is not None else None
    return TaskOutcome(
        task=task, passed=bool(res.passed), verdict=res.verdict,
        p_value=float(ev.p_value) if ev is not None else math.nan,
        power=float(d.power) if d is not None else math.nan,
        false_fail_rate=float(d.false_fail_rate) if d is not None else math.nan,
        budget_share=float(res.false_fail_rate), required_power=float(res.required_power),
        mc_rejected=mc_rejected(ev), seconds=float(res.seconds), message=res.message,
        evidence=ev if task.keep_evidence else None, subject=res.subject, subject_spec=res.subject_spec,
        traceback=res.traceback)


def progress_bar(total: int, desc: str, *, enabled: bool | None = None):
    """A tqdm bar on stderr (shown on a terminal, or always with ``enabled=True``; never with ``False``)."""
    from tqdm import tqdm

    disable = (not sys.stderr.isatty()) if enabled is None else not enabled
    return tqdm(total=total, desc=desc, unit="task", file=sys.stderr, disable=disable, leave=False)


def run_grid(tasks: Sequence[Task], executor=None, *, desc: str = "tasks", progress: bool | None = None,
             stop_group: Callable[[TaskOutcome], bool] | None = None,
             on_outcome: Callable[[TaskOutcome], None] | None = None) -> list[TaskOutcome | None]:
    """Run every task on ``executor`` (serial by default); outcomes in task order.

    With ``stop_group``, once an outcome satisfies it the later tasks of its group (in task order) not yet started
    are cancelled, and in the end every task of a group after its first stopping task is ``None`` (the kill matrix
    stops a killed mutant's remaining checks).  Earlier tasks are never cancelled, so the list is the serial run's
    whichever executor ran it.
    """
    from .executors import SerialExecutor

    tasks = list(tasks)
    executor = executor or SerialExecutor()
    out: list[TaskOutcome | None] = [None] * len(tasks)
    by_group: dict[Hashable, list[int]] = {}
    for i, t in enumerate(tasks):
        by_group.setdefault(t.group, []).append(i)
    stopped: set = set()
    cancelled: set[int] = set()
    bar = progress_bar(len(tasks), desc, enabled=progress)
    try:
        batch = executor.start(run_task, tasks)
        for i, outcome in batch:
            out[i] = outcome
            if i not in cancelled:
                bar.update(1)
            if on_outcome is not None:
                on_outcome(outcome)
            group = tasks[i].group
            if stop_group is not None and group is not None and stop_group(outcome):
                stopped.add(group)
                pending = [j for j in by_group[group] if j > i and out[j] is None and j not in cancelled]
                batch.cancel(pending)
                cancelled.update(pending)
                bar.update(len(pending))
    finally:
        bar.close()
    for g in stopped:  # drop what ran after the group's first stopping task (timing-dependent), as serial would
        first = min(j for j in by_group[g] if out[j] is not None and stop_group(out[j]))
        for j in by_group[g]:
            if j > first:
                out[j] = None
    return out
