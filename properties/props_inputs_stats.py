"""Bad input is refused by name: every public name of ``lrtcheck.stats``, ``tabular_envs`` and ``lrtcheck.lecam``.

The suite walks each package's ``__all__``.  Every callable has a *valid* call (which must return a finite, valid
result) and, for each parameter, a list of malformed values; each malformed call must raise ``ValueError`` whose
message names the parameter.  Anything else (another exception, a NaN, a silent cast of a complex number or of a
bool, a truncated float, a hang) fails.  A public name with neither cases nor a stated reason to have none fails the
suite, so a new entry point cannot slip in unchecked.  Hypothesis then draws malformed scalars and arrays for the
scalar and array parameters of the same table.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

import lrtcheck.lecam as lc
import lrtcheck.stats as ls
import tabular_envs as te

NAN, INF = math.nan, math.inf

# ---------------------------------------------------------------------------------------------------------------
# malformed values by kind of parameter
# ---------------------------------------------------------------------------------------------------------------
_COMMON = [NAN, INF, -INF, 0.5 + 0.5j, True, "0.5", None, [0.5]]
OPEN_UNIT = _COMMON + [0.0, 1.0, -0.5, 1.5, -1e-300]
UNIT = _COMMON + [-0.5, 1.5, -1e-300]
POSITIVE = _COMMON + [0.0, -1.0]
NONNEG = _COMMON + [-1.0]
REAL = [NAN, INF, -INF, 0.5 + 0.5j, True, "0.5", None, [0.5]]
INT1 = [0, -1, 1.9, 2.5, True, NAN, "3", None, 3 + 0j]
INT0 = [-1, 1.9, True, NAN, "3", None, 3 + 0j]
HUGE = [10**30]
NAME = ["", 3, None]
CHOICE = ["bogus", 3, None]
BOOL = [2, "yes", None, NAN]
SEED = [1.9, True, -1, "abc", NAN, 2 + 0j]
#: decimal strings are exact rationals for the conformal level (exact_fraction), so "0.5" is not malformed there
ALPHA = [v for v in OPEN_UNIT if v != "0.5"] + ["abc", "1/0"]


def _mdp():
    return te.random_mdp(3, 2, seed=0)


def _pi():
    return te.uniform_policy(3, 2)


def _P():
    return np.array(_mdp().P)


def _with(arr, idx, value, dtype=np.float64):
    out = np.array(arr, dtype=dtype)
    out[idx] = value
    return out


def _complex(arr):
    return np.asarray(arr, dtype=np.complex128) + 1e-3j


def kernel_bad(P, none=True):
    return [_with(P, (0, 0, 0), NAN), _with(P, (0, 0, 0), P[0, 0, 0] + 0.5), _with(P, (0, 0, 0), -0.1),
            _complex(P), P[0], np.zeros((0, 0, 0)), "P"] + ([None] if none else [])


def policy_bad(pi, none=True):
    return [_with(pi, (0, 0), NAN), _with(pi, (0, 0), 0.9), _with(pi, (0, 0), -0.5), _complex(pi), pi[0],
            np.full((3, 3), 1 / 3), "pi"] + ([None] if none else [])


def real_array_bad(arr):
    return [_with(arr, (0,) * np.ndim(arr), NAN), _with(arr, (0,) * np.ndim(arr), INF), _complex(arr), "x", None]


def prob_rows_bad(p):
    return [_with(p, (0,) * np.ndim(p), NAN), _with(p, (0,) * np.ndim(p), 5.0), _complex(p), "x", None]


# ---------------------------------------------------------------------------------------------------------------
# the table: name -> (function, valid keyword arguments (a factory), {parameter: malformed values})
# ---------------------------------------------------------------------------------------------------------------
def _stats_cases():
    ss = lambda: np.random.SeedSequence(1)  # noqa: E731
    return {
        "binomial_acceptance_region": (ls.binomial_acceptance_region,
                                       lambda: dict(n=20, p=0.3, alpha=0.05, alternative="two-sided"),
                                       dict(n=INT1 + HUGE, p=UNIT + [2e-308], alpha=OPEN_UNIT, alternative=CHOICE)),
        "binomial_min_detectable_rate": (ls.binomial_min_detectable_rate,
                                         lambda: dict(n=50, p0=0.1, false_fail_rate=0.01, power=0.8),
                                         dict(n=INT1 + HUGE, p0=UNIT, false_fail_rate=OPEN_UNIT, power=OPEN_UNIT)),
        "binomial_power": (ls.binomial_power, lambda: dict(n=50, p0=0.1, p1=0.3, false_fail_rate=0.01,
                                                           alternative="greater"),
                           dict(n=INT1 + HUGE, p0=UNIT, p1=UNIT, false_fail_rate=OPEN_UNIT, alternative=CHOICE)),
        "binomial_sample_size": (ls.binomial_sample_size,
                                 lambda: dict(p0=0.1, p1=0.3, false_fail_rate=0.01, power=0.8, n_max=10**5),
                                 dict(p0=UNIT, p1=UNIT, false_fail_rate=OPEN_UNIT, power=OPEN_UNIT,
                                      n_max=INT1 + HUGE)),
        "binomial_tail_pvalue": (ls.binomial_tail_pvalue, lambda: dict(count=3, n=10, p=0.2, alternative="greater"),
                                 dict(count=INT0 + [11], n=INT1 + HUGE, p=UNIT, alternative=CHOICE)),
        "child_seeds": (ls.child_seeds, lambda: dict(ss=ss(), n=3), dict(ss=[5, "x", None], n=INT1 + HUGE)),
        "clopper_pearson": (ls.clopper_pearson, lambda: dict(successes=3, trials=10, alpha=0.05),
                            dict(successes=INT0 + [11, np.array([1.5, 2.0])], trials=INT1 + [1e308, 10**30],
                                 alpha=OPEN_UNIT)),
        "conformal_coverage_law": (ls.conformal_coverage_law, lambda: dict(n=20, k=15, m=10),
                                   dict(n=INT1 + HUGE, k=INT1 + [21], m=INT1 + HUGE)),
        "conformal_marginal_coverage": (ls.conformal_marginal_coverage, lambda: dict(n=20, alpha=0.1),
                                        dict(n=INT1, alpha=ALPHA)),
        "conformal_rank": (ls.conformal_rank, lambda: dict(n=20, alpha=0.1), dict(n=INT1, alpha=ALPHA)),
        "dkw_band_coverage": (ls.dkw_band_coverage, lambda: dict(n=20, epsilon=0.2, two_sided=True),
                              dict(n=INT1 + HUGE, epsilon=POSITIVE, two_sided=BOOL)),
        "dkw_epsilon": (ls.dkw_epsilon, lambda: dict(n=20, delta=0.05, two_sided=True),
                        dict(n=INT1, delta=OPEN_UNIT, two_sided=BOOL)),
        "dkw_sample_size": (ls.dkw_sample_size, lambda: dict(epsilon=0.1, delta=0.05, two_sided=True),
                            dict(epsilon=POSITIVE + [1.0, 1e-300], delta=OPEN_UNIT, two_sided=BOOL)),
        "exact_fraction": (ls.exact_fraction, lambda: dict(name="value", value=0.5),
                           dict(name=NAME, value=[NAN, INF, 0.5 + 0.5j, True, "abc", None, [0.5]])),
        "ks_min_detectable_discrepancy": (ls.ks_min_detectable_discrepancy,
                                          lambda: dict(n=50, false_fail_rate=0.01, power=0.8),
                                          dict(n=INT1 + HUGE, false_fail_rate=OPEN_UNIT, power=OPEN_UNIT)),
        "ks_power_lower_bound": (ls.ks_power_lower_bound,
                                 lambda: dict(n=50, false_fail_rate=0.01, discrepancy=0.5),
                                 dict(n=INT1 + HUGE, false_fail_rate=OPEN_UNIT, discrepancy=UNIT)),
        "ks_sample_size": (ls.ks_sample_size, lambda: dict(discrepancy=0.2, false_fail_rate=0.01, power=0.8,
                                                           n_max=10**6),
                           dict(discrepancy=OPEN_UNIT, false_fail_rate=OPEN_UNIT, power=OPEN_UNIT,
                                n_max=INT1 + HUGE)),
        "ks_threshold": (ls.ks_threshold, lambda: dict(n=50, false_fail_rate=0.01),
                         dict(n=INT1 + HUGE, false_fail_rate=OPEN_UNIT)),
        "order_statistic_level_law": (ls.order_statistic_level_law, lambda: dict(n=20, k=5),
                                      dict(n=INT1 + HUGE, k=INT1 + [21])),
        "poisson_binomial_cdf": (ls.poisson_binomial_cdf, lambda: dict(count=2, probabilities=[0.1, 0.5, 0.9]),
                                 dict(count=INT0, probabilities=[[], [NAN], [1.5], [0.5 + 0.1j], [True, False],
                                                                 "abc", None, [[0.5]]])),
        "resolve_root_seed": (ls.resolve_root_seed, lambda: dict(seed=5), dict(seed=SEED)),
        "seed_sequence": (ls.seed_sequence, lambda: dict(root=5, name="x"), dict(root=SEED, name=NAME)),
        "stream_key": (ls.stream_key, lambda: dict(name="x"), dict(name=NAME)),
        "torch_generator": (ls.torch_generator, lambda: dict(ss=ss(), device="cpu"), dict(ss=[5, "x", None])),
        "ErrorBudget": (ls.ErrorBudget, lambda: dict(total=0.001, weights={"a": 1.0}),
                        dict(total=OPEN_UNIT, weights=[{"a": NAN}, {"a": -1.0}, {"a": 1 + 1j}, {3: 1.0}, [1.0],
                                                       "ab", None])),
        "ErrorBudget.equal": (ls.ErrorBudget.equal, lambda: dict(check_ids=["a", "b"], total=0.001),
                              dict(check_ids=["ab", [3], [""], None], total=OPEN_UNIT)),
    }


def _tabular_cases():
    P, R, mu0 = _P(), np.array(_mdp().R), np.array(_mdp().mu0)
    pi = _pi()
    Q = np.arange(6.0).reshape(3, 2)
    rng = lambda: np.random.default_rng(0)  # noqa: E731
    data = lambda: te.sample_dataset(_mdp(), pi, 5, seed=0)  # noqa: E731
    d = te.occupancy(_mdp(), pi)
    ds = d.sum(axis=-1)
    counts = te.count_transitions(data(), 3, 2)
    return {
        "TabularMDP": (te.TabularMDP, lambda: dict(P=P, R=R, mu0=mu0, gamma=0.9),
                       dict(P=kernel_bad(P), R=real_array_bad(R) + [R[:, :1]], mu0=prob_rows_bad(mu0) + [mu0[:2]],
                            gamma=[NAN, 1.0, -0.1, 1.5, 0.5 + 0.1j, True, "0.9", None])),
        "stack_mdps": (te.stack_mdps, lambda: dict(mdps=[_mdp(), _mdp()]),
                       dict(mdps=[[], [P], None, "ab", [_mdp(), te.random_mdp(2, 2)]])),
        "validate_kernel": (te.validate_kernel, lambda: dict(name="value", value=P), dict(value=kernel_bad(P))),
        "validate_policy": (te.validate_policy, lambda: dict(name="value", value=pi, n_states=3, n_actions=2),
                            dict(value=policy_bad(pi), n_states=[v for v in INT1 if v is not None] + [2],
                                 n_actions=[v for v in INT1 if v is not None] + [3])),
        "random_mdp": (te.random_mdp, lambda: dict(n_states=3, n_actions=2, gamma=0.9, seed=0, sparsity=0.0,
                                                   concentration=1.0, reward_range=(0.0, 1.0), batch=None,
                                                   uniform_start=False),
                       dict(n_states=INT1 + HUGE, n_actions=INT1 + HUGE, gamma=[NAN, 1.0, 0.5 + 0.1j, True],
                            seed=SEED, sparsity=UNIT + [1.0], concentration=POSITIVE,
                            reward_range=[(1.0, 0.0), (NAN, 1.0), (0.0,), "ab", (0.0, 1j)],
                            batch=[0, -1, 1.5, True, (2, 0), "ab", 10**12], uniform_start=BOOL)),
        "random_kernel": (te.random_kernel, lambda: dict(n_states=3, n_actions=2, sparsity=0.0, concentration=1.0,
                                                         size=(), seed=0),
                          dict(n_states=INT1 + HUGE, n_actions=INT1 + HUGE, sparsity=UNIT + [1.0],
                               concentration=POSITIVE, size=[-1, 1.5, True, (2, -1), "ab", 10**12], seed=SEED)),
        "chain_mdp": (te.chain_mdp, lambda: dict(n_states=3, gamma=0.9, slip=0.1, reward_end=1.0, reward_start=0.1,
                                                 reward_step=0.0),
                      dict(n_states=INT1 + [1] + HUGE, gamma=[NAN, 1.0, True], slip=UNIT, reward_end=REAL,
                           reward_start=REAL, reward_step=REAL)),
        "gridworld_mdp": (te.gridworld_mdp, lambda: dict(height=2, width=3, gamma=0.9, slip=0.1, goal=None,
                                                         goal_reward=1.0, step_reward=0.0, start=(0, 0)),
                          dict(height=INT1 + HUGE, width=INT1 + HUGE, gamma=[NAN, 1.0, True], slip=UNIT,
                               goal=[(5, 0), (0.5, 1), (True, 0), "ab", (0,)], goal_reward=REAL, step_reward=REAL,
                               start=[(5, 0), (0.5, 1), (-1, 0), "ab", (0,), None])),
        "risky_chain": (te.risky_chain, lambda: dict(q=0.3, gamma=0.9, reward_good=1.0, reward_bad=0.0,
                                                     reward_safe=0.5, reward_start=0.0),
                        dict(q=UNIT, gamma=[NAN, 1.0, True], reward_good=REAL, reward_bad=REAL, reward_safe=REAL,
                             reward_start=REAL)),
        "uniform_policy": (te.uniform_policy, lambda: dict(n_states=3, n_actions=2),
                           dict(n_states=INT1 + HUGE, n_actions=INT1 + HUGE)),
        "greedy_policy": (te.greedy_policy, lambda: dict(Q=Q), dict(Q=real_array_bad(Q) + [Q[0], np.zeros((3, 0))])),
        "softmax_policy": (te.softmax_policy, lambda: dict(Q=Q, temperature=1.0),
                           dict(Q=real_array_bad(Q) + [Q[0], np.zeros((3, 0))], temperature=POSITIVE)),
        "epsilon_greedy_policy": (te.epsilon_greedy_policy, lambda: dict(Q=Q, epsilon=0.1),
                                  dict(Q=real_array_bad(Q) + [Q[0]], epsilon=UNIT)),
        "random_policy": (te.random_policy, lambda: dict(n_states=3, n_actions=2, concentration=1.0, seed=0),
                          dict(n_states=INT1 + HUGE, n_actions=INT1 + HUGE, concentration=POSITIVE, seed=SEED)),
        "mix_policies": (te.mix_policies, lambda: dict(pi=pi, other=pi, weight=0.5),
                         dict(pi=policy_bad(pi)[:5] + policy_bad(pi)[6:], other=policy_bad(pi), weight=UNIT)),
        "behaviour_policy": (te.behaviour_policy, lambda: dict(n_states=3, n_actions=2, kind="softmax",
                                                               coverage=0.1, Q=Q, temperature=1.0, concentration=1.0,
                                                               seed=0),
                             dict(n_states=INT1 + HUGE, n_actions=INT1 + HUGE, kind=CHOICE, coverage=UNIT,
                                  Q=real_array_bad(Q) + [Q[0]], temperature=POSITIVE)),
        "behaviour_policy(random)": (te.behaviour_policy, lambda: dict(n_states=3, n_actions=2, kind="random",
                                                                       concentration=1.0, seed=0),
                                     dict(concentration=POSITIVE, seed=SEED)),
        "Transitions": (te.Transitions, lambda: dict(states=np.array([0, 1]), actions=np.array([1, 0]),
                                                     rewards=np.array([0.5, 1.0]), next_states=np.array([2, 0])),
                        dict(states=[np.array([0.5, 1.0]), np.array([-1, 0]), np.array([0]), np.array([True, False]),
                                     np.array([0, 1]) + 0j, "ab", None],
                             actions=[np.array([0.5, 1.0]), np.array([-1, 0]), np.array([0]), None],
                             rewards=[np.array([NAN, 1.0]), np.array([1.0]), np.array([1.0, 1j]), None],
                             next_states=[np.array([0.5, 1.0]), np.array([-1, 0]), np.array([0, 1, 2]), None])),
        "sample_dataset": (te.sample_dataset, lambda: dict(mdp=_mdp(), pi_b=pi, n=5, seed=0, method="occupancy"),
                           dict(mdp=[None, P, te.random_mdp(3, 2, batch=2)], pi_b=policy_bad(pi), n=INT1 + HUGE,
                                seed=SEED, method=CHOICE)),
        "sample_dataset(rollout)": (te.sample_dataset, lambda: dict(mdp=_mdp(), pi_b=pi, n=5, seed=0,
                                                                    method="rollout"),
                                    dict(pi_b=policy_bad(pi), n=INT1 + HUGE, seed=SEED)),
        "sample_rollouts": (te.sample_rollouts, lambda: dict(mdp=_mdp(), pi=pi, n_episodes=2, horizon=3, seed=0),
                            dict(mdp=[None, P], pi=policy_bad(pi), n_episodes=INT1 + HUGE, horizon=INT1 + HUGE,
                                 seed=SEED)),
        "sample_occupancy_pairs": (te.sample_occupancy_pairs, lambda: dict(mdp=_mdp(), pi=pi, n=5, seed=0),
                                   dict(mdp=[None, P], pi=policy_bad(pi), n=INT1 + HUGE, seed=SEED)),
        "geometric_stop_samples": (te.geometric_stop_samples, lambda: dict(mdp=_mdp(), pi=pi, n=5, seed=0,
                                                                           max_steps=1000),
                                   dict(mdp=[None, P], pi=policy_bad(pi), n=INT1 + HUGE, seed=SEED,
                                        max_steps=INT1)),
        "sample_categorical": (te.sample_categorical, lambda: dict(probs=np.array([[0.2, 0.8], [1.0, 0.0]]),
                                                                   rng=rng()),
                               dict(probs=[np.array([[NAN, NAN, NAN]]), np.array([[5.0, -4.0, 0.0]]),
                                           np.array([[0.5, 0.6]]), np.array([[0.5, 0.5]]) + 0j, np.zeros((2, 0)),
                                           np.array(0.5), "ab", None],
                                    rng=[1.9, True, "ab", None, NAN, -1])),
        "sample_next_states": (te.sample_next_states, lambda: dict(P=P, states=np.array([0, 2]),
                                                                   actions=np.array([1, 0]), rng=rng()),
                               dict(P=kernel_bad(P), states=[np.array([0.5, 2.0]), np.array([3, 0]),
                                                             np.array([-1, 0]), np.array([True, False]),
                                                             np.array([0]), None],
                                    actions=[np.array([0.5, 1.0]), np.array([2, 0]), np.array([-1, 0]), None],
                                    rng=[1.9, True, "ab", NAN])),
        "count_transitions": (te.count_transitions, lambda: dict(data=data(), n_states=3, n_actions=2),
                              dict(data=[None, (0, 1), "ab"], n_states=INT1 + [1] + HUGE,
                                   n_actions=INT1 + [1] + HUGE)),
        "fit_model": (te.fit_model, lambda: dict(counts=counts, smoothing=1.0, prior=None),
                      dict(counts=[_with(counts, (0, 0, 0), -1), _with(counts, (0, 0, 0), 0.5),
                                   _with(counts, (0, 0, 0), NAN), _complex(counts), counts[0], "ab", None],
                           smoothing=NONNEG, prior=kernel_bad(P, none=False))),
        "perturb_kernel": (te.perturb_kernel, lambda: dict(P=P, epsilon=0.1, target=None, seed=0,
                                                           concentration=1.0),
                           dict(P=kernel_bad(P), epsilon=UNIT, target=kernel_bad(P, none=False) + [P[:2, :, :2]], seed=SEED,
                                concentration=POSITIVE)),
        "perturb_to_gap": (te.perturb_to_gap, lambda: dict(P=P, gap=0.1, target=None, seed=0, xtol=1e-12),
                           dict(P=kernel_bad(P), gap=POSITIVE + [1e6], target=kernel_bad(P, none=False), seed=SEED,
                                xtol=POSITIVE)),
        "max_abs_log_ratio": (te.max_abs_log_ratio, lambda: dict(P=P, M=P),
                              dict(P=real_array_bad(P) + [-P], M=real_array_bad(P) + [-P, P[:2]])),
        "evaluate_policy": (te.evaluate_policy, lambda: dict(mdp=_mdp(), pi=pi),
                            dict(mdp=[None, P], pi=policy_bad(pi))),
        "q_values": (te.q_values, lambda: dict(mdp=_mdp(), pi=pi), dict(mdp=[None, P], pi=policy_bad(pi))),
        "q_values(V)": (te.q_values, lambda: dict(mdp=_mdp(), V=np.zeros(3)),
                        dict(V=real_array_bad(np.zeros(3)) + [np.zeros(4), np.zeros((3, 2))])),
        "policy_return": (te.policy_return, lambda: dict(mdp=_mdp(), pi=pi), dict(mdp=[None, P], pi=policy_bad(pi))),
        "policy_kernel": (te.policy_kernel, lambda: dict(mdp=_mdp(), pi=pi), dict(mdp=[None, P], pi=policy_bad(pi))),
        "state_occupancy": (te.state_occupancy, lambda: dict(mdp=_mdp(), pi=pi),
                            dict(mdp=[None, P], pi=policy_bad(pi))),
        "occupancy": (te.occupancy, lambda: dict(mdp=_mdp(), pi=pi), dict(mdp=[None, P], pi=policy_bad(pi))),
        "value_iteration": (te.value_iteration, lambda: dict(mdp=_mdp(), tol=1e-8, max_iter=10_000),
                            dict(mdp=[None, P], tol=POSITIVE, max_iter=INT1)),
        "policy_iteration": (te.policy_iteration, lambda: dict(mdp=_mdp(), max_iter=100),
                             dict(mdp=[None, P], max_iter=INT1)),
        "soft_value_iteration": (te.soft_value_iteration, lambda: dict(mdp=_mdp(), temperature=0.5, reference=None,
                                                                       tol=1e-8, max_iter=10_000),
                                 dict(mdp=[None, P], temperature=POSITIVE, reference=policy_bad(pi, none=False),
                                      tol=POSITIVE, max_iter=INT1)),
        "soft_evaluate_policy": (te.soft_evaluate_policy, lambda: dict(mdp=_mdp(), pi=pi, temperature=0.5),
                                 dict(mdp=[None, P], pi=policy_bad(pi), temperature=POSITIVE)),
        "concentrability": (te.concentrability, lambda: dict(d_target=d, d_reference=d),
                            dict(d_target=real_array_bad(d) + [-d, np.float64(0.5)],
                                 d_reference=real_array_bad(d) + [-d, d[:2]])),
        "log_ratio": (te.log_ratio, lambda: dict(p=d, q=d, undefined="raise"),
                      dict(p=real_array_bad(d) + [-d], q=real_array_bad(d) + [-d, d[:2]],
                           undefined=["bogus", NAN, 1j, True, None])),
        "transition_log_ratio": (te.transition_log_ratio, lambda: dict(P=P, M=P),
                                 dict(P=kernel_bad(P), M=kernel_bad(P) + [P[:2, :, :2]])),
        "policy_log_ratio": (te.policy_log_ratio, lambda: dict(pi=pi, pi_b=pi),
                             dict(pi=policy_bad(pi), pi_b=policy_bad(pi) + [np.full((3, 3), 1 / 3)])),
        "prior_log_odds": (te.prior_log_odds, lambda: dict(prior=0.3), dict(prior=OPEN_UNIT)),
        "bayes_logit_transition": (te.bayes_logit_transition, lambda: dict(P=P, M=P, d_env=d, d_model=d, prior=0.5),
                                   dict(P=kernel_bad(P), M=kernel_bad(P), d_env=prob_rows_bad(d) + [d[:2]],
                                        d_model=prob_rows_bad(d) + [d[:2]], prior=OPEN_UNIT)),
        "bayes_logit_state_action": (te.bayes_logit_state_action, lambda: dict(d_env=d, d_model=d, prior=0.5),
                                     dict(d_env=prob_rows_bad(d), d_model=prob_rows_bad(d) + [d[:2]],
                                          prior=OPEN_UNIT)),
        "bayes_logit_action": (te.bayes_logit_action, lambda: dict(pi=pi, pi_b=pi, d_states_pi=ds, d_states_b=ds,
                                                                   prior=0.5),
                               dict(pi=policy_bad(pi), pi_b=policy_bad(pi), d_states_pi=prob_rows_bad(ds) + [ds[:2]],
                                    d_states_b=prob_rows_bad(ds) + [ds[:2]], prior=OPEN_UNIT)),
        "darc_difference": (te.darc_difference, lambda: dict(z_sas=np.zeros((3, 2, 3)), z_sa=np.zeros((3, 2))),
                            dict(z_sas=[np.full((3, 2, 3), NAN), np.zeros((3, 2, 3)) + 1j, "ab", None],
                                 z_sa=[np.full((3, 2), NAN), np.zeros((3, 2)) + 1j, np.zeros(3), "ab", None])),
        "bayes_logit_from_joint": (te.bayes_logit_from_joint, lambda: dict(joint_env=d, joint_model=d, prior=0.5),
                                   dict(joint_env=real_array_bad(d) + [-d], joint_model=real_array_bad(d) + [-d, d[:2]],
                                        prior=OPEN_UNIT)),
    }


def _lecam_cases():
    quad0 = dict(n=INT0 + HUGE, w=UNIT, q0=UNIT, q1=UNIT)
    args = lambda: dict(n=10, w=0.3, q0=0.4, q1=0.6)  # noqa: E731
    prob = lambda: lc.model_bias_pair(5, 0.3, 0.2)  # noqa: E731
    k, j, _ = lc.statistic_grid(5)
    return {
        "two_point_tv": (lc.two_point_tv, args, quad0),
        "two_point_kl": (lc.two_point_kl, args, quad0),
        "two_point_bhattacharyya": (lc.two_point_bhattacharyya, args, quad0),
        "two_point_hellinger_sq": (lc.two_point_hellinger_sq, args, quad0),
        "two_point_divergences": (lc.two_point_divergences, args, quad0),
        "bernoulli_kl": (lc.bernoulli_kl, lambda: dict(q0=0.3, q1=0.4), dict(q0=UNIT, q1=UNIT)),
        "binomial_tv": (lc.binomial_tv, lambda: dict(k=np.array([0, 3]), q0=0.3, q1=0.4),
                        dict(k=[np.array([1.5]), np.array([-1]), np.array([True]), np.array([1 + 1j]), "ab", None,
                                np.array([10**12])], q0=UNIT, q1=UNIT)),
        "joint_law": (lc.joint_law, lambda: dict(n=10, w=0.3, q=0.4), dict(n=INT0 + HUGE, w=UNIT, q=UNIT)),
        "trinomial_law": (lc.trinomial_law, lambda: dict(n=10, w=0.3, q=0.4, log=False),
                          dict(n=INT0 + HUGE, w=UNIT, q=UNIT, log=BOOL)),
        "enumerated_divergences": (lc.enumerated_divergences,
                                   lambda: dict(logP0=np.log([0.5, 0.5]), logP1=np.log([0.25, 0.75])),
                                   dict(logP0=[np.array([NAN, 0.0]), np.array([INF, 0.0]), np.array([0.0, 0.0]),
                                               np.log([0.5, 0.5]) + 0j, "ab", None],
                                        logP1=[np.array([NAN, 0.0]), np.array([1.0, 0.0]), np.log([1 / 3] * 3),
                                               None])),
        "model_bias_pair": (lc.model_bias_pair, lambda: dict(n=5, w=0.3, epsilon=0.2, m=0.5, gamma=0.9, alpha=1.0,
                                                             reward_bad=0.0),
                            dict(n=INT1 + HUGE, w=UNIT, epsilon=POSITIVE + [5.0], m=UNIT + [0.0],
                                 gamma=[NAN, 1.0, True, 1j], alpha=POSITIVE, reward_bad=REAL)),
        "policy_shift_pair": (lc.policy_shift_pair, lambda: dict(n=5, w=0.3, epsilon=0.2, b=0.5, gamma=0.9, beta=1.0,
                                                                 reward=1.0),
                              dict(n=INT1 + HUGE, w=UNIT, epsilon=POSITIVE + [1e308], b=OPEN_UNIT,
                                   gamma=[NAN, 1.0, True, 1j], beta=POSITIVE, reward=REAL)),
        "no_overlap_pair": (lc.no_overlap_pair, lambda: dict(n=5, gap=0.5, gamma=0.9, reward_seen=0.5),
                            dict(n=INT1 + HUGE, gap=POSITIVE, gamma=[NAN, 1.0, True, 1j], reward_seen=REAL)),
        "subopt_from_mdps": (lc.subopt_from_mdps, lambda: dict(mdps=[_mdp(), _mdp()], decision_state=0),
                             dict(mdps=[[], [_mdp()], [_mdp()] * 3, [None, None], None, "ab"],
                                  decision_state=INT0 + [3])),
        "exact_risk": (lc.exact_risk, lambda: dict(rule=lc.greedy_rule(), problem=prob()),
                       dict(rule=[None, "ab", 3], problem=[None, "ab"])),
        "all_deterministic_rule_risks": (lc.all_deterministic_rule_risks,
                                         lambda: dict(problem=lc.model_bias_pair(3, 0.3, 0.2), max_cells=16),
                                         dict(problem=[None, "ab"], max_cells=INT1 + [70])),
        "statistic_grid": (lc.statistic_grid, lambda: dict(n=5), dict(n=INT0 + HUGE)),
        "greedy_rule": (lc.greedy_rule, dict, {}),
        "likelihood_ratio_rule": (lc.likelihood_ratio_rule, dict, {}),
        "pessimistic_rule": (lc.pessimistic_rule, lambda: dict(delta=0.05), dict(delta=OPEN_UNIT)),
        "certified_rule": (lc.certified_rule, lambda: dict(delta=0.05), dict(delta=OPEN_UNIT)),
        "constant_rule": (lc.constant_rule, lambda: dict(p=0.3), dict(p=UNIT)),
        "table_rule": (lc.table_rule, lambda: dict(table=np.full((6, 6), 0.5), name="t"),
                       dict(table=[np.full((6, 6), NAN), np.full((6, 6), 1.5), np.full((6, 5), 0.5),
                                   np.full((6, 6), 0.5) + 0j, np.zeros((0, 0)), "ab", None], name=NAME)),
        "Rule": (lc.Rule, lambda: dict(name="r", fn=lambda k, j, p: np.zeros(np.shape(k))),
                 dict(name=NAME, fn=[None, 3, "ab"])),
    }


#: public names that need no cases, each with the reason
NO_DOMAIN = {
    "lrtcheck.stats": {
        "AcceptanceRegion": "a result record built by binomial_acceptance_region",
        "DEFAULT_ROOT_SEED": "a constant", "DEFAULT_TOTAL_FALSE_FAIL": "a constant",
        "Design": "a result record built by the check context from validated figures",
    },
    "tabular_envs": {
        "RiskyChain": "index constants", "ValueIterationResult": "a result record of the solvers",
        "PerturbedModel": "a result record of perturb_kernel",
    },
    "lrtcheck.lecam": {
        "TwoPointDivergences": "a result record of two_point_divergences",
        "RiskResult": "a result record of exact_risk",
        "TwoPointProblem": "a record built by model_bias_pair, policy_shift_pair and no_overlap_pair",
    },
}

PACKAGES = {"lrtcheck.stats": (ls, _stats_cases), "tabular_envs": (te, _tabular_cases),
            "lrtcheck.lecam": (lc, _lecam_cases)}


def _all_cases():
    out = []
    for pkg, (_, make) in PACKAGES.items():
        for name, (fn, valid, bad) in make().items():
            for param, values in bad.items():
                for i, value in enumerate(values):
                    out.append(pytest.param(pkg, name, param, i, id=f"{pkg}:{name}:{param}:{i}"))
    return out


_CACHE: dict = {}


def _table(pkg):
    if pkg not in _CACHE:
        _CACHE[pkg] = PACKAGES[pkg][1]()
    return _CACHE[pkg]


def _finite_result(out) -> bool:
    """A valid result: no NaN anywhere in the numbers it returns (inf only where a function documents it)."""
    if out is None:
        return True
    if isinstance(out, (tuple, list)):
        return all(_finite_result(o) for o in out)
    if isinstance(out, dict):
        return all(_finite_result(o) for o in out.values())
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return True
    return not np.any(np.isnan(arr))


@pytest.mark.parametrize("pkg", sorted(PACKAGES))
def test_every_public_name_has_cases(pkg):
    module, _ = PACKAGES[pkg]
    table = _table(pkg)
    covered = {name.split("(")[0].split(".")[0] for name in table}
    missing = [n for n in module.__all__ if n not in covered and n not in NO_DOMAIN[pkg]]
    assert not missing, f"public names of {pkg} without bad-input cases: {missing}"


@pytest.mark.parametrize("pkg", sorted(PACKAGES))
def test_valid_calls_return_valid_results(pkg):
    for name, (fn, valid, _) in _table(pkg).items():
        assert _finite_result(fn(**valid())), name


@pytest.mark.parametrize("pkg, name, param, i", _all_cases())
def test_malformed_value_is_refused_by_name(pkg, name, param, i):
    fn, valid, bad = _table(pkg)[name]
    kwargs = valid()
    value = bad[param][i]
    kwargs[param] = value
    start = time.perf_counter()
    with pytest.raises(ValueError) as err:
        out = fn(**kwargs)
        pytest.fail(f"{name}({param}={value!r}) returned {out!r} instead of refusing")
    assert time.perf_counter() - start < 5.0, "refusal took more than 5 s"
    assert param in str(err.value), f"{name}({param}={value!r}): message does not name {param!r}: {err.value}"


# ---------------------------------------------------------------------------------------------------------------
# drawn malformed scalars against the scalar parameters of the table
# ---------------------------------------------------------------------------------------------------------------
_KIND = {id(OPEN_UNIT): "open_unit", id(UNIT): "unit", id(POSITIVE): "positive"}


def _scalar_params():
    out = []
    for pkg in sorted(PACKAGES):
        for name, (fn, valid, bad) in _table(pkg).items():
            for param, values in bad.items():
                kind = _KIND.get(id(values))
                if kind is not None:
                    out.append(pytest.param(pkg, name, param, kind, id=f"{pkg}:{name}:{param}"))
    return out


def _outside(kind):
    nonfinite = hs.sampled_from([NAN, INF, -INF])
    if kind == "open_unit":
        return hs.one_of(nonfinite, hs.floats(max_value=0.0), hs.floats(min_value=1.0), hs.complex_numbers())
    if kind == "unit":
        return hs.one_of(nonfinite, hs.floats(max_value=-1e-300), hs.floats(min_value=1.0 + 1e-15),
                         hs.complex_numbers())
    return hs.one_of(nonfinite, hs.floats(max_value=0.0), hs.complex_numbers())


@pytest.mark.parametrize("pkg, name, param, kind", _scalar_params())
@given(data=hs.data())
def test_drawn_out_of_domain_scalars_are_refused(pkg, name, param, kind, data):
    fn, valid, _ = _table(pkg)[name]
    kwargs = valid()
    kwargs[param] = data.draw(_outside(kind), label=param)
    with pytest.raises(ValueError, match=param):
        fn(**kwargs)


@given(n=hs.one_of(hs.floats(allow_nan=True).filter(lambda x: not float(x).is_integer()), hs.booleans(),
                   hs.integers(max_value=0)))
def test_drawn_bad_counts_are_refused(n):
    """A count that is not an integer >= 1 is refused, never truncated (clopper_pearson takes integral floats, as
    arrays of counts often are, but no fraction)."""
    with pytest.raises(ValueError, match="n"):
        ls.binomial_acceptance_region(n, 0.3, 0.05)
    with pytest.raises(ValueError, match="trials"):
        ls.clopper_pearson(0, n, 0.05)
