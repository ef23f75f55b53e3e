"""``lecam.*``: Le Cam two-point lower bounds, checked exactly (no sampling): exact divergences, exact risks of
decision rules by enumerating counts, and the construction's gap Delta against its closed form."""

from __future__ import annotations

import itertools

import numpy as np

from lrtcheck.lecam import (
    all_deterministic_rule_risks,
    certified_rule,
    constant_rule,
    enumerated_divergences,
    exact_risk,
    greedy_rule,
    joint_law,
    likelihood_ratio_rule,
    model_bias_pair,
    no_overlap_pair,
    pessimistic_rule,
    policy_shift_pair,
    trinomial_law,
    two_point_divergences,
)

from ..claims import MEASURED, Claim
from ..evidence import Evidence
from ..registry import check

_TOL = 1e-10  # float64 round-off of sums over at most ~10^6 terms of magnitude <= 1


TV_CLAIM = Claim(
    id="lecam.tv.exact",
    source="DESIGN section 7; references/offline_mbrl.md section 4.3; Tsybakov (2009) Lemmas 2.3-2.4",
    statement="TV(P0^n, P1^n) = sum_k Bin(k;n,w) TV(Bin(k,q0), Bin(k,q1)) equals the TV of the enumerated "
    "trinomial laws, KL = n w KL(q0||q1) and BC = (1 - w(1-BC1))^n match their enumerations, TV lies inside the "
    "Hellinger sandwich and below the Pinsker and Bretagnolle-Huber bounds; n=200, w=0.05, q 0.5 vs 0.6 gives "
    "0.248729.",
    assumptions=("i.i.d. samples", "instances differ only at the informative pair"),
)

_TV_GRID_QUICK = [(200, 0.05, 0.5, 0.6), (50, 0.2, 0.1, 0.3), (500, 0.01, 0.3, 0.35), (30, 0.5, 0.5, 0.9),
                  (100, 0.0, 0.2, 0.8), (10, 1.0, 0.4, 0.6), (80, 0.3, 0.0, 0.2)]
_TV_GRID_FULL = _TV_GRID_QUICK + [(2000, 0.02, 0.45, 0.55), (1000, 0.1, 0.05, 0.1), (1500, 0.5, 0.5, 0.52)]


@check(TV_CLAIM, stochastic=False, quick=dict(grid=_TV_GRID_QUICK), full=dict(grid=_TV_GRID_FULL))
def check_tv_exact(ctx):
    rows, problems = [], []
    for n, w, q0, q1 in ctx.params["grid"]:
        div = two_point_divergences(n, w, q0, q1)
        L0, L1 = trinomial_law(n, w, q0, log=True), trinomial_law(n, w, q1, log=True)
        enum = enumerated_divergences(L0, L1)
        law_err = max(float(np.max(np.abs(np.exp(L0) - joint_law(n, w, q0)))),
                      float(np.max(np.abs(np.exp(L1) - joint_law(n, w, q1)))))
        errs = {"tv": abs(div.tv - enum["tv"]), "kl": abs(div.kl - enum["kl"]) / max(1.0, div.kl),
                "bc": abs(div.bhattacharyya - enum["bhattacharyya"]), "law": law_err}
        row = {"n": n, "w": w, "q0": q0, "q1": q1, "tv": div.tv, "kl": div.kl, "bc": div.bhattacharyya,
               "hellinger_lower": div.hellinger_lower, "hellinger_upper": div.hellinger_upper,
               "pinsker": div.pinsker_upper, "bretagnolle_huber": div.bretagnolle_huber_upper,
               **{f"err_{k}": v for k, v in errs.items()}}
        rows.append(row)
        if max(errs.values()) > _TOL:
            problems.append(f"({n},{w},{q0},{q1}): enumeration differs from closed form by {max(errs.values()):.3g}")
        if not div.bounds_hold(_TOL):
            problems.append(f"({n},{w},{q0},{q1}): TV {div.tv:.6g} outside its bounds")
    ref = two_point_divergences(200, 0.05, 0.5, 0.6).tv
    if round(ref, 6) != 0.248729:
        problems.append(f"TV(200, 0.05, 0.5, 0.6) = {ref:.9f}, expected 0.248729")
    return Evidence(verdict="holds" if not problems else "violated", n=0, estimate=ref, bound=0.248729,
                    details={"grid": rows}, message="; ".join(problems))


def _rules():
    return [greedy_rule(), pessimistic_rule(0.05), certified_rule(0.01), certified_rule(0.05), certified_rule(0.2),
            likelihood_ratio_rule(), constant_rule(0.0), constant_rule(1.0), constant_rule(0.5)]


