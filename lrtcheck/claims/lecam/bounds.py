"""``lecam.bound.*`` and ``lecam.no_overlap``: no algorithm beats the Le Cam two-point lower bound.

Claims.  If every output c satisfies ``SubOpt_0(c) + SubOpt_1(c) >= Delta``, every algorithm has
``max_i E_i[SubOpt_i] >= (Delta/2)(1 - TV(P0^n, P1^n))`` (Le Cam 1973; Tsybakov 2009, ch. 2; docs/methods/lecam.md
§1), with equality on average for the Bayes (likelihood-ratio) rule of a symmetric pair.  The C-SAR paper (§8)
argues from it that the value guarantee's H (alpha eps_p + beta eps_pi) cannot be avoided, and that without overlap
no offline method is non-vacuous.  On the model-bias pair ``Delta = H alpha m sinh(eps)`` (linear in H alpha,
Theta(eps)); on the policy-shift pair ``Delta = H beta eps`` exactly; on the no-overlap pair TV = 0 and every
algorithm loses at least Delta/2 = H gap/2 on one instance (docs/methods/lecam.md §4-§6).

World.  The pairs of :mod:`lrtcheck.worlds.lecam` over grids of (n, w, eps, gamma, scale), with the rules it
evaluates, plus every deterministic rule of two small instances (C <= 16 cells).

Checks.  Exact (every risk an enumeration over (k, j), docs/methods/lecam.md §7): each rule's worst risk against
the bound (to 1e-10 of the scale of Delta), the Bayes rule's average risk equal to the bound, Delta against its
closed form, and Delta / (H scale eps) inside its closed-form bracket and constant in H scale at fixed eps.
"""

from __future__ import annotations

import itertools

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure, finite
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.lecam import (all_deterministic_rule_risks, constant_rule, exact_risk, greedy_rule,
                            likelihood_ratio_rule, model_bias_pair, no_overlap_pair, policy_shift_pair)
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.lecam import evaluated_rules

MODEL_CLAIM = Claim(
    id="lecam.bound.model",
    source="C-SAR paper §8; docs/methods/lecam.md §1 and §4",
    statement="On the model-bias pair (risky chain, q = m e^{-+eps}), every algorithm evaluated (greedy, "
    "pessimistic, C-SAR-style certified at several delta, the Bayes rule, constants, and every deterministic rule "
    "on small instances) has max_i E_i[SubOpt_i] >= (Delta/2)(1 - TV), and Delta = H alpha m sinh(eps) grows "
    "linearly with H alpha and as Theta(eps).",
    assumptions=("instances differ only in the risky transition", "n i.i.d. samples, visit probability w"),
)

POLICY_CLAIM = Claim(
    id="lecam.bound.policy",
    source="C-SAR paper §8; docs/methods/lecam.md §1 and §5",
    statement="On the policy-shift pair (behaviour policies with logit pi_b(a1|s0) = logit b -+ eps, identical "
    "elsewhere), every algorithm evaluated has max_i E_i[SubOpt_i] >= (Delta/2)(1 - TV) for the SAR objective "
    "r + beta ell_pi, and Delta = H beta eps exactly.",
    assumptions=("deterministic output policies (randomised algorithms mix them)", "visit probability w"),
)

NO_OVERLAP_CLAIM = Claim(
    id="lecam.no_overlap",
    source="C-SAR paper §8 (overlap is necessary); docs/methods/lecam.md §6",
    statement="Without overlap (an action never seen in the data, two rewards for it) the two data laws are "
    "identical (TV = 0) and every algorithm loses at least Delta/2 on one instance, with equality only for the "
    "fair coin.",
    assumptions=("pi_b(a1|s0) = 0",),
)

_TOL = 1e-10  # float64 round-off of sums over at most ~10^6 terms of magnitude <= 1

_MODEL_QUICK = [dict(n=n, w=w, epsilon=e, gamma=g, alpha=a) for n, w, e, g, a in
                [(200, 0.05, 0.1, 0.9, 1.0), (20, 0.2, 0.3, 0.5, 2.0), (500, 0.01, 0.2, 0.95, 1.0)]]
