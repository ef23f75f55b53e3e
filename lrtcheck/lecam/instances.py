"""Two-point constructions (C-SAR paper §8; docs/methods/lecam.md §4-§6):
the model-bias pair, the policy-shift pair and the no-overlap pair, each an exact :class:`TwoPointProblem`.

A problem reduces an offline data set to its sufficient statistic ``(k, j)``: ``k ~ Bin(n, w)`` visits to the
informative pair and ``j | k ~ Bin(k, theta_i)`` "successes" there.  A decision rule maps ``(k, j)`` to the
probability of taking action 1 at the decision state (a randomisation over deterministic policies; the two actions
are the only choice that matters).  ``subopt[i, c]`` is the exact suboptimality of choosing ``c`` in instance i,
computed from the instance's MDP by exact policy evaluation (``tabular_envs``).  Le Cam's two-point method
(Tsybakov 2009, section 2.3; Lattimore & Szepesvari 2020, Ch. 15): if ``SubOpt_0(c) + SubOpt_1(c) >= Delta`` for
every choice c, every algorithm has ``max_i E_i[SubOpt_i] >= (Delta / 2)(1 - TV(P0^n, P1^n))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.special import expit, logit

import tabular_envs as te
from lrtcheck.stats.validation import (check_finite_array, check_int, check_name, check_nonnegative, check_positive,
                                      check_positive_int,
                                      check_real, check_unit)
from tabular_envs.mdp import validate_gamma

from .divergences import MAX_GRID_N, check_grid_n, joint_law, two_point_divergences

__all__ = ["TwoPointProblem", "model_bias_pair", "policy_shift_pair", "no_overlap_pair", "subopt_from_mdps"]


@dataclass(frozen=True)
class TwoPointProblem:
    """An exact two-point problem.

    Attributes
    ----------
    kind : ``"model"``, ``"policy"`` or ``"no_overlap"``.
    n, w : number of samples and the probability that one visits the informative pair.
    theta : ``(theta_0, theta_1)``, the success probability at the informative pair under each instance.
    subopt : ``(2, 2)`` array, ``subopt[i, c]`` = SubOpt_i of choosing action c at the decision state.
    tie : the theta at which both actions are equally good; ``sign`` = +1 if action 1 is better when
        ``theta > tie``, -1 if when ``theta < tie``.
    horizon : the number of (discounted) steps over which the gap accrues.
    mdps : the two instances as :class:`tabular_envs.TabularMDP` (shaped rewards where the objective is shaped).
    behaviour : the two behaviour policies (identical for ``model`` and ``no_overlap``).
    info : construction parameters (epsilon, alpha/beta, model kernel, log-ratios).
    """

    kind: str
    n: int
    w: float
    theta: tuple[float, float]
    subopt: np.ndarray
    tie: float
    sign: int
    horizon: float
    mdps: tuple
    behaviour: tuple
    decision_state: int = 0
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a problem is passed back in (rules, exact_risk): every field is checked, none is converted
        check_name("kind", self.kind)
        check_grid_n("n", self.n, minimum=1)
        check_unit("w", self.w)
        if not isinstance(self.theta, (tuple, list)) or len(self.theta) != 2:
            raise ValueError(f"theta must be a pair (theta_0, theta_1), got {self.theta!r}")
        for q in self.theta:
            check_unit("theta", q)
        sub = check_finite_array("subopt", self.subopt, allow_bool=False)
        if sub.shape != (2, 2) or np.any(sub < 0):
            raise ValueError(f"subopt must be a (2, 2) array of suboptimalities >= 0, got {sub!r}")
        check_unit("tie", self.tie)
        if check_int("sign", self.sign) not in (-1, 1):
            raise ValueError(f"sign must be +1 or -1, got {self.sign!r}")
        check_nonnegative("horizon", self.horizon)  # 0 when gamma = 0
        if (not isinstance(self.mdps, (tuple, list)) or len(self.mdps) != 2
                or not all(isinstance(m, te.TabularMDP) and not m.batch_shape for m in self.mdps)):
            raise ValueError("mdps must be a pair of unbatched TabularMDP instances")
        if not isinstance(self.behaviour, (tuple, list)) or len(self.behaviour) != 2:
            raise ValueError("behaviour must be a pair of behaviour policies")
        for pi in self.behaviour:
            te.validate_policy("behaviour", pi, self.mdps[0].n_states, self.mdps[0].n_actions)
        check_int("decision_state", self.decision_state, minimum=0, maximum=self.mdps[0].n_states - 1)
        if not isinstance(self.info, dict):
            raise ValueError(f"info must be a dict, got {self.info!r}")

    @property
    def delta(self) -> float:
        """``Delta = min_c SubOpt_0(c) + SubOpt_1(c)`` (a mixture cannot do better: the sum is linear in it)."""
        return float(np.min(self.subopt[0] + self.subopt[1]))

    @cached_property
    def divergences(self):
        return two_point_divergences(self.n, self.w, *self.theta)

    @property
    def tv(self) -> float:
        return self.divergences.tv

    @property
    def lower_bound(self) -> float:
        """Le Cam: ``(Delta / 2)(1 - TV)``."""
        return 0.5 * self.delta * (1.0 - self.tv)

    def joint(self, i: int) -> np.ndarray:
        """The exact law of ``(k, j)`` under instance ``i``, an ``(n+1, n+1)`` array."""
        if isinstance(i, (bool, np.bool_)) or i not in (0, 1):
            raise ValueError(f"i must be 0 or 1, got {i!r}")
        return joint_law(self.n, self.w, self.theta[i])


def subopt_from_mdps(mdps, decision_state: int = 0) -> np.ndarray:
    """``subopt[i, c] = max_c' J_i(c') - J_i(c)`` where policy c takes action c at every state (the other states'
    actions do not matter in these constructions), by exact evaluation of each instance."""
    if isinstance(mdps, (str, bytes)) or not isinstance(mdps, (list, tuple)):
        raise ValueError(f"mdps must be a pair of TabularMDP instances, got {mdps!r}")
    if len(mdps) != 2 or not all(isinstance(m, te.TabularMDP) and not m.batch_shape for m in mdps):
        raise ValueError(f"mdps must be a pair of unbatched TabularMDP instances, got {len(mdps)} item(s)")
    if mdps[0].n_states != mdps[1].n_states or mdps[0].n_actions < 2 or mdps[1].n_actions != mdps[0].n_actions:
        raise ValueError("mdps must share their states and have at least two actions")
    check_int("decision_state", decision_state, minimum=0, maximum=mdps[0].n_states - 1)
    out = np.empty((2, 2))
    for i, mdp in enumerate(mdps):
        J = []
        for c in (0, 1):
            pi = np.zeros((mdp.n_states, mdp.n_actions))
            pi[:, c] = 1.0
            J.append(float(te.policy_return(mdp, pi)))
        out[i] = max(J) - np.array(J)
    return out


def _data_design(S: int, A: int, cell: tuple[int, int], w: float) -> np.ndarray:
    """A sampling design d_b(s, a): mass ``w`` on the informative ``cell``, the rest uniform on the other pairs."""
    d = np.full((S, A), (1.0 - w) / (S * A - 1))
    d[cell] = w
    return d


def model_bias_pair(n: int, w: float, epsilon: float, *, m: float = 0.5, gamma: float = 0.9, alpha: float = 1.0,
                    reward_bad: float = 0.0) -> TwoPointProblem:
    """Model-bias pair on the risky chain (``tabular_envs.risky_chain``).

    The learned model puts ``m`` on START --RISKY--> GOOD; the true kernel has ``q_0 = m e^{-epsilon}`` or
    ``q_1 = m e^{+epsilon}``, so ``ell_p(START, RISKY, GOOD) = log q_i/m = -+epsilon``: a certificate of radius
    epsilon around the model cannot tell the instances apart.  Rewards: GOOD pays ``reward_bad + alpha`` per step,
    BAD ``reward_bad``, SAFE_STATE the midpoint ``reward_bad + alpha (q0 + q1)/2``; the safe action is the same in
    both instances.  With ``H = gamma/(1 - gamma)``:
    ``SubOpt_0(risky) = SubOpt_1(safe) = Delta = H alpha (q1 - q0)/2 = H alpha m sinh(epsilon)``, linear in
    ``H alpha`` and ``Theta(epsilon)`` (``m epsilon <= Delta/(H alpha) <= m sinh(eps)``).
    Data: each sample hits (START, RISKY) with probability ``w`` and records whether it reached GOOD.
    """
    n = check_positive_int("n", n, maximum=MAX_GRID_N)
    w = check_unit("w", w)
    eps = check_positive("epsilon", epsilon)
    m = check_unit("m", m)
    if m == 0:
        raise ValueError("m must lie in (0, 1] (the model's probability of the good transition), got 0")
    gamma = validate_gamma(gamma)
    alpha = check_positive("alpha", alpha)
    reward_bad = check_real("reward_bad", reward_bad)
    if not (0 < m * np.exp(eps) <= 1):
        raise ValueError(f"m * exp(epsilon) must lie in (0, 1] (got m={m}, epsilon={epsilon})")
    q0, q1 = m * np.exp(-eps), m * np.exp(eps)
    rb = float(reward_bad)
    mid = rb + alpha * 0.5 * (q0 + q1)
    mdps = tuple(te.risky_chain(q, gamma=gamma, reward_good=rb + alpha, reward_bad=rb, reward_safe=mid)
                 for q in (q0, q1))
    rc = te.RiskyChain
    model = te.risky_chain(m, gamma=gamma, reward_good=rb + alpha, reward_bad=rb, reward_safe=mid)
    pi_b = np.full((rc.N_STATES, rc.N_ACTIONS), 0.5)
    info = {"epsilon": eps, "alpha": alpha, "m": m, "gamma": float(gamma), "model": model,
            "design": _data_design(rc.N_STATES, rc.N_ACTIONS, (rc.START, rc.RISKY), w),
            "informative_pair": (rc.START, rc.RISKY),
            "log_ratio_good": (float(np.log(q0 / m)), float(np.log(q1 / m))),
            "delta_formula": float(gamma / (1 - gamma) * alpha * m * np.sinh(eps))}
    return TwoPointProblem("model", n, w, (float(q0), float(q1)), subopt_from_mdps(mdps, rc.START),
                           tie=float(0.5 * (q0 + q1)), sign=+1, horizon=float(gamma / (1 - gamma)), mdps=mdps,
                           behaviour=(pi_b, pi_b), decision_state=rc.START, info=info)


def policy_shift_pair(n: int, w: float, epsilon: float, *, b: float = 0.5, gamma: float = 0.9, beta: float = 1.0,
                      reward: float = 1.0) -> TwoPointProblem:
    """Policy-shift pair: two behaviour policies that agree everywhere except at the rarely visited decision
    state s0, where ``pi_b^i(a1|s0) = b_i`` with ``logit b_0 = logit b - epsilon``, ``logit b_1 = logit b +
    epsilon``.  The dynamics and base rewards are identical (s0 and s1 absorbing); the objective is the SAR
    objective with env reward ``r + beta ell_pi``, ``ell_pi = log pi/pi_b``, for deterministic output policies
    (``log pi = 0`` on the chosen action; a randomised algorithm is a mixture of them), i.e. reward
    ``r(s, a) - beta log pi_b^i(a|s)``.  With ``r(s0, a1) - r(s0, a0) = beta logit b`` and ``H = 1/(1 - gamma)``:
    ``J_i(a1) - J_i(a0) = H beta (logit b - logit b_i)``, so ``Delta = H beta epsilon`` exactly, with
    ``epsilon = |ell_pi^0 - ell_pi^1| / 2`` in logit units.  Data: each sample is at s0 with probability ``w``
    and records whether the behaviour action was a1.
    """
    n = check_positive_int("n", n, maximum=MAX_GRID_N)
    w = check_unit("w", w)
    eps = check_positive("epsilon", epsilon)
    b = check_unit("b", b)
    if not 0 < b < 1:
        raise ValueError(f"b must lie in (0, 1), got {b!r}")
    beta = check_positive("beta", beta)
    gamma = validate_gamma(gamma)
    reward = check_real("reward", reward)
    lam = float(logit(b))
    b0, b1 = float(expit(lam - eps)), float(expit(lam + eps))
    if not (0 < b0 < 1 and 0 < b1 < 1):
        raise ValueError(f"epsilon={epsilon!r} is too large: a behaviour probability expit(logit b -+ epsilon) "
                         "rounds to 0 or 1")
    S, A = 2, 2
    P = np.zeros((S, A, S))
    P[0, :, 0] = 1.0
    P[1, :, 1] = 1.0
    r = np.full((S, A), float(reward))
    r[0, 1] += beta * lam
    mu0 = np.array([1.0, 0.0])
    pis, mdps = [], []
    for bi in (b0, b1):
        pi_b = np.array([[1 - bi, bi], [0.5, 0.5]])
        pis.append(pi_b)
        mdps.append(te.TabularMDP(P, r - beta * np.log(pi_b), mu0, gamma))
    info = {"epsilon": eps, "beta": beta, "b": b, "gamma": float(gamma), "base_reward": r,
            "design_states": np.array([w, 1 - w]), "informative_pair": (0, 1),
            "policy_log_ratio_a1": (float(-np.log(b0)), float(-np.log(b1))),
            "delta_formula": float(beta * eps / (1 - gamma))}
    return TwoPointProblem("policy", n, w, (b0, b1), subopt_from_mdps(mdps, 0), tie=b, sign=-1,
                           horizon=float(1 / (1 - gamma)), mdps=tuple(mdps), behaviour=tuple(pis),
                           decision_state=0, info=info)


def no_overlap_pair(n: int, *, gap: float = 0.5, gamma: float = 0.9, reward_seen: float = 0.5) -> TwoPointProblem:
    """No overlap: at the absorbing decision state s0 the behaviour policy only ever takes a0 (``pi_b(a1|s0) =
    0``); the instances differ only in the reward of the unseen a1: ``reward_seen + gap`` (instance 0) or
    ``reward_seen - gap`` (instance 1).  The data laws are identical (TV = 0), ``Delta = H gap`` with
    ``H = 1/(1 - gamma)``, and every algorithm loses at least ``Delta / 2`` on one instance."""
    n = check_positive_int("n", n, maximum=MAX_GRID_N)
    gap = check_positive("gap", gap)
    gamma = validate_gamma(gamma)
    reward_seen = check_real("reward_seen", reward_seen)
    P = np.zeros((1, 2, 1))
    P[0, :, 0] = 1.0
    mu0 = np.array([1.0])
    mdps = tuple(te.TabularMDP(P, np.array([[reward_seen, reward_seen + s * gap]]), mu0, gamma) for s in (+1, -1))
    pi_b = np.array([[1.0, 0.0]])
    info = {"gap": gap, "gamma": float(gamma), "delta_formula": float(gap / (1 - gamma))}
    # w = 0: the informative pair (s0, a1) is never visited, so k = 0 and the statistic carries no information
    return TwoPointProblem("no_overlap", n, 0.0, (0.5, 0.5), subopt_from_mdps(mdps, 0), tie=0.5, sign=+1,
                           horizon=float(1 / (1 - gamma)), mdps=mdps, behaviour=(pi_b, pi_b), decision_state=0,
                           info=info)
