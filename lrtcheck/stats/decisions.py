"""Decisions: every statistical assertion of a check, made in one place, in the manner of TensorFlow Probability's
``statistical_testing`` (each assertion spends its own share of the error rate and states what it can detect).

A decider takes what a check observed (a count, a sample, a p-value, an exact comparison) with the share of the
false-fail budget it may spend, and returns a frozen :class:`Decision`: the verdict, the p-value of the decision,
the estimate with its interval and the value it is compared with, n, the share spent, and the power against the
defect the check is built to detect.  A check that makes several assertions divides its share with
:func:`split_share` and joins their decisions with :func:`bonferroni`: by the union bound the joint false-fail
probability is at most the sum of the parts' shares (docs/certification.md, "The error budget").

The laws are exact (no normal approximation):

* counts against ``Bin(n, p0)``: the exact acceptance region (:func:`~lrtcheck.stats.binomial_acceptance_region`),
  scipy's exact ``binomtest`` p-value, the Clopper & Pearson (1934) interval, the exact power under ``Bin(n, p1)``;
* counts against any discrete law (Beta-Binomial coverage counts): the equal-tailed exact region;
* a sample against a continuous CDF: the Kolmogorov-Smirnov statistic with its exact finite-n law
  (``scipy.stats.kstwo``; Simard & L'Ecuyer 2011) and the DKW-style guaranteed power (TFP's
  ``min_discrepancy_of_true_cdfs_detectable_by_dkwm``);
* exact comparisons spend no share;
* a ``fails`` claim's counter-example (:func:`counterexample_decision`): reproduced when the claim's assertion is
  violated while the controls hold, with the exact probability of reproducing it as the power.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from scipy import stats as _st

from .binomial import binomial_acceptance_region, check_binomial_probability, clopper_pearson
from .design import binomial_power, ks_power_lower_bound, ks_threshold
from .validation import check_open_unit, check_positive_int, check_unit

__all__ = [
    "HOLDS",
    "VIOLATED",
    "Decision",
    "verdict",
    "split_share",
    "proportion_interval",
    "simulated_power_lower_bound",
    "binomial_count_decision",
    "discrete_count_decision",
    "binomial_violation_reproduced",
    "ks_decision",
    "p_value_decision",
    "exact_decision",
    "bonferroni",
    "counterexample_decision",
    "region_tail_sizes",
    "equal_tailed_region",
    "check_region_size",
]

HOLDS = "holds"
VIOLATED = "violated"
_NAN = math.nan


def verdict(ok) -> str:
    """``"holds"`` when ``ok`` is true, else ``"violated"`` (the one place a verdict string is spelled)."""
    return HOLDS if bool(ok) else VIOLATED


def _finite(x) -> bool:
    return x is not None and math.isfinite(x)


@dataclass(frozen=True)
class Decision:
    """The outcome of one statistical assertion (or of several joined by :func:`bonferroni`).

    Attributes
    ----------
    holds : whether the assertion holds (the verdict is ``holds``, else ``violated``).
    p_value : the p-value of the decision under the asserted law (NaN for exact comparisons).
    estimate, lower, upper : the estimated quantity and its interval (NaN where none applies).
    bound : the exact value or bound the estimate is compared with.
    n : the sample size behind the decision (0 for exact comparisons).
    share : the share of the false-fail budget this decision spends (0 for exact comparisons).
    size : the exact false-fail probability of the decision when it is known (<= share), else NaN.
    power : the probability of rejecting under the stated defect (NaN when no defect is stated).
    target_defect : the defect the assertion is built to detect, in words.
    defect_size : the size of that defect (a rate difference, a CDF discrepancy).
    statistic : the test statistic (the KS distance; the count for count decisions).
    region : the exact acceptance region ``(low, high)`` of a count decision.
    message : one line saying why the assertion does not hold (empty when it holds).
    name : what the assertion is about (``"hit count"``), to find it among the parts of a joint decision.
    parts : the sub-decisions of a joint decision.
    """

    holds: bool
    p_value: float = _NAN
    estimate: float = _NAN
    lower: float = _NAN
    upper: float = _NAN
    bound: float = _NAN
    n: int = 0
    share: float = 0.0
    size: float = _NAN
    power: float = _NAN
    target_defect: str = ""
    defect_size: float = _NAN
    statistic: float = _NAN
    region: tuple[int, int] | None = None
    message: str = ""
    name: str = ""
    parts: tuple["Decision", ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holds", bool(self.holds))
        for key in ("p_value", "estimate", "lower", "upper", "bound", "size", "power", "defect_size", "statistic"):
            value = getattr(self, key)
            object.__setattr__(self, key, _NAN if value is None else float(value))
        object.__setattr__(self, "share", float(self.share))
        object.__setattr__(self, "n", check_positive_int("n", self.n, minimum=0))
        if not 0.0 <= self.share < 1.0:
            raise ValueError(f"share must lie in [0, 1), got {self.share!r}")
        for key in ("p_value", "power", "size"):
            value = getattr(self, key)
            if not (math.isnan(value) or 0.0 <= value <= 1.0):
                raise ValueError(f"{key} must lie in [0, 1] (or be NaN), got {value!r}")
        object.__setattr__(self, "parts", tuple(self.parts))
        if self.region is not None:
            object.__setattr__(self, "region", (int(self.region[0]), int(self.region[1])))

    @property
    def verdict(self) -> str:
        return verdict(self.holds)

    @property
    def stochastic(self) -> bool:
        """Whether the decision spends a share of the budget (exact comparisons do not)."""
        return self.share > 0.0

    def confidence_interval(self) -> tuple[float, float]:
        return (self.lower, self.upper)

    def part(self, name: str) -> "Decision":
        """The sub-decision called ``name``."""
        for p in self.parts:
            if p.name == name:
                return p
        raise ValueError(f"no part named {name!r}; parts: {[p.name for p in self.parts]}")


# ---------------------------------------------------------------------------------------------------------------
# shares
# ---------------------------------------------------------------------------------------------------------------
def _check_share(share) -> float:
    return check_open_unit("share", share)


def split_share(share, parts: int) -> float:
    """The share of each of ``parts`` sub-assertions of one check: ``share / parts`` (Bonferroni).

    This is the only place a share is divided.  Sub-assertions made at the returned level, joined by
    :func:`bonferroni` at ``share``, fail together with probability at most ``share`` by the union bound.
    """
    share = _check_share(share)
    parts = check_positive_int("parts", parts)
    return share / parts


# ---------------------------------------------------------------------------------------------------------------
# counts
# ---------------------------------------------------------------------------------------------------------------
def _count(count, n: int) -> int:
    count = check_positive_int("count", count, minimum=0)
    if count > n:
        raise ValueError(f"count must be <= n (count={count}, n={n})")
    return count


def proportion_interval(count, n, confidence) -> tuple[float, float]:
    """Two-sided Clopper & Pearson (1934) interval of a binomial proportion at level ``confidence``.

    The project's one Clopper-Pearson, :func:`~lrtcheck.stats.clopper_pearson` (Beta quantiles), which the exact
    check ``stats.clopper_pearson.coverage`` certifies against scipy's root-finding inversion of the binomial tails
    (``binomtest(count, n).proportion_ci(confidence, method="exact")``; they agree to about 1e-15).
    """
    n = check_positive_int("n", n)
    count = _count(count, n)
    confidence = check_open_unit("confidence", confidence)
    low, high = clopper_pearson(count, n, 1.0 - confidence)
    return float(low), float(high)


def _interval(count: int, n: int, share: float) -> tuple[float, float]:
    """The Clopper-Pearson interval at level ``1 - share`` of a decision's count (``share`` passed as the
    interval's alpha exactly, not through ``1 - (1 - share)``)."""
    low, high = clopper_pearson(count, n, share)
    return float(low), float(high)


