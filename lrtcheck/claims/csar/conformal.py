"""``csar.conformal.*``, ``csar.weighted.*``: split conformal covers the label at its exact rank, and weighted
conformal covers it under a known covariate shift.

Claims.  Split conformal on the label residuals ``a_i = |y_i - u(x_i)|`` with the rank
``k = ceil((n+1)(1-delta))`` (exact rational arithmetic): the realized label coverage is ``Beta(k, n+1-k)`` and the
marginal coverage is ``k/(n+1)`` in ``[1-delta, 1-delta+1/(n+1))`` (C-SAR paper §4; Vovk, Gammerman & Shafer 2005;
Angelopoulos & Bates 2021, section 1 and appendix D; docs/methods/csar.md §3).  Weighted conformal with
``w = dP_test/dP_cal`` covers the test label with probability ``>= 1 - delta`` under a known covariate shift, and
with constant weights reproduces split conformal's threshold exactly (Tibshirani, Barber, Candes & Ramdas 2019,
arXiv 1904.06019, section 2 and Corollary 1).

World.  Scores ``X ~ U(0, 1)``, labels ``Y | X ~ Bern(X^2)``, where the residual CDF is closed-form
(:func:`lrtcheck.worlds.csar.label_residual_cdf`); a four-point covariate-shift world with its exact likelihood
ratio (:data:`lrtcheck.worlds.csar.COVARIATE_SHIFT`).

Checks.  ``csar.conformal.coverage`` splits its share between a KS test of the realized coverages against
``Beta(k, n+1-k)`` and a two-sided count of covered test labels against ``Bin(R, k/(n+1))``, with the exact rank
bracket; the defect is the rank off by one.  ``csar.weighted.shift`` is a two-sided count against its exact
law (non-constant likelihood-ratio weights, every calibration multiset enumerated) at drawn (n, delta). 
``csar.conformal.exact_coverage`` and
``csar.weighted.reduces`` are exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Choice, Integer, ParameterSpace, Rational
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import SplitConformal, WeightedConformal
from lrtcheck.stats import exact_fraction
from lrtcheck.stats.design import binomial_power, ks_sample_size
from lrtcheck.stats.decisions import (binomial_count_decision, bonferroni, exact_decision, ks_decision,
                                      split_share)
from lrtcheck.worlds.csar import COVARIATE_SHIFT, draw_square_law_labels, label_residual_cdf

from ._support import fresh_subject

CONF = Claim(
    id="csar.conformal.coverage",
    source="C-SAR paper §4; Vovk, Gammerman & Shafer (2005); Angelopoulos & Bates (2021) section 1 and appendix D; "
    "docs/methods/csar.md §3",
    statement="Split conformal on label residuals |y - u(x)|: the realized label coverage is Beta(k, n+1-k) with "
    "k = ceil((n+1)(1-delta)), so marginal coverage k/(n+1) lies in [1-delta, 1-delta+1/(n+1)).",
    assumptions=("exchangeable calibration and test points", "continuous residuals"),
)


def oracle_rank(n: int, delta: Fraction) -> int:
    """The conformal rank by brute force over exact fractions: the smallest integer k with k >= (n+1)(1-delta)
    (no ``ceil``, no float, no call to ``lrtcheck.stats.conformal_rank``); n + 1 means an infinite threshold."""
    target = (n + 1) * (1 - Fraction(delta))
    k = 0
    while Fraction(k) < target:
        k += 1
    return k


def rank_verdict(ranks, k: int) -> tuple[bool, str]:
    """``(exact, label)`` for the ranks an implementation used (one per calibration set) against the exact rank:
    "exact", "valid but conservative" (every rank >= k, some above: over-coverage by that many ranks) or "invalid"
    (some rank below k: coverage below k/(n+1), hence possibly below 1 - delta)."""
    ranks = np.asarray(ranks)
    if np.all(ranks == k):
        return True, "exact"
    if np.all(ranks >= k):
        return False, (f"valid but conservative: rank {int(ranks.max())} for the exact {k} (over-coverage by "
                       f"{int(ranks.max()) - k} rank{'s' if ranks.max() - k > 1 else ''})")
    return False, f"invalid: rank {int(ranks.min())} below the exact {k} (under-coverage)"


def _n_low(c):
    # n >= 2/delta - 1 keeps k + 1 <= n, so that the declared defect (rank k + 1) is a finite-rank calibrator
    d = Fraction(c["num"], c["den"])
    return max(2, math.ceil(2 / d) - 1)


CONF_SPACE = ParameterSpace("conformal", den=Choice(3, 10, 7, 4, 20, 6),
                            num=Integer(1, lambda c: max(1, (c["den"] - 1) // 2)),
                            edge=Choice(True, False), n=Integer(_n_low, lambda c: max(_n_low(c), 80), log=True))


def _configured_n(cfg) -> tuple[int, Fraction]:
    """``(n, delta)``: at an edge configuration n is raised to the next n with (n+1)(1-delta) an integer, where a
    float ``ceil`` is one too high whenever the product rounds up (MAPIE's (92, 1/3), (35, 1/3), (8, 1/3))."""
    delta = Fraction(cfg["num"], cfg["den"])
    n = int(cfg["n"])
    if cfg["edge"]:
        step = delta.denominator
        n = step * math.ceil((n + 1) / step) - 1
    return n, delta


@check(CONF, quick=dict(configurations=4, max_replications=6000),
       full=dict(configurations=16, max_replications=60000),
       subject="csar.conformal", default_subject=lambda: SplitConformal(0.1))
def check_conformal_coverage(ctx):
    """Per drawn (n, delta): the KS of the realized coverages ``F(q)`` against ``Beta(k, n-k+1)`` and the count of
    covered test labels against ``Bin(R, k/(n+1))``, with k from the brute-force oracle (:func:`oracle_rank`), and
    the exact rank clause (the rank the subject used, read off its threshold); defect: the rank off by one (k+1),
    whose KS discrepancy is computed exactly on a grid; R sized by ``ks_sample_size`` for it."""
    configs = ctx.configurations(CONF_SPACE)
    parts, rows = [], []
    grid = np.linspace(0, 1, 20001)
    for cfg in configs:
        n, delta_q = _configured_n(cfg)
        delta = float(delta_q)  # what a user passes
        k = oracle_rank(n, delta_q)
        law = st.beta(k, n - k + 1)
        level = split_share(cfg.share, 2)
        disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k + 1, n - k).cdf(grid)))) if k < n else 1.0
        R = min(ctx.params["max_replications"], max(500, ks_sample_size(0.98 * disc, level, ctx.required_power)))
        x, y = draw_square_law_labels(cfg.rng, (R, n + 1))
        realized, ranks = np.empty(R), np.empty(R, dtype=np.int64)
        covered = 0
        for r in range(R):
            cal = fresh_subject(ctx.subject, delta=delta).fit(x[r, :n], y[r, :n])
            q = float(cal.threshold_)
            realized[r] = label_residual_cdf(q)
            ranks[r] = n + 1 if math.isinf(q) else int(np.sum(np.abs(y[r, :n] - x[r, :n]) <= q))
            lo, hi = cal.predict_interval(x[r, n:])
            covered += int(lo[0] <= y[r, n] <= hi[0])
        p_cov = k / (n + 1)
        defect = "conformal rank off by one (k+1, MAPIE's 'higher' quantile)"
        ks = ks_decision(realized, law.cdf, level, defect_discrepancy=disc, target_defect=defect,
                         name="realized coverage ~ Beta(k, n-k+1)")
        count = binomial_count_decision(covered, R, p_cov, level, defect_rate=(k + 1) / (n + 1) if k < n else None,
                                        target_defect=defect, name="covered test labels")
        exact, label = rank_verdict(ranks, k)
        bracket = Fraction(k, n + 1)
        rank = exact_decision(exact and 1 - delta_q <= bracket < 1 - delta_q + Fraction(1, n + 1), estimate=p_cov,
                              name="exact rank", message=label)
        parts.append(bonferroni([ks, count, rank], cfg.share, report=1, same_defect=True))
        rows.append({"n": n, "delta": str(delta_q), "k": k, "replications": R, "coverage": covered / R,
                     "exact_coverage": p_cov, "ks_pvalue": ks.p_value, "rank_verdict": label})
    decision = configs.join(parts, same_defect=True)
    return Evidence.from_decision(decision, details={"configurations": rows,
                                                     "rank_verdicts": sorted({r["rank_verdict"] for r in rows})})


