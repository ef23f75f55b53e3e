"""median_bandwidth through scipy's pdist: the same value as the broadcast n x n x D computation it replaced."""

import numpy as np
import pytest

from lrtcheck.risk.metrics import median_bandwidth


def broadcast_median_bandwidth(x, y):
    """The former implementation: every squared distance from an (n, n, D) broadcast, the upper triangle's median."""
    z = np.concatenate([x[:1000], y[:1000]])
    d2 = np.sum((z[:, None, :] - z[None, :, :]) ** 2, axis=-1)
    return float(np.sqrt(np.median(d2[np.triu_indices(z.shape[0], 1)])))


@pytest.mark.parametrize("seed", range(6))
def test_pdist_bandwidth_identical_to_broadcast(seed):
    g = np.random.default_rng(seed)
    for _ in range(20):
        D = int(g.integers(1, 12))
        n, m = (int(v) for v in g.integers(1, 1200, 2))
        x = g.standard_normal((n, D)) * g.exponential()
        y = 1.0 + 3.0 * g.standard_normal((m, D))
        got, want = median_bandwidth(x, y), broadcast_median_bandwidth(x, y)
        if D < 8:  # numpy sums fewer than 8 terms in order, as pdist does: bit for bit
            assert got == want
        else:  # numpy's pairwise summation groups 8 or more terms differently: rounding level only
            assert got == pytest.approx(want, rel=4e-16 * D, abs=0)


def test_pdist_bandwidth_caps_each_sample_at_1000_points():
    g = np.random.default_rng(7)
    x, y = g.standard_normal((1500, 2)), g.standard_normal((1100, 2)) + 2.0
    assert median_bandwidth(x, y) == median_bandwidth(x[:1000], y[:1000])

