"""``stats.conformal``: the conformal rank in exact arithmetic, and the exact law of the coverage it gives.

Claims.  With n exchangeable calibration scores of a continuous law F and the rank ``k = ceil((n+1)(1-alpha))``
(computed in exact rational arithmetic, ``None`` when k > n), the threshold ``X_(k)`` has realized coverage
``F(X_(k)) ~ Beta(k, n-k+1)``, so the marginal coverage is ``k/(n+1)`` in ``[1-alpha, 1-alpha+1/(n+1))`` and the
number of covered fresh points follows the Beta-Binomial law (Vovk, Gammerman & Shafer 2005, "Algorithmic learning
in a random world"; Angelopoulos & Bates 2021, "A gentle introduction to conformal prediction", section 1 and
appendix D).

World.  Uniform scores, so F is the identity and the realized coverage is the k-th order statistic itself.  The
configurations (n, alpha) are drawn over n in [9, 199] (log-uniform) and alpha in [2/(n+1), 1/2] on the grid of
thousandths (exact rationals, so that the reference rank is exact; alpha >= 2/(n+1) keeps k + 1 <= n, where the
target defect exists): 3 in the quick tier, 10 in the full tier, each at an equal part of the share.

Checks.  ``stats.conformal.coverage``, per configuration: the threshold is the order statistic of the
implementation's rank ``conformal_rank(n, float(alpha))``; the reference law takes its rank from a brute-force
exact computation, ``ceil((n+1)(1-alpha))`` over Fractions, never from ``conformal_rank``.  Half the configuration's
share goes to a KS test of the realized coverages against ``Beta(k_ref, n-k_ref+1)``, half to a two-sided count
decision on one fresh point per calibration (``Bin(R, k_ref/(n+1))``), joined with the exact rank bracket.  The
target defect is the rank off by one (k+1; the mutant ``stats.rank_plus_one`` declares it): both Monte Carlo parts
see it, so their joint power is the larger of the two, and R is sized so that the KS part alone reaches the tier's
power (``ks_sample_size``).  ``stats.conformal.rank_exact`` is exact: the rank against a brute-force Fraction
computation.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Integer, ParameterSpace, Rational
from lrtcheck.certify.figures import Spec, artifact, detail, figure, histogram
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.stats import conformal_rank, ks_sample_size
from lrtcheck.stats.decisions import (binomial_count_decision, bonferroni, exact_decision, ks_decision,
                                      split_share)

CONFORMAL_CLAIM = Claim(
    id="stats.conformal.coverage",
    source="Vovk, Gammerman & Shafer (2005); Angelopoulos & Bates (2021) section 1 and appendix D",
    statement="With k = ceil((n+1)(1-alpha)), the realized coverage F(X_(k)) ~ Beta(k, n-k+1), so the marginal "
    "coverage is k/(n+1) in [1-alpha, 1-alpha+1/(n+1)) and fresh-point counts follow the Beta-Binomial law.",
    assumptions=("exchangeable scores", "continuous law (no ties)"),
)


#: calibration size and miscoverage level; alpha >= 2/(n+1) so that the defect k+1 <= n exists
CONFORMAL_SPACE = ParameterSpace("conformal", n=Integer(9, 199, log=True),
                                 alpha=Rational(lambda c: Fraction(2, c["n"] + 1), Fraction(1, 2), 1000))


def reference_rank(n: int, alpha: Fraction) -> int:
    """The oracle's rank: the smallest integer k >= (n+1)(1-alpha), by exact rational arithmetic."""
    return math.ceil(Fraction(n + 1) * (1 - alpha))


