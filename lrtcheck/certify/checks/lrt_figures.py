"""Figures of the ``lrt.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern.  The lrt migration moves each builder next to its check in ``lrtcheck/claims/lrt/``
(registered on the check function) and deletes this file.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify.figures import (
    Skip, Spec, artifact as _art, detail as _d, figure, finding, finite as _finite, fmt as _fmt, histogram as _hist,
    number as _num,
)


@figure("lrt.null.exact_gaussian*")
def _lrt_null_hist(ev) -> list[Spec]:
    from scipy import stats as st

    d2 = _num(_d(ev, "D2"))
    h0, h1 = _art(ev, "null"), _art(ev, "alt")
    sd = math.sqrt(d2)
    lo, hi = -d2 / 2 - 4.5 * sd, d2 / 2 + 4.5 * sd
    x = np.linspace(lo, hi, 300)
    e0, c0 = _hist(h0, 60, lo, hi)
    e1, c1 = _hist(h1, 60, lo, hi)
    var = _d(ev, "variance", default="?")
    return [{
        "kind": "hist", "title": f"Final Λ under H0 and H1 vs exact laws ({var} variance)",
        "edges": e0, "counts": c0, "label": f"H0 draws (n={h0.size})",
        "density_x": x.tolist(), "density_y": st.norm.pdf(x, -d2 / 2, sd).tolist(), "law_label": "exact N(-D²/2, D²)",
        "overlays": [{"edges": e1, "counts": c1, "label": f"H1 draws (n={h1.size})", "density_x": x.tolist(),
                      "density_y": st.norm.pdf(x, d2 / 2, sd).tolist(), "law_label": "exact N(+D²/2, D²)"}],
        "xlabel": "Λ (log-likelihood ratio statistic)", "ylabel": "density",
        "note": f"D² = {_fmt(d2)}; KS p: H0 {_fmt(_d(ev, 'p_H0', default=math.nan))}, "
                f"H1 {_fmt(_d(ev, 'p_H1', default=math.nan))}",
        "caption": "The sampler's H0 and H1 histograms should sit on the exact Gaussian curves; a drift or scale "
                   "error shows as a shifted or widened histogram.",
    }]


@figure("lrt.calibration.rank_exact")
def _lrt_rank_hist(ev) -> list[Spec]:
    from scipy import stats as st

    k = int(_d(ev, "k"))
    lev = _art(ev, "realized_levels")
    n = _d(ev, "n_cal", default=None)
    if n is None:  # mean of Beta(n+1-k, k) is (n+1-k)/(n+1)
        m = _num(_d(ev, "mean_exact"))
        n = int(round(k / (1 - m))) - 1
    n = int(n)
    alpha = _d(ev, "alpha", default=None)
    law = st.beta(n + 1 - k, k)
    hi = float(max(law.ppf(0.9995), lev.max()))
    x = np.linspace(1e-6, hi, 300)
    e, c = _hist(lev, 40, 0.0, hi)
    spec = {"kind": "hist", "title": "Realized Type-I of the conformal threshold over R calibrations",
            "edges": e, "counts": c, "label": f"realized level, R={lev.size} (n={n}, k={k})",
            "density_x": x.tolist(), "density_y": law.pdf(x).tolist(),
            "law_label": f"exact Beta({n + 1 - k}, {k})",
            "xlabel": "realized Type-I 1 - F0(τ̂)", "ylabel": "density",
            "vlines": [{"x": float(law.mean()), "label": f"exact mean {_fmt(law.mean())}", "color": "k"}],
            "caption": "Each calibration's realized Type-I is random; its law is exactly Beta(n+1-k, k), whose mean "
                       "k-rank guarantees is at most α."}
    if alpha is not None:
        spec["vlines"].append({"x": float(alpha), "label": f"α = {alpha}", "color": "tab:red"})
    return [spec]


@figure("lrt.calibration.dkw")
def _lrt_alpha_sweep(ev) -> list[Spec]:
    sw = _d(ev, "alpha_sweep")
    a = [float(v) for v in sw["alpha"]]
    eps = float(sw["eps_two_sided"])
    spec = {
        "kind": "lines", "title": f"Realized Type-I vs α (n={sw['n']}, δ={sw['delta']}; exact laws)",
        "x": a,
        "band": [{"lower": [max(0.0, x - eps) for x in a], "upper": [x + eps for x in a],
                  "label": f"DKW band α ± ε (ε = {_fmt(eps)})"},
                 {"lower": sw["plugin_q05"], "upper": sw["plugin_q95"],
                  "label": "plug-in: 5-95% of realized (exact Beta)"}],
        "series": {"plug-in quantile: mean realized": sw["plugin_mean"],
                   "conformal: mean realized": sw["conformal_mean"],
                   f"DKW-conservative: {1 - float(sw['delta']):g}-quantile of realized": sw["dkw_q"]},
        "reference": {"realized = α": a},
        "xlabel": "nominal α", "ylabel": "realized Type-I (exact, Gaussian heads)",
        "caption": "Realized Type-I of thresholds calibrated on n H0 draws, computed from the exact Beta law of the "
                   "order statistic. The plug-in threshold's realized level stays inside the DKW band; the "
                   "DKW-conservative threshold keeps it at or below α with probability at least 1-δ (its quantile curve "
                   "lies under the diagonal). Diamonds: the check's Monte Carlo calibrations at its α.",
        "legend_loc": "upper left",
    }
    mc = sw.get("monte_carlo") or {}
    if mc:
        spec["markers"] = [
            {"label": f"Monte Carlo plug-in (R={mc['R']}): mean, 5-95%", "x": [mc["alpha"]], "y": [mc["plugin_mean"]],
             "lower": [mc["plugin_q05"]], "upper": [mc["plugin_q95"]]},
            {"label": f"Monte Carlo DKW: {1 - float(sw['delta']):g}-quantile", "x": [mc["alpha"]],
             "y": [mc["dkw_q"]], "fmt": "s"},
        ]
    return [spec]


@figure("lrt.ump")
def _lrt_roc(ev) -> list[Spec]:
    from scipy import stats as st

    D, Da = _num(_d(ev, "D")), _num(_d(ev, "final_action_D"))
    pw = _num(_d(ev, "power_exact"))
    alpha = float(st.norm.sf(D - st.norm.ppf(pw)))  # power = 1 - Phi(z_{1-alpha} - D)
    a = np.logspace(-3, np.log10(0.5), 60)
    spec = {"kind": "lines", "title": "Power vs α: LRT (Prop. 5.1) vs the best test on the final action",
            "x": a.tolist(), "logx": True,
            "series": {f"LRT on Λ: 1-Φ(z₁₋α - D), D={_fmt(D)}": st.norm.sf(st.norm.ppf(1 - a) - D).tolist(),
                       f"final action only, D={_fmt(Da)}": st.norm.sf(st.norm.ppf(1 - a) - Da).tolist()},
            "reference": {"α (trivial test)": a.tolist()},
            "xlabel": "level α", "ylabel": "power under H1",
            "caption": "The LRT's exact power curve lies above the final-action test's at every level; the Monte Carlo "
                       "power (diamond, exact Clopper-Pearson interval) sits on the LRT curve."}
    if _finite(ev.estimate):
        spec["markers"] = [{"label": "Monte Carlo power", "x": [alpha], "y": [float(ev.estimate)],
                            "lower": [float(ev.lower)], "upper": [float(ev.upper)]}]
    return [spec]


@figure("lrt.ood.monotone")
def _lrt_pareto(ev) -> list[Spec]:
    rows = _d(ev, "pareto")
    methods: dict[str, list] = {}
    for r in rows:
        methods.setdefault(r["method"], []).append(r)
    pts = []
    for name, rs in methods.items():
        rs = sorted(rs, key=lambda r: -r["alpha"])
        pts.append({"label": name, "x": [r["ood_rate"] for r in rs], "y": [r["mean_return"] for r in rs],
                    "tags": [f"α={r['alpha']:g}" for r in rs] if name == "LRT" else []})
    summary = "; ".join(f"{name}: return {_fmt(min(r['mean_return'] for r in rs))} to "
                        f"{_fmt(max(r['mean_return'] for r in rs))}, OOD {_fmt(min(r['ood_rate'] for r in rs))} to "
                        f"{_fmt(max(r['ood_rate'] for r in rs))}" for name, rs in methods.items())
    specs = [{"kind": "scatter", "title": "Return-OOD Pareto (contextual toy)", "points": pts,
              "xlabel": "state-conditional kNN OOD rate (lower is better)", "ylabel": "mean return (higher is better)",
              "caption": "One point per method and α (α from 0.2 to 0.01 along each line; Q-only does not use α); "
                         f"up-and-left is better. Measured: {summary}."}]
    by = _d(ev, "lrt_ood_by_alpha", default=None)
    ci = _d(ev, "ci95", default=None)
    if by and ci and len(ci) == len(by):
        al = [float(k) for k in by]
        specs.append({"kind": "scatter", "title": "LRT OOD rate vs α (Prop. 4: non-increasing as α falls)",
                      "points": [{"label": "LRT OOD rate, exact 95% CI", "x": al, "y": [float(v) for v in by.values()],
                                  "lower": [c[0] for c in ci], "upper": [c[1] for c in ci]}],
                      "logx": True, "xlabel": "α", "ylabel": "OOD rate",
                      "caption": "Measured, not asserted (the claim needs an extra monotonicity assumption): the point "
                                 "estimates are " + ("" if _d(ev, "monotone_point_estimates", default=False) else "not ")
                                 + "monotone in α, and the exact 95% intervals "
                                 + ("overlap: no detectable trend at this n." if max(c[0] for c in ci) <= min(c[1] for c in ci)
                                    else "do not all overlap.")})
    return specs


@figure("lrt.qstep.size_clip")
def _lrt_qstep_size(ev) -> list[Spec]:
    tab = ev.details
    series: dict[str, dict[float, float]] = {}
    for key, val in tab.items():
        if not key.startswith("clip=") or not _finite(val):
            continue
        clip, eta = key.split(",")
        series.setdefault(clip.replace("clip=None", "no clip"), {})[float(eta.split("=")[1])] = float(val)
    if not series:
        raise Skip("no table")
    etas = sorted({e for s in series.values() for e in s})
    alpha = _num(ev.bound)
    return [{"kind": "lines", "title": "Type-I of a no-Q-step threshold deployed with a Q-step (exact)",
             "x": etas, "series": {k: [v.get(e, math.nan) for e in etas] for k, v in series.items()},
             "hlines": [{"y": alpha, "label": f"α = {alpha:g}"}], "xlabel": "Q-step size η", "ylabel": "realized Type-I",
             "caption": "Any Q-step shifts the H0 law of Λ: the realized Type-I climbs above α with η; clipping the "
                        "gradient caps the damage but does not remove it."}]


@figure("lrt.heads.unequal_variance")
def _lrt_unequal(ev) -> list[Spec]:
    ratios = [k for k in ev.details if _finite(k)]
    if not ratios:
        raise Skip("no ratios")
    alpha = _num(ev.bound)
    return [{"kind": "bars", "title": "Unequal head variances: realized Type-I",
             "labels": [f"s_c/s_u = {r}" for r in ratios],
             "values": {"Monte Carlo conformal threshold": [ev.details[r]["realized_conformal"] for r in ratios],
                        "Gaussian closed-form threshold": [ev.details[r]["realized_gaussian_formula"] for r in ratios]},
             "target": alpha, "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "The conformal threshold is calibrated on the sampler's own H0 draws; the closed form assumes "
                        "equal head variances. Compare each pair of bars with α as the ratio grows."}]


@figure("lrt.calibration.shifted_states")
def _lrt_shift(ev) -> list[Spec]:
    keys = [k for k in ev.details if _finite(k)]
    if not keys:
        raise Skip("no shifts")
    alpha = _num(ev.bound)
    return [{"kind": "scatter", "title": "Calibrated on N(0, I) states, deployed on shifted states",
             "points": [{"label": "realized Type-I, exact 95% CI", "x": [float(k) for k in keys],
                         "y": [ev.details[k]["realized"] for k in keys],
                         "lower": [ev.details[k]["ci95"][0] for k in keys],
                         "upper": [ev.details[k]["ci95"][1] for k in keys]}],
             "hlines": [{"y": alpha, "label": f"α = {alpha:g}"}], "xlabel": "state shift ‖μ‖",
             "ylabel": "realized Type-I",
             "caption": "The level guarantee holds for exchangeable states (‖μ‖ = 0). Here "
                        + (", ".join(f"‖μ‖={k}" for k in keys if not (ev.details[k]["ci95"][0] <= alpha <=
                                                                       ev.details[k]["ci95"][1])) + " move the rate "
                           "detectably away from α." if any(not (ev.details[k]["ci95"][0] <= alpha <=
                                                                  ev.details[k]["ci95"][1]) for k in keys)
                           else "every 95% interval contains α: on this toy the shift does not move the Type-I "
                                "detectably.")}]


@figure("lrt.running_max")
def _lrt_running_max(ev) -> list[Spec]:
    alpha = _num(ev.bound)
    vals = [_num(_d(ev, "realized_running_max")), _num(ev.lower), _num(_d(ev, "ville_rate"))]
    return [{"kind": "bars", "title": "Gate on the running max of Λ: realized Type-I",
             "labels": ["final-Λ τ used for running max (exact)", "τ recalibrated on running max (MC)",
                        "Ville τ = ln(1/α), GMM heads (MC)"],
             "values": vals, "target": alpha, "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "A threshold calibrated on the final Λ is exceeded by the running max far more often than α "
                        "(paper error); recalibrating on the running max, or Ville's ln(1/α), restores the level."}]


@figure("lrt.variance_mismatch")
def _lrt_var_mismatch(ev) -> list[Spec]:
    alpha = _num(ev.bound)
    return [{"kind": "bars", "title": "Calibrated with posterior variance, deployed with β_t (exact)",
             "labels": ["realized Type-I"], "values": [_num(ev.estimate)], "target": alpha,
             "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "note": f"D² posterior {_fmt(_d(ev, 'D2_posterior', default=math.nan))}, "
                     f"β {_fmt(_d(ev, 'D2_beta', default=math.nan))}; config hash refused: "
                     f"{_d(ev, 'config_hash_refused', default='?')}",
             "caption": "Changing the reverse variance changes the H0 law of Λ, so the old threshold no longer gives α."}]


@figure("lrt.qstep.recalibrate")
def _lrt_qstep_recal(ev) -> list[Spec]:
    alpha = _num(ev.bound)
    return [{"kind": "bars", "title": "Q-step: calibrated without vs recalibrated with it",
             "labels": ["no-Q τ, deployed with Q (exact)", "recalibrated: mean realized (MC)",
                        "recalibrated: 99% quantile (MC)"],
             "values": [_num(ev.estimate), _num(ev.lower), _num(ev.upper)], "target": alpha,
             "target_label": f"α = {alpha:g}", "ylabel": "realized Type-I",
             "caption": "The Q-step shifts Λ's null law (shift "
                        f"{_fmt(_d(ev, 'shift', default=math.nan))}): the old threshold exceeds α; recalibrating with "
                        "the Q-step on brings the realized level back to its exact Beta law."}]


@figure("lrt.gate_feedback")
def _lrt_feedback(ev) -> list[Spec]:
    keys = [k for k in ev.details if _finite(k)]
    if not keys:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Gate feedback: mean evidence after the gate opens",
             "labels": [f"β_max = {k}" for k in keys],
             "values": {"measured E[ℓ_t | open]": [ev.details[k]["mean_ell_after_opening"] for k in keys],
                        "exact (β_max - ½) d_t²": [ev.details[k]["exact"] for k in keys]},
             "hlines": [{"y": 0.0, "label": None, "color": "k", "ls": "-"}], "ylabel": "mean ℓ_t after opening",
             "caption": "With β_max > ½ an opened gate feeds itself (positive evidence); the measured means follow the "
                        "exact (β_max − ½) d_t²."}]


@figure("lrt.type1.learned")
def _lrt_learned(ev) -> list[Spec]:
    alpha = _num(ev.bound)
    reg = _d(ev, "region")
    m = int(ev.n)
    return [{"kind": "bars", "title": "Trained two-head model: Type-I on fresh states",
             "labels": ["fresh realized Type-I"], "values": [_num(ev.estimate)], "lower": [_num(ev.lower)],
             "upper": [_num(ev.upper)], "target": alpha, "target_label": f"α = {alpha:g}",
             "hlines": [{"y": reg[0] / m, "label": "exact Beta-Binomial acceptance region", "color": "tab:green"},
                        {"y": reg[1] / m, "color": "tab:green"}],
             "ylabel": "realized Type-I",
             "caption": "Calibrated (DKW level) on held-out states, the fresh exceedance rate must fall inside the "
                        "exact Beta-Binomial region (green) around α."}]


@figure("lrt.gate.past_evidence")
def _lrt_gate(ev) -> list[Spec]:
    gates = [g for g in ("hard", "soft") if isinstance(ev.details.get(g), dict)]
    if not gates:
        raise Skip("no gates")
    return [{"kind": "bars", "title": "Finite-threshold gate: activation rate vs exact Markov law",
             "labels": [f"{g} gate" for g in gates],
             "values": {"Monte Carlo": [ev.details[g]["activation"] for g in gates],
                        "exact (grid law)": [ev.details[g]["activation_exact"] for g in gates]},
             "ylabel": "P(Λ > τ)",
             "caption": "The gate reads only past evidence: the sampler's activation rate equals the exact law of the "
                        "gated Markov chain."}]


@figure("lrt.running_max.exact_law")
def _lrt_rmax_law(ev) -> list[Spec]:
    return [{"kind": "bars", "title": "Running max of Λ: exceedance vs its exact law",
             "labels": ["running max (MC)", "running max (exact MVN)", "final Λ (exact)"],
             "values": [_num(ev.estimate), _num(_d(ev, "p_exact_running_max")), _num(_d(ev, "p_final"))],
             "lower": [_num(ev.lower), math.nan, math.nan], "upper": [_num(ev.upper), math.nan, math.nan],
             "ylabel": f"P(statistic > τ), τ = {_fmt(_d(ev, 'tau', default=math.nan))}",
             "caption": "The running max exceeds τ more often than the final Λ; the Monte Carlo rate matches the exact "
                        "multivariate-normal probability."}]


# ------------------------------------------------------------------------------------------------------------------
# findings: what the check found, for the report's "claims the papers get wrong"
# ------------------------------------------------------------------------------------------------------------------
@finding("lrt.qstep.recalibrate")
def _f_qstep(ev):
    return (f"a threshold calibrated without the Q-step gives realized Type-I {_fmt(ev.estimate)} > α = {_fmt(ev.bound)} "
            f"once the Q-step is on; recalibrating with it restores the exact level (mean {_fmt(ev.lower)}).")


@finding("lrt.variance_mismatch")
def _f_var(ev):
    return (f"calibrated with the posterior variance and deployed with β_t, the realized Type-I is {_fmt(ev.estimate)} "
            f"instead of α = {_fmt(ev.bound)}.")


@finding("lrt.running_max")
def _f_rmax(ev):
    return (f"a final-Λ threshold used on the running max gives realized Type-I {_fmt(ev.estimate)} (α = "
            f"{_fmt(ev.bound)}); calibrating on the running max ({_fmt(ev.lower)}) or Ville's ln(1/α) "
            f"({_fmt(ev.upper)}) keeps the level.")
