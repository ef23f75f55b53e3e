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
