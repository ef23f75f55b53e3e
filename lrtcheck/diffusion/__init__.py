"""Diffusion core shared by LRT-Diffusion and Risk-Sensitive Diffusion (DESIGN section 3)."""

from .heads import ConditionalGaussianMixtureHead, ExactTwoHead, GaussianMixtureHead
from .schedule import VARIANCES, Schedule

__all__ = ["Schedule", "VARIANCES", "GaussianMixtureHead", "ConditionalGaussianMixtureHead", "ExactTwoHead"]