_MODEL_FULL = [dict(n=n, w=w, epsilon=e, gamma=g, alpha=a) for n, w, e, g, a in
               itertools.product((20, 200, 1000), (0.01, 0.05, 0.2), (0.1, 0.3), (0.5, 0.9), (1.0,))]
_MODEL_SMALL = [dict(n=3, w=0.3, epsilon=0.3, gamma=0.9, alpha=1.0), dict(n=4, w=0.5, epsilon=0.5, gamma=0.8,
                                                                          alpha=1.0)]
_POLICY_QUICK = [dict(n=n, w=w, epsilon=e, gamma=g, beta=b) for n, w, e, g, b in
                 [(200, 0.05, 0.2, 0.9, 1.0), (20, 0.2, 0.5, 0.5, 2.0), (500, 0.01, 0.3, 0.95, 1.0)]]
_POLICY_FULL = [dict(n=n, w=w, epsilon=e, gamma=g, beta=1.0) for n, w, e, g in
                itertools.product((20, 200, 1000), (0.01, 0.05, 0.2), (0.1, 0.3), (0.5, 0.9))]
_POLICY_SMALL = [dict(n=3, w=0.3, epsilon=0.5, gamma=0.9, beta=1.0), dict(n=4, w=0.5, epsilon=0.8, gamma=0.8,
                                                                          beta=1.0)]


def _bound_check(make, grid, small, gap_formula, scale_name):
    """Shared body of lecam.bound.model / lecam.bound.policy: ``(problems, details, smallest risk / bound)``."""
    rows, problems = [], []
    min_ratio = np.inf
    for params in grid:
        prob = make(**params)
        lb = prob.lower_bound
        for rule in evaluated_rules():
            res = exact_risk(rule, prob)
            ratio = res.worst / lb if lb > 0 else np.inf
            min_ratio = min(min_ratio, ratio)
            rows.append({**params, "rule": res.rule, "risk0": res.risk[0], "risk1": res.risk[1], "worst": res.worst,
                         "lower_bound": lb, "delta": prob.delta, "tv": prob.tv, "ratio": ratio})
            if res.worst < lb - _TOL * max(1.0, prob.delta):
                problems.append(f"{res.rule} at {params}: worst risk {res.worst:.6g} < bound {lb:.6g}")
        # the Bayes (likelihood-ratio) rule attains the bound on average: Le Cam is exact at the pair
        bayes = exact_risk(likelihood_ratio_rule(), prob)
        if abs(bayes.average - lb) > _TOL * max(1.0, prob.delta):
            problems.append(f"Bayes rule average {bayes.average:.12g} != bound {lb:.12g} at {params}")
        # Delta from exact evaluation equals its closed form
        if abs(prob.delta - prob.info["delta_formula"]) > 1e-9 * max(1.0, prob.delta):
            problems.append(f"Delta {prob.delta:.12g} != closed form {prob.info['delta_formula']:.12g} at {params}")
    # every deterministic rule on small instances
    n_rules = 0
    for params in small:
        prob = make(**params)
        R = all_deterministic_rule_risks(prob)
        n_rules += len(R)
        worst = R.max(axis=1)
        if np.any(worst < prob.lower_bound - _TOL):
            problems.append(f"a deterministic rule beats the bound at {params}: {worst.min():.6g} < "
                            f"{prob.lower_bound:.6g}")
        min_ratio = min(min_ratio, float(worst.min() / prob.lower_bound))
    # linear growth of Delta in H * scale * epsilon
    lin = []
    base = grid[0]
    for H_gamma, scale, eps in itertools.product((0.5, 0.8, 0.9, 0.95, 0.99), (0.5, 1.0, 2.0), (0.05, 0.1, 0.2, 0.4)):
        prob = make(**{**base, "gamma": H_gamma, scale_name: scale, "epsilon": eps})
        lin.append({"gamma": H_gamma, "H": prob.horizon, scale_name: scale, "epsilon": eps, "delta": prob.delta,
                    "delta_over_H_scale_eps": prob.delta / (prob.horizon * scale * eps)})
    lo, hi = gap_formula
    for r in lin:
        c = r["delta_over_H_scale_eps"]
        if not (lo(r["epsilon"]) - 1e-9 <= c <= hi(r["epsilon"]) + 1e-9):
            problems.append(f"Delta/(H {scale_name} eps) = {c:.6g} outside [{lo(r['epsilon']):.6g}, "
                            f"{hi(r['epsilon']):.6g}] at {r}")
    # exactly linear in H * scale at fixed epsilon
    for eps in (0.05, 0.1, 0.2, 0.4):
        cs = [r["delta"] / (r["H"] * r[scale_name]) for r in lin if r["epsilon"] == eps]
        if max(cs) - min(cs) > 1e-9 * max(cs):
            problems.append(f"Delta/(H {scale_name}) not constant at epsilon={eps}: {min(cs):.12g}..{max(cs):.12g}")
    return problems, {"rules": rows, "n_deterministic_rules": n_rules, "linearity": lin}, float(min_ratio)


