"""``stats.clopper_pearson``: the exact binomial interval covers every proportion at its nominal level.

Claim.  The Clopper & Pearson (1934, Biometrika 26(4)) interval at level ``1 - alpha``,
``[B(alpha/2; x, n-x+1), B(1-alpha/2; x+1, n-x)]`` with B the Beta quantile (0 at x = 0, 1 at x = n), covers every
p with probability ``sum_x Bin(x; n, p) 1[p in CI(x)] >= 1 - alpha``, and equals scipy's
``binomtest(x, n).proportion_ci(1 - alpha, method="exact")`` (the binomial tails inverted by root finding).

Check.  Exact, no sampling: the coverage on a fine p grid (and just inside every endpoint, where it dips) for a set
of n and alpha; scipy's interval is the independent oracle of :func:`lrtcheck.stats.clopper_pearson`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.stats import clopper_pearson
from lrtcheck.stats.decisions import exact_decision

CP_CLAIM = Claim(
    id="stats.clopper_pearson.coverage",
    source="Clopper & Pearson (1934), Biometrika 26(4)",
    statement="The Clopper-Pearson interval at level 1-alpha covers every p with exact probability >= 1-alpha, and "
    "equals scipy's binomtest(...).proportion_ci(method='exact').",
)


@check(CP_CLAIM, stochastic=False, quick=dict(ns=(5, 30, 200), alphas=(0.05, 0.2)),
       full=dict(ns=(1, 5, 30, 200, 1000), alphas=(0.01, 0.05, 0.2)))
def check_clopper_pearson_coverage(ctx):
    """Exact: coverage(p) = sum_x Bin(x; n, p) 1[p in CI(x)] on a fine p grid (and just inside each endpoint)."""
    worst = 1.0
    worst_at = None
    max_diff = 0.0
    for n in ctx.params["ns"]:
        xs = np.arange(n + 1)
        for alpha in ctx.params["alphas"]:
            lo, hi = clopper_pearson(xs, np.full(n + 1, n), alpha)
            for x in (0, n // 2, n):  # the independent oracle: scipy's root-finding inversion of the tails
                ref = st.binomtest(int(x), n).proportion_ci(1 - alpha, method="exact")
                max_diff = max(max_diff, abs(lo[x] - ref.low), abs(hi[x] - ref.high))
            ends = np.concatenate([lo, hi])
            grid = np.unique(np.clip(np.concatenate([np.linspace(0, 1, 2001), ends + 1e-9, ends - 1e-9]), 0, 1))
            pmf = st.binom.pmf(xs[None, :], n, grid[:, None])
            inside = (lo[None, :] <= grid[:, None]) & (grid[:, None] <= hi[None, :])
            cov = np.sum(pmf * inside, axis=1)
            i = int(np.argmin(cov))
            if cov[i] - (1 - alpha) < worst:
                worst, worst_at = float(cov[i] - (1 - alpha)), (n, alpha, float(grid[i]))
    decision = exact_decision(worst >= -1e-9 and max_diff < 1e-8, estimate=worst, bound=0.0,
                              name="coverage minus nominal",
                              message=f"coverage short by {-worst:.3g} at (n, alpha, p) = {worst_at}; "
                              f"max difference from scipy {max_diff:.3g}")
    return Evidence.from_decision(
        decision, details={"min_coverage_minus_nominal": worst, "at": worst_at, "max_diff_vs_scipy": max_diff})


MUTANTS = [
    Mutant("stats.cp_wald", "lrtcheck.stats.binomial:clopper_pearson",
           "the exact interval replaced by the Wald normal approximation",
           source_edit(("low = np.where(x > 0, _st.beta.ppf(alpha / 2.0, x, n - x + 1.0), 0.0)",
                        "half = _st.norm.ppf(1.0 - alpha / 2.0) * np.sqrt(x / n * (1.0 - x / n) / n)\n"
                        "low, high = np.clip(x / n - half, 0.0, 1.0), np.clip(x / n + half, 0.0, 1.0)"),
                       ("high = np.where(x < n, _st.beta.ppf(1.0 - alpha / 2.0, x + 1.0, n - x), 1.0)\n", "")),
           ("stats.clopper_pearson.*",)),
    Mutant("stats.cp_alpha_not_halved", "lrtcheck.stats.binomial:clopper_pearson",
           "alpha not split between the two tails of a two-sided interval",
           source_edit(("_st.beta.ppf(alpha / 2.0, x,", "_st.beta.ppf(alpha, x,"),
                       ("_st.beta.ppf(1.0 - alpha / 2.0, x + 1.0,", "_st.beta.ppf(1.0 - alpha, x + 1.0,")),
           ("stats.clopper_pearson.*",)),
]
