"""Valid calls of ``lrtcheck.csar`` (one per entry point) for the malformed-input suite."""

import numpy as np

import lrtcheck.csar as C

from . import constants, fn, method, record

PACKAGE = C
CONSTANTS = constants()
UNFUZZED = {}

RNG = np.random.default_rng(0)
SC = np.linspace(-2.0, 2.0, 40)
LB = ((SC + 1.5 * np.sin(7 * SC)) > 0).astype(int)  # informative, not separable
PR = np.linspace(0.05, 0.95, 40)
X = np.column_stack([SC, SC ** 2])
D = "(0,1)"


class Scorer:
    """A tiny scoring model: the first feature."""

    def fit(self, X, y):
        return self

    def score(self, X):
        return np.asarray(X, dtype=float)[:, 0]


def cva():
    return C.CrossVennAbers(Scorer, n_splits=3).fit(X, LB)


# p_low / p_high are not distributions: 0.2 x 5 summed to 1 by chance and the suite took the row for a stochastic one
P_LO, P_HI = np.full(5, 0.3), np.full(5, 0.8)
# logits of probabilities 0 and 1 are -inf and +inf, and true log-ratios are infinite where one law has no mass
LOGIT_INF = ("inf",)


def cert():
    return C.logit_certificate(P_LO, P_HI, clip=2.0)


def fitted(cls, *a, **kw):
    return lambda: cls(*a, **kw).fit(PR, LB)


