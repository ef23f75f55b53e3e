"""Mutants of the statistical core."""

import math

from lrtcheck.certify.mutation import Mutant


def _rank_float(orig):
    def conformal_rank(n, alpha):
        k = math.ceil((n + 1) * (1 - float(alpha)))
        return k if k <= n else None
    return conformal_rank


def _rank_n_not_n_plus_1(orig):
    def conformal_rank(n, alpha):
        k = math.ceil(n * (1 - float(alpha)))
        return k if k <= n else None
    return conformal_rank


def _dkw_drop_two(orig):
    def dkw_epsilon(n, delta, *, two_sided=True):
        return orig(n, delta, two_sided=False) if two_sided and delta <= 0.5 else orig(n, delta, two_sided=two_sided)
    return dkw_epsilon


def _dkw_no_sqrt(orig):
    def dkw_epsilon(n, delta, *, two_sided=True):
        return orig(n, delta, two_sided=two_sided) ** 2
    return dkw_epsilon


def _cp_wald(orig):
    import numpy as np
    from scipy.stats import norm

    def clopper_pearson(successes, trials, alpha):
        x = np.asarray(successes, float)
        n = np.asarray(trials, float)
        p = x / n
        h = norm.ppf(1 - alpha / 2) * np.sqrt(p * (1 - p) / n)
        lo, hi = np.clip(p - h, 0, 1), np.clip(p + h, 0, 1)
        return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)
    return clopper_pearson


def _cp_alpha_not_halved(orig):
    def clopper_pearson(successes, trials, alpha):
        return orig(successes, trials, min(0.999, 2 * alpha))
    return clopper_pearson


def _kstwo_threshold_one_sided(orig):
    from scipy import stats as st

    def ks_threshold(n, false_fail_rate):
        return float(st.ksone.ppf(1.0 - false_fail_rate, n))
    return ks_threshold


MUTANTS = [
    Mutant("stats.rank_float", "lrtcheck.stats.conformal:conformal_rank",
           "the rank ceil((n+1)(1-alpha)) computed in floating point: 93*(1-1/3) rounds up to 63",
           _rank_float, ("stats.conformal.*",)),
    Mutant("stats.rank_n", "lrtcheck.stats.conformal:conformal_rank",
           "n used in place of n+1 in the conformal rank (the quantile of the calibration scores alone)",
           _rank_n_not_n_plus_1, ("stats.conformal.*",)),
    Mutant("stats.dkw_massart_dropped", "lrtcheck.stats.dkw:dkw_epsilon",
           "Massart's two-sided constant dropped: ln(1/delta) used for a two-sided band",
           _dkw_drop_two, ("stats.dkw.*",)),
    Mutant("stats.dkw_no_sqrt", "lrtcheck.stats.dkw:dkw_epsilon",
           "the square root forgotten in eps = sqrt(ln(2/delta)/(2n))", _dkw_no_sqrt, ("stats.dkw.*",)),
    Mutant("stats.cp_wald", "lrtcheck.stats.binomial:clopper_pearson",
           "the exact interval replaced by the Wald normal approximation", _cp_wald, ("stats.clopper_pearson.*",)),
    Mutant("stats.cp_alpha_not_halved", "lrtcheck.stats.binomial:clopper_pearson",
           "alpha not split between the two tails of a two-sided interval", _cp_alpha_not_halved,
           ("stats.clopper_pearson.*",)),
]
