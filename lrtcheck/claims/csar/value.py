"""``csar.value.lemma``, ``csar.value.theorem``: on the certified event, the certified reward loses a bounded
amount of value, and the learned policy's suboptimality obeys the theorem's bound.

Claims.  Value lemma (C-SAR paper §7): for a fixed policy on the surrogate MDP, on the certified event,
``0 <= V^{pi,r*} - V^{pi,r_C} <= (I - gamma K_pi)^{-1} g_pi`` pointwise, with
``g = 2 (f beta eps_pi + (1 - f) alpha sum_s' m eps_p)``, so at mu0 the gap is at most
``E_d[2(alpha eps_p + beta eps_pi)]/(1 - gamma)``.  Suboptimality theorem (C-SAR paper §7, "Thm 3" in §10):
``SubOpt(pi_hat) <= Delta(pi*) + Delta(pi_hat) + kappa E_dmix[g]/(1 - gamma) + opt_err``, each term computed as
the paper defines it and independently of SubOpt: ``Delta = Delta_model + Delta_policy`` from the intrinsic
discrepancies of p from m and of pi from pi_b, scaled by alpha and beta; kappa the concentrability
``max d_{pi*}/d_mix``; opt_err the gap of pi_hat to the optimum of the certified surrogate (docs/methods/csar.md
§7).

World.  Random tabular C-SAR worlds (``lrtcheck.csar.make_world``) with certificates that satisfy the certified
event by construction (:func:`lrtcheck.worlds.csar.certificates_on_the_event`); every value is an exact linear solve
on the surrogate MDP (``lrtcheck.csar.world.surrogate_mdp``).

Checks.  Exact: the lemma's smallest gap and slack over the worlds, both non-negative to 1e-10.  The theorem is
asserted with every step of its proof chain as its own exact clause (the mismatch bound, the certificate term, the
pessimism of the certified value at pi_hat, kappa against its definition), over drawn worlds with f in (0, 1),
alpha != beta, the clip, the gap and the soft-VI temperature (``THEOREM_SPACE``); the mutant
``csar.reward_optimistic`` (the radius added) declares it.  Its tightness SubOpt / bound is measured.
"""

from __future__ import annotations

import math

import numpy as np

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import ParameterSpace, Real
from lrtcheck.certify.figures import Spec, detail, figure
from lrtcheck.csar.agents import soft_vi_policy
from lrtcheck.csar.world import Certificates, make_world, surrogate_mdp
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.csar import certificates_covering, certificates_on_the_event, world_at_gap_fraction

LEMMA = Claim(
    id="csar.value.lemma",
    source="C-SAR paper §7 (value lemma); docs/methods/csar.md §7",
    statement="On the certified event, 0 <= V^{pi,r*} - V^{pi,r_C} <= E_d[2(alpha eps_p + beta eps_pi)]/(1-gamma) "
    "(exact, on the surrogate MDP).",
)


@check(LEMMA, quick=dict(worlds=5), full=dict(worlds=50), stochastic=False)
def check_value_lemma(ctx):
    """Exact: the value gap of a random policy, pointwise and at mu0, against the lemma's bound."""
    rng = ctx.rng
    worst_low = worst_slack = math.inf
    worlds = []
    for i in range(ctx.params["worlds"]):
        w = make_world(5, 3, gap=1.0, seed=ctx.seed(f"w{i}"))
        pi = te.random_policy(5, 3, seed=int(rng.integers(1 << 31)))
        certs = certificates_on_the_event(w, pi, rng)
        m_star = surrogate_mdp(w, pi, None)
        m_c = surrogate_mdp(w, pi, certs)
        dV = te.evaluate_policy(m_star, pi) - te.evaluate_policy(m_c, pi)
        g = 2 * (w.f * w.beta * certs.eps_pi + (1 - w.f) * w.alpha * np.sum(w.model * certs.eps_p, axis=-1))
        bound_s = te.evaluate_policy(m_star.with_reward(g), pi)  # (I - gamma K_pi)^{-1} g_pi, pointwise
        d = te.occupancy(m_star, pi)
        gap0 = float(w.mdp.mu0 @ dV)
        bnd0 = float(np.sum(d * g) / (1 - w.mdp.gamma))
        worst_low = min(worst_low, float(dV.min()))
        worst_slack = min(worst_slack, float(np.min(bound_s - dV)), bnd0 - gap0)
        worlds.append({"gap": gap0, "bound": bnd0, "min_pointwise_slack": float(np.min(bound_s - dV))})
    decision = exact_decision(worst_low >= -1e-10 and worst_slack >= -1e-10, estimate=worst_slack, bound=0.0,
                              name="smallest slack")
    return Evidence.from_decision(decision, details={"min_value_gap": worst_low, "min_slack": worst_slack,
                                                     "worlds": worlds})


