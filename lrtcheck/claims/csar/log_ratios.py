"""``csar.bayes_logit.marginals``, ``csar.darc.identity``, ``csar.prior.offset``: what a discriminator's logit is
(a log density ratio plus the prior log-odds, at matched marginals only) and how the offsets correct it.

Claims.  By Bayes' rule a classifier with class prior rho has ``logit u(x) = log P(x)/Q(x) + log(rho/(1-rho))``,
so ``log P/Q = logit u + c(rho)``, ``c(rho) = log((1-rho)/rho)`` (C-SAR paper §4 and §6); the (s, a, s')
classifier's logit equals ``ell_p = log p/m`` plus a constant only at matched (s, a) marginals, and DARC's
``z_sas' - z_sa`` recovers ``ell_p`` for any design (Eysenbach et al. 2021, arXiv 2006.13916; C-SAR paper §2 and
§9; docs/methods/csar.md §2).

World.  Random tabular C-SAR worlds (``lrtcheck.csar.make_world``) with the exact Bayes logits of any sampling design
(``tabular_envs.bayes_logit_transition``, docs/methods/tabular.md §6); saturated discriminators fitted on
exact-frequency data (:func:`lrtcheck.worlds.csar.exact_frequency_data`), whose Bayes logit is known per cell.

Checks.  Exact, no decision at a share: identities to 1e-10 (Bayes logits), 1e-9 (offsets) and 1e-6 (fitted
discriminators, Newton's tolerance), and a residual spread that shows the unmatched design is not a constant.
"""

from __future__ import annotations

import math

import numpy as np

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit, wrapper
from lrtcheck.csar import logit_certificate, prior_shift_offset
from lrtcheck.csar.discriminators import Discriminator, darc_log_ratio
from lrtcheck.csar.prior import log_ratio_offset
from lrtcheck.csar.world import make_world
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.csar import exact_frequency_data

BAYES = Claim(
    id="csar.bayes_logit.marginals",
    source="C-SAR paper §2 and §6; DARC (Eysenbach et al. 2021, arXiv 2006.13916); docs/methods/csar.md §2",
    statement="The Bayes logit of one (s,a,s') classifier equals log p/m + const only at matched (s,a) marginals "
    "(exact counter-example otherwise); DARC's z_sas' - z_sa recovers log p/m exactly for any design; the action "
    "classifier's logit is log pi/pi_b + log d_pi(s)/d_b(s) + const, so ell_pi + const only at matched state "
    "marginals.",
    assumptions=("Bayes-optimal classifiers", "finite state-action space"),
)


@check(BAYES, quick=dict(worlds=3), full=dict(worlds=20), stochastic=False)
def check_bayes_logit(ctx):
    """Exact: matched design and DARC to 1e-10; the unmatched residual ``z - ell_p`` spreads by more than 1e-3."""
    worst_matched = worst_darc = worst_action = 0.0
    spreads, spreads_action = [], []
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
            # action logits with mismatched state marginals: class 1 at the states of a policy pi, class 0 at
            # the behaviour's states; the oracle is the posterior of the joint laws (another route)
            pi = te.random_policy(5, 3, seed=ctx.seed(f"pi{i}"))
            ds1 = te.state_occupancy(w.mdp, pi)
            ds0 = te.state_occupancy(w.mdp, w.behaviour)
            za = te.bayes_logit_action(pi, w.behaviour, ds1, ds0, rho)
            za_ref = te.bayes_logit_from_joint(ds1[:, None] * pi, ds0[:, None] * w.behaviour, rho)
            ell_pi = w.ell_pi(pi)
            fin = np.isfinite(ell_pi)
            shift = np.log(ds1) - np.log(ds0)
            worst_action = max(worst_action, float(np.max(np.abs(za - za_ref)[fin])),
                               float(np.max(np.abs(za - ell_pi - shift[:, None] - c)[fin])),
                               float(np.max(np.abs(te.bayes_logit_action(pi, w.behaviour, ds0, ds0, rho)
                                                   - ell_pi - c)[fin])))
            resid_a = (za - ell_pi)[fin]
            spreads_action.append(float(resid_a.max() - resid_a.min()))
    ok = (worst_matched < 1e-10 and worst_darc < 1e-10 and worst_action < 1e-9 and min(spreads) > 1e-3
          and min(spreads_action) > 1e-3)
    decision = exact_decision(ok, estimate=min(spreads), bound=1e-3, name="unmatched residual spread",
                              message=f"identity check failed (transition {worst_matched:.3g}, DARC "
                              f"{worst_darc:.3g}, action {worst_action:.3g})")
    return Evidence.from_decision(decision, details={
        "max_error_matched": worst_matched, "max_error_darc": worst_darc,
        "residual_spread_unmatched_min": min(spreads), "residual_spread_unmatched_max": max(spreads),
        "max_error_action": worst_action, "action_residual_spread_unmatched_min": min(spreads_action)})


# --------------------------------------------------------------------------------------------------------------
DARC = Claim(
    id="csar.darc.identity",
    source="C-SAR paper §2 and §9; DARC (Eysenbach et al. 2021, arXiv 2006.13916); docs/methods/csar.md §2",
    statement="With saturated (s,a,s') and (s,a) discriminators trained on exact-frequency data whose (s,a) "
    "marginals differ between the classes, darc_log_ratio = z_sas' - z_sa equals log p(s'|s,a)/m(s'|s,a) per cell, "
    "while the (s,a,s') logit alone does not.",
)