def region_tail_sizes(law, low: int, high: int) -> tuple[float, float]:
    """``(P(X < low), P(X > high))`` under the frozen discrete scipy ``law``: the exact sizes of the two tails of the
    acceptance region ``[low, high]``."""
    lower = float(law.cdf(low - 1)) if low > 0 else 0.0
    return lower, float(law.sf(high))


#: relative slack of the run-time region guard: floating-point rounding of the tail sums, nothing more
_REGION_SLACK = 1e-9


def check_region_size(law, low: int, high: int, lower_share: float, upper_share: float, *, what: str) -> float:
    """The run-time guard of every acceptance region this module builds: each tail of ``[low, high]`` must have
    exact probability at most its share (``P(X < low) <= lower_share``, ``P(X > high) <= upper_share``), computed
    afresh from the law, not from the builder's own sums.  Returns the region's size; raises ``ValueError`` when a
    tail exceeds its share (a region that would fail a correct implementation more often than it says)."""
    lower, upper = region_tail_sizes(law, low, high)
    for tail, size, allowed in (("lower", lower, lower_share), ("upper", upper, upper_share)):
        if size > allowed * (1 + _REGION_SLACK):
            raise ValueError(f"{what}: acceptance region [{low}, {high}] has {tail} tail probability {size:.6g} "
                             f"above its share {allowed:.6g}; refusing to decide with it")
    return lower + upper


