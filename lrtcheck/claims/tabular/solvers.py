"""``tabular.solvers.exact``: the exact solvers satisfy their defining equations.

Claim.  Policy evaluation, Q-values, the occupancy and the return solve their equations (Puterman 1994, §6.1-6.4
and §6.9; docs/methods/tabular.md §3): ``V^pi = r_pi + gamma P_pi V^pi``, ``Q = r + gamma P V``,
``sum_a pi Q = V``, the occupancy sums to 1 and solves the flow equation ``d_s = (1 - gamma) mu0 + gamma sum d P``,
``J = mu0 . V = <d, r>/(1 - gamma)``.  Value and policy iteration solve the Bellman optimality equation and dominate
every policy; soft value iteration at temperature tau solves ``V = tau log sum_a pi0 exp(Q/tau)``,
``pi = pi0 exp((Q - V)/tau)``, and its policy maximises the soft value ``(I - gamma P_pi)^{-1}(r_pi + tau H(pi))``
(docs/methods/tabular.md §4; Haarnoja et al. 2018, arXiv 1801.01290; Bacon, *rlbook*, "Smooth Bellman optimality
equations").  On the risky chain, ``Q(START, RISKY) - Q(START, SAFE) = gamma/(1 - gamma)(q r_good + (1 - q) r_bad
- r_safe)`` (docs/methods/tabular.md §2).

World.  Random, sparse, near-gamma = 1, chain and grid MDPs with random and uniform policies, batches with their own
gamma, and risky chains (:mod:`lrtcheck.worlds.tabular`).

Check.  Exact: every identity's residual is computed from (P, R, mu0, gamma) alone (the check's own ``P_pi``,
``r_pi``, entropy and soft value, never the solver's), in units of its tolerance (1e-9 of the value scale
``1/(1 - gamma)`` for linear solves, 1e-8 for the iterative solvers, which also must converge within their
contraction and Howard bounds); the decision is exact: the worst residual is at most one tolerance unit.
"""

from __future__ import annotations

import numpy as np

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.tabular import (RISKY_CHAIN_REWARDS, RISKY_CHAIN_SETTINGS, batched_evaluation_world,
                                     batched_soft_world, solver_worlds)

SOLVER_CLAIM = Claim(
    id="tabular.solvers.exact",
    source="Puterman (1994) sections 6.1-6.4 and 6.9; docs/methods/tabular.md §2-§4; Bacon, rlbook, "
    "'Smooth Bellman optimality equations'",
    statement="The exact solvers satisfy their defining equations, verified by residuals the check computes from "
    "(P, R, mu0, gamma) alone: V^pi = r_pi + gamma P_pi V^pi; sum_a pi Q = V^pi and Q = r + gamma P V; the occupancy "
    "sums to 1 and solves the flow equation d_s = (1-gamma) mu0 + gamma sum_{s,a} d P, with mu0.V = <d, r>/(1-gamma); "
    "value and policy iteration solve the Bellman optimality equation and dominate random policies; soft value "
    "iteration at temperature tau solves V = tau log sum_a pi0 exp(Q/tau), pi = pi0 exp((Q - V)/tau), and its policy "
    "maximises the soft value V^pi = (I - gamma P_pi)^{-1}(r_pi + tau H(pi)); batched solves (per-MDP gamma) agree; "
    "on the risky chain Q(START, RISKY) - Q(START, SAFE) = gamma/(1-gamma) (q r_good + (1-q) r_bad - r_safe).",
    assumptions=("gamma in [0, 1)", "finite S and A"),
)

_SOLVER_TOL = 1e-9  # relative to the value scale 1/(1-gamma): float64 round-off of well-conditioned solves
_VI_TOL = 1e-8  # value iteration is stopped within 1e-10 of its fixed point; the margin covers the contraction


def _own_pi_kernel(P, R, pi):
    """``(P_pi, r_pi)`` from the definitions, per (unbatched) MDP."""
    return np.einsum("sa,sat->st", pi, P), np.sum(pi * R, axis=-1)


def _own_entropy(pi):
    safe = np.where(pi > 0, pi, 1.0)
    return -np.sum(np.where(pi > 0, pi * np.log(safe), 0.0), axis=-1)


def _own_soft_value(P, R, gamma, pi, tau):
    P_pi, r_pi = _own_pi_kernel(P, R, pi)
    return np.linalg.solve(np.eye(P.shape[0]) - gamma * P_pi, r_pi + tau * _own_entropy(pi))


