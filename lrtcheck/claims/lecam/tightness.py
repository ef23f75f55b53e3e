"""``lecam.tightness`` (measured): how far above the Le Cam lower bound each rule's worst-case risk lies.

Claim.  None: this is a project measurement, not a paper's claim.  The C-SAR paper's §7 proves an upper bound of
order ``H (alpha eps_p + beta eps_pi)`` and its §8 (Theorem 4, the two-point construction) a lower bound
``Omega(H alpha eps_p)`` of the same order "up to logarithmic factors"; it states no constant for either, so no
finite computation can confirm or refute its tightness, and nothing here is asserted about the paper.  What is
reported is the ratio of each rule's exact worst-case (over the pair) suboptimality to the project's Le Cam bound
``(Delta/2)(1 - TV)`` across n, H and eps, for the C-SAR-style certified rule at several delta beside the greedy and
Hoeffding-pessimistic plug-ins and the Bayes rule (docs/methods/lecam.md §8).  The lower bound itself is asserted
by ``lecam.bound.*``.

World.  The model-bias and policy-shift pairs of :mod:`lrtcheck.worlds.lecam` at visit probability w = 0.05.

Check.  Exact risks; the measurement is invalid (verdict violated) only if a ratio is below 1 or not finite, which
would contradict the bound.
"""

from __future__ import annotations

import itertools

import numpy as np

from lrtcheck.certify import MEASURED, Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, detail, figure, fmt
from lrtcheck.lecam import certified_rule, exact_risk, greedy_rule, likelihood_ratio_rule, pessimistic_rule
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.lecam import PAIRS

TIGHT_CLAIM = Claim(
    id="lecam.tightness",
    source="docs/methods/lecam.md §8 (a project measurement: the C-SAR paper §7-§8 gives only the order "
    "H alpha eps_p of its upper and lower bounds, no constant)",
    statement="Project measurement, no paper claim: the ratio of the C-SAR-style certified rule's worst-case "
    "(over the pair) exact suboptimality to the Le Cam lower bound (Delta/2)(1-TV), across n, H and eps, beside greedy and Hoeffding-"
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
    divergences = {}  # the data law does not depend on gamma: its exact divergences are computed once per (n, w, theta)
    for kind, make in PAIRS.items():
        for n, gamma, eps in itertools.product(p["ns"], p["gammas"], p["epsilons"]):
            prob = make(n=n, w=p["w"], epsilon=eps, gamma=gamma)
            key = (prob.n, prob.w, prob.theta)
            if key in divergences:
                prob.__dict__["divergences"] = divergences[key]  # fills the problem's cached_property
            else:
                divergences[key] = prob.divergences
            lb = prob.lower_bound
            row = {"pair": kind, "n": n, "H": prob.horizon, "epsilon": eps, "delta_gap": prob.delta, "tv": prob.tv,
                   "lower_bound": lb}
            for rule in [certified_rule(d) for d in p["deltas"]] + [greedy_rule(), pessimistic_rule(0.05),
                                                                   likelihood_ratio_rule()]:
                row[f"ratio[{rule.name}]"] = exact_risk(rule, prob).worst / lb
            table.append(row)
    cert = [v for r in table for k, v in r.items() if k.startswith("ratio[certified")]
    ok = all(np.isfinite(v) and v >= 1.0 - 1e-9 for r in table for k, v in r.items() if k.startswith("ratio["))
    decision = exact_decision(ok, estimate=float(np.max(cert)), bound=1.0, name="every ratio >= 1 and finite",
                              message="a measured ratio is below 1 or not finite (the bound would be violated)")
    return Evidence.from_decision(decision, lower=float(np.min(cert)), upper=float(np.max(cert)),
                                  details={"table": table})


@figure(check_tightness)
def tightness_lines(ev) -> list[Spec]:
    """Per pair, at the largest eps and H: each rule's worst-case risk / Le Cam bound against n."""
    table = detail(ev, "table")
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
                                 "ratio per rule here: " + ", ".join(f"{k[6:-1]} {fmt(max(r[k] for r in rows))}"
                                                                     for k in rules) + "."})
    if not specs:
        raise Skip("no table")
    return specs
