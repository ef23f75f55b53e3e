"""``tabular.*``: the exact-ratio tabular worlds checked against exact finite-sample laws and exact identities.

Every other family (C-SAR, Le Cam) trusts ``tabular_envs``' exact solvers and samplers, so these checks compare two
independent computations: the linear-solve values/occupancies and Monte Carlo roll-outs of the simulator, via exact
binomial laws; and the closed-form Bayes logits with Bayes' rule on the joint laws.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

import tabular_envs as te
from lrtcheck.stats import binomial_acceptance_region, binomial_power

from ..claims import Claim
from ..evidence import Evidence
from ..registry import check


def _world(seed, n_states, n_actions, gamma):
    mdp = te.random_mdp(n_states, n_actions, gamma=gamma, seed=seed, reward_range=(0.0, 1.0))
    pi = te.random_policy(n_states, n_actions, seed=np.random.SeedSequence(seed).spawn(1)[0])
    return mdp, pi


def _bonferroni_binomial(counts, n, p0, p1, level):
    """Per-cell exact two-sided binomial tests at ``level`` each.

    Returns (ok, pvalues, regions, power_lower_bound).  Under the defect the test rejects at least when the
    most detectable single cell rejects, so ``max_cell power`` is an exact lower bound on the power."""
    regions = [binomial_acceptance_region(n, float(p), level) for p in p0]
    ok = all(r.contains(int(c)) for r, c in zip(regions, counts))
    pvals = np.array([st.binomtest(int(c), n, float(p)).pvalue for c, p in zip(counts, p0)])
    power = max(binomial_power(n, float(a), float(b), level, alternative="two-sided") for a, b in zip(p0, p1))
    return ok, pvals, regions, power


ROLLOUT_CLAIM = Claim(
    id="tabular.rollout.value",
    source="Puterman (1994) sections 5.3 and 6.1; references/offline_mbrl.md section 3.2; DESIGN section 2",
    statement="Roll-outs of the simulator agree with the exact values V = (I - gamma P_pi)^{-1} r_pi: with a "
    "Geometric(1-gamma) stopping time T, E[r(s_T, a_T) | s_0 = s] = (1-gamma) V(s), so the Bernoulli-ised reward "
    "Y ~ Bernoulli((r - r_min)/(r_max - r_min)) has an exactly known success rate per start state.",
    assumptions=("rewards in [r_min, r_max]", "gamma in [0, 1)", "independent roll-outs"),
)


@check(ROLLOUT_CLAIM, quick=dict(n_per_state=4000), full=dict(n_per_state=20000),
       common=dict(n_states=6, n_actions=3, gamma=0.8))
def check_rollout_value(ctx):
    p = ctx.params
    S, A, gamma, n = p["n_states"], p["n_actions"], p["gamma"], p["n_per_state"]
    mdp, pi = _world(ctx.seed("world"), S, A, gamma)
    r_min, r_max = 0.0, 1.0
    V = te.evaluate_policy(mdp, pi)
    p0 = ((1 - gamma) * V - r_min) / (r_max - r_min)
    rng = ctx.rng
    counts = np.empty(S, dtype=np.int64)
    for s in range(S):  # loop over start states; roll-outs are vectorised
        start = te.TabularMDP(mdp.P, mdp.R, np.eye(S)[s], gamma)
        s_T, a_T, _ = te.geometric_stop_samples(start, pi, n, seed=rng)
        r = mdp.R[s_T, a_T]
        counts[s] = int(np.sum(rng.random(n) < (r - r_min) / (r_max - r_min)))
    level = ctx.false_fail_rate / S
    # target defect: the stopping time off by one (numpy's geometric() starts at 1, so T is one step too long):
    # E[r(s_{T+1}, a_{T+1}) | s_0 = s] = (1 - gamma) (P_pi V)(s)
    P_pi, r_pi = te.policy_kernel(mdp, pi)
    p1 = ((1 - gamma) * (P_pi @ V) - r_min) / (r_max - r_min)
    ok, pvals, regions, power = _bonferroni_binomial(counts, n, p0, p1, level)
    # further defects, reported: the evaluation solve with the transposed kernel, and gamma used as gamma^2
    V_t = np.linalg.solve(np.eye(S) - gamma * P_pi.T, r_pi[:, None])[:, 0]
    p_t = ((1 - gamma) * V_t - r_min) / (r_max - r_min)
    g2 = te.TabularMDP(mdp.P, mdp.R, mdp.mu0, gamma ** 2)
    p_g2 = ((1 - gamma) * te.evaluate_policy(g2, pi) - r_min) / (r_max - r_min)
    power_t = max(binomial_power(n, float(a), float(b), level, alternative="two-sided") for a, b in zip(p0, p_t))
    power_g2 = max(binomial_power(n, float(a), float(b), level, alternative="two-sided") for a, b in zip(p0, p_g2))
    worst = int(np.argmin(pvals))
    lo, hi = st.binomtest(int(counts[worst]), n).proportion_ci(1 - level, method="exact")
    return Evidence(
        verdict="holds" if ok else "violated",
        n=n * S,
        estimate=counts[worst] / n,
        lower=lo,
        upper=hi,
        bound=float(p0[worst]),
        p_value=float(min(1.0, S * pvals.min())),
        design=ctx.design("geometric stopping time off by one (T >= 1 instead of T >= 0)",
                          float(np.max(np.abs(p1 - p0))), power, n * S),
        details={"exact_rate": p0.tolist(), "observed_rate": (counts / n).tolist(), "per_state_level": level,
                 "acceptance_regions": [[r.low, r.high] for r in regions], "power_gamma_squared": power_g2,
                 "power_transposed_kernel": power_t, "defect_rates_off_by_one": p1.tolist(), "worst_state": worst},
        message="" if ok else f"state {worst}: {counts[worst]} successes outside [{regions[worst].low}, "
                              f"{regions[worst].high}] (exact rate {p0[worst]:.6g})",
    )


OCC_CLAIM = Claim(
    id="tabular.occupancy.sampling",
    source="Puterman (1994) section 6.9; references/offline_mbrl.md section 3.2",
    statement="The (s, a) of a roll-out stopped at T ~ Geometric(1-gamma) is distributed exactly as the normalised "
    "discounted occupancy d = (1-gamma)(I - gamma P_pi)^{-T} mu0 * pi; every cell count is Binomial(n, d(s,a)).",
    assumptions=("gamma in [0, 1)", "independent roll-outs"),
)


@check(OCC_CLAIM, quick=dict(n=10000), full=dict(n=100000), common=dict(n_states=5, n_actions=3, gamma=0.7))
def check_occupancy_sampling(ctx):
    p = ctx.params
    S, A, gamma, n = p["n_states"], p["n_actions"], p["gamma"], p["n"]
    mdp, pi = _world(ctx.seed("world"), S, A, gamma)
    d = te.occupancy(mdp, pi).ravel()
    s_T, a_T, _ = te.geometric_stop_samples(mdp, pi, n, seed=ctx.rng)
    counts = np.bincount(s_T * A + a_T, minlength=S * A)
    level = ctx.false_fail_rate / (S * A)
    # target defect: the stopping time off by one, so (s_{T+1}, a_{T+1}) ~ (d_s P_pi) * pi
    P_pi, _ = te.policy_kernel(mdp, pi)
    d_bug = (d.reshape(S, A).sum(-1) @ P_pi)[:, None] * pi
    # reported: occupancy solved without the transpose, (I - gamma P_pi)^{-1} mu0 renormalised
    ds_t = np.linalg.solve(np.eye(S) - gamma * P_pi, mdp.mu0[:, None])[:, 0]
    d_t = ((ds_t / ds_t.sum())[:, None] * pi).ravel()
    power_t = max(binomial_power(n, float(a), float(b), level, alternative="two-sided") for a, b in zip(d, d_t))
    ok, pvals, regions, power = _bonferroni_binomial(counts, n, d, d_bug.ravel(), level)
    worst = int(np.argmin(pvals))
    lo, hi = st.binomtest(int(counts[worst]), n).proportion_ci(1 - level, method="exact")
    chi = st.chisquare(counts, n * d)  # reported only (asymptotic); the decision uses the exact per-cell tests
    return Evidence(
        verdict="holds" if ok else "violated",
        n=n,
        estimate=counts[worst] / n,
        lower=lo,
        upper=hi,
        bound=float(d[worst]),
        p_value=float(min(1.0, S * A * pvals.min())),
        design=ctx.design("geometric stopping time off by one (T >= 1 instead of T >= 0)",
                          float(np.max(np.abs(d_bug.ravel() - d))), power, n),
        details={"exact_d": d.tolist(), "observed": (counts / n).tolist(), "per_cell_level": level,
                 "chisquare_pvalue_reported_only": float(chi.pvalue), "worst_cell": worst,
                 "power_untransposed_occupancy": power_t},
        message="" if ok else f"cell {worst}: count {counts[worst]} outside [{regions[worst].low}, "
                              f"{regions[worst].high}] (exact d {d[worst]:.6g})",
    )


BAYES_CLAIM = Claim(
    id="tabular.bayes_logit.identity",
    source="DESIGN section 6; references/offline_mbrl.md section 1.2 (DARC, Eysenbach et al. 2021)",
    statement="The Bayes-optimal env-vs-model (s,a,s') logit equals log p/m + log d_env/d_m + log(rho/(1-rho)); it "
    "equals log p/m only at matched (s,a) marginals and balanced classes; DARC's z_sas' - z_sa recovers log p/m "
    "exactly; the action logit at matched states is log pi/pi_b plus the prior log-odds.",
    assumptions=("finite spaces", "Bayes-optimal classifiers"),
)

_TOL = 1e-9  # float64 round-off of logs of probabilities >= 1e-6, far below any modelling difference


@check(BAYES_CLAIM, stochastic=False, common=dict(n_worlds=6))
def check_bayes_logit_identity(ctx):
    rows = []
    worst_closed, worst_darc, worst_matched, worst_action = 0.0, 0.0, 0.0, 0.0
    min_mismatch = np.inf
    for k in range(ctx.params["n_worlds"]):
        S, A = 4 + k, 2 + k % 3
        mdp = te.random_mdp(S, A, seed=1000 + k, gamma=0.9)
        M = te.perturb_kernel(mdp.P, 0.3 + 0.1 * k, seed=2000 + k).M
        pi_b = te.behaviour_policy(S, A, seed=3000 + k, coverage=0.2)
        pi = te.random_policy(S, A, seed=4000 + k)
        rho = (k + 1) / (ctx.params["n_worlds"] + 2)
        d_env = te.occupancy(mdp, pi_b)
        d_m = te.occupancy(mdp.with_kernel(M), pi)
        z = te.bayes_logit_transition(mdp.P, M, d_env, d_m, rho)
        oracle = te.bayes_logit_from_joint(d_env[..., None] * mdp.P, d_m[..., None] * M, rho)
        lp = te.transition_log_ratio(mdp.P, M)
        z_sa = te.bayes_logit_state_action(d_env, d_m, rho)
        e_closed = float(np.max(np.abs(z - oracle)))
        e_darc = float(np.max(np.abs(te.darc_difference(z, z_sa) - lp)))
        e_matched = float(np.max(np.abs(te.bayes_logit_transition(mdp.P, M, d_env, d_env, 0.5) - lp)))
        mismatch = float(np.max(np.abs(z - lp)))
        ds = d_env.sum(-1)
        za = te.bayes_logit_action(pi, pi_b, ds, ds, rho)
        za_oracle = te.bayes_logit_from_joint(ds[:, None] * pi, ds[:, None] * pi_b, rho)
        e_action = float(np.max(np.abs(za - (te.policy_log_ratio(pi, pi_b) + te.prior_log_odds(rho)))))
        e_action = max(e_action, float(np.max(np.abs(za - za_oracle))))
        worst_closed, worst_darc = max(worst_closed, e_closed), max(worst_darc, e_darc)
        worst_matched, worst_action = max(worst_matched, e_matched), max(worst_action, e_action)
        min_mismatch = min(min_mismatch, mismatch)
        rows.append({"S": S, "A": A, "prior": rho, "closed_vs_bayes_rule": e_closed, "darc_error": e_darc,
                     "matched_error": e_matched, "lone_sas_bias": mismatch, "action_error": e_action})
    ok = (max(worst_closed, worst_darc, worst_matched, worst_action) <= _TOL) and min_mismatch > 1e-3
    return Evidence(
        verdict="holds" if ok else "violated",
        n=0,
        estimate=max(worst_closed, worst_darc, worst_matched, worst_action),
        bound=_TOL,
        details={"worlds": rows, "min_lone_sas_bias": min_mismatch},
        message="" if ok else (f"identity errors: closed {worst_closed:.3g}, DARC {worst_darc:.3g}, matched "
                               f"{worst_matched:.3g}, action {worst_action:.3g}; min lone-sas bias {min_mismatch:.3g}"),
    )
