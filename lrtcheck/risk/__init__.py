"""Risk-Sensitive Diffusion (Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081; docs/methods/risk_sensitive.md).

numpy-only names are exported here; the torch parts live in submodules:
``lrtcheck.risk.models`` (RiskSensitiveDiffusion, StandardDiffusion, RiskConditionalDiffusion,
RiskVariableDiffusion, RiskRegressorDiffusion),
``lrtcheck.risk.training`` (the loss and training loop), ``lrtcheck.risk.sampling`` (DDPM, Euler-Maruyama),
``lrtcheck.risk.network`` (TabularMLP).
"""

from .data import NoisyDataset, estimate_risk_knn, knn_imputed_tabular, proof_of_concept
from .kernels import VESDE, VPSDE, DiscreteVP, RiskKernel, StabilityInterval
from .metrics import empirical_wasserstein, gaussian_w2, mmd_rbf, sliced_wasserstein
from .psi import as_risk, cauchy_psi, cauchy_psi_derived, effective_psi, gaussian_psi

__all__ = ["VPSDE", "VESDE", "DiscreteVP", "RiskKernel", "StabilityInterval", "as_risk", "cauchy_psi",
           "cauchy_psi_derived", "effective_psi", "gaussian_psi", "NoisyDataset", "estimate_risk_knn",
           "knn_imputed_tabular", "proof_of_concept", "empirical_wasserstein", "gaussian_w2", "mmd_rbf",
           "sliced_wasserstein"]
