"""Batched exact policy evaluation of 256 MDPs (S=50, A=4) against a pymdptoolbox loop, in one run so that the
ratio can be read off pytest-benchmark's table (``pytest tests/benchmarks/test_bench_tabular.py --benchmark-only``).

pymdptoolbox's exact evaluation is ``PolicyIteration._evalPolicyMatrix`` (``np.linalg.solve(I - gamma P_pi, R_pi)``
for one MDP, P as (A, S, S)); the loop builds one ``PolicyIteration`` per MDP (which validates P and R, as a user's
call does), sets its policy and evaluates.
"""

import numpy as np
import pytest

import tabular_envs as te

B, S, A, GAMMA = 256, 50, 4, 0.9


@pytest.fixture(scope="module")
def batch():
    mdp = te.random_mdp(S, A, gamma=GAMMA, seed=0, batch=B)
    rng = np.random.default_rng(1)
    actions = rng.integers(0, A, size=(B, S))
    pi = np.zeros((B, S, A))
    np.put_along_axis(pi, actions[..., None], 1.0, axis=-1)
    return mdp, pi, actions


def _toolbox_loop(mdp, actions):
    import mdptoolbox.mdp

    out = np.empty((B, S))
    P_tb = np.ascontiguousarray(np.transpose(mdp.P, (0, 2, 1, 3)))  # (B, A, S, S)
    for b in range(B):
        pim = mdptoolbox.mdp.PolicyIteration(P_tb[b], np.asarray(mdp.R[b]), GAMMA, policy0=actions[b])
        pim._evalPolicyMatrix()  # sets pim.V (a 1-D array here)
        out[b] = np.asarray(pim.V)
    return out


def test_bench_batched_evaluate_policy(benchmark, batch):
    mdp, pi, _ = batch
    V = benchmark(te.evaluate_policy, mdp, pi)
    assert V.shape == (B, S)


def test_bench_pymdptoolbox_loop(benchmark, batch):
    pytest.importorskip("mdptoolbox")
    mdp, pi, actions = batch
    V_tb = benchmark(_toolbox_loop, mdp, actions)
    np.testing.assert_allclose(V_tb, te.evaluate_policy(mdp, pi), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------------------------------------------
# soft value iteration against a plain vectorised numpy loop (same sweeps, same stopping rule), side by side
# ---------------------------------------------------------------------------------------------------------------
TAU = 0.5
_SOFT: dict = {}


def _numpy_soft_vi(P, R, tau, gamma, tol=1e-10, max_iter=100_000):
    """The peer: ``V <- tau log sum_a exp((r + gamma P V)/tau)`` with the shifted log-sum-exp, one matmul per sweep,
    stopped like :func:`tabular_envs.soft_value_iteration` (sup-change <= tol (1 - gamma)/gamma)."""
    Bn, Sn, An = R.shape
    Pf = P.reshape(Bn, Sn * An, Sn)
    V = np.zeros((Bn, Sn))
    stop = tol * (1 - gamma) / gamma
    for _ in range(max_iter):
        Q = R + gamma * np.matmul(Pf, V[..., None])[..., 0].reshape(Bn, Sn, An)
        m = Q.max(axis=-1, keepdims=True)
        V_new = m[..., 0] + tau * np.log(np.exp((Q - m) / tau).sum(axis=-1))
        done = np.max(np.abs(V_new - V)) <= stop
        V = V_new
        if done:
            break
    return V


@pytest.fixture(scope="module")
def soft_batch():
    return te.random_mdp(S, A, gamma=GAMMA, seed=0, batch=32)


@pytest.mark.parametrize("impl", ["lrtcheck", "numpy_peer"])
def test_bench_soft_value_iteration(benchmark, soft_batch, impl):
    mdp = soft_batch
    if impl == "lrtcheck":
        res = benchmark.pedantic(te.soft_value_iteration, args=(mdp, TAU), rounds=5, warmup_rounds=1)
        benchmark.extra_info["sweeps"] = res.n_iter
        V = res.V
    else:
        P, R = np.asarray(mdp.P), np.asarray(mdp.R)
        V = benchmark.pedantic(_numpy_soft_vi, args=(P, R, TAU, GAMMA), rounds=5, warmup_rounds=1)
    _SOFT[impl] = (benchmark.stats.stats.mean, V)
    if len(_SOFT) == 2:
        ratio = _SOFT["lrtcheck"][0] / _SOFT["numpy_peer"][0]
        benchmark.extra_info["time_ratio_lrtcheck_over_numpy"] = ratio
        np.testing.assert_allclose(_SOFT["lrtcheck"][1], _SOFT["numpy_peer"][1], rtol=0, atol=1e-9)
        print(f"\nsoft value iteration: lrtcheck {_SOFT['lrtcheck'][0] * 1e3:.1f} ms, numpy peer "
              f"{_SOFT['numpy_peer'][0] * 1e3:.1f} ms, ratio {ratio:.2f}")