def _vi_sweep_bound(gamma: float, first_change: float, tol: float = 1e-10) -> int:
    """Sweeps value iteration needs from V_0 = 0 at the default ``tol``: the change after sweep k is at most
    ``gamma^(k-1) ||V_1 - V_0||`` (contraction) and the loop stops once it is <= ``tol (1 - gamma)/gamma``."""
    stop = tol * (1.0 - gamma) / gamma
    if first_change <= stop:
        return 1
    return 1 + int(np.ceil(np.log(stop / first_change) / np.log(gamma)))


def _howard_bound(n_states: int, n_actions: int, gamma: float) -> int:
    """Howard's policy iteration stops within n (m - 1) ceil(log(1/(1-gamma)) / (1-gamma)) improvement steps
    (Scherrer 2016, 'Improved and generalized upper bounds on the complexity of policy iteration', Thm 4),
    plus the final step that finds no improvement."""
    return n_states * max(1, n_actions - 1) * int(np.ceil(np.log(1.0 / (1.0 - gamma)) / (1.0 - gamma))) + 1


def _evaluation_and_optimality(record, world):
    """Evaluation, Q, occupancy and return identities under every policy of ``world``, then value and policy
    iteration (run with the iteration caps their convergence theory allows); returns the world's table row, or
    ``None`` when policy iteration did not converge within Howard's bound."""
    mdp, pis = world.mdp, world.policies
    P, R, mu0, gamma = mdp.P, mdp.R, mdp.mu0, float(mdp.gamma)
    S, A = mdp.n_states, mdp.n_actions
    H = 1.0 / (1.0 - gamma)
    for pi in pis:
        P_pi, r_pi = _own_pi_kernel(P, R, pi)
        V = te.evaluate_policy(mdp, pi)
        record("bellman_evaluation", np.max(np.abs(V - r_pi - gamma * P_pi @ V)), H)
        Q = te.q_values(mdp, pi)
        record("q_backup", np.max(np.abs(Q - R - gamma * P @ V)), H)
        record("q_average_is_v", np.max(np.abs(np.sum(pi * Q, axis=-1) - V)), H)
        d = te.occupancy(mdp, pi)
        ds = d.sum(axis=-1)
        record("occupancy_mass", abs(d.sum() - 1.0))
        record("occupancy_factorises", np.max(np.abs(d - ds[:, None] * pi)))
        flow = (1.0 - gamma) * mu0 + gamma * np.einsum("sa,sat->t", d, P)
        record("occupancy_flow", np.max(np.abs(ds - flow)))
        J = float(te.policy_return(mdp, pi))
        record("return_identity", abs(J - float(mu0 @ V)), H)
        record("return_occupancy", abs(J - float(np.sum(d * R)) / (1.0 - gamma)), H)
        for tau in record.temperatures:
            Vs = te.soft_evaluate_policy(mdp, pi, tau)
            record("soft_evaluation", np.max(np.abs(Vs - r_pi - tau * _own_entropy(pi) - gamma * P_pi @ Vs)),
                   H * (1.0 + tau * np.log(A)))
    # optimality: value iteration and policy iteration solve V = max_a (r + gamma P V) and dominate
    vi_cap = _vi_sweep_bound(gamma, float(np.max(np.abs(np.max(R, axis=-1))))) + 1
    vi = te.value_iteration(mdp, max_iter=vi_cap)
    # converged (its last change below the stopping threshold) within the contraction bound, one sweep of slack
    record("vi_converged_within_contraction_bound", 0.0 if vi.residual <= 1e-10 * (1 - gamma) / gamma else np.inf)
    try:
        pol = te.policy_iteration(mdp, max_iter=_howard_bound(S, A, gamma))
    except RuntimeError:
        record("pi_converged_within_howard_bound", np.inf)
        return None
    for name, res, tol in (("vi", vi, _VI_TOL), ("pi", pol, _SOLVER_TOL)):
        T = np.max(R + gamma * P @ res.V, axis=-1)
        record(f"{name}_bellman_optimality", np.max(np.abs(res.V - T)), H, tol)
        record(f"{name}_q", np.max(np.abs(res.Q - R - gamma * P @ res.V)), H, tol)
        P_g, r_g = _own_pi_kernel(P, R, res.policy)
        V_g = np.linalg.solve(np.eye(S) - gamma * P_g, r_g)
        record(f"{name}_greedy_value", np.max(np.abs(V_g - res.V)), H, tol)
        for pi in pis:
            P_pi, r_pi = _own_pi_kernel(P, R, pi)
            V_pi = np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi)
            record(f"{name}_dominates", max(0.0, float(np.max(V_pi - res.V))), H, tol)
    return {"world": world.label, "S": S, "A": A, "gamma": gamma, "J_uniform": float(te.policy_return(mdp, pis[-1])),
            "V_star_mean": float(np.mean(pol.V))}


