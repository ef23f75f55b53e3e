"""``tabular.rollout`` and ``tabular.occupancy``: roll-outs of the simulator agree with the exact linear solves.

Claims.  With a stopping time ``T ~ Geometric(1 - gamma)`` on {0, 1, ...} independent of the trajectory (Puterman
1994, §5.3 and §6.9; docs/methods/tabular.md §7): the stopped pair is distributed exactly as the normalised
discounted occupancy, ``P(s_T = s, a_T = a) = d(s, a) = [(1 - gamma)(I - gamma P_pi)^{-T} mu0](s) pi(a|s)``, and
``E[r(s_T, a_T) | s_0 = s] = (1 - gamma) V(s)`` with ``V = (I - gamma P_pi)^{-1} r_pi``.

World.  A fixed random MDP with a random policy (:func:`lrtcheck.worlds.tabular.random_policy_world`): the exact
values and occupancy are its linear solves.  Making the reward Bernoulli, ``Y ~ Bernoulli((r - r_min)/(r_max -
r_min))``, gives every start state an exactly known success rate ``((1 - gamma) V(s) - r_min)/(r_max - r_min)``.

Checks.  Exact per-cell binomial tests (a count per start state, a count per (s, a) cell), each at its share
``split_share(share, K)``, joined by Bonferroni; the smallest p-value's cell is reported.  The target defect is the
stopping time off by one (numpy's ``geometric()`` starts at 1): then the stopped pair follows ``(d_s P_pi) * pi``
and the success rate ``(1 - gamma)(P_pi V)(s)``; the power is the exact power of the most detectable cell (a lower
bound on the joint power).  The occupancy check also asserts, exactly, that the solved ``d`` sums to 1.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.stats import binomial_power
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision, split_share
from lrtcheck.worlds.tabular import WORLD_SEED, random_policy_world, started_at

ROLLOUT_CLAIM = Claim(
    id="tabular.rollout.value",
    source="Puterman (1994) sections 5.3 and 6.1; docs/methods/tabular.md §3 and §7",
    statement="Roll-outs of the simulator agree with the exact values V = (I - gamma P_pi)^{-1} r_pi: with a "
    "Geometric(1-gamma) stopping time T, E[r(s_T, a_T) | s_0 = s] = (1-gamma) V(s), so the Bernoulli-ised reward "
    "Y ~ Bernoulli((r - r_min)/(r_max - r_min)) has an exactly known success rate per start state.",
    assumptions=("rewards in [r_min, r_max]", "gamma in [0, 1)", "independent roll-outs"),
)

OCC_CLAIM = Claim(
    id="tabular.occupancy.sampling",
    source="Puterman (1994) section 6.9; docs/methods/tabular.md §3 and §7",
    statement="The (s, a) of a roll-out stopped at T ~ Geometric(1-gamma) is distributed exactly as the normalised "
    "discounted occupancy d = (1-gamma)(I - gamma P_pi)^{-T} mu0 * pi; every cell count is Binomial(n, d(s,a)).",
    assumptions=("gamma in [0, 1)", "independent roll-outs"),
)

OFF_BY_ONE = "geometric stopping time off by one (T >= 1 instead of T >= 0)"


def per_cell_counts(counts, n, rates, defect_rates, share):
    """One exact two-sided ``Bin(n, rate)`` decision per cell at ``split_share(share, K)``, joined by Bonferroni
    (the smallest p-value's cell reported; the power that of the most detectable cell, every cell seeing the same
    defect); returns ``(joint, cells)``."""
    level = split_share(share, len(rates))
    cells = [binomial_count_decision(int(c), n, float(a), level, defect_rate=float(b), target_defect=OFF_BY_ONE,
                                     name=f"cell {i}")
             for i, (c, a, b) in enumerate(zip(counts, rates, defect_rates))]
    return bonferroni(cells, share, report="smallest_p", same_defect=True), cells


def _best_power(n, rates, defect_rates, level) -> float:
    """Exact power of the most detectable cell against a reported (not decided) defect."""
    return max(binomial_power(n, float(a), float(b), level, alternative="two-sided")
               for a, b in zip(rates, defect_rates))


@check(ROLLOUT_CLAIM, quick=dict(n_per_state=4000), full=dict(n_per_state=20000),
       common=dict(n_states=6, n_actions=3, gamma=0.8))
def check_rollout_value(ctx):
    p = ctx.params
    S, A, gamma, n = p["n_states"], p["n_actions"], p["gamma"], p["n_per_state"]
    mdp, pi = random_policy_world(S, A, gamma, WORLD_SEED)
    r_min, r_max = 0.0, 1.0
    V = te.evaluate_policy(mdp, pi)
    p0 = ((1 - gamma) * V - r_min) / (r_max - r_min)
    rng = ctx.rng
    counts = np.empty(S, dtype=np.int64)
    for s in range(S):  # loop over start states; roll-outs are vectorised
        s_T, a_T, _ = te.geometric_stop_samples(started_at(mdp, s), pi, n, seed=rng)
        r = mdp.R[s_T, a_T]
        counts[s] = int(np.sum(rng.random(n) < (r - r_min) / (r_max - r_min)))
    # target defect: the stopping time off by one: E[r(s_{T+1}, a_{T+1}) | s_0 = s] = (1 - gamma) (P_pi V)(s)
    P_pi, r_pi = te.policy_kernel(mdp, pi)
    p1 = ((1 - gamma) * (P_pi @ V) - r_min) / (r_max - r_min)
    decision, cells = per_cell_counts(counts, n, p0, p1, ctx.false_fail_rate)
    level = cells[0].share
    # further defects, reported: the evaluation solve with the transposed kernel, and gamma used as gamma^2
    V_t = np.linalg.solve(np.eye(S) - gamma * P_pi.T, r_pi[:, None])[:, 0]
    p_t = np.clip(((1 - gamma) * V_t - r_min) / (r_max - r_min), 0.0, 1.0)  # the transposed solve can leave [0, 1]
    g2 = te.TabularMDP(mdp.P, mdp.R, mdp.mu0, gamma ** 2)
    p_g2 = ((1 - gamma) * te.evaluate_policy(g2, pi) - r_min) / (r_max - r_min)
    worst = int(np.argmin([c.p_value for c in cells]))
    region = cells[worst].region
    return Evidence.from_decision(
        decision, n=n * S, defect_size=float(np.max(np.abs(p1 - p0))),
        details={"exact_rate": p0.tolist(), "observed_rate": (counts / n).tolist(), "per_state_level": level,
                 "acceptance_regions": [list(c.region) for c in cells],
                 "power_gamma_squared": _best_power(n, p0, p_g2, level),
                 "power_transposed_kernel": _best_power(n, p0, p_t, level), "defect_rates_off_by_one": p1.tolist(),
                 "worst_state": worst},
        message="" if decision.holds else (f"state {worst}: {counts[worst]} successes outside [{region[0]}, "
                                           f"{region[1]}] (exact rate {p0[worst]:.6g})"),
    )


@check(OCC_CLAIM, quick=dict(n=10000), full=dict(n=100000), common=dict(n_states=5, n_actions=3, gamma=0.7))
def check_occupancy_sampling(ctx):
    p = ctx.params
    S, A, gamma, n = p["n_states"], p["n_actions"], p["gamma"], p["n"]
    mdp, pi = random_policy_world(S, A, gamma, WORLD_SEED)
    d = te.occupancy(mdp, pi).ravel()
    s_T, a_T, _ = te.geometric_stop_samples(mdp, pi, n, seed=ctx.rng)
    counts = np.bincount(s_T * A + a_T, minlength=S * A)
    # target defect: the stopping time off by one, so (s_{T+1}, a_{T+1}) ~ (d_s P_pi) * pi
    P_pi, _ = te.policy_kernel(mdp, pi)
    d_bug = (d.reshape(S, A).sum(-1) @ P_pi)[:, None] * pi
    # reported: occupancy solved without the transpose, (I - gamma P_pi)^{-1} mu0 renormalised
    ds_t = np.linalg.solve(np.eye(S) - gamma * P_pi, mdp.mu0[:, None])[:, 0]
    d_t = ((ds_t / ds_t.sum())[:, None] * pi).ravel()
    cells_joint, cells = per_cell_counts(counts, n, d, d_bug.ravel(), ctx.false_fail_rate)
    level = cells[0].share
    # the exact d must itself be a probability law (a solver that drops the (1-gamma) factor or the transpose
    # returns a vector of the wrong mass); the chi-square statistic needs it
    mass = float(d.sum())
    mass_ok = exact_decision(abs(mass - 1.0) <= 1e-9, estimate=mass, bound=1.0, name="exact d sums to 1",
                             message=f"the exact occupancy sums to {mass:.12g}, not 1")
    decision = bonferroni([cells_joint, mass_ok], ctx.false_fail_rate)
    # reported only (asymptotic); the decision uses the exact per-cell tests
    chi_p = float(st.chisquare(counts, n * d).pvalue) if mass_ok.holds else float("nan")
    worst = int(np.argmin([c.p_value for c in cells]))
    region = cells[worst].region
    return Evidence.from_decision(
        decision, defect_size=float(np.max(np.abs(d_bug.ravel() - d))),
        details={"exact_d": d.tolist(), "observed": (counts / n).tolist(), "per_cell_level": level,
                 "chisquare_pvalue_reported_only": chi_p, "worst_cell": worst, "exact_d_mass": mass,
                 "power_untransposed_occupancy": _best_power(n, d, d_t, level)},
        message="" if decision.holds else (mass_ok.message if not mass_ok.holds else
                                           f"cell {worst}: count {counts[worst]} outside [{region[0]}, "
                                           f"{region[1]}] (exact d {d[worst]:.6g})"),
    )


def _rates(ev, key) -> list:
    """The per-cell rates ``details[key]`` (Skip when they are not a list: the figure is left out)."""
    rates = detail(ev, key)
    if not isinstance(rates, list):
        raise Skip(f"{key} is not a list")
    return rates


@figure(check_rollout_value)
def rollout_rate_scatter(ev) -> list[Spec]:
    """Each start state's Monte Carlo success rate against its exact rate."""
    ex, ob = _rates(ev, "exact_rate"), _rates(ev, "observed_rate")
    return [{"kind": "scatter", "title": "Rollout success rate per start state vs exact value",
             "points": [{"label": "per start state", "x": ex, "y": ob, "line": False}], "diagonal": True,
             "xlabel": "exact rate (linear solve)", "ylabel": "Monte Carlo rate",
             "caption": "Each state's Monte Carlo rate falls on the diagonal within its exact binomial region."}]


