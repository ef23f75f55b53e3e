"""``csar.agents.soft_optimality``: the agents of C-SAR find the soft-optimal policy of the surrogate.

Claim.  ``soft_vi_policy(mdp, tau)`` is the fixed point ``pi = softmax(Q^pi_tau / tau)`` of the entropy-regularised
Bellman equation, and tabular SAC with the critic target ``y = r + gamma E_{a'~pi}[Qbar(s', a') - tau log
pi(a'|s')]`` (C-SAR paper §5 and §7; Haarnoja et al. 2018, arXiv 1801.01290) converges to the soft-optimal Q when
every (s, a) of a deterministic MDP is in each minibatch (docs/methods/csar.md §6, docs/methods/tabular.md §4).

World.  Random MDPs (``tabular_envs.random_mdp``) at three temperatures, evaluated exactly
(``tabular_envs.soft_evaluate_policy``); a random deterministic MDP (:func:`lrtcheck.worlds.csar.deterministic_mdp`)
whose soft-optimal Q comes from ``tabular_envs.soft_value_iteration``.

Check.  Exact: the fixed-point error and the SAC critic's distance to the soft-optimal Q, both below 1e-6.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar.agents import TabularSAC, soft_vi_policy
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.csar import deterministic_mdp

SOFTOPT = Claim(
    id="csar.agents.soft_optimality",
    source="C-SAR paper §5 and §7 (soft value iteration; SAC critic target); Haarnoja et al. (2018), arXiv "
    "1801.01290; docs/methods/csar.md §6",
    statement="soft_vi_policy(mdp, tau) is the fixed point pi = softmax(Q^pi_tau / tau) of the entropy-regularised "
    "Bellman equation (checked by exact policy evaluation); tabular SAC fed every (s,a) of a deterministic MDP "
    "converges to the soft-optimal Q.",
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
    # tabular SAC on a deterministic MDP, every (s, a) in each minibatch
    det, nxt, R = deterministic_mdp(ctx.rng, S, A, 0.8)
    tau = 0.5
    q_star = te.soft_value_iteration(det, tau).Q
    agent = TabularSAC(S, A, gamma=0.8, temperature=tau)
    s = np.repeat(np.arange(S), A)
    a = np.tile(np.arange(A), S)
    for _ in range(ctx.params["sac_updates"]):
        agent.update(s, a, R[s, a], nxt[s, a])
    worst_sac = float(np.max(np.abs(agent.Q - q_star)))
    decision = exact_decision(worst_vi < 1e-6 and worst_sac < 1e-6, estimate=max(worst_vi, worst_sac), bound=1e-6,
                              name="soft-optimality error",
                              message=f"soft VI fixed-point error {worst_vi:.3g}, SAC Q error {worst_sac:.3g}")
    return Evidence.from_decision(decision, details={"soft_vi_fixed_point_error": worst_vi,
                                                     "sac_q_error": worst_sac})


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
]
