"""``stats.dkw``: the Dvoretzky-Kiefer-Wolfowitz band with Massart's constant covers the true CDF at its exact rate.

Claim.  For n i.i.d. draws of a continuous F, the band ``F_n +- eps`` with ``eps = sqrt(ln(2/delta)/(2n))``
(Massart 1990, Ann. Probab. 18(3), the tight two-sided constant) contains F everywhere with the exact probability
``kstwo.cdf(eps, n)`` (Kolmogorov's law of ``sup|F_n - F|``), which is at least ``1 - delta``.

World.  Uniform draws, so F is the identity and ``sup|F_n - F| = max_i max(i/n - U_(i), U_(i) - (i-1)/n)``.  The
configurations (n, delta) are drawn over n in [20, 500] (log-uniform) and delta in [0.05, 0.5) (a Latin hypercube,
``ctx.configurations``): 3 in the quick tier, 10 in the full tier, each at an equal part of the share.

Check.  Per configuration, R bands built with the implementation's ``eps = dkw_epsilon(n, delta)``; the number that
contain F is ``Bin(R, kstwo.cdf(eps, n))``.  The reference rate is computed independently of the code under test:
``kstwo.cdf(sqrt(ln(2/delta)/(2n)), n)`` from the closed form and scipy's Kolmogorov law, never from
``dkw_epsilon`` or ``dkw_band_coverage``.  An exact two-sided count decision against it, plus the exact comparisons
``dkw_band_coverage(n, eps) = kstwo.cdf(eps, n)`` and ``kstwo.cdf(eps_ref, n) >= 1 - delta``.  The defect it is
built to catch is the realistic one: Massart's one-sided constant ``ln(1/delta)`` used for a two-sided band (the
mutant ``stats.dkw_massart_dropped`` declares it); its power is the exact power of the count decision under
``Bin(R, kstwo.cdf(sqrt(ln(1/delta)/(2n)), n))``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Integer, ParameterSpace, Real
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


#: the parameter space of the claim: sample size and confidence level (one-sided Massart needs delta <= 1/2)
DKW_SPACE = ParameterSpace("dkw", n=Integer(20, 500, log=True), delta=Real(0.05, 0.5))


def _configuration_decision(cfg, reps: int):
    """One configuration: the count of bands that contain F against its independently computed exact rate."""
    n, delta = cfg["n"], cfg["delta"]
    eps = dkw_epsilon(n, delta)  # the code under test
    eps_ref = math.sqrt(math.log(2.0 / delta) / (2.0 * n))  # the oracle: Massart's closed form ...
    coverage_ref = float(st.kstwo.cdf(eps_ref, n))  # ... and Kolmogorov's exact law, from scipy
    coverage_bug = float(st.kstwo.cdf(math.sqrt(math.log(1.0 / delta) / (2.0 * n)), n))
    hits = int(np.sum(ks_distance_uniform(cfg.rng.random((reps, n))) <= eps))
    count = binomial_count_decision(hits, reps, coverage_ref, cfg.share, defect_rate=coverage_bug,
                                    target_defect="band built with the one-sided constant ln(1/delta)",
                                    name="bands containing F")
    reported = dkw_band_coverage(n, eps)
    law = exact_decision(abs(reported - float(st.kstwo.cdf(eps, n))) <= 1e-12, estimate=reported,
                         bound=float(st.kstwo.cdf(eps, n)), name="dkw_band_coverage = kstwo.cdf",
                         message=f"dkw_band_coverage({n}, {eps:.6g}) = {reported:.12g}, kstwo says "
                                 f"{float(st.kstwo.cdf(eps, n)):.12g}")
    guarantee = exact_decision(coverage_ref >= 1 - delta, estimate=coverage_ref, bound=1 - delta,
                               name="exact coverage >= 1 - delta",
                               message=f"exact coverage {coverage_ref:.6g} < 1 - delta = {1 - delta:.6g}")
    return bonferroni([count, law, guarantee], cfg.share, name="band"), count, coverage_ref


@check(DKW_CLAIM, quick=dict(configurations=3, replications=3000),
       full=dict(configurations=10, replications=20000))
def check_dkw_band_coverage(ctx):
    """Per drawn (n, delta): an exact two-sided count decision on the number of bands that contain F against the
    independently computed rate, at the configuration's share; defect: the one-sided constant in a two-sided band."""
    configs = ctx.configurations(DKW_SPACE)
    parts, table = [], []
    for cfg in configs:
        part, count, coverage_ref = _configuration_decision(cfg, ctx.params["replications"])
        parts.append(part)
        table.append({"n": cfg["n"], "delta": cfg["delta"], "exact_coverage": coverage_ref,
                      "observed": count.estimate, "acceptance_region": list(count.region), "power": count.power})
    decision = configs.join(parts)
    return Evidence.from_decision(decision, details={"per_configuration": table})


MUTANTS = [
    Mutant("stats.dkw_massart_dropped", "lrtcheck.stats.dkw:dkw_epsilon",
           "Massart's two-sided constant dropped: ln(1/delta) used for a two-sided band",
           wrapper(inputs=lambda n, delta, *, two_sided=True: ((n, delta), {"two_sided": two_sided and delta > 0.5})),
           ("stats.dkw.*",), declares=("stats.dkw.band_coverage",)),
    Mutant("stats.dkw_no_sqrt", "lrtcheck.stats.dkw:dkw_epsilon",
           "the square root forgotten in eps = sqrt(ln(2/delta)/(2n))",
           source_edit(("return math.sqrt(_log_term(delta, two_sided) / (2.0 * n))",
                        "return _log_term(delta, two_sided) / (2.0 * n)")),
           ("stats.dkw.*",)),
]