@figure(check_occupancy_sampling)
def occupancy_scatter(ev) -> list[Spec]:
    """Each cell's sampled frequency against the exact discounted occupancy."""
    ex, ob = _rates(ev, "exact_d"), _rates(ev, "observed")
    return [{"kind": "scatter", "title": "Sampled occupancy vs exact discounted occupancy",
             "points": [{"label": "per cell", "x": ex, "y": ob, "line": False}], "diagonal": True,
             "xlabel": "exact d(s, a)", "ylabel": "sampled frequency",
             "caption": "Cells fall on the diagonal: the sampler draws from the exact discounted occupancy."}]


_ROLLOUT, _OCC, _SOLVE = "tabular.rollout.value", "tabular.occupancy.sampling", "tabular.solvers.exact"

MUTANTS = [
    Mutant("tabular.geometric_off_by_one", "tabular_envs.datasets:geometric_stop_samples",
           "the stopping time off by one: numpy's geometric() (support 1, 2, ...) used as the number of transitions",
           source_edit(("T = rng.geometric(1.0 - g, size=n) - 1 if g > 0 else np.zeros(n, dtype=np.int64)",
                        "T = rng.geometric(1.0 - g, size=n) if g > 0 else np.ones(n, dtype=np.int64)")),
           (_ROLLOUT, _OCC), tags=("ci",), declares=(_ROLLOUT, _OCC)),
    Mutant("tabular.occupancy_unnormalised", "tabular_envs.solvers:state_occupancy",
           "the occupancy not normalised by (1 - gamma): the discounted visit counts (summing to 1/(1-gamma))",
           source_edit(("return (1.0 - _gamma(mdp, 1)) * d", "return d")), (_OCC, _SOLVE), tags=("ci",)),
    Mutant("tabular.occupancy_untransposed", "tabular_envs.solvers:state_occupancy",
           "the occupancy solved with (I - gamma P_pi)^{-1} mu0 (the value equation) instead of the transpose",
           source_edit(("_solve(np.swapaxes(_system(mdp, P_pi), -1, -2), mdp.mu0)",
                        "_solve(_system(mdp, P_pi), mdp.mu0)")),
           (_OCC, _SOLVE), tags=("ci",)),
]
