"""Hypothesis strategies for Risk-Sensitive Diffusion: risk arrays, kernels and times."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VESDE, VPSDE, DiscreteVP

__all__ = ["risk_values", "risk_vectors", "risk_batches", "kernels", "continuous_kernels", "bad_risks"]

risk_values = st.floats(min_value=0.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positive_risk_values = st.floats(min_value=0.05, max_value=5.0, allow_nan=False, allow_infinity=False)


@st.composite
def risk_vectors(draw, min_dim: int = 1, max_dim: int = 6, positive: bool = False):
    d = draw(st.integers(min_dim, max_dim))
    return draw(hnp.arrays(np.float64, d, elements=positive_risk_values if positive else risk_values))


@st.composite
def risk_batches(draw, max_n: int = 8, max_dim: int = 5, positive: bool = False):
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(1, max_dim))
    return draw(hnp.arrays(np.float64, (n, d), elements=positive_risk_values if positive else risk_values))


@st.composite
def continuous_kernels(draw, noise=None):
    noise = noise or draw(st.sampled_from(["gaussian", "cauchy"]))
    if draw(st.booleans()):
        bmin = draw(st.floats(0.01, 1.0))
        bmax = draw(st.floats(bmin + 0.5, 30.0))
        return VPSDE(bmin, bmax, noise=noise)
    smin = draw(st.floats(0.005, 0.5))
    smax = draw(st.floats(smin * 2, 50.0))
    return VESDE(smin, smax, noise=noise)


@st.composite
def kernels(draw, noise=None):
    if draw(st.integers(0, 2)) == 0:
        T = draw(st.integers(10, 300))
        noise = noise or draw(st.sampled_from(["gaussian", "cauchy"]))
        return DiscreteVP(Schedule.linear(T, 1e-4, min(0.02 * 1000 / T, 0.5)), noise=noise)
    return draw(continuous_kernels(noise))


bad_risks = st.one_of(
    st.just(np.array([0.5, -0.1])),
    st.just(np.array([np.nan, 1.0])),
    st.just(np.array([np.inf])),
    st.just(np.zeros((2, 2, 2))),
)