def _bound_check(make, grid, small, gap_formula, scale_name, ctx):
    """Shared body of lecam.bound.model / lecam.bound.policy."""
    rows, problems = [], []
    min_ratio = np.inf
    for params in grid:
        prob = make(**params)
        lb = prob.lower_bound
        for rule in _rules():
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
    return Evidence(verdict="holds" if not problems else "violated", n=0, estimate=float(min_ratio), bound=1.0,
                    details={"rules": rows, "n_deterministic_rules": n_rules, "linearity": lin},
                    message="; ".join(problems[:5]))


MODEL_CLAIM = Claim(
    id="lecam.bound.model",
    source="C-SAR seed (004) section 8; DESIGN section 7; references/offline_mbrl.md section 4",
    statement="On the model-bias pair (risky chain, q = m e^{-+eps}), every algorithm evaluated (greedy, "
    "pessimistic, C-SAR-style certified at several delta, the Bayes rule, constants, and every deterministic rule "
    "on small instances) has max_i E_i[SubOpt_i] >= (Delta/2)(1 - TV), and Delta = H alpha m sinh(eps) grows "
    "linearly with H alpha and as Theta(eps).",
    assumptions=("instances differ only in the risky transition", "n i.i.d. samples, visit probability w"),
)

_MODEL_QUICK = [dict(n=n, w=w, epsilon=e, gamma=g, alpha=a) for n, w, e, g, a in
                [(200, 0.05, 0.1, 0.9, 1.0), (20, 0.2, 0.3, 0.5, 2.0), (500, 0.01, 0.2, 0.95, 1.0)]]
_MODEL_FULL = [dict(n=n, w=w, epsilon=e, gamma=g, alpha=a) for n, w, e, g, a in
               itertools.product((20, 200, 1000), (0.01, 0.05, 0.2), (0.1, 0.3), (0.5, 0.9), (1.0,))]
_MODEL_SMALL = [dict(n=3, w=0.3, epsilon=0.3, gamma=0.9, alpha=1.0), dict(n=4, w=0.5, epsilon=0.5, gamma=0.8,
                                                                          alpha=1.0)]


@check(MODEL_CLAIM, stochastic=False, quick=dict(grid=_MODEL_QUICK), full=dict(grid=_MODEL_FULL))
def check_bound_model(ctx):
    m = 0.5
    return _bound_check(model_bias_pair, ctx.params["grid"], _MODEL_SMALL,
                        (lambda e: m, lambda e: m * np.sinh(e) / e), "alpha", ctx)


POLICY_CLAIM = Claim(
    id="lecam.bound.policy",
    source="C-SAR seed (004) section 8; DESIGN section 7; references/offline_mbrl.md section 4.3",
    statement="On the policy-shift pair (behaviour policies with logit pi_b(a1|s0) = logit b -+ eps, identical "
    "elsewhere), every algorithm evaluated has max_i E_i[SubOpt_i] >= (Delta/2)(1 - TV) for the SAR objective "
    "r + beta ell_pi, and Delta = H beta eps exactly.",
    assumptions=("deterministic output policies (randomised algorithms mix them)", "visit probability w"),
)

_POLICY_QUICK = [dict(n=n, w=w, epsilon=e, gamma=g, beta=b) for n, w, e, g, b in
                 [(200, 0.05, 0.2, 0.9, 1.0), (20, 0.2, 0.5, 0.5, 2.0), (500, 0.01, 0.3, 0.95, 1.0)]]
_POLICY_FULL = [dict(n=n, w=w, epsilon=e, gamma=g, beta=1.0) for n, w, e, g in
                itertools.product((20, 200, 1000), (0.01, 0.05, 0.2), (0.1, 0.3), (0.5, 0.9))]
_POLICY_SMALL = [dict(n=3, w=0.3, epsilon=0.5, gamma=0.9, beta=1.0), dict(n=4, w=0.5, epsilon=0.8, gamma=0.8,
                                                                          beta=1.0)]


@check(POLICY_CLAIM, stochastic=False, quick=dict(grid=_POLICY_QUICK), full=dict(grid=_POLICY_FULL))
def check_bound_policy(ctx):
    return _bound_check(policy_shift_pair, ctx.params["grid"], _POLICY_SMALL, (lambda e: 1.0, lambda e: 1.0),
                        "beta", ctx)


