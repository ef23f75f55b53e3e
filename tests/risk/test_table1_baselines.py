"""The risk-variable and risk-regressor baselines of Table 1 (arXiv 2402.02081, App. A): shapes, the guidance terms
exactly as defined, the regressor learning a risk that depends on x, and bad inputs refused by name."""

import numpy as np
import pytest
import torch

from lrtcheck.risk import VPSDE
from lrtcheck.risk.models import RiskRegressorDiffusion, RiskVariableDiffusion, StandardDiffusion

SMALL = dict(hidden=16, depth=2, steps=60, batch_size=64, sample_steps=20)


def toy(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    r = np.where(x[:, :1] > 0, 1.0, 0.0) * np.ones((1, 2))  # the risk depends on x: high where x_1 > 0
    return x, r


def test_risk_variable_trains_on_the_joint_vector_and_returns_the_x_part():
    x, r = toy()
    m = RiskVariableDiffusion(VPSDE(), guidance=1.0, **SMALL).fit(x, r)
    assert m.net_.dim == 4 and m.data_dim_ == 2
    out = m.sample(50, seed=1)
    assert out.shape == (50, 2) and np.all(np.isfinite(out))


def test_risk_variable_guidance_is_minus_gamma_r_over_norm_on_the_risk_coordinates():
    x, r = toy()
    m = RiskVariableDiffusion(VPSDE(), guidance=0.7, **SMALL).fit(x, r)
    z = torch.tensor([[0.1, -0.2, 3.0, 4.0]])
    guided = m.score(z, 0.5)
    m.guidance = 0.0
    plain = m.score(z, 0.5)
    torch.testing.assert_close(guided[:, :2], plain[:, :2])
    torch.testing.assert_close(guided[:, 2:] - plain[:, 2:], -0.7 * torch.tensor([[0.6, 0.8]]), atol=1e-6, rtol=0)


def test_risk_regressor_learns_the_risk_and_guides_against_its_gradient():
    x, r = toy(n=512)
    m = RiskRegressorDiffusion(VPSDE(), guidance=2.0, regressor_steps=400, **dict(SMALL, steps=30)).fit(x, r)
    assert m.regressor_losses_[-50:].mean() < m.regressor_losses_[:50].mean()
    probe = torch.tensor([[-1.5, 0.0], [1.5, 0.0]])
    rho = m.predicted_risk(probe, 0.01).detach().numpy().sum(1)
    assert rho[0] < 0.5 < 1.0 < rho[1]  # the true sums are 0 and 2
    pr = m.predicted_risk(probe.clone().requires_grad_(True), 0.01)
    xg = probe.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(m.predicted_risk(xg, 0.01).sum(), xg)
    m2 = StandardDiffusion(VPSDE(), seed=m.seed, **dict(SMALL, steps=30)).fit(x)
    torch.testing.assert_close(m.score(probe, 0.01), m2.score(probe, 0.01) - 2.0 * grad, atol=1e-5, rtol=1e-5)
    assert pr.shape == (2, 2)
    out = m.sample(40, seed=2)
    assert out.shape == (40, 2) and np.all(np.isfinite(out))


@pytest.mark.parametrize("cls", [RiskVariableDiffusion, RiskRegressorDiffusion])
def test_bad_inputs_are_refused_by_name(cls):
    x, r = toy(n=32)
    with pytest.raises(ValueError, match="guidance"):
        cls(VPSDE(), guidance=-1.0)
    m = cls(VPSDE(), **dict(SMALL, steps=2))
    with pytest.raises(ValueError, match="r must have the shape"):
        m.fit(x, r[:10])
    with pytest.raises(ValueError, match="r must be non-negative"):
        m.fit(x, -r)
    with pytest.raises(ValueError, match="r must contain only finite"):
        m.fit(x, np.full_like(r, np.nan))
    with pytest.raises(ValueError, match="x must"):
        m.fit(x[0], r[0])