def _tail_shares(share: float, alternative: str) -> tuple[float, float]:
    if alternative == "two-sided":
        return share / 2, share / 2
    return (share, 0.0) if alternative == "less" else (0.0, share)


def simulated_power_lower_bound(rejections, draws, alpha) -> float:
    """Lower confidence bound on a power estimated by simulation: the test, run on ``draws`` exact draws of its
    statistic under the stated defect, rejected ``rejections`` times.

    The lower end of the two-sided Clopper & Pearson (1934) interval at level ``1 - alpha`` in its Beta quantile
    form (:func:`~lrtcheck.stats.clopper_pearson`), so the power is at least the bound with confidence
    ``1 - alpha / 2``; when every draw rejects, the closed form ``(alpha / 2)^(1 / draws)`` of that quantile (the
    ``alpha / 2`` quantile of ``Beta(draws, 1)``).
    """
    draws = check_positive_int("draws", draws)
    rejections = check_positive_int("rejections", rejections, minimum=0)
    if rejections > draws:
        raise ValueError(f"rejections must be <= draws (rejections={rejections}, draws={draws})")
    alpha = check_open_unit("alpha", alpha)
    if rejections < draws:
        return float(clopper_pearson(rejections, draws, alpha)[0])
    return (alpha / 2) ** (1 / draws)


def binomial_count_decision(count, n, p0, share, *, alternative: str = "two-sided", defect_rate=None,
                            target_defect: str = "", name: str = "count") -> Decision:
    """Is ``count`` a draw of ``Bin(n, p0)``?  Exact test at level ``share``.

    Holds iff the count lies in the exact acceptance region of :func:`~lrtcheck.stats.binomial_acceptance_region`
    (``two-sided``: share split equally between the tails; ``less``: small counts rejected, so the region's ``low``
    is the smallest count that still holds -- the one-sided sign design; ``greater``: large counts rejected).  The
    p-value is scipy's exact ``binomtest`` p-value for ``alternative``; the interval is the two-sided
    Clopper-Pearson interval at ``1 - share`` (:func:`proportion_interval`); the power is the exact rejection
    probability under ``Bin(n, defect_rate)`` when a defect rate is given.
    """
    n = check_positive_int("n", n)
    count = _count(count, n)
    p0 = check_binomial_probability("p0", p0)
    share = _check_share(share)
    region = binomial_acceptance_region(n, p0, share, alternative=alternative)
    check_region_size(_st.binom(n, p0), region.low, region.high, *_tail_shares(share, alternative),
                      what=f"Bin({n}, {p0:.6g}) {alternative} test at {share:.3g}")
    holds = region.contains(count)
    p_value = float(_st.binomtest(count, n, p0, alternative=alternative).pvalue)
    lower, upper = _interval(count, n, share)
    power, defect_size = _NAN, _NAN
    if defect_rate is not None:
        defect_rate = check_unit("defect_rate", defect_rate)
        power = binomial_power(n, p0, defect_rate, share, alternative=alternative)
        defect_size = abs(p0 - defect_rate)
    return Decision(holds=holds, p_value=p_value, estimate=count / n, lower=lower, upper=upper, bound=p0, n=n,
                    share=share, size=region.size, power=power, target_defect=target_defect,
                    defect_size=defect_size, statistic=count, region=(region.low, region.high), name=name,
                    message="" if holds else (f"{name} {count} of {n} outside the exact acceptance region "
                                              f"[{region.low}, {region.high}] of Bin({n}, {p0:.6g})"))