def _batched(record):
    """Four MDPs with their own gamma in one solve agree with the definitions per MDP."""
    w = batched_evaluation_world()
    Vb = te.evaluate_policy(w.mdp, w.policies)
    db = te.occupancy(w.mdp, w.policies)
    for i, g in enumerate(w.gammas):
        P_pi, r_pi = _own_pi_kernel(w.base.P[i], w.base.R[i], w.policies[i])
        record("batched_bellman", np.max(np.abs(Vb[i] - r_pi - g * P_pi @ Vb[i])), 1.0 / (1.0 - g))
        ds = db[i].sum(-1)
        flow = (1.0 - g) * w.base.mu0[i] + g * np.einsum("sa,sat->t", db[i], w.base.P[i])
        record("batched_flow", np.max(np.abs(ds - flow)))


def _soft_value_iteration(record, n_policies):
    """Soft value iteration, entropy- and KL-regularised, on a batch of MDPs with their own gamma (one call each)."""
    w = batched_soft_world(n_policies)
    sbase, sg = w.base, w.gammas
    for tau in record.temperatures:
        for ref_name, pi0 in (("entropy", None), ("kl", w.reference)):
            log_w = 0.0 if pi0 is None else np.log(pi0)
            first = float(np.max(np.abs(tau * np.log(np.sum(np.exp(sbase.R / tau + log_w), axis=-1)))))
            sv_cap = _vi_sweep_bound(float(sg.max()), first) + 1
            sv = te.soft_value_iteration(w.mdp, tau, reference=pi0, max_iter=sv_cap)
            g_max = float(sg.max())
            record("soft_vi_converged_within_contraction_bound",
                   0.0 if sv.residual <= 1e-10 * (1 - g_max) / g_max else np.inf)
            for b, g in enumerate(sg):
                P, R = sbase.P[b], sbase.R[b]
                Qb, Vb_, pib = sv.Q[b], sv.V[b], sv.policy[b]
                w0 = np.ones((4, 3)) if pi0 is None else pi0[b]
                scale = (1.0 + tau * np.log(3)) / (1.0 - g)
                top = np.max(Qb, -1)
                V_soft = tau * np.log(np.sum(w0 * np.exp((Qb - top[:, None]) / tau), -1)) + top
                record("soft_vi_logsumexp", np.max(np.abs(Vb_ - V_soft)), scale, _VI_TOL)
                record("soft_vi_q", np.max(np.abs(Qb - R - g * P @ Vb_)), scale, _VI_TOL)
                pi_soft = w0 * np.exp((Qb - Vb_[:, None]) / tau)
                record("soft_vi_policy", np.max(np.abs(pib - pi_soft)), 1.0, _VI_TOL)
                if pi0 is None:
                    # the soft-optimal policy's soft value is V, and no other policy's is larger
                    own = _own_soft_value(P, R, g, pib, tau)
                    record("soft_vi_value_of_policy", np.max(np.abs(own - Vb_)), scale, _VI_TOL)
                    se = te.soft_evaluate_policy(te.TabularMDP(P, R, sbase.mu0[b], g), pib, tau)
                    record("soft_evaluate_optimal", np.max(np.abs(se - Vb_)), scale, _VI_TOL)
                    for pi in [s_[b] for s_ in w.policies] + [np.full((4, 3), 1.0 / 3)]:
                        gap = float(np.max(_own_soft_value(P, R, g, pi, tau) - Vb_))
                        record("soft_vi_dominates", max(0.0, gap), scale, _VI_TOL)


def _risky_chain(record):
    """The risky chain's closed-form gap and kernel."""
    rg, rb, rs, r0 = RISKY_CHAIN_REWARDS
    rc = te.RiskyChain
    for q, g in RISKY_CHAIN_SETTINGS:
        mdp = te.risky_chain(q, gamma=g, reward_good=rg, reward_bad=rb, reward_safe=rs, reward_start=r0)
        Q = te.q_values(mdp, np.full((rc.N_STATES, rc.N_ACTIONS), 0.5))
        closed = g / (1.0 - g) * (q * rg + (1.0 - q) * rb - rs)
        record("risky_chain_gap", abs(Q[rc.START, rc.RISKY] - Q[rc.START, rc.SAFE] - closed), 1.0 / (1.0 - g))
        record("risky_chain_kernel", abs(mdp.P[rc.START, rc.RISKY, rc.GOOD] - q))


