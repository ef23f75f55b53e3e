"""``lrt.calibration.ranks_exact``: ``calibrate_threshold`` returns the right order statistic, in exact arithmetic.

Claim.  The conformal rank k = ceil((n+1)(1-alpha)) (exact rational arithmetic; the split-conformal rule of Vovk,
Gammerman & Shafer 2005), the DKW-conservative rank k = ceil(n(1-alpha+eps)) with Massart's (1990) one-sided
eps = sqrt(ln(1/delta)/(2n)) for delta <= 1/2 and the two-sided sqrt(ln(2/delta)/(2n)) above, and the plug-in rank
ceil(n(1-alpha)) with the two-sided eps reported; the DKW rank keeps P(realized level > alpha) <= delta exactly
(docs/methods/lrt_diffusion.md §8).

World.  Permutations of 0..n-1, whose k-th smallest is k-1; alphas that are thirds and sevenths, where a floating
point ceil goes wrong.

Check.  Exact: every (n, alpha, delta) against the ranks computed here from their definitions and the Beta law of
the order statistic.  The mutants of ``calibrate_threshold`` are killed here (and by the Monte Carlo calibration
checks of :mod:`lrtcheck.claims.lrt.calibration`).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.lrt import calibrate_threshold
from lrtcheck.stats import order_statistic_level_law
from lrtcheck.stats.decisions import exact_decision

RANKS_CLAIM = Claim(
    id="lrt.calibration.ranks_exact",
    source=f"{PAPER} (conformal and DKW calibration); docs/methods/lrt_diffusion.md §8; Massart (1990)",
    statement="calibrate_threshold returns the k-th smallest H0 statistic with k = ceil((n+1)(1-alpha)) in exact "
    "arithmetic (conformal), k = ceil(n(1-alpha+eps)) with Massart's eps = sqrt(ln(1/delta)/(2n)) for delta <= 1/2 and "
    "sqrt(ln(2/delta)/(2n)) above (dkw), k = ceil(n(1-alpha)) with the two-sided eps reported (quantile); the DKW "
    "rank keeps P(realized level > alpha) <= delta exactly (Beta law of the order statistic).",
)


@check(RANKS_CLAIM, stochastic=False, quick=dict(n_max=300), full=dict(n_max=2000))
def check_calibration_ranks_exact(ctx):
    """Exact: the three ranks, thresholds and epsilons against their definitions over n and (alpha, delta)."""
    rng = ctx.rng
    bad = []
    total = 0
    alphas = [Fraction(1, 3), Fraction(1, 10), Fraction(1, 20), Fraction(1, 7), Fraction(3, 10)]
    for n in range(1, ctx.params["n_max"] + 1):
        x = rng.permutation(n).astype(np.float64)  # the k-th smallest of a permutation of 0..n-1 is k-1
        for a in alphas:
            k = math.ceil((n + 1) * (1 - a))
            k = k if k <= n else None
            cal = calibrate_threshold(x, float(a))
            total += 1
            if cal.k != k or cal.tau != (math.inf if k is None else float(k - 1)):
                bad.append(("conformal", n, str(a), cal.k, k, cal.tau))
    for n in (10, 50, 200, 1000):
        x = rng.permutation(n).astype(np.float64)
        for a in (0.1, 0.05, 0.2):
            for delta in (0.05, 0.2, 0.5, 0.8):
                eps = math.sqrt(math.log((1.0 if delta <= 0.5 else 2.0) / delta) / (2 * n))
                v = n * (1 - a + eps)
                ok_k = {math.ceil(v - 1e-9), math.ceil(v + 1e-9)}
                cal = calibrate_threshold(x, a, delta=delta, method="dkw")
                total += 1
                k_ok = (cal.k is None and min(ok_k) > n) or (cal.k in ok_k and cal.tau == float(cal.k - 1))
                guar = cal.k is None or float(order_statistic_level_law(n, cal.k).sf(a)) <= delta
                if not (k_ok and guar and abs(cal.epsilon - eps) <= 1e-12 * eps):
                    bad.append(("dkw", n, a, delta, cal.k, sorted(ok_k), cal.epsilon, eps, guar))
                q = calibrate_threshold(x, a, delta=delta, method="quantile")
                kq = {math.ceil(n * (1 - a) - 1e-9), math.ceil(n * (1 - a) + 1e-9)}
                eps2 = math.sqrt(math.log(2.0 / delta) / (2 * n))
                total += 1
                if q.k not in kq or q.tau != float(q.k - 1) or abs(q.epsilon - eps2) > 1e-12 * eps2:
                    bad.append(("quantile", n, a, delta, q.k, sorted(kq), q.epsilon, eps2))
    decision = exact_decision(not bad, estimate=len(bad), bound=0.0, n=total, name="rank mismatches",
                              message=f"{len(bad)} mismatches, e.g. {bad[0] if bad else None}")
    return Evidence.from_decision(decision, details={"first_mismatches": [list(map(str, b)) for b in bad[:5]]})


# --- mutants of calibrate_threshold ------------------------------------------------------------------------------
_CALIBRATE = "lrtcheck.lrt.calibration:calibrate_threshold"
_CAL = ("lrt.calibration.ranks_exact", "lrt.calibration.rank_exact", "lrt.calibration.dkw")

MUTANTS = [
    Mutant("lrt.calibration_rank_float", _CALIBRATE,
           "the conformal rank computed in floating point inside calibrate_threshold: ceil((n+1)(1-alpha)) rounds "
           "93 (1 - 1/3) up to 63",
           source_edit(("k = conformal_rank(n, alpha)",
                        "k = math.ceil((n + 1) * (1.0 - alpha))\nk = k if k <= n else None")),
           _CAL, tags=("ci",)),
    Mutant("lrt.calibration_rank_index", _CALIBRATE,
           "the 1-based rank k used as a 0-based index: the (k+1)-th smallest statistic is returned",
           source_edit(("tau = math.inf if k is None else float(np.partition(x, k - 1)[k - 1])",
                        "tau = math.inf if k is None else float(np.sort(x)[min(k, n - 1)])")),
           _CAL, tags=("ci",), declares=("lrt.calibration.rank_exact",)),
    Mutant("lrt.dkw_massart_one_sided_always", _CALIBRATE,
           "Massart's one-sided constant ln(1/delta) used for every delta, though it is proven only for "
           "delta <= 1/2 (above, the two-sided ln(2/delta) is needed)",
           source_edit(("eps = dkw_epsilon(n, delta, two_sided=False) if delta <= 0.5 else dkw_epsilon(n, delta)",
                        "eps = dkw_epsilon(n, delta, two_sided=False)")),
           _CAL, tags=("ci",)),
    Mutant("lrt.dkw_band_sign", _CALIBRATE,
           "the DKW margin subtracted (level 1 - alpha - eps): the band's lower edge used where the upper was meant",
           source_edit(("level = 1.0 - alpha + eps", "level = 1.0 - alpha - eps")),
           _CAL, tags=("ci",)),
    Mutant("lrt.quantile_eps_one_sided", _CALIBRATE,
           "the plug-in quantile reports the one-sided eps although its guarantee is the two-sided band "
           "alpha +- eps (Massart's constant 2 dropped)",
           source_edit(("eps = dkw_epsilon(n, delta)\n", "eps = dkw_epsilon(n, delta, two_sided=False)\n")),
           _CAL, tags=("ci",)),
]
MUTANTS += [
    Mutant("lrt.dkw_plugin_level", _CALIBRATE,
           "the DKW margin dropped: the DKW method returns the plug-in quantile at level 1 - alpha",
           source_edit(("level = 1.0 - alpha + eps", "level = 1.0 - alpha")),
           _CAL, declares=("lrt.calibration.dkw",)),
]
