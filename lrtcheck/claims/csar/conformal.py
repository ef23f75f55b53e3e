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
bracket; the defect is the rank off by one.  ``csar.weighted.shift`` is a one-sided count against
``Bin(R, 1-delta)`` with a stated coverage deficit.  ``csar.conformal.exact_coverage`` and
``csar.weighted.reduces`` are exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import SplitConformal, WeightedConformal
from lrtcheck.stats import conformal_rank, exact_fraction
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


@check(CONF, quick=dict(n=19, delta=0.1, replications=3000), full=dict(n=19, delta=0.1, replications=30000),
       subject="csar.conformal", default_subject=lambda: SplitConformal(0.1))
def check_conformal_coverage(ctx):
    """KS of the realized coverages ``F(q)`` against ``Beta(k, n-k+1)`` and the count of covered test labels
    against ``Bin(R, k/(n+1))``, at half the share each, with the exact rank bracket; defect: the rank off by one
    (``k+1``, MAPIE's 'higher' quantile), whose KS discrepancy is computed exactly on a grid."""
    p = ctx.params
    n, delta, R = p["n"], p["delta"], p["replications"]
    k = conformal_rank(n, delta)
    law = st.beta(k, n - k + 1)
    level = split_share(ctx.false_fail_rate, 2)
    x, y = draw_square_law_labels(ctx.rng, (R, n + 1))
    realized = np.empty(R)
    covered = 0
    for r in range(R):
        cal = fresh_subject(ctx.subject, delta=delta).fit(x[r, :n], y[r, :n])
        realized[r] = label_residual_cdf(cal.threshold_)
        lo, hi = cal.predict_interval(x[r, n:])
        covered += int(lo[0] <= y[r, n] <= hi[0])
    p_cov = k / (n + 1)
    grid = np.linspace(0, 1, 20001)
    disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k + 1, n - k).cdf(grid)))) if k < n else 1.0
    defect = "conformal rank off by one (k+1, MAPIE's 'higher' quantile)"
    ks = ks_decision(realized, law.cdf, level, defect_discrepancy=disc, target_defect=defect,
                     name="realized coverage ~ Beta(k, n-k+1)")
    count = binomial_count_decision(covered, R, p_cov, level, defect_rate=(k + 1) / (n + 1) if k < n else None,
                                    target_defect=defect, name="covered test labels")
    # rank bracket 1 - delta <= k/(n+1) < 1 - delta + 1/(n+1) in exact arithmetic (no float rounding at the edges)
    p_cov_q, one_minus_d = Fraction(k, n + 1), 1 - exact_fraction("delta", delta)
    bracket = exact_decision(one_minus_d <= p_cov_q < one_minus_d + Fraction(1, n + 1), estimate=p_cov,
                             name="rank bracket", message=f"k/(n+1) = {p_cov_q} outside [1-delta, 1-delta+1/(n+1))")
    decision = bonferroni([ks, count, bracket], ctx.false_fail_rate, report=1)
    return Evidence.from_decision(decision, defect_size=disc,
                                  details={"k": k, "ks_pvalue": ks.p_value, "acceptance": list(count.region)})


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


@check(CONFEXACT, quick=dict(cases=400), full=dict(cases=4000), stochastic=False)
def check_conformal_exact_coverage(ctx):
    """Exact, no Monte Carlo: with distinct residuals the test residual's rank among the n+1 is uniform, so the
    coverage of the threshold q is ``#{a_i <= q}/(n+1)`` exactly; compared with the rational interval of the claim
    (delta read as the rational the user meant: ``lrtcheck.stats.exact_fraction``)."""
    rng = ctx.rng
    deltas = [0.1, 1 / 3, 0.05, 0.2, 2 / 3, 0.01, 0.25, 0.3, 1 / 7]
    cases = [(92, 1 / 3), (19, 0.1), (9, 0.1), (99, 0.01), (29, 0.3)]
    while len(cases) < ctx.params["cases"]:
        cases.append((int(rng.integers(1, 200)), deltas[len(cases) % len(deltas)]))
    bad = []
    for n, delta in cases:
        u = rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        m = SplitConformal(delta, allow_infinite=True).fit(u, y)
        a = np.abs(y - u)
        k = n + 1 if math.isinf(m.threshold_) else int(np.sum(a <= m.threshold_))
        cov = Fraction(k, n + 1)
        d = exact_fraction("delta", delta)
        if not (1 - d <= cov < 1 - d + Fraction(1, n + 1)):
            bad.append((n, str(d), f"{k}/{n + 1}"))
    decision = exact_decision(not bad, estimate=len(bad), bound=0, n=len(cases), name="coverage outside the bracket",
                              message=f"{len(bad)} (n, delta) with coverage outside [1-delta, 1-delta+1/(n+1)), "
                              f"e.g. {bad[:3]}")
    return Evidence.from_decision(decision, details={"violations": bad[:10]})


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
    "probability >= 1 - delta.",
    assumptions=("known likelihood ratio", "exchangeable calibration points"),
)


