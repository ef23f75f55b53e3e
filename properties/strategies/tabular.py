"""Hypothesis strategies for tabular worlds: stochastic matrices, policies, tabular MDPs (single and batched)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import tabular_envs as te

__all__ = ["stochastic_rows", "kernels", "policies", "discounts", "tabular_mdps", "mdp_and_policy",
           "batched_mdp_and_policy"]


@st.composite
def stochastic_rows(draw, shape, *, min_positive: float = 0.0, allow_zeros: bool = True):
    """An array of ``shape`` whose last axis sums to 1 (non-negative), built from drawn positive weights with a
    drawn sparsity pattern (each row keeps at least one positive entry)."""
    shape = tuple(shape)
    size = int(np.prod(shape))
    w = np.array(draw(st.lists(st.floats(1e-3, 1.0), min_size=size, max_size=size)), dtype=np.float64)
    w = w.reshape(shape)
    if allow_zeros and shape[-1] > 1:
        mask = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size))).reshape(shape)
        mask[..., 0] |= ~mask.any(axis=-1)  # keep one entry
        w = np.where(mask, w, 0.0)
    p = w / w.sum(axis=-1, keepdims=True)
    if min_positive > 0:
        k = shape[-1]
        p = (1 - min_positive * k) * p + min_positive
    return p


def discounts(max_gamma: float = 0.95):
    return st.floats(0.0, max_gamma)


def kernels(n_states: int, n_actions: int, *, allow_zeros: bool = True, min_positive: float = 0.0):
    return stochastic_rows((n_states, n_actions, n_states), allow_zeros=allow_zeros, min_positive=min_positive)


def policies(n_states: int, n_actions: int, *, allow_zeros: bool = True, min_positive: float = 0.0):
    return stochastic_rows((n_states, n_actions), allow_zeros=allow_zeros, min_positive=min_positive)


@st.composite
def tabular_mdps(draw, *, max_states: int = 6, max_actions: int = 4, max_gamma: float = 0.95,
                 allow_zeros: bool = True, n_states: int | None = None, n_actions: int | None = None):
    """A validated single :class:`tabular_envs.TabularMDP` with rewards in [-1, 1]."""
    S = n_states or draw(st.integers(1, max_states))
    A = n_actions or draw(st.integers(1, max_actions))
    P = draw(kernels(S, A, allow_zeros=allow_zeros))
    R = np.array(draw(st.lists(st.floats(-1.0, 1.0), min_size=S * A, max_size=S * A))).reshape(S, A)
    mu0 = draw(stochastic_rows((S,), allow_zeros=allow_zeros))
    return te.TabularMDP(P, R, mu0, draw(discounts(max_gamma)))


@st.composite
def mdp_and_policy(draw, **kwargs):
    mdp = draw(tabular_mdps(**kwargs))
    return mdp, draw(policies(mdp.n_states, mdp.n_actions))


@st.composite
def batched_mdp_and_policy(draw, *, max_batch: int = 4, **kwargs):
    """A batch of MDPs (shared S, A; their own gammas) stacked with :func:`tabular_envs.stack_mdps`, and one
    policy per MDP."""
    first = draw(tabular_mdps(**kwargs))
    S, A = first.n_states, first.n_actions
    kw = {k: v for k, v in kwargs.items() if k not in ("n_states", "n_actions")}
    rest = draw(st.lists(tabular_mdps(n_states=S, n_actions=A, **kw), min_size=0, max_size=max_batch - 1))
    mdps = [first] + rest
    pis = np.stack([draw(policies(S, A)) for _ in mdps])
    return te.stack_mdps(mdps), pis, mdps
