"""Valid calls of ``lrtcheck.diffusion`` (one per entry point) for the malformed-input suite."""

import numpy as np
import torch
import torch._dynamo  # noqa: F401 - imported lazily by torch.optim; slow enough to trip the time limit

import lrtcheck.diffusion as D

from . import constants, fn, method

PACKAGE = D
CONSTANTS = constants("VARIANCES")
UNFUZZED = {"Schedule.fingerprint": "no parameters", "ExactTwoHead.fingerprint": "no parameters",
            "TwoHeadDenoiser.fingerprint": "no parameters",
            "TwoHeadDenoiser.forward": "the same call as eps_u/eps_c, fuzzed there",
            "GaussianMixtureHead.means_torch": "internal torch path of epsilon_torch",
            "ConditionalGaussianMixtureHead.means_torch": "internal torch path of epsilon_torch"}

AB = {"alpha_bar": "(0,1]"}
X = np.array([[0.1, -0.2], [1.0, 0.5]])
S2 = np.array([[0.3], [-0.4]])


def sched():
    return D.Schedule.linear(10, 1e-4, 0.2)


def gmm():
    return D.GaussianMixtureHead(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.5, 0.4]), np.array([0.3, 0.7]))


def cgmm():
    return D.ConditionalGaussianMixtureHead(np.array([[[1.0], [0.5]], [[-1.0], [0.2]]]),
                                            np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.5, 0.4]))


def pair():
    return D.ExactTwoHead(gmm(), D.GaussianMixtureHead(np.array([[1.0, 1.0]]), np.array([0.4])), sched())


def net():
    torch.manual_seed(0)
    return D.TwoHeadDenoiser(2, 1, hidden=8, depth=1, time_dim=4)


ENTRIES = [
    fn("Schedule", D.Schedule, np.linspace(1e-4, 0.2, 10), allow={"name": ("any",)}),
    fn("Schedule.linear", D.Schedule.linear, 10, 1e-4, 0.2,
       domains={"T": ">=1", "beta_start": "(0,1)", "beta_end": "(0,1)"}),
    fn("Schedule.cosine", D.Schedule.cosine, 10, domains={"T": ">=1", "s": ">0", "max_beta": "(0,1)"}),
    fn("Schedule.vp", D.Schedule.vp, 10, domains={"T": ">=1", "b_min": ">0", "b_max": ">0"}),
    method("Schedule.variance", sched, "variance", "beta"),
    fn("GaussianMixtureHead", D.GaussianMixtureHead, np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.5, 0.4]),
       np.array([0.3, 0.7])),
    method("GaussianMixtureHead.responsibilities", gmm, "responsibilities", X, 0.5, domains=AB),
    method("GaussianMixtureHead.score", gmm, "score", X, 0.5, domains=AB),
    method("GaussianMixtureHead.epsilon", gmm, "epsilon", X, 0.5, domains=AB),
    method("GaussianMixtureHead.posterior_mean", gmm, "posterior_mean", X, 0.5, domains=AB),
    method("GaussianMixtureHead.log_prob", gmm, "log_prob", X, 0.5, domains=AB),
    method("GaussianMixtureHead.sample", gmm, "sample", 5, np.random.default_rng(0), domains={"n": ">=0"}),
    method("GaussianMixtureHead.subset", gmm, "subset", np.array([1])),
    method("GaussianMixtureHead.epsilon_torch", gmm, "epsilon_torch", torch.tensor(X), 0.5, domains=AB),
    fn("ConditionalGaussianMixtureHead", D.ConditionalGaussianMixtureHead, np.array([[[1.0], [0.5]], [[-1.0], [0.2]]]),
       np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.5, 0.4])),
    method("ConditionalGaussianMixtureHead.means_at", cgmm, "means_at", S2),
    method("ConditionalGaussianMixtureHead.at_state", cgmm, "at_state", np.array([0.3])),
    method("ConditionalGaussianMixtureHead.responsibilities", cgmm, "responsibilities", S2, X, 0.5, domains=AB),
    method("ConditionalGaussianMixtureHead.score", cgmm, "score", S2, X, 0.5, domains=AB),
    method("ConditionalGaussianMixtureHead.epsilon", cgmm, "epsilon", S2, X, 0.5, domains=AB),
    method("ConditionalGaussianMixtureHead.posterior_mean", cgmm, "posterior_mean", S2, X, 0.5, domains=AB),
    method("ConditionalGaussianMixtureHead.sample", cgmm, "sample", S2, np.random.default_rng(0)),
    method("ConditionalGaussianMixtureHead.subset", cgmm, "subset", np.array([0])),
    method("ConditionalGaussianMixtureHead.epsilon_torch", cgmm, "epsilon_torch", torch.tensor(X), 0.5,
           states=torch.tensor(S2), domains=AB),
    fn("ExactTwoHead", D.ExactTwoHead, gmm(), D.GaussianMixtureHead(np.array([[1.0, 1.0]]), np.array([0.4])),
       sched()),
    method("ExactTwoHead.__call__", pair, "__call__", None, torch.tensor(X), 3, domains={"t": "[1,10]"},
           allow={"states": ("none",)}),
    fn("counter_normal", D.counter_normal, D.sample_keys(3, torch.arange(4)), 2, 2,
       domains={"step": ">=0", "dim": ">=1"}),
    fn("sample_keys", D.sample_keys, 3, torch.arange(4), domains={"seed": ">=0"}),
    fn("TwoHeadDenoiser", D.TwoHeadDenoiser, 2, 1, hidden=8, depth=1, time_dim=4,
       domains={"action_dim": ">=1", "state_dim": ">=0", "hidden": ">=1", "depth": ">=1", "time_dim": ">=2"}),
    method("TwoHeadDenoiser.eps_u", net, "eps_u", torch.tensor(S2, dtype=torch.float32),
           torch.tensor(X, dtype=torch.float32), torch.tensor([3, 5])),
    method("TwoHeadDenoiser.eps_c", net, "eps_c", torch.tensor(S2, dtype=torch.float32),
           torch.tensor(X, dtype=torch.float32), torch.tensor([3, 5])),
    fn("TwoHeadTrainer", D.TwoHeadTrainer, sched(), hidden=8, depth=1, time_dim=4, steps=5, batch_size=8,
       domains={"hidden": ">=1", "depth": ">=1", "time_dim": ">=2", "steps": ">=1", "batch_size": ">=1",
                "lr": ">0"}),
    method("TwoHeadTrainer.fit", lambda: D.TwoHeadTrainer(sched(), hidden=8, depth=1, time_dim=4, steps=3,
                                                          batch_size=8),
           "fit", np.random.default_rng(0).normal(size=(20, 1)), np.random.default_rng(1).normal(size=(20, 2)),
           np.arange(20) % 2 == 0, allow={"states": ("none",)}),  # states=None trains an unconditional model
    fn("sinusoidal_embedding", D.sinusoidal_embedding, torch.tensor([1.0, 5.0]), 4,
       domains={"dim": ">=2", "max_period": ">0"}),
]
