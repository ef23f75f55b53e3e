"""The coverage of every C-SAR calibrator against its target, side by side: one figure over four topic modules'
checks (no claim of its own).

Split conformal and weighted conformal cover the label (``csar.conformal.coverage``, ``csar.weighted.shift``),
per-cell Clopper-Pearson covers every cell's probability (``csar.logit.coverage.percell``), Venn-Abers does not
cover ``P(Y = 1 | x)`` (``csar.va.truth_coverage``); docs/methods/csar.md §3.  The figure is attached to the first
of these checks in a run.
"""

from __future__ import annotations

from lrtcheck.certify.figures import Skip, Spec, cp_interval, detail, figure_group, finite

from .conformal import check_conformal_coverage, check_weighted_shift
from .percell import check_logit_coverage_percell
from .venn_abers import check_va_truth_coverage

#: the checks of the figure, with their bar labels
COVERAGE_LABELS = {
    "csar.conformal.coverage": "split\nconformal",
    "csar.weighted.shift": "weighted conf.\n(shift)",
    "csar.logit.coverage.percell": "per-cell CP\n(all cells)",
    "csar.va.truth_coverage": "Venn-Abers\n∋ P(Y=1|x)",
}


@figure_group(check_conformal_coverage, check_weighted_shift, check_logit_coverage_percell, check_va_truth_coverage)
def coverage_per_calibrator(items) -> list[Spec]:
    """Monte Carlo coverage with its exact interval against the exact (or nominal) target, per calibrator; under
    the shift, unweighted split conformal beside the weighted one."""
    labels, vals, lo, hi, targets = [], [], [], [], []
    for cid, ev in items:
        base = cid.split("@", 1)[0]
        if base not in COVERAGE_LABELS or not finite(ev.estimate):
            continue
        labels.append(COVERAGE_LABELS[base] + ("" if base == cid else f" {cid.split('@')[1]}"))
        vals.append(float(ev.estimate))
        lo.append(float(ev.lower))
        hi.append(float(ev.upper))
        nominal = detail(ev, "nominal", default=None)
        targets.append(float(nominal) if nominal is not None else float(ev.bound))
        if base == "csar.weighted.shift" and finite(detail(ev, "unweighted_split_conformal_coverage", default=None)):
            c = float(ev.details["unweighted_split_conformal_coverage"])
            k = int(round(c * ev.n))
            l2, h2 = cp_interval(k, int(ev.n), 1e-3)
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
