"""Running checks: budget shares, design assertions, timing, and one result row per check."""

from __future__ import annotations

import dataclasses
import json
import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from lrtcheck.stats.budget import DEFAULT_TOTAL_FALSE_FAIL, ErrorBudget
from lrtcheck.stats.seeds import resolve_root_seed

from .claims import FAILS, HOLDS, MEASURED
from .context import CheckContext
from .evidence import Evidence, verdict_passes
from .executors import SerialExecutor
from .registry import TIER_POWER, CheckSpec, all_checks
from .threads import pinned_threads

__all__ = ["CheckResult", "budget_for", "run_check", "run_checks", "default_device"]


def default_device(tier: str) -> str:
    """CUDA for the full tier when a CUDA device is present, else CPU (the quick tier is the CPU CI gate)."""
    if tier != "full":
        return "cpu"
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except Exception:  # pragma: no cover
        return "cpu"


def budget_for(tier: str, total: float = DEFAULT_TOTAL_FALSE_FAIL) -> ErrorBudget:
    """Equal Bonferroni shares over every registered stochastic check of ``tier`` that asserts something.

    ``measured`` checks report figures and take no share: they fail only when the measurement itself is invalid.
    """
    return ErrorBudget.equal([s.check_id for s in all_checks(tier) if _takes_share(s)], total=total)


def _takes_share(spec: CheckSpec) -> bool:
    return spec.stochastic and spec.claim.expectation != MEASURED