class _Residuals:
    """The worst error of each identity in units of its tolerance ``tol * scale`` (1 = at the limit)."""

    def __init__(self, temperatures):
        self.errors: dict[str, float] = {}
        self.temperatures = temperatures

    def __call__(self, name, value, scale=1.0, tol=_SOLVER_TOL):
        self.errors[name] = max(self.errors.get(name, 0.0), float(value) / float(scale * tol))


@check(SOLVER_CLAIM, stochastic=False, common=dict(n_policies=3, temperatures=(0.25, 3.0)))
def check_solvers_exact(ctx):
    p = ctx.params
    record = _Residuals(p["temperatures"])
    rows = []
    for world in solver_worlds(p["n_policies"]):
        row = _evaluation_and_optimality(record, world)
        if row is not None:
            rows.append(row)
    _batched(record)
    _soft_value_iteration(record, p["n_policies"])
    _risky_chain(record)

    errors = record.errors
    worst_name = max(errors, key=errors.get)
    worst = errors[worst_name]
    bad = {k: v for k, v in errors.items() if v > 1.0}
    decision = exact_decision(worst <= 1.0, estimate=worst, bound=1.0, name="worst residual / tolerance",
                              message="identities violated (error / tolerance): "
                              + ", ".join(f"{k} {v:.3g}" for k, v in bad.items()))
    return Evidence.from_decision(
        decision,
        details={"errors_in_tolerance_units": errors, "worst_identity": worst_name, "tolerance": _SOLVER_TOL,
                 "value_iteration_tolerance": _VI_TOL, "worlds": rows},
    )


_ROLLOUT, _OCC, _SOLVE = "tabular.rollout.value", "tabular.occupancy.sampling", "tabular.solvers.exact"
_SOLVERS = "tabular_envs.solvers"

MUTANTS = [
    Mutant("tabular.eval_gamma_squared", f"{_SOLVERS}:evaluate_policy",
           "gamma applied twice in policy evaluation (once in the caller, once in the system matrix): "
           "V = (I - gamma^2 P_pi)^{-1} r_pi",
           source_edit(("return _solve(_system(mdp, P_pi), r_pi)",
                        "g = _gamma(mdp, 2)\nreturn _solve(np.eye(mdp.n_states) - g * (g * P_pi), r_pi)")),
           (_ROLLOUT, _SOLVE), tags=("ci",)),
    Mutant("tabular.eval_transposed_kernel", f"{_SOLVERS}:evaluate_policy",
           "the transposed system (I - gamma P_pi)^T of the occupancy solve reused for the values",
           source_edit(("_solve(_system(mdp, P_pi), r_pi)", "_solve(np.swapaxes(_system(mdp, P_pi), -1, -2), r_pi)")),
           (_ROLLOUT, _SOLVE), tags=("ci",)),
    Mutant("tabular.q_backup_no_gamma", f"{_SOLVERS}:q_values", "gamma dropped from the one-step backup: Q = r + P V",
           source_edit(("mdp.R + _gamma(mdp, 2) * np.einsum(", "mdp.R + np.einsum(")), (_SOLVE,), tags=("ci",)),
    Mutant("tabular.policy_kernel_axes", f"{_SOLVERS}:policy_kernel",
           "the kernel indexed destination-first, P[s', a, s], as in another code base's convention",
           source_edit(('np.einsum("...sa,...sat->...st", pi, mdp.P)', 'np.einsum("...sa,...tas->...st", pi, mdp.P)')),
           (_ROLLOUT, _OCC, _SOLVE), tags=("ci",)),
    Mutant("tabular.soft_vi_temperature_inverted", f"{_SOLVERS}:soft_value_iteration",
           "the soft-VI temperature inverted: an inverse temperature beta = 1/tau passed where tau is expected",
           source_edit(('tau = check_positive("temperature", temperature)',
                        'tau = 1.0 / check_positive("temperature", temperature)')), (_SOLVE,), tags=("ci",)),
    Mutant("tabular.soft_eval_entropy_sign", f"{_SOLVERS}:soft_evaluate_policy",
           "the entropy bonus with the wrong sign: tau * sum_a pi log pi added instead of tau * H(pi)",
           source_edit(("ent = -np.sum(", "ent = np.sum(")), (_SOLVE,), tags=("ci",)),
    Mutant("tabular.risky_chain_q_flipped", "tabular_envs.generators:risky_chain",
           "the risky chain's q read as the probability of reaching BAD instead of GOOD",
           wrapper(inputs=lambda q, **kwargs: ((1.0 - q,), kwargs)), (_SOLVE,), tags=("ci",)),
]
