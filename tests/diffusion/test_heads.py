"""Exact GMM heads: closed forms, the orthogonality property of eps*, torch/numpy agreement, bad inputs."""

import math

import numpy as np
import pytest
import torch

from lrtcheck.diffusion import ConditionalGaussianMixtureHead, ExactTwoHead, GaussianMixtureHead, Schedule

GMM = GaussianMixtureHead([[-2.0, 0.0], [1.5, 1.0]], [0.3, 0.6], [0.3, 0.7])


def test_single_gaussian_closed_form():
    m, s = np.array([0.5, -0.3]), 0.5
    h = GaussianMixtureHead(m, s)
    x = np.random.default_rng(0).standard_normal((50, 2))
    for ab in (0.99, 0.5, 0.01):
        want = math.sqrt(1 - ab) * (x - math.sqrt(ab) * m) / (ab * s * s + 1 - ab)
        np.testing.assert_allclose(h.epsilon(x, ab), want, rtol=1e-12, atol=1e-14)


def test_score_is_gradient_of_log_density():
    x = np.random.default_rng(1).standard_normal((20, 2)) * 2
    for ab in (0.9, 0.3):
        e = 1e-6
        num = np.stack([(GMM.log_prob(x + e * np.eye(2)[j], ab) - GMM.log_prob(x - e * np.eye(2)[j], ab)) / (2 * e)
                        for j in range(2)], axis=1)
        np.testing.assert_allclose(GMM.score(x, ab), num, atol=1e-6)


def test_tweedie_matches_epsilon():
    x = np.random.default_rng(2).standard_normal((30, 2))
    ab = 0.4
    np.testing.assert_allclose(GMM.posterior_mean(x, ab), (x - math.sqrt(1 - ab) * GMM.epsilon(x, ab)) / math.sqrt(ab),
                               rtol=1e-10, atol=1e-12)


def test_per_row_alpha_bar_matches_scalar():
    x = np.random.default_rng(3).standard_normal((4, 2))
    ab = np.array([0.9, 0.5, 0.2, 0.05])
    rows = np.stack([GMM.epsilon(x[i:i + 1], ab[i])[0] for i in range(4)])
    np.testing.assert_allclose(GMM.epsilon(x, ab), rows, rtol=1e-12)


def _orthogonality_z(eps_fn, n=200_000, ab=0.5, seed=4):
    rng = np.random.default_rng(seed)
    x0 = GMM.sample(n, rng)
    eps = rng.standard_normal((n, 2))
    xt = math.sqrt(ab) * x0 + math.sqrt(1 - ab) * eps
    resid = eps - eps_fn(xt, ab)
    feats = [np.ones(n), xt[:, 0], np.tanh(xt[:, 1]), xt[:, 0] * xt[:, 1]]
    zs = []
    for f in feats:
        prod = resid * f[:, None]
        zs.append(np.abs(prod.mean(0)) / (prod.std(0) / math.sqrt(n)))
    return float(np.max(zs))


def test_epsilon_star_orthogonal_to_functions_of_xt():
    # E[(eps - eps*(x_t)) f(x_t)] = 0 for every f: |z| < 5 on 8 tests (false-fail < 5e-6 with this fixed seed)
    assert _orthogonality_z(GMM.epsilon) < 5.0
    # the same test rejects a wrong predictor (weights ignored): the test can fail
    wrong = GaussianMixtureHead(GMM.means, GMM.stds)
    assert _orthogonality_z(wrong.epsilon) > 5.0


def test_torch_matches_numpy_and_fused_pair():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((64, 2))
    good = GMM.subset([1])
    sched = Schedule.linear(20)
    pair = ExactTwoHead(GMM, good, sched)
    for t in (1, 7, 20):
        ab = float(sched.alpha_bars[t - 1])
        xt = torch.tensor(x)
        np.testing.assert_allclose(GMM.epsilon_torch(xt, ab).numpy(), GMM.epsilon(x, ab), rtol=1e-12, atol=1e-13)
        eu, ec = pair(None, xt, t)
        np.testing.assert_allclose(eu.numpy(), GMM.epsilon(x, ab), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(ec.numpy(), good.epsilon(x, ab), rtol=1e-12, atol=1e-13)


def test_conditional_head_matches_unconditional_at_each_state():
    rng = np.random.default_rng(6)
    A = rng.standard_normal((3, 2, 4)) * 0.5
    b = rng.standard_normal((3, 2))
    h = ConditionalGaussianMixtureHead(A, b, [0.2, 0.4, 0.3], [0.2, 0.5, 0.3])
    s = rng.standard_normal((5, 4))
    x = rng.standard_normal((5, 2))
    got = h.epsilon(s, x, 0.3)
    for i in range(5):
        np.testing.assert_allclose(got[i], h.at_state(s[i]).epsilon(x[i:i + 1], 0.3)[0], rtol=1e-12)
    tor = h.epsilon_torch(torch.tensor(x), 0.3, states=torch.tensor(s)).numpy()
    np.testing.assert_allclose(tor, got, rtol=1e-12, atol=1e-13)
    pair = ExactTwoHead(h, h.subset([0, 2]), Schedule.linear(10))
    eu, ec = pair(torch.tensor(s), torch.tensor(x), 4)
    ab = Schedule.linear(10).alpha_bars[3]
    np.testing.assert_allclose(ec.numpy(), h.subset([0, 2]).epsilon(s, x, ab), rtol=1e-12, atol=1e-13)


def test_far_points_stay_finite():
    x = np.array([[1e3, -1e3], [-5e2, 7e2]])
    for ab in (0.999, 0.5):
        assert np.all(np.isfinite(GMM.epsilon(x, ab)))
        assert torch.isfinite(GMM.epsilon_torch(torch.tensor(x, dtype=torch.float32), ab)).all()


@pytest.mark.parametrize("kwargs, match", [
    (dict(means=[[0.0, np.nan]], stds=1.0), "means"),
    (dict(means=[[0.0, 0.0]], stds=0.0), "stds"),
    (dict(means=[[0.0, 0.0], [1.0, 1.0]], stds=[1.0, 1.0], weights=[0.3, 0.3]), "weights"),
    (dict(means=[[0.0, 0.0], [1.0, 1.0]], stds=[1.0, 2.0, 3.0]), "stds"),
])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixtureHead(**kwargs)


def test_bad_calls():
    with pytest.raises(ValueError, match="alpha_bar"):
        GMM.epsilon(np.zeros((2, 2)), 0.0)
    with pytest.raises(ValueError, match="alpha_bar"):
        GMM.epsilon(np.zeros((2, 2)), 1.5)
    with pytest.raises(ValueError, match=r"^x must have shape \(B, 2\)"):
        GMM.epsilon(np.zeros((2, 3)), 0.5)
    with pytest.raises(ValueError, match=r"^x must contain only finite values"):
        GMM.epsilon(np.array([[np.inf, 0.0]]), 0.5)
    with pytest.raises(ValueError, match="components"):
        GMM.subset([5])
