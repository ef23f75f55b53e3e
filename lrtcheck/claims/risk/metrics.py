"""``risk.metrics.exact``: the sample-quality metrics equal their exact values.

Claim.  The paper reports Wasserstein distances and MMD (Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081,
section 5, Tables 1-2); the project measures them with ``lrtcheck.risk.metrics`` (docs/methods/risk_sensitive.md
§9): the 1-D W1 (and the sliced W1 = E_theta W1(theta^T P, theta^T Q)), the exact empirical W_p of equal-size
samples, the unbiased MMD^2 with the RBF kernel and no i = j terms (Gretton et al. 2012, JMLR 13, eq. 3) with the
median-heuristic bandwidth, and the Gaussian W2, ``|m1 - m2|^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)`` (Dowson &
Landau 1982).

World.  Small seeded samples (Gaussian, shifted-scaled Gaussian, exponential; 1-D to 3-D) and Gaussian parameters.

Check.  Exact: scipy's 1-D ``wasserstein_distance``, sorted samples, dense kernel matrices from ``cdist``, ``pdist``
medians and eigh-based matrix square roots are the oracles (absolute error 1e-8; the Gaussian W2 compared squared).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.risk.metrics import mmd_rbf, sliced_wasserstein
from lrtcheck.stats.decisions import exact_decision

METRICS_CLAIM = Claim(
    id="risk.metrics.exact",
    source="arXiv 2402.02081: section 5 (Wasserstein, MMD); Gretton et al. 2012 eq. 3 (unbiased MMD^2); Dowson & "
    "Landau 1982 (Gaussian W2); docs/methods/risk_sensitive.md §9",
    statement="wasserstein_1d and the 1-D sliced W1 equal the exact 1-D W1 (scipy); the sliced W1 is 0 between a "
    "sample and its permutation; empirical_wasserstein equals the sorted-sample W_p in 1-D; mmd_rbf equals the "
    "unbiased MMD^2 (no i = j terms), also at its default bandwidth; the median bandwidth is the root of the median "
    "squared pairwise distance of at most 1000 points of each sample; gaussian_w2 equals its closed forms (1-D, diagonal) and an eigh-based evaluation for full covariances.",
)


def psd_sqrt(a):
    """The symmetric PSD square root by eigh (negative rounding-level eigenvalues clipped to 0)."""
    w, q = np.linalg.eigh(a)
    return (q * np.sqrt(np.clip(w, 0.0, None))) @ q.T


@check(METRICS_CLAIM, stochastic=False)
def check_metrics_exact(ctx):
    """Exact: every metric against its oracle, absolute error <= 1e-8."""
    from scipy.spatial.distance import cdist, pdist

    from lrtcheck.risk.metrics import empirical_wasserstein, gaussian_w2, median_bandwidth, wasserstein_1d

    g = np.random.default_rng(ctx.seed("metrics"))
    errs = {}
    a, b, c = g.standard_normal((5, 40)), 0.5 + 2.0 * g.standard_normal((5, 40)), g.exponential(1.0, (5, 23))
    ref_ab = np.array([st.wasserstein_distance(a[i], b[i]) for i in range(5)])
    ref_ac = np.array([st.wasserstein_distance(a[i], c[i]) for i in range(5)])
    errs["w1d_equal_n"] = float(np.max(np.abs(wasserstein_1d(a, b) - ref_ab)))
    errs["w1d_unequal_n"] = float(np.max(np.abs(wasserstein_1d(a, c) - ref_ac)))
    errs["sliced_1d"] = abs(sliced_wasserstein(a[0][:, None], b[0][:, None], n_projections=8) - ref_ab[0])
    x2 = g.standard_normal((60, 3))
    errs["sliced_permutation"] = abs(sliced_wasserstein(x2, x2[g.permutation(60)], n_projections=64))
    errs["empirical_w1_1d"] = abs(empirical_wasserstein(a[1][:, None], b[1][:, None]) - ref_ab[1])
    w2_1d = float(np.sqrt(np.mean((np.sort(a[2]) - np.sort(b[2])) ** 2)))
    errs["empirical_w2_1d"] = abs(empirical_wasserstein(a[2][:, None], b[2][:, None], p=2) - w2_1d)
    x, y = g.standard_normal((70, 2)), 0.3 + 1.3 * g.standard_normal((52, 2))  # 122 points: an odd pair count
    h = 0.9
    kxx, kyy, kxy = (np.exp(-cdist(p, q, "sqeuclidean") / (2 * h * h)) for p, q in ((x, x), (y, y), (x, y)))
    off = lambda k: (k.sum() - np.trace(k)) / (k.shape[0] * (k.shape[0] - 1))  # noqa: E731
    errs["mmd_unbiased"] = abs(mmd_rbf(x, y, bandwidth=h) - (off(kxx) + off(kyy) - 2.0 * kxy.mean()))
    errs["median_bandwidth"] = abs(median_bandwidth(x, y) - float(np.median(pdist(np.vstack([x, y])))))
    # the default bandwidth: the median heuristic on at most 1000 points of each sample, an even pair count (the
    # root of the mean of the two middle squared distances), then the unbiased MMD^2 on the whole samples
    xl, yl = g.standard_normal((1100, 2)), 0.4 + g.standard_normal((40, 2))
    zl = np.vstack([xl[:1000], yl])
    d2 = cdist(zl, zl, "sqeuclidean")[np.triu_indices(zl.shape[0], 1)]  # 539,980 pairs: even
    h_ref = float(np.sqrt(np.median(d2)))
    kxx, kyy, kxy = (np.exp(-cdist(p, q, "sqeuclidean") / (2 * h_ref**2)) for p, q in ((xl, xl), (yl, yl), (xl, yl)))
    errs["median_bandwidth_default"] = abs(median_bandwidth(xl, yl) - h_ref)
    # five points, ten pairs: squared distances 1 4 9 16 36 49 64 144 196 225 (middle pair 36, 49): h = sqrt(42.5)
    errs["median_bandwidth_even"] = abs(median_bandwidth(np.array([[0.0], [1.0], [3.0], [7.0]]), np.array([[15.0]]))
                                        - float(np.sqrt(42.5)))
    errs["mmd_default_bandwidth"] = abs(mmd_rbf(xl, yl) - (off(kxx) + off(kyy) - 2.0 * kxy.mean()))
    # Gaussian W2 compared squared (the square root of a rounding-level W2^2 is not rounding-level)
    errs["gw2_1d"] = abs(gaussian_w2([0.3], [[4.0]], [-0.2], [[0.25]]) ** 2 - (0.5**2 + (2.0 - 0.5) ** 2))
    d1, d2 = np.array([0.5, 2.0, 1.0]), np.array([1.5, 0.2, 1.0])
    m1, m2 = np.array([0.0, 1.0, -1.0]), np.array([0.5, 0.5, 0.0])
    errs["gw2_diagonal"] = abs(gaussian_w2(m1, np.diag(d1), m2, np.diag(d2)) ** 2
                               - (np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(d1) - np.sqrt(d2)) ** 2)))
    A, B = g.standard_normal((3, 3)), g.standard_normal((3, 3))
    s1, s2 = A @ A.T + 0.1 * np.eye(3), B @ B.T + 0.1 * np.eye(3)
    r1 = psd_sqrt(s1)
    want = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2.0 * psd_sqrt(r1 @ s2 @ r1))
    errs["gw2_full"] = abs(gaussian_w2(m1, s1, m2, s2) ** 2 - want)
    errs["gw2_self"] = abs(gaussian_w2(m1, s1, m1, s1) ** 2)
    bad = {k: v for k, v in errs.items() if not v <= 1e-8}
    decision = exact_decision(not bad, estimate=float(max(errs.values())), bound=1e-8, name="metrics",
                              message=f"metrics differ from the exact values: {bad}")
    return Evidence.from_decision(decision, details={"abs_error": {k: float(v) for k, v in errs.items()}})


# ------------------------------------------------------------------------------------------------------------------
_MET = "lrtcheck.risk.metrics"
_METRICS = ("risk.metrics.exact",)

MUTANTS = [
    Mutant("risk.sw_unsorted", f"{_MET}:wasserstein_1d",
           "the 1-D W1 of equal-size samples computed without sorting (samples paired by index)",
           source_edit(("np.mean(np.abs(np.sort(a, axis=1) - np.sort(b, axis=1)), axis=1)",
                        "np.mean(np.abs(a - b), axis=1)")),
           _METRICS, tags=("ci",)),
    Mutant("risk.mmd_diagonal", f"{_MET}:mmd_rbf",
           "the unbiased MMD^2 keeping the i = j terms k(x_i, x_i) = 1 in its within-sample sums",
           source_edit(("(kxx.sum() - np.trace(kxx)) / (n * (n - 1))", "kxx.sum() / (n * (n - 1))"),
                       ("(kyy.sum() - np.trace(kyy)) / (m * (m - 1))", "kyy.sum() / (m * (m - 1))")),
           _METRICS, tags=("ci",)),
    Mutant("risk.w2_cross_no_sqrt", f"{_MET}:gaussian_w2",
           "the Gaussian W2 cross term without its matrix square root: tr(S1 + S2 - 2 S2^1/2 S1 S2^1/2)",
           source_edit(("cross = linalg.sqrtm(r2 @ s1 @ r2)", "cross = r2 @ s1 @ r2")),
           _METRICS, tags=("ci",)),
    Mutant("risk.median_bandwidth_squared", f"{_MET}:median_bandwidth",
           "the median heuristic returning the median squared distance (the square root forgotten)",
           source_edit(("med = float(np.sqrt(np.median(pdist(z, \"sqeuclidean\"))))",
                        "med = float(np.median(pdist(z, \"sqeuclidean\")))")),
           _METRICS, tags=("ci",)),
    Mutant("risk.mmd_default_bandwidth_x_only", f"{_MET}:mmd_rbf",
           "the default MMD bandwidth taken from the first sample alone (median_bandwidth(x, x))",
           source_edit(("h = median_bandwidth(x, y) if bandwidth is None",
                        "h = median_bandwidth(x, x) if bandwidth is None")),
           _METRICS, tags=("ci",)),
    Mutant("risk.median_bandwidth_root_first", f"{_MET}:median_bandwidth",
           "the median heuristic taken over distances instead of squared distances (differs for an even pair count)",
           source_edit(("med = float(np.sqrt(np.median(pdist(z, \"sqeuclidean\"))))",
                        "med = float(np.median(pdist(z)))")),
           _METRICS, tags=("ci",)),
    Mutant("risk.median_bandwidth_untruncated", f"{_MET}:median_bandwidth",
           "the median heuristic run on every point (the cap of 1000 points of each sample dropped)",
           source_edit(("z = np.concatenate([x[:1000], y[:1000]])", "z = np.concatenate([x, y])")),
           _METRICS, tags=("ci",)),
]
