import numpy as np
import pytest

from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VESDE, VPSDE, DiscreteVP, cauchy_psi, cauchy_psi_derived, effective_psi


def test_fig2_interval():
    lo, hi = VPSDE(0.1, 20.0).stability_interval(1.0)
    assert round(lo, 3) == 0.259 and hi == 1.0
    assert np.isclose(0.1 * lo + 9.95 * lo**2, np.log(2.0), rtol=1e-14)


def test_vector_risk_uses_max():
    k = VPSDE()
    assert k.stability_interval([0.2, 1.0, 0.5]) == k.stability_interval(1.0)


def test_discrete_vp_interval_and_variance():
    k = DiscreteVP(Schedule.linear(100))
    lo, hi = k.stability_interval(0.8)
    ab = Schedule.linear(100).alpha_bars
    assert ab[int(lo) - 1] * 1.64 < 1 <= ab[int(lo) - 2] * 1.64 and hi == 100
    v2 = k.noise_variance(0.8, 99)
    assert np.isclose(v2, 1 - 1.64 * ab[98])
    with pytest.raises(ValueError, match="integer"):
        k.noise_variance(0.8, 9.5)


def test_empty_interval_marks_unusable():
    k = DiscreteVP(Schedule.linear(100))  # alpha_bar_T ~ 0.36: r = 2 is never stable
    t, usable = k.sample_time(np.full((3, 2), 2.0), np.random.default_rng(0))
    assert not usable.any()
    assert k.stability_interval(2.0)[0] > k.stability_interval(2.0)[1]


def test_ve_interval_formula():
    k = VESDE(0.01, 10.0)
    lo, _ = k.stability_interval([0.5])
    assert np.isclose(k.clean_variance(np.array([lo]))[0], 0.25, rtol=1e-12)


def test_cauchy_psi_reductions_and_anisotropy():
    assert np.isclose(cauchy_psi(2.0), 2.0)  # r^2 / 2 in 1-D
    np.testing.assert_allclose(cauchy_psi([1.0, 1.0, 1.0]), 5 / 8)
    aniso = cauchy_psi([0.5, 1.5])
    np.testing.assert_allclose(aniso, [0.1, 2.1])  # the printed formula
    np.testing.assert_allclose(cauchy_psi_derived([0.5, 1.5]), 4 / 7 * np.array([0.25, 2.25]))
    # very anisotropic risk makes the printed psi negative in the low-risk dimension
    assert cauchy_psi([1.0, 0.01])[1] < 0
    # zero risk in a dimension: the formula on the positive dimensions only
    np.testing.assert_allclose(cauchy_psi([0.0, 2.0]), [0.0, 2.0])


@pytest.mark.parametrize("bad, match", [(-1.0, ">= 0"), (np.nan, "finite"), (np.zeros((1, 1, 1)), "dimensions")])
def test_bad_risk(bad, match):
    with pytest.raises(ValueError, match=match):
        VPSDE().stability_interval(bad)
    with pytest.raises(ValueError, match=match):
        cauchy_psi(bad)


def test_bad_noise_and_params():
    with pytest.raises(ValueError, match="noise"):
        effective_psi(1.0, "laplace")
    with pytest.raises(ValueError, match="noise"):
        VPSDE(noise="laplace")
    with pytest.raises(ValueError, match="sigma_max"):
        VESDE(1.0, 0.5)
    with pytest.raises(ValueError, match="beta_max"):
        VPSDE(1.0, 0.5)


def test_perturb_refuses_outside_and_wrong_shape():
    k = VPSDE()
    x = np.zeros((2, 2))
    with pytest.raises(ValueError, match="stability"):
        k.perturb(x, 1.0, 0.1, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        k.perturb(x, np.ones(3), 0.9, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="eta"):
        k.perturb(x, 1.0, 0.9, np.zeros((3, 2)))


def test_torch_and_numpy_coefficients_agree():
    import torch

    for k in (VPSDE(), VESDE()):
        t = np.linspace(0.01, 1, 7)
        np.testing.assert_allclose(k.clean_variance(torch.tensor(t)).numpy(), k.clean_variance(t), rtol=1e-12)
        np.testing.assert_allclose(k.signal_scale(torch.tensor(t)).numpy(), k.signal_scale(t), rtol=1e-12)


@pytest.mark.parametrize("kernel", [VPSDE(), VESDE(), DiscreteVP(Schedule.linear(10))], ids=repr)
def test_coefficients_refuse_bad_t(kernel):
    fns = [kernel.signal_scale, kernel.clean_variance]
    if isinstance(kernel, VPSDE):
        fns += [kernel.log_alpha, kernel.beta]
    hi = kernel.t_max
    for fn in fns:
        with pytest.raises(ValueError, match=r"^t must contain only finite values"):
            fn(np.array([np.nan]))
        with pytest.raises(ValueError, match=r"^t must lie in \["):
            fn(np.array([-1.0]))
        with pytest.raises(ValueError, match=r"^t must lie in \["):
            fn(np.array([hi + 1.0]))
    if kernel.discrete:
        with pytest.raises(ValueError, match=r"^t must be an integer step"):
            kernel.signal_scale(np.array([1.5]))
