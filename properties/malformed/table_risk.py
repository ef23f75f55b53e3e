"""Valid calls of ``lrtcheck.risk`` (one per entry point) for the malformed-input suite."""

import numpy as np

import lrtcheck.risk as R
from lrtcheck.diffusion import Schedule

from . import constants, fn, method, record

PACKAGE = R
CONSTANTS = constants()
UNFUZZED = {"RiskKernel.describe": "no parameters"}

T = np.array([0.1, 0.5, 0.9])
RR = np.array([0.0, 0.3, 1.0])
RR2 = np.array([[0.0, 0.3], [0.5, 1.0], [0.2, 0.1]])
X2 = np.random.default_rng(0).normal(size=(30, 2))
Y2 = np.random.default_rng(1).normal(size=(30, 2)) + 0.5


def vp():
    return R.VPSDE()


def ve():
    return R.VESDE()


def dvp():
    return R.DiscreteVP(Schedule.linear(10, 1e-4, 0.2))


def kern():
    return R.VPSDE()


def data():
    return R.proof_of_concept(20, seed=0)


ENTRIES = [
    fn("VPSDE", R.VPSDE, 0.1, 20.0, domains={"beta_min": ">0", "beta_max": ">0", "t_eps": "(0,1)"}),
    method("VPSDE.log_alpha", vp, "log_alpha", T),
    method("VPSDE.beta", vp, "beta", T),
    method("VPSDE.signal_scale", vp, "signal_scale", T),
    method("VPSDE.clean_variance", vp, "clean_variance", T),
    method("VPSDE.drift_diffusion", vp, "drift_diffusion", X2[:3], T[:, None]),
    fn("VESDE", R.VESDE, 0.01, 10.0, domains={"sigma_min": ">0", "sigma_max": ">0", "t_eps": "(0,1)"}),
    method("VESDE.sigma", ve, "sigma", T),
    method("VESDE.signal_scale", ve, "signal_scale", T),
    method("VESDE.clean_variance", ve, "clean_variance", T),
    method("VESDE.drift_diffusion", ve, "drift_diffusion", X2[:3], T[:, None]),
    fn("DiscreteVP", R.DiscreteVP, Schedule.linear(10, 1e-4, 0.2)),
    method("DiscreteVP.signal_scale", dvp, "signal_scale", np.array([1, 5, 10])),
    method("DiscreteVP.clean_variance", dvp, "clean_variance", np.array([1, 5, 10])),
    method("DiscreteVP.time_input", dvp, "time_input", np.array([1, 5, 10])),
    fn("RiskKernel", R.RiskKernel, domains={"t_eps": "(0,1)"}),
    method("RiskKernel.psi", kern, "psi", RR),
    method("RiskKernel.rho", kern, "rho", RR),
    method("RiskKernel.signal_scale", kern, "signal_scale", T),
    method("RiskKernel.clean_variance", kern, "clean_variance", T),
    method("RiskKernel.noise_variance", kern, "noise_variance", RR, T),
    method("RiskKernel.time_input", kern, "time_input", T),
    method("RiskKernel.stability_interval", kern, "stability_interval", RR),
    method("RiskKernel.is_stable", kern, "is_stable", RR, T),
    method("RiskKernel.sample_time", kern, "sample_time", RR2, np.random.default_rng(0)),
    method("RiskKernel.interval_length", kern, "interval_length", RR),
    method("RiskKernel.perturb", kern, "perturb", X2[:3], RR2, T, np.random.default_rng(0).normal(size=(3, 2))),
    fn("StabilityInterval", R.StabilityInterval, np.array([0.1, 0.2]), np.array([0.5, 1.0])),
    fn("as_risk", R.as_risk, RR, allow={"name": ("any",)}),
    fn("cauchy_psi", R.cauchy_psi, RR),
    fn("cauchy_psi_derived", R.cauchy_psi_derived, RR),
    fn("effective_psi", R.effective_psi, RR, "gaussian"),
    fn("gaussian_psi", R.gaussian_psi, RR),
    record("NoisyDataset", R.NoisyDataset, data),
    method("NoisyDataset.sample_clean", data, "sample_clean", 5, np.random.default_rng(0), domains={"n": ">=0"}),
    fn("estimate_risk_knn", R.estimate_risk_knn, np.where(np.arange(60).reshape(20, 3) % 7 == 0, np.nan,
                                                         np.random.default_rng(0).normal(size=(20, 3))),
       k=3, domains={"k": ">=1", "risk_scale": ">0"},
       allow={"x_missing": ("nan",)}),  # NaN marks a missing entry: it is the input this function imputes
    fn("knn_imputed_tabular", R.knn_imputed_tabular, "wine", mask_rate=0.05, k=3, seed=0,
       domains={"mask_rate": "[0,1)", "k": ">=1", "seed": ">=0", "risk_scale": ">0"}),
    fn("proof_of_concept", R.proof_of_concept, 20, seed=0,
       domains={"n": ">=1", "seed": ">=0", "std": ">0", "corrupted_component": ">=0",
                "corrupted_fraction": "[0,1]"},
       allow={"corrupted_component": ("none",)}),  # None is documented: every component corrupted alike
    fn("empirical_wasserstein", R.empirical_wasserstein, X2[:, 0], Y2[:, 0], p=1, domains={"p": ">=1"}),
    # covariances whose rows do not sum to 1: the identity looks like a stochastic matrix to the engine, and a
    # covariance with rows summing to 2 is legal
    fn("gaussian_w2", R.gaussian_w2, np.zeros(2), np.array([[1.0, 0.3], [0.3, 2.0]]), np.ones(2),
       np.array([[2.0, -0.4], [-0.4, 1.5]])),
    fn("mmd_rbf", R.mmd_rbf, X2, Y2, bandwidth=1.0, domains={"bandwidth": ">0"}),
    fn("sliced_wasserstein", R.sliced_wasserstein, X2, Y2, n_projections=16, seed=0,
       domains={"n_projections": ">=1", "seed": ">=0"}),
]
