"""``csar.*``: checks of C-SAR (seed ``004_23bd9ab007ea45de.txt``; DESIGN section 6) in exact-ratio worlds.

Calibrators are check subjects (``csar.conformal``, ``csar.weighted_conformal``, ``csar.venn_abers``,
``csar.cells``): a user's implementation with the same ``fit``/``predict_interval`` protocol can be certified in
place of ours.  Exact checks enumerate or solve linear systems; Monte Carlo checks compare with exact binomial, Beta
and Beta-Binomial laws.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from scipy import stats as st

import tabular_envs as te
from lrtcheck.csar import (PerCellClopperPearson, SplitConformal, VennAbers, WeightedConformal, certified_reward,
                           ideal_reward, logit_certificate, reward_bound, seed_reward_bound)
from lrtcheck.csar.ablations import ablation_table, drift_sweep, imbalance_sweep
from lrtcheck.csar.ablations import certificate_metrics
from lrtcheck.csar.agents import soft_vi_policy
from lrtcheck.csar.pipeline import calibrated_certificates
from lrtcheck.csar.world import Certificates, make_world, surrogate_mdp
from lrtcheck.stats import (binomial_acceptance_region, binomial_power, conformal_rank, exact_fraction,
                            ks_power_lower_bound)

from ..claims import FAILS, HOLDS, MEASURED, Claim
from ..evidence import Evidence
from ..registry import check

SEED = "004_23bd9ab007ea45de.txt"
nan = math.nan

#: The per-cell world of ``csar.logit.coverage.percell`` and ``csar.reward.sandwich`` is part of those checks'
#: design (their power against the omitted union bound is computed for it), so it is fixed; the root seed draws only
#: the calibration counts.  A world drawn from the root seed made the stated power depend on the seed.
WORLD_SEED = 20240611


def _fresh(subject, **params):
    """A fresh, unfitted subject: a class (or factory) is called with ``params``; an instance is deep-copied and
    given the params as attributes (scikit-learn ``clone``-style), so users may pass either."""
    import copy

    if isinstance(subject, type) or (callable(subject) and not hasattr(subject, "fit")):
        return subject(**params)
    obj = copy.deepcopy(subject)
    for k, v in params.items():
        setattr(obj, k, v)
    return obj


def _exact_ci(k, n, level):
    return st.binomtest(int(k), int(n)).proportion_ci(1 - level, method="exact")


def _reliability_bins(pred, target, weight, bins=10):
    """Report figure data: weighted bin means of predicted probabilities and of their targets (exact probabilities or
    exact conditional frequencies) over equal-width bins of ``pred``; empty bins left out."""
    pred, target, weight = (np.asarray(v, dtype=float).ravel() for v in (pred, target, weight))
    idx = np.clip((pred * bins).astype(int), 0, bins - 1)
    m = np.bincount(idx, weights=weight, minlength=bins)
    keep = m > 0
    return {"predicted": (np.bincount(idx, weights=weight * pred, minlength=bins)[keep] / m[keep]).tolist(),
            "true": (np.bincount(idx, weights=weight * target, minlength=bins)[keep] / m[keep]).tolist(),
            "weight": (m[keep] / m.sum()).tolist()}


# --------------------------------------------------------------------------------------------------------------
BAYES = Claim(
    id="csar.bayes_logit.marginals",
    source=f"{SEED} sections 2 and 6; DARC (Eysenbach et al. 2021); DESIGN section 6",
    statement="The Bayes logit of one (s,a,s') classifier equals log p/m + const only at matched (s,a) marginals "
    "(exact counter-example otherwise); DARC's z_sas' - z_sa recovers log p/m exactly for any design.",
    assumptions=("Bayes-optimal classifiers", "finite state-action space"),
)


@check(BAYES, quick=dict(worlds=3), full=dict(worlds=20), stochastic=False)
def check_bayes_logit(ctx):
    worst_matched = worst_darc = 0.0
    spreads = []
    for i in range(ctx.params["worlds"]):
        w = make_world(5, 3, gap=1.5, seed=ctx.seed(f"world{i}"))
        d_env = te.occupancy(w.mdp, w.behaviour)
        d_m = te.occupancy(w.mdp.with_kernel(w.model), te.uniform_policy(5, 3))
        ell = w.ell_p
        for rho in (0.5, 0.2):
            c = math.log(rho / (1 - rho))
            z_match = te.bayes_logit_transition(w.mdp.P, w.model, d_env, d_env, rho)
            worst_matched = max(worst_matched, float(np.max(np.abs(z_match - ell - c))))
            z = te.bayes_logit_transition(w.mdp.P, w.model, d_env, d_m, rho)
            resid = z - ell
            spreads.append(float(resid.max() - resid.min()))
            z_sa = te.bayes_logit_state_action(d_env, d_m, rho)
            worst_darc = max(worst_darc, float(np.max(np.abs(te.darc_difference(z, z_sa) - ell))))
    ok = worst_matched < 1e-10 and worst_darc < 1e-10 and min(spreads) > 1e-3
    return Evidence(verdict="holds" if ok else "violated", estimate=min(spreads), bound=1e-3,
                    details={"max_error_matched": worst_matched, "max_error_darc": worst_darc,
                             "residual_spread_unmatched_min": min(spreads), "residual_spread_unmatched_max":
                             max(spreads)},
                    message="" if ok else "identity check failed")


# --------------------------------------------------------------------------------------------------------------
CONF = Claim(
    id="csar.conformal.coverage",
    source=f"{SEED} section 4; Vovk et al. (2005); reference note calibration_and_testing.md section 0.4",
    statement="Split conformal on label residuals |y - u(x)|: the realized label coverage is Beta(k, n+1-k) with "
    "k = ceil((n+1)(1-delta)), so marginal coverage k/(n+1) lies in [1-delta, 1-delta+1/(n+1)).",
    assumptions=("exchangeable calibration and test points", "continuous residuals"),
)


def _conf_cdf(t):
    """P(|Y - X| <= t) for X ~ U(0,1), Y|X ~ Bern(X^2): int_{1-t}^1 x^2 dx + int_0^t (1 - x^2) dx."""
    t = np.clip(t, 0.0, 1.0)
    return (1 - (1 - t) ** 3) / 3 + t - t ** 3 / 3


@check(CONF, quick=dict(n=19, delta=0.1, replications=3000), full=dict(n=19, delta=0.1, replications=30000),
       subject="csar.conformal", default_subject=lambda: SplitConformal(0.1))
def check_conformal_coverage(ctx):
    p = ctx.params
    n, delta, R = p["n"], p["delta"], p["replications"]
    k = conformal_rank(n, delta)
    law = st.beta(k, n - k + 1)
    level = ctx.false_fail_rate / 2
    x = ctx.rng.random((R, n + 1))
    y = (ctx.rng.random((R, n + 1)) < x ** 2).astype(float)
    realized = np.empty(R)
    covered = 0
    for r in range(R):
        cal = _fresh(ctx.subject, delta=delta).fit(x[r, :n], y[r, :n])
        realized[r] = _conf_cdf(cal.threshold_)
        lo, hi = cal.predict_interval(x[r, n:])
        covered += int(lo[0] <= y[r, n] <= hi[0])
    ks = st.kstest(realized, law.cdf, method="exact")
    p_cov = k / (n + 1)
    region = binomial_acceptance_region(R, p_cov, level)
    grid = np.linspace(0, 1, 20001)
    disc = float(np.max(np.abs(law.cdf(grid) - st.beta(k + 1, n - k).cdf(grid)))) if k < n else 1.0
    power = min(ks_power_lower_bound(R, level, disc),
                binomial_power(R, p_cov, (k + 1) / (n + 1), level, alternative="two-sided") if k < n else 1.0)
    # rank bracket 1 - delta <= k/(n+1) < 1 - delta + 1/(n+1) in exact arithmetic (no float rounding at the edges)
    p_cov_q, one_minus_d = Fraction(k, n + 1), 1 - exact_fraction("delta", delta)
    ok = ks.pvalue > level and region.contains(covered) and one_minus_d <= p_cov_q < one_minus_d + Fraction(1, n + 1)
    lo, hi = _exact_ci(covered, R, level)
    return Evidence(verdict="holds" if ok else "violated", n=R, estimate=covered / R, lower=lo, upper=hi,
                    bound=p_cov, p_value=min(1.0, 2 * min(ks.pvalue, st.binomtest(covered, R, p_cov).pvalue)),
                    design=ctx.design("conformal rank off by one (k+1, MAPIE's 'higher' quantile)", disc, power, R),
                    details={"k": k, "ks_pvalue": float(ks.pvalue), "acceptance": [region.low, region.high]},
                    message="" if ok else f"KS p={ks.pvalue:.3g}, covered {covered} not in [{region.low}, "
                    f"{region.high}]")


# --------------------------------------------------------------------------------------------------------------
WRED = Claim(
    id="csar.weighted.reduces",
    source="Tibshirani, Barber, Candes & Ramdas (2019) section 2; DESIGN section 6",
    statement="Weighted conformal with constant weights reproduces split conformal's threshold exactly "
    "(including the infinite threshold when n is too small for delta).",
)


@check(WRED, quick=dict(cases=300), full=dict(cases=3000), stochastic=False,
       subject="csar.weighted_conformal", default_subject=lambda: WeightedConformal(0.1))
def check_weighted_reduces(ctx):
    rng = ctx.rng
    bad = []
    deltas = [0.1, 1 / 3, 0.05, 0.2, 0.5, 0.01]
    for i in range(ctx.params["cases"]):
        n = int(rng.integers(1, 120)) if i else 92
        delta = deltas[i % len(deltas)]
        u = rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        if i % 3 == 0:
            u = np.round(u, 1)  # ties
        c = float(rng.choice([1.0, 0.37, 1e-3, 250.0]))
        ref = SplitConformal(delta, allow_infinite=True).fit(u, y).threshold_
        got = _fresh(ctx.subject, delta=delta).fit(u, y, np.full(n, c)).threshold(np.array([c]))[0]
        if not (ref == got):
            bad.append((n, delta, ref, float(got)))
    ok = not bad
    return Evidence(verdict="holds" if ok else "violated", n=ctx.params["cases"], estimate=len(bad), bound=0,
                    details={"mismatches": bad[:10]}, message="" if ok else f"{len(bad)} mismatches, e.g. {bad[:3]}")


# --------------------------------------------------------------------------------------------------------------
WSHIFT = Claim(
    id="csar.weighted.shift",
    source="Tibshirani et al. (2019) Corollary 1; seed section 4 ('weighted calibration'); DESIGN section 6",
    statement="Under a known covariate shift, weighted conformal with w = dP_test/dP_cal covers the test label with "
    "probability >= 1 - delta.",
    assumptions=("known likelihood ratio", "exchangeable calibration points"),
)

_WS = dict(px_cal=np.array([0.4, 0.3, 0.2, 0.1]), px_test=np.array([0.05, 0.15, 0.3, 0.5]),
           u=np.array([0.1, 0.3, 0.6, 0.9]), base=np.array([0.2, 0.35, 0.45, 0.55]))


@check(WSHIFT, quick=dict(n=50, delta=0.1, replications=4000, defect=0.04),
       full=dict(n=50, delta=0.1, replications=40000, defect=0.015),
       subject="csar.weighted_conformal", default_subject=lambda: WeightedConformal(0.1))
def check_weighted_shift(ctx):
    p = ctx.params
    n, delta, R = p["n"], p["delta"], p["replications"]
    rng = ctx.rng
    w_of = _WS["px_test"] / _WS["px_cal"]
    xc = rng.choice(4, size=(R, n), p=_WS["px_cal"])
    yc = (rng.random((R, n)) < _WS["u"][xc]).astype(float)
    xt = rng.choice(4, size=R, p=_WS["px_test"])
    yt = (rng.random(R) < _WS["u"][xt]).astype(float)
    cov = cov_plain = 0
    for r in range(R):
        m = _fresh(ctx.subject, delta=delta).fit(_WS["base"][xc[r]], yc[r], w_of[xc[r]])
        lo, hi = m.predict_interval(_WS["base"][xt[r:r + 1]], w_of[xt[r:r + 1]])
        cov += int(lo[0] <= yt[r] <= hi[0])
        q = SplitConformal(delta).fit(_WS["base"][xc[r]], yc[r]).threshold_
        cov_plain += int(abs(yt[r] - _WS["base"][xt[r]]) <= q)
    region = binomial_acceptance_region(R, 1 - delta, ctx.false_fail_rate, alternative="less")
    power = binomial_power(R, 1 - delta, 1 - delta - p["defect"], ctx.false_fail_rate, alternative="less")
    ok = cov >= region.low
    lo, hi = _exact_ci(cov, R, ctx.false_fail_rate)
    return Evidence(verdict="holds" if ok else "violated", n=R, estimate=cov / R, lower=lo, upper=hi,
                    bound=1 - delta, p_value=st.binomtest(cov, R, 1 - delta, alternative="less").pvalue,
                    design=ctx.design(f"coverage deficit of {p['defect']} (e.g. weights misapplied)", p["defect"],
                                      power, R),
                    details={"unweighted_split_conformal_coverage": cov_plain / R, "min_count": region.low},
                    message="" if ok else f"coverage {cov}/{R} below the exact region {region.low}")


# --------------------------------------------------------------------------------------------------------------
def _va_enumeration(subject, px, u, sc, n):
    """Exact IVAP laws in a finite world by enumerating every calibration multiset (multinomial weights)."""
    J = px.shape[0]
    cellp = np.r_[px * (1 - u), px * u]
    combos = list(itertools.combinations_with_replacement(range(2 * J), n))
    counts = np.array([np.bincount(c, minlength=2 * J) for c in combos])
    prob = st.multinomial.pmf(counts, n, cellp)
    P0 = np.empty((len(combos), J))
    P1 = np.empty((len(combos), J))
    for i, c in enumerate(counts):
        cells = np.repeat(np.arange(2 * J), c)
        p0, p1 = _fresh(subject).fit(sc[cells % J], (cells >= J).astype(float)).predict_interval(sc)
        P0[i], P1[i] = p0, p1
    return prob, P0, P1


_VA = dict(px=np.array([0.3, 0.4, 0.3]), u=np.array([0.15, 0.5, 0.65]), sc=np.array([-1.0, 0.2, 3.0]))

VAVAL = Claim(
    id="csar.va.validity",
    source="Vovk, Petej & Fedorova (2015) section 2; reference note calibration_and_testing.md section 0.1",
    statement="IVAP: p0 <= p1; E[p0] <= P(Y=1) <= E[p1]; the selected p_Y is perfectly calibrated, "
    "E[Y | p_Y] = p_Y (checked exactly by enumerating every calibration set of a finite world, ties included).",
    assumptions=("exchangeable calibration and test points",),
)


@check(VAVAL, quick=dict(n=7), full=dict(n=9), stochastic=False, subject="csar.venn_abers",
       default_subject=lambda: VennAbers())
def check_va_validity(ctx):
    px, u, sc = _VA["px"], _VA["u"], _VA["sc"]
    prob, P0, P1 = _va_enumeration(ctx.subject, px, u, sc, ctx.params["n"])
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
    return Evidence(verdict="holds" if ok else "violated", n=len(prob), estimate=calib_err, bound=1e-10,
                    details={"E_p0": e0, "P_Y1": py1, "E_p1": e1, "p0_le_p1": order_ok,
                             "max_calibration_error": calib_err, "n_values_of_pY": int(uv.shape[0]),
                             "reliability": {k.replace("true", "observed"): v for k, v in _reliability_bins(
                                 uv, np.divide(y_v, m_v, out=np.zeros_like(y_v), where=m_v > 0), m_v, 20).items()}},
                    message="" if ok else f"order {order_ok}, E[p0]={e0:.6g}, P(Y=1)={py1:.6g}, E[p1]={e1:.6g}, "
                    f"calibration error {calib_err:.3g}")


VATRUTH = Claim(
    id="csar.va.truth_coverage",
    source=f"{SEED} section 4 (VA intervals used as intervals for P(Y=1|x)); reference note section 0.1",
    statement="[p0, p1] contains P(Y=1|x) with probability at least 1 - delta (delta = 0.1).",
    expectation=FAILS,
    assumptions=("exchangeable calibration and test points",),
)


@check(VATRUTH, quick=dict(n=8, delta=0.1, replications=400), full=dict(n=8, delta=0.1, replications=4000),
       subject="csar.venn_abers", default_subject=lambda: VennAbers())
def check_va_truth_coverage(ctx):
    p = ctx.params
    px, u, sc = _VA["px"], _VA["u"], _VA["sc"]
    n, delta, R = p["n"], p["delta"], p["replications"]
    prob, P0, P1 = _va_enumeration(ctx.subject, px, u, sc, n)
    exact = float(prob @ (((P0 <= u) & (u <= P1)) @ px))
    rng = ctx.rng
    J = px.shape[0]
    hits = 0
    for _ in range(R):
        x = rng.choice(J, size=n + 1, p=px)
        y = (rng.random(n + 1) < u[x]).astype(float)
        p0, p1 = _fresh(ctx.subject).fit(sc[x[:n]], y[:n]).predict_interval(sc[x[n:]])
        hits += int(p0[0] <= u[x[n]] <= p1[0])
    level = ctx.false_fail_rate / 2
    region = binomial_acceptance_region(R, 1 - delta, level, alternative="less")
    agree = binomial_acceptance_region(R, exact, level)
    # power of the full rule (reproduced and consistent) under Bin(R, exact):
    # P(agree.low <= hits <= min(region.low - 1, agree.high)), zero unless exact < 1 - delta
    top = min(region.low - 1, agree.high)
    power = float(st.binom.cdf(top, R, exact) - st.binom.cdf(agree.low - 1, R, exact)) \
        if exact < 1 - delta and top >= agree.low else 0.0
    reproduced = hits < region.low and exact < 1 - delta
    consistent = agree.contains(hits)
    lo, hi = _exact_ci(hits, R, level)
    msg = ""
    if not consistent:
        msg = f"Monte Carlo count {hits} disagrees with the exact coverage {exact:.4f} (implementation bug?)"
    return Evidence(verdict="violated" if (reproduced and consistent) else "holds", n=R, estimate=hits / R,
                    lower=lo, upper=hi, bound=1 - delta,
                    p_value=st.binomtest(hits, R, 1 - delta, alternative="less").pvalue,
                    design=ctx.design("reproduce the known under-coverage (exact coverage by enumeration)",
                                      1 - delta - exact, power, R),
                    details={"exact_coverage": exact, "nominal": 1 - delta, "agreement_region": [agree.low,
                             agree.high]}, message=msg)


# --------------------------------------------------------------------------------------------------------------
def _percell_world(ctx_seed):
    w = make_world(4, 2, gap=1.0, seed=ctx_seed)
    # matched design, balanced classes: P(env | s,a,s') = p/(p+m)
    u = (w.mdp.P / (w.mdp.P + w.model)).ravel()
    return w, u


def _cp_cover_prob(u, n, level):
    """Exact per-cell coverage of Clopper-Pearson at ``level`` with n trials: sum_k Bin(k; n, u) 1{u in CP(k)}."""
    from lrtcheck.stats import clopper_pearson

    k = np.arange(n + 1)
    lo, hi = clopper_pearson(k, np.full(n + 1, n), level)
    pm = st.binom.pmf(k[None, :], n, u[:, None])
    inside = (lo[None, :] <= u[:, None]) & (u[:, None] <= hi[None, :])
    return np.sum(pm * inside, axis=1)


PCELL = Claim(
    id="csar.logit.coverage.percell",
    source="DESIGN section 6 (per-cell Clopper-Pearson with a union bound); Clopper & Pearson (1934)",
    statement="Per-cell Clopper-Pearson intervals at level delta/K cover every cell's true logit simultaneously "
    "with probability >= 1 - delta; the covered count over R replications is Binomial(R, c_exact).",
    assumptions=("stratified calibration design (n per cell)", "matched (s,a) marginals, balanced classes"),
)


@check(PCELL, quick=dict(n_per_cell=30, delta=0.1, replications=1500),
       full=dict(n_per_cell=60, delta=0.1, replications=15000), subject="csar.cells",
       default_subject=lambda: PerCellClopperPearson(1, 0.1))
def check_logit_coverage_percell(ctx):
    p = ctx.params
    w, u = _percell_world(WORLD_SEED)
    K, n, delta, R = u.shape[0], p["n_per_cell"], p["delta"], p["replications"]
    ell = np.log(u) - np.log1p(-u)
    c_exact = float(np.prod(_cp_cover_prob(u, n, delta / K)))
    c_defect = float(np.prod(_cp_cover_prob(u, n, delta)))  # union bound omitted
    succ = ctx.rng.binomial(n, u, size=(R, K))
    counts = np.full(K, n)
    covered = cert_event = 0
    for r in range(R):
        m = _fresh(ctx.subject, n_cells=K, delta=delta).fit_counts(counts, succ[r])
        lo, hi = m.predict_interval(np.arange(K))
        cert = logit_certificate(lo, hi, clip=w.clip)
        covered += int(np.all(cert.interval_covers(ell)))
        cert_event += int(np.all(cert.covers(ell)))
    region = binomial_acceptance_region(R, c_exact, ctx.false_fail_rate)
    power = binomial_power(R, c_exact, c_defect, ctx.false_fail_rate, alternative="two-sided")
    ok = region.contains(covered) and c_exact >= 1 - delta
    lo, hi = _exact_ci(covered, R, ctx.false_fail_rate)
    return Evidence(verdict="holds" if ok else "violated", n=R, estimate=covered / R, lower=lo, upper=hi,
                    bound=c_exact, p_value=st.binomtest(covered, R, c_exact).pvalue,
                    design=ctx.design("union bound omitted (level delta in every cell)", c_exact - c_defect,
                                      power, R),
                    details={"cells": K, "exact_coverage": c_exact, "defect_coverage": c_defect,
                             "certificate_event_frequency_seed_radius": cert_event / R},
                    message="" if ok else f"covered {covered} not in [{region.low}, {region.high}]")


LCOV = {name: Claim(
    id=f"csar.logit.coverage.{name}",
    source=f"{SEED} sections 4 and 6; DESIGN section 6 (measured, not asserted)",
    statement=f"Coverage of the true log-ratio ell_p by the {name} calibrator's logit certificate, under the "
    "calibration cell law, in a tabular world (transition discriminator, matched design).",
    expectation=MEASURED) for name in ("venn_abers", "conformal", "temperature", "isotonic", "none")}


def _make_lcov(name):
    @check(LCOV[name], quick=dict(replications=4, n=1000), full=dict(replications=30, n=3000))
    def _check(ctx):
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
        ok = bool(np.all(np.isfinite(a)))
        return Evidence(verdict="holds" if ok else "violated", n=len(rows), estimate=float(a[:, 0].mean()),
                        lower=float(a[:, 0].min()), upper=float(a[:, 0].max()),
                        details={"certificate_coverage": float(a[:, 0].mean()),
                                 "interval_coverage": float(a[:, 1].mean()), "mean_radius": float(a[:, 2].mean()),
                                 "fraction_clipped": float(a[:, 3].mean()),
                                 "reliability": _reliability_bins(*(1 / (1 + np.exp(-np.concatenate(v))) for v in
                                                                    list(zip(*rel))[:2]),
                                                                  np.concatenate(list(zip(*rel))[2]))})
    return _check


for _name in LCOV:
    _make_lcov(_name)


# --------------------------------------------------------------------------------------------------------------
RADCAP = Claim(
    id="csar.logit.radius_cap",
    source=f"{SEED} section 6 (lemma: interval coverage implies |clip_L(z) - ell_hat| <= min(L, width/2))",
    statement="If z lies in [z_lo, z_hi] then |clip_L(z) - clip_L(mid)| <= min(L, (z_hi - z_lo)/2).",
    expectation=FAILS,
)


@check(RADCAP, quick=dict(grid=400), full=dict(grid=4000), stochastic=False)
def check_radius_cap(ctx):
    L = 1.0
    cert = logit_certificate([0.0], [0.6], clip=L)
    z = 0.3  # inside [-inf, logit(0.6)]
    gap = abs(min(L, max(-L, z)) - cert.ell_hat[0])
    counter = bool(cert.interval_covers([z])[0]) and gap > cert.radius[0]
    rng = ctx.rng
    lo = rng.random(ctx.params["grid"]) ** 3
    hi = lo + (1 - lo) * rng.random(lo.shape[0])
    lo[::7] = 0.0
    hi[::11] = 1.0
    sound = logit_certificate(lo, hi, clip=L, radius="sound")
    zz = sound.z_low + (np.minimum(sound.z_high, 50) - np.maximum(sound.z_low, -50)) * rng.random(lo.shape[0])
    zz = np.where(np.isinf(sound.z_low), np.minimum(sound.z_high, 50) - 10 * rng.random(lo.shape[0]), zz)
    inside = sound.interval_covers(zz)
    sound_ok = bool(np.all(sound.covers(zz)[inside]))
    seed_fail = int(np.sum(~logit_certificate(lo, hi, clip=L).covers(zz)[inside]))
    return Evidence(verdict="violated" if (counter and sound_ok) else "holds", estimate=gap, bound=float(L),
                    details={"counterexample": {"p": [0.0, 0.6], "z": z, "ell_hat": float(cert.ell_hat[0]),
                             "radius": float(cert.radius[0])}, "sound_radius_always_certifies": sound_ok,
                             "seed_radius_failures_on_grid": seed_fail},
                    message="" if sound_ok else "the sound radius failed to certify (bug)")


# --------------------------------------------------------------------------------------------------------------
SANDWICH = Claim(
    id="csar.reward.sandwich",
    source=f"{SEED} sections 5 and 7 (pointwise sandwich)",
    statement="On the certified event, 0 <= r* - r_C <= 2 alpha eps_p (model) / 2 beta eps_pi (env); with per-cell "
    "certificates the Monte Carlo frequency of the covering event follows Binomial(R, c_exact).",
)


@check(SANDWICH, quick=dict(n_per_cell=30, delta=0.1, replications=1000),
       full=dict(n_per_cell=60, delta=0.1, replications=10000))
def check_reward_sandwich(ctx):
    p = ctx.params
    w, u = _percell_world(WORLD_SEED)
    S, A = w.n_states, w.n_actions
    K, n, delta, R = u.shape[0], p["n_per_cell"], p["delta"], p["replications"]
    ell = np.log(u) - np.log1p(-u)
    c_exact = float(np.prod(_cp_cover_prob(u, n, delta / K)))
    c_defect = float(np.prod(_cp_cover_prob(u, n, delta)))
    lr = np.broadcast_to(w.log_r[..., None], (S, A, S)).ravel()
    succ = ctx.rng.binomial(n, u, size=(R, K))
    covered = violations = 0
    for r in range(R):
        m = PerCellClopperPearson(K, delta).fit_counts(np.full(K, n), succ[r])
        for radius in ("seed", "sound"):
            cert = logit_certificate(*m.predict_interval(np.arange(K)), clip=w.clip, radius=radius)
            event = cert.covers(ell)
            rc = certified_reward(lr, False, ell_p=cert.ell_hat, eps_p=cert.radius, ell_pi=0.0, eps_pi=0.0,
                                  alpha=w.alpha, beta=w.beta)
            rs = ideal_reward(lr, False, ell_p=ell, ell_pi=0.0, alpha=w.alpha, beta=w.beta, clip=w.clip)
            gap = rs - rc
            bad = event & ((gap < -1e-12) | (gap > 2 * w.alpha * cert.radius + 1e-12))
            violations += int(bad.sum())
            if radius == "sound":
                if r == 0:
                    sandwich = {"radius": radius, "r_star": rs, "r_c": rc, "r_c_plus_bound": rc + 2 * w.alpha *
                                cert.radius, "event": event}
                violations += int(np.any(cert.interval_covers(ell) & ~event))
                covered += int(np.all(cert.interval_covers(ell)))
    region = binomial_acceptance_region(R, c_exact, ctx.false_fail_rate)
    power = binomial_power(R, c_exact, c_defect, ctx.false_fail_rate, alternative="two-sided")
    ok = violations == 0 and region.contains(covered)
    lo, hi = _exact_ci(covered, R, ctx.false_fail_rate)
    return Evidence(verdict="holds" if ok else "violated", n=R, estimate=covered / R, lower=lo, upper=hi,
                    bound=c_exact, p_value=st.binomtest(covered, R, c_exact).pvalue,
                    design=ctx.design("union bound omitted in the certificates", c_exact - c_defect, power, R),
                    details={"sandwich_violations": violations, "exact_coverage": c_exact, "sandwich": sandwich},
                    message="" if ok else f"{violations} sandwich violations; covered {covered} vs "
                    f"[{region.low}, {region.high}]")


BOUND = Claim(
    id="csar.reward.bound",
    source=f"{SEED} sections 3 and 5 (|r_C| <= max|log r| + (alpha+beta) L)",
    statement="The certified reward satisfies |r_C| <= max|log r| + (alpha + beta) L.",
    expectation=FAILS,
)


@check(BOUND, quick=dict(grid=2000), full=dict(grid=20000), stochastic=False)
def check_reward_bound(ctx):
    rng = ctx.rng
    L, lr_max = 2.0, 0.5
    rows = {}
    real_ok = True
    for alpha, beta in ((1.0, 0.5), (1.0, 1.0)):
        for variant in ("split", "uniform"):
            m = ctx.params["grid"]
            lo = rng.random(m) ** 2
            hi = lo + (1 - lo) * rng.random(m)
            lo[:5], hi[:5] = 0.0, [0.01, 0.1, 0.5, 0.9, 1.0]
            cp = logit_certificate(lo, hi, clip=L)
            ci = logit_certificate(lo[::-1].copy(), hi[::-1].copy(), clip=L)
            log_r = rng.uniform(-lr_max, lr_max, m)
            log_r[:5] = -lr_max
            env = rng.random(m) < 0.5
            env[:5] = False
            rc = certified_reward(log_r, env, ell_p=cp.ell_hat, eps_p=cp.radius, ell_pi=ci.ell_hat,
                                  eps_pi=ci.radius, alpha=alpha, beta=beta, variant=variant)
            worst = float(np.max(np.abs(rc)))
            seed_b = seed_reward_bound(lr_max, alpha, beta, L)
            real_b = reward_bound(lr_max, alpha, beta, L, variant)
            real_ok &= worst <= real_b + 1e-12
            rows[f"alpha={alpha},beta={beta},{variant}"] = {"max_abs_rC": worst, "seed_bound": seed_b,
                                                            "real_bound": real_b, "seed_violated": worst > seed_b}
    violated = any(r["seed_violated"] for r in rows.values())
    worst = max(r["max_abs_rC"] - r["seed_bound"] for r in rows.values())
    return Evidence(verdict="violated" if (violated and real_ok) else "holds", estimate=worst, bound=0.0,
                    details=rows, message="" if real_ok else "the corrected bound is violated (bug)")


# --------------------------------------------------------------------------------------------------------------
def _certified_truth(world, pi, rng):
    """Certificates that satisfy the certified event by construction (random radii around the clipped truth)."""
    L = world.clip
    out = []
    for ell in (world.ell_p, world.ell_pi(pi)):
        c = np.clip(ell, -L, L)
        eps = rng.uniform(0, L, ell.shape)
        hat = np.clip(c + rng.uniform(-1, 1, ell.shape) * eps, -L, L)
        out.append((hat, eps))
    return Certificates(out[0][0], out[0][1], out[1][0], out[1][1])


LEMMA = Claim(
    id="csar.value.lemma",
    source=f"{SEED} section 7 (value lemma)",
    statement="On the certified event, 0 <= V^{pi,r*} - V^{pi,r_C} <= E_d[2(alpha eps_p + beta eps_pi)]/(1-gamma) "
    "(exact, on the surrogate MDP).",
)


@check(LEMMA, quick=dict(worlds=5), full=dict(worlds=50), stochastic=False)
def check_value_lemma(ctx):
    rng = ctx.rng
    worst_low = worst_slack = math.inf
    worlds = []
    for i in range(ctx.params["worlds"]):
        w = make_world(5, 3, gap=1.0, seed=ctx.seed(f"w{i}"))
        pi = te.random_policy(5, 3, seed=int(rng.integers(1 << 31)))
        certs = _certified_truth(w, pi, rng)
        m_star = surrogate_mdp(w, pi, None)
        m_c = surrogate_mdp(w, pi, certs)
        dV = te.evaluate_policy(m_star, pi) - te.evaluate_policy(m_c, pi)
        g = 2 * (w.f * w.beta * certs.eps_pi + (1 - w.f) * w.alpha * np.sum(w.model * certs.eps_p, axis=-1))
        bound_s = te.evaluate_policy(m_star.with_reward(g), pi)  # (I - gamma K_pi)^{-1} g_pi, pointwise
        d = te.occupancy(m_star, pi)
        gap0 = float(w.mdp.mu0 @ dV)
        bnd0 = float(np.sum(d * g) / (1 - w.mdp.gamma))
        worst_low = min(worst_low, float(dV.min()))
        worst_slack = min(worst_slack, float(np.min(bound_s - dV)), bnd0 - gap0)
        worlds.append({"gap": gap0, "bound": bnd0, "min_pointwise_slack": float(np.min(bound_s - dV))})
    ok = worst_low >= -1e-10 and worst_slack >= -1e-10
    return Evidence(verdict="holds" if ok else "violated", estimate=worst_slack, bound=0.0,
                    details={"min_value_gap": worst_low, "min_slack": worst_slack, "worlds": worlds})


THEOREM = Claim(
    id="csar.value.theorem",
    source=f"{SEED} section 7 (suboptimality theorem)",
    statement="SubOpt(pi_hat) <= mismatch(pi*) + mismatch(pi_hat) + 2 kappa E_dmix[alpha eps_p + beta eps_pi]/(1-gamma)"
    " + opt_err, with exact concentrability kappa and exact mismatch terms (objective: log r in the environment).",
    assumptions=("certified event on every cell", "kappa = max d_{pi*}/d_mix"),
)


@check(THEOREM, quick=dict(worlds=5), full=dict(worlds=40), stochastic=False)
def check_value_theorem(ctx):
    rng = ctx.rng
    rows = []
    ok = True
    for i in range(ctx.params["worlds"]):
        w = make_world(5, 3, gap=1.0, seed=ctx.seed(f"w{i}"))
        env = w.mdp.with_reward(w.log_r)
        pi_star = te.value_iteration(env).policy
        certs0 = _certified_truth(w, w.behaviour, rng)
        pi_hat = soft_vi_policy(surrogate_mdp(w, w.behaviour, certs0), 0.05)
        J = lambda m, pi: float(w.mdp.mu0 @ te.evaluate_policy(m, pi))  # noqa: E731
        # certificates for ell_pi of each evaluated policy (the reward depends on the policy it is evaluated at)
        terms = {}
        for name, pi in (("star", pi_star), ("hat", pi_hat)):
            c = certs0 if name == "hat" else _certified_truth(w, pi, rng)
            c = Certificates(certs0.ell_p_hat, certs0.eps_p, c.ell_pi_hat, c.eps_pi)
            terms[name] = (J(env, pi), J(surrogate_mdp(w, pi, None), pi), J(surrogate_mdp(w, pi, c), pi), c)
        sub = terms["star"][0] - terms["hat"][0]
        mis = abs(terms["star"][0] - terms["star"][1]) + abs(terms["hat"][0] - terms["hat"][1])
        c_star = terms["star"][3]
        g = 2 * (w.f * w.beta * c_star.eps_pi + (1 - w.f) * w.alpha * np.sum(w.model * c_star.eps_p, axis=-1))
        m_star = surrogate_mdp(w, pi_star, None)
        d_star = te.occupancy(m_star, pi_star)
        d_mix = w.f * te.occupancy(w.mdp, w.behaviour) + (1 - w.f) * te.occupancy(w.mdp.with_kernel(w.model),
                                                                                   pi_hat)
        kappa = float(te.concentrability(d_star, d_mix))
        cert_term = kappa * float(np.sum(d_mix * g)) / (1 - w.mdp.gamma)
        opt_err = max(0.0, J(surrogate_mdp(w, pi_star, c_star), pi_star) - J(surrogate_mdp(w, pi_hat, c_star),
                                                                               pi_hat))
        rhs = mis + cert_term + opt_err
        ok &= sub <= rhs + 1e-10
        rows.append({"subopt": sub, "mismatch": mis, "kappa": kappa, "certificate_term": cert_term,
                     "opt_err": opt_err, "rhs": rhs})
    slack = min(r["rhs"] - r["subopt"] for r in rows)
    return Evidence(verdict="holds" if ok else "violated", estimate=slack, bound=0.0, details={"worlds": rows})


# --------------------------------------------------------------------------------------------------------------
ABL = Claim(
    id="csar.ablations",
    source=f"{SEED} section 9 (ablations, class imbalance, rollout drift)",
    statement="The ablation table (no calibration, calibration without clipping, clipping without calibration, "
    "C-SAR, ideal ratios), the class-imbalance sweep and the drift sweep over K and h, measured.",
    expectation=MEASURED,
)


@check(ABL, quick=dict(n=1000, updates=200, Ks=(50, 100), hs=(1, 5)),
       full=dict(n=4000, updates=1000, Ks=(50, 200, 500), hs=(1, 3, 10)))
def check_ablations(ctx):
    p = ctx.params
    w = make_world(5, 2, gap=1.5, seed=ctx.seed("world"))
    table = ablation_table(w, seed=ctx.seed("ablation"), n_train=p["n"], n_cal=p["n"])
    imb = imbalance_sweep(w, seed=ctx.seed("imbalance"), n_per_class=p["n"])
    drift = drift_sweep(w, Ks=p["Ks"], hs=p["hs"], n_updates=p["updates"], seed=ctx.seed("drift"),
                        n_train=p["n"] // 2, n_cal=p["n"] // 2)
    vals = [r["return"] for r in table] + [r["logit_error"] for r in imb] + [r["drift_coverage"] for r in drift]
    ok = bool(np.all(np.isfinite(np.asarray(vals, dtype=float)[~np.isnan(np.asarray(vals, dtype=float))])))
    csar = next(r for r in table if r["variant"] == "csar_percell")
    return Evidence(verdict="holds" if ok else "violated", n=len(table), estimate=csar["return"],
                    details={"ablation": table, "imbalance": imb, "drift": drift})


# ==============================================================================================================
# Checks added with the mutant catalogue (issue 8): exact identities that the Monte Carlo and measured checks above
# cannot see (the rank on rational delta, the prior offset, the certificate's transport and tightness, DARC, the
# soft-optimality of the agents, the temperature MLE).
# --------------------------------------------------------------------------------------------------------------
CONFEXACT = Claim(
    id="csar.conformal.exact_coverage",
    source="Vovk et al. (2005); Angelopoulos & Bates (2021) section 1 and appendix D; seed section 4",
    statement="For continuous residuals the marginal label coverage of split conformal is exactly k/(n+1), where k "
    "is the number of calibration residuals at or below the threshold (n+1 when the threshold is +inf); it lies in "
    "[1-delta, 1-delta+1/(n+1)) for every n and every rational delta (checked in exact arithmetic).",
    assumptions=("exchangeable calibration and test points", "continuous residuals (distinct a.s.)"),
)


@check(CONFEXACT, quick=dict(cases=400), full=dict(cases=4000), stochastic=False)
def check_conformal_exact_coverage(ctx):
    """Exact, no Monte Carlo: with distinct residuals the test residual's rank among the n+1 is uniform, so the
    coverage of the threshold q is ``#{a_i <= q}/(n+1)`` exactly; compared with the rational interval of the claim
    (delta read as the rational the user meant: ``lrtcheck.stats.exact_fraction``)."""
    from fractions import Fraction

    from lrtcheck.stats import exact_fraction

    rng = ctx.rng
    deltas = [0.1, 1 / 3, 0.05, 0.2, 2 / 3, 0.01, 0.25, 0.3, 1 / 7]
    cases = [(92, 1 / 3), (19, 0.1), (9, 0.1), (99, 0.01), (29, 0.3)]
    while len(cases) < ctx.params["cases"]:
        cases.append((int(rng.integers(1, 200)), deltas[len(cases) % len(deltas)]))
    bad = []
    for n, delta in cases:
        u = rng.random(n)
        y = (rng.random(n) < 0.5).astype(float)
        m = SplitConformal(delta, allow_infinite=True).fit(u, y)
        a = np.abs(y - u)
        k = n + 1 if math.isinf(m.threshold_) else int(np.sum(a <= m.threshold_))
        cov = Fraction(k, n + 1)
        d = exact_fraction("delta", delta)
        if not (1 - d <= cov < 1 - d + Fraction(1, n + 1)):
            bad.append((n, str(d), f"{k}/{n + 1}"))
    ok = not bad
    return Evidence(verdict="holds" if ok else "violated", n=len(cases), estimate=len(bad), bound=0,
                    details={"violations": bad[:10]},
                    message="" if ok else f"{len(bad)} (n, delta) with coverage outside [1-delta, 1-delta+1/(n+1)),"
                    f" e.g. {bad[:3]}")


# --------------------------------------------------------------------------------------------------------------
PRIOR = Claim(
    id="csar.prior.offset",
    source=f"{SEED} sections 4 and 6 (c(rho) = log((1-rho)/rho)); DESIGN section 6",
    statement="A Bayes probability under class prior rho, transported through the logit with the offset c(rho), "
    "gives the log density ratio exactly; prior_shift_offset moves it between priors; a saturated discriminator "
    "trained on exact-frequency data returns log p1/p0 per cell with class rebalancing (offset 0) and with the "
    "recorded-prior correction.",
)


@check(PRIOR, quick=dict(cases=50), full=dict(cases=500), stochastic=False)
def check_prior_offset(ctx):
    from lrtcheck.csar import prior_shift_offset
    from lrtcheck.csar.discriminators import Discriminator
    from lrtcheck.csar.prior import log_ratio_offset

    rng = ctx.rng
    worst_cert = worst_shift = 0.0
    for _ in range(ctx.params["cases"]):
        rho = float(rng.choice([0.05, 0.2, 0.35, 0.7, 0.9]))
        lr = np.sort(rng.uniform(-2.5, 2.5, 2))  # log r_low <= log r_high
        r = np.exp(lr)
        u = rho * r / (rho * r + 1 - rho)  # Bayes probabilities under prior rho
        cert = logit_certificate(u[:1], u[1:], clip=math.inf, offset=log_ratio_offset(rho))
        worst_cert = max(worst_cert, abs(float(cert.z_low[0]) - lr[0]), abs(float(cert.z_high[0]) - lr[1]),
                         abs(float(cert.ell_hat[0]) - lr.mean()))
        rho2 = float(rng.uniform(0.05, 0.95))
        u2 = rho2 * r[0] / (rho2 * r[0] + 1 - rho2)
        z = math.log(u[0] / (1 - u[0])) + prior_shift_offset(rho, rho2)
        worst_shift = max(worst_shift, abs(z - math.log(u2 / (1 - u2))))
    # saturated discriminator on exact-frequency data with a 1:3 class imbalance
    cards = (3, 2, 3)
    K = int(np.prod(cards))
    c1 = rng.integers(1, 12, K)
    c0 = 3 * rng.integers(1, 12, K)
    cells = np.stack(np.unravel_index(np.arange(K), cards), axis=1)
    X = np.r_[np.repeat(cells, c1, axis=0), np.repeat(cells, c0, axis=0)]
    y = np.r_[np.ones(c1.sum()), np.zeros(c0.sum())]
    truth = np.log(c1 / c1.sum()) - np.log(c0 / c0.sum())
    worst_disc = {}
    for balance in (True, False):
        d = Discriminator(cards, balance=balance, l2=0.0).fit(X, y)
        worst_disc[f"balance={balance}"] = float(np.max(np.abs(d.logit(cells) - truth)))
    tol = 1e-9
    ok = worst_cert < tol and worst_shift < tol and max(worst_disc.values()) < 1e-6
    return Evidence(verdict="holds" if ok else "violated", n=ctx.params["cases"],
                    estimate=max(worst_cert, worst_shift, *worst_disc.values()), bound=1e-6,
                    details={"max_error_certificate": float(worst_cert), "max_error_prior_shift": worst_shift,
                             "max_error_discriminator": worst_disc},
                    message="" if ok else f"certificate {worst_cert:.3g}, prior shift {worst_shift:.3g}, "
                    f"discriminator {worst_disc}")


# --------------------------------------------------------------------------------------------------------------
TRANSPORT = Claim(
    id="csar.logit.transport",
    source=f"{SEED} sections 3 and 5 (ell_hat = clip_L(mid), eps = min(L, half-width)); DESIGN section 6",
    statement="The logit certificate transports [p_lo, p_hi] to [logit p_lo + c, logit p_hi + c]; its midpoint is "
    "clipped to [-L, L]; when the transported interval lies in [-L, L] the seed radius is tight: the certified "
    "event holds at both ends of the interval and fails just outside them.",
)


@check(TRANSPORT, quick=dict(cases=2000), full=dict(cases=20000), stochastic=False)
def check_logit_transport(ctx):
    rng = ctx.rng
    m = ctx.params["cases"]
    L = 3.0
    lo = rng.uniform(0.02, 0.98, m)
    hi = lo + (0.98 - lo) * rng.random(m)
    c = rng.uniform(-1.0, 1.0, m)
    cert = logit_certificate(lo, hi, clip=L, offset=c)
    z_lo = np.log(lo) - np.log1p(-lo) + c
    z_hi = np.log(hi) - np.log1p(-hi) + c
    err_transport = float(max(np.max(np.abs(cert.z_low - z_lo)), np.max(np.abs(cert.z_high - z_hi))))
    mid = (z_lo + z_hi) / 2
    err_mid = float(np.max(np.abs(cert.ell_hat - np.clip(mid, -L, L))))
    inside = (z_lo >= -L) & (z_hi <= L)
    eta = 1e-6 * (1 + np.abs(z_hi) + np.abs(z_lo))
    at_ends = cert.covers(z_lo) & cert.covers(z_hi)
    beyond = cert.covers(z_lo - eta) | cert.covers(z_hi + eta)
    not_tight = int(np.sum(inside & (~at_ends | beyond)))
    # intervals whose midpoint lies beyond L: the midpoint is clipped to exactly +-L and flagged
    far = logit_certificate(np.array([0.995, 0.001]), np.array([0.9999, 0.004]), clip=L)
    clip_ok = bool(np.array_equal(far.ell_hat, [L, -L]) and np.all(far.clipped))
    ok = err_transport < 1e-9 and err_mid < 1e-9 and not_tight == 0 and clip_ok and int(inside.sum()) > m // 10
    return Evidence(verdict="holds" if ok else "violated", n=m, estimate=not_tight, bound=0,
                    details={"max_error_transport": err_transport, "max_error_midpoint": err_mid,
                             "intervals_inside_L": int(inside.sum()), "not_tight": not_tight,
                             "clipped_midpoints": far.ell_hat.tolist(), "clip_ok": clip_ok},
                    message="" if ok else f"transport error {err_transport:.3g}, midpoint error {err_mid:.3g}, "
                    f"{not_tight} radii not tight, clipping ok {clip_ok}")


# --------------------------------------------------------------------------------------------------------------
DARC = Claim(
    id="csar.darc.identity",
    source=f"{SEED} sections 2 and 9; DARC (Eysenbach et al. 2021)",
    statement="With saturated (s,a,s') and (s,a) discriminators trained on exact-frequency data whose (s,a) "
    "marginals differ between the classes, darc_log_ratio = z_sas' - z_sa equals log p(s'|s,a)/m(s'|s,a) per cell, "
    "while the (s,a,s') logit alone does not.",
)


@check(DARC, quick=dict(worlds=3), full=dict(worlds=20), stochastic=False)
def check_darc_identity(ctx):
    from lrtcheck.csar.discriminators import Discriminator, darc_log_ratio

    rng = ctx.rng
    worst = 0.0
    spreads = []
    S, A = 4, 2
    cells = np.stack(np.unravel_index(np.arange(S * A * S), (S, A, S)), axis=1)
    for _ in range(ctx.params["worlds"]):
        c1 = rng.integers(1, 15, (S, A, S)) * rng.integers(1, 5, (S, A, 1))  # mismatched (s,a) marginals
        c0 = rng.integers(1, 15, (S, A, S)) * rng.integers(1, 5, (S, A, 1))
        truth = (np.log(c1 / c1.sum(-1, keepdims=True)) - np.log(c0 / c0.sum(-1, keepdims=True))).ravel()
        X = np.r_[np.repeat(cells, c1.ravel(), axis=0), np.repeat(cells, c0.ravel(), axis=0)]
        y = np.r_[np.ones(c1.sum()), np.zeros(c0.sum())]
        sas = Discriminator((S, A, S), l2=0.0).fit(X, y)
        sa = Discriminator((S, A), l2=0.0).fit(X[:, :2], y)
        est = darc_log_ratio(sas, sa, cells)
        worst = max(worst, float(np.max(np.abs(est - truth))))
        resid = sas.raw_logit(cells) - truth
        spreads.append(float(resid.max() - resid.min()))
    ok = worst < 1e-6 and min(spreads) > 0.1
    return Evidence(verdict="holds" if ok else "violated", estimate=worst, bound=1e-6,
                    details={"max_error_darc": worst, "single_classifier_residual_spread_min": min(spreads)},
                    message="" if ok else f"DARC error {worst:.3g} (single-classifier spread {min(spreads):.3g})")


# --------------------------------------------------------------------------------------------------------------
SOFTOPT = Claim(
    id="csar.agents.soft_optimality",
    source=f"{SEED} sections 5 and 7 (soft value iteration; SAC critic target); Haarnoja et al. (2018)",
    statement="soft_vi_policy(mdp, tau) is the fixed point pi = softmax(Q^pi_tau / tau) of the entropy-regularised "
    "Bellman equation (checked by exact policy evaluation); tabular SAC fed every (s,a) of a deterministic MDP "
    "converges to the soft-optimal Q.",
)


@check(SOFTOPT, quick=dict(worlds=3, sac_updates=4000), full=dict(worlds=20, sac_updates=8000), stochastic=False)
def check_soft_optimality(ctx):
    from scipy.special import softmax

    from lrtcheck.csar.agents import TabularSAC

    worst_vi = worst_sac = 0.0
    rng = ctx.rng
    S, A = 5, 3
    for i in range(ctx.params["worlds"]):
        mdp = te.random_mdp(S, A, gamma=0.8, seed=ctx.seed(f"mdp{i}"))
        for tau in (0.05, 0.3, 2.0):
            pi = soft_vi_policy(mdp, tau)
            V = te.soft_evaluate_policy(mdp, pi, tau)
            Q = mdp.R + mdp.gamma * mdp.P @ V
            worst_vi = max(worst_vi, float(np.max(np.abs(pi - softmax(Q / tau, axis=-1)))))
    # tabular SAC on a deterministic MDP, every (s, a) in each minibatch
    nxt = rng.integers(0, S, (S, A))
    P = np.zeros((S, A, S))
    P[np.arange(S)[:, None], np.arange(A)[None, :], nxt] = 1.0
    R = rng.uniform(0.0, 1.0, (S, A))
    det = te.TabularMDP(P, R, np.full(S, 1.0 / S), 0.8)
    tau = 0.5
    q_star = te.soft_value_iteration(det, tau).Q
    agent = TabularSAC(S, A, gamma=0.8, temperature=tau)
    s = np.repeat(np.arange(S), A)
    a = np.tile(np.arange(A), S)
    for _ in range(ctx.params["sac_updates"]):
        agent.update(s, a, R[s, a], nxt[s, a])
    worst_sac = float(np.max(np.abs(agent.Q - q_star)))
    ok = worst_vi < 1e-6 and worst_sac < 1e-6
    return Evidence(verdict="holds" if ok else "violated", estimate=max(worst_vi, worst_sac), bound=1e-6,
                    details={"soft_vi_fixed_point_error": worst_vi, "sac_q_error": worst_sac},
                    message="" if ok else f"soft VI fixed-point error {worst_vi:.3g}, SAC Q error {worst_sac:.3g}")


# --------------------------------------------------------------------------------------------------------------
TEMP = Claim(
    id="csar.temperature.mle",
    source="Guo et al. (2017) section 4.2; seed section 4",
    statement="Temperature scaling returns the maximum-likelihood sigma(s/T): the calibrated probabilities solve "
    "the score equation sum_i s_i (y_i - p_i) = 0, and the fitted logits are s / T.",
)


@check(TEMP, quick=dict(cases=6, n=400), full=dict(cases=60, n=2000), stochastic=False)
def check_temperature_mle(ctx):
    from scipy.special import expit

    from lrtcheck.csar import TemperatureScaling

    rng = ctx.rng
    worst = 0.0
    temps = []
    for i in range(ctx.params["cases"]):
        theta = (0.3, 2.5)[i % 2] * rng.uniform(0.8, 1.2)
        s = rng.normal(0.0, 2.0, ctx.params["n"])
        y = (rng.random(s.shape[0]) < expit(theta * s)).astype(float)
        t = TemperatureScaling().fit(s, y)
        p = t.predict_proba(s)
        score = abs(float(np.sum(s * (y - p)))) / float(np.sum(np.abs(s)))
        logit_err = float(np.max(np.abs(t.decision_function(s) - s / t.temperature_)))
        worst = max(worst, score, logit_err)
        temps.append(t.temperature_)
    ok = worst < 1e-9
    return Evidence(verdict="holds" if ok else "violated", n=ctx.params["cases"], estimate=worst, bound=1e-9,
                    details={"max_score_or_logit_error": worst, "temperatures": temps},
                    message="" if ok else f"score equation / logit error {worst:.3g}")


# --------------------------------------------------------------------------------------------------------------
IDEALCLIP = Claim(
    id="csar.reward.ideal_clipped",
    source=f"{SEED} section 3 (clipping at L keeps the shaped reward bounded)",
    statement="The ideal reward r* = log r + 1_env beta clip_L(ell_pi) + 1_model alpha clip_L(ell_p) is finite and "
    "|r*| <= max|log r| + max(alpha, beta) L for any true log-ratios, infinite ones included, with equality "
    "attained at saturated log-ratios.",
)


@check(IDEALCLIP, quick=dict(grid=2000), full=dict(grid=20000), stochastic=False)
def check_ideal_reward_clipped(ctx):
    rng = ctx.rng
    m = ctx.params["grid"]
    L, lr_max, alpha, beta = 2.0, 0.5, 1.0, 0.7
    log_r = rng.uniform(-lr_max, lr_max, m)
    ell = rng.standard_cauchy(m) * 5
    ell[:4] = [np.inf, -np.inf, 40.0, -40.0]
    log_r[:4] = [lr_max, -lr_max, lr_max, -lr_max]
    env = rng.random(m) < 0.5
    env[:4] = [False, False, True, True]
    rs = ideal_reward(log_r, env, ell_p=ell, ell_pi=ell, alpha=alpha, beta=beta, clip=L)
    bound = lr_max + max(alpha, beta) * L
    worst = float(np.max(np.abs(rs))) if np.all(np.isfinite(rs)) else math.inf
    attained = bool(np.isclose(abs(rs[0]), lr_max + alpha * L) and np.isclose(abs(rs[1]), lr_max + alpha * L))
    ok = worst <= bound + 1e-12 and attained
    return Evidence(verdict="holds" if ok else "violated", n=m, estimate=worst, bound=bound,
                    details={"max_abs_ideal_reward": worst, "saturated_values": rs[:4].tolist()},
                    message="" if ok else f"max |r*| = {worst:.4g} vs bound {bound:.4g} (saturation attained: "
                    f"{attained})")


# --------------------------------------------------------------------------------------------------------------
VAMERGE = Claim(
    id="csar.va.merge",
    source="Vovk, Petej & Fedorova (2015) section 4, eq. (10) and the Brier variant",
    statement="The log-loss merge p = GM(p1)/(GM(1-p0) + GM(p1)) equalises the two log-loss regrets "
    "mean log(p1/p) = mean log((1-p0)/(1-p)); the Brier merge p = mean p1 + (mean p0^2 - mean p1^2)/2 equalises "
    "the two Brier regrets; both lie in [min p0, max p1].",
)


@check(VAMERGE, quick=dict(cases=2000), full=dict(cases=20000), stochastic=False)
def check_va_merge(ctx):
    from lrtcheck.csar.venn_abers import merge

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
    ok = err < 1e-10 and inside
    return Evidence(verdict="holds" if ok else "violated", n=m, estimate=err, bound=1e-10,
                    details={"max_regret_difference": worst, "within_envelope": inside},
                    message="" if ok else f"regret difference {err:.3g}, within [p0, p1]: {inside}")


# --------------------------------------------------------------------------------------------------------------
ISO = Claim(
    id="csar.isotonic.reference",
    source="Zadrozny & Elkan (2002); seed section 4; scikit-learn IsotonicRegression(out_of_bounds='clip')",
    statement="Isotonic calibration equals the pooled-ties PAV fit of scikit-learn's IsotonicRegression (the "
    "reference CalibratedClassifierCV uses), at the calibration scores and at new scores (linear interpolation, "
    "clipped at the ends), ties included.",
)


@check(ISO, quick=dict(cases=30, n=300), full=dict(cases=300, n=1000), stochastic=False)
def check_isotonic_reference(ctx):
    from sklearn.isotonic import IsotonicRegression

    from lrtcheck.csar import IsotonicCalibrator

    rng = ctx.rng
    worst = 0.0
    for i in range(ctx.params["cases"]):
        n = ctx.params["n"]
        s = rng.normal(0.0, 1.0, n)
        if i % 2 == 0:
            s = np.round(s, 1)  # heavy ties
        y = (rng.random(n) < 1 / (1 + np.exp(-2 * s))).astype(float)
        new = np.r_[s, rng.uniform(-4, 4, 200)]
        ref = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y).predict(new)
        got = IsotonicCalibrator().fit(s, y).predict_proba(new)
        worst = max(worst, float(np.max(np.abs(got - ref))))
    ok = worst < 1e-9
    return Evidence(verdict="holds" if ok else "violated", n=ctx.params["cases"], estimate=worst, bound=1e-9,
                    details={"max_abs_difference": worst},
                    message="" if ok else f"max |isotonic - reference| = {worst:.3g}")
