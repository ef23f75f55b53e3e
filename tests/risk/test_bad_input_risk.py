"""Bad input for every name of ``lrtcheck.risk.__all__``: one malformed parameter at a time gives a ValueError that
names the parameter; invariants of the numpy functions as Hypothesis properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lrtcheck import risk
from lrtcheck.diffusion import Schedule

X = np.random.default_rng(0).standard_normal((20, 2))
Y = X + 1.0
GEN = np.random.default_rng(0)

BAD_ARRAYS = {"nan": np.array([[np.nan, 0.0]] * 20), "inf": np.full((20, 2), np.inf), "complex": X + 1j,
              "str": [["a", "b"]] * 20, "bool": np.ones((20, 2), bool), "empty": np.zeros((0, 2)),
              "object": np.array([None] * 20), "none": None}
BATCH = {k: v for k, v in BAD_ARRAYS.items() if k != "empty"}  # an empty batch of risks or times is a valid batch
BAD_POSITIVE = {"nan": float("nan"), "inf": float("inf"), "neg": -1.0, "zero": 0.0, "complex": 1 + 1j,
                "bool": True, "str": "x", "none": None, "array": np.ones(2)}
BAD_INT = {"float": 1.9, "bool": True, "neg": -1, "nan": float("nan"), "str": "3", "none": None}
BAD_SEED = {"float": 1.9, "bool": True, "neg": -1, "nan": float("nan"), "str": "3", "array": np.ones(2)}
BAD_OPTION = {"unknown": "bogus", "array": np.ones(2), "none": None, "int": 1}

# (name in __all__, parameter, call, malformed values)
CASES = [
    ("VPSDE", "beta_min", lambda v: risk.VPSDE(beta_min=v), BAD_POSITIVE),
    ("VPSDE", "beta_max", lambda v: risk.VPSDE(beta_max=v), BAD_POSITIVE),
    ("VPSDE", "t_eps", lambda v: risk.VPSDE(t_eps=v), {**BAD_POSITIVE, "above_one": 2.0}),
    ("VPSDE", "noise", lambda v: risk.VPSDE(noise=v), BAD_OPTION),
    ("VPSDE", "cauchy_form", lambda v: risk.VPSDE(cauchy_form=v), BAD_OPTION),
    ("VESDE", "sigma_min", lambda v: risk.VESDE(sigma_min=v), BAD_POSITIVE),
    ("VESDE", "sigma_max", lambda v: risk.VESDE(sigma_max=v), BAD_POSITIVE),
    ("DiscreteVP", "schedule", lambda v: risk.DiscreteVP(v), {"none": None, "float": 1.0, "array": np.ones(3)}),
    ("RiskKernel", "r", lambda v: risk.VPSDE().stability_interval(v), BATCH),
    ("RiskKernel", "t", lambda v: risk.VPSDE().noise_variance(np.full((3, 2), 0.1), v),
     {**BATCH, "outside": np.full(3, 1.5)}),
    ("RiskKernel", "r", lambda v: risk.VESDE().sample_time(v, GEN), BATCH),
    ("RiskKernel", "x0", lambda v: risk.VPSDE().perturb(v, 0.1, 0.5, np.zeros((20, 2))), BATCH),
    ("RiskKernel", "eta", lambda v: risk.VPSDE().perturb(X, 0.1, 0.9, v), BATCH),
    ("as_risk", "r", lambda v: risk.as_risk(v), {**BATCH, "negative": -np.ones(2), "huge": np.full(2, 1e200)}),
    ("gaussian_psi", "r", lambda v: risk.gaussian_psi(v), BATCH),
    ("cauchy_psi", "r", lambda v: risk.cauchy_psi(v), BATCH),
    ("cauchy_psi_derived", "r", lambda v: risk.cauchy_psi_derived(v), BATCH),
    ("effective_psi", "noise", lambda v: risk.effective_psi(np.ones(2), v), BAD_OPTION),
    ("effective_psi", "cauchy_form", lambda v: risk.effective_psi(np.ones(2), "cauchy", cauchy_form=v), BAD_OPTION),
    ("estimate_risk_knn", "x_missing", lambda v: risk.estimate_risk_knn(v),
     {k: v for k, v in BAD_ARRAYS.items() if k != "nan"}),
    ("estimate_risk_knn", "k", lambda v: risk.estimate_risk_knn(X, k=v), BAD_INT),
    ("estimate_risk_knn", "risk_scale", lambda v: risk.estimate_risk_knn(X, k=3, risk_scale=v), BAD_POSITIVE),
    ("knn_imputed_tabular", "name", lambda v: risk.knn_imputed_tabular(v), BAD_OPTION),
    ("knn_imputed_tabular", "mask_rate", lambda v: risk.knn_imputed_tabular("wine", mask_rate=v),
     {**BAD_POSITIVE, "one": 1.0}),
    ("knn_imputed_tabular", "seed", lambda v: risk.knn_imputed_tabular("wine", seed=v), BAD_SEED),
    ("proof_of_concept", "n", lambda v: risk.proof_of_concept(v), BAD_INT),
    ("proof_of_concept", "seed", lambda v: risk.proof_of_concept(10, seed=v), BAD_SEED),
    ("proof_of_concept", "noise", lambda v: risk.proof_of_concept(10, noise=v), BAD_OPTION),
    ("proof_of_concept", "std", lambda v: risk.proof_of_concept(10, std=v), BAD_POSITIVE),
    ("proof_of_concept", "means", lambda v: risk.proof_of_concept(10, means=v), BAD_ARRAYS),
    ("proof_of_concept", "weights", lambda v: risk.proof_of_concept(10, weights=v),
     {**{k: v for k, v in BAD_ARRAYS.items() if k != "none"}, "not_summing": np.array([0.5, 0.5, 0.5])}),
    ("proof_of_concept", "corrupted_component", lambda v: risk.proof_of_concept(10, corrupted_component=v),
     {"float": 1.5, "bool": True, "neg": -1, "large": 3, "nan": float("nan"), "str": "1"}),
    ("proof_of_concept", "corrupted_fraction", lambda v: risk.proof_of_concept(10, corrupted_fraction=v),
     {"above": 1.5, "nan": float("nan"), "bool": True}),
    ("mmd_rbf", "x", lambda v: risk.mmd_rbf(v, Y), BAD_ARRAYS),
    ("mmd_rbf", "bandwidth", lambda v: risk.mmd_rbf(X, Y, bandwidth=v),
     {**{k: v for k, v in BAD_POSITIVE.items() if k != "none"}, "tiny": 1e-300, "huge": 1e300}),
    ("sliced_wasserstein", "x", lambda v: risk.sliced_wasserstein(v, Y), BAD_ARRAYS),
    ("sliced_wasserstein", "y", lambda v: risk.sliced_wasserstein(X, v), {**BAD_ARRAYS, "columns": np.zeros((5, 3))}),
    ("sliced_wasserstein", "seed", lambda v: risk.sliced_wasserstein(X, Y, seed=v), BAD_SEED),
    ("sliced_wasserstein", "n_projections", lambda v: risk.sliced_wasserstein(X, Y, n_projections=v), BAD_INT),
    ("empirical_wasserstein", "x", lambda v: risk.empirical_wasserstein(v, Y), BAD_ARRAYS),
    ("empirical_wasserstein", "p", lambda v: risk.empirical_wasserstein(X, Y, p=v), BAD_INT),
    ("gaussian_w2", "m1", lambda v: risk.gaussian_w2(v, np.eye(2), [0, 0], np.eye(2)), BAD_ARRAYS),
    ("gaussian_w2", "s1", lambda v: risk.gaussian_w2([0, 0], v, [0, 0], np.eye(2)),
     {**BAD_ARRAYS, "asymmetric": np.array([[1.0, 0.5], [0.0, 1.0]]), "indefinite": -np.eye(2)}),
]
PARAMS = [pytest.param(call, value, param, id=f"{name}-{param}-{label}")
          for name, param, call, values in CASES for label, value in values.items()]


@pytest.mark.parametrize("call, value, param", PARAMS)
def test_malformed_value_is_refused_naming_the_parameter(call, value, param):
    with pytest.raises(ValueError, match=param):
        call(value)


def test_every_public_name_is_walked():
    walked = {name for name, *_ in CASES} | {"StabilityInterval", "NoisyDataset"}  # two plain result containers
    assert walked == set(risk.__all__)


def test_defaults_stay_accepted():
    assert risk.proof_of_concept(10, corrupted_component=None, weights=None, seed=np.random.SeedSequence(3)).x.shape \
        == (10, 2)
    assert np.isfinite(risk.mmd_rbf(X, Y, bandwidth=None))
    assert np.isfinite(risk.mmd_rbf(X, Y, bandwidth=1e-100))


finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
samples = hnp.arrays(np.float64, st.tuples(st.integers(2, 30), st.just(2)), elements=finite)
risks = hnp.arrays(np.float64, st.tuples(st.integers(1, 10), st.integers(1, 3)),
                   elements=st.floats(0, 20, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(samples, samples, st.integers(0, 2**31))
def test_sliced_wasserstein_is_a_symmetric_semimetric(x, y, seed):
    assert risk.sliced_wasserstein(x, x, seed=seed) == 0.0
    d_xy, d_yx = risk.sliced_wasserstein(x, y, seed=seed), risk.sliced_wasserstein(y, x, seed=seed)
    assert d_xy >= 0.0 and d_xy == pytest.approx(d_yx, rel=1e-12, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_mmd_is_symmetric_and_translation_invariant(x, y):
    h = 1.3
    a, b = risk.mmd_rbf(x, y, bandwidth=h), risk.mmd_rbf(y, x, bandwidth=h)
    assert a == pytest.approx(b, rel=1e-9, abs=1e-9)
    assert risk.mmd_rbf(x + 7.0, y + 7.0, bandwidth=h) == pytest.approx(a, rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(risks)
def test_stability_interval_grows_with_the_risk(r):
    for k in (risk.VPSDE(), risk.VESDE()):
        lo, hi = k.stability_interval(r)
        lo2, _ = k.stability_interval(2.0 * r)
        assert np.all(lo2 >= lo) and np.all(hi == 1.0)
        assert np.all(risk.gaussian_psi(r) == r**2)


# --- regression cases from the malformed-input suite (issue 17): each was a silent wrong answer or an unnamed error
@pytest.mark.parametrize("call, name", [
    (lambda: risk.VPSDE().stability_interval([1e200]), "r"),  # returned (nan, 1)
    (lambda: risk.VPSDE().log_alpha([[0.1], [0.5], []]), "t"),  # ragged t: numpy's own unnamed error
    (lambda: risk.DiscreteVP(Schedule.linear(10, 1e-4, 0.2)).time_input(np.array([1.5, 5, 10])), "t"),  # 0.15
    (lambda: risk.VESDE().sigma(np.array([np.nan, 0.5])), "t"),  # NaN sigma
    (lambda: risk.VESDE().drift_diffusion(np.array([[np.inf, 0.0]]), np.array([[0.5]])), "x"),  # 0 * inf = NaN
    (lambda: risk.VPSDE().drift_diffusion(np.zeros((3, 2)), np.array([0.1, 0.5, 0.9])), "t"),  # broadcast error
    (lambda: risk.VPSDE().noise_variance(np.zeros(2), np.array([0.1, 0.5, 0.9])), "r"),  # broadcast error
    (lambda: risk.VPSDE().sample_time(np.zeros((3, 2)), np.random.default_rng(0), clean=np.nan), "clean"),
    (lambda: risk.VPSDE().sample_time(np.zeros((3, 2)), None), "rng"),  # AttributeError
    (lambda: risk.VESDE(sigma_min=5e-324), "sigma_min"),  # an infinite log-ratio
    (lambda: risk.StabilityInterval(np.array([np.nan]), np.array([1.0])), "low"),
    (lambda: risk.as_risk([0.1], name=None), "name"),
    (lambda: risk.cauchy_psi(np.zeros(0)), "r"),  # reduction over an empty axis
    (lambda: risk.proof_of_concept(10**30), "n"),  # OverflowError
    (lambda: risk.empirical_wasserstein(np.zeros(5), np.ones(5), p=10**30), "p"),
    (lambda: risk.sliced_wasserstein(np.zeros((5, 2)), np.ones((5, 2)), n_projections=10**30), "n_projections"),
    (lambda: risk.mmd_rbf(np.zeros(6), np.ones((3, 2))), "x"),  # the D mismatch named y alone
    (lambda: risk.knn_imputed_tabular("wine", mask_rate=0.99, k=3), "mask_rate"),
])
def test_malformed_regressions_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_])"):
        call()


def test_noisy_dataset_validates_its_fields():
    ds = risk.proof_of_concept(20, seed=0)
    fields = dict(x=ds.x, risk=ds.risk, clean=ds.clean, corrupted=ds.corrupted, noise=ds.noise, mixture=ds.mixture,
                  info=ds.info)
    risk.NoisyDataset(**fields)  # the valid record
    for name, bad in [("corrupted", np.resize([np.nan, 2.0, -1.0], 20)), ("x", np.where(ds.x > 0, np.nan, ds.x)),
                      ("noise", "bogus"), ("mixture", "x"), ("info", None), ("risk", -ds.risk - 1.0)]:
        with pytest.raises(ValueError, match=name):
            risk.NoisyDataset(**{**fields, name: bad})


def test_stable_in_legal_extremes():
    """Legal inputs at the edges give finite answers: huge risk under a tiny VE sigma_min (log-space t_low), the VE
    clean variance at sigma_max = 1e150, and W_p of high order (the cost scaled before the power)."""
    ve = risk.VESDE(sigma_min=1e-150, sigma_max=1e150)
    lo, hi = ve.stability_interval([1e150])
    assert np.isfinite(lo) and 0.0 < lo <= hi == 1.0
    assert np.all(np.isfinite(ve.clean_variance(np.array([0.0, 0.5, 1.0]))))
    w = risk.empirical_wasserstein(np.array([0.0, 1e100]), np.array([1e100, 0.0]), p=100)
    assert w == 0.0
    assert risk.empirical_wasserstein(np.array([0.0, 1.0]), np.array([1e100, 1.0]), p=50) == pytest.approx(
        1e100 * 0.5 ** (1 / 50))
