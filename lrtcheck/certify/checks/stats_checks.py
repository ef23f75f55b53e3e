"""``stats.*``: checks of the statistical core against exact finite-sample laws.

These exercise the certification machinery on the foundation itself: if the DKW band or the conformal rank were
wrong, every check that builds on them would be wrong too.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy import stats as st

from lrtcheck.stats import (
    binomial_acceptance_region,
    binomial_power,
    conformal_rank,
    dkw_band_coverage,
    dkw_epsilon,
    exact_fraction,
    ks_power_lower_bound,
    order_statistic_level_law,
)

from ..claims import Claim
from ..evidence import Evidence
from ..registry import check

DKW_CLAIM = Claim(
    id="stats.dkw.band_coverage",
    source="Massart (1990), Ann. Probab. 18(3); DESIGN section 2",
    statement="The DKW-Massart band F_n +- eps_n(delta) covers F with exact probability kstwo.cdf(eps, n) >= 1-delta; "
    "the hit count over R replications is Binomial(R, kstwo.cdf(eps, n)).",
    assumptions=("continuous F", "i.i.d. samples"),
)


def ks_distance_uniform(u: np.ndarray) -> np.ndarray:
    """sup_x |F_n(x) - x| for each row of ``u`` (uniform samples), vectorised: max(i/n - U_(i), U_(i) - (i-1)/n)."""
    u = np.sort(u, axis=-1)
    n = u.shape[-1]
    i = np.arange(1, n + 1)
    return np.maximum(np.max(i / n - u, axis=-1), np.max(u - (i - 1) / n, axis=-1))


def _band_hits_block(ss, n, eps, size):
    """One block of replications: how many of ``size`` DKW bands of n uniforms contain F (a picklable task)."""
    return int(np.sum(ks_distance_uniform(np.random.default_rng(ss).random((size, n))) <= eps))


@check(DKW_CLAIM, quick=dict(n=200, replications=3000, delta=0.2), full=dict(n=500, replications=20000, delta=0.2))
def check_dkw_band_coverage(ctx):
    p = ctx.params
    n, reps, delta = p["n"], p["replications"], p["delta"]
    eps = dkw_epsilon(n, delta)
    coverage = dkw_band_coverage(n, eps)
    # the realistic defect: Massart's one-sided constant ln(1/delta) used for a two-sided band
    eps_bug = dkw_epsilon(n, delta, two_sided=False)
    coverage_bug = dkw_band_coverage(n, eps_bug)
    # replications run in equal blocks through the executor (serial, processes or Dask give identical counts)
    block = max(1, min(reps, 500_000 // n))
    n_blocks = -(-reps // block)
    reps = n_blocks * block
    hits = int(sum(ctx.replicate(_band_hits_block, n_blocks, n, eps, block)))
    region = binomial_acceptance_region(reps, coverage, ctx.false_fail_rate)
    power = binomial_power(reps, coverage, coverage_bug, ctx.false_fail_rate, alternative="two-sided")
    pval = float(st.binomtest(hits, reps, coverage).pvalue)
    ok = region.contains(hits) and coverage >= 1 - delta
    lo, hi = st.binomtest(hits, reps).proportion_ci(1 - ctx.false_fail_rate, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated",
        n=reps,
        estimate=hits / reps,
        lower=lo,
        upper=hi,
        bound=coverage,
        p_value=pval,
        design=ctx.design("band built with the one-sided constant ln(1/delta)", coverage - coverage_bug, power, reps),
        details={"eps": eps, "exact_coverage": coverage, "delta": delta, "n_per_band": n,
                 "acceptance_region": [region.low, region.high]},
        message="" if ok else f"hit count {hits} outside the exact acceptance region [{region.low}, {region.high}]",
    )


CONFORMAL_CLAIM = Claim(
    id="stats.conformal.coverage",
    source="Vovk et al. (2005); Angelopoulos & Bates (2021) section 1; DESIGN section 2",
    statement="With k = ceil((n+1)(1-alpha)), the realized coverage F(X_(k)) ~ Beta(k, n-k+1), so the marginal "
    "coverage is k/(n+1) in [1-alpha, 1-alpha+1/(n+1)) and fresh-point counts follow the Beta-Binomial law.",
    assumptions=("exchangeable scores", "continuous law (no ties)"),
)


@check(CONFORMAL_CLAIM, quick=dict(n=19, alpha=0.1, replications=4000), full=dict(n=19, alpha=0.1, replications=40000))
def check_conformal_coverage(ctx):
    p = ctx.params
    n, alpha, reps = p["n"], p["alpha"], p["replications"]
    k = conformal_rank(n, alpha)
    law = st.beta(k, n - k + 1)  # law of the realized coverage F(X_(k))
    level = ctx.false_fail_rate / 2.0  # two sub-tests (Bonferroni)
    scores = np.sort(ctx.rng.random((reps, n)), axis=1)
    realized = scores[:, k - 1]  # F = identity for uniform scores
    ks = st.kstest(realized, law.cdf, method="exact")
    # one fresh test point per replication: covered count ~ Binomial(R, k/(n+1)) exactly
    fresh = ctx.rng.random(reps)
    covered = int(np.sum(fresh <= realized))
    p_cov = k / (n + 1)
    region = binomial_acceptance_region(reps, p_cov, level)
    # defect: rank off by one (k+1); its exact KS discrepancy and the guaranteed power
    grid = np.linspace(0, 1, 20001)
    disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k + 1, n - k).cdf(grid)))) if k < n else 1.0
    power = min(ks_power_lower_bound(reps, level, disc),
                binomial_power(reps, p_cov, (k + 1) / (n + 1), level, alternative="two-sided") if k < n else 1.0)
    # rank bracket 1 - alpha <= k/(n+1) < 1 - alpha + 1/(n+1) in exact arithmetic (no float rounding at the edges)
    p_cov_q, one_minus_a = Fraction(k, n + 1), 1 - exact_fraction("alpha", alpha)
    ok = ks.pvalue > level and region.contains(covered) and one_minus_a <= p_cov_q < one_minus_a + Fraction(1, n + 1)
    level_law = order_statistic_level_law(n, k)
    lo, hi = st.binomtest(covered, reps).proportion_ci(1 - level, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated",
        n=reps,
        estimate=covered / reps,
        lower=lo,
        upper=hi,
        bound=p_cov,
        p_value=min(1.0, 2 * min(ks.pvalue, st.binomtest(covered, reps, p_cov).pvalue)),
        design=ctx.design("conformal rank off by one (k+1)", disc, power, reps),
        details={"k": k, "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
                 "realized_level_mean": float(level_law.mean()), "coverage_exact": p_cov},
        artifacts={"realized_coverage": realized},
        message="" if ok else f"KS p={ks.pvalue:.3g}, covered {covered} vs region [{region.low}, {region.high}]",
    )


RANK_CLAIM = Claim(
    id="stats.conformal.rank_exact",
    source="DESIGN section 8 (conformal_rank contract); Angelopoulos & Bates (2021) section 1",
    statement="conformal_rank(n, alpha) equals the smallest integer k >= (n+1)(1-alpha) computed in exact rational "
    "arithmetic (None when k > n), also when alpha arrives as a float such as 1/3.",
)


@check(RANK_CLAIM, stochastic=False, quick=dict(n_max=400), full=dict(n_max=3000))
def check_conformal_rank_exact(ctx):
    """Exact: compare with a brute-force Fraction computation over every n <= n_max and a grid of alphas
    (decimal levels and thirds/sevenths, where floating-point ceil goes wrong)."""
    from fractions import Fraction
    import math

    alphas = [Fraction(1, 3), Fraction(2, 3), Fraction(1, 7), Fraction(1, 10), Fraction(1, 20), Fraction(1, 100),
              Fraction(3, 10), Fraction(1, 6), Fraction(1, 1000)]
    mismatches = []
    total = 0
    for a in alphas:
        af = float(a)
        for n in range(1, ctx.params["n_max"] + 1):
            target = (n + 1) * (1 - a)
            expect = math.ceil(target)
            expect = expect if expect <= n else None
            total += 1
            got = conformal_rank(n, af)
            if got != expect:
                mismatches.append((n, str(a), got, expect))
    ok = not mismatches
    return Evidence(verdict="holds" if ok else "violated", n=total, estimate=len(mismatches), bound=0.0,
                    details={"first_mismatches": mismatches[:5]},
                    message="" if ok else f"{len(mismatches)} mismatches, e.g. (n, alpha, got, exact) = {mismatches[0]}")


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
    from lrtcheck.stats import clopper_pearson

    worst = 1.0
    worst_at = None
    max_diff = 0.0
    for n in ctx.params["ns"]:
        xs = np.arange(n + 1)
        for alpha in ctx.params["alphas"]:
            lo, hi = clopper_pearson(xs, np.full(n + 1, n), alpha)
            for x in (0, n // 2, n):
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
    ok = worst >= -1e-9 and max_diff < 1e-8
    return Evidence(verdict="holds" if ok else "violated", estimate=worst, bound=0.0,
                    details={"min_coverage_minus_nominal": worst, "at": worst_at, "max_diff_vs_scipy": max_diff},
                    message="" if ok else f"coverage short by {-worst:.3g} at (n, alpha, p) = {worst_at}; "
                    f"max difference from scipy {max_diff:.3g}")
