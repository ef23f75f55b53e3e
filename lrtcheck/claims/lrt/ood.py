"""``lrt.ood.monotone``: the state-conditional OOD rate across alpha, and the return-OOD Pareto (measured).

Claim (measured).  A lower alpha gives a lower OOD rate ("Prop. 4" in a published summary of arXiv 2510.24983, which
needs an extra monotonicity assumption; docs/paper_errors.md §4), and the paper compares LRT, Q-guided and LRT+Q on
return and OOD rate (arXiv 2510.24983, Table 1; docs/methods/lrt_diffusion.md §11-§12).

World.  The contextual toy with its exact mixture heads and exact critic, the state-conditional kNN OOD rate
(docs/methods/lrt_diffusion.md §11).

Check.  Measured: the LRT's OOD rate for alpha in {0.2, 0.1, 0.05, 0.01} with exact 95% Clopper-Pearson intervals,
whether the point estimates are monotone, and the Pareto table.
"""

from __future__ import annotations

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Spec, detail, figure, fmt
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import Schedule
from lrtcheck.lrt import ContextualToy, LRTSampler, return_ood_pareto
from lrtcheck.stats.decisions import exact_decision, proportion_interval

OOD_CLAIM = Claim(
    id="lrt.ood.monotone",
    source=f"{PAPER} (Prop. 4: lower alpha, lower OOD rate; Table 1 return-OOD Pareto)",
    statement="On the contextual toy, the state-conditional kNN OOD rate of the LRT sampler does not increase as alpha "
    "decreases; the return-OOD Pareto of LRT, Q-only and LRT+Q across alpha in {0.2, 0.1, 0.05, 0.01} is reported.",
    expectation="measured",
    assumptions=("exact GMM heads", "exact critic", "the paper needs an extra monotonicity assumption"),
)


@check(OOD_CLAIM, quick=dict(n_data=8000, n_cal=8000, n_eval=4000, T=20, beta_max=1.0, eta=0.3),
       full=dict(n_data=20000, n_cal=40000, n_eval=20000, T=20, beta_max=1.0, eta=0.3))
def check_ood_monotone(ctx):
    """Measured: the Pareto rows, the LRT's OOD rates with exact 95% intervals, and their monotonicity."""
    p = ctx.params
    toy = ContextualToy(seed=0)
    bg, gd = toy.exact_heads()
    sampler = LRTSampler(bg, gd, Schedule.cosine(p["T"]), beta_max=p["beta_max"])
    rows = return_ood_pareto(toy, sampler, eta=p["eta"], n_data=p["n_data"], n_cal=p["n_cal"], n_eval=p["n_eval"],
                             seed=ctx.seed("pareto"))
    lrt = [r for r in rows if r.method == "LRT"]
    rates = [r.ood_rate for r in lrt]
    monotone = all(rates[i + 1] <= rates[i] for i in range(len(rates) - 1))
    n = p["n_eval"]
    cis = [proportion_interval(int(round(r * n)), n, 0.95) for r in rates]
    measured = exact_decision(True, estimate=rates[-1], bound=rates[0], n=n, name="measured")
    return Evidence.from_decision(
        measured, lower=cis[-1][0], upper=cis[-1][1],
        details={"pareto": [r.__dict__ for r in rows], "lrt_ood_by_alpha": dict(zip([r.alpha for r in lrt], rates)),
                 "monotone_point_estimates": monotone, "ci95": [list(c) for c in cis]},
        message="" if monotone else "OOD rate not monotone in alpha at the point estimates (measured)",
    )


@figure(check_ood_monotone)
def pareto_scatter(ev) -> list[Spec]:
    rows = detail(ev, "pareto")
    methods: dict[str, list] = {}
    for r in rows:
        methods.setdefault(r["method"], []).append(r)
    pts = []
    for name, rs in methods.items():
        rs = sorted(rs, key=lambda r: -r["alpha"])
        pts.append({"label": name, "x": [r["ood_rate"] for r in rs], "y": [r["mean_return"] for r in rs],
                    "tags": [f"α={r['alpha']:g}" for r in rs] if name == "LRT" else []})
    summary = "; ".join(f"{name}: return {fmt(min(r['mean_return'] for r in rs))} to "
                        f"{fmt(max(r['mean_return'] for r in rs))}, OOD {fmt(min(r['ood_rate'] for r in rs))} to "
                        f"{fmt(max(r['ood_rate'] for r in rs))}" for name, rs in methods.items())
    specs = [{"kind": "scatter", "title": "Return-OOD Pareto (contextual toy)", "points": pts,
              "xlabel": "state-conditional kNN OOD rate (lower is better)", "ylabel": "mean return (higher is better)",
              "caption": "One point per method and α (α from 0.2 to 0.01 along each line; Q-only does not use α); "
                         f"up-and-left is better. Measured: {summary}."}]
    by = detail(ev, "lrt_ood_by_alpha", default=None)
    ci = detail(ev, "ci95", default=None)
    if by and ci and len(ci) == len(by):
        al = [float(k) for k in by]
        overlap = max(c[0] for c in ci) <= min(c[1] for c in ci)
        specs.append({"kind": "scatter", "title": "LRT OOD rate vs α (Prop. 4: non-increasing as α falls)",
                      "points": [{"label": "LRT OOD rate, exact 95% CI", "x": al, "y": [float(v) for v in by.values()],
                                  "lower": [c[0] for c in ci], "upper": [c[1] for c in ci]}],
                      "logx": True, "xlabel": "α", "ylabel": "OOD rate",
                      "caption": "Measured, not asserted (the claim needs an extra monotonicity assumption): the point "
                                 "estimates are " + ("" if detail(ev, "monotone_point_estimates", default=False)
                                                     else "not ")
                                 + "monotone in α, and the exact 95% intervals "
                                 + ("overlap: no detectable trend at this n." if overlap else "do not all overlap.")})
    return specs