# --------------------------------------------------------------------------------------------------------------
CONFEXACT = Claim(
    id="csar.conformal.exact_coverage",
    source="Vovk et al. (2005); Angelopoulos & Bates (2021) section 1 and appendix D; C-SAR paper §4; "
    "docs/methods/csar.md §3",
    statement="For continuous residuals the marginal label coverage of split conformal is exactly k/(n+1), where k "
    "is the number of calibration residuals at or below the threshold (n+1 when the threshold is +inf); it lies in "
    "[1-delta, 1-delta+1/(n+1)) for every n and every rational delta (checked in exact arithmetic).",
    assumptions=("exchangeable calibration and test points", "continuous residuals (distinct a.s.)"),
)


@check(CONFEXACT, quick=dict(cases=400), full=dict(cases=4000), stochastic=False, subject="csar.conformal",
       default_subject=lambda: SplitConformal(0.1))
def check_conformal_exact_coverage(ctx):
    """Exact, no Monte Carlo: with distinct residuals the test residual's rank among the n+1 is uniform, so the
    coverage of the threshold q is ``#{a_i <= q}/(n+1)`` exactly; the rank the subject used is compared with the
    brute-force rank (:func:`oracle_rank`) and the rational interval of the claim, at MAPIE's float-ceil cases
    (92, 1/3), (35, 1/3), (8, 1/3) and at random (n, delta) with k <= n; the verdict says "valid but
    conservative" (rank above the exact one) or "invalid" (below)."""
    rng = ctx.rng
    deltas = [Fraction(1, 10), Fraction(1, 3), Fraction(1, 20), Fraction(1, 5), Fraction(2, 3), Fraction(1, 100),
              Fraction(1, 4), Fraction(3, 10), Fraction(1, 7)]
    cases = [(92, Fraction(1, 3)), (35, Fraction(1, 3)), (8, Fraction(1, 3)), (19, Fraction(1, 10)),
             (9, Fraction(1, 10)), (99, Fraction(1, 100)), (29, Fraction(3, 10))]
    while len(cases) < ctx.params["cases"]:
        d = deltas[len(cases) % len(deltas)]
        cases.append((int(rng.integers(math.ceil(1 / d) - 1, 200)), d))
    bad, labels = [], set()
    for n, d in cases:
        u = rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        q = float(fresh_subject(ctx.subject, delta=float(d)).fit(u, y).threshold_)
        k_used = n + 1 if math.isinf(q) else int(np.sum(np.abs(y - u) <= q))
        k = oracle_rank(n, d)
        cov = Fraction(k_used, n + 1)
        if k_used != k or not (1 - d <= cov < 1 - d + Fraction(1, n + 1)):
            label = rank_verdict([k_used], k)[1]
            labels.add(label.split(":")[0])
            bad.append((n, str(d), f"{k_used}/{n + 1}", label))
    verdict = ("exact" if not bad else "invalid" if "invalid" in labels else "valid but conservative")
    decision = exact_decision(not bad, estimate=len(bad), bound=0, n=len(cases), name="coverage outside the bracket",
                              message=f"{verdict}: {len(bad)} (n, delta) with a rank other than the exact one, "
                              f"e.g. {bad[:3]}")
    return Evidence.from_decision(decision, details={"violations": bad[:10], "verdict": verdict})