@figure(check_value_lemma)
def value_lemma_bars(ev) -> list[Spec]:
    """The exact value gap of each world against its bound."""
    worlds = detail(ev, "worlds")
    return [{"kind": "bars", "title": "Value gap V^{π,r*} - V^{π,r_C} vs the lemma's bound",
             "labels": [f"world {i}" for i in range(len(worlds))],
             "values": {"value gap (exact)": [w["gap"] for w in worlds],
                        "bound E_d[2(αε_p + βε_π)]/(1-γ)": [w["bound"] for w in worlds]},
             "ylabel": "value (at μ0)",
             "caption": "Exact policy evaluation on the surrogate MDP: every gap is non-negative and below its bound."}]


# --------------------------------------------------------------------------------------------------------------
THEOREM = Claim(
    id="csar.value.theorem",
    source="C-SAR paper §7 (suboptimality theorem, mismatch terms Delta_model and Delta_policy, opt_err) and §10; "
    "docs/methods/csar.md §7",
    statement="SubOpt(pi_hat) <= Delta(pi*) + Delta(pi_hat) + kappa E_dmix[2(f beta eps_pi + (1-f) alpha eps_p)]"
    "/(1-gamma) + opt_err on the certified event, with Delta_model and Delta_policy the intrinsic shift terms, "
    "kappa = max d_{pi*}/d_mix and opt_err = max_pi J_C(pi) - J_C(pi_hat) (objective: log r in the environment).",
    assumptions=("certified event on every cell", "kappa = max d_{pi*}/d_mix"),
)

THEOREM_SPACE = ParameterSpace("value_theorem", f=Real(0.05, 0.95), alpha=Real(0.1, 2.0), beta=Real(0.1, 2.0),
                               clip=Real(1.0, 4.0), gap_fraction=Real(0.1, 0.8),
                               temperature=Real(0.01, 0.5, log=True), gamma=Real(0.5, 0.95))


def mismatch_terms(w, pi, V_ideal):
    """``(Delta_model, Delta_policy)`` of a policy, from the intrinsic discrepancies (C-SAR paper §7; the bound of
    the simulation lemma, docs/methods/csar.md §7): with d the normalised occupancy of pi in the environment,
    ``Delta_policy = f beta E_d[|clip_L ell_pi|]/(1 - gamma)`` and ``Delta_model = (1 - f)(alpha E_d[sum_s' m
    |clip_L ell_p|] + gamma E_d[TV(p, m)] span(V*^pi))/(1 - gamma)``.  Computed from p, m, pi, pi_b and the ideal
    value's span only, never from the environment value it bounds."""
    L, g = w.clip, w.mdp.gamma
    d = te.occupancy(w.mdp, pi)
    lp = np.abs(np.clip(w.ell_p, -L, L))
    lpi = np.abs(np.clip(w.ell_pi(pi), -L, L))
    tv = 0.5 * np.sum(np.abs(w.mdp.P - w.model), axis=-1)
    span = float(V_ideal.max() - V_ideal.min())
    d_policy = w.f * w.beta * float(np.sum(d * lpi)) / (1 - g)
    d_model = (1 - w.f) * (w.alpha * float(np.sum(d * np.sum(w.model * lp, axis=-1)))
                           + g * float(np.sum(d * tv)) * span) / (1 - g)
    return d_model, d_policy


