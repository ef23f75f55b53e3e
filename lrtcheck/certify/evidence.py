"""Evidence and verdicts: what a check returns, in the manner of scipy.stats result objects.

A check makes its statistical decision with :mod:`lrtcheck.stats.decisions` and returns
``Evidence.from_decision(decision, details=..., artifacts=...)``.  The verdict is ``holds`` or ``violated``; the
check passes when the verdict matches the claim's expectation (a ``measured`` claim passes when its measurement is
valid).  Evidence is frozen: its ``details`` and ``artifacts`` are read-only once made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from lrtcheck.stats.decisions import HOLDS, VIOLATED, Decision
from lrtcheck.stats.design import Design

__all__ = ["Evidence", "HOLDS_VERDICT", "VIOLATED_VERDICT", "verdict_passes", "ReadOnlyDict", "ReadOnlyList"]

HOLDS_VERDICT = HOLDS
VIOLATED_VERDICT = VIOLATED


def _read_only(*_args, **_kwargs):
    raise TypeError("evidence is frozen: its details and artifacts are read-only")


class ReadOnlyDict(dict):
    """A ``dict`` that refuses every change (``isinstance(x, dict)`` and ``json.dumps`` keep working)."""

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):
        return (ReadOnlyDict, (dict(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class ReadOnlyList(list):
    """A ``list`` that refuses every change."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = clear = extend = insert = pop = remove = reverse = sort = _read_only

    def __reduce__(self):
        return (ReadOnlyList, (list(self),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def _freeze(value: Any) -> Any:
    """Read-only copies of nested dicts and lists; numpy arrays become read-only views (no copy)."""
    if isinstance(value, Mapping):
        return ReadOnlyDict({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return ReadOnlyList(_freeze(v) for v in value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    return value


@dataclass(frozen=True)
class Evidence:
    """What one check observed.

    Attributes
    ----------
    verdict : ``holds`` or ``violated``.
    n : the sample size behind the decision (0 for exact checks).
    estimate, lower, upper : the estimated quantity and its confidence interval (NaN where none applies).
    bound : the exact value or bound the estimate is compared with.
    p_value : the p-value (or exact tail probability) behind the decision; NaN for exact checks.
    design : false-fail rate, target defect, its size, power against it and n.
    details : figures for the report's tables (per-setting measurements), read-only.
    artifacts : arrays for the report's plots (kept in memory, not written to the CSV), read-only.
    message : one line a person reads when the check does not pass.
    decision : the :class:`~lrtcheck.stats.decisions.Decision` the evidence was made from, if any.
    """

    verdict: str
    n: int = 0
    estimate: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    bound: float = math.nan
    p_value: float = math.nan
    design: Design | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    artifacts: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""
    decision: Decision | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.verdict not in (HOLDS_VERDICT, VIOLATED_VERDICT):
            raise ValueError(f"verdict must be 'holds' or 'violated', got {self.verdict!r}")
        for name in ("details", "artifacts"):
            value = getattr(self, name)
            if value is None:
                value = {}
            if not isinstance(value, Mapping):
                raise ValueError(f"{name} must be a mapping, got {type(value).__name__}")
            object.__setattr__(self, name, _freeze(value))

    def confidence_interval(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    _OVERRIDES = frozenset({"n", "estimate", "lower", "upper", "bound", "design_n", "target_defect", "defect_size",
                            "false_fail_rate"})

    @classmethod
    def from_decision(cls, decision: Decision, *, details: Mapping[str, Any] | None = None,
                      artifacts: Mapping[str, Any] | None = None, message: str | None = None,
                      **overrides: Any) -> "Evidence":
        """Evidence of ``decision``: its verdict, p-value, estimate, interval, bound and n, and, for a decision that
        spends a share (or states a power), the design (false-fail rate = the share, target defect, its size, the
        power, n).

        ``message`` defaults to the decision's message when it does not hold.  ``overrides`` replace what is
        reported without touching the decision: ``n``, ``estimate``, ``lower``, ``upper``, ``bound`` (the
        evidence's fields), ``design_n``, ``target_defect``, ``defect_size`` (the design's) and
        ``false_fail_rate`` (an exact false-fail probability of the design, never above the share spent).
        """
        if not isinstance(decision, Decision):
            raise TypeError(f"decision must be a Decision, got {type(decision).__name__}")
        unknown = set(overrides) - cls._OVERRIDES
        if unknown:
            raise TypeError(f"unknown overrides {sorted(unknown)}; allowed: {sorted(cls._OVERRIDES)}")
        get = lambda key, default: overrides.get(key, default)  # noqa: E731
        n = get("n", decision.n)
        design = None
        if decision.stochastic or math.isfinite(decision.power):
            rate = get("false_fail_rate", decision.share)
            if decision.stochastic and float(rate) > decision.share * (1 + 1e-12):
                raise ValueError(f"false_fail_rate {rate!r} exceeds the share the decision spends "
                                 f"({decision.share!r})")
            design = Design(false_fail_rate=float(rate), target_defect=get("target_defect", decision.target_defect),
                            defect_size=float(get("defect_size", decision.defect_size)), power=float(decision.power),
                            n=int(get("design_n", n)))
        if message is None:
            message = "" if decision.holds else decision.message
        return cls(verdict=decision.verdict, n=int(n), estimate=get("estimate", decision.estimate),
                   lower=get("lower", decision.lower), upper=get("upper", decision.upper),
                   bound=get("bound", decision.bound), p_value=decision.p_value, design=design,
                   details=details or {}, artifacts=artifacts or {}, message=message, decision=decision)


def verdict_passes(expectation: str, verdict: str) -> bool:
    """A ``holds`` claim passes on ``holds``; a ``fails`` claim on ``violated``; ``measured`` passes on ``holds``
    (the check returns ``violated`` only when the measurement itself is invalid)."""
    if expectation == "fails":
        return verdict == VIOLATED_VERDICT
    return verdict == HOLDS_VERDICT
