"""``csar.reward.*``: the certified reward is a pessimistic sandwich of the ideal one, the ideal reward is bounded by
its clip, and the printed bound on the certified reward is wrong.

Claims.  Per transition, ``r_C = log r + 1_env beta (ell_pi_hat - eps_pi) + 1_model alpha (ell_p_hat - eps_p)`` and
``r* = log r + 1_env beta clip_L(ell_pi) + 1_model alpha clip_L(ell_p)`` (C-SAR paper §5 and §7); on the certified
event ``0 <= r* - r_C <= 2 alpha eps_p`` (model) or ``2 beta eps_pi`` (env); ``|r*| <= max|log r| + max(alpha,
beta) L``, attained at saturated ratios; the paper's ``|r_C| <= max|log r| + (alpha + beta) L`` (§3, §5) fails,
``ell_hat - eps`` ranges over ``[-2L, L]``
(docs/methods/csar.md §5, docs/paper_errors.md §1.2).

World.  The per-cell world (:func:`lrtcheck.worlds.csar.percell_world`) with per-cell Clopper-Pearson
certificates for the sandwich, on model transitions (ell_p) and on environment transitions (ell_pi of a fixed
target policy against the behaviour: the policy-shift certificate), alpha and beta drawn per replication; random
log-rewards and log-ratios (Cauchy tails, infinities included) for the
bounds.

Checks.  ``csar.reward.sandwich``: the sandwich pointwise on the certified event (exact, every cell of every
replication, seed and sound radii) and the covering count against ``Bin(R, c_exact)`` at the full share (defect:
union bound omitted).  ``csar.reward.ideal_clipped`` and ``csar.reward.bound`` (``fails``) are exact.
"""

from __future__ import annotations

import math

import numpy as np

import tabular_envs as te
from lrtcheck.certify import FAILS, Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure, finding, fmt
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import (PerCellClopperPearson, certified_reward, ideal_reward, logit_certificate, reward_bound,
                           seed_reward_bound)
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision
from lrtcheck.worlds.csar import PERCELL_WORLD_SEED, percell_world

SANDWICH = Claim(
    id="csar.reward.sandwich",
    source="C-SAR paper §5 and §7 (pointwise sandwich); docs/methods/csar.md §5",
    statement="On the certified event, 0 <= r* - r_C <= 2 alpha eps_p (model) / 2 beta eps_pi (env); with per-cell "
    "certificates the Monte Carlo frequency of the covering event follows Binomial(R, c_exact).",
)


@check(SANDWICH, quick=dict(n_per_cell=30, delta=0.1, replications=1000),
       full=dict(n_per_cell=60, delta=0.1, replications=10000))