NO_OVERLAP_CLAIM = Claim(
    id="lecam.no_overlap",
    source="C-SAR seed (004) section 8 (overlap is necessary); DESIGN section 7",
    statement="Without overlap (an action never seen in the data, two rewards for it) the two data laws are "
    "identical (TV = 0) and every algorithm loses at least Delta/2 on one instance, with equality only for the "
    "fair coin.",
    assumptions=("pi_b(a1|s0) = 0",),
)


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
        rules = _rules() + [constant_rule(x) for x in np.linspace(0, 1, 41)]
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
    return Evidence(verdict="holds" if not problems else "violated", n=0, estimate=float(min_ratio), bound=1.0,
                    details={"rows": rows}, message="; ".join(problems[:5]))


TIGHT_CLAIM = Claim(
    id="lecam.tightness",
    source="C-SAR seed (004) sections 7-8; DESIGN section 7",
    statement="Reported: the ratio of the C-SAR-style certified rule's worst-case (over the pair) exact "
    "suboptimality to the Le Cam lower bound (Delta/2)(1-TV), across n, H and eps, beside greedy and Hoeffding-"
    "pessimistic plug-ins and the Bayes rule.",
    expectation=MEASURED,
    assumptions=("worst case over the two instances of the pair only",),
)


@check(TIGHT_CLAIM, stochastic=False,
       quick=dict(ns=(50, 200, 1000), gammas=(0.5, 0.9), epsilons=(0.1, 0.3), w=0.05, deltas=(0.05, 0.2)),
       full=dict(ns=(50, 200, 1000, 2000), gammas=(0.5, 0.9, 0.99), epsilons=(0.05, 0.1, 0.3, 0.5), w=0.05,
                 deltas=(0.01, 0.05, 0.2)))
def check_tightness(ctx):
    p = ctx.params
    table = []
    for kind, make in (("model", model_bias_pair), ("policy", policy_shift_pair)):
        for n, gamma, eps in itertools.product(p["ns"], p["gammas"], p["epsilons"]):
            prob = make(n=n, w=p["w"], epsilon=eps, gamma=gamma)
            lb = prob.lower_bound
            row = {"pair": kind, "n": n, "H": prob.horizon, "epsilon": eps, "delta_gap": prob.delta, "tv": prob.tv,
                   "lower_bound": lb}
            for rule in [certified_rule(d) for d in p["deltas"]] + [greedy_rule(), pessimistic_rule(0.05),
                                                                   likelihood_ratio_rule()]:
                row[f"ratio[{rule.name}]"] = exact_risk(rule, prob).worst / lb
            table.append(row)
    cert = [v for r in table for k, v in r.items() if k.startswith("ratio[certified")]
    ok = all(np.isfinite(v) and v >= 1.0 - 1e-9 for r in table for k, v in r.items() if k.startswith("ratio["))
    return Evidence(verdict="holds" if ok else "violated", n=0, estimate=float(np.max(cert)), lower=float(np.min(cert)),
                    upper=float(np.max(cert)), bound=1.0, details={"table": table},
                    message="" if ok else "a measured ratio is below 1 or not finite (the bound would be violated)")


RULES_CLAIM = Claim(
    id="lecam.rules.guarantee",
    source="Clopper & Pearson (1934); Hoeffding (1963) Thm 1; C-SAR seed (004) section 6 (certified pessimism); "
    "DESIGN sections 6-7",
    statement="The pessimistic decision rules keep their confidence guarantees, exactly: the certified rule at delta "
    "takes action 1 exactly where the two-sided Clopper-Pearson interval at level 1 - delta lies entirely on action "
    "1's side of the tie; for every k >= 1 and every theta on the side where action 1 is not better, P_theta(action 1 "
    "| k visits) <= delta/2 for the certified rule (Clopper-Pearson) and the Hoeffding-pessimistic rule (Hoeffding's "
    "inequality); both take action 1 only where the plug-in rule does, monotonically in j, and keep action 0 at k = 0.",
    assumptions=("j | k ~ Bin(k, theta)",),
)

_RULE_PROBLEMS = (("model", dict(m=0.5, epsilon=0.3)), ("model", dict(m=0.3, epsilon=0.1)),
                  ("policy", dict(b=0.37, epsilon=0.2)), ("policy", dict(b=0.62, epsilon=0.4)))
_CP_SKIP = 1e-9  # cells whose Clopper-Pearson end lies this close to the tie are not compared (Beta-quantile round-off)


