"""``stats.conformal``: the conformal rank in exact arithmetic, and the exact law of the coverage it gives.

Claims.  With n exchangeable calibration scores of a continuous law F and the rank ``k = ceil((n+1)(1-alpha))``
(computed in exact rational arithmetic, ``None`` when k > n), the threshold ``X_(k)`` has realized coverage
``F(X_(k)) ~ Beta(k, n-k+1)``, so the marginal coverage is ``k/(n+1)`` in ``[1-alpha, 1-alpha+1/(n+1))`` and the
number of covered fresh points follows the Beta-Binomial law (Vovk, Gammerman & Shafer 2005, "Algorithmic learning
in a random world"; Angelopoulos & Bates 2021, "A gentle introduction to conformal prediction", section 1 and
appendix D).

World.  Uniform scores, so F is the identity and the realized coverage is the k-th order statistic itself.

Checks.  ``stats.conformal.coverage`` splits its share between two exact decisions, a KS test of the realized
coverages against ``Beta(k, n-k+1)`` and a two-sided count decision on one fresh point per calibration
(``Bin(R, k/(n+1))``), joined with the exact rank bracket; the defect is the rank off by one (k+1).
``stats.conformal.rank_exact`` is exact: the rank against a brute-force Fraction computation.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, artifact, detail, figure, histogram, number
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.stats import conformal_rank, exact_fraction, order_statistic_level_law
from lrtcheck.stats.decisions import (binomial_count_decision, bonferroni, exact_decision, ks_decision,
                                      split_share)

CONFORMAL_CLAIM = Claim(
    id="stats.conformal.coverage",
    source="Vovk, Gammerman & Shafer (2005); Angelopoulos & Bates (2021) section 1 and appendix D",
    statement="With k = ceil((n+1)(1-alpha)), the realized coverage F(X_(k)) ~ Beta(k, n-k+1), so the marginal "
    "coverage is k/(n+1) in [1-alpha, 1-alpha+1/(n+1)) and fresh-point counts follow the Beta-Binomial law.",
    assumptions=("exchangeable scores", "continuous law (no ties)"),
)


@check(CONFORMAL_CLAIM, quick=dict(n=19, alpha=0.1, replications=4000), full=dict(n=19, alpha=0.1, replications=40000))
def check_conformal_coverage(ctx):
    """KS of the realized coverages against Beta(k, n-k+1) and an exact count of covered fresh points, at half the
    share each, with the exact rank bracket; defect: the rank off by one (k+1)."""
    p = ctx.params
    n, alpha, reps = p["n"], p["alpha"], p["replications"]
    k = conformal_rank(n, alpha)
    law = st.beta(k, n - k + 1)  # law of the realized coverage F(X_(k))
    level = split_share(ctx.false_fail_rate, 2)
    scores = np.sort(ctx.rng.random((reps, n)), axis=1)
    realized = scores[:, k - 1]  # F = identity for uniform scores
    # one fresh test point per replication: covered count ~ Binomial(R, k/(n+1)) exactly
    fresh = ctx.rng.random(reps)
    covered = int(np.sum(fresh <= realized))
    p_cov = k / (n + 1)
    # defect: rank off by one (k+1); its exact KS discrepancy and coverage
    grid = np.linspace(0, 1, 20001)
    disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k + 1, n - k).cdf(grid)))) if k < n else 1.0
    defect = "conformal rank off by one (k+1)"
    ks = ks_decision(realized, law.cdf, level, defect_discrepancy=disc, target_defect=defect,
                     name="realized coverage ~ Beta(k, n-k+1)")
    count = binomial_count_decision(covered, reps, p_cov, level, defect_rate=(k + 1) / (n + 1) if k < n else None,
                                    target_defect=defect, name="covered fresh points")
    # rank bracket 1 - alpha <= k/(n+1) < 1 - alpha + 1/(n+1) in exact arithmetic (no float rounding at the edges)
    p_cov_q, one_minus_a = Fraction(k, n + 1), 1 - exact_fraction("alpha", alpha)
    bracket = exact_decision(one_minus_a <= p_cov_q < one_minus_a + Fraction(1, n + 1), estimate=p_cov,
                             name="rank bracket", message=f"k/(n+1) = {p_cov_q} outside [1-alpha, 1-alpha+1/(n+1))")
    decision = bonferroni([ks, count, bracket], ctx.false_fail_rate, report=1)
    level_law = order_statistic_level_law(n, k)
    return Evidence.from_decision(
        decision, defect_size=disc,
        details={"k": k, "ks_statistic": ks.statistic, "ks_pvalue": ks.p_value,
                 "realized_level_mean": float(level_law.mean()), "coverage_exact": p_cov},
        artifacts={"realized_coverage": realized},
    )


@figure(check_conformal_coverage)
def conformal_coverage_histogram(ev) -> list[Spec]:
    """The realized coverages against the density of their exact law Beta(k, n+1-k)."""
    cov = artifact(ev, "realized_coverage")
    k = int(detail(ev, "k"))
    m = number(detail(ev, "realized_level_mean"))  # mean of Beta(n+1-k, k) = (n+1-k)/(n+1)
    n = int(round(k / (1 - m))) - 1
    law = st.beta(k, n + 1 - k)
    lo = float(min(cov.min(), law.ppf(0.0005)))
    x = np.linspace(lo, 1.0, 300)
    e, c = histogram(cov, 40, lo, 1.0)
    return [{"kind": "hist", "title": "Realized conformal coverage vs its exact Beta law", "edges": e, "counts": c,
             "label": f"realized coverage ({cov.size} calibrations)", "density_x": x.tolist(),
             "density_y": law.pdf(x).tolist(), "law_label": f"exact Beta({k}, {n + 1 - k})",
             "xlabel": "coverage of the calibrated threshold", "ylabel": "density",
             "caption": "The histogram should follow the Beta curve: conformal coverage is random around k/(n+1)."}]


RANK_CLAIM = Claim(
    id="stats.conformal.rank_exact",
    source="Angelopoulos & Bates (2021) section 1 (the rank ceil((n+1)(1-alpha))); the public "
    "lrtcheck.stats.conformal_rank (docs/architecture.md)",
    statement="conformal_rank(n, alpha) equals the smallest integer k >= (n+1)(1-alpha) computed in exact rational "
    "arithmetic (None when k > n), also when alpha arrives as a float such as 1/3.",
)

#: decimal levels and thirds/sevenths, where a floating-point ceil goes wrong
RANK_ALPHAS = (Fraction(1, 3), Fraction(2, 3), Fraction(1, 7), Fraction(1, 10), Fraction(1, 20), Fraction(1, 100),
               Fraction(3, 10), Fraction(1, 6), Fraction(1, 1000))


@check(RANK_CLAIM, stochastic=False, quick=dict(n_max=400), full=dict(n_max=3000))
def check_conformal_rank_exact(ctx):
    """Exact: compare with a brute-force Fraction computation over every n <= n_max and a grid of alphas
    (decimal levels and thirds/sevenths, where floating-point ceil goes wrong)."""
    mismatches = []
    total = 0
    for a in RANK_ALPHAS:
        af = float(a)
        for n in range(1, ctx.params["n_max"] + 1):
            expect = math.ceil((n + 1) * (1 - a))
            expect = expect if expect <= n else None
            total += 1
            got = conformal_rank(n, af)
            if got != expect:
                mismatches.append((n, str(a), got, expect))
    decision = exact_decision(not mismatches, estimate=len(mismatches), bound=0.0, n=total, name="rank mismatches",
                              message=f"{len(mismatches)} mismatches, e.g. (n, alpha, got, exact) = "
                              f"{mismatches[0] if mismatches else None}")
    return Evidence.from_decision(decision, details={"first_mismatches": mismatches[:5]})


MUTANTS = [
    Mutant("stats.rank_float", "lrtcheck.stats.conformal:conformal_rank",
           "the rank ceil((n+1)(1-alpha)) computed in floating point: 93*(1-1/3) rounds up to 63",
           source_edit(('a = exact_fraction("alpha", alpha)', "a = float(alpha)")), ("stats.conformal.*",)),
    Mutant("stats.rank_n", "lrtcheck.stats.conformal:conformal_rank",
           "n used in place of n+1 in the conformal rank (the quantile of the calibration scores alone)",
           source_edit(("k = math.ceil((n + 1) * (1 - a))", "k = math.ceil(n * (1 - a))")), ("stats.conformal.*",)),
]
