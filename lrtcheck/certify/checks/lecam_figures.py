"""Figures of the ``lecam.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern.  The lecam migration moves each builder next to its check in ``lrtcheck/claims/lecam/``
(registered on the check function) and deletes this file.
"""

from __future__ import annotations

import math

from lrtcheck.certify.figures import Skip, Spec, detail as _d, figure, finite as _finite, fmt as _fmt


@figure("lecam.bound.*")
def _lecam_risk_vs_bound(ev) -> list[Spec]:
    rows = _d(ev, "rules")
    by: dict[str, list] = {}
    for r in rows:
        if _finite(r["lower_bound"]) and r["lower_bound"] > 0 and _finite(r["worst"]):
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


@figure("lecam.tightness")
def _lecam_tightness(ev) -> list[Spec]:
    table = _d(ev, "table")
    specs = []
    for pair in ("model", "policy"):
        rows = [r for r in table if r.get("pair") == pair]
        if not rows:
            continue
        eps = max(r["epsilon"] for r in rows)
        H = max(r["H"] for r in rows)
        rows = sorted([r for r in rows if r["epsilon"] == eps and r["H"] == H], key=lambda r: r["n"])
        rules = [k for k in rows[0] if k.startswith("ratio[")]
        specs.append({"kind": "lines", "title": f"Worst-case risk / Le Cam bound ({pair} pair, ε={eps:g}, "
                                                f"H={H:.3g})",
                      "x": [r["n"] for r in rows], "logx": True,
                      "series": {k[6:-1]: [r[k] for r in rows] for k in rules},
                      "hlines": [{"y": 1.0, "label": "bound (ratio 1)", "color": "k"}],
                      "xlabel": "sample size n", "ylabel": "risk / (Δ/2)(1 - TV)",
                      "caption": "A ratio of 1 is the minimax lower bound; every rule stays at or above it. Largest "
                                 "ratio per rule here: " + ", ".join(f"{k[6:-1]} {_fmt(max(r[k] for r in rows))}"
                                                                     for k in rules) + "."})
    if not specs:
        raise Skip("no table")
    return specs


@figure("lecam.tv.exact")
def _lecam_tv(ev) -> list[Spec]:
    grid = _d(ev, "grid")
    return [{"kind": "bars", "title": "TV(P0ⁿ, P1ⁿ): exact value, Hellinger sandwich, Pinsker/BH",
             "labels": [f"n={g['n']}\nw={g['w']:g}\nq={g['q0']:g}/{g['q1']:g}" for g in grid], "xrotation": 0,
             "values": {"TV (exact); bar: Hellinger sandwich": [g["tv"] for g in grid]},
             "lower": {"TV (exact); bar: Hellinger sandwich": [g["hellinger_lower"] for g in grid]},
             "upper": {"TV (exact); bar: Hellinger sandwich": [g["hellinger_upper"] for g in grid]},
             "targets": [min(g["pinsker"], g["bretagnolle_huber"], 1.0) for g in grid],
             "target_label": "min(Pinsker, Bretagnolle-Huber, 1)", "ylabel": "total variation", "figsize": [6.4, 3.8],
             "caption": "Each bar is the exact TV of the n-sample laws (enumerated); its error bar is the Hellinger "
                        "sandwich and the red mark the tighter KL upper bound: the bar must sit inside the error bar "
                        "and under the mark."}]


@figure("lecam.rules.guarantee")
def _lecam_rules(ev) -> list[Spec]:
    rows = _d(ev, "rules")
    cells: dict[str, dict[str, float]] = {}
    for r in rows:
        extra = ",".join(f"{k[0]}={r[k]:g}" for k in ("m", "b", "epsilon") if k in r)
        key = f"{r['pair']} {extra}\nδ={2 * r['half_delta']:g}"
        kind = "certified (CP)" if str(r["rule"]).startswith("certified") else "pessimistic (Hoeffding)"
        cells.setdefault(key, {})[kind] = r["max_wrong_action_prob"] / r["half_delta"]
    labels = list(cells)
    kinds = ["certified (CP)", "pessimistic (Hoeffding)"]
    return [{"kind": "bars", "title": "Worst wrong-action probability at the tie, / (δ/2)", "labels": labels,
             "values": {k: [cells[l].get(k, math.nan) for l in labels] for k in kinds}, "target": 1.0,
             "target_label": "guarantee (ratio 1)", "ylabel": "sup_k P(action 1 | k) / (δ/2)", "xrotation": 90,
             "figsize": [7.5, 4.0],
             "caption": "Every certified (Clopper-Pearson) and Hoeffding-pessimistic rule stays below its "
                        "guarantee; Clopper-Pearson is much closer to it."}]
