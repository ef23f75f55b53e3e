"""Diffusion core shared by LRT-Diffusion and Risk-Sensitive Diffusion (docs/methods/diffusion.md)."""

from .heads import ConditionalGaussianMixtureHead, ExactTwoHead, GaussianMixtureHead
from .noise import counter_normal, sample_keys
from .schedule import VARIANCES, Schedule

__all__ = ["Schedule", "VARIANCES", "GaussianMixtureHead", "ConditionalGaussianMixtureHead", "ExactTwoHead",
           "counter_normal", "sample_keys", "TwoHeadDenoiser", "TwoHeadTrainer", "sinusoidal_embedding"]


def __getattr__(name):  # torch.nn models load lazily so that importing the exact heads stays light
    if name in ("TwoHeadDenoiser", "TwoHeadTrainer", "sinusoidal_embedding"):
        from . import networks

        return getattr(networks, name)
    raise AttributeError(name)
