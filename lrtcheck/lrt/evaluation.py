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


def return_ood_pareto(toy, sampler: LRTSampler, *, alphas=(0.2, 0.1, 0.05, 0.01), eta: float = 5.0,
                      clip: float = 1.0, anchor: float = 1.0, n_data: int = 20000, n_cal: int = 20000,
                      n_eval: int = 10000, seed: int = 0, ood: StateConditionalOOD | None = None) -> list[ParetoRow]:
    """The Pareto table.  ``sampler`` carries the heads, schedule, variance and gate settings (its tau is ignored).

    Seeds: data, calibration states/noise and evaluation states/noise come from ``seed`` through separate streams.
    """
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
        rows.append(ParetoRow(method, float(alpha), float(smp.tau), toy.expected_return(eval_states, res.actions),
                              ood.rate(eval_states, res.actions), res.activation_rate, n_eval))

    q_only = sampler.replace(q_step=q, beta_max=0.0, tau=np.inf)
    for alpha in alphas:
        for method, qs in (("LRT", None), ("LRT+Q", q)):
            base = sampler.replace(q_step=qs, tau=np.inf)
            cal = calibrate_threshold(base.null_statistics(n_cal, seed=seed_cal, states=cal_states), alpha)
            evaluate(method, alpha, base.deploy(cal))
        evaluate("Q", alpha, q_only)
    return rows
