"""Bad input for every public name of ``lrtcheck.csar`` (Venn-Abers, rewritten elsewhere, apart): a ValueError
that names the parameter, never a silent cast (complex, NaN flags, fractional counts), a truncation or a guard
switched off by a NaN.  A new public name without cases fails ``test_every_public_name_has_cases``."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrtcheck.csar as C

nan, inf = math.nan, math.inf
U = np.array([0.2, 0.7, 0.4, 0.9])
Y = np.array([0.0, 1.0, 0.0, 1.0])
S = np.array([-1.0, 2.0, 0.5, 3.0])
EXEMPT = {"VennAbers", "CrossVennAbers", "venn_abers_brute_force"}  # lrtcheck/csar/venn_abers.py, another owner


def _cert():
    return C.logit_certificate([0.2, 0.3], [0.6, 0.9], clip=2.0)


def _pc(**kw):
    return C.PerCellClopperPearson(**{"n_cells": 3, "delta": 0.1, **kw})


def _reward(**kw):
    args = dict(log_r=np.zeros(3), is_env=[True, False, True], ell_p=0.1, eps_p=0.2, ell_pi=0.3, eps_pi=0.1,
                alpha=1.0, beta=0.5)
    args.update(kw)
    log_r, is_env = args.pop("log_r"), args.pop("is_env")
    return C.certified_reward(log_r, is_env, **args)


def _ideal(**kw):
    args = dict(log_r=np.zeros(3), is_env=[1, 0, 1], ell_p=0.1, ell_pi=-0.3, alpha=1.0, beta=0.5, clip=2.0)
    args.update(kw)
    log_r, is_env = args.pop("log_r"), args.pop("is_env")
    return C.ideal_reward(log_r, is_env, **args)


CASES = {
    "TemperatureScaling": [
        (lambda: C.TemperatureScaling(max_inverse_temperature=nan).fit(S, Y), "max_inverse_temperature"),
        (lambda: C.TemperatureScaling(max_inverse_temperature=inf).fit(S, Y), "max_inverse_temperature"),
        (lambda: C.TemperatureScaling(max_inverse_temperature=-1.0).fit(S, Y), "max_inverse_temperature"),
        (lambda: C.TemperatureScaling().fit(S + 1j, Y), "scores"),
        (lambda: C.TemperatureScaling().fit(S, [nan, 1, 0, 1]), "labels"),
        (lambda: C.TemperatureScaling().fit(S, Y[:3]), "length"),
        (lambda: C.TemperatureScaling().fit([], []), "empty"),
        (lambda: C.TemperatureScaling().predict_proba(S), "fit"),
    ],
    "IsotonicCalibrator": [
        (lambda: C.IsotonicCalibrator().fit(S.astype(complex), Y), "scores"),
        (lambda: C.IsotonicCalibrator().fit(["a", "b", "c", "d"], Y), "scores"),
        (lambda: C.IsotonicCalibrator().fit(S, [0, 1, 2, 1]), "labels"),
        (lambda: C.IsotonicCalibrator().fit(S, Y).predict_proba([nan]), "scores"),
        (lambda: C.IsotonicCalibrator().predict_proba(S), "fit"),
    ],
    "SplitConformal": [
        (lambda: C.SplitConformal(nan).fit(U, Y), "delta"),
        (lambda: C.SplitConformal(1.5).fit(U, Y), "delta"),
        (lambda: C.SplitConformal(True).fit(U, Y), "delta"),
        (lambda: C.SplitConformal(0.5, allow_infinite=2).fit(U, Y), "allow_infinite"),
        (lambda: C.SplitConformal(0.5, allow_infinite=nan).fit(U, Y), "allow_infinite"),
        (lambda: C.SplitConformal(0.5).fit(U + 1j, Y), "probs"),
        (lambda: C.SplitConformal(0.5).fit([1.5, 0, 0, 0], Y), "probs"),
        (lambda: C.SplitConformal(0.01).fit(U, Y), "delta"),
        (lambda: C.SplitConformal(0.5).predict_interval(U), "fit"),
    ],
    "WeightedConformal": [
        (lambda: C.WeightedConformal(nan).fit(U, Y), "delta"),
        (lambda: C.WeightedConformal(0.5).fit(U, Y, [1, -1, 1, 1]), "weights"),
        (lambda: C.WeightedConformal(0.5).fit(U, Y, [1, 1j, 1, 1]), "weights"),
        (lambda: C.WeightedConformal(0.5).fit(U, Y, [1, 1, 1]), "weights"),
        (lambda: C.WeightedConformal(0.5).fit(U, Y, [0, 0, 0, 0]), "weights"),
        (lambda: C.WeightedConformal(0.5).fit(U, Y).predict_interval(U, [nan] * 4), "weights"),
        (lambda: C.WeightedConformal(0.5).threshold([1.0]), "fit"),
    ],
    "PerCellClopperPearson": [
        (lambda: _pc(n_cells=1.9).fit([0, 1], [0, 1]), "n_cells"),
        (lambda: _pc(n_cells=True).fit([0, 1], [0, 1]), "n_cells"),
        (lambda: _pc(delta=nan).fit([0, 1], [0, 1]), "delta"),
        (lambda: _pc(union_bound=2).fit([0, 1], [0, 1]), "union_bound"),
        (lambda: _pc(union_bound=nan).fit_counts([1, 1, 1], [0, 1, 0]), "union_bound"),
        (lambda: _pc().fit([0.5, 1], [0, 1]), "cells"),
        (lambda: _pc().fit([True, False], [0, 1]), "cells"),
        (lambda: _pc().fit([0, 3], [0, 1]), "cells"),
        (lambda: _pc().fit_counts([1.9, 2, 2], [1, 1, 1]), "counts"),
        (lambda: _pc().fit_counts(np.array([True, True, True]), [1, 1, 1]), "counts"),
        (lambda: _pc().fit_counts([2, 2, 2], [1, nan, 1]), "successes"),
        (lambda: _pc().fit_counts([2, 2, 2], [3, 1, 1]), "successes"),
        (lambda: _pc().fit_counts([0, 0, 0], [0, 0, 0]), "empty"),
        (lambda: _pc().predict_interval([0]), "fit"),
    ],
    "LogitCertificate": [
        (lambda: _cert().covers([0.1 + 1j, 0.0]), "z_true"),
        (lambda: _cert().interval_covers(["x", "y"]), "z_true"),
    ],
    "logit_certificate": [
        (lambda: C.logit_certificate([nan], [0.5], clip=1.0), "p_low"),
        (lambda: C.logit_certificate([0.2], [0.5 + 1j], clip=1.0), "p_high"),
        (lambda: C.logit_certificate([0.6], [0.5], clip=1.0), "p_low"),
        (lambda: C.logit_certificate([0.2], [0.5], clip=nan), "clip"),
        (lambda: C.logit_certificate([0.2], [0.5], clip=-1.0), "clip"),
        (lambda: C.logit_certificate([0.2], [0.5], clip=1.0, offset=nan), "offset"),
        (lambda: C.logit_certificate([0.2], [0.5], clip=1.0, offset=1j), "offset"),
        (lambda: C.logit_certificate([0.2], [0.5], clip=1.0, radius="bogus"), "radius"),
        (lambda: C.logit_certificate([0.2, 0.3], [0.5], clip=1.0), "shape"),
    ],
    "logit_interval": [
        (lambda: C.logit_interval([0.2], [1.5], clip=1.0), "p_high"),
        (lambda: C.logit_interval([0.2], [0.5], clip=True), "clip"),
    ],
    "clip_logit": [
        (lambda: C.clip_logit([nan], 1.0), "z"),
        (lambda: C.clip_logit([1 + 1j], 1.0), "z"),
        (lambda: C.clip_logit([1.0], 0.0), "clip"),
    ],
    "safe_logit": [
        (lambda: C.safe_logit([0.5 + 0.1j]), "p"),
        (lambda: C.safe_logit([1.5]), "p"),
    ],
    "ReliabilityCurve": [
        (lambda: C.reliability_curve(U, Y, n_bins=1.9), "n_bins"),
    ],
    "reliability_curve": [
        (lambda: C.reliability_curve(U, Y, n_bins=True), "n_bins"),
        (lambda: C.reliability_curve(U, Y, n_bins=0), "n_bins"),
        (lambda: C.reliability_curve([1.5, 0, 0, 0], Y), "probs"),
        (lambda: C.reliability_curve(U, [0, 1, 2, 0]), "labels"),
    ],
    "expected_calibration_error": [
        (lambda: C.expected_calibration_error([nan, 0, 0, 0], Y), "probs"),
        (lambda: C.expected_calibration_error(U, Y, n_bins=-2), "n_bins"),
    ],
    "auc": [
        (lambda: C.auc(S, [1, 1, 1, 1]), "labels"),
        (lambda: C.auc(S + 1j, Y), "scores"),
        (lambda: C.auc(S, Y[:2]), "length"),
    ],
    "empirical_prior": [
        (lambda: C.empirical_prior(1.9, 3), "n_pos"),
        (lambda: C.empirical_prior(True, 3), "n_pos"),
        (lambda: C.empirical_prior(nan, 3), "n_pos"),
        (lambda: C.empirical_prior(3, 0), "n_neg"),
    ],
    "log_ratio_offset": [
        (lambda: C.log_ratio_offset(nan), "prior"),
        (lambda: C.log_ratio_offset(1.0), "prior"),
    ],
    "prior_shift_offset": [
        (lambda: C.prior_shift_offset(nan, 0.5), "train_prior"),
        (lambda: C.prior_shift_offset(0.5, 0.0), "target_prior"),
    ],
    "certified_reward": [
        (lambda: _reward(is_env=[nan, 2, -1]), "is_env"),
        (lambda: _reward(is_env=[0.5, 1, 0]), "is_env"),
        (lambda: _reward(is_env=[True, False]), "is_env"),
        (lambda: _reward(alpha=nan), "alpha"),
        (lambda: _reward(beta=-1.0), "beta"),
        (lambda: _reward(eps_p=-0.1), "eps"),
        (lambda: _reward(eps_pi=nan), "eps_pi"),
        (lambda: _reward(log_r=np.zeros(3) + 1j), "log_r"),
        (lambda: _reward(ell_p=np.zeros(2)), "ell_p"),
        (lambda: _reward(variant="bogus"), "variant"),
    ],
    "ideal_reward": [
        (lambda: _ideal(is_env=[nan, 2, -1]), "is_env"),
        (lambda: _ideal(clip=nan), "clip"),
        (lambda: _ideal(ell_pi=nan), "ell_pi"),
        (lambda: _ideal(ell_p=1j), "ell_p"),
    ],
    "log_reward": [
        (lambda: C.log_reward([0.0, 1.0]), "r"),
        (lambda: C.log_reward([1.0 + 1j]), "r"),
        (lambda: C.log_reward([nan]), "r"),
    ],
    "reward_bound": [
        (lambda: C.reward_bound(nan, 1.0, 1.0, 1.0), "max_abs_log_r"),
        (lambda: C.reward_bound(0.5, 1.0, 1.0, 0.0), "clip"),
        (lambda: C.reward_bound(0.5, 1.0, 1.0, 1.0, variant="bogus"), "variant"),
    ],
    "seed_reward_bound": [
        (lambda: C.seed_reward_bound(0.5, 1.0, -1.0, 1.0), "beta"),
        (lambda: C.seed_reward_bound(0.5, True, 1.0, 1.0), "alpha"),
    ],
    "label_residuals": [
        (lambda: C.label_residuals(U + 1j, Y), "probs"),
        (lambda: C.label_residuals(U, Y[:3]), "shape"),
        (lambda: C.label_residuals(U, [0, 1, 0.5, 1]), "labels"),
    ],
}


def test_every_public_name_has_cases():
    assert set(C.__all__) - EXEMPT == set(CASES)


@pytest.mark.parametrize("name, i", [(k, i) for k, v in CASES.items() for i in range(len(v))])
def test_bad_input_is_refused_by_name(name, i):
    call, param = CASES[name][i]
    with pytest.raises(ValueError, match=param):
        call()


_SCALAR_BAD = st.sampled_from([nan, inf, -inf, 1j, True, "0.5", None, -1.0, 0.0])


@pytest.mark.parametrize("name, call", [
    ("clip", lambda v: C.logit_certificate([0.2], [0.5], clip=v)),
    ("max_inverse_temperature", lambda v: C.TemperatureScaling(max_inverse_temperature=v).fit(S, Y)),
    ("delta", lambda v: C.SplitConformal(v).fit(U, Y)),
    ("prior", lambda v: C.log_ratio_offset(v)),
    ("clip", lambda v: C.reward_bound(0.5, 1.0, 1.0, v)),
])
@given(v=_SCALAR_BAD)
def test_scalar_parameters_refuse_every_malformed_value(name, call, v):
    if v == inf and "logit_certificate" in call.__code__.co_names:
        return  # clip = +inf is the documented "no clipping" ablation of logit_certificate
    with pytest.raises(ValueError, match=name):
        call(v)


@given(st.lists(st.sampled_from([nan, 2.0, -1.0, 0.5, 1j]), min_size=1, max_size=3))
def test_flags_are_never_cast(bad):
    with pytest.raises(ValueError, match="is_env"):
        _reward(log_r=np.zeros(len(bad)), is_env=bad, ell_p=0.0, eps_p=0.0, ell_pi=0.0, eps_pi=0.0)


def test_valid_calls_still_work():
    assert np.all(np.isfinite(_reward())) and np.all(np.isfinite(_ideal()))
    assert C.empirical_prior(np.int64(3), 1) == 0.75
    assert C.PerCellClopperPearson(3, 0.1).fit_counts(np.array([2.0, 1.0, 0.0]), [1, 0, 0]).level_ == 0.05
    assert _cert().covers([0.0, 1.0]).dtype == bool


# ---- regression cases of the malformed-input suite (issue 17): each was a silent answer or a wrong error before
class _FirstFeature:
    def fit(self, X, y):
        return self

    def score(self, X):
        return np.asarray(X, dtype=float)[:, 0]


_X = np.column_stack([np.linspace(-2, 2, 12), np.linspace(-2, 2, 12) ** 2])
_LB = np.array([0, 1] * 6)


def _cva():
    return C.CrossVennAbers(_FirstFeature, n_splits=3).fit(_X, _LB)


REGRESSIONS = [
    (lambda: C.CrossVennAbers(_FirstFeature, n_splits=3).predict_interval(_X), "fit"),  # was AttributeError
    (lambda: C.CrossVennAbers(_FirstFeature, n_splits=1.5), "n_splits"),  # was accepted until fit
    (lambda: C.CrossVennAbers(_FirstFeature, seed=1.9), "seed"),  # 1.9 would have seeded like 1
    (lambda: C.CrossVennAbers(_FirstFeature, seed=True), "seed"),
    (lambda: C.CrossVennAbers(None), "make_scorer"),
    (lambda: C.CrossVennAbers(_FirstFeature, n_splits=3).fit(_X + 1j, _LB), "X"),  # imaginary part was dropped
    (lambda: _cva().predict_proba(_X.ravel()), "X"),  # was IndexError
    (lambda: C.VennAbers().fit([[1.0], [2.0, 3.0]], [0, 1]), "scores"),  # ragged: numpy's error named nothing
    (lambda: C.IsotonicCalibrator().fit([], []), "scores"),
    (lambda: C.PerCellClopperPearson(4, nan), "delta"),  # was stored, NaN in the object
    (lambda: C.TemperatureScaling(max_inverse_temperature=nan), "max_inverse_temperature"),
    (lambda: C.SplitConformal(0.1).predict_proba(U), "fit"),  # was answered before fit
    (lambda: C.WeightedConformal(0.1).fit(U, Y).predict_interval([], [1.0]), "probs"),
    (lambda: C.LogitCertificate(*(np.zeros(2),) * 2, np.array([nan, 0.0]), *(np.zeros(2),) * 2,
                                np.zeros(2, bool), 2.0), "ell_hat"),  # a NaN certificate was accepted
    (lambda: _cert().covers([nan, 0.0]), "z_true"),  # NaN read as "not covered"
    (lambda: _cert().interval_covers([0.0, 0.0, 0.0]), "z_true"),  # broadcasting error named nothing
    (lambda: C.logit_certificate([0.2], [0.5], clip=1.0, offset=True), "offset"),
    (lambda: _reward(eps_p=inf), "eps_p"),  # an infinite radius gave a -inf reward
    (lambda: C.reliability_curve(U, Y, n_bins=10**30), "n_bins"),  # was OverflowError
    (lambda: C.ReliabilityCurve(np.array([0.5]), np.array([0.5]), np.array([1.5])), "count"),
    (lambda: C.venn_abers_brute_force(S, Y[:3], S[:1]), "labels"),  # was IndexError
]


@pytest.mark.parametrize("i", range(len(REGRESSIONS)))
def test_malformed_suite_regressions(i):
    call, param = REGRESSIONS[i]
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        call()


def test_documented_infinities_still_answer():
    assert np.all(np.isfinite(_ideal(ell_p=inf, ell_pi=-inf)))  # true log-ratios are clipped
    assert C.clip_logit([inf, -inf], 2.0).tolist() == [2.0, -2.0]
    assert C.logit_certificate([0.0], [1.0], clip=inf).radius[0] == inf
    assert bool(_cert().covers([inf, -inf]).dtype == bool)
