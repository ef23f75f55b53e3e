"""The affine-chain oracle and the x0-clipping option, against the closed forms they must reduce to."""

import math

import numpy as np
import pytest
import torch

from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import LRTSampler, QStep
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, LinearCritic, QuadraticCritic,
                                 affine_chain_law, final_action_law)


@pytest.mark.parametrize("variance", ["beta", "posterior"])
@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_affine_chain_reduces_to_the_gaussian_oracle(variance, beta):
    sch = Schedule.linear(20, 1e-4, 0.2)
    law = GaussianLRTLaw(sch, variance, BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    mean, cov = affine_chain_law(sch, variance, BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, beta=beta)
    ref = law.law("H0" if beta == 0.0 else "H1")
    assert mean[-1] == pytest.approx(ref.mean(), rel=1e-12)
    assert cov[-1, -1] == pytest.approx(law.D2, rel=1e-12)
    if beta == 0.0:
        fm, fsd = final_action_law(sch, law.sigma2, BACKGROUND_MEAN, HEAD_STD)
        np.testing.assert_allclose(mean[:2], fm, atol=1e-12)
        np.testing.assert_allclose(np.diag(cov)[:2], fsd**2, rtol=1e-12)


def test_quadratic_with_zero_curvature_is_a_constant_free_step():
    """H = 0: the quadratic critic has gradient 0, so the law is the gate-open law without a Q-step."""
    sch = Schedule.linear(10, 1e-4, 0.2)
    a = affine_chain_law(sch, "beta", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, beta=0.7, eta=1.0, H=np.zeros((2, 2)),
                         target=np.ones(2), anchor=0.3)
    b = affine_chain_law(sch, "beta", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, beta=0.7)
    np.testing.assert_allclose(a[0], b[0], atol=1e-14)
    np.testing.assert_allclose(a[1], b[1], atol=1e-14)


def test_quadratic_critic_gradient():
    H = np.array([[2.0, 0.5], [0.5, 1.0]])
    crit = QuadraticCritic(H, [1.0, -1.0])
    a = torch.tensor([[0.0, 0.0], [1.0, -1.0]], dtype=torch.float64)
    np.testing.assert_allclose(crit.grad(None, a).numpy(), [[1.5, -0.5], [0.0, 0.0]])


def test_clip_sample_nonbinding_is_identity_and_binding_bounds_actions():
    sch = Schedule.linear(50)
    bg, gd = GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD), GaussianMixtureHead(GOOD_MEAN, HEAD_STD)
    ref = LRTSampler(bg, gd, sch, tau=0.0).sample(n=300, seed=4)
    loose = LRTSampler(bg, gd, sch, tau=0.0, clip_sample=1e6).sample(n=300, seed=4)
    np.testing.assert_allclose(loose.actions, ref.actions, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(loose.final, ref.final, rtol=1e-10, atol=1e-10)
    tight = LRTSampler(bg, gd, sch, tau=0.0, clip_sample=0.3)
    assert np.max(np.abs(tight.sample(n=300, seed=4).actions)) <= 0.3 * (1 + 1e-12)
    assert tight.config_hash() != LRTSampler(bg, gd, sch, tau=0.0).config_hash()
    with pytest.raises(ValueError, match="clip_sample"):
        LRTSampler(bg, gd, sch, clip_sample=0.0)


def test_linear_critic_ignores_the_anchor():
    """The degenerate case the quadratic check exists for: with a constant gradient every anchor gives one chain."""
    sch = Schedule.linear(10, 1e-4, 0.2)
    bg, gd = GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD), GaussianMixtureHead(GOOD_MEAN, HEAD_STD)
    outs = [LRTSampler(bg, gd, sch, variance="beta", beta_max=0.8, tau=-math.inf,
                       q_step=QStep(LinearCritic([1.0, 0.0]), eta=1.0, clip=None, anchor=lam)).sample(n=50, seed=1)
            for lam in (0.0, 1.0)]
    np.testing.assert_allclose(outs[0].final, outs[1].final, rtol=1e-12)
