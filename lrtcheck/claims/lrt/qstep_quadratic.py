"""``lrt.qstep.quadratic_law``: with an action-dependent critic gradient the Q-step, its anchor and the working dtype
give the exact Gaussian law of the chain.

Claim.  The Q-step adds eta sigma_t^2 g, g = grad_a Q at the anchor (1 - lambda) mu_u + lambda m (arXiv 2510.24983,
Prop. 5.3; docs/methods/lrt_diffusion.md §6).  With a quadratic critic Q = -(a - a*)^T H (a - a*) / 2 the gradient
H (a* - x) depends on the action, so the anchor matters (a linear critic cannot see it), and the step stays affine:
on equal-variance single-Gaussian heads with the gate always open (beta = beta_max) and no clipping, (a_0, Lambda)
is jointly Gaussian with the mean and covariance of :func:`lrtcheck.worlds.lrt.affine_chain_law`.

World.  linear(T=10, 1e-4, 0.2), the beta variance (noise at every step), heads N(m_u, s^2 I), N(m_c, s^2 I);
drawn per configuration: eta, the anchor lambda in [0, 1/2], beta_max, the curvature H (eigenvalues and rotation),
and the working dtype (float32 or float64; Lambda is float64 in both).

Check.  Per configuration, two exact KS tests at half its share: Lambda against its exact normal law, and the final
action projected on the direction the target defect moves it, against its exact normal law; n sized so that the
better of the two reaches the required power against the target defect.  Target defect (declared, runnable): the
anchor ignored (the gradient always taken at the gated mean m), whose exact law the oracle also gives.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Choice, ParameterSpace, Real
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.lrt import PAPER
from lrtcheck.diffusion import GaussianMixtureHead, Schedule
from lrtcheck.lrt import QStep
from lrtcheck.stats import ks_sample_size
from lrtcheck.stats.decisions import bonferroni, ks_decision, split_share
from lrtcheck.worlds.lrt import (BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, QuadraticCritic, affine_chain_law,
                                 lrt_sampler_factory)

QUAD_CLAIM = Claim(
    id="lrt.qstep.quadratic_law",
    source=f"{PAPER}, Prop. 5.3 (the Q-step and its anchor); docs/methods/lrt_diffusion.md §6 (anchor), §9 (exact "
    "Gaussian oracle)",
    statement="With a quadratic critic, an unclipped Q-step at anchor (1 - lambda) mu_u + lambda m and the gate open "
    "at beta_max, the final (a_0, Lambda) of the sampler is jointly Gaussian with the exact mean and covariance of the "
    "affine chain, in float32 and float64 working precision.",
    assumptions=("equal head variances", "linear(T=10) schedule, beta variance", "gate always open (tau = -inf)",
                 "no gradient clipping (clipping breaks affinity)"),
)

#: target a* of the critic (away from both heads' means, so the Q-step pulls)
TARGET = np.array([1.0, -0.5])

QUAD_SPACE = ParameterSpace("qstep_quadratic", eta=Real(0.5, 2.0), anchor=Real(0.0, 0.5), beta_max=Real(0.5, 1.0),
                            h1=Real(0.5, 3.0), h2=Real(0.5, 3.0), theta=Real(0.0, math.pi),
                            dtype=Choice("float64", "float32"))


def _curvature(cfg) -> np.ndarray:
    th = float(cfg["theta"])
    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    return R @ np.diag([float(cfg["h1"]), float(cfg["h2"])]) @ R.T


def _normal_disc(m1, m2, sd) -> float:
    """sup |Phi((x - m1)/sd) - Phi((x - m2)/sd)| = 2 Phi(|m1 - m2| / (2 sd)) - 1."""
    return float(2.0 * st.norm.cdf(abs(m1 - m2) / (2.0 * sd)) - 1.0)


def _configuration(ctx, cfg, n_min, n_max):
    import torch

    sch = Schedule.linear(10, 1e-4, 0.2)
    H, eta, lam, bmax = _curvature(cfg), float(cfg["eta"]), float(cfg["anchor"]), float(cfg["beta_max"])
    kw = dict(beta=bmax, eta=eta, H=H, target=TARGET)
    mean, cov = affine_chain_law(sch, "beta", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, anchor=lam, **kw)
    mean_d, _ = affine_chain_law(sch, "beta", BACKGROUND_MEAN, GOOD_MEAN, HEAD_STD, anchor=1.0, **kw)  # defect
    d = BACKGROUND_MEAN.size
    sd_l = math.sqrt(cov[d, d])
    shift = mean_d[:d] - mean[:d]
    w = shift / np.linalg.norm(shift) if np.linalg.norm(shift) > 0 else np.eye(d)[0]
    sd_w = math.sqrt(float(w @ cov[:d, :d] @ w))
    disc_l = _normal_disc(mean[d], mean_d[d], sd_l)
    disc_w = _normal_disc(w @ mean[:d], w @ mean_d[:d], sd_w)
    level = split_share(cfg.share, 2)
    n = int(min(n_max, max(n_min, ks_sample_size(max(disc_l, disc_w), level, ctx.required_power))))
    dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
    smp = ctx.subject(GaussianMixtureHead(BACKGROUND_MEAN, HEAD_STD), GaussianMixtureHead(GOOD_MEAN, HEAD_STD), sch,
                      variance="beta", gate="hard", beta_max=bmax, tau=-math.inf, dtype=dtype,
                      q_step=QStep(QuadraticCritic(H, TARGET), eta=eta, clip=None, anchor=lam))
    res = smp.sample(n=n, seed=cfg.seed("sample"))
    lam_stat = np.asarray(res.final)
    proj = np.asarray(res.actions) @ w
    defect = "Q-step anchor ignored (gradient always at the gated mean)"
    ks_l = ks_decision(lam_stat, st.norm(mean[d], sd_l).cdf, level, defect_discrepancy=disc_l, target_defect=defect,
                       name="Lambda ~ exact normal law")
    ks_w = ks_decision(proj, st.norm(w @ mean[:d], sd_w).cdf, level, defect_discrepancy=disc_w,
                       target_defect=defect, name="projected final action ~ exact normal law")
    row = {"eta": eta, "anchor": lam, "beta_max": bmax, "H": H.round(6).tolist(), "dtype": cfg["dtype"], "n": n,
           "lambda_dtype": str(lam_stat.dtype), "p_lambda": ks_l.p_value, "p_action": ks_w.p_value,
           "disc_lambda": disc_l, "disc_action": disc_w, "mean_lambda": float(lam_stat.mean()),
           "mean_lambda_exact": float(mean[d])}
    return bonferroni([ks_l, ks_w], cfg.share, same_defect=True, report="smallest_p"), row


@check(QUAD_CLAIM, subject="lrt.sampler", default_subject=lrt_sampler_factory,
       quick=dict(configurations=2, n_min=5000, n_max=100000), full=dict(configurations=8, n_min=20000,
                                                                           n_max=400000))
def check_qstep_quadratic_law(ctx):
    """Per drawn (eta, anchor, beta_max, H, dtype): KS of Lambda and of the projected final action against their
    exact normal laws, half the configuration's share each; defect: the anchor ignored."""
    configs = ctx.configurations(QUAD_SPACE)
    parts, rows = [], []
    for cfg in configs:
        part, row = _configuration(ctx, cfg, ctx.params["n_min"], ctx.params["n_max"])
        parts.append(part)
        rows.append(row)
    return Evidence.from_decision(configs.join(parts, same_defect=True), n=sum(r["n"] for r in rows),
                                  details={"per_configuration": rows})


_RUN_CHUNK = "lrtcheck.lrt.sampler:LRTSampler._run_chunk"

MUTANTS = [
    Mutant("lrt.qstep_anchor_ignored", _RUN_CHUNK,
           "the anchor option parsed but not wired: the Q-gradient is always taken at the gated mean m",
           source_edit(("anchor = m if lam_a == 1.0 else (mu_u if lam_a == 0.0 else "
                        "(1.0 - lam_a) * mu_u + lam_a * m)", "anchor = m")),
           ("lrt.qstep.quadratic_law",), tags=("ci",), declares=("lrt.qstep.quadratic_law",)),
    Mutant("lrt.qstep_grad_at_noisy_action", _RUN_CHUNK,
           "the Q-gradient taken at the current noisy action a_t instead of the anchor (as in a Q-guided sampler "
           "that differentiates at x_t)",
           source_edit(("g = self.q_step.gradient(states, anchor.T).T.to(dt)",
                        "g = self.q_step.gradient(states, a.T).T.to(dt)")),
           ("lrt.qstep.quadratic_law",), tags=("ci",)),
]