# --------------------------------------------------------------------------------------------------------------
WRED = Claim(
    id="csar.weighted.reduces",
    source="Tibshirani, Barber, Candes & Ramdas (2019), arXiv 1904.06019, section 2; docs/methods/csar.md §3",
    statement="Weighted conformal with constant weights reproduces split conformal's threshold exactly "
    "(including the infinite threshold when n is too small for delta).",
)


@check(WRED, quick=dict(cases=300), full=dict(cases=3000), stochastic=False,
       subject="csar.weighted_conformal", default_subject=lambda: WeightedConformal(0.1))
def check_weighted_reduces(ctx):
    """Exact: thresholds equal (``==``, infinities included) over random n, delta, ties and weight constants."""
    rng = ctx.rng
    bad = []
    deltas = [0.1, 1 / 3, 0.05, 0.2, 0.5, 0.01]
    for i in range(ctx.params["cases"]):
        n = int(rng.integers(1, 120)) if i else 92
        delta = deltas[i % len(deltas)]
        u = rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        if i % 3 == 0:
            u = np.round(u, 1)  # ties
        c = float(rng.choice([1.0, 0.37, 1e-3, 250.0]))
        ref = SplitConformal(delta, allow_infinite=True).fit(u, y).threshold_
        got = fresh_subject(ctx.subject, delta=delta).fit(u, y, np.full(n, c)).threshold(np.array([c]))[0]
        if not (ref == got):
            bad.append((n, delta, ref, float(got)))
    decision = exact_decision(not bad, estimate=len(bad), bound=0, n=ctx.params["cases"], name="threshold mismatches",
                              message=f"{len(bad)} mismatches, e.g. {bad[:3]}")
    return Evidence.from_decision(decision, details={"mismatches": bad[:10]})


