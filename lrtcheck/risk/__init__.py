"""Risk-Sensitive Diffusion (seed 003, arXiv 2402.02081; DESIGN section 5)."""

from .kernels import VESDE, VPSDE, DiscreteVP, RiskKernel, StabilityInterval
from .psi import as_risk, cauchy_psi, cauchy_psi_derived, effective_psi, gaussian_psi

__all__ = ["VPSDE", "VESDE", "DiscreteVP", "RiskKernel", "StabilityInterval", "as_risk", "cauchy_psi",
           "cauchy_psi_derived", "effective_psi", "gaussian_psi"]
