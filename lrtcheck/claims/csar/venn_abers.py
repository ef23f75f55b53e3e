"""``csar.va.*``: inductive Venn-Abers predictors are calibrated, their merges equalise the regrets, and their
intervals are not confidence intervals for ``P(Y = 1 | x)``.

Claims.  IVAP (Vovk, Petej & Fedorova 2015, arXiv 1511.00213, section 2; Vovk & Petej 2014, arXiv 1211.0025):
``p0 <= p1``, ``E[p0] <= P(Y=1) <= E[p1]``, and the selected ``p_Y`` is perfectly calibrated,
``E[Y | p_Y] = p_Y``.  The log-loss merge ``p = GM(p1)/(GM(1-p0) + GM(p1))`` (same paper, section 4, eq. (10)) and
the Brier merge equalise their two regrets.  The C-SAR paper §4 uses ``[p0, p1]`` as an interval for
``P(Y = 1 | x)`` at level ``1 - delta``: that fails (docs/methods/csar.md §3,
docs/paper_errors.md §1.3).

World.  Three scores with known ``P(Y = 1 | x)`` (:data:`lrtcheck.worlds.csar.VENN_ABERS_WORLD`), in which the
law of the predictor over every calibration multiset is enumerated exactly
(:meth:`lrtcheck.worlds.csar.FiniteScoreWorld.enumerate_predictor`).

Checks.  ``csar.va.validity`` and ``csar.va.merge`` are exact.  ``csar.va.truth_coverage`` (``fails``) reproduces
the under-coverage: the Monte Carlo count of ``P(Y=1|x) in [p0, p1]`` must reject ``Bin(R, 1-delta)`` one-sided and
agree with ``Bin(R, c_exact)``, c_exact from the enumeration
(:func:`lrtcheck.stats.decisions.binomial_violation_reproduced`).
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify import FAILS, Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, finding, fmt
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.csar import VennAbers
from lrtcheck.csar.venn_abers import merge
from lrtcheck.stats.decisions import binomial_violation_reproduced, exact_decision
from lrtcheck.worlds.csar import VENN_ABERS_WORLD

from ._support import fresh_subject, reliability_bins

VAVAL = Claim(
    id="csar.va.validity",
    source="Vovk, Petej & Fedorova (2015), arXiv 1511.00213, section 2; Vovk & Petej (2014), arXiv 1211.0025; "
    "docs/methods/csar.md §3",
    statement="IVAP: p0 <= p1; E[p0] <= P(Y=1) <= E[p1]; the selected p_Y is perfectly calibrated, "
    "E[Y | p_Y] = p_Y (checked exactly by enumerating every calibration set of a finite world, ties included).",
    assumptions=("exchangeable calibration and test points",),
)


@check(VAVAL, quick=dict(n=7), full=dict(n=9), stochastic=False, subject="csar.venn_abers",
       default_subject=lambda: VennAbers())
def check_va_validity(ctx):
    """Exact: for every value v of p_Y, ``P(Y=1, p_Y=v) = v P(p_Y=v)`` over the enumerated law (to 1e-10), with
    the order ``p0 <= p1`` and the bracket of ``P(Y=1)`` by the mean ends."""
    w = VENN_ABERS_WORLD
    px, u = w.px, w.u
    prob, P0, P1 = w.enumerate_predictor(lambda: fresh_subject(ctx.subject), ctx.params["n"])
    order_ok = bool(np.all(P0 <= P1 + 1e-12))
    e0 = float(prob @ (P0 @ px))
    e1 = float(prob @ (P1 @ px))
    py1 = float(px @ u)
    # calibration of p_Y: for every value v, P(Y=1, p_Y=v) = v P(p_Y=v)
    vals = np.r_[np.round(P0, 12).ravel(), np.round(P1, 12).ravel()]
    mass = np.r_[(prob[:, None] * px * (1 - u)).ravel(), (prob[:, None] * px * u).ravel()]
    ys = np.r_[np.zeros(P0.size), np.ones(P1.size)]
    uv, inv = np.unique(vals, return_inverse=True)
    m_v = np.bincount(inv, weights=mass)
    y_v = np.bincount(inv, weights=mass * ys)
    calib_err = float(np.max(np.abs(y_v - uv * m_v)))
    ok = order_ok and e0 <= py1 + 1e-12 and py1 <= e1 + 1e-12 and calib_err < 1e-10
    decision = exact_decision(ok, estimate=calib_err, bound=1e-10, n=len(prob), name="calibration of p_Y",
                              message=f"order {order_ok}, E[p0]={e0:.6g}, P(Y=1)={py1:.6g}, E[p1]={e1:.6g}, "
                              f"calibration error {calib_err:.3g}")
    reliability = reliability_bins(uv, np.divide(y_v, m_v, out=np.zeros_like(y_v), where=m_v > 0), m_v, 20)
    return Evidence.from_decision(
        decision, details={"E_p0": e0, "P_Y1": py1, "E_p1": e1, "p0_le_p1": order_ok,
                           "max_calibration_error": calib_err, "n_values_of_pY": int(uv.shape[0]),
                           "reliability": {k.replace("true", "observed"): v for k, v in reliability.items()}})


@figure(check_va_validity)
def va_reliability(ev) -> list[Spec]:
    """The exact reliability diagram of p_Y: every point on the diagonal."""
    rel = detail(ev, "reliability")
    return [{"kind": "scatter", "title": "Venn-Abers p_Y: exact reliability diagram",
             "points": [{"label": "E[Y | p_Y = v] (exact enumeration)", "x": rel["predicted"], "y": rel["observed"],
                         "line": False}],
             "diagonal": True, "diagonal_label": "perfect calibration", "xlabel": "selected p_Y = v",
             "ylabel": "P(Y = 1 | p_Y = v)",
             "note": f"E[p0] = {fmt(detail(ev, 'E_p0', default=math.nan))} ≤ P(Y=1) = "
                     f"{fmt(detail(ev, 'P_Y1', default=math.nan))} ≤ E[p1] = "
                     f"{fmt(detail(ev, 'E_p1', default=math.nan))}",
             "caption": "Every calibration set of a finite world enumerated: each value of the selected probability "
                        "p_Y is exactly calibrated, so all points lie on the diagonal."}]


# --------------------------------------------------------------------------------------------------------------
VATRUTH = Claim(
    id="csar.va.truth_coverage",
    source="C-SAR paper §4 (VA intervals used as intervals for P(Y=1|x)); Vovk, Petej & Fedorova (2015), arXiv "
    "1511.00213, section 2; docs/methods/csar.md §3; docs/paper_errors.md §1.3",
    statement="[p0, p1] contains P(Y=1|x) with probability at least 1 - delta (delta = 0.1).",
    expectation=FAILS,
    assumptions=("exchangeable calibration and test points",),
)


@check(VATRUTH, quick=dict(n=8, delta=0.1, replications=400), full=dict(n=8, delta=0.1, replications=4000),
       subject="csar.venn_abers", default_subject=lambda: VennAbers())
def check_va_truth_coverage(ctx):
    """The exact coverage of ``P(Y=1|x)`` by enumeration, and a Monte Carlo count that must both reject the nominal
    ``Bin(R, 1-delta)`` and agree with ``Bin(R, c_exact)`` (half the share each)."""
    p = ctx.params
    w = VENN_ABERS_WORLD
    px, u, sc = w.px, w.u, w.scores
    n, delta, R = p["n"], p["delta"], p["replications"]
    prob, P0, P1 = w.enumerate_predictor(lambda: fresh_subject(ctx.subject), n)
    exact = float(prob @ (((P0 <= u) & (u <= P1)) @ px))
    rng = ctx.rng
    hits = 0
    for _ in range(R):
        x = rng.choice(w.n_inputs, size=n + 1, p=px)
        y = (rng.random(n + 1) < u[x]).astype(float)
        p0, p1 = fresh_subject(ctx.subject).fit(sc[x[:n]], y[:n]).predict_interval(sc[x[n:]])
        hits += int(p0[0] <= u[x[n]] <= p1[0])
    decision = binomial_violation_reproduced(
        hits, R, 1 - delta, exact, ctx.false_fail_rate, alternative="less",
        target_defect="reproduce the known under-coverage (exact coverage by enumeration)", name="Monte Carlo count")
    return Evidence.from_decision(decision, message=decision.message,
                                  details={"exact_coverage": exact, "nominal": 1 - delta,
                                           "agreement_region": list(decision.parts[1].region)})


@finding(check_va_truth_coverage)
def va_truth_finding(ev):
    return (f"Venn-Abers intervals cover P(Y=1|x) with probability {fmt(detail(ev, 'exact_coverage'))} (exact; Monte "
            f"Carlo {fmt(ev.estimate)}), below the nominal {fmt(ev.bound)}: they are calibration intervals, not "
            f"confidence intervals for the conditional probability.")


# --------------------------------------------------------------------------------------------------------------
VAMERGE = Claim(
    id="csar.va.merge",
    source="Vovk, Petej & Fedorova (2015), arXiv 1511.00213, section 4, eq. (10) and the Brier variant",
    statement="The log-loss merge p = GM(p1)/(GM(1-p0) + GM(p1)) equalises the two log-loss regrets "
    "mean log(p1/p) = mean log((1-p0)/(1-p)); the Brier merge p = mean p1 + (mean p0^2 - mean p1^2)/2 equalises "
    "the two Brier regrets; both lie in [min p0, max p1].",
)


@check(VAMERGE, quick=dict(cases=2000), full=dict(cases=20000), stochastic=False)
def check_va_merge(ctx):
    """Exact: the two regrets of each merge agree to 1e-10 on random pairs (one IVAP and five), inside the
    envelope."""
    rng = ctx.rng
    m = ctx.params["cases"]
    worst = {}
    inside = True
    for K in (1, 5):
        a = rng.uniform(0.01, 0.99, (K, m))
        b = rng.uniform(0.01, 0.99, (K, m))
        p0, p1 = np.minimum(a, b), np.maximum(a, b)
        p = merge(p0, p1, loss="log")
        reg1 = np.mean(np.log(p1), axis=0) - np.log(p)
        reg0 = np.mean(np.log1p(-p0), axis=0) - np.log1p(-p)
        q = merge(p0, p1, loss="brier")
        breg1 = (1 - q) ** 2 - np.mean((1 - p1) ** 2, axis=0)
        breg0 = q ** 2 - np.mean(p0 ** 2, axis=0)
        worst[f"K={K}"] = [float(np.max(np.abs(reg1 - reg0))), float(np.max(np.abs(breg1 - breg0)))]
        lo, hi = p0.min(axis=0) - 1e-12, p1.max(axis=0) + 1e-12
        inside &= bool(np.all((lo <= p) & (p <= hi) & (lo <= q) & (q <= hi)))
    err = max(max(v) for v in worst.values())
    decision = exact_decision(err < 1e-10 and inside, estimate=err, bound=1e-10, n=m, name="regret difference",
                              message=f"regret difference {err:.3g}, within [p0, p1]: {inside}")
    return Evidence.from_decision(decision, details={"max_regret_difference": worst, "within_envelope": inside})


# --------------------------------------------------------------------------------------------------------------
_M = "lrtcheck.csar.venn_abers"
MUTANTS = [
    Mutant("csar.va_p0_p1_swapped", f"{_M}:_lookup",
           "the two Venn-Abers lookup tables read in the wrong order: (p1, p0) returned as (p0, p1)",
           wrapper(output=lambda pair, *args, **kwargs: (pair[1], pair[0])), ("csar.va.*",), tags=("ci",)),
    Mutant("csar.va_tie_side", f"{_M}:_lookup",
           "searchsorted side='right' for p1 as for p0: a test score tied with a calibration score is merged "
           "into the next distinct score",
           source_edit(('pos1 = np.searchsorted(c, s, side="left") + 1',
                        'pos1 = np.minimum(np.searchsorted(c, s, side="right") + 1, f1.shape[0] - 1)')),
           ("csar.va.validity",), tags=("ci",)),
    Mutant("csar.va_merge_swapped", f"{_M}:merge",
           "p0 and p1 swapped in the log-loss merge: GM(p0)/(GM(p0) + GM(1-p1))",
           source_edit(("np.log(np.maximum(p1, 1e-300))", "np.log(np.maximum(p0, 1e-300))"),
                       ("np.log(np.maximum(1.0 - p0, 1e-300))", "np.log(np.maximum(1.0 - p1, 1e-300))")),
           ("csar.va.merge",), tags=("ci",)),
    Mutant("csar.va_brier_merge_sign", f"{_M}:merge",
           "the Brier merge's correction with the wrong sign: mean p1 + (mean p1^2 - mean p0^2)/2",
           source_edit(("np.mean(p0**2, axis=0) / 2 - np.mean(p1**2, axis=0) / 2",
                        "np.mean(p1**2, axis=0) / 2 - np.mean(p0**2, axis=0) / 2")),
           ("csar.va.merge",), tags=("ci",)),
]