def _cp_boundary_mismatches(x, ks, tie, sign, delta, clopper_pearson):
    """Rows k (``x[k-1, j]`` = the rule's P(action 1), monotone in j, checked separately) whose switch point
    disagrees with the Clopper-Pearson interval ``[lo, hi] = CP(j, k, delta)`` (Beta quantiles).

    The CP ends are increasing in j, so a monotone rule agrees with ``lo > tie`` (sign +1) on every cell of a row
    iff it agrees on the two cells around its switch point: the first j taking action 1 must have ``lo > tie`` and
    the j before it ``lo <= tie`` (mirrored with ``hi < tie`` for sign -1).  Cells within ``_CP_SKIP`` of the tie
    are not compared.  Returns ``(rows in disagreement, cells skipped)``."""
    take = x > 0.5
    jj = np.arange(x.shape[1])
    inside = jj[None, :] <= ks[:, None]
    if sign > 0:
        first = np.where(np.any(take & inside, axis=1), np.argmax(take & inside, axis=1), ks + 1)
        cells = [(first, first <= ks, True), (first - 1, first >= 1, False)]
    else:
        hit = take & inside
        last = np.where(np.any(hit, axis=1), x.shape[1] - 1 - np.argmax(hit[:, ::-1], axis=1), -1)
        cells = [(last, last >= 0, True), (last + 1, last + 1 <= ks, False)]
    bad = np.zeros(len(ks), dtype=bool)
    near_total = 0
    for jc, live, should_take in cells:
        kk, jv = ks[live], jc[live]
        lo, hi = clopper_pearson(jv, kk, delta)
        end = lo if sign > 0 else hi
        cp_take = (end > tie) if sign > 0 else (end < tie)
        near = np.abs(end - tie) < _CP_SKIP
        near_total += int(near.sum())
        wrong = (cp_take != should_take) & ~near
        bad[np.nonzero(live)[0][wrong]] = True
    return int(bad.sum()), near_total


@check(RULES_CLAIM, stochastic=False, quick=dict(k_max=300), full=dict(k_max=1500),
       common=dict(deltas=(0.01, 0.05, 0.2)))
def check_rules_guarantee(ctx):
    from scipy import stats as st

    from lrtcheck.stats import clopper_pearson

    K = ctx.params["k_max"]
    k, j = np.meshgrid(np.arange(K + 1), np.arange(K + 1), indexing="ij")
    valid = j <= k
    ks = np.arange(1, K + 1)
    problems, rows = [], []
    skipped = 0
    for kind, extra in _RULE_PROBLEMS:
        make = model_bias_pair if kind == "model" else policy_shift_pair
        prob = make(n=K, w=0.05, **extra)
        tie, sign = prob.tie, prob.sign
        pmf_tie = np.where(valid, st.binom.pmf(j, k, tie), 0.0)  # Bin(j; k, tie) per row k
        greedy = np.where(valid, greedy_rule()(k, j, prob), 0.0)
        for delta in ctx.params["deltas"]:
            for rule in (certified_rule(delta), pessimistic_rule(delta)):
                x = np.where(valid, rule(k, j, prob), 0.0)
                label = f"{rule.name} on {kind}{extra}"
                if np.any(x[0] != 0.0):
                    problems.append(f"{label}: takes action 1 with no visit (k = 0)")
                # action 1 more likely as j moves to action 1's side (j up when sign = +1, down when -1)
                mono = np.where(valid[:, 1:], sign * np.diff(x, axis=1) >= 0, True)
                if not np.all(mono):
                    problems.append(f"{label}: not monotone in j")
                if np.any(x > greedy):
                    problems.append(f"{label}: takes action 1 where the plug-in rule does not")
                # P_tie(action 1 | k): the supremum over theta on the side where action 1 is not better
                wrong = np.sum(pmf_tie * x, axis=1)[1:]
                worst_k = int(np.argmax(wrong)) + 1
                if wrong.max() > delta / 2 + 1e-12:
                    problems.append(f"{label}: P(action 1 | k={worst_k}) = {wrong.max():.6g} > delta/2 at theta = tie")
                mismatch = 0
                if rule.name.startswith("certified"):
                    mismatch, near = _cp_boundary_mismatches(x[1:], ks, tie, sign, delta, clopper_pearson)
                    skipped += near
                    if mismatch:
                        problems.append(f"{label}: {mismatch} rows k disagree with the Clopper-Pearson interval")
                rows.append({"rule": rule.name, "pair": kind, **extra, "tie": tie, "sign": sign,
                             "max_wrong_action_prob": float(wrong.max()), "at_k": worst_k, "half_delta": delta / 2,
                             "cp_mismatches": mismatch, "cells_action1": int(x.sum())})
    worst = max(r["max_wrong_action_prob"] / r["half_delta"] for r in rows)
    return Evidence(verdict="holds" if not problems else "violated", n=0, estimate=float(worst), bound=1.0,
                    details={"rules": rows, "k_max": K, "cp_cells_skipped_near_tie": skipped},
                    message="; ".join(problems[:5]))
