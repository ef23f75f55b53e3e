"""Figures of the ``risk.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern.  The risk migration moves each builder next to its check in ``lrtcheck/claims/risk/``
(registered on the check function) and deletes this file.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify.figures import Skip, Spec, detail as _d, figure, finding, fmt as _fmt, number as _num


_RISK_ORDER = ["standard", "risk_conditional", "risk_sensitive", "oracle"]


def _risk_table_specs(ev, title):
    tab = _d(ev, "table")
    names = [n for n in _RISK_ORDER[:-1] if n in tab] + [n for n in tab if n not in _RISK_ORDER] + (
        ["oracle"] if "oracle" in tab else [])
    specs = []
    metrics = [("w1", "Wasserstein W1 (exact OT)"), ("sw1", "sliced Wasserstein SW1"), ("mmd", "MMD² (RBF)")]
    for key, label in metrics:
        if not all(isinstance(tab[n].get(key), list) for n in names):
            continue
        per = [[float(v) for v in tab[n][key]] for n in names]
        means = {n: float(np.mean(p)) for n, p in zip(names, per)}
        ranked = " < ".join(f"{n} {_fmt(v)}" for n, v in sorted(means.items(), key=lambda kv: kv[1]))
        specs.append({"kind": "bars", "title": f"{title}: {label} to the clean law", "labels": names,
                      "values": {label: [means[n] for n in names]}, "points": {label: per},
                      "ylabel": f"{label} (lower is better)",
                      "caption": "Bars: mean over seeds; dots: one trained model per seed (oracle: trained on clean "
                                 f"data; the others on corrupted data). Ranking here: {ranked}."})
    if not specs:
        raise Skip("no metrics")
    return specs


@figure("risk.learned.gaussian")
def _risk_gauss(ev):
    return _risk_table_specs(ev, "Gaussian corruption")


@figure("risk.learned.cauchy")
def _risk_cauchy(ev):
    return _risk_table_specs(ev, "Cauchy corruption")


@figure("risk.learned.tabular")
def _risk_tab(ev):
    return _risk_table_specs(ev, "Tabular (diabetes)")


@figure("risk.learned.component_corruption")
def _risk_poc(ev):
    return _risk_table_specs(ev, "One component 95% corrupted")


@figure("risk.misspecified")
def _risk_misspec(ev):
    return _risk_table_specs(ev, "Mis-specified risk (×0.5, ×1, ×2)")


@figure("risk.kernel.stable_marginal")
def _risk_stable(ev) -> list[Spec]:
    ks = _d(ev, "ks")
    names = list(ks)
    return [{"kind": "bars", "title": "Stable noisy kernel: KS distance to the clean marginal", "labels": names,
             "values": [ks[n]["ks"] for n in names], "targets": [ks[n]["threshold"] for n in names],
             "target_label": "exact KS critical value", "ylabel": "KS statistic",
             "note": "defect (risk ignored) sup-CDF gap: " + ", ".join(_fmt(ks[n]["defect_sup_gap"]) for n in names),
             "caption": "Inside T(r) the noisy samples' projection is indistinguishable from the clean marginal: every "
                        "KS statistic stays below its exact critical value."}]


@figure("risk.target.unbiased")
def _risk_target(ev) -> list[Spec]:
    names = [k for k, v in ev.details.items() if isinstance(v, dict) and "chi2" in v]
    if not names:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Unbiased ε-target: χ² of whitened residuals on features", "labels": names,
             "values": [ev.details[n]["chi2"] for n in names],
             "targets": [ev.details[n]["critical"] for n in names], "target_label": "exact χ² critical value",
             "ylabel": "χ² statistic",
             "caption": "Residuals of the risk-sensitive target are orthogonal to functions of x̃_t: the statistic "
                        "stays below the critical value."}]


@figure("risk.paper_sign")
def _risk_sign(ev) -> list[Spec]:
    return [{"kind": "bars", "title": "Printed Ψ = +r²u² vs the derived −r²u²",
             "labels": ["printed  v² = v0² + r²u²", "derived  v² = v0² − r²u²"],
             "values": [_num(_d(ev, "plus", "sup_cdf_gap")), _num(_d(ev, "minus", "sup_cdf_gap"))],
             "ylabel": "sup |F_noisy − F_clean| (exact)",
             "caption": "With the printed sign the noisy marginal departs from the clean one; with the derived sign "
                        "it matches exactly."}]


@figure("risk.cauchy_psi.anisotropic")
def _risk_cauchy_psi(ev) -> list[Spec]:
    aniso = _d(ev, "[0.5, 1.5]")
    return [{"kind": "bars", "title": "Cauchy ψ(r), anisotropic r = (0.5, 1.5)", "labels": ["dimension 1", "dimension 2"],
             "values": {"general least-squares Ψ (quadrature)": aniso["quadrature"],
                        "printed ψ (Cor. 3.2)": aniso["printed"],
                        "derived (D+2)/(D+5) r²": aniso["derived_(D+2)/(D+5)r^2"]},
             "ylabel": "Ψ per dimension",
             "caption": "The printed closed form disagrees with the general Ψ of Thm 3.2 once r is anisotropic; the "
                        "derived per-dimension formula matches the quadrature."}]


@figure("risk.kernel.outside")
def _risk_outside(ev) -> list[Spec]:
    names = [k for k, v in ev.details.items() if isinstance(v, dict) and "sup_cdf_gap" in v]
    if not names:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Outside T(r): gap to the clean marginal", "labels": names,
             "values": [ev.details[n]["sup_cdf_gap"] for n in names], "ylabel": "sup |F_noisy − F_clean| (exact)",
             "caption": "Before the stability time the kernel cannot remove the extra noise: the marginal differs."}]


# ------------------------------------------------------------------------------------------------------------------
# findings: what the check found, for the report's "claims the papers get wrong"
# ------------------------------------------------------------------------------------------------------------------
@finding("risk.paper_sign")
def _f_sign(ev):
    return (f"with the printed Ψ = +r²u² the noisy marginal misses the clean one by sup-CDF gap {_fmt(ev.estimate)}; the "
            f"derived Ψ = −r²u² matches exactly.")


@finding("risk.cauchy_psi.anisotropic")
def _f_cauchy(ev):
    return (f"for anisotropic r the printed Cauchy ψ differs from the general least-squares Ψ by {_fmt(ev.estimate)}; "
            f"the per-dimension (D+2)/(D+5) r² form matches.")


@finding("risk.kernel.outside")
def _f_outside(ev):
    return (f"outside T(r) the clipped kernel's marginal differs from the clean one (smallest sup-CDF gap "
            f"{_fmt(ev.estimate)}): stability holds only inside T(r).")
