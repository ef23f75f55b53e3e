"""The statistical core: exact laws, DKW bounds, conformal ranks, exact binomial inference, design companions,
the error budget and seed streams.  Knows no method."""

from .binomial import (AcceptanceRegion, binomial_acceptance_region, binomial_tail_pvalue, clopper_pearson,
                       poisson_binomial_cdf)
from .budget import DEFAULT_TOTAL_FALSE_FAIL, ErrorBudget
from .conformal import (
    conformal_coverage_law,
    conformal_marginal_coverage,
    conformal_rank,
    exact_fraction,
    order_statistic_level_law,
)
from .design import (
    Design,
    binomial_min_detectable_rate,
    binomial_power,
    binomial_sample_size,
    ks_min_detectable_discrepancy,
    ks_power_lower_bound,
    ks_sample_size,
    ks_threshold,
)
from .dkw import dkw_band_coverage, dkw_epsilon, dkw_sample_size
from .seeds import DEFAULT_ROOT_SEED, child_seeds, resolve_root_seed, seed_sequence, stream_key, torch_generator

__all__ = [
    "AcceptanceRegion",
    "DEFAULT_ROOT_SEED",
    "DEFAULT_TOTAL_FALSE_FAIL",
    "Design",
    "ErrorBudget",
    "binomial_acceptance_region",
    "binomial_min_detectable_rate",
    "binomial_power",
    "binomial_sample_size",
    "binomial_tail_pvalue",
    "child_seeds",
    "clopper_pearson",
    "conformal_coverage_law",
    "conformal_marginal_coverage",
    "conformal_rank",
    "dkw_band_coverage",
    "dkw_epsilon",
    "dkw_sample_size",
    "exact_fraction",
    "ks_min_detectable_discrepancy",
    "ks_power_lower_bound",
    "ks_sample_size",
    "ks_threshold",
    "order_statistic_level_law",
    "poisson_binomial_cdf",
    "resolve_root_seed",
    "seed_sequence",
    "stream_key",
    "torch_generator",
]
