"""Valid calls of ``lrtcheck.lrt`` (one per entry point) for the malformed-input suite."""

import numpy as np
import torch

import lrtcheck.lrt as L
from lrtcheck.diffusion import GaussianMixtureHead, Schedule

from . import constants, fn, method, record

PACKAGE = L
CONSTANTS = constants("METHODS", "GATES", "STATISTICS")
UNFUZZED = {"LRTSampler.config": "no parameters", "LRTSampler.config_hash": "no parameters",
            "LRTSampler.replace": "keyword changes go through the constructor, fuzzed there",
            "QStep.fingerprint": "no parameters", "SeparateHeads.fingerprint": "no parameters",
            "ContextualToy.exact_heads": "no parameters", "ToyCritic.fingerprint": "no parameters"}

U = "(0,1)"
SCH = Schedule.linear(10, 1e-4, 0.2)
S = np.array([[0.1, -0.3], [0.5, 0.2], [-1.0, 0.4]])
A = np.array([[0.2, 0.1], [-0.5, 0.3], [1.0, -1.0]])


def bg():
    return GaussianMixtureHead([0.0, 0.0], 0.5)


def gd():
    return GaussianMixtureHead([0.5, -0.3], 0.5)


def sampler():
    return L.LRTSampler(bg(), gd(), SCH)


def toy():
    return L.ContextualToy(seed=0)


def critic():
    return L.ToyCritic(np.array([[0.3, -0.2], [0.1, 0.4]]), np.array([0.5, -0.5]))


def calibration():
    return L.calibrate_threshold(np.linspace(-2.0, 2.0, 50), 0.1, config_hash=sampler().config_hash())


def ood():
    rng = np.random.default_rng(0)
    return L.StateConditionalOOD(k=3).fit(rng.normal(size=(30, 2)), rng.normal(size=(30, 2)))


def heads():
    return L.SeparateHeads(lambda s, a, t: torch.zeros_like(a), lambda s, a, t: torch.ones_like(a) * 0.1)


