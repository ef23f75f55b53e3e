"""``tabular.bayes_logit.identity``: the closed-form Bayes-optimal discriminator logits equal Bayes' rule.

Claim.  For a classifier that sees x from class 1 (environment) with prior rho and from class 0 (model) otherwise,
the Bayes-optimal logit of an (s, a, s') classifier is ``log p/m + log d_env/d_m + log(rho/(1 - rho))``; it equals
the log-ratio ``log p/m`` only at matched (s, a) marginals and balanced classes; DARC's difference ``z_sas' - z_sa``
recovers ``log p/m`` exactly at any design (Eysenbach et al. 2021, arXiv 2006.13916); the action logit at matched
states is ``log pi/pi_b`` plus the prior log-odds, and at mismatched state marginals (class 1 states from the
model occupancy under pi, class 0 from the environment occupancy under pi_b) it carries the extra term
``log d_states_pi/d_states_b`` (docs/methods/tabular.md §5-§6; docs/methods/csar.md §2).

World.  Six env-vs-model designs of growing size with exact occupancies (:func:`lrtcheck.worlds.tabular.
bayes_logit_world`).

Check.  Exact: each closed form against Bayes' rule on the joint laws (``bayes_logit_from_joint``, the posterior
computed by another route), to float64 round-off of logs of probabilities (1e-9); and the lone (s, a, s') logit
must differ from ``log p/m`` by more than 1e-3 in every world (the marginals do not match there).  The action logit
is also checked at mismatched state marginals (which must differ by more than 1e-3 in log-ratio, so that a logit
that drops the state term is seen) and with an empty cell (an action pi never takes, logit ``-inf`` on both
routes).
"""

from __future__ import annotations

import numpy as np

import tabular_envs as te
from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.stats.decisions import exact_decision
from lrtcheck.worlds.tabular import bayes_logit_world

BAYES_CLAIM = Claim(
    id="tabular.bayes_logit.identity",
    source="docs/methods/tabular.md §6; Eysenbach et al. (2021), arXiv 2006.13916 (DARC)",
    statement="The Bayes-optimal env-vs-model (s,a,s') logit equals log p/m + log d_env/d_m + log(rho/(1-rho)); it "
    "equals log p/m only at matched (s,a) marginals and balanced classes; DARC's z_sas' - z_sa recovers log p/m "
    "exactly; the action logit at matched states is log pi/pi_b plus the prior log-odds.",
    assumptions=("finite spaces", "Bayes-optimal classifiers"),
)

_TOL = 1e-9  # float64 round-off of logs of probabilities >= 1e-6, far below any modelling difference


