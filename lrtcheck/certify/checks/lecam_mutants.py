"""Mutants of the Le Cam two-point lower bounds (``lrtcheck/lecam``): exact divergences, instances, decision rules
and the exact risk.

Each mutant patches the function where the bug would live and names the ``lecam.*`` checks that should fail under
it.  The killing checks are exact (no sampling) and take about a second, so every mutant is ``ci``.
``lecam.tightness`` (a measured report) is never named: it cannot fail on a wrong number, only on a non-finite one.

Transition module (moved unchanged from ``lrtcheck/mutants/``): the lecam migration moves each mutant into the topic
module of ``lrtcheck/claims/lecam/`` whose checks must kill it, as an edit of the original (``source_edit`` or
``wrapper``), and deletes this file.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from lrtcheck.certify.mutation import Mutant

_DIV = "lrtcheck.lecam.divergences"
_INST = "lrtcheck.lecam.instances"
_RULES = "lrtcheck.lecam.rules"

# ----------------------------------------------------------------------------------------------- divergences


def _tv_without_w(orig):
    from lrtcheck.lecam import divergences as dv

    def two_point_tv(n, w, q0, q1):
        n, w, q0, q1 = dv._args(n, w, q0, q1)
        return float(dv.binomial_tv(np.array([n]), q0, q1)[0])  # every sample taken as a visit
    return two_point_tv


def _binomial_tv_no_half(orig):
    def binomial_tv(k, q0, q1):
        return 2.0 * orig(k, q0, q1)  # the L1 distance reported as TV
    return binomial_tv


def _kl_without_nw(orig):
    from lrtcheck.lecam import divergences as dv

    def two_point_kl(n, w, q0, q1):
        n, w, q0, q1 = dv._args(n, w, q0, q1)
        return 0.0 if w == 0 or n == 0 else float(dv.bernoulli_kl(q0, q1))  # per-visit KL, factor n w dropped
    return two_point_kl


def _bc_without_w(orig):
    from lrtcheck.lecam import divergences as dv

    def two_point_bhattacharyya(n, w, q0, q1):
        n, w, q0, q1 = dv._args(n, w, q0, q1)
        bc1 = np.sqrt(q0 * q1) + np.sqrt((1 - q0) * (1 - q1))
        return float((1.0 - (1.0 - bc1)) ** n)  # the visit probability w left out of (1 - w (1 - BC1))^n
    return two_point_bhattacharyya


def _joint_law_flipped(orig):
    from lrtcheck.lecam import divergences as dv

    def _joint_law(n, w, q):
        k = np.arange(n + 1)[:, None]
        j = np.arange(n + 1)[None, :]
        # j counted as failures: Bin(j; k, 1 - q)
        out = np.where(j <= k, dv._binom_pmf(k, n, w) * dv._binom_pmf(j, k, 1.0 - q), 0.0)
        out.setflags(write=False)
        return out
    return _joint_law


# ----------------------------------------------------------------------------------------------- instances


def _bound_not_halved(orig):
    return property(lambda self: self.delta * (1.0 - self.tv))  # (Delta/2)(1 - TV) with the 1/2 dropped


def _bound_tv_squared(orig):
    return property(lambda self: 0.5 * self.delta * (1.0 - self.tv ** 2))  # TV^2 for TV (a Hellinger-type slip)


def _regret_sign(orig):
    import tabular_envs as te

    def subopt_from_mdps(mdps, decision_state=0):
        out = np.empty((2, 2))
        for i, mdp in enumerate(mdps):
            J = []
            for c in (0, 1):
                pi = np.zeros((mdp.n_states, mdp.n_actions))
                pi[:, c] = 1.0
                J.append(float(te.policy_return(mdp, pi)))
            out[i] = np.array(J) - max(J)  # J(c) - J*: the regret's sign flipped
        return out
    return subopt_from_mdps


def _safe_reward_at_model(orig):
    import tabular_envs as te
    from lrtcheck.lecam.instances import subopt_from_mdps

    def model_bias_pair(n, w, epsilon, *, m=0.5, gamma=0.9, alpha=1.0, reward_bad=0.0):
        prob = orig(n, w, epsilon, m=m, gamma=gamma, alpha=alpha, reward_bad=reward_bad)
        rb = float(reward_bad)
        # the safe state pays the model's expected reward rb + alpha m, not the instances' midpoint
        mdps = tuple(te.risky_chain(q, gamma=gamma, reward_good=rb + alpha, reward_bad=rb, reward_safe=rb + alpha * m)
                     for q in prob.theta)
        return dataclasses.replace(prob, mdps=mdps, subopt=subopt_from_mdps(mdps, prob.decision_state))
    return model_bias_pair


# ----------------------------------------------------------------------------------------------- risk


def _risk_wrong_instance(orig):
    def _risks(problem, x):
        out = []
        for i in (0, 1):
            P = problem.joint(1 - i)  # the data law of the other instance
            s0, s1 = problem.subopt[i]
            out.append(float(np.sum(P * (x * s1 + (1.0 - x) * s0))))
        return out[0], out[1]
    return _risks


# ----------------------------------------------------------------------------------------------- rules


def _certified_level_2delta(orig):
    from lrtcheck.lecam import rules as rl
    from lrtcheck.stats.validation import check_open_unit

    def certified_rule(delta=0.05):
        delta = check_open_unit("delta", delta)

        def fn(k, j, problem):
            k = np.asarray(k)
            j = np.asarray(j)
            ks = np.arange(int(k.max()) + 1 if k.size else 1)
            cut = rl._cp_threshold(ks, problem.tie, delta, upper=problem.sign > 0)  # delta, not delta/2, per tail
            kc = np.clip(k, 0, ks[-1])
            take = (j >= cut[kc]) if problem.sign > 0 else (j <= cut[kc])
            return np.where(k > 0, take, False).astype(float)
        return rl.Rule(f"certified(delta={delta:g})", fn)
    return certified_rule


def _pessimism_sign(orig):
    from lrtcheck.lecam import rules as rl
    from lrtcheck.stats.validation import check_open_unit

    def pessimistic_rule(delta=0.05):
        delta = check_open_unit("delta", delta)

        def fn(k, j, problem):
            kk = np.maximum(k, 1)
            rad = np.sqrt(np.log(2.0 / delta) / (2.0 * kk))
            est = j / kk + problem.sign * rad  # the bonus added on action 1's side: optimism, not pessimism
            return np.where(k > 0, rl._prefers_one(est, problem), False).astype(float)
        return rl.Rule(f"pessimistic(delta={delta:g})", fn)
    return pessimistic_rule


def _lr_rule_inverted(orig):
    from lrtcheck.lecam import rules as rl

    def likelihood_ratio_rule():
        inner = orig()

        def fn(k, j, problem):
            # the likelihood ratio read as L0/L1: the instance with the smaller likelihood is chosen
            flipped = dataclasses.replace(problem, theta=(problem.theta[1], problem.theta[0]))
            return inner.fn(k, j, flipped)
        return rl.Rule(inner.name, fn)
    return likelihood_ratio_rule


_TV = "lecam.tv.exact"
_BM = "lecam.bound.model"
_BP = "lecam.bound.policy"
_NO = "lecam.no_overlap"
_RG = "lecam.rules.guarantee"

MUTANTS = [
    Mutant("lecam.tv_without_w", f"{_DIV}:two_point_tv",
           "the TV formula without the visit probability w: TV(Bin(n, q0), Bin(n, q1)), as if every sample visited",
           _tv_without_w, (_TV, _BM, _BP), tags=("ci",)),
    Mutant("lecam.binomial_tv_no_half", f"{_DIV}:binomial_tv",
           "the 1/2 of TV = (1/2) sum |p - q| forgotten: the L1 distance used as TV", _binomial_tv_no_half,
           (_TV, _BM, _BP), tags=("ci",)),
    Mutant("lecam.kl_without_nw", f"{_DIV}:two_point_kl",
           "KL without the factor n w: the per-visit KL(q0 || q1) reported as the KL of the whole data set",
           _kl_without_nw, (_TV,), tags=("ci",)),
    Mutant("lecam.bc_without_w", f"{_DIV}:two_point_bhattacharyya",
           "the Bhattacharyya coefficient as (1 - (1 - BC1))^n = BC1^n: the visit probability w dropped",
           _bc_without_w, (_TV,), tags=("ci",)),
    Mutant("lecam.joint_law_flipped", f"{_DIV}:_joint_law",
           "successes and failures swapped in the law of (k, j): Bin(j; k, 1 - q)", _joint_law_flipped,
           (_TV, _BM, _BP), tags=("ci",)),
    Mutant("lecam.bound_not_halved", f"{_INST}:TwoPointProblem.lower_bound",
           "Le Cam's lower bound computed as Delta (1 - TV): the 1/2 of (Delta/2)(1 - TV) dropped",
           _bound_not_halved, (_BM, _BP), tags=("ci",)),
    Mutant("lecam.bound_tv_squared", f"{_INST}:TwoPointProblem.lower_bound",
           "Le Cam's lower bound computed as (Delta/2)(1 - TV^2), TV squared as in a Hellinger-type bound",
           _bound_tv_squared, (_BM, _BP), tags=("ci",)),
    Mutant("lecam.regret_sign", f"{_INST}:subopt_from_mdps",
           "the suboptimality computed as J(c) - J* (the regret's sign flipped)", _regret_sign,
           (_BM, _BP, _NO), tags=("ci",)),
    Mutant("lecam.safe_reward_at_model", f"{_INST}:model_bias_pair",
           "the model-bias pair's safe reward set to the model's expected reward (m) instead of the instances' "
           "midpoint, so the pair is no longer symmetric", _safe_reward_at_model, (_BM,), tags=("ci",)),
    Mutant("lecam.risk_wrong_instance", "lrtcheck.lecam.risk:_risks",
           "the exact risk of instance i averaged over the other instance's data law", _risk_wrong_instance,
           (_BM, _BP, _NO), tags=("ci",)),
    Mutant("lecam.certified_level_2delta", f"{_RULES}:certified_rule",
           "the certified rule's Clopper-Pearson bound at level 2 delta: the whole delta given to the one tail used",
           _certified_level_2delta, (_RG, _BM, _BP), tags=("ci",)),
    Mutant("lecam.pessimism_sign", f"{_RULES}:pessimistic_rule",
           "the Hoeffding radius added instead of subtracted: an optimistic rule named pessimistic", _pessimism_sign,
           (_RG, _BM, _BP), tags=("ci",)),
    Mutant("lecam.lr_rule_inverted", f"{_RULES}:likelihood_ratio_rule",
           "the likelihood ratio inverted (L0/L1 for L1/L0): the Bayes rule picks the less likely instance",
           _lr_rule_inverted, (_BM, _BP), tags=("ci",)),
]