def _bound_evidence(problems, details, min_ratio):
    decision = exact_decision(not problems, estimate=min_ratio, bound=1.0, name="worst risk / Le Cam bound",
                              message="; ".join(problems[:5]))
    return Evidence.from_decision(decision, details=details)


@check(MODEL_CLAIM, stochastic=False, quick=dict(grid=_MODEL_QUICK), full=dict(grid=_MODEL_FULL))
def check_bound_model(ctx):
    m = 0.5  # the default model probability; Delta / (H alpha eps) = m sinh(eps)/eps lies in [m, m sinh(eps)/eps]
    return _bound_evidence(*_bound_check(model_bias_pair, ctx.params["grid"], _MODEL_SMALL,
                                         (lambda e: m, lambda e: m * np.sinh(e) / e), "alpha"))


@check(POLICY_CLAIM, stochastic=False, quick=dict(grid=_POLICY_QUICK), full=dict(grid=_POLICY_FULL))
def check_bound_policy(ctx):
    return _bound_evidence(*_bound_check(policy_shift_pair, ctx.params["grid"], _POLICY_SMALL,
                                         (lambda e: 1.0, lambda e: 1.0), "beta"))


@check(NO_OVERLAP_CLAIM, stochastic=False, common=dict(ns=(1, 10, 200), gaps=(0.1, 0.5), gammas=(0.5, 0.9)))
def check_no_overlap(ctx):
    p = ctx.params
    rows, problems = [], []
    min_ratio = np.inf
    for n, gap, gamma in itertools.product(p["ns"], p["gaps"], p["gammas"]):
        prob = no_overlap_pair(n, gap=gap, gamma=gamma)
        if prob.tv != 0.0 or not np.array_equal(prob.joint(0), prob.joint(1)):
            problems.append(f"data laws differ at n={n}")
        half = prob.delta / 2
        # the gap from exact evaluation of the two instances is the closed form H * gap (>= 0: a regret)
        if np.any(prob.subopt < 0) or abs(prob.delta - prob.info["delta_formula"]) > 1e-9 * max(1.0, prob.delta):
            problems.append(f"Delta {prob.delta:.12g} (subopt {prob.subopt.tolist()}) != closed form "
                            f"{prob.info['delta_formula']:.12g} at n={n}, gap={gap}, gamma={gamma}")
        rules = evaluated_rules() + [constant_rule(x) for x in np.linspace(0, 1, 41)]
        for rule in rules:
            res = exact_risk(rule, prob)
            min_ratio = min(min_ratio, res.worst / half)
            if res.worst < half - _TOL * max(1.0, prob.delta):
                problems.append(f"{res.rule} loses only {res.worst:.6g} < Delta/2 = {half:.6g}")
        coin = exact_risk(constant_rule(0.5), prob)
        rows.append({"n": n, "gap": gap, "gamma": gamma, "delta": prob.delta, "greedy_worst":
                     exact_risk(greedy_rule(), prob).worst, "coin_worst": coin.worst, "half_delta": half})
        if abs(coin.worst - half) > _TOL * max(1.0, prob.delta):
            problems.append(f"fair coin loses {coin.worst:.12g} != Delta/2 {half:.12g}")
    decision = exact_decision(not problems, estimate=float(min_ratio), bound=1.0, name="worst risk / (Delta/2)",
                              message="; ".join(problems[:5]))
    return Evidence.from_decision(decision, details={"rows": rows})


