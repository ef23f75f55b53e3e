"""``csar.logit.coverage.{venn_abers,conformal,temperature,isotonic,none}``: how often each calibrator's logit
certificate covers the true log-ratio in a tabular world (measured, not asserted).

Claim.  None: the C-SAR paper §4 proposes conformalised residuals and Venn-Abers intervals for ``P(Y = 1 | x)``
and §6 certifies ``|clip_L(ell_p) - ell_hat| <= eps`` from them; neither calibrator guarantees it
(docs/methods/csar.md §3, docs/paper_errors.md §1.3), and point calibrators give zero-width intervals.  These
checks measure the frequency of the certified event and of interval containment under the calibration cell law, and the
reliability of the calibrated probabilities against the exact class probabilities.

World.  A random tabular C-SAR world (``lrtcheck.csar.make_world(4, 2, gap=1.5)``) with exact ``ell_p``; the
transition discriminator is trained and calibrated by ``lrtcheck.csar.pipeline.calibrated_certificates``
(matched design, docs/methods/csar.md §2 and §3).

Check.  Measured: the evidence is valid when every measured frequency is finite; the per-calibrator mean and its
min-max over the replications are reported, with the two figures of this module.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import MEASURED, Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, figure_group
from lrtcheck.csar.pipeline import calibrated_certificates
from lrtcheck.csar.world import make_world
from lrtcheck.stats.decisions import exact_decision

from ._support import reliability_bins

CALIBRATORS = ("venn_abers", "conformal", "temperature", "isotonic", "none")

LCOV = {name: Claim(
    id=f"csar.logit.coverage.{name}",
    source="C-SAR paper §4 and §6; docs/methods/csar.md §3 (measured, not asserted)",
    statement=f"Coverage of the true log-ratio ell_p by the {name} calibrator's logit certificate, under the "
    "calibration cell law, in a tabular world (transition discriminator, matched design).",
    expectation=MEASURED) for name in CALIBRATORS}


def _make_logit_coverage_check(name):
    @check(LCOV[name], quick=dict(replications=4, n=1000), full=dict(replications=30, n=3000))
    def check_logit_coverage(ctx):
        """The nu-weighted frequencies of the certified event and of interval containment, the mean radius and
        the fraction of clipped midpoints, per replication; valid when all are finite."""
        w = make_world(4, 2, gap=1.5, seed=ctx.seed("world"))
        rng = ctx.rng
        rows, rel = [], []
        for _ in range(ctx.params["replications"]):
            certs, diag = calibrated_certificates(w, w.behaviour, rng, calibrator=name, n_train=ctx.params["n"],
                                                  n_cal=ctx.params["n"], delta=0.1)
            cert, ca, _ = diag["transition"]
            nu = np.bincount(ca.cells, minlength=cert.radius.shape[0]) / ca.cells.shape[0]
            rows.append((float(nu @ cert.covers(w.ell_p.ravel())), float(nu @ cert.interval_covers(w.ell_p.ravel())),
                         float(nu @ cert.radius), float(nu @ cert.clipped)))
            rel.append((cert.ell_hat, w.ell_p.ravel(), nu))
        a = np.array(rows)
        decision = exact_decision(np.all(np.isfinite(a)), estimate=float(a[:, 0].mean()), n=len(rows),
                                  name="finite measurements")
        predicted, true = (1 / (1 + np.exp(-np.concatenate(v))) for v in list(zip(*rel))[:2])
        return Evidence.from_decision(
            decision, lower=float(a[:, 0].min()), upper=float(a[:, 0].max()),
            details={"certificate_coverage": float(a[:, 0].mean()), "interval_coverage": float(a[:, 1].mean()),
                     "mean_radius": float(a[:, 2].mean()), "fraction_clipped": float(a[:, 3].mean()),
                     "reliability": reliability_bins(predicted, true, np.concatenate(list(zip(*rel))[2]))})

    check_logit_coverage.__qualname__ = check_logit_coverage.__name__ = f"check_logit_coverage_{name}"
    return check_logit_coverage


LOGIT_COVERAGE_CHECKS = {name: _make_logit_coverage_check(name) for name in CALIBRATORS}


@figure_group(*LOGIT_COVERAGE_CHECKS.values())
def logit_coverage_bars(items) -> list[Spec]:
    """Certified-event and interval coverage per calibrator against the nominal 0.9."""
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
             "target": 0.9, "target_label": "nominal 1 - δ = 0.9", "ylabel": "ν-weighted coverage",
             "ylim": [0, 1.05],
             "caption": "Measured, ν-weighted over the calibration cells, mean of a few replications (error bars: "
                        "min-max). Reaching 0.9: " + (", ".join(n for n, ev in rows if ev.details["certificate_coverage"]
                                                               >= 0.9) or "none") + "; below: " + (", ".join(
                            n for n, ev in rows if ev.details["certificate_coverage"] < 0.9) or "none") + ". Point "
                        "calibrators give zero-width intervals, which cover a continuous log-ratio only by accident."}]


@figure_group(*LOGIT_COVERAGE_CHECKS.values())
def logit_coverage_reliability(items) -> list[Spec]:
    """Reliability of the calibrated transition probability against the exact class probability."""
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
