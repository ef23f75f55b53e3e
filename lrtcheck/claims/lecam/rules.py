"""``lecam.rules.guarantee``: the pessimistic decision rules keep their confidence guarantees, exactly.

Claim.  The certified rule at delta takes action 1 exactly where the two-sided Clopper-Pearson interval at level
``1 - delta`` (Clopper & Pearson 1934) lies entirely on action 1's side of the tie: the C-SAR pessimism ``ell_hat -
eps`` with the per-cell certificate (C-SAR paper §6; docs/methods/csar.md §3-§4, docs/methods/lecam.md §7).  For
every k >= 1 and every theta on the side where action 1 is not better, ``P_theta(action 1 | k visits) <= delta/2``
for the certified rule (Clopper-Pearson) and for the Hoeffding-pessimistic rule (Hoeffding 1963, Thm 1); both take
action 1 only where the plug-in rule does, monotonically in j, and keep action 0 at k = 0.

World.  Both pairs with ties on both sides of 1/2 (:func:`lrtcheck.worlds.lecam.rule_guarantee_problems`), every
cell 0 <= j <= k <= k_max.

Check.  Exact: ``P_theta(action 1 | k) = sum_j Bin(j; k, theta) x(k, j)`` is largest over the side at the tie
(the rule is monotone in j), so it is evaluated there for every k; the certified rule's switch point against
:func:`lrtcheck.stats.clopper_pearson` (Beta quantiles, an independent computation of the rule's binomial-tail
bisection), skipping cells whose interval end lies within 1e-9 of the tie (quantile round-off); the Hoeffding rule's
switch point exactly: per k, action 1 iff ``j > k tie + sqrt(k log(2/delta)/2)`` (sign +1; ``j < k tie - sqrt(...)``
for sign -1), the first (last) such j computed in closed form, skipping rows whose threshold lies within 1e-9 of an
integer (float round-off of the rule's ``j/k -+ radius``).  A bound alone would not see a wrong radius constant that
keeps the rule conservative; the exact switch point does.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.lecam import certified_rule, greedy_rule, pessimistic_rule
from lrtcheck.stats import clopper_pearson
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.lecam import rule_guarantee_problems

RULES_CLAIM = Claim(
    id="lecam.rules.guarantee",
    source="Clopper & Pearson (1934); Hoeffding (1963) Thm 1; C-SAR paper §6 (certified pessimism); "
    "docs/methods/lecam.md §7; docs/methods/csar.md §3-§4",
    statement="The pessimistic decision rules keep their confidence guarantees, exactly: the certified rule at delta "
    "takes action 1 exactly where the two-sided Clopper-Pearson interval at level 1 - delta lies entirely on action "
    "1's side of the tie; for every k >= 1 and every theta on the side where action 1 is not better, P_theta(action 1 "
    "| k visits) <= delta/2 for the certified rule (Clopper-Pearson) and the Hoeffding-pessimistic rule (Hoeffding's "
    "inequality); both take action 1 only where the plug-in rule does, monotonically in j, and keep action 0 at k = 0.",
    assumptions=("j | k ~ Bin(k, theta)",),
)

_CP_SKIP = 1e-9  # cells whose Clopper-Pearson end lies this close to the tie are not compared (Beta-quantile round-off)


def _cp_boundary_mismatches(x, ks, tie, sign, delta):
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


_HOEFFDING_SKIP = 1e-9  # rows whose Hoeffding threshold lies this close to an integer are not compared


def _hoeffding_switch_mismatches(x, ks, tie, sign, delta):
    """Rows k whose switch point differs from Hoeffding's closed form (``x[k-1, j]`` = P(action 1)).

    Action 1 iff ``j/k - sign r > tie`` (sign +1) or ``j/k + r < tie`` (sign -1) with ``r = sqrt(log(2/delta)/(2k))``
    (Hoeffding 1963, Thm 1), i.e. ``j > t_k`` or ``j < t_k'`` with ``t_k = k tie + sqrt(k log(2/delta)/2)``,
    ``t_k' = k tie - sqrt(k log(2/delta)/2)``: the number of j in [0, k] taking action 1 is
    ``k - floor(t_k)`` (clipped to [0, k+1]) or ``ceil(t_k')`` (clipped likewise).  Returns ``(rows in
    disagreement, rows skipped)``."""
    take = (x > 0.5) & (np.arange(x.shape[1])[None, :] <= ks[:, None])
    counted = take.sum(axis=1)
    half = np.sqrt(ks * np.log(2.0 / delta) / 2.0)
    t = ks * tie + half if sign > 0 else ks * tie - half
    near = np.abs(t - np.round(t)) < _HOEFFDING_SKIP * np.maximum(1.0, np.abs(t))
    if sign > 0:
        expect = np.clip(ks - np.floor(t), 0, ks + 1)
    else:
        expect = np.clip(np.ceil(t), 0, ks + 1)
    return int(np.sum((counted != expect) & ~near)), int(near.sum())


@check(RULES_CLAIM, stochastic=False, quick=dict(k_max=300), full=dict(k_max=1500),
       common=dict(deltas=(0.01, 0.05, 0.2)))
def check_rules_guarantee(ctx):
    K = ctx.params["k_max"]
    k, j = np.meshgrid(np.arange(K + 1), np.arange(K + 1), indexing="ij")
    valid = j <= k
    ks = np.arange(1, K + 1)
    problems, rows = [], []
    skipped = hoeffding_skipped = 0
    for kind, extra, prob in rule_guarantee_problems(K):
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
                    mismatch, near = _cp_boundary_mismatches(x[1:], ks, tie, sign, delta)
                    skipped += near
                    if mismatch:
                        problems.append(f"{label}: {mismatch} rows k disagree with the Clopper-Pearson interval")
                else:
                    mismatch, near = _hoeffding_switch_mismatches(x[1:], ks, tie, sign, delta)
                    hoeffding_skipped += near
                    if mismatch:
                        problems.append(f"{label}: {mismatch} rows k switch away from Hoeffding's exact point")
                rows.append({"rule": rule.name, "pair": kind, **extra, "tie": tie, "sign": sign,
                             "max_wrong_action_prob": float(wrong.max()), "at_k": worst_k, "half_delta": delta / 2,
                             "switch_mismatches": mismatch, "cells_action1": int(x.sum())})
    worst = max(r["max_wrong_action_prob"] / r["half_delta"] for r in rows)
    decision = exact_decision(not problems, estimate=float(worst), bound=1.0,
                              name="worst wrong-action probability / (delta/2)", message="; ".join(problems[:5]))
    return Evidence.from_decision(decision,
                                  details={"rules": rows, "k_max": K, "cp_cells_skipped_near_tie": skipped,
                                           "hoeffding_rows_skipped_near_integer": hoeffding_skipped})


@figure(check_rules_guarantee)
def wrong_action_bars(ev) -> list[Spec]:
    """Each rule's worst wrong-action probability at the tie, in units of its guarantee delta/2."""
    rows = detail(ev, "rules")
    cells: dict[str, dict[str, float]] = {}
    for r in rows:
        extra = ",".join(f"{k[0]}={r[k]:g}" for k in ("m", "b", "epsilon") if k in r)
        key = f"{r['pair']} {extra}\nδ={2 * r['half_delta']:g}"
        kind = "certified (CP)" if str(r["rule"]).startswith("certified") else "pessimistic (Hoeffding)"
        cells.setdefault(key, {})[kind] = r["max_wrong_action_prob"] / r["half_delta"]
    labels = list(cells)
    kinds = ["certified (CP)", "pessimistic (Hoeffding)"]
    return [{"kind": "bars", "title": "Worst wrong-action probability at the tie, / (δ/2)", "labels": labels,
             "values": {k: [cells[l].get(k, np.nan) for l in labels] for k in kinds}, "target": 1.0,
             "target_label": "guarantee (ratio 1)", "ylabel": "sup_k P(action 1 | k) / (δ/2)", "xrotation": 90,
             "figsize": [7.5, 4.0],
             "caption": "Every certified (Clopper-Pearson) and Hoeffding-pessimistic rule stays below its "
                        "guarantee; Clopper-Pearson is much closer to it."}]