@check(WSHIFT, quick=dict(n=50, delta=0.1, replications=4000, defect=0.04),
       full=dict(n=50, delta=0.1, replications=40000, defect=0.015),
       subject="csar.weighted_conformal", default_subject=lambda: WeightedConformal(0.1))
def check_weighted_shift(ctx):
    """One-sided exact count of covered test labels against ``Bin(R, 1-delta)`` at the full share; the defect is a
    coverage deficit of ``defect`` (weights misapplied).  Unweighted split conformal, measured alongside, shows
    what the weights correct."""
    p = ctx.params
    n, delta, R = p["n"], p["delta"], p["replications"]
    world = COVARIATE_SHIFT
    w_of = world.likelihood_ratio
    xc, yc, xt, yt = world.draw(ctx.rng, R, n)
    cov = cov_plain = 0
    for r in range(R):
        m = fresh_subject(ctx.subject, delta=delta).fit(world.base[xc[r]], yc[r], w_of[xc[r]])
        lo, hi = m.predict_interval(world.base[xt[r:r + 1]], w_of[xt[r:r + 1]])
        cov += int(lo[0] <= yt[r] <= hi[0])
        q = SplitConformal(delta).fit(world.base[xc[r]], yc[r]).threshold_
        cov_plain += int(abs(yt[r] - world.base[xt[r]]) <= q)
    decision = binomial_count_decision(cov, R, 1 - delta, ctx.false_fail_rate, alternative="less",
                                       defect_rate=1 - delta - p["defect"],
                                       target_defect=f"coverage deficit of {p['defect']} (e.g. weights misapplied)",
                                       name="covered test labels")
    return Evidence.from_decision(decision, defect_size=p["defect"],
                                  details={"unweighted_split_conformal_coverage": cov_plain / R,
                                           "min_count": decision.region[0]})


# --------------------------------------------------------------------------------------------------------------
_M = "lrtcheck.csar.conformal"
_RANK = "k = conformal_rank(n, delta)"
MUTANTS = [
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
           source_edit(("return np.abs(labels - probs)", "return labels - probs")),
           ("csar.conformal.*", "csar.weighted.*"), tags=("ci",)),
    Mutant("csar.weighted_no_test_weight", f"{_M}:WeightedConformal.threshold",
           "the test point's own weight w(x) left out of the normaliser (the quantile of the calibration "
           "weights alone)",
           source_edit(("need = (b - a) * (total + wt)", "need = np.broadcast_to((b - a) * total, wt.shape)")),
           ("csar.weighted.*",), tags=("ci",)),
    Mutant("csar.weighted_tie_side", f"{_M}:WeightedConformal.threshold",
           "searchsorted side='right' for the cumulative weight: the quantile is one rank too high whenever "
           "sum_{i<=k} w_(i) hits (1-delta)(W+w(x)) exactly",
           source_edit(('need, side="left")', 'need, side="right")')), ("csar.weighted.*",), tags=("ci",)),
]
MUTANTS += [
    Mutant("csar.conformal_rank_plus_one", f"{_M}:SplitConformal.fit",
           "the threshold read one rank too high, the (k+1)-th smallest residual (MAPIE's 'higher' quantile, or a "
           "1-based rank used as a 0-based index)",
           source_edit(("self.threshold_ = math.inf if k is None else float(scores[k - 1])",
                        "self.threshold_ = math.inf if k is None or k >= n else float(scores[k])")),
           ("csar.conformal.*",), declares=("csar.conformal.coverage",)),
    Mutant("csar.weighted_ratio_inverted", "lrtcheck.worlds.csar:CovariateShiftWorld.likelihood_ratio",
           "the likelihood ratio taken the wrong way round: w = dP_cal/dP_test passed as the weights of the "
           "calibration and of the test points (coverage about 0.867 in the check's world: a deficit of about "
           "0.033, smaller than the 0.04 the check states, so its power against it is about 0.99, not 0.9999)",
           source_edit(("return self.px_test / self.px_cal", "return self.px_cal / self.px_test")),
           ("csar.weighted.*",), declares=("csar.weighted.shift",)),
]
