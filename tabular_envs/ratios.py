"""Exact log-ratios and exact Bayes-optimal discriminator logits (docs/methods/tabular.md §5-§6; the DARC
identity of Eysenbach et al. 2021, arXiv 2006.13916).

Conventions for ``log(p/q)`` of two probabilities: both > 0 gives the finite log-ratio; ``p > 0, q = 0`` gives
``+inf``; ``p = 0, q > 0`` gives ``-inf``; ``p = q = 0`` is **undefined** (the pair is outside both supports):
refused with ``ValueError`` by default (``undefined="raise"``), or filled with a given float (``undefined=0.0``)
or NaN (``undefined="nan"``, explicit opt-in).

Bayes-optimal logit of a classifier that sees ``x`` drawn from class 1 (env) with prior ``rho`` and from class 0
(model) otherwise: ``logit P(1|x) = log(rho/(1-rho)) + log p1(x)/p0(x)``.  For a transition classifier on
``x = (s, a, s')`` with env samples ``(s,a) ~ d_env, s' ~ p`` and model samples ``(s,a) ~ d_m, s' ~ m``:

    z_sas'(s,a,s') = log p(s'|s,a)/m(s'|s,a) + log d_env(s,a)/d_m(s,a) + log(rho/(1-rho)),

so a lone ``(s,a,s')`` classifier estimates ``log p/m`` only at matched marginals and balanced classes.  The
``(s,a)`` classifier has ``z_sa = log d_env/d_m + log(rho/(1-rho))``, and DARC's difference
``z_sas' - z_sa = log p/m`` exactly (Eysenbach et al. 2021, ``darc/darc_agent.py``).  The action classifier
(current-policy actions vs dataset actions at the same states ``s ~ d_s``) has
``z_a(s,a) = log pi(a|s)/pi_b(a|s) + log d_pi_states(s)/d_b_states(s) + log(rho/(1-rho))``.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import check_finite_array, check_name, check_open_unit, check_real_array

from .mdp import validate_kernel, validate_policy

__all__ = [
    "log_ratio",
    "transition_log_ratio",
    "policy_log_ratio",
    "prior_log_odds",
    "bayes_logit_transition",
    "bayes_logit_state_action",
    "bayes_logit_action",
    "darc_difference",
    "bayes_logit_from_joint",
]


def _undefined_fill(undefined):
    if isinstance(undefined, str):
        if undefined == "raise":
            return None
        if undefined == "nan":
            return np.nan
        raise ValueError(f"undefined must be 'raise', 'nan' or a float, got {undefined!r}")
    # a float, not an int: an integer where a choice is expected is more likely a slip than a fill value
    if isinstance(undefined, (bool, np.bool_)) or not isinstance(undefined, (float, np.floating)):
        raise ValueError(f"undefined must be 'raise', 'nan' or a float, got {undefined!r}")
    v = float(undefined)
    if np.isnan(v):
        raise ValueError("undefined must not be a float NaN; pass undefined='nan' to opt in to NaN entries")
    return v


def log_ratio(p, q, *, undefined="raise", name: str = "p/q") -> np.ndarray:
    """``log(p/q)`` elementwise for non-negative finite ``p, q`` with the module's ``+-inf`` conventions."""
    check_name("name", name)
    p = check_finite_array("p", p, allow_bool=False)
    q = check_finite_array("q", q, allow_bool=False)
    if np.any(p > 1):
        raise ValueError(f"{name}: p must contain probabilities in [0, 1]")
    if np.any(q > 1):
        raise ValueError(f"{name}: q must contain probabilities in [0, 1]")
    if np.any(p < 0):
        raise ValueError(f"{name}: p must be non-negative")
    if np.any(q < 0):
        raise ValueError(f"{name}: q must be non-negative")
    try:
        p, q = np.broadcast_arrays(p, q)
    except ValueError:
        raise ValueError(f"{name}: q shape {q.shape} does not broadcast with p {p.shape}") from None
    both_zero = (p == 0) & (q == 0)
    fill = _undefined_fill(undefined)
    if fill is None and np.any(both_zero):
        idx = tuple(int(i) for i in np.argwhere(both_zero)[0])
        raise ValueError(f"{name}: log-ratio undefined where both probabilities are 0 (first at index {idx}); "
                         "pass undefined=<float> or 'nan' to fill those entries")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(p) - np.log(q)
    if np.any(both_zero):
        out = np.where(both_zero, fill, out)
    return out


