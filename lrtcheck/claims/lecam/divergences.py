"""``lecam.tv.exact``: the exact divergences of the two-point data laws equal their enumerations.

Claim.  With n samples, each visiting the informative pair with probability w and succeeding there with
probability q_i, the sufficient statistic is (k, j), ``k ~ Bin(n, w)``, ``j | k ~ Bin(k, q_i)``, and exactly
(docs/methods/lecam.md §2-§3): ``TV(P0^n, P1^n) = sum_k Bin(k; n, w) TV(Bin(k, q0), Bin(k, q1))``,
``KL = n w KL(q0 || q1)``, ``BC = (1 - w (1 - BC1))^n``; TV lies in the Hellinger sandwich ``1 - BC <= TV <=
sqrt(1 - BC^2)`` and below Pinsker ``sqrt(KL/2)`` and Bretagnolle-Huber ``1 - exp(-KL)/2`` (Tsybakov 2009, Lemmas
2.3-2.4; Lattimore & Szepesvari 2020, Thm 14.2).  Reference value: n = 200, w = 0.05, q 0.5 vs 0.6 gives 0.248729.

World.  A grid of (n, w, q0, q1) including w = 0, w = 1 and q = 0; the law of (k, j) computed twice, as
``joint_law`` and independently as the trinomial ``(j, k - j, n - k)`` in log-gamma form (``trinomial_law``).

Check.  Exact: the closed forms against sums over the enumerated trinomial laws, to 1e-10 (float64 round-off of
sums of up to ~10^6 terms of magnitude <= 1), the bounds, and the reference value to six digits.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.lecam import enumerated_divergences, joint_law, trinomial_law, two_point_divergences
from lrtcheck.stats.decisions import exact_decision

TV_CLAIM = Claim(
    id="lecam.tv.exact",
    source="docs/methods/lecam.md §2-§3; Tsybakov (2009) Lemmas 2.3-2.4; Lattimore & Szepesvari (2020) Thm 14.2",
    statement="TV(P0^n, P1^n) = sum_k Bin(k;n,w) TV(Bin(k,q0), Bin(k,q1)) equals the TV of the enumerated "
    "trinomial laws, KL = n w KL(q0||q1) and BC = (1 - w(1-BC1))^n match their enumerations, TV lies inside the "
    "Hellinger sandwich and below the Pinsker and Bretagnolle-Huber bounds; n=200, w=0.05, q 0.5 vs 0.6 gives "
    "0.248729.",
    assumptions=("i.i.d. samples", "instances differ only at the informative pair"),
)

_TOL = 1e-10  # float64 round-off of sums over at most ~10^6 terms of magnitude <= 1
REFERENCE_TV = 0.248729  # TV(200, 0.05, 0.5, 0.6) to six digits (docs/methods/lecam.md §3)

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
    if round(ref, 6) != REFERENCE_TV:
        problems.append(f"TV(200, 0.05, 0.5, 0.6) = {ref:.9f}, expected {REFERENCE_TV}")
    decision = exact_decision(not problems, estimate=ref, bound=REFERENCE_TV, name="closed forms = enumerations",
                              message="; ".join(problems))
    return Evidence.from_decision(decision, details={"grid": rows})


@figure(check_tv_exact)
def tv_sandwich_bars(ev) -> list[Spec]:
    """The exact TV of each grid point inside its Hellinger sandwich and under the tighter KL bound."""
    grid = detail(ev, "grid")
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


_DIV = "lrtcheck.lecam.divergences"
_TV, _BM, _BP = "lecam.tv.exact", "lecam.bound.model", "lecam.bound.policy"

MUTANTS = [
    Mutant("lecam.tv_without_w", f"{_DIV}:two_point_tv",
           "the TV formula without the visit probability w: TV(Bin(n, q0), Bin(n, q1)), as if every sample visited",
           source_edit(("return float(np.sum(_binom_pmf(ks, n, w) * binomial_tv(ks, q0, q1)))",
                        "return float(binomial_tv(np.array([n]), q0, q1)[0])")),
           (_TV, _BM, _BP), tags=("ci",)),
    Mutant("lecam.binomial_tv_no_half", f"{_DIV}:binomial_tv",
           "the 1/2 of TV = (1/2) sum |p - q| forgotten: the L1 distance used as TV",
           source_edit(("return 0.5 * diff.sum(axis=1)", "return diff.sum(axis=1)")), (_TV, _BM, _BP), tags=("ci",)),
    Mutant("lecam.kl_without_nw", f"{_DIV}:two_point_kl",
           "KL without the factor n w: the per-visit KL(q0 || q1) reported as the KL of the whole data set",
           source_edit(("float(n * w * bernoulli_kl(q0, q1))", "float(bernoulli_kl(q0, q1))")), (_TV,), tags=("ci",)),
    Mutant("lecam.bc_without_w", f"{_DIV}:two_point_bhattacharyya",
           "the Bhattacharyya coefficient as (1 - (1 - BC1))^n = BC1^n: the visit probability w dropped",
           source_edit(("(1.0 - w * (1.0 - bc1)) ** n", "(1.0 - (1.0 - bc1)) ** n")), (_TV,), tags=("ci",)),
    Mutant("lecam.joint_law_flipped", f"{_DIV}:_joint_law",
           "successes and failures swapped in the law of (k, j): Bin(j; k, 1 - q)",
           wrapper(inputs=lambda n, w, q: ((n, w, 1.0 - q), {})), (_TV, _BM, _BP), tags=("ci",)),
]