@figure(check_bound_model, check_bound_policy)
def risk_vs_bound_scatter(ev) -> list[Spec]:
    """One point per (instance, rule): the exact worst-case risk against the Le Cam bound."""
    rows = detail(ev, "rules")
    by: dict[str, list] = {}
    for r in rows:
        if finite(r["lower_bound"]) and r["lower_bound"] > 0 and finite(r["worst"]):
            by.setdefault(r["rule"], []).append(r)
    if not by:
        raise Skip("no rows")
    pts = [{"label": name, "x": [r["lower_bound"] for r in rs], "y": [r["worst"] for r in rs], "line": False,
            "marker": "os^vD<>ph*"[i % 10]} for i, (name, rs) in enumerate(by.items())]
    return [{"kind": "scatter", "title": "Le Cam: worst-case risk of each rule vs the lower bound", "points": pts,
             "diagonal": True, "diagonal_label": "risk = (Δ/2)(1 - TV)", "logx": True, "logy": True,
             "xlabel": "Le Cam bound (Δ/2)(1 - TV)", "ylabel": "max_i E_i[SubOpt_i] (exact)",
             "caption": "One point per (instance, rule): every rule lies on or above the diagonal; the Bayes "
                        "(likelihood-ratio) rule comes closest."}]


_INST = "lrtcheck.lecam.instances"
_BM, _BP, _NO = "lecam.bound.model", "lecam.bound.policy", "lecam.no_overlap"

MUTANTS = [
    Mutant("lecam.bound_not_halved", f"{_INST}:TwoPointProblem.lower_bound",
           "Le Cam's lower bound computed as Delta (1 - TV): the 1/2 of (Delta/2)(1 - TV) dropped",
           source_edit(("return 0.5 * self.delta * (1.0 - self.tv)", "return self.delta * (1.0 - self.tv)")),
           (_BM, _BP), tags=("ci",)),
    Mutant("lecam.bound_tv_squared", f"{_INST}:TwoPointProblem.lower_bound",
           "Le Cam's lower bound computed as (Delta/2)(1 - TV^2), TV squared as in a Hellinger-type bound",
           source_edit(("(1.0 - self.tv)", "(1.0 - self.tv ** 2)")), (_BM, _BP), tags=("ci",)),
    Mutant("lecam.regret_sign", f"{_INST}:subopt_from_mdps",
           "the suboptimality computed as J(c) - J* (the regret's sign flipped)",
           source_edit(("out[i] = max(J) - np.array(J)", "out[i] = np.array(J) - max(J)")), (_BM, _BP, _NO),
           tags=("ci",)),
    Mutant("lecam.safe_reward_at_model", f"{_INST}:model_bias_pair",
           "the model-bias pair's safe reward set to the model's expected reward (m) instead of the instances' "
           "midpoint, so the pair is no longer symmetric",
           source_edit(("mid = rb + alpha * 0.5 * (q0 + q1)", "mid = rb + alpha * m")), (_BM,), tags=("ci",)),
    Mutant("lecam.risk_wrong_instance", "lrtcheck.lecam.risk:_risks",
           "the exact risk of instance i averaged over the other instance's data law",
           source_edit(("P = problem.joint(i)", "P = problem.joint(1 - i)")), (_BM, _BP, _NO), tags=("ci",)),
    Mutant("lecam.lr_rule_inverted", "lrtcheck.lecam.rules:likelihood_ratio_rule",
           "the likelihood ratio inverted (L0/L1 for L1/L0): the Bayes rule picks the less likely instance",
           source_edit(("q0, q1 = problem.theta", "q1, q0 = problem.theta")), (_BM, _BP), tags=("ci",)),
]
