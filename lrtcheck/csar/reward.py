"""Certified and ideal shaped rewards (C-SAR paper §5; docs/methods/csar.md §5).

Certified reward, per transition (C-SAR paper §5):
``r_C = log r + 1_env * beta * (ell_pi_hat - eps_pi) + 1_model * alpha * (ell_p_hat - eps_p)``.
Uniformly pessimistic variant (C-SAR paper §5, "subtract both penalty terms on mixed batches"):
``r_C = log r + 1_env * beta * ell_pi_hat + 1_model * alpha * ell_p_hat - alpha * eps_p - beta * eps_pi``.
Ideal reward with the true ratios under the same clipping: ``r* = log r + 1_env * beta * clip_L(ell_pi) +
1_model * alpha * clip_L(ell_p)``.

On the certified event ``|clip_L(ell) - ell_hat| <= eps`` the sandwich ``0 <= r* - r_C <= 2 alpha eps_p`` (model) or
``2 beta eps_pi`` (env) holds.  Bounds: ``ell_hat - eps`` lies in ``[-2L, L]``, so the split reward satisfies
``|r_C| <= max|log r| + 2 max(alpha, beta) L`` and the uniform one ``|r_C| <= max|log r| + 2 (alpha + beta) L``;
the paper's ``max|log r| + (alpha + beta) L`` (§3) is not a bound in general (``csar.reward.bound``).
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_nonnegative, check_positive

from ._inputs import broadcast_compatible, finite_array, flag_array, real_array

from .logit import clip_logit

__all__ = ["log_reward", "certified_reward", "ideal_reward", "reward_bound", "seed_reward_bound"]


def log_reward(r) -> np.ndarray:
    """``log r`` for strictly positive rewards (``r <= 0`` under the log is refused)."""
    r = finite_array("r", r)
    if np.any(r <= 0):
        raise ValueError("r must be strictly positive under the log (C-SAR paper §2: 0 < r_min <= r)")
    return np.log(r)


def _arr(name, v, shape):
    """A true log-ratio, broadcast to the shape of log_r: NaN refused, +-inf kept (``clip_L`` makes it finite)."""
    a = broadcast_compatible(name, real_array(name, v), shape, to="log_r")
    if np.isnan(a).any():
        raise ValueError(f"{name} must not contain NaN")
    return a


def _finite(name, v, shape):
    """A certificate's midpoint or radius, broadcast to the shape of log_r: finite (a reward cannot carry an
    infinite logit; certificates made with a finite clip level L are finite)."""
    a = broadcast_compatible(name, real_array(name, v), shape, to="log_r")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf: a reward cannot carry an "
                         "infinite logit; certify with a finite clip level)")
    return a


def certified_reward(log_r, is_env, *, ell_p, eps_p, ell_pi, eps_pi, alpha: float, beta: float,
                     variant: str = "split") -> np.ndarray:
    """The certified reward per transition (``variant`` ``"split"`` or ``"uniform"``).

    The certificates (``ell_*``, ``eps_*``) must be finite: logits of probabilities 0 and 1 are infinite and no
    reward can carry them, so certify with a finite clip level L (the "no clipping" ablation uses L = 1e3)."""
    alpha = check_nonnegative("alpha", alpha)
    beta = check_nonnegative("beta", beta)
    lr = finite_array("log_r", log_r)
    env = broadcast_compatible("is_env", flag_array("is_env", is_env), lr.shape, to="log_r")
    ep, ee = _finite("ell_p", ell_p, lr.shape), _finite("eps_p", eps_p, lr.shape)
    ip, ie = _finite("ell_pi", ell_pi, lr.shape), _finite("eps_pi", eps_pi, lr.shape)
    if np.any(ee < 0) or np.any(ie < 0):
        raise ValueError("radii eps_p and eps_pi must be >= 0")
    with np.errstate(invalid="ignore"):
        if variant == "split":
            corr = np.where(env, beta * _lower(ip, ie), alpha * _lower(ep, ee))
        elif variant == "uniform":
            corr = np.where(env, beta * ip, alpha * ep) - alpha * ee - beta * ie
        else:
            raise ValueError(f"variant must be 'split' or 'uniform', got {variant!r}")
    out = lr + corr
    if not np.all(np.isfinite(out)):
        raise ValueError("the certified reward overflows: alpha, beta and the certificates are too large")
    return out


def _lower(ell, eps):
    # the certified lower end ell - eps (both finite: infinite certificates are refused above)
    v = ell - eps
    return v


def ideal_reward(log_r, is_env, *, ell_p, ell_pi, alpha: float, beta: float, clip) -> np.ndarray:
    """``r* = log r + 1_env beta clip_L(ell_pi) + 1_model alpha clip_L(ell_p)`` with the true log-ratios."""
    alpha = check_nonnegative("alpha", alpha)
    beta = check_nonnegative("beta", beta)
    lr = finite_array("log_r", log_r)
    env = broadcast_compatible("is_env", flag_array("is_env", is_env), lr.shape, to="log_r")
    L = check_positive("clip", clip)  # a finite clip level: the ideal reward is finite for infinite log-ratios
    return lr + np.where(env, beta * clip_logit(_arr("ell_pi", ell_pi, lr.shape), L),
                         alpha * clip_logit(_arr("ell_p", ell_p, lr.shape), L))


def _bound_args(max_abs_log_r, alpha, beta, clip) -> tuple[float, float, float, float]:
    return (check_nonnegative("max_abs_log_r", max_abs_log_r), check_nonnegative("alpha", alpha),
            check_nonnegative("beta", beta), check_positive("clip", clip))


def reward_bound(max_abs_log_r: float, alpha: float, beta: float, clip: float, variant: str = "split") -> float:
    """The bound that holds: ``max|log r| + 2 max(alpha, beta) L`` (split) or ``+ 2 (alpha + beta) L`` (uniform)."""
    max_abs_log_r, alpha, beta, clip = _bound_args(max_abs_log_r, alpha, beta, clip)
    if variant == "split":
        return float(max_abs_log_r + 2 * max(alpha, beta) * clip)
    if variant == "uniform":
        return float(max_abs_log_r + 2 * (alpha + beta) * clip)
    raise ValueError(f"variant must be 'split' or 'uniform', got {variant!r}")


def seed_reward_bound(max_abs_log_r: float, alpha: float, beta: float, clip: float) -> float:
    """The C-SAR paper's §3 bound ``max|log r| + (alpha + beta) L``."""
    max_abs_log_r, alpha, beta, clip = _bound_args(max_abs_log_r, alpha, beta, clip)
    return float(max_abs_log_r + (alpha + beta) * clip)
