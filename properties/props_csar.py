"""Hypothesis properties of C-SAR: monotone logit transport, radius <= L, p0 <= p1, the sandwich, bad inputs."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lrtcheck.csar import (IsotonicCalibrator, SplitConformal, TemperatureScaling, VennAbers, certified_reward,
                           ideal_reward, log_reward, logit_certificate, logit_interval, venn_abers_brute_force)
from lrtcheck.stats import conformal_rank
from properties.strategies.csar import (clip_levels, log_ratios, probabilities, probability_intervals,
                                        score_label_samples)


@given(probability_intervals(), clip_levels())
def test_radius_at_most_L_and_midpoint_clipped(iv, L):
    ell, eps = logit_interval(*iv, clip=L)
    assert np.all(eps >= 0) and np.all(eps <= L)
    assert np.all(np.abs(ell) <= L)


@given(probability_intervals(), clip_levels())
def test_sound_radius_at_most_2L_and_half_width(iv, L):
    c = logit_certificate(*iv, clip=L, radius="sound")
    assert np.all(c.radius <= 2 * L + 1e-12)
    with np.errstate(invalid="ignore"):
        half = np.where(c.z_low == c.z_high, 0.0, (c.z_high - c.z_low) / 2)
    assert np.all(c.radius <= half + 1e-9)


@given(probabilities(), st.floats(0.0, 1.0), clip_levels(), st.floats(-3, 3))
def test_logit_transport_monotone(p, shift, L, off):
    q = np.minimum(1.0, p + shift)
    e1, _ = logit_interval(p, p, clip=L, offset=off)
    e2, _ = logit_interval(q, q, clip=L, offset=off)
    assert np.all(e2 >= e1)


@given(probability_intervals(), clip_levels())
def test_sound_certificate_covers_interval_points(iv, L):
    c = logit_certificate(*iv, clip=L, radius="sound")
    lo = np.maximum(c.z_low, -60)
    hi = np.minimum(c.z_high, 60)
    assume(np.all(lo <= hi))
    for t in (0.0, 0.5, 1.0):
        assert np.all(c.covers(lo + t * (hi - lo)))


@given(probability_intervals(max_size=10), clip_levels(), st.floats(0, 3), st.floats(0, 3), st.data())
def test_sandwich(iv, L, alpha, beta, data):
    c = logit_certificate(*iv, clip=L)
    n = c.ell_hat.shape[0]
    ell = data.draw(log_ratios(n))
    env = np.arange(n) % 2 == 0
    rc = certified_reward(np.zeros(n), env, ell_p=c.ell_hat, eps_p=c.radius, ell_pi=c.ell_hat, eps_pi=c.radius,
                          alpha=alpha, beta=beta)
    rs = ideal_reward(np.zeros(n), env, ell_p=ell, ell_pi=ell, alpha=alpha, beta=beta, clip=L)
    ev = c.covers(ell)
    w = np.where(env, beta, alpha)
    gap = rs - rc
    assert np.all(gap[ev] >= -1e-9)
    assert np.all(gap[ev] <= 2 * w[ev] * c.radius[ev] + 1e-9)
    assert np.all(rc >= -2 * max(alpha, beta) * L - 1e-9) and np.all(rc <= max(alpha, beta) * L + 1e-9)


@given(score_label_samples(max_size=25), st.lists(st.floats(-6, 6), min_size=1, max_size=8))
def test_venn_abers_ordered_and_exact(sl, t):
    s, y = sl
    t = np.asarray(t)
    p0, p1 = VennAbers().fit(s, y).predict_interval(t)
    assert np.all(p0 <= p1) and np.all((0 <= p0) & (p1 <= 1))
    b0, b1 = venn_abers_brute_force(s, y, t)
    np.testing.assert_allclose(p0, b0, atol=1e-12)
    np.testing.assert_allclose(p1, b1, atol=1e-12)


@given(score_label_samples(min_size=2))
def test_point_calibrators_in_unit_interval(sl):
    s, y = sl
    assert np.all((0 <= IsotonicCalibrator().fit(s, y).predict_proba(s)) & (IsotonicCalibrator().fit(s, y)
                  .predict_proba(s) <= 1))
    try:
        p = TemperatureScaling().fit(s, y).predict_proba(s)
    except ValueError as exc:  # perfectly separated scores: refused, not silently wrong
        assert "separate" in str(exc)
    else:
        assert np.all((0 <= p) & (p <= 1))


@given(st.floats(0.001, 0.999), st.integers(1, 300))
def test_split_conformal_small_n_refused_or_valid(delta, n):
    u = np.linspace(0, 1, n)
    y = (u > 0.5).astype(float)
    try:
        sc = SplitConformal(delta).fit(u, y)
    except ValueError as exc:
        assert "too few" in str(exc)
        assert conformal_rank(n, delta) is None  # refused exactly when ceil((n+1)(1-delta)) > n
    else:
        assert sc.rank_ == conformal_rank(n, delta)
        assert 0 <= sc.threshold_ <= 1


@given(st.sampled_from([-0.1, 1.1, np.nan, np.inf]))
def test_bad_probabilities_refused(bad):
    with pytest.raises(ValueError):
        logit_interval([bad], [0.5], clip=1.0)
    with pytest.raises(ValueError):
        SplitConformal(0.1).fit(np.r_[np.full(30, 0.5), bad], np.zeros(31))


@given(st.sampled_from([0.0, -1.0, np.nan]))
def test_nonpositive_reward_under_log_refused(bad):
    with pytest.raises(ValueError):
        log_reward([1.0, bad])


def test_empty_calibration_sets_refused():
    for m in (VennAbers(), IsotonicCalibrator(), TemperatureScaling(), SplitConformal(0.1)):
        with pytest.raises(ValueError, match="empty"):
            m.fit([], [])
