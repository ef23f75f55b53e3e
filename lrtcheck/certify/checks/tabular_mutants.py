"""Mutants of the exact-ratio tabular worlds (``tabular_envs``): exact solvers, roll-out samplers, Bayes logits.

Every other family trusts these worlds' exact values, occupancies and logits, so each bug below would silently bias
every downstream certificate.  Each mutant patches the function where the bug would live and names the
``tabular.*`` checks that should fail under it; all of them are cheap (under a second of checks), so all are ``ci``.

Transition module (moved unchanged from ``lrtcheck/mutants/``): the tabular migration moves each mutant into the topic
module of ``lrtcheck/claims/tabular/`` whose checks must kill it, as an edit of the original (``source_edit`` or
``wrapper``), and deletes this file.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify.mutation import Mutant

_SOLVERS = "tabular_envs.solvers"
_DATASETS = "tabular_envs.datasets"
_RATIOS = "tabular_envs.ratios"

# ----------------------------------------------------------------------------------------------- exact solvers


def _eval_gamma_squared(orig):
    from tabular_envs import solvers as so

    def evaluate_policy(mdp, pi):
        P_pi, r_pi = so.policy_kernel(mdp, pi)
        g = so._gamma(mdp, 2)
        return so._solve(np.eye(mdp.n_states) - g * (g * P_pi), r_pi)  # the discount applied twice
    return evaluate_policy


def _eval_transposed(orig):
    from tabular_envs import solvers as so

    def evaluate_policy(mdp, pi):
        P_pi, r_pi = so.policy_kernel(mdp, pi)
        return so._solve(np.swapaxes(so._system(mdp, P_pi), -1, -2), r_pi)  # the occupancy's system, transposed
    return evaluate_policy


def _q_no_gamma(orig):
    from lrtcheck.stats.validation import check_finite_array
    from tabular_envs import solvers as so

    def q_values(mdp, pi=None, *, V=None):
        mdp = so._check_mdp(mdp)
        if V is None:
            if pi is None:
                raise ValueError("q_values needs pi or V")
            V = so.evaluate_policy(mdp, pi)
        V = check_finite_array("V", V)
        return mdp.R + np.einsum("...sat,...t->...sa", mdp.P, V)  # gamma forgotten in the backup
    return q_values


def _policy_kernel_axes(orig):
    from tabular_envs import solvers as so
    from tabular_envs.mdp import validate_policy

    def policy_kernel(mdp, pi):
        mdp = so._check_mdp(mdp)
        pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
        P_pi = np.einsum("...sa,...tas->...st", pi, mdp.P)  # P read as P[s', a, s]
        return P_pi, np.sum(pi * mdp.R, axis=-1)
    return policy_kernel


def _occupancy_unnormalised(orig):
    from tabular_envs import solvers as so

    def state_occupancy(mdp, pi):
        P_pi, _ = so.policy_kernel(mdp, pi)
        return so._solve(np.swapaxes(so._system(mdp, P_pi), -1, -2), mdp.mu0)  # (1 - gamma) factor dropped
    return state_occupancy


def _occupancy_untransposed(orig):
    from tabular_envs import solvers as so

    def state_occupancy(mdp, pi):
        P_pi, _ = so.policy_kernel(mdp, pi)
        d = so._solve(so._system(mdp, P_pi), mdp.mu0)  # (I - gamma P_pi)^{-1} mu0 instead of ^{-T}
        return (1.0 - so._gamma(mdp, 1)) * d
    return state_occupancy


def _soft_vi_inverted(orig):
    def soft_value_iteration(mdp, temperature, **kwargs):
        return orig(mdp, 1.0 / temperature, **kwargs)  # an inverse temperature beta passed as tau
    return soft_value_iteration


def _soft_eval_entropy_sign(orig):
    from lrtcheck.stats.validation import check_positive
    from tabular_envs import solvers as so

    def soft_evaluate_policy(mdp, pi, temperature):
        tau = check_positive("temperature", temperature)
        P_pi, r_pi = so.policy_kernel(mdp, pi)
        pi = np.asarray(pi, dtype=np.float64)
        neg_ent = np.sum(np.where(pi > 0, pi * np.log(np.where(pi > 0, pi, 1.0)), 0.0), axis=-1)
        return so._solve(so._system(mdp, P_pi), r_pi + tau * neg_ent)  # sum pi log pi taken as the entropy
    return soft_evaluate_policy


# ----------------------------------------------------------------------------------------------- samplers


def _geometric_off_by_one(orig):
    from lrtcheck.stats.validation import check_positive_int
    from tabular_envs import datasets as ds
    from tabular_envs.mdp import validate_policy

    def geometric_stop_samples(mdp, pi, n, *, seed=0, max_steps=100_000):
        mdp = ds._single(mdp)
        n = check_positive_int("n", n)
        pi = validate_policy("pi", pi, mdp.n_states, mdp.n_actions)
        rng = ds._rng(seed)
        g = float(mdp.gamma)
        T = rng.geometric(1.0 - g, size=n) if g > 0 else np.ones(n, dtype=np.int64)  # support {1, 2, ...}
        s = ds.sample_categorical(np.broadcast_to(mdp.mu0, (n, mdp.n_states)), rng)
        a = ds.sample_categorical(pi[s], rng)
        alive = np.nonzero(T > 0)[0]
        t = 0
        while alive.size:
            t += 1
            if t > max_steps:
                raise RuntimeError(f"geometric roll-outs exceeded max_steps={max_steps}")
            s[alive] = ds.sample_categorical(mdp.P[s[alive], a[alive]], rng)
            a[alive] = ds.sample_categorical(pi[s[alive]], rng)
            alive = alive[T[alive] > t]
        return s, a, T
    return geometric_stop_samples


# ----------------------------------------------------------------------------------------------- generators


def _risky_chain_q_flipped(orig):
    def risky_chain(q, **kwargs):
        return orig(1.0 - q, **kwargs)  # q read as the probability of reaching BAD
    return risky_chain


# ----------------------------------------------------------------------------------------------- Bayes logits


def _bayes_prior_sign(orig):
    from tabular_envs.ratios import prior_log_odds

    def bayes_logit_transition(P, M, d_env, d_model, prior=0.5, *, undefined="raise"):
        # log(rho/(1-rho)) subtracted: the offset of the model class (label 0) used for the env class
        return orig(P, M, d_env, d_model, prior, undefined=undefined) - 2.0 * prior_log_odds(prior)
    return bayes_logit_transition


def _darc_sum(orig):
    def darc_difference(z_sas, z_sa):
        return orig(z_sas, -np.asarray(z_sa, dtype=np.float64))  # z_sas' + z_sa
    return darc_difference


_ROLLOUT = "tabular.rollout.value"
_OCC = "tabular.occupancy.sampling"
_SOLVE = "tabular.solvers.exact"
_BAYES = "tabular.bayes_logit.identity"

MUTANTS = [
    Mutant("tabular.eval_gamma_squared", f"{_SOLVERS}:evaluate_policy",
           "gamma applied twice in policy evaluation (once in the caller, once in the system matrix): "
           "V = (I - gamma^2 P_pi)^{-1} r_pi", _eval_gamma_squared, (_ROLLOUT, _SOLVE), tags=("ci",)),
    Mutant("tabular.eval_transposed_kernel", f"{_SOLVERS}:evaluate_policy",
           "the transposed system (I - gamma P_pi)^T of the occupancy solve reused for the values",
           _eval_transposed, (_ROLLOUT, _SOLVE), tags=("ci",)),
    Mutant("tabular.q_backup_no_gamma", f"{_SOLVERS}:q_values",
           "gamma dropped from the one-step backup: Q = r + P V", _q_no_gamma, (_SOLVE,), tags=("ci",)),
    Mutant("tabular.policy_kernel_axes", f"{_SOLVERS}:policy_kernel",
           "the kernel indexed destination-first, P[s', a, s], as in another code base's convention",
           _policy_kernel_axes, (_ROLLOUT, _OCC, _SOLVE), tags=("ci",)),
    Mutant("tabular.occupancy_unnormalised", f"{_SOLVERS}:state_occupancy",
           "the occupancy not normalised by (1 - gamma): the discounted visit counts (summing to 1/(1-gamma))",
           _occupancy_unnormalised, (_OCC, _SOLVE), tags=("ci",)),
    Mutant("tabular.occupancy_untransposed", f"{_SOLVERS}:state_occupancy",
           "the occupancy solved with (I - gamma P_pi)^{-1} mu0 (the value equation) instead of the transpose",
           _occupancy_untransposed, (_OCC, _SOLVE), tags=("ci",)),
    Mutant("tabular.soft_vi_temperature_inverted", f"{_SOLVERS}:soft_value_iteration",
           "the soft-VI temperature inverted: an inverse temperature beta = 1/tau passed where tau is expected",
           _soft_vi_inverted, (_SOLVE,), tags=("ci",)),
    Mutant("tabular.soft_eval_entropy_sign", f"{_SOLVERS}:soft_evaluate_policy",
           "the entropy bonus with the wrong sign: tau * sum_a pi log pi added instead of tau * H(pi)",
           _soft_eval_entropy_sign, (_SOLVE,), tags=("ci",)),
    Mutant("tabular.geometric_off_by_one", f"{_DATASETS}:geometric_stop_samples",
           "the stopping time off by one: numpy's geometric() (support 1, 2, ...) used as the number of transitions",
           _geometric_off_by_one, (_ROLLOUT, _OCC), tags=("ci",)),
    Mutant("tabular.risky_chain_q_flipped", "tabular_envs.generators:risky_chain",
           "the risky chain's q read as the probability of reaching BAD instead of GOOD",
           _risky_chain_q_flipped, (_SOLVE,), tags=("ci",)),
    Mutant("tabular.bayes_prior_sign", f"{_RATIOS}:bayes_logit_transition",
           "the Bayes logit's prior offset with the wrong sign: log((1-rho)/rho), the model class's log-odds",
           _bayes_prior_sign, (_BAYES,), tags=("ci",)),
    Mutant("tabular.darc_sum", f"{_RATIOS}:darc_difference",
           "DARC's difference computed as z_sas' + z_sa (the two classifiers' logits added, as for a product of odds)",
           _darc_sum, (_BAYES,), tags=("ci",)),
]
