"""Hypothesis strategies for the diffusion core and the LRT sampler (reusable by other suites)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from lrtcheck.diffusion import GaussianMixtureHead, Schedule

__all__ = ["schedules", "gmm_heads", "alpha_bars", "actions", "alphas", "null_samples"]

finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


@st.composite
def schedules(draw, max_T: int = 30):
    T = draw(st.integers(1, max_T))
    kind = draw(st.sampled_from(["linear", "cosine", "vp"]))
    if kind == "linear":
        return Schedule.linear(T, 1e-4, draw(st.floats(1e-3, 0.3)))
    if kind == "cosine":
        return Schedule.cosine(T)
    return Schedule.vp(T)


@st.composite
def gmm_heads(draw, dim: int = 2, max_k: int = 4):
    K = draw(st.integers(1, max_k))
    means = np.array(draw(st.lists(st.lists(finite, min_size=dim, max_size=dim), min_size=K, max_size=K)))
    stds = np.array(draw(st.lists(st.floats(0.05, 2.0), min_size=K, max_size=K)))
    w = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=K, max_size=K)))
    return GaussianMixtureHead(means, stds, w / w.sum())


alpha_bars = st.floats(1e-4, 1.0, exclude_min=False)
alphas = st.floats(1e-4, 1 - 1e-4)


@st.composite
def actions(draw, dim: int = 2, max_rows: int = 8):
    n = draw(st.integers(1, max_rows))
    return np.array(draw(st.lists(st.lists(st.floats(-20, 20), min_size=dim, max_size=dim), min_size=n, max_size=n)))


null_samples = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=300).map(np.array)