def _configuration_decision(cfg, min_reps: int, power: float):
    n, alpha = cfg["n"], cfg["alpha"]
    k_ref = reference_rank(n, alpha)
    k = conformal_rank(n, float(alpha))  # the code under test, given alpha as a float
    law = st.beta(k_ref, n - k_ref + 1)  # the exact law of F(X_(k_ref)), independent of conformal_rank
    level = split_share(cfg.share, 2)
    grid = np.linspace(0, 1, 20001)  # sup over a grid: a lower bound of the discrepancy, so the power is too
    disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k_ref + 1, n - k_ref).cdf(grid))))
    reps = max(min_reps, ks_sample_size(disc, level, power))
    if k is None or not 1 <= k <= n:
        bad = exact_decision(False, estimate=math.nan, name="rank in 1..n",
                             message=f"conformal_rank({n}, {float(alpha)}) = {k}, expected {k_ref}")
        return bonferroni([bad], cfg.share), None, k_ref, reps
    rng = cfg.rng
    scores = rng.random((reps, n))
    realized = np.partition(scores, k - 1, axis=1)[:, k - 1]  # F = identity for uniform scores
    covered = int(np.sum(rng.random(reps) <= realized))  # one fresh point per calibration
    defect = "conformal rank off by one (k+1)"
    ks = ks_decision(realized, law.cdf, level, defect_discrepancy=disc, target_defect=defect,
                     name="realized coverage ~ Beta(k, n-k+1)")
    count = binomial_count_decision(covered, reps, k_ref / (n + 1), level, defect_rate=(k_ref + 1) / (n + 1),
                                    target_defect=defect, name="covered fresh points")
    # rank bracket 1 - alpha <= k/(n+1) < 1 - alpha + 1/(n+1) in exact arithmetic (no float rounding at the edges)
    p_cov_q = Fraction(k, n + 1)
    bracket = exact_decision(1 - alpha <= p_cov_q < 1 - alpha + Fraction(1, n + 1), estimate=float(p_cov_q),
                             name="rank bracket", message=f"k/(n+1) = {p_cov_q} outside [1-alpha, 1-alpha+1/(n+1))")
    part = bonferroni([ks, count, bracket], cfg.share, report=0, same_defect=True)
    return part, realized, k_ref, reps


@check(CONFORMAL_CLAIM, quick=dict(configurations=3, replications=4000),
       full=dict(configurations=10, replications=40000))
def check_conformal_coverage(ctx):
    """Per drawn (n, alpha): KS of the realized coverages against Beta(k, n-k+1) and an exact count of covered
    fresh points, at half the configuration's share each, with the exact rank bracket; the reference rank is
    computed by brute force, never by conformal_rank; defect: the rank off by one (k+1)."""
    configs = ctx.configurations(CONFORMAL_SPACE)
    parts, table, first = [], [], None
    for cfg in configs:
        part, realized, k_ref, reps = _configuration_decision(cfg, ctx.params["replications"], ctx.required_power)
        parts.append(part)
        table.append({"n": cfg["n"], "alpha": str(cfg["alpha"]), "k": k_ref, "replications": reps,
                      "coverage_exact": k_ref / (cfg["n"] + 1), "p_value": part.p_value, "power": part.power})
        if first is None and realized is not None:
            first = (cfg["n"], k_ref, realized)
    decision = configs.join(parts)
    details = {"per_configuration": table}
    artifacts = {}
    if first is not None:
        details.update({"figure_n": first[0], "figure_k": first[1]})
        artifacts["realized_coverage"] = first[2]
    return Evidence.from_decision(decision, details=details, artifacts=artifacts)


@figure(check_conformal_coverage)
def conformal_coverage_histogram(ev) -> list[Spec]:
    """The realized coverages of the first configuration against the density of their exact law Beta(k, n+1-k)."""
    cov = artifact(ev, "realized_coverage")
    k, n = int(detail(ev, "figure_k")), int(detail(ev, "figure_n"))
    law = st.beta(k, n + 1 - k)
    lo = float(min(cov.min(), law.ppf(0.0005)))
    x = np.linspace(lo, 1.0, 300)
    e, c = histogram(cov, 40, lo, 1.0)
    return [{"kind": "hist", "title": f"Realized conformal coverage vs its exact Beta law (n = {n}, k = {k})",
             "edges": e, "counts": c,
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
           source_edit(("k = _ceil_rank(n, p, q)", "k = math.ceil((n + 1) * (1 - float(alpha)))")),
           ("stats.conformal.*",)),
    Mutant("stats.rank_n", "lrtcheck.stats.conformal:conformal_rank",
           "n used in place of n+1 in the conformal rank (the quantile of the calibration scores alone)",
           source_edit(("k = _ceil_rank(n, p, q)", "k = _ceil_rank(n - 1, p, q)")), ("stats.conformal.*",)),
    Mutant("stats.rank_plus_one", "lrtcheck.stats.conformal:conformal_rank",
           "the threshold one order statistic too high: a 1-based rank used as a 0-based index (k+1)",
           wrapper(output=lambda k, n, alpha: None if k is None or k + 1 > n else k + 1), ("stats.conformal.*",),
           declares=("stats.conformal.coverage",)),
]
