"""``tabular.bayes_logit.identity``: the closed-form Bayes-optimal discriminator logits equal Bayes' rule.

Claim.  For a classifier that sees x from class 1 (environment) with prior rho and from class 0 (model) otherwise,
the Bayes-optimal logit of an (s, a, s') classifier is ``log p/m + log d_env/d_m + log(rho/(1 - rho))``; it equals
the log-ratio ``log p/m`` only at matched (s, a) marginals and balanced classes; DARC's difference ``z_sas' - z_sa``
recovers ``log p/m`` exactly at any design (Eysenbach et al. 2021, arXiv 2006.13916); the action logit at matched
states is ``log pi/pi_b`` plus the prior log-odds (docs/methods/tabular.md §5-§6; docs/methods/csar.md §2).

World.  Six env-vs-model designs of growing size with exact occupancies (:func:`lrtcheck.worlds.tabular.
bayes_logit_world`).

Check.  Exact: each closed form against Bayes' rule on the joint laws (``bayes_logit_from_joint``, the posterior
computed by another route), to float64 round-off of logs of probabilities (1e-9); and the lone (s, a, s') logit
must differ from ``log p/m`` by more than 1e-3 in every world (the marginals do not match there).
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
        worst_closed, worst_darc = max(worst_closed, e_closed), max(worst_darc, e_darc)
        worst_matched, worst_action = max(worst_matched, e_matched), max(worst_action, e_action)
        min_mismatch = min(min_mismatch, mismatch)
        rows.append({"S": w.n_states, "A": w.n_actions, "prior": rho, "closed_vs_bayes_rule": e_closed,
                     "darc_error": e_darc, "matched_error": e_matched, "lone_sas_bias": mismatch,
                     "action_error": e_action})
    worst = max(worst_closed, worst_darc, worst_matched, worst_action)
    decision = exact_decision(worst <= _TOL and min_mismatch > 1e-3, estimate=worst, bound=_TOL,
                              name="identity errors",
                              message=f"identity errors: closed {worst_closed:.3g}, DARC {worst_darc:.3g}, matched "
                              f"{worst_matched:.3g}, action {worst_action:.3g}; min lone-sas bias {min_mismatch:.3g}")
    return Evidence.from_decision(decision, details={"worlds": rows, "min_lone_sas_bias": min_mismatch})


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
]