@dataclass
class CheckResult:
    """The outcome of one check: evidence, whether it passed, and why not.

    ``figures`` (plot specs) and ``finding`` (the one-line finding of a ``fails`` claim) are filled by
    :func:`lrtcheck.certify.figures.attach_figures` when a report is made; they never go into the evidence.
    ``subject`` names what was certified (a user's subject by its import path or given name, else
    ``reference ...``; empty for checks without a subject kind), ``subject_spec`` the ``KIND=module:object`` that
    reloads a user's subject (empty when it was given as a Python object), and ``traceback`` the full traceback when
    the check (or the subject inside it) raised.
    """

    spec: CheckSpec
    tier: str
    root_seed: int
    false_fail_rate: float
    required_power: float
    evidence: Evidence | None
    passed: bool
    seconds: float
    message: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)
    finding: str = ""
    subject: str = ""
    subject_spec: str = ""
    traceback: str = ""

    @property
    def check_id(self) -> str:
        return self.spec.check_id

    @property
    def verdict(self) -> str:
        return self.evidence.verdict if self.evidence is not None else "error"

    @property
    def user_subject(self) -> bool:
        """Whether a user's implementation (not the reference) was certified."""
        return bool(self.subject) and not self.subject.startswith("reference ")

    @property
    def outcome(self) -> str:
        """What the row says of its subject, in words: ``certified`` / ``violates the claim`` for a ``holds`` claim,
        ``limitation reproduced`` for a ``fails`` claim (a paper's limitation, reproduced on the subject: that
        certifies nothing about the subject), ``measured``, ``not reproduced`` or ``error``."""
        if self.evidence is None:
            return "error"
        exp = self.spec.claim.expectation
        if exp == FAILS:
            return "limitation reproduced" if self.passed else "limitation not reproduced"
        if exp == MEASURED:
            return "measured" if self.passed else "measurement invalid"
        return "certified" if self.passed else "violates the claim"

    def row(self) -> dict[str, Any]:
        ev = self.evidence
        d = ev.design if ev is not None else None
        claim = self.spec.claim
        nan = math.nan
        details = dict(ev.details) if ev is not None else {}
        if self.traceback:
            details["traceback"] = self.traceback
        return {
            "check_id": self.check_id,
            "subject": self.subject,
            "claim": claim.id,
            "statement": claim.statement,
            "source": claim.source,
            "method": claim.method,
            "expectation": claim.expectation,
            "fails_kind": claim.fails_kind,
            "verdict": self.verdict,
            "passed": bool(self.passed),
            "n": int(ev.n) if ev is not None else 0,
            "estimate": float(ev.estimate) if ev is not None else nan,
            "lower": float(ev.lower) if ev is not None else nan,
            "upper": float(ev.upper) if ev is not None else nan,
            "bound": float(ev.bound) if ev is not None else nan,
            "p_value": float(ev.p_value) if ev is not None else nan,
            "false_fail_rate": float(d.false_fail_rate) if d is not None else float(self.false_fail_rate),
            "power": float(d.power) if d is not None else nan,
            "target_defect": d.target_defect if d is not None else "",
            "defect_size": float(d.defect_size) if d is not None else nan,
            "budget_share": float(self.false_fail_rate),
            "required_power": float(self.required_power),
            "seed": int(self.root_seed),
            "tier": self.tier,
            "seconds": float(self.seconds),
            "message": self.message,
            "details": json.dumps(details, default=_json_default, sort_keys=True),
        }

    def describe(self) -> str:
        status = "PASSED" if self.passed else "FAILED"
        head = (f"{self.check_id} {status}: claim {self.spec.claim.id!r} expected {self.spec.claim.expectation!r}, "
                f"verdict {self.verdict!r}")
        if self.user_subject:
            head = f"{self.check_id} {status} for subject {self.subject}: {self.outcome}"
            if self.outcome == "violates the claim":
                head += f" {self.spec.claim.id!r} ({self.spec.claim.statement})"
            elif self.outcome == "limitation reproduced":
                head += (f": the claim {self.spec.claim.id!r} fails, as lrtcheck expects it to; this row certifies "
                         "nothing about the subject")
            head += f"; verdict {self.verdict!r}"
        ev = self.evidence
        if ev is not None:
            head += (f"; estimate {ev.estimate:.6g} [{ev.lower:.6g}, {ev.upper:.6g}] vs bound {ev.bound:.6g}, "
                     f"p={ev.p_value:.3g}, n={ev.n}")
        if self.message:
            head += f"\n  {self.message}"
        head += f"\n  reproduce: {self.reproduce()}"
        return head

    def configurations(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The configurations the check drew (``details["config"]``) and those that did not hold."""
        details = self.evidence.details if self.evidence is not None else {}
        return list(details.get("config", [])), list(details.get("config_failed", []))

    def reproduce(self) -> str:
        """The command that reruns this check as it ran (same tier, root seed, hence the same configurations),
        followed by the drawn configurations that did not hold, if any."""
        line = f"lrtcheck certify --tier {self.tier} --seed {self.root_seed} --check '{self.check_id}'"
        if self.subject_spec:
            line += f" --subject '{self.subject_spec}'"
        elif self.user_subject:
            line += f"  # subject {self.subject}: give it again (parametrize_with_checks or --subject KIND=module:object)"
        drawn, failed = self.configurations()
        if failed:
            keys = {(f["space"], f["index"]) for f in failed}
            shown = [c for c in drawn if (c["space"], c["index"]) in keys]
            line += "  # failing configuration" + ("s" if len(shown) > 1 else "") + ": " + "; ".join(
                f"{c['space']}[{c['index']}] " + ", ".join(f"{k}={v}" for k, v in c.items() if k not in
                                                           ("space", "index")) for c in shown)
        return line


def _json_default(obj):
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(obj)


def _design_problem(spec: CheckSpec, ev: Evidence, share: float, required_power: float) -> str:
    """Why the evidence's design does not meet the budget and power rules (empty when it does)."""
    if not spec.stochastic or spec.claim.expectation not in (HOLDS, FAILS):
        return ""
    d = ev.design
    if d is None:
        return "design: a Monte Carlo check must state its design (false-fail rate, target defect, power)"
    if spec.claim.expectation == HOLDS and d.false_fail_rate > share * (1 + 1e-9):
        return f"design: false-fail rate {d.false_fail_rate:.3g} exceeds the check's budget share {share:.3g}"
    if not (d.power >= required_power):
        return f"design: power {d.power:.4f} against '{d.target_defect}' is below the required {required_power:.4f}"
    return ""


def _with_configurations(ev: Evidence, ctx: CheckContext) -> Evidence:
    """The evidence with the drawn configurations in ``details["config"]`` (and the failing ones in
    ``details["config_failed"]``), as the engine records them."""
    if not ctx.drawn_configurations:
        return ev
    if "config" in ev.details or "config_failed" in ev.details:
        raise ValueError(f"check {ctx.check_id}: details['config'] and details['config_failed'] are written by the "
                         "engine from ctx.configurations(...); leave them out of the evidence")
    details = {**ev.details, "config": list(ctx.drawn_configurations),
               "config_failed": list(ctx.failed_configurations)}
    return dataclasses.replace(ev, details=details)


def run_check(
    spec: CheckSpec,
    *,
    tier: str = "quick",
    root_seed=None,
    budget: ErrorBudget | None = None,
    subject: Any = None,
    device: str | None = None,
    executor=None,
    subject_name: str | None = None,
    subject_spec: str = "",
) -> CheckResult:
    """Run one check and judge it: verdict against expectation, and its design against budget and power.

    A user's ``subject`` is first probed against its kind's protocol (:mod:`lrtcheck.certify.protocols`): one that
    does not conform errors with every missing member named, before the check runs.  ``subject_name`` names it in
    the results (default: its import path), ``subject_spec`` is the ``KIND=module:object`` that reloads it.
    """
    root = resolve_root_seed(root_seed)
    budget = budget or budget_for(tier)
    share = budget.share(spec.check_id) if _takes_share(spec) else 0.0
    if _takes_share(spec) and share == 0.0:  # a check outside the registered tier set: give it an equal share
        share = budget.total / max(1, budget.n_checks + 1)
    required = TIER_POWER[tier]
    if spec.claim.expectation == FAILS and spec.stochastic:
        required = max(required, 1.0 - share)
    from .protocols import ProtocolError, adapt, check_conformance
    from .subjects import reference_name
    from .subjects import subject_name as _name

    name = ""
    if subject is not None and spec.subject:
        name = subject_name or _name(subject)
        try:
            check_conformance(spec.subject, subject, name)
        except ProtocolError as exc:
            return CheckResult(spec, tier, root, share, required, None, False, 0.0, f"error: {exc}", subject=name,
                               subject_spec=subject_spec)
        subject = adapt(spec.subject, subject)
    elif spec.subject:
        name = reference_name(spec)
    if subject is None and spec.default_subject is not None:
        subject = spec.default_subject()
    ctx = CheckContext(spec=spec, tier=tier, root_seed=root, false_fail_rate=share, required_power=required,
                       params=spec.params_for(tier), subject=subject, device=device or default_device(tier),
                       executor=executor or SerialExecutor())
    start = time.perf_counter()
    try:
        with pinned_threads():
            ev = spec.func(ctx)
        if not isinstance(ev, Evidence):
            raise TypeError(f"check {spec.check_id} returned {type(ev).__name__}, not Evidence")
        ev = _with_configurations(ev, ctx)
    except Exception as exc:  # a check that crashes fails: the last line and where in the message, all in traceback
        seconds = time.perf_counter() - start
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" (raised at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
        return CheckResult(spec, tier, root, share, required, None, False, seconds, f"error: {last}{where}",
                           subject=name, subject_spec=subject_spec, traceback=traceback.format_exc())
    seconds = time.perf_counter() - start
    passed = verdict_passes(spec.claim.expectation, ev.verdict)
    message = ev.message
    problem = _design_problem(spec, ev, share, required)
    if problem:
        passed = False
        message = f"{problem}; {message}" if message else problem
    return CheckResult(spec, tier, root, share, required, ev, passed, seconds, message, subject=name,
                       subject_spec=subject_spec)


def run_checks(
    specs: Iterable[CheckSpec] | None = None,
    *,
    tier: str = "quick",
    seed=None,
    budget_total: float = DEFAULT_TOTAL_FALSE_FAIL,
    subjects: Mapping[str, Any] | None = None,
    device: str | None = None,
    executor=None,
    progress: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Run ``specs`` (all of the tier by default) under one root seed and one budget."""
    root = resolve_root_seed(seed)
    budget = budget_for(tier, budget_total)
    specs = list(specs) if specs is not None else all_checks(tier)
    results = []
    for spec in specs:
        subject = (subjects or {}).get(spec.subject) if spec.subject else None
        res = run_check(spec, tier=tier, root_seed=root, budget=budget, subject=subject, device=device,
                        executor=executor)
        results.append(res)
        if progress is not None:
            progress(res)
    return results
