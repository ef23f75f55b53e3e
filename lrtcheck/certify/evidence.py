"""Evidence and verdicts: what a check returns, in the manner of scipy.stats result objects.

A check's statistical decision is made by the check; the verdict is ``holds`` or ``violated`` and the check passes
when the verdict matches the claim's expectation (a ``measured`` claim passes when its measurement is valid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lrtcheck.stats.design import Design

__all__ = ["Evidence", "HOLDS_VERDICT", "VIOLATED_VERDICT", "verdict_passes"]

HOLDS_VERDICT = "holds"
VIOLATED_VERDICT = "violated"


@dataclass
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
    details : free-form figures for the report (tables, per-setting measurements).
    artifacts : arrays for the report's plots (kept in memory, not written to the CSV).
    message : one line a person reads when the check does not pass.
    """

    verdict: str
    n: int = 0
    estimate: float = math.nan
    lower: float = math.nan
    upper: float = math.nan
    bound: float = math.nan
    p_value: float = math.nan
    design: Design | None = None
    details: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in (HOLDS_VERDICT, VIOLATED_VERDICT):
            raise ValueError(f"verdict must be 'holds' or 'violated', got {self.verdict!r}")

    def confidence_interval(self) -> tuple[float, float]:
        return (self.lower, self.upper)


def verdict_passes(expectation: str, verdict: str) -> bool:
    """A ``holds`` claim passes on ``holds``; a ``fails`` claim on ``violated``; ``measured`` passes on ``holds``
    (the check returns ``violated`` only when the measurement itself is invalid)."""
    if expectation == "fails":
        return verdict == VIOLATED_VERDICT
    return verdict == HOLDS_VERDICT