@check(DARC, quick=dict(worlds=3), full=dict(worlds=20), stochastic=False)
def check_darc_identity(ctx):
    """Exact: DARC's difference to 1e-6 of the true per-cell log-ratio; the single classifier's residual spreads by
    more than 0.1 (the (s, a) marginals differ)."""
    rng = ctx.rng
    worst = 0.0
    spreads = []
    S, A = 4, 2
    cells = np.stack(np.unravel_index(np.arange(S * A * S), (S, A, S)), axis=1)
    for _ in range(ctx.params["worlds"]):
        c1 = rng.integers(1, 15, (S, A, S)) * rng.integers(1, 5, (S, A, 1))  # mismatched (s,a) marginals
        c0 = rng.integers(1, 15, (S, A, S)) * rng.integers(1, 5, (S, A, 1))
        truth = (np.log(c1 / c1.sum(-1, keepdims=True)) - np.log(c0 / c0.sum(-1, keepdims=True))).ravel()
        X, y = exact_frequency_data(cells, c1, c0)
        sas = Discriminator((S, A, S), l2=0.0).fit(X, y)
        sa = Discriminator((S, A), l2=0.0).fit(X[:, :2], y)
        est = darc_log_ratio(sas, sa, cells)
        worst = max(worst, float(np.max(np.abs(est - truth))))
        resid = sas.raw_logit(cells) - truth
        spreads.append(float(resid.max() - resid.min()))
    decision = exact_decision(worst < 1e-6 and min(spreads) > 0.1, estimate=worst, bound=1e-6, name="DARC error",
                              message=f"DARC error {worst:.3g} (single-classifier spread {min(spreads):.3g})")
    return Evidence.from_decision(decision, details={"max_error_darc": worst,
                                                     "single_classifier_residual_spread_min": min(spreads)})


# --------------------------------------------------------------------------------------------------------------
PRIOR = Claim(
    id="csar.prior.offset",
    source="C-SAR paper §4 and §6 (c(rho) = log((1-rho)/rho)); docs/methods/csar.md §2",
    statement="A Bayes probability under class prior rho, transported through the logit with the offset c(rho), "
    "gives the log density ratio exactly; prior_shift_offset moves it between priors; a saturated discriminator "
    "trained on exact-frequency data returns log p1/p0 per cell with class rebalancing (offset 0) and with the "
    "recorded-prior correction.",
)


@check(PRIOR, quick=dict(cases=50), full=dict(cases=500), stochastic=False)
def check_prior_offset(ctx):
    """Exact: the certificate of Bayes probabilities under prior rho with offset c(rho) returns the log-ratios to
    1e-9, a prior shift to 1e-9, and a saturated discriminator with a 1:3 class imbalance to 1e-6 (rebalanced and
    prior-corrected)."""
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
    X, y = exact_frequency_data(cells, c1, c0)
    truth = np.log(c1 / c1.sum()) - np.log(c0 / c0.sum())
    worst_disc = {}
    for balance in (True, False):
        d = Discriminator(cards, balance=balance, l2=0.0).fit(X, y)
        worst_disc[f"balance={balance}"] = float(np.max(np.abs(d.logit(cells) - truth)))
    tol = 1e-9
    ok = worst_cert < tol and worst_shift < tol and max(worst_disc.values()) < 1e-6
    decision = exact_decision(ok, estimate=max(worst_cert, worst_shift, *worst_disc.values()), bound=1e-6,
                              n=ctx.params["cases"], name="offset error",
                              message=f"certificate {worst_cert:.3g}, prior shift {worst_shift:.3g}, "
                              f"discriminator {worst_disc}")
    return Evidence.from_decision(decision, details={"max_error_certificate": float(worst_cert),
                                                     "max_error_prior_shift": worst_shift,
                                                     "max_error_discriminator": worst_disc})


# --------------------------------------------------------------------------------------------------------------
_M = "lrtcheck.csar"
MUTANTS = [
    Mutant("csar.prior_offset_sign", f"{_M}.prior:log_ratio_offset",
           "the prior log-odds correction with the wrong sign: log(rho/(1-rho)) added instead of subtracted",
           wrapper(output=lambda offset, *args, **kwargs: -offset), ("csar.prior.*",), tags=("ci",)),
    Mutant("csar.disc_double_prior", f"{_M}.discriminators:Discriminator.fit",
           "the recorded-prior correction applied on top of class rebalancing (the prior corrected twice)",
           source_edit(("self.offset_ = 0.0", "self.offset_ = log_ratio_offset(self.prior_)")), ("csar.prior.*",),
           tags=("ci",)),
    Mutant("csar.darc_raw_logit", f"{_M}.discriminators:darc_log_ratio",
           "DARC's difference z_sas' - z_sa replaced by the raw (s,a,s') logit (the (s,a) classifier dropped)",
           source_edit((" - sa.raw_logit(X_sas[:, :2])", "")), ("csar.darc.*",), tags=("ci",)),
    Mutant("csar.darc_swapped", f"{_M}.discriminators:darc_log_ratio", "DARC's operands swapped: z_sa - z_sas'",
           wrapper(output=lambda ratio, *args, **kwargs: -ratio), ("csar.darc.*",), tags=("ci",)),
]