def equal_tailed_region(law, share) -> tuple[int, int]:
    """The equal-tailed acceptance region ``[ppf(share/2), isf(share/2)]`` of a frozen discrete scipy law: the
    largest ``low`` with ``P(X < low) <= share/2`` and the smallest ``high`` with ``P(X > high) <= share/2``."""
    share = _check_share(share)
    return int(law.ppf(share / 2)), int(law.isf(share / 2))


def discrete_count_decision(count, n, law, share, *, defect_law=None, target_defect: str = "",
                            name: str = "count") -> Decision:
    """Is ``count`` a draw of the discrete law ``law`` (a frozen scipy law on 0..n, e.g. ``betabinom``)?

    Equal-tailed exact region ``[ppf(share/2), isf(share/2)]`` (each tail has probability <= share/2); the
    p-value is the doubled smaller tail ``min(1, 2 min(P(X <= count), P(X >= count)))``; the interval is the
    Clopper-Pearson interval of ``count / n`` at ``1 - share``; the power is the exact probability that a draw of
    ``defect_law`` falls outside the region.
    """
    n = check_positive_int("n", n)
    count = _count(count, n)
    share = _check_share(share)
    low, high = equal_tailed_region(law, share)
    size = check_region_size(law, low, high, share / 2, share / 2, what=f"{name} law, equal tails at {share:.3g}")
    holds = low <= count <= high
    p_value = float(min(1.0, 2 * min(law.cdf(count), law.sf(count - 1))))
    lower, upper = _interval(count, n, share)
    power = _NAN if defect_law is None else float(defect_law.cdf(low - 1) + defect_law.sf(high))
    return Decision(holds=holds, p_value=p_value, estimate=count / n, lower=lower, upper=upper,
                    bound=float(law.mean()) / n, n=n, share=share, size=min(size, 1.0), power=power,
                    target_defect=target_defect, statistic=count, region=(low, high), name=name,
                    message="" if holds else f"{name} {count} of {n} outside the exact region [{low}, {high}]")


