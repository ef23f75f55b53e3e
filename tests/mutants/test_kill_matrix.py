"""The mutant catalogue as a CI gate: the unmutated checks pass, every mutant not documented as a survivor is
killed under the whole-family rule (each mutant against every quick-tier check of the families that import its
code, from the import graph), and the kill rate stays at or above 95%.

CI runs the mutants tagged ``ci`` and those of the statistical core; ``lrtcheck mutants`` runs them all.
"""

import inspect
import math
import os

import pytest

from lrtcheck.certify.kill_matrix import KILL_RATE_FLOOR, kill_matrix, plan
from lrtcheck.certify.mutation import Mutant, catalogue, checks_using, families_using, patched, resolve_target
from lrtcheck.certify.registry import all_checks


def _ci_subset():
    every = catalogue()
    if os.environ.get("LRTCHECK_ALL_MUTANTS"):
        return every
    return [m for m in every if m.family == "stats" or "ci" in m.tags]


def test_catalogue_is_well_formed():
    muts = catalogue()
    assert len({m.id for m in muts}) == len(muts)
    for m in muts:
        assert m.story, m.id
        resolve_target(m.target)  # every target names a real function


def test_the_checks_a_mutant_runs_against_come_from_the_import_graph_not_from_its_list():
    import dataclasses

    import grimp

    graph = grimp.build_graph("lrtcheck", "tabular_envs", cache_dir=None)
    quick = all_checks("quick")
    families = sorted({s.claim.method for s in quick})
    for m in catalogue():
        expected = sorted({s.claim.method for s in quick
                           if s.module == m.module or graph.chain_exists(importer=s.module, imported=m.module)})
        assert families_using(m.module) == expected, m.id
        planned = {s.check_id for s in checks_using(m)}
        assert planned == {s.check_id for s in quick if s.claim.method in expected}, m.id
        unnamed = dataclasses.replace(m, checks=())  # the documented patterns only order the run
        assert {s.check_id for s in checks_using(unnamed)} == planned
    stats_mutant = next(m for m in catalogue() if m.module == "lrtcheck.stats.conformal")
    assert families_using(stats_mutant.module) == families  # every family imports the statistical core
    assert set(plan([stats_mutant])[stats_mutant.id]) == {s.check_id for s in quick}


def test_patched_applies_everywhere_and_restores():
    import lrtcheck.claims.stats.conformal as sc
    from lrtcheck.stats import conformal_rank

    m = Mutant("demo.x", "lrtcheck.stats.conformal:conformal_rank", "demo", lambda orig: (lambda n, a: -1),
               ("stats.*",))
    with patched(m):
        assert sc.conformal_rank(10, 0.1) == -1
        import lrtcheck.stats as s
        assert s.conformal_rank(10, 0.1) == -1
    assert sc.conformal_rank is conformal_rank and conformal_rank(10, 0.1) == 10


def test_kill_matrix_gate():
    mutants = _ci_subset()
    km = kill_matrix(mutants, tier="quick", progress=False)
    baseline_failures, outcomes, frame = km
    assert not baseline_failures, f"unmutated run failed: {baseline_failures}"
    for o in outcomes:  # a killed mutant stops at its first kill; a survivor ran every check of its families
        assert o.check_ids == [c for c in plan([o.mutant])[o.mutant.id]][:len(o.check_ids)]
        assert o.killed or len(o.check_ids) == km.planned[o.mutant.id], o.mutant.id
    errors = [(o.mutant.id, o.error) for o in outcomes if o.error]
    assert not errors, errors
    regressions = [o.mutant.id for o in outcomes if not o.killed and not o.mutant.survives]
    assert not regressions, f"mutants that should be killed survived: {regressions}"
    rate = sum(o.killed for o in outcomes) / len(outcomes)
    assert rate >= KILL_RATE_FLOOR, f"kill rate {rate:.1%} below {KILL_RATE_FLOOR:.0%}"
    assert set(frame["mutant"]) == {m.id for m in mutants}


