"""Generators of tabular MDPs: random (Dirichlet rows, controllable sparsity, rewards in [r_min, r_max]), chain,
gridworld, and the two-action risky chain used by the Le Cam lower bounds (docs/methods/tabular.md §2)."""

from __future__ import annotations

import numpy as np

from lrtcheck.stats.validation import (
    check_bool,
    check_int,
    check_positive,
    check_positive_int,
    check_real,
    check_rng,
    check_unit,
)

from .mdp import MAX_KERNEL_ENTRIES, TabularMDP, check_kernel_size, validate_gamma, validate_shape


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_int("seed", seed, minimum=0))


def _cell(name: str, value, H: int, W: int) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a cell (row, col) of the {H}x{W} grid, got {value!r}")
    r = check_int(name, value[0])
    c = check_int(name, value[1])
    if not (0 <= r < H and 0 <= c < W):
        raise ValueError(f"{name} must be a cell of the {H}x{W} grid, got {value!r}")
    return r, c

__all__ = ["random_mdp", "random_kernel", "chain_mdp", "gridworld_mdp", "risky_chain", "RiskyChain"]


def _reward_range(reward_range) -> tuple[float, float]:
    if not isinstance(reward_range, (tuple, list)) or len(reward_range) != 2:
        raise ValueError(f"reward_range must be a pair (r_min, r_max), got {reward_range!r}")
    lo, hi = (check_real("reward_range", x) for x in reward_range)
    if lo > hi:
        raise ValueError(f"reward_range must be finite with r_min <= r_max, got {reward_range!r}")
    return lo, hi


def random_kernel(n_states: int, n_actions: int, *, sparsity: float = 0.0, concentration: float = 1.0,
                  size=(), seed=0) -> np.ndarray:
    """A random kernel ``(*size, S, A, S)``: rows Dirichlet(concentration) on a random support.

    ``sparsity`` in [0, 1) is the fraction of next states removed from each row's support
    (``round(sparsity * S)``, at most ``S - 1``; each row keeps at least one next state).
    """
    S = check_positive_int("n_states", n_states)
    A = check_positive_int("n_actions", n_actions)
    sp = check_unit("sparsity", sparsity)
    if sp >= 1.0:
        raise ValueError(f"sparsity must lie in [0, 1), got {sparsity!r}")
    c = check_positive("concentration", concentration)
    if size is None:
        raise ValueError("size must be () or a batch shape (positive integers), got None")
    size = validate_shape("size", size)
    check_kernel_size(size, S, A, name="size" if size else "n_states")
    rng = check_rng("seed", seed)
    P = rng.gamma(c, size=size + (S, A, S))
    support = np.ones(P.shape, dtype=bool)
    n_zero = min(int(round(sp * S)), S - 1)
    if n_zero > 0:
        ranks = np.argsort(np.argsort(rng.random(P.shape), axis=-1), axis=-1)
        support = ranks >= n_zero
        P = np.where(support, P, 0.0)
    tot = P.sum(axis=-1, keepdims=True)
    # Gamma draws with a tiny concentration can underflow to 0 on the whole support: use the uniform law on it
    P = np.where(tot > 0, P, support.astype(np.float64))
    tot = P.sum(axis=-1, keepdims=True)
    return P / tot


def random_mdp(n_states: int, n_actions: int, *, gamma: float = 0.9, seed=0, sparsity: float = 0.0,
               concentration: float = 1.0, reward_range=(0.0, 1.0), batch=None,
               uniform_start: bool = False) -> TabularMDP:
    """A random MDP: Dirichlet(concentration) rows with ``sparsity``, rewards i.i.d. uniform on
    ``reward_range = (r_min, r_max)`` (take r_min > 0 for strictly positive rewards, as C-SAR's log r needs),
    ``mu0`` Dirichlet(1) (uniform with ``uniform_start``).  ``batch`` (int or tuple) stacks independent MDPs."""
    S = check_positive_int("n_states", n_states)
    A = check_positive_int("n_actions", n_actions)
    gamma = validate_gamma(gamma)
    lo, hi = _reward_range(reward_range)
    size = validate_shape("batch", batch)
    check_kernel_size(size, S, A, name="batch" if size else "n_states")
    uniform_start = check_bool("uniform_start", uniform_start)
    ss = _seed_sequence(seed)
    k_seed, r_seed, m_seed = ss.spawn(3)
    P = random_kernel(S, A, sparsity=sparsity, concentration=concentration, size=size, seed=k_seed)
    R = np.random.default_rng(r_seed).uniform(lo, hi, size=size + (S, A))
    if uniform_start:
        mu0 = np.full(size + (S,), 1.0 / S)
    else:
        mu0 = np.random.default_rng(m_seed).dirichlet(np.ones(S), size=size or None)
        mu0 = mu0 / mu0.sum(axis=-1, keepdims=True)
    return TabularMDP(P, R, mu0, gamma)