def binomial_violation_reproduced(count, n, claimed, exact, share, *, alternative: str = "less",
                                  target_defect: str = "", name: str = "count") -> Decision:
    """Does ``count`` reproduce the violation of a claimed rate that an exact oracle predicts?  For a ``fails``
    claim "the rate is at least ``claimed``" (``alternative="less"``; "at most" with ``"greater"``) in a world whose
    exact rate ``exact`` is known independently (an enumeration, a closed form).

    The share is split in two (:func:`split_share`): the count must reject ``Bin(n, claimed)`` one-sided at
    ``share/2`` (:func:`binomial_count_decision` with ``alternative``), and agree with ``Bin(n, exact)`` two-sided at
    ``share/2`` (a Monte Carlo count that disagrees with the oracle is a bug of the implementation or of the oracle,
    not a finding).  The violation is reproduced, and the decision does **not** hold (the claim is violated), iff the
    exact rate violates the claim, the count rejects the claim and the count agrees with the exact rate; otherwise it
    holds.  Power: the exact probability under ``Bin(n, exact)`` that the count lies in the agreement region and
    outside the claim's region (0 when the exact rate does not violate the claim), ``cdf(top) - cdf(bottom - 1)``.
    The p-value, estimate, interval (Clopper-Pearson at ``1 - share/2``), bound and region are those of the claim's
    test; the defect size is the exact violation ``claimed - exact`` (``exact - claimed`` for ``"greater"``).
    Parts: the claim's test, the agreement test, the exact comparison of the oracle's rate.  The message says why
    the violation was not reproduced (empty when it was, which is what a ``fails`` check expects); pass it on with
    ``Evidence.from_decision(decision, message=decision.message)``.
    """
    if alternative not in ("less", "greater"):
        raise ValueError(f"alternative must be 'less' or 'greater' (a one-sided claim), got {alternative!r}")
    claimed = check_unit("claimed", claimed)
    exact = check_unit("exact", exact)
    level = split_share(share, 2)
    claim = binomial_count_decision(count, n, claimed, level, alternative=alternative, target_defect=target_defect,
                                    name=f"{name} against the claimed rate")
    agreement = binomial_count_decision(count, n, exact, level, name=f"{name} against the exact rate")
    violates = exact < claimed if alternative == "less" else exact > claimed
    oracle = exact_decision(not violates, estimate=exact, bound=claimed, name="exact rate",
                            message=f"the exact rate {exact:.6g} violates the claimed {claimed:.6g}")
    (c_low, c_high), (a_low, a_high) = claim.region, agreement.region
    bottom, top = (a_low, min(c_low - 1, a_high)) if alternative == "less" else (max(c_high + 1, a_low), a_high)
    power = 0.0
    if violates and top >= bottom:
        power = float(_st.binom.cdf(top, claim.n, exact) - _st.binom.cdf(bottom - 1, claim.n, exact))
    reproduced = violates and not claim.holds and agreement.holds
    return Decision(holds=not reproduced, p_value=claim.p_value, estimate=claim.estimate, lower=claim.lower,
                    upper=claim.upper, bound=claimed, n=claim.n, share=share, power=power,
                    target_defect=target_defect, defect_size=claimed - exact if alternative == "less" else
                    exact - claimed, statistic=claim.statistic, region=claim.region, name=name,
                    parts=(claim, agreement, oracle),
                    message="" if reproduced else "; ".join(
                        m for m in (agreement.message,
                                    "" if violates else f"the exact rate {exact:.6g} does not violate the claimed "
                                    f"rate {claimed:.6g}",
                                    "" if not claim.holds else f"{name} {int(claim.statistic)} of {claim.n} does "
                                    f"not reject the claimed rate {claimed:.6g}") if m))


# ---------------------------------------------------------------------------------------------------------------
# samples against a law
# ---------------------------------------------------------------------------------------------------------------
def ks_decision(sample, cdf: Callable[[Any], Any], share, *, defect_discrepancy=None, cdf_error: float = 0.0,
                target_defect: str = "", name: str = "sample") -> Decision:
    """Is ``sample`` an i.i.d. draw of the continuous law with CDF ``cdf``?  Exact KS test at level ``share``.

    With an exact ``cdf`` (``cdf_error = 0``) the decision holds iff the exact p-value
    (``scipy.stats.kstest(..., method="exact")``) exceeds ``share``.  When ``cdf`` is only known to within
    ``cdf_error`` in sup norm (a law evaluated on a grid), the statistic against it exceeds the one against the true
    law by at most ``cdf_error``: the decision rejects iff the statistic exceeds ``kstwo.ppf(1 - share) +
    cdf_error``, its p-value is ``kstwo.sf(statistic - cdf_error)``, and a defect at discrepancy ``d`` from ``cdf``
    is at least ``d - 2 cdf_error`` from the true law.  The power is the guaranteed
    :func:`~lrtcheck.stats.ks_power_lower_bound` against any law at that discrepancy.
    """
    share = _check_share(share)
    cdf_error = float(cdf_error)
    if not (math.isfinite(cdf_error) and cdf_error >= 0.0):
        raise ValueError(f"cdf_error must be a finite number >= 0, got {cdf_error!r}")
    n = int(np.size(sample))
    if n < 1:
        raise ValueError("sample must not be empty")
    ks = _st.kstest(sample, cdf, method="exact")
    statistic = float(ks.statistic)
    critical = ks_threshold(n, share) + cdf_error
    if cdf_error == 0.0:
        p_value = float(ks.pvalue)
        holds = p_value > share
    else:
        p_value = float(_st.kstwo.sf(max(0.0, statistic - cdf_error), n))
        holds = not statistic > critical
    power, defect_size = _NAN, _NAN
    if defect_discrepancy is not None:
        defect_size = float(defect_discrepancy)
        power = ks_power_lower_bound(n, share, max(0.0, defect_size - 2 * cdf_error))
    return Decision(holds=holds, p_value=p_value, estimate=statistic, bound=critical, n=n, share=share,
                    power=power, target_defect=target_defect, defect_size=defect_size, statistic=statistic,
                    name=name, message="" if holds else f"{name} rejects its exact law: KS p={p_value:.3g} "
                                                        f"(statistic {statistic:.4g}, critical {critical:.4g})")