def transition_log_ratio(P, M, *, undefined="raise") -> np.ndarray:
    """Exact ``ell_p(s,a,s') = log P(s'|s,a) / M(s'|s,a)``, shape ``(..., S, A, S)``."""
    P = validate_kernel("P", P)
    M = validate_kernel("M", M)
    if P.shape[-3:] != M.shape[-3:]:
        raise ValueError(f"P and M must have the same (S, A, S) shape, got {P.shape} and {M.shape}")
    return log_ratio(P, M, undefined=undefined, name="transition_log_ratio")


def policy_log_ratio(pi, pi_b, *, undefined="raise") -> np.ndarray:
    """Exact ``ell_pi(s,a) = log pi(a|s) / pi_b(a|s)``, shape ``(..., S, A)``."""
    pi = validate_policy("pi", pi)
    pi_b = validate_policy("pi_b", pi_b)
    if pi.shape[-2:] != pi_b.shape[-2:]:
        raise ValueError(f"pi and pi_b must have the same (S, A) shape, got {pi.shape} and {pi_b.shape}")
    return log_ratio(pi, pi_b, undefined=undefined, name="policy_log_ratio")


def prior_log_odds(prior: float) -> float:
    """``log(rho / (1 - rho))`` for the class-1 (env) prior ``rho`` in (0, 1)."""
    rho = check_open_unit("prior", prior)
    return float(np.log(rho) - np.log1p(-rho))


def _marginal(name: str, d, shape) -> np.ndarray:
    d = check_finite_array(name, d, allow_bool=False)
    if shape is None:  # the law's own trailing (S, A) shape
        if d.ndim < 2:
            raise ValueError(f"{name} must have shape (..., S, A), got shape {d.shape}")
        shape = d.shape[-2:]
    if d.ndim < len(shape) or d.shape[-len(shape):] != tuple(shape):
        raise ValueError(f"{name} must have trailing shape {tuple(shape)}, got {d.shape}")
    if np.any(d < 0):
        raise ValueError(f"{name} must be non-negative")
    tot = d.sum(axis=tuple(range(d.ndim - len(shape), d.ndim)))
    if not np.allclose(tot, 1.0, atol=1e-8, rtol=0):
        raise ValueError(f"{name} must sum to 1 over its last {len(shape)} axes (got {tot})")
    return d


def bayes_logit_state_action(d_env, d_model, prior: float = 0.5, *, undefined="raise") -> np.ndarray:
    """Bayes logit of the ``(s,a)`` classifier: ``log d_env/d_model + log(rho/(1-rho))``, shape ``(..., S, A)``."""
    d_env = _marginal("d_env", d_env, None)
    d_model = _marginal("d_model", d_model, d_env.shape[-2:])
    return log_ratio(d_env, d_model, undefined=undefined, name="d_env/d_model") + prior_log_odds(prior)


def bayes_logit_transition(P, M, d_env, d_model, prior: float = 0.5, *, undefined="raise") -> np.ndarray:
    """Exact Bayes-optimal logit of an env-vs-model ``(s,a,s')`` classifier for the sampling design
    ``(prior, d_env, d_model)``: ``log P/M + log d_env/d_model + log(rho/(1-rho))``, shape ``(..., S, A, S)``.

    Entries where the joint probability is 0 under both classes are undefined (see module conventions).
    """
    P = validate_kernel("P", P)
    M = validate_kernel("M", M)
    S, A = P.shape[-3], P.shape[-2]
    d_env = _marginal("d_env", d_env, (S, A))
    d_model = _marginal("d_model", d_model, (S, A))
    rho = check_open_unit("prior", prior)
    joint_env = d_env[..., None] * P
    joint_model = d_model[..., None] * M
    return log_ratio(joint_env, joint_model, undefined=undefined, name="bayes_logit_transition") + prior_log_odds(rho)


