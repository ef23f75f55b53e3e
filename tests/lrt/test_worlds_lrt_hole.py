"""The support-hole world's exact quantities against independent computations (scipy densities, quadrature,
finite differences)."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, optimize
from scipy import stats as st

from lrtcheck.worlds.lrt_hole import HoleCritic, SupportHoleWorld


def _pb(a, m, s):
    return 0.5 * st.norm.pdf(a, -m, s) + 0.5 * st.norm.pdf(a, m, s)


@pytest.mark.parametrize("m,s,kappa", [(2.0, 0.4, 0.05), (1.5, 0.3, 0.2), (2.5, 0.45, 0.01)])
def test_ood_flag_is_the_behaviour_density_threshold(m, s, kappa):
    w = SupportHoleWorld(m=m, s=s, kappa=kappa)
    a = np.linspace(-m - 4 * s, m + 4 * s, 4001)[:, None]
    expected = _pb(a[:, 0], m, s) < kappa * _pb(m, m, s)
    got = w.ood(a)
    # away from the level set the flags agree exactly; the hole centre is OOD, the modes are not
    margin = np.abs(_pb(a[:, 0], m, s) / (kappa * _pb(m, m, s)) - 1) > 1e-9
    assert np.array_equal(got[margin], expected[margin])
    assert w.ood(np.array([[0.0]]))[0] and not w.ood(np.array([[m]]))[0] and not w.ood(np.array([[-m]]))[0]


def test_behaviour_ood_mass_by_quadrature_matches_sampling_the_exact_behaviour_law():
    m, s, kappa = 2.0, 0.4, 0.05
    w = SupportHoleWorld(m=m, s=s, kappa=kappa)
    level = kappa * _pb(m, m, s)
    # the in-support set is two intervals around +-m: find the edges by root finding, integrate the complement
    f = lambda x: _pb(x, m, s) - level  # noqa: E731
    inner, outer = optimize.brentq(f, 0.0, m), optimize.brentq(f, m, m + 10 * s)
    inside = 2 * integrate.quad(lambda x: _pb(x, m, s), inner, outer)[0]
    ood_mass = 1 - inside
    rng = np.random.default_rng(5)
    n = 200_000
    x = w.background.sample(n, rng)
    k = int(w.ood(x).sum())
    lo, hi = st.binomtest(k, n, ood_mass).proportion_ci(0.999999)
    assert lo <= ood_mass <= hi
    assert st.binomtest(k, n, ood_mass).pvalue > 1e-6


def test_critic_is_exact_on_support_and_optimistic_in_the_hole_and_its_gradient_is_its_derivative():
    c = HoleCritic(2.0, 0.6, 4.0, 1.0)
    a = np.linspace(-4, 4, 81)[:, None]
    r = np.exp(-(a[:, 0] - 2.0) ** 2 / (2 * 0.36))
    assert np.allclose(c.reward(a), r, rtol=0, atol=1e-15)
    assert c.value(np.array([[0.0]]))[0] > 3.9 > c.reward(np.array([[0.0]]))[0]
    assert abs(c.value(np.array([[2.0]]))[0] - c.reward(np.array([[2.0]]))[0]) < 4 * math.exp(-2) + 1e-12
    h = 1e-6
    num = (c.value(a + h) - c.value(a - h)) / (2 * h)
    g = c.grad(None, torch.as_tensor(a, dtype=torch.float64)).numpy()[:, 0]
    assert np.allclose(g, num, rtol=1e-6, atol=1e-7)


def test_bernoulli_return_has_the_mean_reward():
    c = HoleCritic(2.0, 0.6, 4.0, 1.0)
    a = np.full((100_000, 1), 1.7)
    u = np.random.default_rng(1).random(a.shape[0])
    k = int(np.sum(u < c.reward(a)))
    assert st.binomtest(k, a.shape[0], float(c.reward(a[:1])[0])).pvalue > 1e-6


@pytest.mark.parametrize("kw", [dict(m=0.0), dict(s=-1.0), dict(kappa=0.0), dict(kappa=1.0), dict(bump=-1.0),
                                dict(width=float("nan")), dict(rho=0)])
def test_bad_parameters_raise_naming_them(kw):
    name = next(iter(kw))
    with pytest.raises(ValueError, match=name):
        SupportHoleWorld(**kw)


def test_bad_actions_shape_raises():
    with pytest.raises(ValueError, match="actions"):
        SupportHoleWorld().ood(np.zeros((3, 2)))