ENTRIES = [
    fn("CrossVennAbers", C.CrossVennAbers, Scorer, n_splits=3, seed=0, domains={"n_splits": ">=2", "seed": ">=0"}),
    method("CrossVennAbers.fit", lambda: C.CrossVennAbers(Scorer, n_splits=3), "fit", X, LB),
    method("CrossVennAbers.predict_intervals", cva, "predict_intervals", X[:5]),
    method("CrossVennAbers.predict_interval", cva, "predict_interval", X[:5]),
    method("CrossVennAbers.predict_proba", cva, "predict_proba", X[:5], loss="log"),
    fn("IsotonicCalibrator", C.IsotonicCalibrator),
    method("IsotonicCalibrator.fit", C.IsotonicCalibrator, "fit", SC, LB),
    method("IsotonicCalibrator.predict_proba", lambda: C.IsotonicCalibrator().fit(SC, LB), "predict_proba", SC[:5]),
    # a certificate's ends, midpoint, radius and lower end are infinite at probabilities 0 and 1 (and unclipped)
    record("LogitCertificate", C.LogitCertificate, cert, inf_ok=True,
           allow={k: LOGIT_INF for k in ("clip_level", "z_low", "z_high", "ell_hat", "radius", "lower")}),
    method("LogitCertificate.covers", cert, "covers", np.zeros(5), allow={"z_true": LOGIT_INF}),
    method("LogitCertificate.interval_covers", cert, "interval_covers", np.zeros(5), allow={"z_true": LOGIT_INF}),
    fn("PerCellClopperPearson", C.PerCellClopperPearson, 4, 0.1, domains={"n_cells": ">=1", "delta": D}),
    method("PerCellClopperPearson.fit", lambda: C.PerCellClopperPearson(4, 0.1), "fit", np.arange(40) % 4, LB),
    method("PerCellClopperPearson.fit_counts", lambda: C.PerCellClopperPearson(4, 0.1), "fit_counts",
           np.array([10, 10, 10, 10]), np.array([3, 4, 0, 10])),
    method("PerCellClopperPearson.predict_interval", lambda: C.PerCellClopperPearson(4, 0.1).fit(np.arange(40) % 4, LB),
           "predict_interval", np.array([0, 1, 3])),
    method("PerCellClopperPearson.predict_proba", lambda: C.PerCellClopperPearson(4, 0.1).fit(np.arange(40) % 4, LB),
           "predict_proba", np.array([0, 1, 3])),
    record("ReliabilityCurve", C.ReliabilityCurve, lambda: C.reliability_curve(PR, LB, 5)),
    fn("SplitConformal", C.SplitConformal, 0.1, domains={"delta": D}),
    method("SplitConformal.fit", lambda: C.SplitConformal(0.1), "fit", PR, LB),
    method("SplitConformal.predict_interval", fitted(C.SplitConformal, 0.1), "predict_interval", PR[:5]),
    method("SplitConformal.predict_proba", fitted(C.SplitConformal, 0.1), "predict_proba", PR[:5]),
    fn("TemperatureScaling", C.TemperatureScaling, max_inverse_temperature=100.0,
       domains={"max_inverse_temperature": ">0"}),
    # temperature_ = inf is the documented T of scores with no positive signal (theta = 0, constant 1/2)
    method("TemperatureScaling.fit", C.TemperatureScaling, "fit", SC, LB, inf_ok=True),
    method("TemperatureScaling.decision_function", lambda: C.TemperatureScaling().fit(SC, LB), "decision_function",
           SC[:5]),
    method("TemperatureScaling.predict_proba", lambda: C.TemperatureScaling().fit(SC, LB), "predict_proba", SC[:5]),
    fn("VennAbers", C.VennAbers),
    method("VennAbers.fit", C.VennAbers, "fit", SC, LB),
    method("VennAbers.predict_interval", lambda: C.VennAbers().fit(SC, LB), "predict_interval", SC[:5]),
    method("VennAbers.predict_proba", lambda: C.VennAbers().fit(SC, LB), "predict_proba", SC[:5], loss="log"),
    fn("WeightedConformal", C.WeightedConformal, 0.1, domains={"delta": D}),
    method("WeightedConformal.fit", lambda: C.WeightedConformal(0.1), "fit", PR, LB, np.ones(40)),
    method("WeightedConformal.threshold", lambda: C.WeightedConformal(0.1).fit(PR, LB, np.ones(40)), "threshold",
           np.ones(3)),
    method("WeightedConformal.predict_interval", lambda: C.WeightedConformal(0.1).fit(PR, LB, np.ones(40)),
           "predict_interval", PR[:3], np.ones(3)),
    method("WeightedConformal.predict_proba", lambda: C.WeightedConformal(0.1).fit(PR, LB, np.ones(40)),
           "predict_proba", PR[:3]),
    fn("auc", C.auc, SC, LB),
    fn("certified_reward", C.certified_reward, np.zeros(5), np.array([True, False, True, False, True]),
       ell_p=np.zeros(5), eps_p=np.full(5, 0.1), ell_pi=np.zeros(5), eps_pi=np.full(5, 0.1), alpha=1.0, beta=1.0,
       domains={"alpha": ">=0", "beta": ">=0"}),
    # clip = inf is the documented "no clipping" ablation; clipping infinite logits is what clip_logit is for
    fn("clip_logit", C.clip_logit, np.array([-3.0, 0.0, 3.0]), 2.0, domains={"clip": ">0"},
       allow={"clip": ("inf",), "z": LOGIT_INF}),
    fn("empirical_prior", C.empirical_prior, 30, 70, domains={"n_pos": ">=1", "n_neg": ">=1"}),
    fn("expected_calibration_error", C.expected_calibration_error, PR, LB, 5, domains={"n_bins": ">=1"}),
    fn("ideal_reward", C.ideal_reward, np.zeros(5), np.array([True, False, True, False, True]),
       ell_p=np.zeros(5), ell_pi=np.zeros(5), alpha=1.0, beta=1.0, clip=2.0,
       domains={"alpha": ">=0", "beta": ">=0", "clip": ">0"},
       allow={"ell_p": LOGIT_INF, "ell_pi": LOGIT_INF}),  # true log-ratios, clipped (claim csar.reward.ideal_clipped)
    fn("label_residuals", C.label_residuals, PR, LB),
    fn("log_ratio_offset", C.log_ratio_offset, 0.3, domains={"prior": D}),
    fn("log_reward", C.log_reward, np.array([0.5, 1.0, 2.0])),
    # clip = inf: the documented "no clipping" ablation (the certificate then records clip_level = inf)
    fn("logit_certificate", C.logit_certificate, P_LO, P_HI, clip=2.0, domains={"clip": ">0"},
       allow={"clip": ("inf",)}, inf_ok=True),
    fn("logit_interval", C.logit_interval, P_LO, P_HI, clip=2.0, domains={"clip": ">0"}, allow={"clip": ("inf",)}),
    fn("prior_shift_offset", C.prior_shift_offset, 0.3, 0.5, domains={"train_prior": D, "target_prior": D}),
    fn("reliability_curve", C.reliability_curve, PR, LB, 5, domains={"n_bins": ">=1"}),
    fn("reward_bound", C.reward_bound, 1.0, 1.0, 1.0, 2.0,
       domains={"max_abs_log_r": ">=0", "alpha": ">=0", "beta": ">=0", "clip": ">0"}),
    fn("safe_logit", C.safe_logit, PR[:5]),
    fn("seed_reward_bound", C.seed_reward_bound, 1.0, 1.0, 1.0, 2.0,
       domains={"max_abs_log_r": ">=0", "alpha": ">=0", "beta": ">=0", "clip": ">0"}),
    fn("venn_abers_brute_force", C.venn_abers_brute_force, SC[:12], LB[:12], SC[:3]),
]

# the calibrators' methods called before fit must say so (a ValueError mentioning fit)
UNFIT = {"CrossVennAbers": lambda: C.CrossVennAbers(Scorer, n_splits=3), "IsotonicCalibrator": C.IsotonicCalibrator,
         "PerCellClopperPearson": lambda: C.PerCellClopperPearson(4, 0.1), "SplitConformal": lambda: C.SplitConformal(0.1),
         "TemperatureScaling": C.TemperatureScaling, "VennAbers": C.VennAbers,
         "WeightedConformal": lambda: C.WeightedConformal(0.1)}
for _e in ENTRIES:
    _cls, _, _m = _e.name.partition(".")
    if _m and not _m.startswith("fit") and _cls in UNFIT:
        _e.unfitted = UNFIT[_cls]