def test_topic_module_mutants_are_edits_of_the_original():
    """Mutants declared in lrtcheck.claims are source edits or wrappers, never a copied (rewritten) body."""
    from lrtcheck.certify.registry import discovered_modules

    topic = [m for mod in discovered_modules() if mod.__name__.startswith("lrtcheck.claims.")
             for m in getattr(mod, "MUTANTS", [])]
    assert {m.id for m in topic} >= {"stats.rank_float", "stats.rank_n", "stats.dkw_massart_dropped",
                                     "stats.dkw_no_sqrt", "stats.cp_wald", "stats.cp_alpha_not_halved",
                                     "stats.rank_plus_one", "stats.region_alpha_not_split",
                                     "stats.region_off_by_one"}
    assert {m.id for m in topic if m.family in ("tabular", "lecam")} == {
        "tabular.eval_gamma_squared", "tabular.eval_transposed_kernel", "tabular.q_backup_no_gamma",
        "tabular.policy_kernel_axes", "tabular.occupancy_unnormalised", "tabular.occupancy_untransposed",
        "tabular.soft_vi_temperature_inverted", "tabular.soft_eval_entropy_sign", "tabular.geometric_off_by_one",
        "tabular.risky_chain_q_flipped", "tabular.bayes_prior_sign", "tabular.darc_sum",
        "lecam.tv_without_w", "lecam.binomial_tv_no_half", "lecam.kl_without_nw", "lecam.bc_without_w",
        "lecam.joint_law_flipped", "lecam.bound_not_halved", "lecam.bound_tv_squared", "lecam.regret_sign",
        "lecam.safe_reward_at_model", "lecam.risk_wrong_instance", "lecam.certified_level_2delta",
        "lecam.pessimism_sign", "lecam.lr_rule_inverted", "tabular.action_logit_no_states",
        "lecam.hoeffding_radius_one_sided", "lecam.hoeffding_radius_no_half"}
    for m in topic:
        assert m.make.__qualname__.split(".")[0] in ("source_edit", "wrapper"), m.id
    assert {m.id for m in topic} <= {m.id for m in catalogue()}
    # the lrt catalogue moved whole into lrtcheck/claims/lrt: every mutant of the legacy module is a topic mutant
    assert {m.id for m in topic if m.family == "lrt"} == {
        "lrt.dkw_plugin_level", "lrt.gate_interpolation_halved", "lrt.llr_drift_tenth_D", "lrt.threshold_rank_two_alpha",
        "lrt.llr_sign", "lrt.llr_sigma_not_squared", "lrt.sigma0_step_counted", "lrt.running_max_is_final",
        "lrt.gate_current_evidence", "lrt.soft_gate_kappa_inverted", "lrt.reverse_mean_coef",
        "lrt.reverse_mean_no_inv_sqrt_alpha", "lrt.noise_sigma2_scale", "lrt.noise_step_ignored",
        "lrt.qstep_not_scaled", "lrt.qstep_clip_skipped", "lrt.null_without_qstep", "lrt.config_ignores_variance",
        "lrt.config_ignores_qstep", "lrt.qstep_fingerprint_critic_only", "lrt.calibration_rank_float",
        "lrt.calibration_rank_index", "lrt.dkw_massart_one_sided_always", "lrt.dkw_band_sign",
        "lrt.quantile_eps_one_sided", "lrt.exact_D2_no_alpha", "lrt.gmm_component_variance",
        "lrt.gmm_no_logsumexp_fused", "lrt.gmm_no_logsumexp_numpy", "lrt.posterior_variance_abar_t",
            "lrt.qstep_anchor_ignored", "lrt.qstep_grad_at_noisy_action", "lrt.noise_stale_buffer",
            "lrt.noise_hoisted", "lrt.gate_pull_halved", "lrt.clip_posterior_coef",
            "lrt.clip_eps_not_x0", "lrt.guided_mean_sign"}


def test_wrapper_alters_inputs_and_output_around_the_original():
    from lrtcheck.certify.mutation import source_edit, wrapper
    from lrtcheck.stats import dkw_epsilon

    eps = dkw_epsilon(100, 0.05)
    doubled = Mutant("demo.out", "lrtcheck.stats.dkw:dkw_epsilon", "demo", wrapper(output=lambda r, *a, **k: 2 * r),
                     ("stats.*",))
    one_sided = Mutant("demo.in", "lrtcheck.stats.dkw:dkw_epsilon", "demo",
                       wrapper(inputs=lambda n, delta, *, two_sided=True: ((n, delta), {"two_sided": False})),
                       ("stats.*",))
    with patched(doubled):
        import lrtcheck.stats as s
        assert s.dkw_epsilon(100, 0.05) == 2 * eps
    with patched(one_sided):
        assert s.dkw_epsilon(100, 0.05) == math.sqrt(math.log(1 / 0.05) / 200) < eps
    assert s.dkw_epsilon(100, 0.05) == eps
    moved = Mutant("demo.moved", "lrtcheck.stats.dkw:dkw_epsilon", "demo", source_edit(("no such line", "x")),
                   ("stats.*",))
    with pytest.raises(ValueError, match="occurs 0 times"):
        with patched(moved):
            pass


def test_source_edit_of_a_decorated_function_keeps_its_module_and_decorator():
    """``@torch.no_grad()`` wraps ddpm_sample: the edit is made on the undecorated body, run in the function's own
    module (not the decorator's), and the decorator is applied again (gradients stay off in the mutant)."""
    import torch

    import lrtcheck.risk.sampling as samp
    from lrtcheck.certify.mutation import source_edit

    make = source_edit(("sig2 = sch.variance(variance)", "sig2 = sch.variance(\"posterior\")"))
    mutated = make(samp.ddpm_sample)
    inner = inspect.unwrap(mutated)
    assert inner is not mutated and inner.__globals__ is vars(samp)
    assert "posterior" in inner.__code__.co_consts
    assert "posterior" not in inspect.unwrap(samp.ddpm_sample).__code__.co_consts

    seen = []

    def eps_fn(x, t):
        seen.append(torch.is_grad_enabled())
        return torch.zeros_like(x)

    from lrtcheck.diffusion import Schedule
    from lrtcheck.risk import DiscreteVP

    mutated(eps_fn, DiscreteVP(Schedule.linear(3, 1e-4, 0.2)), (2, 1), generator=torch.Generator().manual_seed(0))
    assert seen and not any(seen)
