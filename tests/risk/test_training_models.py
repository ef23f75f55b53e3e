import numpy as np
import pytest
import torch

from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VPSDE, DiscreteVP
from lrtcheck.risk.models import RiskConditionalDiffusion, RiskSensitiveDiffusion, StandardDiffusion
from lrtcheck.risk.network import TabularMLP
from lrtcheck.risk.training import denoising_residual, fit_network, training_targets


def test_tamed_residuals_agree_across_parameterisations():
    rng = np.random.default_rng(0)
    x_t, eta, out = rng.standard_normal((3, 5, 2))
    u, v0sq, v2 = np.full((5, 1), 0.6), np.full((5, 1), 0.64), rng.uniform(0.1, 0.64, (5, 2))
    s = -out / np.sqrt(v0sq)  # the score an eps output stands for
    d = (x_t + v0sq * s) / u  # the denoiser output standing for the same score
    a = denoising_residual(out, x_t, eta, u, v0sq, v2, "eps", "tamed")
    b = denoising_residual(s, x_t, eta, u, v0sq, v2, "score", "tamed")
    c = denoising_residual(d, x_t, eta, u, v0sq, v2, "denoiser", "tamed")
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(a, c, rtol=1e-12)


def test_training_targets_inside_interval():
    k = VPSDE()
    rng = np.random.default_rng(1)
    r = rng.uniform(0, 2, (200, 3))
    tg = training_targets(k, rng.standard_normal((200, 3)), r, rng)
    assert np.all(tg.v2 > 0) and tg.usable.all()
    np.testing.assert_allclose(tg.u[:, None] ** 2 * r**2 + tg.v2, np.broadcast_to(tg.v0sq[:, None], r.shape),
                               rtol=1e-10)


def test_bad_choices():
    with pytest.raises(ValueError, match="parameterization"):
        denoising_residual(0, 0, 0, 1, 1, 1, "x0", "tamed")
    with pytest.raises(ValueError, match="weighting"):
        RiskSensitiveDiffusion(VPSDE(), weighting="uniform")
    net = TabularMLP(2, 8, 1, 4)
    with pytest.raises(ValueError, match="r must be >= 0"):
        fit_network(net, VPSDE(), np.zeros((10, 2)), -np.ones((10, 2)), steps=1)
    with pytest.raises(ValueError, match="finite"):
        fit_network(net, VPSDE(), np.full((10, 2), np.nan), steps=1)
    with pytest.raises(ValueError, match="edge"):
        fit_network(net, VPSDE(), np.zeros((10, 2)), steps=1, edge=1.0)


@pytest.mark.parametrize("kernel", [VPSDE(), DiscreteVP(Schedule.cosine(50))])
@pytest.mark.parametrize("cls", [RiskSensitiveDiffusion, StandardDiffusion, RiskConditionalDiffusion])
def test_fit_sample_smoke(kernel, cls):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2))
    r = rng.uniform(0, 0.5, (64, 2))
    m = cls(kernel, hidden=16, depth=1, steps=5, batch_size=16, sample_steps=5, seed=1).fit(x, r)
    s = m.sample(7, seed=2)
    assert s.shape == (7, 2) and np.all(np.isfinite(s))
    assert np.array_equal(s, m.sample(7, seed=2))


def test_ensemble_members_independent():
    """Member 0 of an ensemble trains exactly as a lone network would on the same batches."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 32, 2))
    m = RiskSensitiveDiffusion(VPSDE(), hidden=8, depth=1, steps=3, batch_size=8, members=2).fit(x)
    assert m.sample(5, seed=0).shape == (2, 5, 2)
    with pytest.raises(ValueError, match="shape"):
        TabularMLP(2, 8, 1, 4, members=2)(torch.zeros(3, 2), torch.zeros(3))


def test_conditional_null_token_used():
    net = TabularMLP(2, 8, 1, 4, cond_dim=2)
    x, tau, c = torch.zeros(4, 2), torch.zeros(4), torch.ones(4, 2)
    a = net(x, tau, c, torch.zeros(4, dtype=torch.bool))
    b = net(x, tau, None)
    assert torch.allclose(a, b)
