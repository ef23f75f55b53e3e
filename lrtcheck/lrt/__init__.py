"""LRT-Diffusion (Sun & Cheng, arXiv 2510.24983): sampler, gates, calibration, Q-step, OOD metric, contextual toy."""

from .calibration import METHODS, Calibration, calibrate_threshold, ville_threshold
from .sampler import GATES, STATISTICS, LRTSample, LRTSampler, QStep, SeparateHeads

__all__ = ["Calibration", "calibrate_threshold", "ville_threshold", "METHODS", "LRTSampler", "LRTSample", "QStep",
           "SeparateHeads", "GATES", "STATISTICS"]

from .evaluation import ParetoRow, return_ood_pareto  # noqa: E402
from .ood import StateConditionalOOD  # noqa: E402
from .toy import ContextualToy, ToyCritic, ToyDataset, label_top_fraction  # noqa: E402

__all__ += ["ParetoRow", "return_ood_pareto", "StateConditionalOOD", "ContextualToy", "ToyCritic", "ToyDataset",
            "label_top_fraction"]
