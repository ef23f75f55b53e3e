"""LRTSampler, calibration and the toy: determinism, batch invariance, bad inputs, configuration binding."""

import math

import numpy as np
import pytest
import torch
from scipy import stats as st

from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.diffusion.noise import counter_normal, mix64_reference, sample_keys
from lrtcheck.lrt import (ContextualToy, LRTSampler, QStep, StateConditionalOOD, calibrate_threshold,
                          label_top_fraction, ville_threshold)
from lrtcheck.lrt.exact import GaussianLRTLaw

SCH = Schedule.linear(20, 1e-4, 0.2)
BG, GD = GaussianMixtureHead([0.0, 0.0], 0.5), GaussianMixtureHead([0.5, -0.3], 0.5)


def _sampler(**kw):
    return LRTSampler(BG, GD, SCH, **kw)


def test_noise_matches_reference_hash_and_is_batch_free():
    from lrtcheck.diffusion.noise import _mix64, _signed
    vals = [0, 1, 2**63 + 5, 2**64 - 1, 123456789123456789]
    got = [v & (2**64 - 1) for v in _mix64(torch.tensor([_signed(v) for v in vals])).tolist()]
    assert got == [mix64_reference(v) for v in vals]
    k = sample_keys(3, torch.arange(1000))
    z = counter_normal(k, 7, 3)
    z2 = counter_normal(sample_keys(3, torch.arange(400, 600)), 7, 3)
    assert torch.equal(z[400:600], z2)
    assert not torch.equal(counter_normal(k, 8, 3), z)