@check(BAYES_CLAIM, stochastic=False, common=dict(n_worlds=6))
def check_bayes_logit_identity(ctx):
    rows = []
    worst_closed, worst_darc, worst_matched, worst_action = 0.0, 0.0, 0.0, 0.0
    min_mismatch = np.inf
    min_state_gap = np.inf
    for k in range(ctx.params["n_worlds"]):
        w = bayes_logit_world(k, ctx.params["n_worlds"])
        P, M, rho, d_env, d_m = w.mdp.P, w.model, w.prior, w.d_env, w.d_model
        z = te.bayes_logit_transition(P, M, d_env, d_m, rho)
        oracle = te.bayes_logit_from_joint(d_env[..., None] * P, d_m[..., None] * M, rho)
        lp = te.transition_log_ratio(P, M)
        z_sa = te.bayes_logit_state_action(d_env, d_m, rho)
        e_closed = float(np.max(np.abs(z - oracle)))
        e_darc = float(np.max(np.abs(te.darc_difference(z, z_sa) - lp)))
        e_matched = float(np.max(np.abs(te.bayes_logit_transition(P, M, d_env, d_env, 0.5) - lp)))
        mismatch = float(np.max(np.abs(z - lp)))
        ds = d_env.sum(-1)
        za = te.bayes_logit_action(w.policy, w.behaviour, ds, ds, rho)
        za_oracle = te.bayes_logit_from_joint(ds[:, None] * w.policy, ds[:, None] * w.behaviour, rho)
        e_action = float(np.max(np.abs(za - (te.policy_log_ratio(w.policy, w.behaviour) + te.prior_log_odds(rho)))))
        e_action = max(e_action, float(np.max(np.abs(za - za_oracle))))
        # mismatched state marginals: class 1 states from the model occupancy under pi, class 0 from the env's
        ds_pi, ds_b = d_m.sum(-1), d_env.sum(-1)
        state_gap = float(np.max(np.abs(np.log(ds_pi) - np.log(ds_b))))
        za_mis = te.bayes_logit_action(w.policy, w.behaviour, ds_pi, ds_b, rho)
        za_mis_oracle = te.bayes_logit_from_joint(ds_pi[:, None] * w.policy, ds_b[:, None] * w.behaviour, rho)
        closed_mis = (np.log(w.policy) - np.log(w.behaviour) + (np.log(ds_pi) - np.log(ds_b))[:, None]
                      + np.log(rho) - np.log1p(-rho))
        e_action = max(e_action, float(np.max(np.abs(za_mis - za_mis_oracle))),
                       float(np.max(np.abs(za_mis - closed_mis))))
        min_state_gap = min(min_state_gap, state_gap)
        # an empty cell: pi never takes action 0 in state 0 (logit -inf on both routes, the rest unchanged)
        pi_e = w.policy.copy()
        pi_e[0, 0] = 0.0
        pi_e[0] /= pi_e[0].sum()
        za_e = te.bayes_logit_action(pi_e, w.behaviour, ds_pi, ds_b, rho)
        za_e_oracle = te.bayes_logit_from_joint(ds_pi[:, None] * pi_e, ds_b[:, None] * w.behaviour, rho)
        inf_match = bool(np.array_equal(np.isneginf(za_e), np.isneginf(za_e_oracle)) and np.isneginf(za_e[0, 0])
                         and np.sum(np.isinf(za_e)) == 1)
        fin = np.isfinite(za_e_oracle)
        e_action = max(e_action, float(np.max(np.abs(za_e[fin] - za_e_oracle[fin]))) if inf_match else np.inf)
        worst_closed, worst_darc = max(worst_closed, e_closed), max(worst_darc, e_darc)
        worst_matched, worst_action = max(worst_matched, e_matched), max(worst_action, e_action)
        min_mismatch = min(min_mismatch, mismatch)
        rows.append({"S": w.n_states, "A": w.n_actions, "prior": rho, "closed_vs_bayes_rule": e_closed,
                     "darc_error": e_darc, "matched_error": e_matched, "lone_sas_bias": mismatch,
                     "action_error": e_action, "state_marginal_gap": state_gap})
    worst = max(worst_closed, worst_darc, worst_matched, worst_action)
    decision = exact_decision(worst <= _TOL and min_mismatch > 1e-3 and min_state_gap > 1e-3, estimate=worst,
                              bound=_TOL,
                              name="identity errors",
                              message=f"identity errors: closed {worst_closed:.3g}, DARC {worst_darc:.3g}, matched "
                              f"{worst_matched:.3g}, action {worst_action:.3g}; min lone-sas bias {min_mismatch:.3g}; min "
                              f"state-marginal gap {min_state_gap:.3g}")
    return Evidence.from_decision(decision, details={"worlds": rows, "min_lone_sas_bias": min_mismatch,
                                                     "min_state_marginal_gap": min_state_gap})


_RATIOS = "tabular_envs.ratios"
_BAYES = "tabular.bayes_logit.identity"

MUTANTS = [
    Mutant("tabular.bayes_prior_sign", f"{_RATIOS}:bayes_logit_transition",
           "the Bayes logit's prior offset with the wrong sign: log((1-rho)/rho), the model class's log-odds",
           source_edit(('name="bayes_logit_transition") + prior_log_odds(rho)',
                        'name="bayes_logit_transition") - prior_log_odds(rho)')), (_BAYES,), tags=("ci",)),
    Mutant("tabular.darc_sum", f"{_RATIOS}:darc_difference",
           "DARC's difference computed as z_sas' + z_sa (the two classifiers' logits added, as for a product of odds)",
           source_edit(("out = z_sas - z_sa[..., None]", "out = z_sas + z_sa[..., None]")), (_BAYES,), tags=("ci",)),
    Mutant("tabular.action_logit_no_states", f"{_RATIOS}:bayes_logit_action",
           "the action logit without its state term log d_states_pi/d_states_b (right only at matched marginals)",
           source_edit(("log_ratio(ds1[..., None] * pi, ds0[..., None] * pi_b,", "log_ratio(pi, pi_b,")), (_BAYES,),
           tags=("ci",)),
]
