"""``csar.agents.soft_optimality``: the agents of C-SAR find the soft-optimal policy of the surrogate.

Claim.  ``soft_vi_policy(mdp, tau)`` is the fixed point ``pi = softmax(Q^pi_tau / tau)`` of the entropy-regularised
Bellman equation, and tabular SAC with the critic target ``y = r + gamma E_{a'~pi}[Qbar(s', a') - tau log
pi(a'|s')]`` (C-SAR paper §5 and §7; Haarnoja et al. 2018, arXiv 1801.01290) converges to the soft-optimal Q, and
its policy to
softmax(Q*/tau), when fed one minibatch holding every (s, a), many of them repeated with different next states (the
fixed
point is then the soft optimum of the batch's empirical MDP) (docs/methods/csar.md §6, docs/methods/tabular.md §4).

World.  Random MDPs (``tabular_envs.random_mdp``) at three temperatures, evaluated exactly
(``tabular_envs.soft_evaluate_policy``); one fixed minibatch of a random stochastic MDP with repeated (s, a), whose
fixed point is the soft-optimal Q of
the batch's empirical MDP (``tabular_envs.soft_value_iteration``).

Check.  Exact: the fixed-point error, and the SAC critic's and actor's distances to the soft optimum, below 1e-6.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar.agents import TabularSAC, soft_vi_policy
from lrtcheck.stats.decisions import exact_decision

SOFTOPT = Claim(
    id="csar.agents.soft_optimality",
    source="C-SAR paper §5 and §7 (soft value iteration; SAC critic target); Haarnoja et al. (2018), arXiv "
    "1801.01290; docs/methods/csar.md §6",
    statement="soft_vi_policy(mdp, tau) is the fixed point pi = softmax(Q^pi_tau / tau) of the entropy-regularised "
    "Bellman equation (checked by exact policy evaluation); tabular SAC fed one minibatch holding every (s,a), "
    "repeated (s,a) included, converges to the soft-optimal Q of the batch's empirical MDP and its policy to "
    "softmax(Q*/tau).",
)


@check(SOFTOPT, quick=dict(worlds=3, sac_updates=4000), full=dict(worlds=20, sac_updates=8000), stochastic=False)
def check_soft_optimality(ctx):
    """Exact: ``max |pi - softmax(Q^pi/tau)|`` by exact soft policy evaluation, and ``max |Q_SAC - Q*|``."""
    worst_vi = worst_sac = 0.0
    S, A = 5, 3
    for i in range(ctx.params["worlds"]):
        mdp = te.random_mdp(S, A, gamma=0.8, seed=ctx.seed(f"mdp{i}"))
        for tau in (0.05, 0.3, 2.0):
            pi = soft_vi_policy(mdp, tau)
            V = te.soft_evaluate_policy(mdp, pi, tau)
            Q = mdp.R + mdp.gamma * mdp.P @ V
            worst_vi = max(worst_vi, float(np.max(np.abs(pi - softmax(Q / tau, axis=-1)))))
    # tabular SAC on one fixed minibatch of a stochastic MDP: every (s, a) at least once, many repeated with
    # different next states (multiplicities 1..4, shuffled), at a drawn temperature.  Its fixed point is the
    # soft-optimal Q of the batch's empirical MDP (next-state frequencies per (s, a)); Q and the policy are checked
    rng = ctx.rng
    mdp = te.random_mdp(S, A, gamma=0.8, seed=ctx.seed("sac"))
    tau = float(rng.uniform(0.1, 1.0))
    cells = np.repeat(np.arange(S * A), rng.integers(1, 5, S * A))
    cells = cells[rng.permutation(cells.shape[0])]
    s, a = np.divmod(cells, A)
    s2 = te.sample_next_states(mdp.P, s, a, rng)
    P_hat = np.zeros((S, A, S))
    np.add.at(P_hat, (s, a, s2), 1.0)
    P_hat /= P_hat.sum(axis=-1, keepdims=True)
    q_star = te.soft_value_iteration(te.TabularMDP(P_hat, mdp.R, mdp.mu0, 0.8), tau).Q
    agent = TabularSAC(S, A, gamma=0.8, temperature=tau)
    for _ in range(ctx.params["sac_updates"]):
        agent.update(s, a, mdp.R[s, a], s2)
    worst_q = float(np.max(np.abs(agent.Q - q_star)))
    worst_pi = float(np.max(np.abs(agent.policy() - softmax(q_star / tau, axis=-1))))
    worst_sac = max(worst_q, worst_pi)
    decision = exact_decision(worst_vi < 1e-6 and worst_sac < 1e-6, estimate=max(worst_vi, worst_sac), bound=1e-6,
                              name="soft-optimality error",
                              message=f"soft VI fixed-point error {worst_vi:.3g}, SAC Q error {worst_q:.3g}, "
                              f"SAC policy "
                              f"error {worst_pi:.3g}")
    return Evidence.from_decision(decision, details={"soft_vi_fixed_point_error": worst_vi,
                                                     "sac_q_error": worst_q, "sac_policy_error": worst_pi,
                                                     "sac_temperature": tau, "batch_size": int(cells.shape[0])})


# --------------------------------------------------------------------------------------------------------------
_M = "lrtcheck.csar.agents"
MUTANTS = [
    Mutant("csar.soft_vi_temperature_inverted", f"{_M}:soft_vi_policy",
           "the soft-VI temperature passed as its inverse (an inverse temperature beta = 1/tau confused with tau)",
           source_edit(("soft_value_iteration(mdp, temperature)", "soft_value_iteration(mdp, 1.0 / temperature)")),
           ("csar.agents.*",), tags=("ci",)),
    Mutant("csar.sac_entropy_sign", f"{_M}:TabularSAC.update",
           "the SAC critic target with + tau log pi (an entropy penalty instead of a bonus)",
           source_edit(("self.Qbar - self.tau * logp", "self.Qbar + self.tau * logp")), ("csar.agents.*",),
           tags=("ci",)),
    Mutant("csar.sac_repeats_last_write", f"{_M}:TabularSAC.update",
           "the critic step by fancy-indexed += (q[idx] += lr (y - q[idx])): a repeated (s, a) keeps only its last "
           "target (invisible when every cell appears once or all its targets agree)",
           source_edit(("q[seen] += self.lr * (tot[seen] / cnt[seen] - q[seen])",
                        "q[idx] += self.lr * (y - q[idx])")), ("csar.agents.*",), tags=("ci",)),
    Mutant("csar.sac_policy_no_temperature", f"{_M}:TabularSAC.policy",
           "the actor's policy softmax(Q) without the temperature (the critic is right; only the policy is wrong)",
           source_edit(("return softmax(self.Q / self.tau, axis=-1)", "return softmax(self.Q, axis=-1)")),
           ("csar.agents.*",), tags=("ci",)),
]