@pytest.mark.parametrize("kw", [dict(), dict(gate="soft", tau=0.0, kappa=0.5), dict(statistic="running_max", tau=0.3)])
def test_batch_size_invariance_and_determinism(kw):
    a = _sampler(batch_size=7, **kw).sample(n=50, seed=11)
    b = _sampler(batch_size=1000, **kw).sample(n=50, seed=11)
    c = _sampler(batch_size=13, **kw).sample(n=50, seed=11)
    # equal up to rounding: torch's vectorised exp/log/sin differ from its scalar tail loop by <= 1 ulp
    np.testing.assert_allclose(a.actions, b.actions, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.final, c.final, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(a.running_max, b.running_max, rtol=1e-10, atol=1e-10)
    d = _sampler(**kw).sample(n=50, seed=12)
    assert not np.array_equal(a.final, d.final)
    # sample ids select the same noise streams in any order
    e = _sampler(**kw).sample(n=10, seed=11, sample_ids=np.arange(40, 50))
    np.testing.assert_allclose(e.final, a.final[40:], rtol=1e-10, atol=1e-10)


def test_null_statistic_matches_exact_gaussian_law():
    law = GaussianLRTLaw(SCH, "beta", [0, 0], [0.5, -0.3], 0.5)
    x = _sampler(variance="beta").null_statistics(4000, seed=5)
    # KS at level 1e-4 (fixed seed): the sampler reproduces N(-D^2/2, D^2)
    assert st.kstest(x, law.law("H0").cdf, method="exact").pvalue > 1e-4
    # ...and the same test rejects a law with the 1/2 ||Delta||^2 term dropped (it can fail)
    assert st.kstest(x, st.norm(0.0, law.D).cdf, method="exact").pvalue < 1e-4


def test_sigma_zero_steps_add_no_evidence():
    res = _sampler(variance="posterior").sample(n=20, seed=1, return_trace=True)
    assert np.all(res.ell[-1] == 0.0)  # t = 1 has beta~ = 0
    assert np.all(_sampler(variance="beta").sample(n=20, seed=1, return_trace=True).ell[-1] != 0.0)


def test_gate_reads_past_evidence_only():
    res = _sampler(tau=0.0, beta_max=0.5).sample(n=200, seed=2, return_trace=True)
    lam_before = np.vstack([np.zeros((1, 200)), np.cumsum(res.ell, axis=0)[:-1]])
    np.testing.assert_array_equal(res.beta > 0, lam_before > 0.0)


def test_calibration_rules_and_binding():
    smp = _sampler()
    null = smp.null_statistics(999, seed=3)
    cal = calibrate_threshold(null, 0.1)
    assert cal.k == 900 and cal.tau == np.sort(null)[899] and cal.config_hash == smp.config_hash()
    dk = calibrate_threshold(null, 0.1, delta=0.05)
    assert dk.method == "dkw" and dk.tau >= cal.tau
    assert smp.deploy(cal).tau == cal.tau
    with pytest.raises(ValueError, match="calibrated for configuration"):
        _sampler(variance="beta").deploy(cal)
    with pytest.raises(ValueError, match="recalibrate"):
        smp.replace(q_step=QStep(ContextualToy().critic, eta=0.1)).deploy(cal)
    with pytest.raises(ValueError, match="calibrated for configuration"):
        smp.replace(statistic="running_max").deploy(cal)
    assert math.isclose(ville_threshold(0.05).tau, math.log(20))
    assert calibrate_threshold(null[:5], 0.01).tau == math.inf


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_alpha_outside_unit_interval(alpha):
    with pytest.raises(ValueError, match="alpha"):
        calibrate_threshold(np.arange(10.0), alpha)


def test_bad_inputs():
    with pytest.raises(ValueError, match="null_statistics"):
        calibrate_threshold(np.array([0.0, np.nan]), 0.1)
    with pytest.raises(ValueError, match="delta"):
        calibrate_threshold(np.arange(10.0), 0.1, method="dkw")
    with pytest.raises(ValueError, match="variance"):
        _sampler(variance="large")
    with pytest.raises(ValueError, match="gate"):
        _sampler(gate="smooth")
    with pytest.raises(ValueError, match="beta_max"):
        _sampler(beta_max=1.5)
    with pytest.raises(ValueError, match="tau"):
        _sampler(tau=float("nan"))
    with pytest.raises(ValueError, match="states"):
        toy = ContextualToy()
        LRTSampler(*toy.exact_heads(), SCH).sample(n=5, seed=0)


def test_non_finite_heads_are_refused():
    def nan_head(states, actions, t):
        return torch.full_like(actions, float("nan"))

    def ok_head(states, actions, t):
        return torch.zeros_like(actions)

    with pytest.raises(ValueError, match="non-finite"):
        LRTSampler(nan_head, ok_head, SCH, action_dim=2).sample(n=4, seed=0)


def test_toy_exact_quantities():
    toy = ContextualToy(seed=1)
    rng = np.random.default_rng(0)
    s = toy.sample_states(3, rng)
    a = toy.behaviour.sample(np.repeat(s, 200000, axis=0), rng)
    v_mc = toy.critic.q(np.repeat(s, 200000, axis=0), a).reshape(3, -1).mean(1)
    np.testing.assert_allclose(v_mc, toy.value(s), rtol=0.02)
    d = toy.dataset(1000, rng)
    assert d.good.sum() == 200 and np.all(d.advantages[d.good].min() >= d.advantages[~d.good].max())
    g = toy.critic.grad(torch.tensor(s), torch.tensor(a[:3]))
    np.testing.assert_allclose(g.numpy(), toy.critic.target(s) - a[:3])
    with pytest.raises(ValueError, match=r"^p must lie in the open interval \(0, 1\)"):
        label_top_fraction(np.arange(5.0), 1.0)


def test_ood_detector():
    rng = np.random.default_rng(0)
    s = rng.standard_normal((2000, 2))
    a = s + 0.1 * rng.standard_normal((2000, 2))
    det = StateConditionalOOD(k=5, q=95, chunk=300).fit(s, a)
    assert abs(np.mean(det.loo_distances_ > det.threshold_) - 0.05) < 0.002
    assert det.rate(s[:100], a[:100] + 5.0) == 1.0
    with pytest.raises(ValueError, match=r"^q must lie in \(0, 100\)"):
        StateConditionalOOD(q=100)


def test_soft_gate_bit_identical_across_batches():
    """The soft-gated statistic is the same to the bit whatever the batch size or the number of samples drawn with it
    (CPU float64 torch.sigmoid rounded its vectorised body and its scalar tail differently)."""
    kw = dict(gate="soft", tau=-0.2, kappa=0.7, beta_max=0.8)
    big = _sampler(**kw).sample(n=5000, seed=21, return_trace=True)
    parts = [(_sampler(**kw).sample(n=1000, seed=21, return_trace=True), 1000),
             (_sampler(batch_size=7, **kw).sample(n=1000, seed=21, return_trace=True), 1000),
             (_sampler(batch_size=1, **kw).sample(n=150, seed=21, return_trace=True), 150)]
    for res, n in parts:
        for name in ("final", "running_max", "statistic", "actions"):
            assert getattr(res, name).tobytes() == getattr(big, name)[:n].tobytes(), name
        assert res.beta.tobytes() == np.ascontiguousarray(big.beta[:, :n]).tobytes()
        assert 0.0 < float(res.beta.min()) < float(res.beta.max()) < 0.8  # the gate is soft: values in between


def test_running_max_law_is_seeded():
    """The running max's exact law (a randomised Genz quadrature) is a function of (tau, seed): reruns agree to the
    bit, and the seed is an integer or a SeedSequence, never fresh entropy."""
    law = GaussianLRTLaw(Schedule.vp(5), "posterior", [0.0, 0.0], [0.5, -0.3], 0.5)
    tau = law.tau(0.1)
    a = law.running_max_sf(tau, seed=7)
    assert a == law.running_max_sf(tau, seed=7)
    assert law.running_max_sf(tau, seed=np.random.SeedSequence(3)) == law.running_max_sf(
        tau, seed=np.random.SeedSequence(3))
    assert abs(a - law.running_max_sf(tau, seed=8)) < 1e-6  # the quadrature's own accuracy
    assert law.law("H0").sf(tau) <= a <= 1.0
    for bad in (1.5, True, -1, None):
        with pytest.raises(ValueError, match="seed"):
            law.running_max_sf(tau, seed=bad)
