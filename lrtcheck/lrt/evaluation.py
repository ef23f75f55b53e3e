"""Return-OOD Pareto of LRT, Q-only and LRT+Q on the contextual toy (arXiv 2510.24983, Table 1;
docs/methods/lrt_diffusion.md §11-§12).

For each alpha: LRT = hard gate, tau calibrated (conformal rank) on H0 draws at held-out states; Q-only = the
background sampler (beta == 0) with the Q-step (no alpha: the same point in every row); LRT+Q = the gate plus the
Q-step, recalibrated with the Q-step on.  Each row gives the exact mean return E_s[Q(s, a)], the kNN OOD rate, and
the activation rate on the evaluation states.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrtcheck.diffusion._validate import MAX_SAMPLES, strict_int
from lrtcheck.stats.validation import check_nonnegative, check_open_unit, check_positive, check_positive_int, check_unit

from .calibration import calibrate_threshold
from .ood import StateConditionalOOD
from .sampler import LRTSampler, QStep

__all__ = ["ParetoRow", "return_ood_pareto"]


@dataclass(frozen=True)
class ParetoRow:
    method: str
    alpha: float
    tau: float
    mean_return: float
    ood_rate: float
    activation_rate: float
    n: int

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not self.method:
            raise ValueError(f"method must be a non-empty string, got {self.method!r}")
        object.__setattr__(self, "alpha", check_open_unit("alpha", self.alpha))
        tau = self.tau
        if isinstance(tau, (bool, np.bool_)) or not isinstance(tau, (int, float, np.floating, np.integer)) \
                or np.isnan(tau):
            raise ValueError(f"tau must be a number (+-inf allowed), got {tau!r}")
        object.__setattr__(self, "tau", float(tau))
        r = self.mean_return
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, (int, float, np.floating, np.integer)) \
                or not np.isfinite(r):
            raise ValueError(f"mean_return must be a finite number, got {r!r}")
        object.__setattr__(self, "mean_return", float(r))
        object.__setattr__(self, "ood_rate", check_unit("ood_rate", self.ood_rate))
        object.__setattr__(self, "activation_rate", check_unit("activation_rate", self.activation_rate))
        object.__setattr__(self, "n", check_positive_int("n", self.n))


def return_ood_pareto(toy, sampler: LRTSampler, *, alphas=(0.2, 0.1, 0.05, 0.01), eta: float = 5.0,
                      clip: float = 1.0, anchor: float = 1.0, n_data: int = 20000, n_cal: int = 20000,
                      n_eval: int = 10000, seed: int = 0, ood: StateConditionalOOD | None = None) -> list[ParetoRow]:
    """The Pareto table.  ``sampler`` carries the heads, schedule, variance and gate settings (its tau is ignored).

    Seeds: data, calibration states/noise and evaluation states/noise come from ``seed`` through separate streams.
    """
    from .toy import ContextualToy

    if not isinstance(toy, ContextualToy):
        raise ValueError("toy must be a ContextualToy")
    if not isinstance(sampler, LRTSampler):
        raise ValueError("sampler must be an LRTSampler")
    if isinstance(alphas, (str, bytes)) or not hasattr(alphas, "__iter__"):
        raise ValueError(f"alphas must be a non-empty sequence of levels in (0, 1), got {alphas!r}")
    alphas = tuple(alphas)
    if not alphas:
        raise ValueError("alphas must not be empty")
    alphas = tuple(check_open_unit("alphas", a) for a in alphas)
    eta = check_nonnegative("eta", eta)
    if clip is not None:
        clip = check_positive("clip", clip)
    anchor = check_unit("anchor", anchor)
    n_data, n_cal, n_eval = (check_positive_int(k, v, maximum=MAX_SAMPLES)
                             for k, v in (("n_data", n_data), ("n_cal", n_cal), ("n_eval", n_eval)))
    seed = strict_int("seed", seed, minimum=0)
    if ood is not None and not isinstance(ood, StateConditionalOOD):
        raise ValueError("ood must be a fitted StateConditionalOOD or None")
    ss = np.random.SeedSequence(seed)
    s_data, s_cal, s_eval, n_seeds = ss.spawn(4)
    data = toy.dataset(n_data, np.random.default_rng(s_data))
    ood = ood or StateConditionalOOD().fit(data.states, data.actions)
    cal_states = toy.sample_states(n_cal, np.random.default_rng(s_cal))
    eval_states = toy.sample_states(n_eval, np.random.default_rng(s_eval))
    seed_cal, seed_eval = (int(x) for x in n_seeds.generate_state(2))
    q = QStep(toy.critic, eta=eta, clip=clip, anchor=anchor)
    rows = []

    def evaluate(method, alpha, smp):
        res = smp.sample(eval_states, seed=seed_eval)
        with np.errstate(over="ignore", invalid="ignore"):
            ret = toy.expected_return(eval_states, res.actions)
        if not np.isfinite(ret):
            raise ValueError(f"eta={eta} (with clip={clip}) moves the actions so far that the return is not finite")
        rows.append(ParetoRow(method, float(alpha), float(smp.tau), ret,
                              ood.rate(eval_states, res.actions), res.activation_rate, n_eval))

    q_only = sampler.replace(q_step=q, beta_max=0.0, tau=np.inf)
    for alpha in alphas:
        for method, qs in (("LRT", None), ("LRT+Q", q)):
            base = sampler.replace(q_step=qs, tau=np.inf)
            cal = calibrate_threshold(base.null_statistics(n_cal, seed=seed_cal, states=cal_states), alpha)
            evaluate(method, alpha, base.deploy(cal))
        evaluate("Q", alpha, q_only)
    return rows
