import numpy as np
import pytest

from lrtcheck.risk.data import estimate_risk_knn, knn_imputed_tabular, proof_of_concept
from lrtcheck.risk.metrics import empirical_wasserstein, gaussian_w2, mmd_rbf, sliced_wasserstein, wasserstein_1d


def test_gaussian_w2_closed_forms():
    assert np.isclose(gaussian_w2([0, 0], np.eye(2), [3, 4], np.eye(2)), 5.0)
    # 1-D: W2^2 = (m1-m2)^2 + (s1-s2)^2
    assert np.isclose(gaussian_w2([1.0], [[4.0]], [0.0], [[1.0]]), np.sqrt(1 + 1))
    # commuting covariances: sum (sqrt a - sqrt b)^2
    assert np.isclose(gaussian_w2([0, 0], np.diag([4.0, 9.0]), [0, 0], np.diag([1.0, 1.0])), np.sqrt(1 + 4))
    with pytest.raises(ValueError, match="symmetric"):
        gaussian_w2([0, 0], [[1, 0.5], [0, 1]], [0, 0], np.eye(2))


def test_wasserstein_1d_unequal_sizes_matches_scipy():
    from scipy.stats import wasserstein_distance

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 40)), rng.standard_normal((3, 25)) + 0.5
    ours = wasserstein_1d(a, b)
    for i in range(3):
        assert np.isclose(ours[i], wasserstein_distance(a[i], b[i]))


def test_sliced_wasserstein_of_translation():
    x = np.random.default_rng(0).standard_normal((500, 2))
    delta = np.array([3.0, 4.0])
    # SW1 of an exact translation is E|theta^T delta| = |delta| 2/pi in 2-D
    assert np.isclose(sliced_wasserstein(x, x + delta, n_projections=20000), 5 * 2 / np.pi, rtol=0.02)


def test_mmd_and_empirical_w():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((300, 2)), rng.standard_normal((300, 2))
    assert abs(mmd_rbf(x, y)) < 0.01 and mmd_rbf(x, y + 2) > 0.1
    assert np.isclose(empirical_wasserstein(x, x + [1.0, 0.0]), 1.0)
    with pytest.raises(ValueError, match="same number"):
        empirical_wasserstein(x, y[:10])
    with pytest.raises(ValueError, match="finite"):
        mmd_rbf(np.full((3, 2), np.nan), y)


def test_proof_of_concept():
    d = proof_of_concept(3000, seed=0)
    comp = d.info["component"]
    assert np.all(d.risk[~d.corrupted] == 0) and np.all(d.risk[d.corrupted] >= 0.5)
    assert np.all(comp[d.corrupted] == 2) and 0.9 < d.corrupted[comp == 2].mean() <= 1.0
    d2 = proof_of_concept(1000, seed=0, noise="cauchy", corrupted_component=None, corrupted_fraction=0.5)
    assert 0.4 < d2.corrupted.mean() < 0.6
    assert d2.sample_clean(10, np.random.default_rng(0)).shape == (10, 2)
    with pytest.raises(ValueError, match="noise"):
        proof_of_concept(10, noise="laplace")


def test_knn_risk_brute_force():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 3))
    xm = x.copy()
    xm[0, 1] = np.nan
    imp, risk = estimate_risk_knn(xm, k=10)
    obs = [0, 2]
    d = np.sqrt(np.sum((x[1:, obs] - x[0, obs]) ** 2, axis=1) * 3 / 2)  # nan_euclidean weighting
    nn = np.argsort(d, kind="stable")[:10] + 1
    vals = x[nn, 1]
    assert np.isclose(imp[0, 1], np.median(vals))
    assert np.isclose(risk[0, 1], np.median(np.abs(vals - np.median(vals))))
    assert np.all(risk[1:] == 0) and np.array_equal(imp[1:], x[1:])


def test_knn_tabular_set():
    d = knn_imputed_tabular("wine", seed=0)
    assert d.x.shape == d.clean.shape == (178, 13)
    mask = d.info["mask"]
    assert 0.02 < mask.mean() < 0.08
    assert np.all(d.risk[~mask] == 0) and np.all(d.risk[mask] >= 0)
    with pytest.raises(ValueError, match="name"):
        knn_imputed_tabular("iris")


def test_median_bandwidth_and_wasserstein_1d_refuse_bad_input():
    from lrtcheck.risk.metrics import median_bandwidth

    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"^x must contain only finite values"):
        median_bandwidth(np.array([[np.nan, 0.0], [1.0, 1.0]]), x)
    with pytest.raises(ValueError, match=r"^y must have D = 2 columns"):
        median_bandwidth(x, np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"^x must have shape \(n, D\)"):
        median_bandwidth(np.zeros((2, 2, 2)), x)
    with np.errstate(over="ignore"), pytest.raises(ValueError, match=r"median pairwise distance .* must be finite"):
        median_bandwidth(np.array([[0.0], [1e200]]), np.array([[-1e200], [0.0]]))
    assert median_bandwidth(x, x) == 1.0  # all distances 0: the documented fallback
    with pytest.raises(ValueError, match=r"^a must have 2 dimension\(s\)"):
        wasserstein_1d(np.zeros(5), np.zeros((1, 5)))
    with pytest.raises(ValueError, match=r"^b must contain only finite values"):
        wasserstein_1d(np.zeros((1, 5)), np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"^a and b must have the same number of rows P"):
        wasserstein_1d(np.zeros((2, 5)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"^a and b must hold at least 1 sample per row"):
        wasserstein_1d(np.zeros((2, 0)), np.zeros((2, 5)))
