"""Figures of the ``csar.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern.  The csar migration moves each builder next to its check in ``lrtcheck/claims/csar/``
(registered on the check function) and deletes this file.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify.figures import (
    Skip, Spec, cp_interval as _cp, detail as _d, figure, figure_group, finding, finite as _finite, fmt as _fmt,
)


_COVERAGE_LABELS = {
    "csar.conformal.coverage": "split\nconformal",
    "csar.weighted.shift": "weighted conf.\n(shift)",
    "csar.logit.coverage.percell": "per-cell CP\n(all cells)",
    "csar.va.truth_coverage": "Venn-Abers\n∋ P(Y=1|x)",
}


@figure_group(*_COVERAGE_LABELS)
def _csar_coverage(items) -> list[Spec]:
    labels, vals, lo, hi, targets = [], [], [], [], []
    for cid, ev in items:
        base = cid.split("@", 1)[0]
        if base not in _COVERAGE_LABELS or not _finite(ev.estimate):
            continue
        labels.append(_COVERAGE_LABELS[base] + ("" if base == cid else f" {cid.split('@')[1]}"))
        vals.append(float(ev.estimate))
        lo.append(float(ev.lower))
        hi.append(float(ev.upper))
        nominal = _d(ev, "nominal", default=None)
        targets.append(float(nominal) if nominal is not None else float(ev.bound))
        if base == "csar.weighted.shift" and _finite(_d(ev, "unweighted_split_conformal_coverage", default=None)):
            c = float(ev.details["unweighted_split_conformal_coverage"])
            k = int(round(c * ev.n))
            l2, h2 = _cp(k, int(ev.n), 1e-3)
            labels.append("unweighted\nconf. (shift)")
            vals.append(c)
            lo.append(l2)
            hi.append(h2)
            targets.append(float(ev.bound))
    if not labels:
        raise Skip("no coverage checks")
    return [{"kind": "bars", "title": "Coverage per calibrator against its target", "labels": labels,
             "values": vals, "lower": lo, "upper": hi, "targets": targets, "target_label": "target (nominal / exact)",
             "ylabel": "coverage", "ylim": [max(0.0, min(vals + lo) - 0.05), 1.04], "xrotation": 0,
             "figsize": [7.0, 3.8],
             "caption": "Bars: Monte Carlo coverage with its exact Clopper-Pearson interval at the check's level; red "
                        "marks: the target (exact where known, else nominal). "
                        + ("Short of the target: " + ", ".join(l.replace(chr(10), " ") for l, v, h, t in zip(
                            labels, vals, hi, targets) if h < t) + "." if any(h < t for h, t in zip(hi, targets))
                           else "Every interval reaches its target.")}]


@figure_group("csar.logit.coverage.*")
def _csar_logit_coverage(items) -> list[Spec]:
    rows = [(cid.split(".")[-1], ev) for cid, ev in items if "certificate_coverage" in ev.details]
    if not rows:
        raise Skip("no measured coverage")
    labels = [n for n, _ in rows]
    return [{"kind": "bars", "title": "Logit certificates per calibrator: coverage of the true log-ratio",
             "labels": labels,
             "values": {"certified event |ℓ̂ - ℓ| ≤ ε": [ev.details["certificate_coverage"] for _, ev in rows],
                        "interval [z_lo, z_hi] ∋ ℓ": [ev.details["interval_coverage"] for _, ev in rows]},
             "lower": {"certified event |ℓ̂ - ℓ| ≤ ε": [float(ev.lower) for _, ev in rows]},
             "upper": {"certified event |ℓ̂ - ℓ| ≤ ε": [float(ev.upper) for _, ev in rows]},
             "target": 0.9, "target_label": "nominal 1 - δ = 0.9", "ylabel": "ν-weighted coverage", "ylim": [0, 1.05],
             "caption": "Measured, ν-weighted over the calibration cells, mean of a few replications (error bars: "
                        "min-max). Reaching 0.9: " + (", ".join(n for n, ev in rows if ev.details["certificate_coverage"]
                                                               >= 0.9) or "none") + "; below: " + (", ".join(
                            n for n, ev in rows if ev.details["certificate_coverage"] < 0.9) or "none") + ". Point "
                        "calibrators give zero-width intervals, which cover a continuous log-ratio only by accident."}]


@figure_group("csar.logit.coverage.*")
def _csar_reliability(items) -> list[Spec]:
    pts = []
    for cid, ev in items:
        rel = ev.details.get("reliability")
        if not isinstance(rel, dict) or not rel.get("predicted"):
            continue
        pts.append({"label": cid.split(".")[-1], "x": rel["predicted"], "y": rel["true"]})
    if not pts:
        raise Skip("no reliability bins")
    return [{"kind": "scatter", "title": "Reliability: calibrated P(env | s,a,s') vs exact probability",
             "points": pts, "diagonal": True, "diagonal_label": "perfect calibration",
             "xlabel": "calibrated probability (bin mean)", "ylabel": "exact P(env | cell) (bin mean)",
             "caption": "Bins of the calibrated transition probability (weighted by the calibration cell law) against "
                        "the exact class probability of the tabular world; points on the diagonal are calibrated."}]


@figure("csar.va.validity")
def _csar_va_reliability(ev) -> list[Spec]:
    rel = _d(ev, "reliability")
    return [{"kind": "scatter", "title": "Venn-Abers p_Y: exact reliability diagram",
             "points": [{"label": "E[Y | p_Y = v] (exact enumeration)", "x": rel["predicted"], "y": rel["observed"],
                         "line": False}],
             "diagonal": True, "diagonal_label": "perfect calibration", "xlabel": "selected p_Y = v",
             "ylabel": "P(Y = 1 | p_Y = v)",
             "note": f"E[p0] = {_fmt(_d(ev, 'E_p0', default=math.nan))} ≤ P(Y=1) = "
                     f"{_fmt(_d(ev, 'P_Y1', default=math.nan))} ≤ E[p1] = {_fmt(_d(ev, 'E_p1', default=math.nan))}",
             "caption": "Every calibration set of a finite world enumerated: each value of the selected probability "
                        "p_Y is exactly calibrated, so all points lie on the diagonal."}]


@figure("csar.reward.sandwich")
def _csar_sandwich(ev) -> list[Spec]:
    s = _d(ev, "sandwich")
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
                     f"replications: {_d(ev, 'sandwich_violations', default='?')}",
             "caption": "On the certified event the ideal reward lies inside the certified band in every cell: the "
                        "certified reward is a pessimistic lower bound that loses at most 2α ε_p."}]


@figure("csar.value.lemma")
def _csar_value_lemma(ev) -> list[Spec]:
    worlds = _d(ev, "worlds")
    return [{"kind": "bars", "title": "Value gap V^{π,r*} - V^{π,r_C} vs the lemma's bound",
             "labels": [f"world {i}" for i in range(len(worlds))],
             "values": {"value gap (exact)": [w["gap"] for w in worlds],
                        "bound E_d[2(αε_p + βε_π)]/(1-γ)": [w["bound"] for w in worlds]},
             "ylabel": "value (at μ0)",
             "caption": "Exact policy evaluation on the surrogate MDP: every gap is non-negative and below its bound."}]


@figure("csar.value.theorem")
def _csar_value_theorem(ev) -> list[Spec]:
    worlds = _d(ev, "worlds")
    return [{"kind": "bars", "title": "Suboptimality vs the theorem's bound (exact)",
             "labels": [f"world {i}" for i in range(len(worlds))],
             "values": {"SubOpt(π̂)": [w["subopt"] for w in worlds],
                        "mismatch terms": [w["mismatch"] for w in worlds],
                        "2κ E[αε_p+βε_π]/(1-γ)": [w["certificate_term"] for w in worlds],
                        "bound (sum)": [w["rhs"] for w in worlds]},
             "logy": True, "ylabel": "value (log scale)",
             "caption": "The bound holds in every world but is loose by one to two orders of magnitude; the "
                        "concentrability-weighted certificate term dominates."}]


@figure("csar.reward.bound")
def _csar_reward_bound(ev) -> list[Spec]:
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


@figure("csar.ablations")
def _csar_ablations(ev) -> list[Spec]:
    table = _d(ev, "ablation")
    specs = [{"kind": "bars", "title": "Ablations: true return of the learned policy",
              "labels": [r["variant"] for r in table], "values": [r["return"] for r in table],
              "ylabel": "true return μ0·V^π",
              "caption": "Return of soft-VI on each surrogate; 'ideal' uses the true log-ratios, 'behaviour' is the "
                         "data-collecting policy."}]
    rets = np.asarray([r["return"] for r in table], dtype=float)
    if np.all(np.isfinite(rets)):
        span = float(rets.max() - rets.min())
        specs[0]["ylim"] = [float(rets.min() - 0.5 * span - 1e-9), float(rets.max() + 0.3 * span + 1e-9)]
    cols = ["variant", "calibrator", "return", "coverage_transition", "radius_transition", "ece_transition"]
    specs.append({"kind": "table", "title": "ablation table", "columns": cols,
                  "rows": [[r.get(c, "") for c in cols] for r in table]})
    drift = _d(ev, "drift", default=None)
    if drift:
        hs = sorted({r["h"] for r in drift})
        Ks = sorted({r["K"] for r in drift})
        cov = {(r["K"], r["h"]): r["drift_coverage"] for r in drift}
        specs.append({"kind": "lines", "title": "Rollout drift: coverage of ℓ_π by stale certificates",
                      "x": Ks, "series": {f"horizon h={h}": [cov.get((K, h), math.nan) for K in Ks] for h in hs},
                      "xlabel": "refresh period K (updates)", "ylabel": "coverage of current ℓ_π",
                      "caption": "Longer refresh periods and horizons let the policy drift away from the certificates."})
    return specs


# ------------------------------------------------------------------------------------------------------------------
# findings: what the check found, for the report's "claims the papers get wrong"
# ------------------------------------------------------------------------------------------------------------------
@finding("csar.va.truth_coverage")
def _f_va(ev):
    return (f"Venn-Abers intervals cover P(Y=1|x) with probability {_fmt(_d(ev, 'exact_coverage'))} (exact; Monte Carlo "
            f"{_fmt(ev.estimate)}), below the nominal {_fmt(ev.bound)}: they are calibration intervals, not "
            f"confidence intervals for the conditional probability.")


@finding("csar.reward.bound")
def _f_rbound(ev):
    return (f"the certified reward exceeds the printed bound max|log r| + (α+β)L by up to {_fmt(ev.estimate)}; the "
            f"penalty adds up to 2L per ratio.")


@finding("csar.logit.radius_cap")
def _f_radius(ev):
    c = _d(ev, "counterexample")
    return (f"interval coverage does not imply the certified event: for p ∈ {c['p']} and z = {c['z']}, "
            f"|clip(z) − ℓ̂| = {_fmt(ev.estimate)} exceeds the radius {_fmt(c['radius'])}; the sound radius always "
            f"certifies.")
