"""``csar.logit.coverage.percell``: per-cell Clopper-Pearson intervals with a union bound certify every cell's true
log-ratio at once, at their exact simultaneous rate.

Claim.  On a finite input space, the Clopper-Pearson interval (Clopper & Pearson 1934) at level ``1 - delta/K`` in
each of the K cells covers every ``P(Y = 1 | cell)`` simultaneously with probability ``>= 1 - delta``
(Bonferroni), and so, transported through the logit, every cell's true log-ratio (docs/methods/csar.md §3, the
project's construction for the C-SAR paper's §4 interval).  With ``n`` labels per cell the covered count over R
replications is ``Bin(R, c_exact)``, ``c_exact = prod_x cov_x(delta/K)``.

World.  The matched-design transition classifier of a fixed tabular world
(:func:`lrtcheck.worlds.csar.percell_world`): ``u = p/(p + m)`` per cell, and the exact per-cell coverage of the
interval; every eighth cell holds no calibration data (its interval must be [0, 1], and the union bound runs over
the cells with data).

Check.  A two-sided exact count against ``Bin(R, c_exact)`` at the full share, with the exact comparison
``c_exact >= 1 - delta``; the defect is the union bound omitted (level delta in every cell), whose simultaneous
coverage ``prod_x cov_x(delta)`` is computed exactly, so the power is exact.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import PerCellClopperPearson, logit_certificate
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, exact_decision
from lrtcheck.worlds.csar import clopper_pearson_cell_coverage, percell_world

from ._support import fresh_subject

PCELL = Claim(
    id="csar.logit.coverage.percell",
    source="Clopper & Pearson (1934); per-cell intervals with a union bound: docs/methods/csar.md §3 (this "
    "project's construction)",
    statement="Per-cell Clopper-Pearson intervals at level delta/K cover every cell's true logit simultaneously "
    "with probability >= 1 - delta; the covered count over R replications is Binomial(R, c_exact).",
    assumptions=("stratified calibration design (n per cell)", "matched (s,a) marginals, balanced classes"),
)


@check(PCELL, quick=dict(n_per_cell=30, delta=0.1, replications=1500),
       full=dict(n_per_cell=60, delta=0.1, replications=15000), subject="csar.cells",
       default_subject=lambda: PerCellClopperPearson(1, 0.1))
def check_logit_coverage_percell(ctx):
    """The count of replications whose certificates' intervals contain every cell's true log-ratio, against
    ``Bin(R, c_exact)``; the frequency of the certified event with the printed radius is measured alongside."""
    p = ctx.params
    world = percell_world()
    u, ell = world.u, world.ell
    K, n, delta, R = world.n_cells, p["n_per_cell"], p["delta"], p["replications"]
    # every eighth cell is empty (no calibration data): its interval must be [0, 1], and the union bound runs over
    # the K' cells that hold data, so c_exact = prod over those cells of cov_x(delta / K')
    empty = np.arange(K) % 8 == 0
    K_seen = int((~empty).sum())
    c_exact = float(np.prod(clopper_pearson_cell_coverage(u[~empty], n, delta / K_seen)))
    c_defect = float(np.prod(clopper_pearson_cell_coverage(u[~empty], n, delta)))  # union bound omitted
    succ = ctx.rng.binomial(n, u, size=(R, K)) * ~empty
    counts = np.where(empty, 0, n)
    covered = cert_event = 0
    for r in range(R):
        m = fresh_subject(ctx.subject, n_cells=K, delta=delta).fit_counts(counts, succ[r])
        lo, hi = m.predict_interval(np.arange(K))
        cert = logit_certificate(lo, hi, clip=world.tabular.clip)
        covered += int(np.all(cert.interval_covers(ell)))
        cert_event += int(np.all(cert.covers(ell)))
    count = binomial_count_decision(covered, R, c_exact, ctx.false_fail_rate, defect_rate=c_defect,
                                    target_defect="union bound omitted (level delta in every cell)",
                                    name="replications covering every cell")
    guarantee = exact_decision(c_exact >= 1 - delta, estimate=c_exact, bound=1 - delta, name="exact coverage",
                               message=f"the exact simultaneous coverage {c_exact:.6g} is below 1 - delta")
    decision = bonferroni([count, guarantee], ctx.false_fail_rate)
    return Evidence.from_decision(decision, details={
        "cells": K, "empty_cells": int(empty.sum()), "exact_coverage": c_exact, "defect_coverage": c_defect,
        "certificate_event_frequency_seed_radius": cert_event / R})


MUTANTS = [
    Mutant("csar.percell_no_union_bound", "lrtcheck.csar.cells:PerCellClopperPearson.fit_counts",
           "the per-cell Clopper-Pearson intervals at level delta each: the union bound over the K cells omitted",
           source_edit(("k = int(seen.sum()) if union_bound else 1", "k = 1")),
           ("csar.logit.coverage.percell",), tags=("ci",),
           declares=("csar.logit.coverage.percell", "csar.reward.sandwich")),
    Mutant("csar.percell_empty_cell_point", "lrtcheck.csar.cells:PerCellClopperPearson.fit_counts",
           "a cell without calibration data given the point interval [1/2, 1/2] instead of [0, 1] (invisible when "
           "every cell holds data)",
           source_edit(("low = np.zeros(n_cells)", "low = np.full(n_cells, 0.5)"),
                       ("high = np.ones(n_cells)", "high = np.full(n_cells, 0.5)")),
           ("csar.logit.coverage.percell",), tags=("ci",)),
]
