"""Exact laws of tabular_envs' random draws, tested jointly across steps (so that reused or correlated noise shows):
a fixed-horizon roll-out's whole path ``(s_0, a_0, ..., s_H)``, and an offline data set's transitions ``(s, a, s')``
together with consecutive pairs of them.  Each cell count is decided exactly against its binomial law
(``binomial_count_decision``, Bonferroni across cells) at a fixed seed, so the tests are deterministic; the false-fail
probability of each joint decision is at most 1e-6 at a fresh seed."""

from __future__ import annotations

import numpy as np
import pytest

import tabular_envs as te
from lrtcheck.certify.mutation import Mutant, patched, source_edit
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, split_share

SHARE = 1e-6

def _joint_decision(counts: np.ndarray, probs: np.ndarray):
    n = int(counts.sum())
    live = probs.ravel() > 0
    assert np.all(counts.ravel()[~live] == 0), "a draw landed on a cell of probability 0"
    level = split_share(SHARE, int(live.sum()))
    parts = [binomial_count_decision(int(c), n, float(p), level)
             for c, p in zip(counts.ravel()[live], probs.ravel()[live])]
    return bonferroni(parts, SHARE, report="smallest_p")

def _world():
    mdp = te.random_mdp(3, 2, seed=7, gamma=0.8, sparsity=0.3)  # sparse rows: some transitions never happen
    pi = te.random_policy(3, 2, seed=8)
    return mdp, pi

def _path_law(mdp, pi, H):
    """``mu0(s0) pi(a0|s0) P(s1|s0,a0) ... pi(a_{H-1}|s_{H-1}) P(s_H|s_{H-1},a_{H-1})`` over every path."""
    S, A = mdp.n_states, mdp.n_actions
    law = np.asarray(mdp.mu0, dtype=float)
    for _ in range(H):
        law = law[..., :, None] * pi  # (..., s, a)
        law = law[..., None] * mdp.P  # (..., s, a, s')
    assert law.shape == (S,) + (A, S) * H
    return law

@pytest.mark.parametrize("H", [1, 3])
def test_rollout_paths_follow_their_exact_joint_law(H):
    mdp, pi = _world()
    E = 30_000
    data = te.sample_rollouts(mdp, pi, E, H, seed=11)
    s = data.states.reshape(E, H)
    a = data.actions.reshape(E, H)
    s2 = data.next_states.reshape(E, H)
    assert np.array_equal(s[:, 1:], s2[:, :-1])  # a path continues where the previous step ended
    cols = [s[:, 0]] + [c for t in range(H) for c in (a[:, t], s2[:, t])]
    law = _path_law(mdp, pi, H)
    counts = np.zeros(law.shape, dtype=np.int64)
    np.add.at(counts, tuple(cols), 1)
    d = _joint_decision(counts, law)
    assert d.holds, d.message

@pytest.mark.parametrize("method", ["occupancy", "rollout"])
def test_dataset_transitions_and_consecutive_pairs_follow_their_exact_laws(method):
    mdp, pi = _world()
    n = 40_000
    data = te.sample_dataset(mdp, pi, n, seed=12, method=method)
    law = te.occupancy(mdp, pi)[..., None] * mdp.P  # (s, a, s')
    counts = te.count_transitions(data, 3, 2)
    d = _joint_decision(counts, law)
    assert d.holds, d.message
    # consecutive draws are independent: pairs (x_2i, x_2i+1) follow the product law
    cell = (data.states * 2 + data.actions) * 3 + data.next_states
    pairs = np.zeros((18, 18), dtype=np.int64)
    np.add.at(pairs, (cell[0::2], cell[1::2]), 1)
    flat = law.ravel()
    d2 = _joint_decision(pairs, np.outer(flat, flat))
    assert d2.holds, d2.message

def test_the_joint_path_test_sees_noise_reused_across_steps():
    """A defect the per-step laws cannot see: the action of step t drawn with the uniform of step t-1's state draw
    would correlate steps.  Simulated here by drawing every step's action from one uniform per episode."""
    mdp, pi = _world()
    src = ("        a = sample_categorical(pi[s], rng)\n",
           "        a = sample_categorical(pi[s], np.random.default_rng(123))\n")
    m = Mutant("tabular.rollout_action_noise_reused", "tabular_envs.datasets:sample_rollouts",
               "every step's actions drawn from one fixed stream (noise reused across steps)", source_edit(src), ())
    with patched(m):
        data = te.sample_rollouts(mdp, pi, 30_000, 3, seed=11)
    E, H = 30_000, 3
    s = data.states.reshape(E, H)
    a = data.actions.reshape(E, H)
    s2 = data.next_states.reshape(E, H)
    cols = [s[:, 0]] + [c for t in range(H) for c in (a[:, t], s2[:, t])]
    law = _path_law(mdp, pi, H)
    counts = np.zeros(law.shape, dtype=np.int64)
    np.add.at(counts, tuple(cols), 1)
    assert not _joint_decision(counts, law).holds
