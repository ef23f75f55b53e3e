"""Explicit class-prior corrections (C-SAR paper §4 and §6; docs/methods/csar.md §2).

With class prior ``rho = P(Y = 1)`` in the discriminator's training stream, the Bayes logit is
``logit u(x) = log p1(x)/p0(x) + log(rho / (1 - rho))``, so the log density ratio is
``logit u(x) + c(rho)`` with ``c(rho) = log((1 - rho)/rho)`` (C-SAR paper §6).  Moving a probability calibrated
under prior ``rho_tr`` to prior ``rho_nu`` adds ``log(rho_nu (1 - rho_tr) / ((1 - rho_nu) rho_tr))`` to its logit
(C-SAR paper §4).
"""

from __future__ import annotations

import math

from lrtcheck.stats.validation import check_open_unit, check_positive_int

__all__ = ["log_ratio_offset", "prior_shift_offset", "empirical_prior"]


def log_ratio_offset(prior: float) -> float:
    """``c(rho) = log((1 - rho)/rho)``: add to a Bayes logit to get the log density ratio."""
    rho = check_open_unit("prior", prior)
    return math.log1p(-rho) - math.log(rho)


def prior_shift_offset(train_prior: float, target_prior: float) -> float:
    """Logit offset moving a calibrated probability from ``train_prior`` to ``target_prior``."""
    a = check_open_unit("train_prior", train_prior)
    b = check_open_unit("target_prior", target_prior)
    return math.log(b) + math.log1p(-a) - math.log1p(-b) - math.log(a)


def empirical_prior(n_pos: int, n_neg: int) -> float:
    """The recorded sampling prior ``n_pos / (n_pos + n_neg)`` (both classes must be present)."""
    n_pos = check_positive_int("n_pos", n_pos)  # both classes must be present; 1.9 and True refused
    n_neg = check_positive_int("n_neg", n_neg)
    return n_pos / (n_pos + n_neg)