# --------------------------------------------------------------------------------------------------------------
WSHIFT = Claim(
    id="csar.weighted.shift",
    source="Tibshirani et al. (2019), arXiv 1904.06019, Corollary 1; C-SAR paper §4 ('weighted calibration'); "
    "docs/methods/csar.md §3",
    statement="Under a known covariate shift, weighted conformal with w = dP_test/dP_cal covers the test label with "
    "probability >= 1 - delta; with finite covariates its exact coverage is the enumeration over calibration "
    "multisets, and the covered count over R replications is Binomial(R, c_exact).",
    assumptions=("known likelihood ratio", "exchangeable calibration points"),
)


WSHIFT_SPACE = ParameterSpace("weighted_shift", n=Integer(4, 8),
                              delta=Rational(Fraction(1, 10), Fraction(1, 3), 30))


def _replications_for(p0, p1, share, power, cap):
    R = 500
    while R < cap and binomial_power(R, p0, p1, share, alternative="two-sided") < power:
        R *= 2
    return min(R, cap)


@check(WSHIFT, quick=dict(configurations=2, max_replications=8000),
       full=dict(configurations=6, max_replications=64000),
       subject="csar.weighted_conformal", default_subject=lambda: WeightedConformal(0.1))
def check_weighted_shift(ctx):
    """Per drawn (n, delta): the count of covered test labels, with the non-constant likelihood-ratio weights,
    two-sided against ``Bin(R, c_exact)``, ``c_exact`` from the enumeration of every calibration multiset
    (:meth:`CovariateShiftWorld.exact_weighted_coverage`, an independent brute-force quantile in exact fractions),
    and the exact clause ``c_exact >= 1 - delta`` (the guarantee).  Defect: the test point's weight left out of the
    normaliser, whose coverage the same enumeration gives exactly, so the power is exact; R is sized for it.
    Unweighted split conformal, measured alongside, shows what the weights correct."""
    configs = ctx.configurations(WSHIFT_SPACE)
    world = COVARIATE_SHIFT
    w_of = world.likelihood_ratio
    parts, rows = [], []
    for cfg in configs:
        n, delta_q = int(cfg["n"]), cfg["delta"]
        delta = float(delta_q)
        c_exact = world.exact_weighted_coverage(n, delta_q)
        c_defect = world.exact_weighted_coverage(n, delta_q, include_test_weight=False)
        R = _replications_for(c_exact, c_defect, cfg.share, ctx.required_power, ctx.params["max_replications"])
        xc, yc, xt, yt = world.draw(cfg.rng, R, n)
        cov = cov_plain = 0
        for r in range(R):
            m = fresh_subject(ctx.subject, delta=delta).fit(world.base[xc[r]], yc[r], w_of[xc[r]])
            lo, hi = m.predict_interval(world.base[xt[r:r + 1]], w_of[xt[r:r + 1]])
            cov += int(lo[0] <= yt[r] <= hi[0])
            q = SplitConformal(delta, allow_infinite=True).fit(world.base[xc[r]], yc[r]).threshold_
            cov_plain += int(abs(yt[r] - world.base[xt[r]]) <= q)
        count = binomial_count_decision(cov, R, c_exact, cfg.share, defect_rate=c_defect,
                                        target_defect="the test point's weight left out of the normaliser",
                                        name="covered test labels")
        guarantee = exact_decision(c_exact >= 1 - delta, estimate=c_exact, bound=1 - delta, name="exact coverage",
                                   message=f"the exact coverage {c_exact:.6g} is below 1 - delta")
        parts.append(bonferroni([count, guarantee], cfg.share))
        rows.append({"n": n, "delta": str(delta_q), "replications": R, "coverage": cov / R, "exact": c_exact,
                     "defect_exact": c_defect, "unweighted": cov_plain / R})
    decision = configs.join(parts)
    return Evidence.from_decision(decision, details={
        "configurations": rows, "nominal": float(np.mean([1 - float(Fraction(r["delta"])) for r in rows])),
        "unweighted_split_conformal_coverage": float(np.mean([r["unweighted"] for r in rows]))})