def check_reward_sandwich(ctx):
    """Sandwich violations on the certified event (exact, must be 0; with the sound radius, interval containment
    must imply the event) and the count of replications covering every cell against ``Bin(R, c_exact)``."""
    p = ctx.params
    world = percell_world()
    w = world.tabular
    S, A = w.n_states, w.n_actions
    K, n, delta, R = world.n_cells, p["n_per_cell"], p["delta"], p["replications"]
    ell = world.ell
    c_exact = world.simultaneous_coverage(n, delta / K)
    c_defect = world.simultaneous_coverage(n, delta)
    lr = np.broadcast_to(w.log_r[..., None], (S, A, S)).ravel()
    succ = ctx.rng.binomial(n, world.u, size=(R, K))
    # policy shift: a fixed target policy against the behaviour, per-cell certificates of ell_pi on env transitions
    pi_t = te.random_policy(S, A, seed=PERCELL_WORLD_SEED + 1)
    u_pi = (pi_t / (pi_t + w.behaviour)).ravel()
    ell_pi = te.policy_log_ratio(pi_t, w.behaviour).ravel()
    lr_sa = w.log_r.ravel()
    succ_pi = ctx.rng.binomial(n, u_pi, size=(R, S * A))
    ab = ctx.rng.uniform(0.1, 2.0, size=(R, 2))  # alpha != beta, drawn per replication
    covered = violations = env_events = 0
    for r in range(R):
        alpha, beta = ab[r]
        m = PerCellClopperPearson(K, delta).fit_counts(np.full(K, n), succ[r])
        m_pi = PerCellClopperPearson(S * A, delta).fit_counts(np.full(S * A, n), succ_pi[r])
        for radius in ("seed", "sound"):
            cert = logit_certificate(*m.predict_interval(np.arange(K)), clip=w.clip, radius=radius)
            event = cert.covers(ell)
            rc = certified_reward(lr, False, ell_p=cert.ell_hat, eps_p=cert.radius, ell_pi=0.0, eps_pi=0.0,
                                  alpha=alpha, beta=beta)
            rs = ideal_reward(lr, False, ell_p=ell, ell_pi=0.0, alpha=alpha, beta=beta, clip=w.clip)
            gap = rs - rc
            bad = event & ((gap < -1e-12) | (gap > 2 * alpha * cert.radius + 1e-12))
            violations += int(bad.sum())
            cert_pi = logit_certificate(*m_pi.predict_interval(np.arange(S * A)), clip=w.clip, radius=radius)
            event_pi = cert_pi.covers(ell_pi)
            gap_env = (ideal_reward(lr_sa, True, ell_p=0.0, ell_pi=ell_pi, alpha=alpha, beta=beta, clip=w.clip)
                       - certified_reward(lr_sa, True, ell_p=0.0, eps_p=0.0, ell_pi=cert_pi.ell_hat,
                                          eps_pi=cert_pi.radius, alpha=alpha, beta=beta))
            violations += int(np.sum(event_pi & ((gap_env < -1e-12) | (gap_env > 2 * beta * cert_pi.radius + 1e-12))))
            env_events += int(event_pi.sum())
            if radius == "sound":
                if r == 0:
                    sandwich = {"radius": radius, "r_star": rs, "r_c": rc, "r_c_plus_bound": rc + 2 * alpha *
                                cert.radius, "event": event}
                violations += int(np.any(cert.interval_covers(ell) & ~event))
                covered += int(np.all(cert.interval_covers(ell)))
    count = binomial_count_decision(covered, R, c_exact, ctx.false_fail_rate, defect_rate=c_defect,
                                    target_defect="union bound omitted in the certificates",
                                    name="replications covering every cell")
    pointwise = exact_decision(violations == 0 and env_events > 0, estimate=violations, bound=0,
                               name="sandwich violations", message=f"{violations} sandwich violations "
                               f"({env_events} certified env cells)")
    decision = bonferroni([count, pointwise], ctx.false_fail_rate)
    return Evidence.from_decision(decision, details={"sandwich_violations": violations, "exact_coverage": c_exact,
                                                     "certified_env_cells": env_events,
                                                     "sandwich": sandwich})


@figure(check_reward_sandwich)
def reward_sandwich_band(ev) -> list[Spec]:
    """r* inside the certified band [r_C, r_C + 2 alpha eps_p] on the certified cells of one replication."""
    s = detail(ev, "sandwich")
    order = np.argsort(np.asarray(s["r_star"], dtype=float))
    if s.get("event") is not None:  # the sandwich is claimed on the certified event only
        ev_mask = np.asarray(s["event"], dtype=bool)[order]
        order = order[ev_mask]
    if order.size == 0:
        raise Skip("no certified cell")
    pick = lambda key: np.asarray(s[key], dtype=float)[order].tolist()  # noqa: E731
    x = list(range(len(order)))
    return [{"kind": "lines", "title": "Reward sandwich per cell: r_C ≤ r* ≤ r_C + 2αε",
             "x": x, "band": {"lower": pick("r_c"), "upper": pick("r_c_plus_bound"),
                              "label": "[r_C, r_C + 2α ε_p] (certified)", "color": "tab:blue"},
             "series": {"ideal reward r*": pick("r_star")},
             "xlabel": "(s, a, s') cell, sorted by r*", "ylabel": "reward (model transitions)",
             "note": f"one replication, {s.get('radius', 'sound')} radius; sandwich violations over all "
                     f"replications: {detail(ev, 'sandwich_violations', default='?')}",
             "caption": "On the certified event the ideal reward lies inside the certified band in every cell: the "
                        "certified reward is a pessimistic lower bound that loses at most 2α ε_p."}]