def p_value_decision(p_value, share, *, power=None, statistic=None, n: int = 0, estimate=None, bound=None,
                     target_defect: str = "", defect_size=None, name: str = "test") -> Decision:
    """An exact test whose p-value the check has from its own exact law (a chi-square of a Gaussian statistic, an
    exact Wilcoxon): holds iff ``p_value > share``.  ``power`` is the check's power against its stated defect."""
    p_value = check_unit("p_value", p_value)
    share = _check_share(share)
    holds = p_value > share
    return Decision(holds=holds, p_value=p_value, estimate=estimate, bound=bound, n=n, share=share, power=power,
                    target_defect=target_defect, defect_size=defect_size, statistic=statistic, name=name,
                    message="" if holds else f"{name}: p={p_value:.3g} <= {share:.3g}")


# ---------------------------------------------------------------------------------------------------------------
# exact comparisons and joint decisions
# ---------------------------------------------------------------------------------------------------------------
def exact_decision(holds, *, estimate=None, bound=None, n: int = 0, message: str = "", name: str = "exact") -> Decision:
    """An exact comparison (no randomness): it spends no share and has no p-value.  ``message`` is kept only when
    the comparison does not hold."""
    holds = bool(holds)
    return Decision(holds=holds, estimate=estimate, bound=bound, n=n, name=name, message="" if holds else message)


def bonferroni(parts: Sequence[Decision], share, *, report: int | str = 0, same_defect: bool = False,
               name: str = "joint") -> Decision:
    """Join the decisions of one check: it holds iff every part holds.

    The parts' shares must add up to at most ``share`` (make them with :func:`split_share`); by the union bound the
    joint decision fails with probability at most ``share``.  Its p-value is the smallest Bonferroni-adjusted
    p-value of the stochastic parts, ``min(1, m min p_i)`` (``statsmodels.stats.multitest.multipletests``); its
    power is the smallest power of the parts (each part's power against its own defect, which the joint decision
    keeps), or the largest with ``same_defect=True`` (all parts see one defect, and any part rejecting rejects).
    Its estimate, interval, bound, n, statistic, region, target defect and defect size are those of the part
    ``report`` (an index, or ``"smallest_p"`` for the stochastic part with the smallest p-value).
    """
    from statsmodels.stats.multitest import multipletests

    parts = tuple(parts)
    if not parts or not all(isinstance(p, Decision) for p in parts):
        raise ValueError("parts must be a non-empty sequence of Decision")
    share = float(share)
    if not 0.0 <= share < 1.0:
        raise ValueError(f"share must lie in [0, 1), got {share!r}")
    spent = math.fsum(p.share for p in parts)
    if spent > share * (1 + 1e-12):
        raise ValueError(f"the parts spend {spent:.6g}, more than the share {share:.6g}: split it with split_share")
    stochastic = [i for i, p in enumerate(parts) if _finite(p.p_value)]
    p_value = _NAN
    if stochastic:
        adjusted = multipletests([parts[i].p_value for i in stochastic], method="bonferroni")[1]
        p_value = float(np.min(adjusted))
    if report == "smallest_p":
        if not stochastic:
            raise ValueError("report='smallest_p' needs a part with a p-value")
        shown = parts[stochastic[int(np.argmin([parts[i].p_value for i in stochastic]))]]
    elif isinstance(report, (int, np.integer)) and -len(parts) <= report < len(parts):
        shown = parts[int(report)]
    else:
        raise ValueError(f"report must be a part index or 'smallest_p', got {report!r}")
    powers = [p.power for p in parts if _finite(p.power)]
    power = (max(powers) if same_defect else min(powers)) if powers else _NAN
    sizes = [p.size for p in parts if p.stochastic]
    size = math.fsum(sizes) if sizes and all(_finite(s) for s in sizes) else _NAN
    holds = all(p.holds for p in parts)
    return Decision(holds=holds, p_value=p_value, estimate=shown.estimate, lower=shown.lower, upper=shown.upper,
                    bound=shown.bound, n=shown.n, share=share, size=min(size, 1.0) if _finite(size) else _NAN,
                    power=power, target_defect=shown.target_defect, defect_size=shown.defect_size,
                    statistic=shown.statistic, region=shown.region, name=name, parts=parts,
                    message="; ".join(p.message for p in parts if not p.holds and p.message))


