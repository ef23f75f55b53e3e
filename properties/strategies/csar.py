"""Hypothesis strategies for C-SAR: probability intervals, clip levels, score/label samples, certificates."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["probabilities", "probability_intervals", "clip_levels", "score_label_samples", "log_ratios"]

_prob = st.one_of(st.sampled_from([0.0, 1.0, 0.5, 1e-12, 1 - 1e-12]), st.floats(0.0, 1.0, allow_nan=False))


def probabilities(max_size: int = 30):
    """1-D arrays of probabilities in [0, 1], with the endpoints and near-endpoints drawn often."""
    return hnp.arrays(np.float64, st.integers(1, max_size), elements=_prob)


@st.composite
def probability_intervals(draw, max_size: int = 30):
    """``(p_low, p_high)`` with ``p_low <= p_high`` elementwise."""
    a = draw(probabilities(max_size))
    b = draw(hnp.arrays(np.float64, a.shape[0], elements=_prob))
    return np.minimum(a, b), np.maximum(a, b)


def clip_levels():
    return st.floats(0.05, 20.0, allow_nan=False)


def log_ratios(size: int):
    return hnp.arrays(np.float64, size, elements=st.floats(-50, 50, allow_nan=False))


@st.composite
def score_label_samples(draw, min_size: int = 1, max_size: int = 40, ties: bool = True):
    """``(scores, labels)``: finite scores (with ties when ``ties``) and binary labels."""
    n = draw(st.integers(min_size, max_size))
    if ties and draw(st.booleans()):
        scores = draw(hnp.arrays(np.float64, n, elements=st.integers(-3, 3).map(float)))
    else:
        scores = draw(hnp.arrays(np.float64, n, elements=st.floats(-5, 5, allow_nan=False)))
    labels = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 1.0])))
    return scores, labels