# --------------------------------------------------------------------------------------------------------------
IDEALCLIP = Claim(
    id="csar.reward.ideal_clipped",
    source="C-SAR paper §3 (clipping at L keeps the shaped reward bounded); docs/methods/csar.md §5",
    statement="The ideal reward r* = log r + 1_env beta clip_L(ell_pi) + 1_model alpha clip_L(ell_p) is finite and "
    "|r*| <= max|log r| + max(alpha, beta) L for any true log-ratios, infinite ones included, with equality "
    "attained at saturated log-ratios.",
)


@check(IDEALCLIP, quick=dict(grid=2000), full=dict(grid=20000), stochastic=False)
def check_ideal_reward_clipped(ctx):
    """Exact: the largest |r*| over Cauchy log-ratios (and +-inf, +-40) against the bound, equality at saturation."""
    rng = ctx.rng
    m = ctx.params["grid"]
    L, lr_max, alpha, beta = 2.0, 0.5, 1.0, 0.7
    log_r = rng.uniform(-lr_max, lr_max, m)
    ell = rng.standard_cauchy(m) * 5
    ell[:4] = [np.inf, -np.inf, 40.0, -40.0]
    log_r[:4] = [lr_max, -lr_max, lr_max, -lr_max]
    env = rng.random(m) < 0.5
    env[:4] = [False, False, True, True]
    rs = ideal_reward(log_r, env, ell_p=ell, ell_pi=ell, alpha=alpha, beta=beta, clip=L)
    bound = lr_max + max(alpha, beta) * L
    worst = float(np.max(np.abs(rs))) if np.all(np.isfinite(rs)) else math.inf
    attained = bool(np.isclose(abs(rs[0]), lr_max + alpha * L) and np.isclose(abs(rs[1]), lr_max + alpha * L))
    decision = exact_decision(worst <= bound + 1e-12 and attained, estimate=worst, bound=bound, n=m,
                              name="max |r*|", message=f"max |r*| = {worst:.4g} vs bound {bound:.4g} (saturation "
                              f"attained: {attained})")
    return Evidence.from_decision(decision, details={"max_abs_ideal_reward": worst,
                                                     "saturated_values": rs[:4].tolist()})


# --------------------------------------------------------------------------------------------------------------
BOUND = Claim(
    id="csar.reward.bound",
    source="C-SAR paper §3 and §5 (|r_C| <= max|log r| + (alpha+beta) L); docs/methods/csar.md §5; "
    "docs/paper_errors.md §1.2",
    statement="The certified reward satisfies |r_C| <= max|log r| + (alpha + beta) L.",
    expectation=FAILS,
)


