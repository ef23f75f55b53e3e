"""Threshold calibration for the LRT gate (arXiv 2510.24983; docs/methods/lrt_diffusion.md §8, §10).

Given n i.i.d. H0 statistics (continuous law F) the threshold is an order statistic tau = X_(k) (k-th smallest):

* ``"conformal"``: k = ceil((n+1)(1-alpha)) (exact arithmetic, :func:`lrtcheck.stats.conformal_rank`); the realized
  level 1 - F(tau) ~ Beta(n+1-k, k), with mean (n+1-k)/(n+1) <= alpha: an exact *marginal* guarantee.
* ``"dkw"``: k = ceil(n (1 - alpha + eps)), eps = sqrt(ln(1/delta) / (2n)) (Massart's one-sided constant,
  :func:`lrtcheck.stats.dkw_epsilon`); then F_n(tau) >= 1 - alpha + eps, and with probability >= 1 - delta over the
  calibration set sup (F_n - F) <= eps, so the realized level is <= alpha (a guarantee with confidence 1 - delta).
* ``"quantile"``: the plain plug-in k = ceil(n (1 - alpha)); by two-sided DKW its realized level lies in
  alpha +- sqrt(ln(2/delta)/(2n)) (+ 1/n for the rounding) with probability >= 1 - delta (the paper's DKW statement).
* :func:`ville_threshold`: tau = ln(1/alpha), needing no calibration: exp(Lambda_t) is a non-negative H0 martingale
  (E_H0[exp(ell_t) | a_t] = 1), so P_H0(max_t Lambda_t >= ln(1/alpha)) <= alpha for any heads and schedule, provided
  the H0 chain samples the background kernel exactly (no Q-step, no clipping).

Each :class:`Calibration` carries the configuration hash of the sampler whose null statistics it used; an
:class:`~lrtcheck.lrt.sampler.LRTSampler` refuses a calibration of another configuration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrtcheck.stats import conformal_rank, dkw_epsilon
from lrtcheck.diffusion._validate import check_finite_array, choice, optional_str, strict_int
from lrtcheck.stats.validation import check_nonnegative, check_open_unit

__all__ = ["Calibration", "calibrate_threshold", "ville_threshold", "METHODS"]

METHODS = ("conformal", "dkw", "quantile")
_STATISTICS = ("final", "running_max")  # lrtcheck.lrt.sampler.STATISTICS (not imported: the sampler imports this)


@dataclass(frozen=True)
class Calibration:
    """A calibrated threshold bound to one sampler configuration.

    tau : the threshold; alpha : target Type-I rate; n : calibration size; k : the order-statistic rank (``None``
    for Ville); method : ``conformal``/``dkw``/``quantile``/``ville``; delta : confidence parameter (dkw/quantile);
    epsilon : the DKW half-width used; config_hash : the sampler configuration it is valid for (``None`` = unbound);
    statistic : ``final``/``running_max`` (``None`` if unknown).
    """

    tau: float
    alpha: float
    n: int
    k: int | None
    method: str
    config_hash: str | None
    delta: float | None = None
    epsilon: float | None = None
    statistic: str | None = None

    def __post_init__(self) -> None:
        tau = self.tau
        if isinstance(tau, (bool, np.bool_)) or not isinstance(tau, (int, float, np.floating, np.integer)) \
                or math.isnan(tau):
            raise ValueError(f"tau must be a number (+-inf allowed), got {tau!r}")
        object.__setattr__(self, "tau", float(tau))
        object.__setattr__(self, "alpha", check_open_unit("alpha", self.alpha))
        choice("method", self.method, METHODS + ("ville",))
        n = strict_int("n", self.n, minimum=0)
        object.__setattr__(self, "n", n)
        if self.k is not None:
            k = strict_int("k", self.k, minimum=1)
            if k > n:
                raise ValueError(f"k must lie in 1..n: the rank k={k} exceeds the calibration size n={n}")
            object.__setattr__(self, "k", k)
        elif self.method != "ville" and self.tau != math.inf:
            raise ValueError("k (the order-statistic rank) may be None only for Ville's threshold or when tau = +inf "
                             f"(too few draws), got k=None with method={self.method!r} and tau={self.tau!r}")
        optional_str("config_hash", self.config_hash)
        if self.delta is not None:
            object.__setattr__(self, "delta", check_open_unit("delta", self.delta))
        if self.epsilon is not None:
            object.__setattr__(self, "epsilon", check_nonnegative("epsilon", self.epsilon))
        if self.statistic is not None:
            choice("statistic", self.statistic, _STATISTICS)

    def check_config(self, sampler_or_hash) -> None:
        """Raise ValueError unless this calibration was made for ``sampler_or_hash``'s configuration."""
        if isinstance(sampler_or_hash, str):
            h = sampler_or_hash
        elif callable(getattr(sampler_or_hash, "config_hash", None)):
            h = sampler_or_hash.config_hash()
        else:
            raise ValueError("sampler_or_hash must be an LRTSampler or a configuration hash string")
        if self.config_hash is None:
            raise ValueError("this Calibration is not bound to a sampler configuration (config_hash=None); "
                             "calibrate on the sampler's null_statistics or pass config_hash")
        if h != self.config_hash:
            raise ValueError(f"sampler_or_hash: tau was calibrated for configuration {self.config_hash}, not {h}: "
                             "the sampler's "
                             "variance, schedule, gate, clipping, Q-step or statistic differ; recalibrate")

    def realized_level(self, null_cdf) -> float:
        """The realized Type-I rate 1 - F(tau) for an exact null CDF ``null_cdf``."""
        if not callable(null_cdf):
            raise ValueError("null_cdf must be a callable CDF")
        level = float(1.0 - null_cdf(self.tau))
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"null_cdf must return a probability in [0, 1] at tau, got {1.0 - level!r}")
        return level