ENTRIES = [
    fn("Calibration", L.Calibration, 1.2, 0.1, 50, 46, "conformal", None,
       domains={"alpha": U, "n": ">=1", "k": ">=1"}, allow={"tau": ("inf",), "method": ("any",)},
       inf_ok=True),  # tau = +-inf is documented (the gate never / always opens); the record holds it as given
    method("Calibration.check_config", calibration, "check_config", sampler()),
    method("Calibration.realized_level", calibration, "realized_level", lambda x: 0.5 + 0.0 * np.asarray(x)),
    fn("calibrate_threshold", L.calibrate_threshold, np.linspace(-2.0, 2.0, 50), 0.1,
       domains={"alpha": U, "delta": U}, allow={"method": ("none",), "config_hash": ("none", "any")},
       inf_ok=True),  # too few draws for alpha: tau = +inf (the gate never opens), as documented
    fn("ville_threshold", L.ville_threshold, 0.1, domains={"alpha": U}, allow={"config_hash": ("none", "any")}),
    fn("LRTSampler", L.LRTSampler, bg(), gd(), SCH, tau=1.0, batch_size=64,
       domains={"beta_max": "[0,1]", "kappa": ">0", "batch_size": ">=1", "action_dim": ">=1"},
       allow={"tau": ("inf",)}, inf_ok=True),  # tau = +-inf is documented and kept as given
    method("LRTSampler.deploy", sampler, "deploy",
           L.ville_threshold(0.1, statistic="final", config_hash=sampler().config_hash())),
    method("LRTSampler.sample", sampler, "sample", S, seed=3, sample_ids=np.array([0, 1, 2]),
           domains={"seed": ">=0", "n": ">=1"}, allow={"states": ("none",)}, skip=("n",)),
    method("LRTSampler.sample(n)", sampler, "sample", seed=3, n=5, domains={"seed": ">=0", "n": ">=1"},
           skip=("states", "sample_ids", "return_trace", "null")),
    method("LRTSampler.null_statistics", sampler, "null_statistics", 20, seed=3,
           domains={"seed": ">=0", "n": ">=1"}, allow={"states": ("none",), "sample_ids": ("none",)}),
    record("LRTSample", L.LRTSample, lambda: sampler().sample(seed=1, n=4)),
    fn("QStep", L.QStep, critic(), 2.0, clip=1.0, anchor=1.0, domains={"eta": ">=0", "clip": ">0", "anchor": "[0,1]"},
       allow={"clip": ("none",)}),  # anchor 0 = the unconditional mean and clip None = no clipping, both documented
    method("QStep.gradient", lambda: L.QStep(critic(), 2.0), "gradient", torch.tensor(S), torch.tensor(A)),
    fn("SeparateHeads", L.SeparateHeads, lambda s, a, t: a, lambda s, a, t: a),
    method("SeparateHeads.__call__", heads, "__call__", None, torch.tensor(A), 3,
           allow={"states": ("none",)}),  # t must be an integer >= 1; its upper end is the callables' own
    record("ParetoRow", L.ParetoRow, lambda: L.ParetoRow("lrt", 0.1, 1.0, 0.5, 0.1, 0.2, 100),
           domains={"alpha": U, "ood_rate": "[0,1]", "activation_rate": "[0,1]", "n": ">=1"},
           allow={"method": ("any",), "tau": ("inf",)}, inf_ok=True),  # the base method's tau is +inf
    fn("return_ood_pareto", L.return_ood_pareto, toy(), sampler(), alphas=(0.2,), n_data=200, n_cal=50, n_eval=50,
       ood=ood(), domains={"eta": ">=0", "clip": ">0", "anchor": "[0,1]", "n_data": ">=1", "n_cal": ">=1",
                           "n_eval": ">=1", "seed": ">=0"}, allow={"clip": ("none",)},
       inf_ok=True),  # the base method's tau is +inf; anchor in [0, 1] and clip None (no clipping) as QStep
    fn("StateConditionalOOD", L.StateConditionalOOD, 3, 95.0, chunk=64,
       domains={"k": ">=1", "q": "[0,100]", "chunk": ">=1"}),
    method("StateConditionalOOD.fit", lambda: L.StateConditionalOOD(k=3), "fit",
           np.random.default_rng(0).normal(size=(30, 2)), np.random.default_rng(1).normal(size=(30, 2))),
    method("StateConditionalOOD.distance", ood, "distance", S, A),
    method("StateConditionalOOD.flags", ood, "flags", S, A),
    method("StateConditionalOOD.rate", ood, "rate", S, A),
    fn("ContextualToy", L.ContextualToy, 2, 2, seed=0,
       domains={"state_dim": ">=1", "action_dim": ">=1", "seed": ">=0", "p_good": U, "spread": ">0", "std": ">0"}),
    method("ContextualToy.sample_states", toy, "sample_states", 5, np.random.default_rng(0), domains={"n": ">=0"}),
    method("ContextualToy.value", toy, "value", S),
    method("ContextualToy.advantage", toy, "advantage", S, A),
    method("ContextualToy.expected_return", toy, "expected_return", S, A),
    method("ContextualToy.dataset", toy, "dataset", 20, np.random.default_rng(0), domains={"n": ">=1"}),
    fn("ToyCritic", L.ToyCritic, np.array([[0.3, -0.2], [0.1, 0.4]]), np.array([0.5, -0.5])),
    method("ToyCritic.target", critic, "target", S),
    method("ToyCritic.q", critic, "q", S, A),
    method("ToyCritic.__call__", critic, "__call__", torch.tensor(S), torch.tensor(A)),
    method("ToyCritic.grad", critic, "grad", torch.tensor(S), torch.tensor(A)),
    record("ToyDataset", L.ToyDataset, lambda: toy().dataset(20, np.random.default_rng(0))),
    fn("label_top_fraction", L.label_top_fraction, np.linspace(-1.0, 1.0, 20), 0.2, domains={"p": U}),
]

for _e in ENTRIES:  # the detector's methods called before fit must say so
    if _e.name in ("StateConditionalOOD.distance", "StateConditionalOOD.flags", "StateConditionalOOD.rate"):
        _e.unfitted = lambda: L.StateConditionalOOD(k=3)