@check(THEOREM, quick=dict(configurations=5), full=dict(configurations=40), stochastic=False)
def check_value_theorem(ctx):
    """Exact, per drawn world: every step of the theorem's chain and the theorem itself, to 1e-10."""
    configs = ctx.configurations(THEOREM_SPACE)
    rows, parts = [], []
    tol = 1e-10
    for cfg in configs:
        rng = cfg.rng
        w = world_at_gap_fraction(5, 3, cfg["gap_fraction"], alpha=cfg["alpha"], beta=cfg["beta"],
                                  clip=cfg["clip"], f=cfg["f"], gamma=cfg["gamma"], seed=cfg.seed("world"))
        env = w.mdp.with_reward(w.log_r)
        J = lambda m, pi: float(w.mdp.mu0 @ te.evaluate_policy(m, pi))  # noqa: E731
        pi_star = te.policy_iteration(env).policy
        certs0 = certificates_on_the_event(w, w.behaviour, rng)
        pi_hat = soft_vi_policy(surrogate_mdp(w, w.behaviour, certs0), cfg["temperature"])
        certs = certificates_covering(w, (pi_star, pi_hat), rng, certs0)
        m_c = surrogate_mdp(w, pi_hat, certs)  # one fixed certified reward (the certificates do not depend on pi)
        opt_err = float(w.mdp.mu0 @ te.policy_iteration(m_c).V) - J(m_c, pi_hat)
        out = {}
        for name, pi in (("star", pi_star), ("hat", pi_hat)):
            m_i = surrogate_mdp(w, pi, None)
            V_i = te.evaluate_policy(m_i, pi)
            out[name] = dict(env=J(env, pi), ideal=float(w.mdp.mu0 @ V_i), cert=J(m_c, pi),
                             delta=mismatch_terms(w, pi, V_i))
        g = 2 * (w.f * w.beta * certs.eps_pi + (1 - w.f) * w.alpha * np.sum(w.model * certs.eps_p, axis=-1))
        d_star = te.occupancy(surrogate_mdp(w, pi_star, None), pi_star)
        d_mix = w.f * te.occupancy(w.mdp, w.behaviour) + (1 - w.f) * te.occupancy(w.mdp.with_kernel(w.model),
                                                                                   pi_hat)
        kappa = float(te.concentrability(d_star, d_mix))
        pos = d_star > 0
        kappa_def = float(np.max(d_star[pos] / d_mix[pos])) if np.all(d_mix[pos] > 0) else math.inf
        lemma_star = out["star"]["ideal"] - out["star"]["cert"]
        lemma_bound = float(np.sum(d_star * g)) / (1 - w.mdp.gamma)
        cert_term = kappa * float(np.sum(d_mix * g)) / (1 - w.mdp.gamma)
        sub = out["star"]["env"] - out["hat"]["env"]
        deltas = sum(sum(out[k]["delta"]) for k in out)
        rhs = deltas + cert_term + opt_err
        clauses = {
            "mismatch |J_env - J*| <= Delta_model + Delta_policy": all(
                abs(o["env"] - o["ideal"]) <= sum(o["delta"]) + tol for o in out.values()),
            "certificate term 0 <= J*(pi*) - J_C(pi*) <= E_d*[g]/(1-gamma) <= kappa E_dmix[g]/(1-gamma)":
                -tol <= lemma_star <= lemma_bound + tol and lemma_bound <= cert_term + tol,
            "pessimism J_C(pi_hat) <= J*(pi_hat)": out["hat"]["cert"] <= out["hat"]["ideal"] + tol,
            "opt_err >= 0": opt_err >= -tol,
            "kappa = max d_pi*/d_mix": math.isclose(kappa, kappa_def, rel_tol=1e-12),
            "theorem": sub <= rhs + tol,
        }
        failed = [k for k, v in clauses.items() if not v]
        parts.append(exact_decision(not failed, estimate=rhs - sub, bound=0.0, name="theorem and its chain",
                                    message="violated: " + "; ".join(failed)))
        rows.append({"subopt": sub, "mismatch": deltas, "kappa": kappa, "certificate_term": cert_term,
                     "opt_err": opt_err, "rhs": rhs, "tightness": sub / rhs if rhs > 0 else math.nan,
                     "f": float(cfg["f"]), "alpha": float(cfg["alpha"]), "beta": float(cfg["beta"])})
    decision = configs.join(parts)
    tight = [r["tightness"] for r in rows if math.isfinite(r["tightness"])]
    return Evidence.from_decision(decision, details={
        "worlds": rows, "max_tightness": max(tight) if tight else math.nan,
        "median_tightness": float(np.median(tight)) if tight else math.nan})


@figure(check_value_theorem)
def value_theorem_bars(ev) -> list[Spec]:
    """SubOpt against the theorem's terms, per world (log scale)."""
    worlds = detail(ev, "worlds")
    return [{"kind": "bars", "title": "Suboptimality vs the theorem's bound (exact)",
             "labels": [f"world {i}" for i in range(len(worlds))],
             "values": {"SubOpt(π̂)": [w["subopt"] for w in worlds],
                        "Δ(π*) + Δ(π̂)": [w["mismatch"] for w in worlds],
                        "κ E[g]/(1-γ)": [w["certificate_term"] for w in worlds],
                        "bound (sum)": [w["rhs"] for w in worlds]},
             "logy": True, "ylabel": "value (log scale)",
             "caption": "Each term computed independently of SubOpt (intrinsic mismatch terms, the exact "
                        "concentrability, the optimisation error on the certified surrogate). Largest SubOpt/bound: "
                        f"{max([w['subopt'] / w['rhs'] for w in worlds if w['rhs'] > 0] or [float('nan')]):.3g}."}]