_RULES = "lrtcheck.lecam.rules"
_HOEFFDING_RADIUS = "rad = np.sqrt(np.log(2.0 / delta) / (2.0 * kk))"
_RG, _BM, _BP = "lecam.rules.guarantee", "lecam.bound.model", "lecam.bound.policy"

MUTANTS = [
    Mutant("lecam.certified_level_2delta", f"{_RULES}:certified_rule",
           "the certified rule's Clopper-Pearson bound at level 2 delta: the whole delta given to the one tail used",
           source_edit(("_cp_threshold(ks, problem.tie, delta / 2, upper=",
                        "_cp_threshold(ks, problem.tie, delta, upper=")),
           (_RG, _BM, _BP), tags=("ci",)),
    Mutant("lecam.pessimism_sign", f"{_RULES}:pessimistic_rule",
           "the Hoeffding radius added instead of subtracted: an optimistic rule named pessimistic",
           source_edit(("est = j / kk - problem.sign * rad", "est = j / kk + problem.sign * rad")), (_RG, _BM, _BP),
           tags=("ci",)),
    Mutant("lecam.hoeffding_radius_one_sided", f"{_RULES}:pessimistic_rule",
           "the Hoeffding radius at log(1/delta): the two-sided radius's factor 2 dropped (switch point moves)",
           source_edit((_HOEFFDING_RADIUS, "rad = np.sqrt(np.log(1.0 / delta) / (2.0 * kk))")), (_RG,), tags=("ci",)),
    Mutant("lecam.hoeffding_radius_no_half", f"{_RULES}:pessimistic_rule",
           "the Hoeffding radius without its 1/2: sqrt(log(2/delta)/k) (switch point moves)",
           source_edit((_HOEFFDING_RADIUS, "rad = np.sqrt(np.log(2.0 / delta) / kk)")), (_RG,), tags=("ci",)),
]
