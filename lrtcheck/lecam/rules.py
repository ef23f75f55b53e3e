"""Decision rules: maps from the sufficient statistic ``(k, j)`` to the probability of taking action 1.

Every rule is vectorised over arrays ``k, j`` (with ``j <= k``) and reads the problem's ``tie`` and ``sign``.
Where ``k = 0`` the plug-in and pessimistic rules fall back to the *default* action 0 (the safe / seen action).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import bdtr, bdtrc

from lrtcheck.stats.validation import check_finite_array, check_int_array, check_name, check_open_unit, check_unit

__all__ = ["Rule", "greedy_rule", "pessimistic_rule", "certified_rule", "constant_rule", "likelihood_ratio_rule",
           "table_rule"]


@dataclass(frozen=True)
class Rule:
    """A named decision rule ``fn(k, j, problem) -> P(action 1)``."""

    name: str
    fn: object

    def __post_init__(self) -> None:
        check_name("name", self.name)
        if not callable(self.fn):
            raise ValueError(f"fn must be a callable fn(k, j, problem), got {self.fn!r}")

    def __call__(self, k, j, problem) -> np.ndarray:
        from .instances import TwoPointProblem

        k_arr = check_int_array("k", k, minimum=0)
        j_arr = check_int_array("j", j, minimum=0)
        try:
            shape = np.broadcast_shapes(k_arr.shape, j_arr.shape)
        except ValueError:
            raise ValueError(f"k and j must broadcast, got shapes {k_arr.shape} and {j_arr.shape}") from None
        # cells j > k lie outside the statistic's support; callers pass the whole square grid and discard them
        # None is accepted for rules that do not read the problem (table and constant rules)
        if problem is not None and not isinstance(problem, TwoPointProblem):
            raise ValueError(f"problem must be a TwoPointProblem, got {type(problem).__name__}")
        if k_arr.size == 0 or j_arr.size == 0:
            return np.zeros(shape)
        try:
            out = np.asarray(self.fn(k_arr, j_arr, problem), dtype=np.float64)
        except AttributeError:
            if problem is None:
                raise ValueError(f"problem must be a TwoPointProblem: rule {self.name!r} reads it, got None") from None
            raise
        if not np.all((out >= 0) & (out <= 1)):
            raise ValueError(f"fn of rule {self.name!r} must return probabilities in [0, 1]")
        return np.broadcast_to(out, shape)


def _prefers_one(estimate, problem):
    return np.where(problem.sign > 0, estimate > problem.tie, estimate < problem.tie)


def greedy_rule() -> Rule:
    """Plug-in: ``theta_hat = j / k``; action 1 iff it is better at ``theta_hat`` (action 0 when k = 0)."""
    def fn(k, j, problem):
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.where(k > 0, j / np.maximum(k, 1), problem.tie)
        return np.where(k > 0, _prefers_one(est, problem), False).astype(float)
    return Rule("greedy", fn)


def pessimistic_rule(delta: float = 0.05) -> Rule:
    """Hoeffding-pessimistic plug-in: action 1 only if it is better at the least favourable end of
    ``theta_hat -+ sqrt(log(2/delta) / (2k))`` (i.e. the lower end when ``sign = +1``, the upper end otherwise)."""
    delta = check_open_unit("delta", delta)

    def fn(k, j, problem):
        kk = np.maximum(k, 1)
        rad = np.sqrt(np.log(2.0 / delta) / (2.0 * kk))
        est = j / kk - problem.sign * rad
        return np.where(k > 0, _prefers_one(est, problem), False).astype(float)
    return Rule(f"pessimistic(delta={delta:g})", fn)


def certified_rule(delta: float = 0.05) -> Rule:
    """C-SAR-style certified pessimism: the per-cell Clopper-Pearson interval ``[theta_lo, theta_hi]`` at level
    ``1 - delta`` (docs/methods/csar.md §3, the per-cell construction that provably covers the probability) gives the certified
    log-ratio interval, and the pessimistic reward ``ell_hat - epsilon`` uses its least favourable end for action
    1 (``theta_lo`` when ``sign = +1``, ``theta_hi`` otherwise).  Action 1 iff it is better even there; with
    ``k = 0`` the interval is [0, 1] and the rule keeps action 0."""
    delta = check_open_unit("delta", delta)

    def fn(k, j, problem):
        # Clopper-Pearson duality (Beta(j, k-j+1).cdf(t) = P(Bin(k, t) >= j)), exact:
        #   theta_lo > tie  <=>  P(Bin(k, tie) >= j) < delta/2;   theta_hi < tie  <=>  P(Bin(k, tie) <= j) < delta/2.
        # Both tails are monotone in j, so one threshold per k (vectorised bisection over k) decides every cell.
        k = np.asarray(k)
        j = np.asarray(j)
        ks = np.arange(int(k.max()) + 1 if k.size else 1)
        cut = _cp_threshold(ks, problem.tie, delta / 2, upper=problem.sign > 0)
        kc = np.clip(k, 0, ks[-1])
        take = (j >= cut[kc]) if problem.sign > 0 else (j <= cut[kc])
        return np.where(k > 0, take, False).astype(float)
    return Rule(f"certified(delta={delta:g})", fn)


def _cp_threshold(ks: np.ndarray, t: float, level: float, *, upper: bool) -> np.ndarray:
    """Per k: ``upper`` -- the smallest j with ``P(Bin(k, t) >= j) < level`` (in [1, k+1]); otherwise the largest
    j with ``P(Bin(k, t) <= j) < level`` (in [-1, k]).  Bisection on the exact binomial tails (``bdtrc``/``bdtr``)."""
    ks = ks.astype(np.int64)
    kf = np.maximum(ks, 1)
    if upper:
        lo, hi = np.zeros_like(ks), ks + 1  # tail(lo) >= level (tail(0) = 1), tail(hi) = 0 < level
        while np.any(hi - lo > 1):
            mid = (lo + hi) // 2
            tail = np.where(mid > 0, bdtrc(np.maximum(mid - 1, 0), kf, t), 1.0)
            ok = tail < level
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        return hi
    lo, hi = -np.ones_like(ks), ks.copy()  # cdf(lo) = 0 < level, cdf(k) = 1 >= level
    while np.any(hi - lo > 1):
        mid = (lo + hi) // 2
        cdf = np.where(mid >= 0, bdtr(np.maximum(mid, 0), kf, t), 0.0)
        ok = cdf < level
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


def constant_rule(p: float) -> Rule:
    """Ignore the data; take action 1 with probability ``p``."""
    p = check_unit("p", p)
    return Rule(f"constant({p:g})", lambda k, j, problem: np.full(np.broadcast_shapes(k.shape, j.shape), p))


def likelihood_ratio_rule() -> Rule:
    """The Bayes rule for the uniform prior on the two instances: take the action optimal in the instance with the
    larger likelihood of ``(k, j)`` (ties broken by a fair coin).  In a symmetric pair (``subopt[0, 1] = subopt[1,
    0] = Delta``, zeros elsewhere) its average risk equals the Le Cam bound ``(Delta/2)(1 - TV)`` exactly."""
    def fn(k, j, problem):
        q0, q1 = problem.theta
        # log-likelihood ratio of (k, j): j log(q1/q0) + (k - j) log((1-q1)/(1-q0)) (the Bin(k; n, w) factor cancels)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.log(q1) - np.log(q0) if q0 != q1 else 0.0
            b = np.log1p(-q1) - np.log1p(-q0) if q0 != q1 else 0.0
            llr = np.where(j > 0, j * a, 0.0) + np.where(k - j > 0, (k - j) * b, 0.0)
        l1, l0 = llr, 0.0
        best0 = int(np.argmin(problem.subopt[0]))  # the action optimal in instance 0
        best1 = int(np.argmin(problem.subopt[1]))
        p1_if_0, p1_if_1 = float(best0 == 1), float(best1 == 1)
        return np.where(l1 > l0, p1_if_1, np.where(l0 > l1, p1_if_0, 0.5 * (p1_if_0 + p1_if_1)))
    return Rule("likelihood-ratio (Bayes)", fn)


def table_rule(table, name: str = "table") -> Rule:
    """A rule given by its value on every cell: ``table[k, j]`` = P(action 1)."""
    check_name("name", name)
    t = check_finite_array("table", table, allow_bool=False)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] < 1:
        raise ValueError(f"table must be a square 2-D array of shape (n + 1, n + 1), got shape {t.shape}")
    if np.any(~np.isfinite(t)) or np.any(t < 0) or np.any(t > 1):
        raise ValueError("table must contain probabilities in [0, 1]")

    def fn(k, j, problem):
        if np.size(k) and (np.max(k) >= t.shape[0] or np.min(j) < 0 or np.min(k) < 0):
            raise ValueError(f"table of shape {t.shape} must cover every cell 0 <= j <= k <= {t.shape[0] - 1}, "
                             f"got k up to {np.max(k)}")
        return t[k, j]
    return Rule(name, fn)
