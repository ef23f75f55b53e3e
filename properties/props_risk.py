"""Hypothesis properties of the risk-sensitive kernels: monotone T(r), reductions, isotropic psi, shapes, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrtcheck.risk import cauchy_psi, cauchy_psi_derived, gaussian_psi
from lrtcheck.risk.psi import as_risk
from properties.strategies.risk import bad_risks, continuous_kernels, kernels, risk_batches, risk_vectors


@given(kernels(), risk_vectors(), st.floats(1.0, 3.0))
def test_stability_interval_shrinks_as_risk_grows(kernel, r, factor):
    lo1, hi1 = kernel.stability_interval(r)
    lo2, hi2 = kernel.stability_interval(r * factor)
    assert hi1 == hi2 == kernel.t_max
    assert lo2 >= lo1


@given(kernels(), risk_batches())
def test_batch_interval_matches_rows(kernel, r):
    lo, hi = kernel.stability_interval(r)
    assert lo.shape == (r.shape[0],)
    for i in range(r.shape[0]):
        assert kernel.stability_interval(r[i])[0] == lo[i]


@given(kernels(noise="gaussian"), risk_batches(), st.floats(0.0, 1.0))
def test_marginal_identity_inside_interval(kernel, r, frac):
    lo, hi = kernel.stability_interval(r)
    if kernel.discrete:
        t = np.clip(np.ceil(lo + frac * (hi - lo)), 1, kernel.T)
    else:
        t = np.clip(lo + (0.05 + 0.95 * frac) * (hi - lo), 1e-6, 1.0)
    ok = np.asarray(kernel.is_stable(r, t))
    v2 = kernel.noise_variance(r, t)
    total = kernel.signal_scale(t)[:, None] ** 2 * r**2 + v2
    np.testing.assert_allclose(total[ok], np.broadcast_to(kernel.clean_variance(t)[:, None], r.shape)[ok],
                               rtol=1e-10, atol=1e-12)
    assert np.all(v2 >= 0)


@given(kernels(), st.integers(1, 5))
def test_zero_risk_reduces_to_clean(kernel, d):
    lo, hi = kernel.stability_interval(np.zeros(d))
    assert lo == (1.0 if kernel.discrete else 0.0) and hi == kernel.t_max
    t = np.array([kernel.t_max])
    np.testing.assert_array_equal(kernel.noise_variance(np.zeros((1, d)), t)[0], kernel.clean_variance(t)[0])


@given(st.integers(1, 8), st.floats(0.01, 10.0))
def test_isotropic_cauchy_psi(d, r):
    expected = (d + 2) / (d + 5) * r * r
    np.testing.assert_allclose(cauchy_psi(np.full(d, r)), expected, rtol=1e-10)
    np.testing.assert_allclose(cauchy_psi_derived(np.full(d, r)), expected, rtol=1e-10)


@given(risk_vectors(positive=True))
def test_cauchy_psi_matches_matrix_formula(r):
    a, b = r**-2, r**-1
    direct = np.linalg.solve(np.outer(a, a) + np.diag(5 * a * a), b * b.sum() + 2 * a)
    np.testing.assert_allclose(cauchy_psi(r), direct, rtol=1e-7, atol=1e-9 * float(np.max(r**2)))


@given(risk_batches())
def test_psi_shapes_and_homogeneity(r):
    for f in (gaussian_psi, cauchy_psi, cauchy_psi_derived):
        p = f(r)
        assert p.shape == r.shape
        np.testing.assert_allclose(f(2.0 * r), 4.0 * p, rtol=1e-9, atol=1e-12)


@given(kernels(), bad_risks)
def test_bad_risk_refused(kernel, bad):
    with pytest.raises(ValueError, match=r"^r must (contain only finite values|be >= 0|have at most 2 dimensions)"):
        kernel.stability_interval(bad)


@given(st.integers(2, 6), st.integers(1, 4))
def test_risk_shape_rules(n, d):
    assert as_risk(0.5, (n, d)).shape == (n, d)
    assert as_risk(np.ones(d), (n, d)).shape == (n, d)
    assert as_risk(np.ones((n, 1)), (n, d)).shape == (n, d)
    with pytest.raises(ValueError, match="shape"):
        as_risk(np.ones(d + 1), (n, d))
    with pytest.raises(ValueError, match="shape"):
        as_risk(np.ones((n + 1, d)), (n, d))


@given(continuous_kernels(noise="gaussian"), risk_batches(), st.integers(0, 2**32 - 1))
def test_sampled_times_lie_in_interval(kernel, r, seed):
    t, usable = kernel.sample_time(r, np.random.default_rng(seed))
    lo, hi = kernel.stability_interval(r)
    assert np.all(t[usable] > lo[usable]) and np.all(t[usable] <= hi[usable])
    assert np.all(np.asarray(kernel.is_stable(r[usable], t[usable])))
