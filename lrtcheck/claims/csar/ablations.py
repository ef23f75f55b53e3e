"""``csar.ablations``: the ablations of the C-SAR paper, measured in an exact-ratio tabular world.

Claim.  None (measured): the C-SAR paper §9 plans ablations (it reports no results, so there is no number to
assert; its determinate class-imbalance content is asserted by ``csar.ablations.prior_correction``) and lists them (no calibration, calibration without clipping,
clipping without calibration, the true clipped ratios), class imbalance and roll-out drift.  The project's table
(``lrtcheck.csar.ablations.ablation_table``), imbalance sweep and drift sweep over the refresh period K and the
horizon h (docs/methods/csar.md §8).

World.  A random tabular C-SAR world at 0.8 of the largest gap its model allows (``world_at_gap_fraction(4, 2,
0.8)``: the transition discriminator has real signal, AUC 0.57-0.7 in the worlds tried) and a target policy half-way between the
behaviour policy and the soft-optimal policy of the true world (so ``ell_pi != 0`` and the action discriminator has
signal too, AUC 0.57-0.67; with ``pi = pi_b`` its AUC is 0.5 by construction).  Every return is exact policy
evaluation in the true environment.  The variants are told apart by their certificates (per-cell coverage about 1,
Venn-Abers about 0-0.1, uncalibrated 0), not by their returns, which differ by less than 0.01 here.

Check.  Measured: the evidence is valid when every reported number is finite (NaN entries of rows that have no
such column excepted); the estimate is the true return of the per-cell C-SAR policy.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify import MEASURED, Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure
from lrtcheck.csar.ablations import ablation_table, drift_sweep, imbalance_sweep
from lrtcheck.csar.agents import soft_vi_policy
from lrtcheck.csar.world import surrogate_mdp
from lrtcheck.worlds.csar import world_at_gap_fraction
from lrtcheck.stats.decisions import exact_decision

ABL = Claim(
    id="csar.ablations",
    source="C-SAR paper §9 (ablations, class imbalance, rollout drift); docs/methods/csar.md §8",
    statement="The ablation table (no calibration, calibration without clipping, clipping without calibration, "
    "C-SAR, ideal ratios), the class-imbalance sweep and the drift sweep over K and h, measured.",
    expectation=MEASURED,
)


@check(ABL, quick=dict(n=1000, updates=200, Ks=(50, 100), hs=(1, 5)),
       full=dict(n=4000, updates=1000, Ks=(50, 200, 500), hs=(1, 3, 10)))
def check_ablations(ctx):
    """The three tables, each from its own named stream."""
    p = ctx.params
    w = world_at_gap_fraction(4, 2, 0.8, seed=ctx.seed("world"))
    target = 0.5 * w.behaviour + 0.5 * soft_vi_policy(surrogate_mdp(w, w.behaviour, None), 0.1)
    table = ablation_table(w, seed=ctx.seed("ablation"), n_train=p["n"], n_cal=p["n"], pi=target)
    imb = imbalance_sweep(w, seed=ctx.seed("imbalance"), n_per_class=p["n"])
    drift = drift_sweep(w, Ks=p["Ks"], hs=p["hs"], n_updates=p["updates"], seed=ctx.seed("drift"),
                        n_train=p["n"] // 2, n_cal=p["n"] // 2)
    vals = np.asarray([r["return"] for r in table] + [r["logit_error"] for r in imb] +
                      [r["drift_coverage"] for r in drift], dtype=float)
    csar = next(r for r in table if r["variant"] == "csar_percell")
    decision = exact_decision(np.all(np.isfinite(vals[~np.isnan(vals)])), estimate=csar["return"], n=len(table),
                              name="finite measurements")
    return Evidence.from_decision(decision, details={"ablation": table, "imbalance": imb, "drift": drift})


@figure(check_ablations)
def ablation_figures(ev) -> list[Spec]:
    """Returns per variant, the ablation table, and the drift coverage over K and h."""
    table = detail(ev, "ablation")
    specs = [{"kind": "bars", "title": "Ablations: true return of the learned policy",
              "labels": [r["variant"] for r in table], "values": [r["return"] for r in table],
              "ylabel": "true return μ0·V^π",
              "caption": "Return of soft-VI on each surrogate; 'ideal' uses the true log-ratios, 'behaviour' is the "
                         "data-collecting policy. The certificates are built for the target policy (half behaviour, "
                         "half soft-optimal)."}]
    rets = np.asarray([r["return"] for r in table], dtype=float)
    if np.all(np.isfinite(rets)):
        span = float(rets.max() - rets.min())
        specs[0]["ylim"] = [float(rets.min() - 0.5 * span - 1e-9), float(rets.max() + 0.3 * span + 1e-9)]
    cols = ["variant", "calibrator", "return", "coverage_transition", "radius_transition", "ece_transition"]
    specs.append({"kind": "table", "title": "ablation table", "columns": cols,
                  "rows": [[r.get(c, "") for c in cols] for r in table]})
    drift = detail(ev, "drift", default=None)
    if drift:
        hs = sorted({r["h"] for r in drift})
        Ks = sorted({r["K"] for r in drift})
        cov = {(r["K"], r["h"]): r["drift_coverage"] for r in drift}
        specs.append({"kind": "lines", "title": "Rollout drift: coverage of ℓ_π by stale certificates",
                      "x": Ks, "series": {f"horizon h={h}": [cov.get((K, h), math.nan) for K in Ks] for h in hs},
                      "xlabel": "refresh period K (updates)", "ylabel": "coverage of current ℓ_π",
                      "caption": "Longer refresh periods and horizons let the policy drift away from the "
                                 "certificates."})
    return specs