@check(BOUND, quick=dict(grid=2000), full=dict(grid=20000), stochastic=False)
def check_reward_bound(ctx):
    """Exact: the largest |r_C| over random certificates (saturated ones included) against the printed bound, for
    alpha = beta and alpha != beta, split and uniform; the violation counts only if the corrected bound
    (``lrtcheck.csar.reward_bound``) holds."""
    rng = ctx.rng
    L, lr_max = 2.0, 0.5
    rows = {}
    real_ok = True
    for alpha, beta in ((1.0, 0.5), (1.0, 1.0)):
        for variant in ("split", "uniform"):
            m = ctx.params["grid"]
            lo = rng.random(m) ** 2
            hi = lo + (1 - lo) * rng.random(m)
            lo[:5], hi[:5] = 0.0, [0.01, 0.1, 0.5, 0.9, 1.0]
            cp = logit_certificate(lo, hi, clip=L)
            ci = logit_certificate(lo[::-1].copy(), hi[::-1].copy(), clip=L)
            log_r = rng.uniform(-lr_max, lr_max, m)
            log_r[:5] = -lr_max
            env = rng.random(m) < 0.5
            env[:5] = False
            rc = certified_reward(log_r, env, ell_p=cp.ell_hat, eps_p=cp.radius, ell_pi=ci.ell_hat,
                                  eps_pi=ci.radius, alpha=alpha, beta=beta, variant=variant)
            worst = float(np.max(np.abs(rc)))
            seed_b = seed_reward_bound(lr_max, alpha, beta, L)
            real_b = reward_bound(lr_max, alpha, beta, L, variant)
            real_ok &= worst <= real_b + 1e-12
            rows[f"alpha={alpha},beta={beta},{variant}"] = {"max_abs_rC": worst, "seed_bound": seed_b,
                                                            "real_bound": real_b, "seed_violated": worst > seed_b}
    violated = any(r["seed_violated"] for r in rows.values())
    worst = max(r["max_abs_rC"] - r["seed_bound"] for r in rows.values())
    # the claim holds unless the printed bound is exceeded while the corrected bound holds (a corrected bound that
    # fails is a bug of the implementation, reported as such)
    corrected = exact_decision(real_ok, name="corrected bound", message="the corrected bound is violated (bug)")
    decision = exact_decision(not (violated and corrected.holds), estimate=worst, bound=0.0,
                              name="excess over the bound")
    return Evidence.from_decision(decision, details=rows, message=corrected.message)


@figure(check_reward_bound)
def reward_bound_bars(ev) -> list[Spec]:
    """Max |r_C| against the printed and the corrected bound."""
    rows = {k: v for k, v in ev.details.items() if isinstance(v, dict) and "max_abs_rC" in v}
    if not rows:
        raise Skip("no rows")
    labels = [k.replace("alpha=", "α=").replace("beta=", "β=") for k in rows]
    return [{"kind": "bars", "title": "|r_C| against the printed and the corrected bound", "labels": labels,
             "values": {"max |r_C| observed": [v["max_abs_rC"] for v in rows.values()],
                        "printed bound max|log r| + (α+β)L": [v["seed_bound"] for v in rows.values()],
                        "corrected bound": [v["real_bound"] for v in rows.values()]},
             "ylabel": "reward magnitude",
             "caption": "The certified reward exceeds the paper's bound (the penalty term adds up to 2L per ratio, not "
                        "L); the corrected bound holds."}]


@finding(check_reward_bound)
def reward_bound_finding(ev):
    return (f"the certified reward exceeds the printed bound max|log r| + (α+β)L by up to {fmt(ev.estimate)}; the "
            f"penalty adds up to 2L per ratio.")


# --------------------------------------------------------------------------------------------------------------
MUTANTS = [
    Mutant("csar.clip_logit_identity", "lrtcheck.csar.logit:clip_logit",
           "clip_L returns its argument unchanged (a min/max pair lost in a refactor): the ideal reward is "
           "unclipped",
           source_edit(("return np.clip(z, -L, L)", "return z")),
           ("csar.reward.*", "csar.value.*"), tags=("ci",)),
    Mutant("csar.reward_optimistic", "lrtcheck.csar.reward:_lower",
           "the certified reward adds the radius instead of subtracting it (optimism instead of pessimism)",
           source_edit(("v = ell - eps", "v = ell + eps")), ("csar.value.*", "csar.reward.*"), tags=("ci",)),
    Mutant("csar.reward_env_alpha", "lrtcheck.csar.reward:certified_reward",
           "the policy-shift correction on environment transitions scaled by alpha instead of beta (invisible when "
           "alpha = beta or when only model transitions are checked)",
           source_edit(("corr = np.where(env, beta * _lower(ip, ie), alpha * _lower(ep, ee))",
                        "corr = np.where(env, alpha * _lower(ip, ie), alpha * _lower(ep, ee))")),
           ("csar.reward.sandwich",), tags=("ci",)),
]