# ---------------------------------------------------------------------------------------------------------------
# counter-examples of ``fails`` claims
# ---------------------------------------------------------------------------------------------------------------
def counterexample_decision(assertion: Decision, reproduction_probability, share, *,
                            controls: Sequence[Decision] = (), p_value=None, n: int = 0, target_defect: str = "",
                            defect_size=None, name: str = "counter-example") -> Decision:
    """Is the counter-example to a ``fails`` claim reproduced?

    ``assertion`` is the claim's statement decided in the check's world (usually an exact comparison: "the stale
    threshold keeps alpha", realized level <= alpha); ``controls`` are the decisions that must hold for the
    reproduction to count (the corrected procedure keeps its exact law), made at shares that add up to at most
    ``share``.  The decision is violated -- the counter-example is reproduced -- iff ``assertion`` does not hold
    and every control holds; otherwise it holds, and the claim's ``fails`` expectation is not met.

    Its power is the probability of reproducing the counter-example: ``reproduction_probability`` (the exact
    probability, over the check's randomness, that the assertion is violated) times the probability that no control
    rejects, at least ``1 - sum of the controls' shares`` by the union bound
    (docs/certification.md §6: a ``fails`` check reproduces its violation with probability at least 1 - share).
    The estimate and bound are the assertion's; ``p_value`` (NaN unless given, e.g. a control's) is reported, not
    decided on.  ``message`` says why the counter-example was not reproduced (empty when it was): pass it to
    ``Evidence.from_decision(..., message=decision.message)``, since a ``fails`` check reads it when it *holds*.
    """
    if not isinstance(assertion, Decision):
        raise ValueError(f"assertion must be a Decision, got {type(assertion).__name__}")
    controls = tuple(controls)
    if not all(isinstance(c, Decision) for c in controls):
        raise ValueError("controls must be a sequence of Decision")
    share = _check_share(share)
    reproduction_probability = check_unit("reproduction_probability", reproduction_probability)
    spent = math.fsum(c.share for c in controls)
    if spent > share * (1 + 1e-12):
        raise ValueError(f"the controls spend {spent:.6g}, more than the share {share:.6g}: split it with split_share")
    reproduced = not assertion.holds and all(c.holds for c in controls)
    power = reproduction_probability * (1.0 - spent)
    if reproduced:
        message = ""
    elif assertion.holds:
        message = (f"{name} not reproduced: {assertion.name} holds ({assertion.estimate:.4g} against "
                   f"{assertion.bound:.4g})")
    else:
        message = f"{name} not reproduced: " + "; ".join(c.message or f"{c.name} rejected" for c in controls
                                                          if not c.holds)
    return Decision(holds=not reproduced, p_value=p_value, estimate=assertion.estimate, bound=assertion.bound, n=n,
                    share=share, power=power, target_defect=target_defect, defect_size=defect_size, name=name,
                    parts=(assertion, *controls), message=message)
