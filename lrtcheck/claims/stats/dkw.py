"""``stats.dkw``: the Dvoretzky-Kiefer-Wolfowitz band with Massart's constant covers the true CDF at its exact rate.

Claim.  For n i.i.d. draws of a continuous F, the band ``F_n +- eps`` with ``eps = sqrt(ln(2/delta)/(2n))``
(Massart 1990, Ann. Probab. 18(3), the tight two-sided constant) contains F everywhere with the exact probability
``kstwo.cdf(eps, n)`` (Kolmogorov's law of ``sup|F_n - F|``), which is at least ``1 - delta``.

World.  Uniform draws, so F is the identity and ``sup|F_n - F| = max_i max(i/n - U_(i), U_(i) - (i-1)/n)``.

Check.  R bands; the number that contain F is ``Bin(R, kstwo.cdf(eps, n))`` exactly: an exact two-sided count
decision at the check's whole share, plus the exact comparison ``kstwo.cdf(eps, n) >= 1 - delta``.  The defect it
is built to catch is the realistic one: Massart's one-sided constant ``ln(1/delta)`` used for a two-sided band; its
power is the exact power of the count decision under ``Bin(R, kstwo.cdf(eps_one_sided, n))``.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.stats import dkw_band_coverage, dkw_epsilon
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision

DKW_CLAIM = Claim(
    id="stats.dkw.band_coverage",
    source="Massart (1990), Ann. Probab. 18(3); Kolmogorov's exact law of sup|F_n - F| (scipy.stats.kstwo)",
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
    """Exact two-sided count decision on the number of bands that contain F, at the whole share; defect: the
    one-sided constant in a two-sided band."""
    p = ctx.params
    n, reps, delta = p["n"], p["replications"], p["delta"]
    eps = dkw_epsilon(n, delta)
    coverage = dkw_band_coverage(n, eps)
    eps_bug = dkw_epsilon(n, delta, two_sided=False)
    coverage_bug = dkw_band_coverage(n, eps_bug)
    # replications run in equal blocks through the executor (serial, processes or Dask give identical counts)
    block = max(1, min(reps, 500_000 // n))
    n_blocks = -(-reps // block)
    reps = n_blocks * block
    hits = int(sum(ctx.replicate(_band_hits_block, n_blocks, n, eps, block)))
    count = binomial_count_decision(hits, reps, coverage, ctx.false_fail_rate, defect_rate=coverage_bug,
                                    target_defect="band built with the one-sided constant ln(1/delta)",
                                    name="bands containing F")
    guarantee = exact_decision(coverage >= 1 - delta, estimate=coverage, bound=1 - delta,
                               name="exact coverage >= 1 - delta",
                               message=f"exact coverage {coverage:.6g} < 1 - delta = {1 - delta:.6g}")
    decision = bonferroni([count, guarantee], ctx.false_fail_rate)
    return Evidence.from_decision(
        decision,
        details={"eps": eps, "exact_coverage": coverage, "delta": delta, "n_per_band": n,
                 "acceptance_region": list(count.region)},
    )


MUTANTS = [
    Mutant("stats.dkw_massart_dropped", "lrtcheck.stats.dkw:dkw_epsilon",
           "Massart's two-sided constant dropped: ln(1/delta) used for a two-sided band",
           wrapper(inputs=lambda n, delta, *, two_sided=True: ((n, delta), {"two_sided": two_sided and delta > 0.5})),
           ("stats.dkw.*",)),
    Mutant("stats.dkw_no_sqrt", "lrtcheck.stats.dkw:dkw_epsilon",
           "the square root forgotten in eps = sqrt(ln(2/delta)/(2n))",
           source_edit(("return math.sqrt(_log_term(delta, two_sided) / (2.0 * n))",
                        "return _log_term(delta, two_sided) / (2.0 * n)")),
           ("stats.dkw.*",)),
]