def bayes_logit_action(pi, pi_b, d_states_pi, d_states_b, prior: float = 0.5, *, undefined="raise") -> np.ndarray:
    """Bayes logit of the action classifier (class 1: ``s ~ d_states_pi, a ~ pi``; class 0: ``s ~ d_states_b,
    a ~ pi_b``): ``log pi/pi_b + log d_states_pi/d_states_b + log(rho/(1-rho))``.  With the same states for
    both classes (``d_states_pi == d_states_b``) it is ``ell_pi`` plus the prior log-odds."""
    pi = validate_policy("pi", pi)
    pi_b = validate_policy("pi_b", pi_b, pi.shape[-2], pi.shape[-1])
    S = pi.shape[-2]
    ds1 = _marginal("d_states_pi", d_states_pi, (S,))
    ds0 = _marginal("d_states_b", d_states_b, (S,))
    rho = check_open_unit("prior", prior)
    return (log_ratio(ds1[..., None] * pi, ds0[..., None] * pi_b, undefined=undefined, name="bayes_logit_action")
            + prior_log_odds(rho))


def darc_difference(z_sas, z_sa) -> np.ndarray:
    """DARC's ``z_sas'(s,a,s') - z_sa(s,a)`` (= ``log p/m`` for Bayes-optimal logits at any design)."""
    z_sas = check_real_array("z_sas", z_sas, allow_inf=True, allow_bool=False)
    z_sa = check_real_array("z_sa", z_sa, allow_inf=True, allow_bool=False)
    if z_sas.ndim < 1 or z_sa.shape != z_sas.shape[:-1]:
        raise ValueError(f"z_sa must have shape {z_sas.shape[:-1]} to match z_sas {z_sas.shape}")
    with np.errstate(invalid="ignore"):
        out = z_sas - z_sa[..., None]
    if np.any(np.isnan(out)):
        raise ValueError("darc_difference undefined where both logits are infinite with the same sign")
    return out


def bayes_logit_from_joint(joint_env, joint_model, prior: float = 0.5) -> np.ndarray:
    """Reference route: the posterior ``P(env | x) = rho q1 / (rho q1 + (1-rho) q0)`` from two joint laws over
    the same finite space, then its logit ``log P - log(1 - P)``.  Entries with zero mass in both laws are NaN
    (they are never observed).  Used as an independent oracle for :func:`bayes_logit_transition`."""
    q1 = check_finite_array("joint_env", joint_env, allow_bool=False)
    q0 = check_finite_array("joint_model", joint_model, allow_bool=False)
    if np.any(q1 < 0):
        raise ValueError("joint_env must be non-negative")
    if np.any(q0 < 0):
        raise ValueError("joint_model must be non-negative")
    if q1.shape != q0.shape:
        raise ValueError(f"joint_model must have the shape of joint_env {q1.shape}, got {q0.shape}")
    rho = check_open_unit("prior", prior)
    num = rho * q1
    den = rho * q1 + (1 - rho) * q0
    with np.errstate(divide="ignore", invalid="ignore"):
        post = num / den
        out = np.log(post) - np.log1p(-post)
        # where both masses are positive the logit is finite: if rho q1 or (1 - rho) q0 underflowed (a prior near
        # 0 or 1), take it in log space, log rho + log q1 - log(1 - rho) - log q0
        redo = (q1 > 0) & (q0 > 0) & ~np.isfinite(out)
        if np.any(redo):
            out = np.where(redo, np.log(rho) + np.log(np.where(redo, q1, 1.0)) - np.log1p(-rho)
                           - np.log(np.where(redo, q0, 1.0)), out)
        return out
