"""The error budget: one total false-fail probability for a gate run, split across its checks (Bonferroni).

If check i fails with probability at most ``share_i`` when its claim's expectation is right, the union bound gives a
gate false-fail probability at most ``sum_i share_i = total``.  Shares are fixed by the *registered* set of
stochastic checks of a tier (not by which subset a run selects), so every worker of a parallel run, and every
subset run, uses the same shares; a subset run is therefore conservative.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .validation import check_name, check_open_unit, check_positive

__all__ = ["ErrorBudget", "DEFAULT_TOTAL_FALSE_FAIL"]

DEFAULT_TOTAL_FALSE_FAIL = 1e-3


@dataclass(frozen=True)
class ErrorBudget:
    """Split ``total`` across checks in proportion to their weights (equal weights by default).

    Exact checks (no randomness) take no share; ``share(check_id)`` returns 0 for them.
    """

    total: float = DEFAULT_TOTAL_FALSE_FAIL
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_open_unit("total", self.total)
        if not isinstance(self.weights, Mapping):
            raise ValueError(f"weights must be a mapping from check ids to weights, got {self.weights!r}")
        for key, w in self.weights.items():
            if not isinstance(key, str) or not key:
                raise ValueError(f"weights keys must be non-empty check-id strings, got {key!r}")
            check_positive(f"weights[{key!r}]", w)

    @classmethod
    def equal(cls, check_ids: Iterable[str], total: float = DEFAULT_TOTAL_FALSE_FAIL) -> "ErrorBudget":
        if isinstance(check_ids, str) or not isinstance(check_ids, Iterable):
            raise ValueError(f"check_ids must be an iterable of check-id strings (not one string), got {check_ids!r}")
        ids = list(check_ids)
        bad = [c for c in ids if not isinstance(c, str) or not c]
        if bad:
            raise ValueError(f"check_ids must be non-empty strings, got {bad[0]!r}")
        return cls(total=total, weights={cid: 1.0 for cid in ids})

    @property
    def n_checks(self) -> int:
        return len(self.weights)

    def share(self, check_id: str) -> float:
        """The false-fail probability allotted to ``check_id`` (0.0 if it is not a stochastic check here)."""
        check_name("check_id", check_id)
        w = self.weights.get(check_id)
        if w is None:
            return 0.0
        return self.total * w / sum(self.weights.values())

    def shares(self) -> dict[str, float]:
        return {cid: self.share(cid) for cid in self.weights}