# --------------------------------------------------------------------------------------------------------------
_M = "lrtcheck.csar.conformal"
_RANK = "k = conformal_rank(n, delta)"
MUTANTS = [
    Mutant("csar.conformal_rank_plus_one", f"{_M}:SplitConformal.fit",
           "the threshold one order statistic too high: rank k+1 (a 1-based rank used as a 0-based index, MAPIE's "
           "'higher' quantile): valid but conservative",
           source_edit((_RANK, "k = conformal_rank(n, delta)\nk = None if k is None or k + 1 > n else k + 1")),
           ("csar.conformal.*",), tags=("ci",), declares=("csar.conformal.coverage",)),
    Mutant("csar.conformal_rank_float", f"{_M}:SplitConformal.fit",
           "the conformal rank ceil((n+1)(1-delta)) computed in floating point (93*(1-1/3) rounds up to 63)",
           source_edit((_RANK, "k = math.ceil((n + 1) * (1 - float(delta)))\nk = None if k > n else k")),
           ("csar.conformal.*", "csar.weighted.reduces"), tags=("ci",)),
    Mutant("csar.conformal_rank_no_plus_one", f"{_M}:SplitConformal.fit",
           "the (1-delta) quantile of the n calibration scores alone: rank ceil(n(1-delta)), the +1 forgotten",
           source_edit((_RANK, "k = math.ceil(n * (1 - float(delta)))\nk = None if k > n else k")),
           ("csar.conformal.*", "csar.weighted.reduces"), tags=("ci",)),
    Mutant("csar.conformal_signed_residual", f"{_M}:label_residuals",
           "the absolute value dropped from the non-conformity score: y - u(x) instead of |y - u(x)|",
           source_edit(("return np.abs(y - u)", "return y - u")),
           ("csar.conformal.*", "csar.weighted.*"), tags=("ci",)),
    Mutant("csar.weighted_no_test_weight", f"{_M}:WeightedConformal.threshold",
           "the test point's own weight w(x) left out of the normaliser (the quantile of the calibration "
           "weights alone)",
           source_edit(("need = (b - a) * (total + wt)", "need = np.broadcast_to((b - a) * total, wt.shape)")),
           ("csar.weighted.*",), tags=("ci",), declares=("csar.weighted.shift",)),
    Mutant("csar.weighted_tie_side", f"{_M}:WeightedConformal.threshold",
           "searchsorted side='right' for the cumulative weight: the quantile is one rank too high whenever "
           "sum_{i<=k} w_(i) hits (1-delta)(W+w(x)) exactly",
           source_edit(('need, side="left")', 'need, side="right")')), ("csar.weighted.*",), tags=("ci",)),
]
MUTANTS += [
    Mutant("csar.weighted_ratio_inverted", "lrtcheck.worlds.csar:CovariateShiftWorld.likelihood_ratio",
           "the likelihood ratio taken the wrong way round: w = dP_cal/dP_test passed as the weights of the "
           "calibration and of the test points (coverage about 0.867 in the check's world: a deficit of about "
           "0.033, smaller than the 0.04 the check states: not its declared defect, csar.weighted_no_test_weight is)",
           source_edit(("return self.px_test / self.px_cal", "return self.px_cal / self.px_test")),
           ("csar.weighted.*",)),
]
