"""C-SAR (Certified Shifts-Aware Rewards, "the C-SAR paper", which has no arXiv id; its formulas, sources and the
project's reconstructions: docs/methods/csar.md).

Calibrators with a scikit-learn-style API, logit certificates, torch discriminators, the certified reward, exact soft
value iteration and tabular SAC on the replay mixture, the end-to-end loop, ablations and metrics.
"""

from .cells import PerCellClopperPearson
from .conformal import SplitConformal, WeightedConformal, label_residuals
from .isotonic import IsotonicCalibrator
from .logit import LogitCertificate, clip_logit, logit_certificate, logit_interval, safe_logit
from .metrics import ReliabilityCurve, auc, expected_calibration_error, reliability_curve
from .prior import empirical_prior, log_ratio_offset, prior_shift_offset
from .reward import certified_reward, ideal_reward, log_reward, reward_bound, seed_reward_bound
from .temperature import TemperatureScaling
from .venn_abers import CrossVennAbers, VennAbers, venn_abers_brute_force

__all__ = [
    "CrossVennAbers", "IsotonicCalibrator", "LogitCertificate", "PerCellClopperPearson", "ReliabilityCurve",
    "SplitConformal", "TemperatureScaling", "VennAbers", "WeightedConformal", "auc", "certified_reward",
    "clip_logit", "empirical_prior", "expected_calibration_error", "ideal_reward", "label_residuals",
    "log_ratio_offset", "log_reward", "logit_certificate", "logit_interval", "prior_shift_offset",
    "reliability_curve", "reward_bound", "safe_logit", "seed_reward_bound", "venn_abers_brute_force",
]
