"""Exact risk of a decision rule by enumerating the counts (no sampling): ``E_i[SubOpt_i] = sum_{k,j} P_i(k, j)
[x(k,j) SubOpt_i(1) + (1 - x(k,j)) SubOpt_i(0)]`` with ``x`` the rule's probability of action 1."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.stats.validation import check_name, check_nonnegative, check_positive_int, check_unit

from .divergences import check_grid_n
from .instances import TwoPointProblem

#: the most cells whose 2^C deterministic rules are enumerated (2^20 rules)
MAX_RULE_CELLS = 20

__all__ = ["RiskResult", "exact_risk", "all_deterministic_rule_risks", "statistic_grid"]


@dataclass(frozen=True)
class RiskResult:
    """``risk = (E_0[SubOpt_0], E_1[SubOpt_1])``, their max and mean, and the Le Cam bound of the problem."""

    rule: str
    risk: tuple[float, float]
    lower_bound: float
    delta: float
    tv: float

    def __post_init__(self) -> None:
        check_name("rule", self.rule)
        if not isinstance(self.risk, (tuple, list)) or len(self.risk) != 2:
            raise ValueError(f"risk must be a pair (E_0[SubOpt_0], E_1[SubOpt_1]), got {self.risk!r}")
        for r in self.risk:
            check_nonnegative("risk", r)
        check_nonnegative("lower_bound", self.lower_bound)
        check_nonnegative("delta", self.delta)
        check_unit("tv", self.tv)

    @property
    def worst(self) -> float:
        return max(self.risk)

    @property
    def average(self) -> float:
        return 0.5 * (self.risk[0] + self.risk[1])

    @property
    def ratio(self) -> float:
        """worst-case risk / Le Cam bound (>= 1 for every algorithm)."""
        return self.worst / self.lower_bound if self.lower_bound > 0 else float("inf")


def statistic_grid(n: int):
    """``(k, j)`` index grids of shape ``(n+1, n+1)`` and the mask ``j <= k``."""
    n = check_grid_n("n", n)
    k, j = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    return k, j, j <= k


def _risks(problem: TwoPointProblem, x: np.ndarray) -> tuple[float, float]:
    out = []
    for i in (0, 1):
        P = problem.joint(i)
        s0, s1 = problem.subopt[i]
        out.append(float(np.sum(P * (x * s1 + (1.0 - x) * s0))))
    return out[0], out[1]


def exact_risk(rule, problem: TwoPointProblem) -> RiskResult:
    """The exact risk pair of ``rule`` on ``problem``."""
    if not isinstance(problem, TwoPointProblem):
        raise ValueError(f"problem must be a TwoPointProblem, got {type(problem).__name__}")
    if not callable(rule):
        raise ValueError(f"rule must be a callable rule(k, j, problem), got {rule!r}")
    k, j, valid = statistic_grid(problem.n)
    x = np.where(valid, rule(k, j, problem), 0.0)
    if np.any(~np.isfinite(x)) or np.any(x < 0) or np.any(x > 1):
        raise ValueError(f"rule {getattr(rule, 'name', rule)!r} returned values outside [0, 1]")
    return RiskResult(getattr(rule, "name", str(rule)), _risks(problem, x), problem.lower_bound, problem.delta,
                      problem.tv)


def all_deterministic_rule_risks(problem: TwoPointProblem, *, max_cells: int = 16) -> np.ndarray:
    """Risk pairs ``(2^C, 2)`` of every deterministic rule on the ``C = (n+1)(n+2)/2`` cells ``j <= k``
    (refused when ``C > max_cells``; ``max_cells`` at most 20)."""
    if not isinstance(problem, TwoPointProblem):
        raise ValueError(f"problem must be a TwoPointProblem, got {type(problem).__name__}")
    max_cells = check_positive_int("max_cells", max_cells, maximum=MAX_RULE_CELLS)
    k, j, valid = statistic_grid(problem.n)
    cells = np.argwhere(valid)
    C = len(cells)
    if C > max_cells:
        raise ValueError(f"n={problem.n} gives {C} cells; at most max_cells={max_cells} can be enumerated")
    rules = ((np.arange(2 ** C)[:, None] >> np.arange(C)[None, :]) & 1).astype(np.float64)  # (2^C, C)
    out = np.empty((2 ** C, 2))
    for i in (0, 1):
        p = problem.joint(i)[cells[:, 0], cells[:, 1]]
        s0, s1 = problem.subopt[i]
        out[:, i] = rules @ (p * s1) + (1.0 - rules) @ (p * s0)
    return out
