"""LRT-Diffusion (Sun & Cheng, arXiv 2510.24983): sampler, gates, calibration, Q-step, OOD metric, contextual toy."""

from .calibration import METHODS, Calibration, calibrate_threshold, ville_threshold
from .sampler import GATES, STATISTICS, LRTSample, LRTSampler, QStep, SeparateHeads

__all__ = ["Calibration", "calibrate_threshold", "ville_threshold", "METHODS", "LRTSampler", "LRTSample", "QStep",
           "SeparateHeads", "GATES", "STATISTICS"]