def calibrate_threshold(null_statistics, alpha, *, delta=None, method: str | None = None,
                        config_hash: str | None = None) -> Calibration:
    """Calibrate tau from H0 statistics at Type-I level ``alpha`` (see the module docstring for the rules).

    ``method`` defaults to ``"dkw"`` when ``delta`` is given, else ``"conformal"``.  The configuration hash is read
    from ``null_statistics.config_hash`` (as returned by ``LRTSampler.null_statistics``) unless given.  When the
    requested rank exceeds n (too few draws for ``alpha``), tau = +inf (the gate never opens) is returned.
    """
    alpha = check_open_unit("alpha", alpha)
    x = check_finite_array("null_statistics", null_statistics, ndim=1)
    n = int(x.size)
    if n < 1:
        raise ValueError("null_statistics must not be empty")
    if method is None:
        method = "conformal" if delta is None else "dkw"
    choice("method", method, METHODS)
    eps = None
    if method == "conformal":
        if delta is not None:
            raise ValueError("delta is not used by the conformal method; use method='dkw'")
        k = conformal_rank(n, alpha)
    else:
        if delta is None:
            raise ValueError(f"method={method!r} needs delta in (0, 1)")
        delta = check_open_unit("delta", delta)
        if method == "dkw":
            eps = dkw_epsilon(n, delta, two_sided=False) if delta <= 0.5 else dkw_epsilon(n, delta)
            level = 1.0 - alpha + eps
        else:
            eps = dkw_epsilon(n, delta)
            level = 1.0 - alpha
        k = math.ceil(n * level - 1e-12)
        k = max(k, 1)
        if k > n:
            k = None
    tau = math.inf if k is None else float(np.partition(x, k - 1)[k - 1])
    optional_str("config_hash", config_hash)
    if config_hash is None:
        config_hash = getattr(null_statistics, "config_hash", None)
    return Calibration(tau=tau, alpha=alpha, n=n, k=k, method=method, config_hash=config_hash, delta=delta,
                       epsilon=eps, statistic=getattr(null_statistics, "statistic", None))


def ville_threshold(alpha, *, config_hash: str | None = None, statistic: str = "running_max") -> Calibration:
    """Ville's distribution-free threshold tau = ln(1/alpha) (valid for the running max, hence for the final Lambda)."""
    alpha = check_open_unit("alpha", alpha)
    optional_str("config_hash", config_hash)
    choice("statistic", statistic, _STATISTICS)
    tau = math.log(1.0 / alpha) if alpha >= 1e-300 else -math.log(alpha)  # 1/alpha overflows below ~5.6e-309
    return Calibration(tau=tau, alpha=alpha, n=0, k=None, method="ville", config_hash=config_hash,
                       statistic=statistic)
