"""Bad input for every public name of ``lrtcheck.lrt`` and ``lrtcheck.diffusion`` (constructors and main methods):
a ``ValueError`` that names the parameter.  The tables are walked from each package's ``__all__``: a new public name
without cases fails :func:`test_every_public_name_has_cases`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrtcheck.diffusion as D
import lrtcheck.lrt as L

NAN, INF = math.nan, math.inf
CONSTANTS = {"METHODS", "GATES", "STATISTICS", "VARIANCES"}  # tuples of names, nothing to call


def _sch():
    return D.Schedule.vp(3)


def _heads():
    return D.GaussianMixtureHead([[0.0, 0.0]], 0.5), D.GaussianMixtureHead([[0.5, -0.3]], 0.5)


def _cond():
    return D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)), np.array([[0.0, 0.0], [1.0, 1.0]]), 0.5)


def _sampler(**kw):
    bg, gd = _heads()
    return L.LRTSampler(bg, gd, _sch(), **kw)


def _two():
    bg, gd = _heads()
    return D.ExactTwoHead(bg, gd, _sch())


def _toy():
    return L.ContextualToy(seed=0)


def _fitted_ood():
    rng = np.random.default_rng(0)
    return L.StateConditionalOOD(k=3).fit(rng.standard_normal((20, 2)), rng.standard_normal((20, 2)))


def _sample_kw(**kw):
    base = dict(actions=np.zeros((2, 2)), final=np.zeros(2), running_max=np.zeros(2), statistic=np.zeros(2),
                activated=np.array([False, True]), config_hash="abc")
    base.update(kw)
    return base


def _cal_kw(**kw):
    base = dict(tau=1.0, alpha=0.1, n=10, k=9, method="conformal", config_hash=None)
    base.update(kw)
    return base


def _pareto_kw(**kw):
    base = dict(method="LRT", alpha=0.1, tau=1.0, mean_return=-1.0, ood_rate=0.05, activation_rate=0.1, n=10)
    base.update(kw)
    return base


def _dataset_kw(**kw):
    base = dict(states=np.zeros((3, 2)), actions=np.zeros((3, 2)), components=np.array([0, 1, 2]),
                advantages=np.zeros(3), good=np.array([True, False, False]))
    base.update(kw)
    return base


RNG = np.random.default_rng(0)
X2 = np.zeros((3, 2))

# name -> list of (parameter named in the message, call)
CASES: dict[str, list] = {
    "Calibration": [
        ("tau", lambda: L.Calibration(**_cal_kw(tau=NAN))),
        ("tau", lambda: L.Calibration(**_cal_kw(tau=1 + 2j))),
        ("alpha", lambda: L.Calibration(**_cal_kw(alpha=1.5))),
        ("alpha", lambda: L.Calibration(**_cal_kw(alpha=NAN))),
        ("n", lambda: L.Calibration(**_cal_kw(n=-1))),
        ("n", lambda: L.Calibration(**_cal_kw(n=10.5))),
        ("k", lambda: L.Calibration(**_cal_kw(k=0))),
        ("k", lambda: L.Calibration(**_cal_kw(k=11))),
        ("method", lambda: L.Calibration(**_cal_kw(method="bogus"))),
        ("config_hash", lambda: L.Calibration(**_cal_kw(config_hash=3))),
        ("delta", lambda: L.Calibration(**_cal_kw(delta=0.0))),
        ("epsilon", lambda: L.Calibration(**_cal_kw(epsilon=-1.0))),
        ("statistic", lambda: L.Calibration(**_cal_kw(statistic="bogus"))),
        ("null_cdf", lambda: L.Calibration(**_cal_kw()).realized_level(None)),
        ("null_cdf", lambda: L.Calibration(**_cal_kw()).realized_level(lambda x: NAN)),
        ("sampler_or_hash", lambda: L.Calibration(**_cal_kw(config_hash="x")).check_config(3)),
    ],
    "calibrate_threshold": [
        ("null_statistics", lambda: L.calibrate_threshold([1.0, NAN], 0.1)),
        ("null_statistics", lambda: L.calibrate_threshold([1.0 + 1j, 2.0], 0.1)),
        ("null_statistics", lambda: L.calibrate_threshold([], 0.1)),
        ("null_statistics", lambda: L.calibrate_threshold(np.zeros((2, 2)), 0.1)),
        ("null_statistics", lambda: L.calibrate_threshold(["a", "b"], 0.1)),
        ("alpha", lambda: L.calibrate_threshold([1.0, 2.0], 0.0)),
        ("alpha", lambda: L.calibrate_threshold([1.0, 2.0], INF)),
        ("delta", lambda: L.calibrate_threshold([1.0, 2.0], 0.1, delta=1.0)),
        ("method", lambda: L.calibrate_threshold([1.0, 2.0], 0.1, method="bogus")),
        ("config_hash", lambda: L.calibrate_threshold([1.0, 2.0], 0.1, config_hash=5)),
    ],
    "ville_threshold": [
        ("alpha", lambda: L.ville_threshold(NAN)),
        ("alpha", lambda: L.ville_threshold(1.0)),
        ("statistic", lambda: L.ville_threshold(0.1, statistic="bogus")),
        ("config_hash", lambda: L.ville_threshold(0.1, config_hash=1.5)),
    ],
    "LRTSampler": [
        ("schedule", lambda: L.LRTSampler(*_heads(), None)),
        ("variance", lambda: _sampler(variance="bogus")),
        ("gate", lambda: _sampler(gate=None)),
        ("statistic", lambda: _sampler(statistic="max")),
        ("beta_max", lambda: _sampler(beta_max=NAN)),
        ("beta_max", lambda: _sampler(beta_max=1.5)),
        ("kappa", lambda: _sampler(kappa=0.0)),
        ("kappa", lambda: _sampler(kappa=1j)),
        ("tau", lambda: _sampler(tau=NAN)),
        ("tau", lambda: _sampler(tau=True)),
        ("tau", lambda: _sampler(tau=1 + 1j)),
        ("batch_size", lambda: _sampler(batch_size=2.5)),
        ("batch_size", lambda: _sampler(batch_size=0)),
        ("action_dim", lambda: L.LRTSampler(lambda s, a, t: a, lambda s, a, t: a, _sch(), action_dim=-1)),
        ("action_dim", lambda: L.LRTSampler(lambda s, a, t: a, lambda s, a, t: a, _sch())),
        ("dtype", lambda: _sampler(dtype=torch.complex64)),
        ("dtype", lambda: _sampler(dtype=torch.int64)),
        ("device", lambda: _sampler(device=3)),
        ("device", lambda: _sampler(device="nodevice")),
        ("q_step", lambda: _sampler(q_step="yes")),
        ("seed", lambda: _sampler().sample(n=3, seed=1.9)),
        ("seed", lambda: _sampler().sample(n=3, seed=True)),
        ("seed", lambda: _sampler().sample(n=3, seed=-1)),
        ("seed", lambda: _sampler().sample(n=3, seed=NAN)),
        ("n", lambda: _sampler().sample(n=0, seed=1)),
        ("n", lambda: _sampler().sample(n=2.0, seed=1)),
        ("n", lambda: _sampler().sample(seed=1)),
        ("sample_ids", lambda: _sampler().sample(n=2, seed=1, sample_ids=[0.2, 0.9])),
        ("sample_ids", lambda: _sampler().sample(n=2, seed=1, sample_ids=[True, False])),
        ("sample_ids", lambda: _sampler().sample(n=2, seed=1, sample_ids=[0, -1])),
        ("sample_ids", lambda: _sampler().sample(n=2, seed=1, sample_ids=[0, 1, 2])),
        ("return_trace", lambda: _sampler().sample(n=2, seed=1, return_trace=NAN)),
        ("return_trace", lambda: _sampler().sample(n=2, seed=1, return_trace=2)),
        ("null", lambda: _sampler().sample(n=2, seed=1, null=-1)),
        ("states", lambda: L.LRTSampler(_cond(), _cond(), _sch()).sample(seed=1, n=2)),
        ("states", lambda: L.LRTSampler(_cond(), _cond(), _sch()).sample(np.full((2, 1), NAN), seed=1)),
        ("states", lambda: L.LRTSampler(_cond(), _cond(), _sch()).sample(np.zeros((2, 1)) + 1j, seed=1)),
        ("states", lambda: L.LRTSampler(_cond(), _cond(), _sch()).sample(np.zeros((2, 3)), seed=1)),
        ("states", lambda: L.LRTSampler(_cond(), _cond(), _sch()).sample(np.zeros((0, 1)), seed=1)),
        ("n", lambda: _sampler().null_statistics(-3, seed=0)),
        ("seed", lambda: _sampler().null_statistics(3, seed=1.9)),
        ("sample_ids", lambda: _sampler().null_statistics(2, seed=1, sample_ids=[0.2, 0.9])),
    ],
    "LRTSample": [
        ("actions", lambda: L.LRTSample(**_sample_kw(actions=np.full((2, 2), NAN)))),
        ("actions", lambda: L.LRTSample(**_sample_kw(actions=np.zeros(2)))),
        ("final", lambda: L.LRTSample(**_sample_kw(final=np.zeros(3)))),
        ("statistic", lambda: L.LRTSample(**_sample_kw(statistic=np.zeros(2) + 1j))),
        ("activated", lambda: L.LRTSample(**_sample_kw(activated=np.array([NAN, 2.0])))),
        ("config_hash", lambda: L.LRTSample(**_sample_kw(config_hash=None))),
        ("ell", lambda: L.LRTSample(**_sample_kw(ell=np.zeros((3, 5))))),
    ],
    "QStep": [
        ("eta", lambda: L.QStep(lambda s, a: a.sum(1), eta=NAN)),
        ("eta", lambda: L.QStep(lambda s, a: a.sum(1), eta=-1.0)),
        ("clip", lambda: L.QStep(lambda s, a: a.sum(1), eta=1.0, clip=0.0)),
        ("anchor", lambda: L.QStep(lambda s, a: a.sum(1), eta=1.0, anchor=1.5)),
        ("critic", lambda: L.QStep(None, eta=1.0)),
        ("critic", lambda: L.QStep(3.0, eta=1.0)),
    ],
    "SeparateHeads": [
        ("background", lambda: L.SeparateHeads(None, lambda s, a, t: a)),
        ("good", lambda: L.SeparateHeads(lambda s, a, t: a, 1.0)),
    ],
    "ParetoRow": [
        ("method", lambda: L.ParetoRow(**_pareto_kw(method=""))),
        ("alpha", lambda: L.ParetoRow(**_pareto_kw(alpha=NAN))),
        ("tau", lambda: L.ParetoRow(**_pareto_kw(tau=NAN))),
        ("mean_return", lambda: L.ParetoRow(**_pareto_kw(mean_return=INF))),
        ("ood_rate", lambda: L.ParetoRow(**_pareto_kw(ood_rate=1.5))),
        ("activation_rate", lambda: L.ParetoRow(**_pareto_kw(activation_rate=-0.1))),
        ("n", lambda: L.ParetoRow(**_pareto_kw(n=1.5))),
    ],
    "return_ood_pareto": [
        ("toy", lambda: L.return_ood_pareto(None, _sampler())),
        ("sampler", lambda: L.return_ood_pareto(_toy(), None)),
        ("alphas", lambda: L.return_ood_pareto(_toy(), _sampler(), alphas=())),
        ("alphas", lambda: L.return_ood_pareto(_toy(), _sampler(), alphas=(0.1, 1.2))),
        ("alphas", lambda: L.return_ood_pareto(_toy(), _sampler(), alphas=0.1)),
        ("eta", lambda: L.return_ood_pareto(_toy(), _sampler(), eta=NAN)),
        ("clip", lambda: L.return_ood_pareto(_toy(), _sampler(), clip=-1.0)),
        ("anchor", lambda: L.return_ood_pareto(_toy(), _sampler(), anchor=2.0)),
        ("n_data", lambda: L.return_ood_pareto(_toy(), _sampler(), n_data=0)),
        ("n_cal", lambda: L.return_ood_pareto(_toy(), _sampler(), n_cal=1.5)),
        ("n_eval", lambda: L.return_ood_pareto(_toy(), _sampler(), n_eval=True)),
        ("seed", lambda: L.return_ood_pareto(_toy(), _sampler(), seed=1.9)),
        ("ood", lambda: L.return_ood_pareto(_toy(), _sampler(), ood="knn")),
    ],
    "StateConditionalOOD": [
        ("k", lambda: L.StateConditionalOOD(k=0)),
        ("k", lambda: L.StateConditionalOOD(k=2.5)),
        ("q", lambda: L.StateConditionalOOD(q=NAN)),
        ("q", lambda: L.StateConditionalOOD(q=100.0)),
        ("chunk", lambda: L.StateConditionalOOD(chunk=-4)),
        ("device", lambda: L.StateConditionalOOD(device=None)),
        ("states", lambda: L.StateConditionalOOD(k=3).fit(np.full((20, 2), NAN), np.zeros((20, 2)))),
        ("actions", lambda: L.StateConditionalOOD(k=3).fit(np.zeros((20, 2)), np.zeros((20, 2)) + 1j)),
        ("states", lambda: L.StateConditionalOOD(k=3).fit(np.zeros(20), np.zeros((20, 2)))),
        ("k=3", lambda: L.StateConditionalOOD(k=3).fit(np.zeros((3, 2)), np.zeros((3, 2)))),
        ("states", lambda: _fitted_ood().rate(np.zeros((4, 3)), np.zeros((4, 2)))),
        ("states", lambda: _fitted_ood().rate(np.zeros((0, 2)), np.zeros((0, 2)))),
        ("actions", lambda: _fitted_ood().distance(np.zeros((4, 2)), np.full((4, 2), INF))),
        ("fit", lambda: L.StateConditionalOOD().rate(X2, X2)),
    ],
    "ContextualToy": [
        ("spread", lambda: L.ContextualToy(spread=0)),
        ("spread", lambda: L.ContextualToy(spread=NAN)),
        ("std", lambda: L.ContextualToy(std=-1.0)),
        ("slope_scale", lambda: L.ContextualToy(slope_scale=INF)),
        ("target_shift", lambda: L.ContextualToy(target_shift=NAN)),
        ("seed", lambda: L.ContextualToy(seed=1.9)),
        ("seed", lambda: L.ContextualToy(seed=True)),
        ("p_good", lambda: L.ContextualToy(p_good=1.0)),
        ("state_dim", lambda: L.ContextualToy(state_dim=0)),
        ("action_dim", lambda: L.ContextualToy(action_dim=2.0)),
        ("n", lambda: _toy().sample_states(-1, RNG)),
        ("rng", lambda: _toy().sample_states(3, 0)),
        ("states", lambda: _toy().value(np.zeros((3, 5)))),
        ("states", lambda: _toy().value(np.zeros((3, 2)) + 1j)),
        ("actions", lambda: _toy().advantage(X2, np.zeros((3, 3)))),
        ("actions", lambda: _toy().expected_return(X2, np.full((3, 2), NAN))),
        ("n", lambda: _toy().dataset(0, RNG)),
    ],
    "ToyCritic": [
        ("target_slope", lambda: L.ToyCritic(np.full((2, 2), NAN), np.zeros(2))),
        ("target_intercept", lambda: L.ToyCritic(np.eye(2), np.zeros(2) + 1j)),
        ("target_slope", lambda: L.ToyCritic(np.eye(2), np.zeros(3))),
        ("states", lambda: L.ToyCritic(np.eye(2), np.zeros(2)).q(np.zeros((3, 1)), X2)),
        ("actions", lambda: L.ToyCritic(np.eye(2), np.zeros(2)).q(X2, np.zeros((4, 2)))),
    ],
    "ToyDataset": [
        ("states", lambda: L.ToyDataset(**_dataset_kw(states=np.zeros((3, 2)) + 1j))),
        ("actions", lambda: L.ToyDataset(**_dataset_kw(actions=np.zeros((2, 2))))),
        ("components", lambda: L.ToyDataset(**_dataset_kw(components=np.array([0.5, 1.0, 2.0])))),
        ("advantages", lambda: L.ToyDataset(**_dataset_kw(advantages=np.array([0.0, NAN, 1.0])))),
        ("good", lambda: L.ToyDataset(**_dataset_kw(good=np.array([NAN, 2.0, -1.0])))),
    ],
    "label_top_fraction": [
        ("advantages", lambda: L.label_top_fraction([1.0, NAN])),
        ("advantages", lambda: L.label_top_fraction([1.0 + 1j, 2.0])),
        ("advantages", lambda: L.label_top_fraction([])),
        ("advantages", lambda: L.label_top_fraction(np.zeros((2, 2)))),
        ("p", lambda: L.label_top_fraction([1.0, 2.0], p=0.0)),
        ("p", lambda: L.label_top_fraction([1.0, 2.0], p=NAN)),
    ],
    # --- lrtcheck.diffusion -----------------------------------------------------------------------------------------
    "Schedule": [
        ("betas", lambda: D.Schedule(np.array([0.1, NAN]))),
        ("betas", lambda: D.Schedule(np.array([0.1, 0.2]) + 1j)),
        ("betas", lambda: D.Schedule(np.array([]))),
        ("betas", lambda: D.Schedule(np.array([0.1, 1.0]))),
        ("betas", lambda: D.Schedule(np.zeros((2, 2)) + 0.1)),
        ("name", lambda: D.Schedule(np.array([0.1]), name=3)),
        ("T", lambda: D.Schedule.linear(0)),
        ("T", lambda: D.Schedule.linear(10.5)),
        ("beta_start", lambda: D.Schedule.linear(10, beta_start=NAN)),
        ("beta_end", lambda: D.Schedule.linear(10, beta_end=1.5)),
        ("T", lambda: D.Schedule.cosine(True)),
        ("s", lambda: D.Schedule.cosine(10, s=-0.1)),
        ("max_beta", lambda: D.Schedule.cosine(10, max_beta=1.0)),
        ("T", lambda: D.Schedule.vp(-5)),
        ("b_min", lambda: D.Schedule.vp(5, b_min=NAN)),
        ("b_max", lambda: D.Schedule.vp(5, b_max=INF)),
        ("b_max", lambda: D.Schedule.vp(5, b_min=2.0, b_max=1.0)),
        ("kind", lambda: D.Schedule.vp(5).variance("bogus")),
    ],
    "GaussianMixtureHead": [
        ("means", lambda: D.GaussianMixtureHead([[0.0, NAN]], 1.0)),
        ("means", lambda: D.GaussianMixtureHead([[0.0, 1j]], 1.0)),
        ("means", lambda: D.GaussianMixtureHead(np.zeros((0, 2)), 1.0)),
        ("stds", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 0.0)),
        ("stds", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 1j)),
        ("stds", lambda: D.GaussianMixtureHead([[0.0, 0.0]], [1.0, 1.0])),
        ("weights", lambda: D.GaussianMixtureHead([[0.0], [1.0]], 1.0, [0.5, 0.6])),
        ("weights", lambda: D.GaussianMixtureHead([[0.0], [1.0]], 1.0, [0.5 + 1j, 0.5])),
        ("weights", lambda: D.GaussianMixtureHead([[0.0], [1.0]], 1.0, [NAN, 0.5])),
        ("x", lambda: _heads()[0].epsilon(np.zeros((2, 3)), 0.5)),
        ("x", lambda: _heads()[0].score(np.zeros((2, 2)) + 1j, 0.5)),
        ("alpha_bar", lambda: _heads()[0].epsilon(np.zeros((2, 2)), 0.0)),
        ("alpha_bar", lambda: _heads()[0].responsibilities(np.zeros((2, 2)), NAN)),
        ("alpha_bar", lambda: _heads()[0].posterior_mean(np.zeros((2, 2)), [0.5, 0.5, 0.5])),
        ("alpha_bar", lambda: _heads()[0].log_prob(np.zeros((2, 2)), 1.5)),
        ("n", lambda: _heads()[0].sample(2.5, RNG)),
        ("n", lambda: _heads()[0].sample(-1, RNG)),
        ("rng", lambda: _heads()[0].sample(3, 0)),
        ("components", lambda: _heads()[0].subset([0.5])),
        ("components", lambda: _heads()[0].subset([1])),
        ("components", lambda: _heads()[0].subset([])),
        ("alpha_bar", lambda: _heads()[0].component_variances(-0.5)),
    ],
    "ConditionalGaussianMixtureHead": [
        ("slopes", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2)), np.zeros((2, 2)), 0.5)),
        ("slopes", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)) + 1j, np.zeros((2, 2)), 0.5)),
        ("intercepts", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)), np.zeros((3, 2)), 0.5)),
        ("intercepts", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)), np.full((2, 2), INF), 0.5)),
        ("stds", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)), np.zeros((2, 2)), NAN)),
        ("weights", lambda: D.ConditionalGaussianMixtureHead(np.zeros((2, 2, 1)), np.zeros((2, 2)), 0.5, [1.0, 1.0])),
        ("states", lambda: _cond().means_at(np.zeros((3, 2)))),
        ("states", lambda: _cond().epsilon(np.full((3, 1), NAN), np.zeros((3, 2)), 0.5)),
        ("x", lambda: _cond().epsilon(np.zeros((3, 1)), np.zeros((2, 2)), 0.5)),
        ("alpha_bar", lambda: _cond().score(np.zeros((3, 1)), np.zeros((3, 2)), 2.0)),
        ("state", lambda: _cond().at_state(np.zeros(4))),
        ("state", lambda: _cond().at_state([1j])),
        ("rng", lambda: _cond().sample(np.zeros((3, 1)), "seed")),
        ("components", lambda: _cond().subset([0.0])),
        ("components", lambda: _cond().subset([2])),
    ],
    "ExactTwoHead": [
        ("background", lambda: D.ExactTwoHead(None, _heads()[1], _sch())),
        ("good", lambda: D.ExactTwoHead(_heads()[0], "x", _sch())),
        ("schedule", lambda: D.ExactTwoHead(*_heads(), None)),
        ("dimension", lambda: D.ExactTwoHead(_heads()[0], D.GaussianMixtureHead([[0.0]], 1.0), _sch())),
        ("t", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.float64), 0)),
        ("t", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.float64), -1)),
        ("t", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.float64), 4)),
        ("t", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.float64), 1.5)),
        ("t", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.float64), True)),
        ("actions", lambda: _two()(None, torch.zeros(2, 3, dtype=torch.float64), 1)),
        ("actions", lambda: _two()(None, torch.zeros(2, 2, dtype=torch.complex128), 1)),
        ("actions", lambda: _two()(None, np.zeros((2, 2)), 1)),
        ("states", lambda: D.ExactTwoHead(_cond(), _cond(), _sch())(None, torch.zeros(2, 2, dtype=torch.float64),
                                                                      1)),
    ],
    "counter_normal": [
        ("step", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), -1, 2)),
        ("step", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), 1.5, 2)),
        ("step", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), 1 << 39, 2)),
        ("dim", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), 1, 0)),
        ("dim", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), 1, 2.0)),
        ("keys", lambda: D.counter_normal([1, 2], 1, 2)),
        ("keys", lambda: D.counter_normal(torch.zeros(2), 1, 2)),
        ("dtype", lambda: D.counter_normal(D.sample_keys(0, [0, 1]), 1, 2, dtype=torch.int32)),
    ],
    "sample_keys": [
        ("seed", lambda: D.sample_keys(1.9, [0, 1])),
        ("seed", lambda: D.sample_keys(True, [0, 1])),
        ("seed", lambda: D.sample_keys(-1, [0, 1])),
        ("sample_ids", lambda: D.sample_keys(0, [0.2, 0.9])),
        ("sample_ids", lambda: D.sample_keys(0, [0, -2])),
        ("sample_ids", lambda: D.sample_keys(0, torch.tensor([0.5]))),
        ("sample_ids", lambda: D.sample_keys(0, [[0, 1]])),
        ("sample_ids", lambda: D.sample_keys(0, [1 + 1j])),
    ],
    "TwoHeadDenoiser": [
        ("action_dim", lambda: D.TwoHeadDenoiser(0)),
        ("action_dim", lambda: D.TwoHeadDenoiser(2.0)),
        ("state_dim", lambda: D.TwoHeadDenoiser(2, -1)),
        ("hidden", lambda: D.TwoHeadDenoiser(2, hidden=0)),
        ("depth", lambda: D.TwoHeadDenoiser(2, depth=1.5)),
        ("time_dim", lambda: D.TwoHeadDenoiser(2, time_dim=1)),
        ("actions", lambda: D.TwoHeadDenoiser(2)(None, torch.zeros(3, 4), 1)),
        ("actions", lambda: D.TwoHeadDenoiser(2)(None, np.zeros((3, 2)), 1)),
        ("states", lambda: D.TwoHeadDenoiser(2, 1)(None, torch.zeros(3, 2), 1)),
        ("states", lambda: D.TwoHeadDenoiser(2, 1)(torch.zeros(3, 2), torch.zeros(3, 2), 1)),
        ("t", lambda: D.TwoHeadDenoiser(2)(None, torch.zeros(3, 2), 1.5)),
        ("t", lambda: D.TwoHeadDenoiser(2).eps_u(None, torch.zeros(3, 2), -1)),
    ],
    "TwoHeadTrainer": [
        ("schedule", lambda: D.TwoHeadTrainer(None)),
        ("steps", lambda: D.TwoHeadTrainer(_sch(), steps=0)),
        ("batch_size", lambda: D.TwoHeadTrainer(_sch(), batch_size=2.5)),
        ("lr", lambda: D.TwoHeadTrainer(_sch(), lr=NAN)),
        ("w_max", lambda: D.TwoHeadTrainer(_sch(), w_max=-1.0)),
        ("seed", lambda: D.TwoHeadTrainer(_sch(), seed=1.9)),
        ("seed", lambda: D.TwoHeadTrainer(_sch(), seed=True)),
        ("advantage_weights", lambda: D.TwoHeadTrainer(_sch(), advantage_weights=NAN)),
        ("advantage_weights", lambda: D.TwoHeadTrainer(_sch(), advantage_weights=2)),
        ("hidden", lambda: D.TwoHeadTrainer(_sch(), hidden=0)),
        ("depth", lambda: D.TwoHeadTrainer(_sch(), depth=-1)),
        ("time_dim", lambda: D.TwoHeadTrainer(_sch(), time_dim=1.0)),
        ("device", lambda: D.TwoHeadTrainer(_sch(), device=0)),
        ("actions", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros((4, 2)) + 1j, [1, 0, 0, 0])),
        ("actions", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros(4), [1, 0, 0, 0])),
        ("states", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(np.zeros((3, 1)), np.zeros((4, 2)), [1, 0, 0, 0])),
        ("good", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros((3, 2)), [NAN, 2, -1])),
        ("good", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros((3, 2)), [0, 0, 0])),
        ("good", lambda: D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros((3, 2)), [1, 0])),
        ("advantages", lambda: D.TwoHeadTrainer(_sch(), steps=1, advantage_weights=True).fit(
            None, np.zeros((3, 2)), [1, 0, 0])),
        ("advantages", lambda: D.TwoHeadTrainer(_sch(), steps=1, advantage_weights=True).fit(
            None, np.zeros((3, 2)), [1, 0, 0], advantages=[NAN, 0.0, 0.0])),
    ],
    "sinusoidal_embedding": [
        ("dim", lambda: D.sinusoidal_embedding([1, 2], 0)),
        ("dim", lambda: D.sinusoidal_embedding([1, 2], 4.0)),
        ("max_period", lambda: D.sinusoidal_embedding([1, 2], 4, max_period=NAN)),
        ("t", lambda: D.sinusoidal_embedding([1.0, NAN], 4)),
        ("t", lambda: D.sinusoidal_embedding([1j], 4)),
        ("t", lambda: D.sinusoidal_embedding(torch.tensor([INF]), 4)),
    ],
}

PARAMS = [pytest.param(name, param, call, id=f"{name}-{param}-{i}") for name, cases in CASES.items()
          for i, (param, call) in enumerate(cases)]


def test_every_public_name_has_cases():
    public = (set(L.__all__) | set(D.__all__)) - CONSTANTS
    missing = sorted(public - set(CASES))
    assert not missing, f"public names without bad-input cases: {missing}"
    assert not sorted(set(CASES) - public), "cases for names that are not public"


@pytest.mark.parametrize("name, param, call", PARAMS)
def test_bad_input_is_refused_by_name(name, param, call):
    with pytest.raises(ValueError) as exc:
        call()
    assert param in str(exc.value), f"{name}: message {str(exc.value)!r} does not name {param!r}"


# --- the regressions named in the issue ---------------------------------------------------------------------------

def test_exact_two_head_no_wrap_round():
    two = _two()
    x = torch.zeros(2, 2, dtype=torch.float64)
    for t in (0, -1, two.schedule.T + 1):
        with pytest.raises(ValueError, match="t must be"):
            two(None, x, t)


def test_contextual_toy_spread_zero_is_a_value_error():
    with pytest.raises(ValueError, match="spread"):
        L.ContextualToy(spread=0)


# --- Hypothesis: malformed scalars and arrays ---------------------------------------------------------------------

non_integers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                         st.complex_numbers(), st.text(max_size=3), st.none())


@settings(max_examples=40, deadline=None)
@given(non_integers)
def test_seed_must_be_an_integer(seed):
    with pytest.raises(ValueError, match="seed"):
        _sampler().sample(n=2, seed=seed)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=2, max_size=2))
def test_sample_ids_as_floats_refused(ids):
    """A float array of ids is refused even when its values are integral (no truncation, no silent cast)."""
    with pytest.raises(ValueError, match="sample_ids"):
        _sampler().null_statistics(2, seed=0, sample_ids=np.asarray(ids, dtype=np.float64))


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.floats().filter(lambda v: not (0 <= v <= 1) or math.isnan(v)), st.complex_numbers(),
                 st.booleans(), st.none()))
def test_beta_max_outside_unit_refused(b):
    with pytest.raises(ValueError, match="beta_max"):
        _sampler(beta_max=b)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=3).filter(
    lambda v: not all(x in (0.0, 1.0) for x in v)))
def test_good_flags_must_be_zero_or_one(flags):
    with pytest.raises(ValueError, match="good"):
        D.TwoHeadTrainer(_sch(), steps=1).fit(None, np.zeros((3, 2)), flags)


@settings(max_examples=30, deadline=None)
@given(st.integers(-5, 10))
def test_two_head_step_range(t):
    two = _two()
    x = torch.zeros(2, 2, dtype=torch.float64)
    if 1 <= t <= two.schedule.T:
        eu, ec = two(None, x, t)
        assert torch.isfinite(eu).all() and torch.isfinite(ec).all()
    else:
        with pytest.raises(ValueError, match="t must be"):
            two(None, x, t)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6), st.lists(st.floats(-1e6, 1e6), min_size=1,
                                                                          max_size=6))
def test_complex_null_statistics_refused(re, im):
    k = min(len(re), len(im))
    z = np.asarray(re[:k]) + 1j * np.asarray(im[:k])
    with pytest.raises(ValueError, match="null_statistics"):
        L.calibrate_threshold(z, 0.1)


# --- invariants ---------------------------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**63 - 1), st.lists(st.integers(0, 2**40), min_size=1, max_size=8, unique=True))
def test_noise_depends_only_on_seed_and_id(seed, ids):
    """Integer seeds and ids (Python or numpy) give the same noise, and a sample's noise does not depend on the
    other ids it is drawn with."""
    a = D.counter_normal(D.sample_keys(seed, ids), 3, 3)
    b = D.counter_normal(D.sample_keys(np.uint64(seed), np.asarray(ids, np.int64)), 3, 3)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    last = D.counter_normal(D.sample_keys(seed, ids[-1:]), 3, 3)
    torch.testing.assert_close(a[-1:], last, rtol=0, atol=0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 6))
def test_sample_ids_select_the_same_chains(seed, n):
    smp = _sampler()
    full = smp.sample(n=n, seed=seed)
    ids = np.arange(n, dtype=np.int64)[::-1].copy()
    rev = smp.sample(n=n, seed=seed, sample_ids=ids)
    np.testing.assert_allclose(rev.final, full.final[::-1], rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([0, 1, True, False, np.bool_(True)]))
def test_flags_accept_bool_and_zero_one(v):
    res = _sampler().sample(n=2, seed=0, return_trace=v)
    assert (res.ell is not None) == bool(v)


# --- regressions from the malformed-input suite (issue 17) --------------------------------------------------------

def _critic():
    return L.ToyCritic(np.array([[0.3, -0.2], [0.1, 0.4]]), np.array([0.5, -0.5]))


_S = torch.tensor([[0.1, -0.3], [0.5, 0.2], [-1.0, 0.4]], dtype=torch.float64)
_A = torch.tensor([[0.2, 0.1], [-0.5, 0.3], [1.0, -1.0]], dtype=torch.float64)


@pytest.mark.parametrize("name, call", [
    # huge sizes are refused by name at once (they used to reach numpy's allocator, or hang building a network)
    ("depth", lambda: D.TwoHeadDenoiser(2, 1, depth=10**30)),
    ("hidden", lambda: D.TwoHeadDenoiser(2, 1, hidden=10**30)),
    ("n", lambda: _sampler().null_statistics(10**30, seed=0)),
    ("state_dim", lambda: L.ContextualToy(10**30, 2)),
    ("T", lambda: D.Schedule.linear(10**30)),
    ("n", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 0.5).sample(10**30, np.random.default_rng(0))),
    # NaN in a torch input is refused, not turned into a NaN gradient or eps
    ("actions", lambda: L.QStep(_critic(), 2.0).gradient(_S, torch.full_like(_A, NAN))),
    ("states", lambda: _critic()(torch.full_like(_S, INF), _A)),
    ("actions", lambda: _two()(None, torch.full((3, 2), NAN, dtype=torch.float64), 2)),
    ("x", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 0.5).epsilon_torch(torch.full((2, 2), NAN), 0.5)),
    # the noise level of the torch paths is a number in (0, 1]
    ("alpha_bar", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 0.5).epsilon_torch(torch.zeros(2, 2), 0.0)),
    ("alpha_bar", lambda: D.GaussianMixtureHead([[0.0, 0.0]], 0.5).epsilon_torch(torch.zeros(2, 2), True)),
    # integers are integers: t of the separate heads and of the network
    ("t", lambda: L.SeparateHeads(lambda s, a, t: a, lambda s, a, t: a)(None, _A, 1.5)),
    ("t", lambda: D.TwoHeadDenoiser(2, 0, hidden=4, depth=1, time_dim=4).eps_u(
        None, torch.zeros(2, 2), torch.tensor([1.5, 2.0]))),
    # a Calibration needs a rank unless it is Ville's or tau = +inf; deploy wants a Calibration
    ("k", lambda: L.Calibration(1.2, 0.1, 50, None, "conformal", None)),
    ("calibration", lambda: _sampler().deploy(None)),
    ("sampler_or_hash", lambda: L.ville_threshold(0.1, config_hash=_sampler().config_hash()).check_config("x")),
    ("config_hash", lambda: L.LRTSample(**_sample_kw(config_hash="bogus"))),
    ("device", lambda: L.StateConditionalOOD(k=3, device="bogus")),
    ("max_period", lambda: D.sinusoidal_embedding(torch.tensor([1.0]), 4, max_period=5e-324)),
    ("x", lambda: _cond().score(np.zeros((1, 1)), None, 0.5)),
])
def test_malformed_suite_regressions(name, call):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


def test_ville_threshold_is_finite_at_tiny_alpha():
    """tau = ln(1/alpha), taken as -ln(alpha) where 1/alpha overflows: finite at any alpha in (0, 1)."""
    cal = L.ville_threshold(5e-324)
    assert math.isfinite(cal.tau) and cal.tau == pytest.approx(744.44, abs=0.01)
    assert L.ville_threshold(0.1).tau == math.log(1.0 / 0.1)
