"""The worlds of the lrt checks (lrtcheck.worlds.lrt) against independent exact quantities: the grid law of the gated
statistic against the Gaussian laws it must reduce to, the final-action law against GaussianLRTLaw's separation,
the eps* oracle against the single-Gaussian closed form, the clipped gradient and the linear critic."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as hs

from lrtcheck.diffusion import Schedule
from lrtcheck.lrt.exact import GaussianLRTLaw
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, LinearCritic, clipped_gradient,
                                 final_action_law, gate_value, gated_lambda_law, gaussian_heads_world,
                                 good_direction_gradient, grid_cdf, lrt_sampler_factory, mixture_eps_by_conditioning)

LAW = GaussianLRTLaw(Schedule.vp(5), "posterior", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)


@pytest.mark.parametrize("tau,beta_max,hypothesis", [(math.inf, 1.0, "H0"), (0.3, 0.0, "H0"), (-math.inf, 1.0, "H1")])
def test_gated_law_reduces_to_the_gaussian_laws(tau, beta_max, hypothesis):
    """A gate that never opens (or beta_max = 0) gives N(-D^2/2, D^2); one always open with beta_max = 1 gives the
    good head's N(+D^2/2, D^2)."""
    edges, cdf = gated_lambda_law(LAW.d2_steps[::-1], tau, beta_max, "hard", 1.0, h=0.02)
    assert np.max(np.abs(cdf - LAW.law(hypothesis).cdf(edges))) < 1e-4
    assert np.all(np.diff(cdf) >= -1e-15) and 0.0 <= cdf[0] and cdf[-1] <= 1.0


def test_gated_law_of_a_finite_hard_gate_lies_between_h0_and_h1():
    edges, cdf = gated_lambda_law(LAW.d2_steps[::-1], -0.25, 1.0, "hard", 1.0, h=0.02)
    inside = (edges > -3) & (edges < 3)
    assert np.all(cdf[inside] <= LAW.law("H0").cdf(edges[inside]) + 1e-4)
    assert np.all(cdf[inside] >= LAW.law("H1").cdf(edges[inside]) - 1e-4)
    assert grid_cdf(edges, cdf)(-1e9) == 0.0 and grid_cdf(edges, cdf)(1e9) == 1.0


def test_gate_value_hard_and_soft():
    lam = np.array([-1.0, 0.0, 0.5, 2.0])
    assert np.array_equal(gate_value(lam, 0.5, 0.8, "hard", 1.0), 0.8 * (lam > 0.5))
    assert np.allclose(gate_value(lam, 0.5, 0.8, "soft", 0.25), 0.8 / (1.0 + np.exp(-(lam - 0.5) / 0.25)))


@pytest.mark.parametrize("schedule,variance", [(Schedule.vp(5), "posterior"), (Schedule.linear(100), "posterior"),
                                               (Schedule.linear(20, 1e-4, 0.2), "beta")])
def test_final_action_law_separation_matches_the_exact_law(schedule, variance):
    s2 = schedule.variance(variance)
    m0, sd0 = final_action_law(schedule, s2, BACKGROUND_MEAN, HEAD_STD)
    m1, sd1 = final_action_law(schedule, s2, GOOD_MEAN, HEAD_STD)
    law = GaussianLRTLaw(schedule, variance, BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD)
    assert sd0 == sd1
    assert np.linalg.norm(m1 - m0) / sd0 == pytest.approx(law.final_action_distance(), rel=1e-12)
    m_bug, _ = final_action_law(schedule, s2, GOOD_MEAN, HEAD_STD, drop_inv_sqrt_alpha=True)
    assert not np.allclose(m_bug, m1)


@given(ab=hs.floats(1e-4, 0.9999), s=hs.floats(0.05, 3.0))
def test_eps_oracle_is_the_single_gaussian_closed_form(ab, s):
    x = np.random.default_rng(0).normal(size=(50, 2)) * 3
    m = np.array([[0.7, -1.2]])
    got = mixture_eps_by_conditioning(x, m, np.array([s]), np.array([1.0]), ab)
    ref = math.sqrt(1 - ab) * (x - math.sqrt(ab) * m) / (ab * s**2 + 1 - ab)
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)


@given(w=hs.lists(hs.floats(-5, 5), min_size=2, max_size=2), clip=hs.one_of(hs.none(), hs.floats(0.01, 10)))
def test_clipped_gradient_has_norm_at_most_clip_and_keeps_direction(w, clip):
    w = np.array(w)
    g = clipped_gradient(w, clip)
    if clip is None or np.linalg.norm(w) <= clip:
        assert np.array_equal(g, w)
    else:
        assert np.linalg.norm(g) == pytest.approx(clip, rel=1e-12)
        assert np.allclose(g * np.linalg.norm(w), w * np.linalg.norm(g))


def test_linear_critic_and_the_default_world():
    w = good_direction_gradient()
    assert np.linalg.norm(w) == pytest.approx(2.0) and float(w @ (GOOD_MEAN - BACKGROUND_MEAN)) > 0
    actions = torch.zeros(4, 2, dtype=torch.float32)
    g = LinearCritic(w).grad(None, actions)
    assert g.shape == actions.shape and g.dtype == torch.float32 and torch.allclose(g[3], torch.tensor(w).float())
    assert LinearCritic(w).fingerprint() == LinearCritic(w.copy()).fingerprint() != LinearCritic(-w).fingerprint()
    sampler, law = gaussian_heads_world(lrt_sampler_factory(), Schedule.linear(100))
    assert law.D2 == pytest.approx(1.26385, abs=1e-5)  # docs/methods/lrt_diffusion.md §9
    assert sampler.variance == "posterior" and sampler.action_dim == 2
