"""Valid calls of ``lrtcheck.stats`` (one per entry point) for the malformed-input suite."""

from fractions import Fraction

import numpy as np

import lrtcheck.stats as S

from . import constants, fn, method

PACKAGE = S
CONSTANTS = constants("DEFAULT_ROOT_SEED", "DEFAULT_TOTAL_FALSE_FAIL")
UNFUZZED = {"ErrorBudget.shares": "no parameters", "Design.as_dict": "no parameters"}

U = "(0,1)"
ENTRIES = [
    # size >= 0, not capped at 1: a defective region (a mutant's size above 1) must reach the check that catches it
    fn("AcceptanceRegion", S.AcceptanceRegion, 2, 8, 0.01, domains={"size": ">=0", "low": ">=0", "high": ">=0"}),
    # contains takes any integer count: one below the region (low - 1, even -1) is outside it, not an error
    method("AcceptanceRegion.contains", lambda: S.AcceptanceRegion(2, 8, 0.01), "contains", 5),
    # a Design records exact checks too: false-fail rate 0 and no samples (n = 0) are legal, as in Decision
    fn("Design", S.Design, 0.001, "shift 0.1", 0.1, 0.9, 100,
       domains={"false_fail_rate": "[0,1)", "power": "[0,1]", "n": ">=0"}, allow={"target_defect": ("any",)}),
    fn("ErrorBudget", S.ErrorBudget, 0.001, {"a": 1.0, "b": 2.0}, domains={"total": U}),
    fn("ErrorBudget.equal", S.ErrorBudget.equal, ["a", "b"], 0.001, domains={"total": U}),
    # an id that is not a stochastic check of the budget has share 0 (documented), so any string is legal
    method("ErrorBudget.share", lambda: S.ErrorBudget(0.001, {"a": 1.0, "b": 2.0}), "share", "a",
           allow={"check_id": ("any",)}),
    fn("binomial_acceptance_region", S.binomial_acceptance_region, 50, 0.3, 0.01,
       domains={"n": ">=1", "p": "[0,1]", "alpha": U}),
    fn("binomial_min_detectable_rate", S.binomial_min_detectable_rate, 200, 0.1, 0.01, 0.8,
       domains={"n": ">=1", "p0": "[0,1]", "false_fail_rate": U, "power": U}),
    fn("binomial_power", S.binomial_power, 200, 0.1, 0.2, 0.01,
       domains={"n": ">=1", "p0": "[0,1]", "p1": "[0,1]", "false_fail_rate": U}),
    fn("binomial_sample_size", S.binomial_sample_size, 0.1, 0.2, 0.01, 0.8, n_max=10**6,
       domains={"p0": "[0,1]", "p1": "[0,1]", "false_fail_rate": U, "power": U, "n_max": ">=1"}),
    fn("binomial_tail_pvalue", S.binomial_tail_pvalue, 7, 50, 0.1,
       domains={"count": ">=0", "n": ">=1", "p": "[0,1]"}),
    fn("child_seeds", S.child_seeds, np.random.SeedSequence(5), 3, domains={"n": ">=0"}),
    fn("clopper_pearson", S.clopper_pearson, 3, 20, 0.05,
       domains={"successes": ">=0", "trials": ">=1", "alpha": U}),
    fn("conformal_coverage_law", S.conformal_coverage_law, 20, 19, 10,
       domains={"n": ">=1", "k": ">=1", "m": ">=1"}),
    fn("conformal_marginal_coverage", S.conformal_marginal_coverage, 20, 0.1, domains={"n": ">=1", "alpha": U}),
    fn("conformal_rank", S.conformal_rank, 20, 0.1, domains={"n": ">=1", "alpha": U}),
    fn("dkw_band_coverage", S.dkw_band_coverage, 100, 0.1, domains={"n": ">=1", "epsilon": ">0"}),
    fn("dkw_epsilon", S.dkw_epsilon, 100, 0.05, domains={"n": ">=1", "delta": U}),
    fn("dkw_sample_size", S.dkw_sample_size, 0.1, 0.05, domains={"epsilon": ">0", "delta": U}),
    # exact_fraction refuses a value by its caller's parameter name (its ``name`` argument): called here with
    # name="value", so that the refusal names the parameter fuzzed
    fn("exact_fraction", S.exact_fraction, "value", Fraction(1, 10), allow={"name": ("any",)}),
    fn("ks_min_detectable_discrepancy", S.ks_min_detectable_discrepancy, 200, 0.01, 0.8,
       domains={"n": ">=1", "false_fail_rate": U, "power": U}),
    fn("ks_power_lower_bound", S.ks_power_lower_bound, 200, 0.01, 0.2,
       domains={"n": ">=1", "false_fail_rate": U, "discrepancy": "[0,1]"}),
    fn("ks_sample_size", S.ks_sample_size, 0.2, 0.01, 0.8, n_max=10**6,
       domains={"discrepancy": "(0,1]", "false_fail_rate": U, "power": U, "n_max": ">=1"}),
    fn("ks_threshold", S.ks_threshold, 200, 0.01, domains={"n": ">=1", "false_fail_rate": U}),
    fn("order_statistic_level_law", S.order_statistic_level_law, 20, 19, domains={"n": ">=1", "k": ">=1"}),
    fn("poisson_binomial_cdf", S.poisson_binomial_cdf, 2, np.array([0.1, 0.5, 0.3, 0.9]),
       domains={"count": ">=0"}),
    # seed None is the documented default root; name is the caller's parameter name, any string
    fn("resolve_root_seed", S.resolve_root_seed, 12345, domains={"seed": ">=0"},
       allow={"seed": ("none",), "name": ("any",)}),
    fn("seed_sequence", S.seed_sequence, 12345, "check.a", domains={"root": ">=0"}, allow={"name": ("any",)}),
    fn("stream_key", S.stream_key, "check.a", allow={"name": ("any",)}),
    fn("torch_generator", S.torch_generator, np.random.SeedSequence(5), "cpu"),
]