def chain_mdp(n_states: int, *, gamma: float = 0.9, slip: float = 0.1, reward_end: float = 1.0,
              reward_start: float = 0.1, reward_step: float = 0.0) -> TabularMDP:
    """The classic chain (Strens 2000): action 0 moves right (stays at the end), action 1 returns to state 0;
    each action slips to the other's effect with probability ``slip``.  ``R[S-1, 0] = reward_end``,
    ``R[:, 1] = reward_start``, other rewards ``reward_step``.  Starts in state 0."""
    S = check_positive_int("n_states", n_states, minimum=2)
    check_kernel_size((), S, 2)
    slip = check_unit("slip", slip)
    gamma = validate_gamma(gamma)
    reward_end, reward_start, reward_step = (check_real(k, v) for k, v in (
        ("reward_end", reward_end), ("reward_start", reward_start), ("reward_step", reward_step)))
    right = np.zeros((S, S))
    right[np.arange(S), np.minimum(np.arange(S) + 1, S - 1)] = 1.0
    back = np.zeros((S, S))
    back[:, 0] = 1.0
    P = np.stack([(1 - slip) * right + slip * back, (1 - slip) * back + slip * right], axis=1)
    R = np.full((S, 2), float(reward_step))
    R[:, 1] = float(reward_start)
    R[S - 1, 0] = float(reward_end)
    mu0 = np.zeros(S)
    mu0[0] = 1.0
    return TabularMDP(P, R, mu0, gamma)


def gridworld_mdp(height: int, width: int, *, gamma: float = 0.9, slip: float = 0.1, goal=None,
                  goal_reward: float = 1.0, step_reward: float = 0.0, start=(0, 0)) -> TabularMDP:
    """A ``height x width`` gridworld, state ``s = row * width + col``; actions up, right, down, left.  The
    intended move happens with probability ``1 - slip``; otherwise a uniformly random move of the four (walls
    keep the agent in place).  ``R[goal, :] = goal_reward`` (default goal: the far corner), else ``step_reward``;
    the goal is absorbing."""
    H = check_positive_int("height", height, maximum=MAX_KERNEL_ENTRIES)
    W = check_positive_int("width", width, maximum=MAX_KERNEL_ENTRIES)
    check_kernel_size((), H * W, 4, name="height")
    slip = check_unit("slip", slip)
    gamma = validate_gamma(gamma)
    goal_reward = check_real("goal_reward", goal_reward)
    step_reward = check_real("step_reward", step_reward)
    S = H * W
    goal = (H - 1, W - 1) if goal is None else _cell("goal", goal, H, W)
    start = _cell("start", start, H, W)
    moves = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)])
    rows, cols = np.divmod(np.arange(S), W)
    nr = np.clip(rows[:, None] + moves[None, :, 0], 0, H - 1)
    nc = np.clip(cols[:, None] + moves[None, :, 1], 0, W - 1)
    target = nr * W + nc  # (S, 4)
    M = np.zeros((S, 4, S))
    np.put_along_axis(M, target[..., None], 1.0, axis=-1)
    P = (1 - slip) * M + slip * M.mean(axis=1, keepdims=True)
    g = goal[0] * W + goal[1]
    P[g] = 0.0
    P[g, :, g] = 1.0
    R = np.full((S, 4), float(step_reward))
    R[g] = float(goal_reward)
    mu0 = np.zeros(S)
    mu0[start[0] * W + start[1]] = 1.0
    return TabularMDP(P, R, mu0, gamma)


class RiskyChain:
    """State and action indices of :func:`risky_chain`."""

    START, GOOD, BAD, SAFE_STATE = 0, 1, 2, 3
    SAFE, RISKY = 0, 1
    N_STATES, N_ACTIONS = 4, 2


def risky_chain(q: float, *, gamma: float = 0.9, reward_good: float = 1.0, reward_bad: float = 0.0,
                reward_safe: float = 0.5, reward_start: float = 0.0) -> TabularMDP:
    """The two-action risky chain (C-SAR paper §8; docs/methods/tabular.md §2, docs/methods/lecam.md §4).

    States ``START=0, GOOD=1, BAD=2, SAFE_STATE=3``; actions ``SAFE=0, RISKY=1``.  From START the safe action
    moves to SAFE_STATE; the risky action reaches GOOD with probability ``q`` and BAD otherwise.  GOOD, BAD and
    SAFE_STATE are absorbing under both actions, paying ``reward_good``, ``reward_bad``, ``reward_safe`` per step;
    START pays ``reward_start``.  Starts in START.  Exactly:
    ``Q(START, RISKY) - Q(START, SAFE) = gamma/(1-gamma) * (q r_good + (1-q) r_bad - r_safe)``.
    """
    q = check_unit("q", q)
    gamma = validate_gamma(gamma)
    reward_good, reward_bad, reward_safe, reward_start = (check_real(name, v) for name, v in (
        ("reward_good", reward_good), ("reward_bad", reward_bad), ("reward_safe", reward_safe),
        ("reward_start", reward_start)))
    rc = RiskyChain
    P = np.zeros((4, 2, 4))
    P[rc.START, rc.SAFE, rc.SAFE_STATE] = 1.0
    P[rc.START, rc.RISKY, rc.GOOD] = q
    P[rc.START, rc.RISKY, rc.BAD] = 1.0 - q
    for s in (rc.GOOD, rc.BAD, rc.SAFE_STATE):
        P[s, :, s] = 1.0
    R = np.zeros((4, 2))
    R[rc.START] = float(reward_start)
    R[rc.GOOD] = float(reward_good)
    R[rc.BAD] = float(reward_bad)
    R[rc.SAFE_STATE] = float(reward_safe)
    mu0 = np.zeros(4)
    mu0[rc.START] = 1.0
    return TabularMDP(P, R, mu0, gamma)
