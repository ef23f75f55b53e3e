"""``risk.sampling.ddpm_law``, ``risk.sampling.em_law``, ``risk.training.draw_law``, ``risk.training.length_weight``:
the exact laws of the samplers' transitions and of the training-time draws, over drawn configurations.

Claims.  Sampling is the ordinary reverse process (Algorithms 2 / 4 of Li, Ruiz Luyten & van der Schaar, arXiv
2402.02081; docs/methods/risk_sensitive.md §7): one ancestral DDPM step is exactly
``x_(t-1) | x_t ~ N((x_t - beta_t / sqrt(1 - ab_t) eps(x_t)) / sqrt(alpha_t), sigma_t^2 I)`` with sigma_t^2 = beta~_t
(posterior) or beta_t, with fresh noise at every step (Ho et al. 2020, Algorithm 2); Euler-Maruyama on the reverse
VE or VP SDE (Song et al. 2021, arXiv 2011.13456) with fresh noise per step is, for a Gaussian data law and its exact
score, a linear Gaussian recursion whose output law is computable exactly.  Training (Algorithm 1 / 3) draws t
uniformly on T(r) (continuous: on (max(t_low, t_eps), 1]; discrete: on {t_low..T}) and a fresh eta ~ N(0, I) at
every step; with ``length_weight=True`` each sample's loss is weighted by |T(r)| / |T(0)|.

Worlds.  DDPM: a recording eps function with the known output tanh(x) + 0.1 t / T, the schedule's betas, and the
variance recomputed from them (beta~_t = beta_t (1 - ab_(t-1)) / (1 - ab_t)), not from the schedule's own method.
Euler-Maruyama: x_0 ~ N(m, s^2) per dimension, whose score at t is -(x - u m) / (u^2 s^2 + v0^2) with u, v0 from the
closed forms of the kernel (VE: sigma(t) = sigma_min (sigma_max / sigma_min)^t; VP: beta(t) linear).  Training: a
recording network (known output, float64) on one repeated sample (x~_0, r), the coefficients from
:func:`lrtcheck.worlds.risk.closed_form_coefficients`; for the length weight two samples whose x~_t are told apart by
their size.

Checks.  ``ddpm_law`` per drawn (schedule, T, variance, dtype): the standardised transition residuals z of every
step t >= 2 are i.i.d. N(0, 1), so sum z^2 is chi-square((T - 1) n D) (defect: sigma_t^2 used as the noise's standard
deviation; power from exact draws of its weighted chi-square law), and over disjoint pairs of consecutive steps
sum ((z_t + z_(t-1)) / sqrt 2)^2 is chi-square too (defect: one noise draw reused at every step, which doubles it;
exact power).  ``em_law`` per drawn (VE or VP, steps, m, s, sigma_max or beta_max, dtype): the exact KS test of the
output against the recursion's Gaussian law, n set by the KS guaranteed power against the noise reused at every step.
``draw_law`` per drawn (kernel, anisotropic risk): the exact KS test of the training times' probability-integral
transform (randomised for the discrete kernel) against U(0, 1) (defect: the vanilla time draw clamped into T(r), an
atom at its left end), the pair chi-square of the recovered eta across consecutive steps (defect: eta drawn once and
reused), and sum eta^2 against its chi-square law (defect: x~_t built with v^2 where v is meant).  ``length_weight``
(exact): every logged loss equals the |T(r)| / |T(0)|-weighted mean of the closed-form residuals (relative 1e-6).
Float32 sampling adds a rounding-level perturbation (relative ~1e-7) to exact laws; no test here can see it.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Choice, Integer, ParameterSpace, Real
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.claims.risk.targets import recording_net
from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VESDE, VPSDE, DiscreteVP
from lrtcheck.stats import ks_sample_size
from lrtcheck.stats.decisions import (bonferroni, exact_decision, ks_decision, p_value_decision,
                                      simulated_power_lower_bound, split_share)
from lrtcheck.worlds.risk import closed_form_coefficients, closed_form_t_low, reference_kernels


def run_configurations(ctx, space, decide, *args) -> Evidence:
    """The run block of the drawn-configuration checks: ``decide(cfg, *args) -> (decision, row)`` per configuration
    of ``space`` (the tier's count), joined at the check's share (``configs.join``, Bonferroni), each row reported
    with its configuration's values under ``details["per_configuration"]``."""
    configs = ctx.configurations(space)
    parts, rows = [], []
    for cfg in configs:
        part, row = decide(cfg, *args)
        parts.append(part)
        rows.append({**dict(cfg), **row})
    return Evidence.from_decision(configs.join(parts), details={"per_configuration": rows})


def chi2_two_sided(q: float, dof: int) -> float:
    """Two-sided p-value of q under chi-square(dof): min(1, 2 min(F(q), 1 - F(q)))."""
    return float(min(1.0, 2.0 * min(st.chi2.cdf(q, dof), st.chi2.sf(q, dof))))


def chi2_region(dof: int, level: float) -> tuple[float, float]:
    """The equal-tailed acceptance region of chi-square(dof) at ``level``."""
    return float(st.chi2.ppf(level / 2.0, dof)), float(st.chi2.isf(level / 2.0, dof))


def doubled_chi2_power(dof: int, level: float) -> float:
    """Exact rejection probability of the two-sided chi-square(dof) test when the statistic is 2 chi-square(dof)."""
    lo, hi = chi2_region(dof, level)
    return float(st.chi2.sf(hi / 2.0, dof) + st.chi2.cdf(lo / 2.0, dof))


def pair_statistic(z: np.ndarray) -> tuple[float, int]:
    """sum over disjoint pairs of consecutive steps (0, 1), (2, 3), ... of ((z_a + z_b) / sqrt 2)^2, and its degrees
    of freedom; ``z`` has the step on its first axis."""
    k = (z.shape[0] // 2) * 2
    w = (z[0:k:2] + z[1:k:2]) / np.sqrt(2.0)
    return float(np.sum(w * w)), int(w.size)


# ------------------------------------------------------------------------------------------------------------------
DDPM_CLAIM = Claim(
    id="risk.sampling.ddpm_law",
    source="arXiv 2402.02081: Algorithm 2 (ordinary reverse process); Ho et al. 2020, Algorithm 2; "
    "docs/methods/risk_sensitive.md §7, docs/methods/diffusion.md §4",
    statement="Each ancestral DDPM step t >= 2 draws x_(t-1) | x_t ~ N((x_t - beta_t / sqrt(1 - ab_t) eps(x_t)) / "
    "sqrt(alpha_t), sigma_t^2 I) with sigma_t^2 = beta~_t = beta_t (1 - ab_(t-1)) / (1 - ab_t) (posterior) or "
    "beta_t (beta), with noise independent across steps, for every schedule, T, variance and working dtype.",
    assumptions=("a recording eps function with a known output", "float32 rounding (relative ~1e-7) neglected"),
)

DDPM_SPACE = ParameterSpace("ddpm_transition", schedule=Choice("linear", "cosine"), T=Integer(10, 200, log=True),
                            variance=Choice("posterior", "beta"), dtype=Choice("float32", "float64"))
STD_IS_VARIANCE = "sigma_t^2 used as the standard deviation of the step's noise"
NOISE_REUSED = "one noise draw reused at every step"


def reference_step_variance(betas: np.ndarray, kind: str) -> np.ndarray:
    """sigma_t^2 from the betas: beta~_t = beta_t (1 - ab_(t-1)) / (1 - ab_t) (ab_0 = 1) or beta_t."""
    ab = np.cumprod(1.0 - betas)
    ab_prev = np.concatenate([[1.0], ab[:-1]])
    return betas * (1.0 - ab_prev) / (1.0 - ab) if kind == "posterior" else betas.copy()


def _ddpm_configuration(cfg, n: int, power_draws: int):
    import torch

    from lrtcheck.risk.sampling import ddpm_sample

    T = int(cfg["T"])
    sch = Schedule.linear(T) if cfg["schedule"] == "linear" else Schedule.cosine(T)
    betas = np.asarray(sch.betas, dtype=np.float64)
    ab = np.cumprod(1.0 - betas)
    sig2 = reference_step_variance(betas, cfg["variance"])
    dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
    rec = []

    def eps_fn(x, t):
        rec.append(x.double().numpy().copy())
        return torch.tanh(x) + 0.1 * t / T

    out = ddpm_sample(eps_fn, DiscreteVP(sch), (n, 2), variance=cfg["variance"],
                      generator=cfg.torch_generator("ddpm"), dtype=dtype).double().numpy()
    if len(rec) != T:
        return exact_decision(False, estimate=len(rec), bound=T, name="steps visited",
                              message=f"{len(rec)} eps calls for T = {T}"), {}
    xs = np.stack(rec + [out])  # xs[i] = x_(T - i)
    t = np.arange(T, 1, -1)  # the steps with noise
    i = t - 1
    mean = (xs[:-2] - (betas[i] / np.sqrt(1.0 - ab[i]))[:, None, None] * (np.tanh(xs[:-2]) + 0.1 * t[:, None, None] / T)
            ) / np.sqrt(1.0 - betas[i])[:, None, None]
    z = (xs[1:-1] - mean) / np.sqrt(sig2[i])[:, None, None]
    level = split_share(cfg.share, 2)
    # (1) the step variance: sum z^2 ~ chi-square((T - 1) n D)
    dof1 = int(z.size)
    q1 = float(np.sum(z * z))
    lo1, hi1 = chi2_region(dof1, level)
    g = np.random.default_rng(cfg.stream("ddpm-power"))
    # defect: noise sd sigma_t^2, i.e. z' = sigma_t z: sum_t sigma_t^2 chi-square(n D), drawn exactly per step
    q_def = g.chisquare(n * 2, (power_draws, t.size)) @ sig2[i]
    power1 = simulated_power_lower_bound(int(np.sum((q_def < lo1) | (q_def > hi1))), power_draws, 1e-3)
    part1 = p_value_decision(chi2_two_sided(q1, dof1), level, power=power1, statistic=q1, n=dof1,
                             target_defect=STD_IS_VARIANCE, name="sum of squared standardised steps")
    # (2) independence across steps: pairs of consecutive steps
    q2, dof2 = pair_statistic(z)
    part2 = p_value_decision(chi2_two_sided(q2, dof2), level, power=doubled_chi2_power(dof2, level), statistic=q2,
                             n=dof2, target_defect=NOISE_REUSED, name="consecutive-step pairs")
    row = {"chi2_steps": q1, "dof_steps": dof1, "power_std_is_variance": power1, "chi2_pairs": q2,
           "dof_pairs": dof2, "power_noise_reused": part2.power, "p_steps": part1.p_value, "p_pairs": part2.p_value}
    return bonferroni([part1, part2], cfg.share, name="ddpm transition law"), row


@check(DDPM_CLAIM, quick=dict(configurations=2, n=400, power_draws=2000),
       full=dict(configurations=8, n=2000, power_draws=5000))
def check_ddpm_law(ctx):
    """Per drawn configuration: the chi-square laws of the standardised transition residuals and of their
    consecutive-step pairs; defects: sigma_t^2 as the noise's standard deviation, one noise draw reused."""
    return run_configurations(ctx, DDPM_SPACE, _ddpm_configuration, ctx.params["n"], ctx.params["power_draws"])


# ------------------------------------------------------------------------------------------------------------------
EM_CLAIM = Claim(
    id="risk.sampling.em_law",
    source="arXiv 2402.02081: Algorithms 2 and 4 (reverse SDE, VP and VE); Song et al. 2021, arXiv 2011.13456; "
    "docs/methods/risk_sensitive.md §7",
    statement="Euler-Maruyama on the reverse VE or VP SDE from its prior (VE: N(0, sigma(1)^2 - sigma_min^2), VP: "
    "N(0, 1)), with g^2 = 2 ln(sigma_max / sigma_min) sigma(t)^2 (VE) or beta(t) (VP) and fresh noise at every step "
    "but the last, has, for x_0 ~ N(m, s^2) and its exact score, exactly the Gaussian output law of the linear "
    "recursion x <- a_i x + b_i + c_i z.",
    assumptions=("the exact score of the Gaussian data law handed to the sampler",
                 "float32 rounding (relative ~1e-7) neglected"),
)

EM_SPACE = ParameterSpace("em_sampler", kernel=Choice("vesde", "vpsde"), steps=Integer(20, 200, log=True),
                          mean=Real(-2.0, 2.0), std=Real(0.2, 2.0), sigma_max=Real(5.0, 50.0),
                          beta_max=Real(5.0, 25.0), dtype=Choice("float32", "float64"))


def em_reference_law(kind: str, steps: int, mean: float, std: float, sigma_max: float, beta_max: float,
                     t_eps: float, reuse: bool = False) -> tuple[float, float, dict]:
    """(mean, sd) of the Euler-Maruyama output from the closed forms, and the coefficient functions; ``reuse``: the
    sd when one noise draw is reused at every step (the defect)."""
    smin, bmin = 0.01, 0.1
    lr = np.log(sigma_max / smin)

    def coef(t):
        if kind == "vesde":
            sig2 = (smin * np.exp(lr * t)) ** 2
            return 1.0, sig2 - smin**2, 0.0, 2.0 * lr * sig2  # u, v0^2, drift factor, g^2
        beta = bmin + t * (beta_max - bmin)
        la = -(bmin * t + 0.5 * (beta_max - bmin) * t * t)
        return float(np.exp(0.5 * la)), float(-np.expm1(la)), -0.5 * beta, beta

    ts = 1.0 - (1.0 - t_eps) * np.arange(steps + 1) / steps
    mu = 0.0
    var = coef(1.0)[1] if kind == "vesde" else 1.0
    amp = np.sqrt(var)  # with reuse, the sd of the prior-plus-noise sum is accumulated linearly in the noise part
    noise_sum = 0.0
    for i in range(steps):
        t, dt = ts[i], ts[i] - ts[i + 1]
        u, v0sq, fk, g2 = coef(t)
        c = u * u * std * std + v0sq
        a = 1.0 - fk * dt - g2 * dt / c
        mu = a * mu + g2 * dt * u * mean / c
        noise = g2 * dt if i < steps - 1 else 0.0
        var = a * a * var + noise
        amp, noise_sum = a * amp, a * noise_sum + np.sqrt(noise)
    sd_reuse = float(np.sqrt(amp * amp + noise_sum * noise_sum))
    return float(mu), float(np.sqrt(var)), {"sd_noise_reused": sd_reuse}


def normal_sup_gap(sd_a: float, sd_b: float) -> float:
    """sup_x |Phi(x / sd_a) - Phi(x / sd_b)| (same mean), on a fine grid."""
    x = np.linspace(0.0, 8.0 * max(sd_a, sd_b), 200001)
    return float(np.max(np.abs(st.norm.cdf(x / sd_a) - st.norm.cdf(x / sd_b))))


def _em_configuration(cfg, min_n: int, max_n: int, required_power: float):
    import torch

    from lrtcheck.risk.sampling import euler_maruyama_sample

    kind, steps = cfg["kernel"], int(cfg["steps"])
    m, s = float(cfg["mean"]), float(cfg["std"])
    kernel = VESDE(0.01, float(cfg["sigma_max"])) if kind == "vesde" else VPSDE(0.1, float(cfg["beta_max"]))
    mu, sd, extra = em_reference_law(kind, steps, m, s, float(cfg["sigma_max"]), float(cfg["beta_max"]),
                                     kernel.t_eps)
    smin, lr = 0.01, float(np.log(float(cfg["sigma_max"]) / 0.01))
    bmin, bmax = 0.1, float(cfg["beta_max"])

    def score_fn(x, t):
        if kind == "vesde":
            u, v0sq = 1.0, smin**2 * np.expm1(2.0 * lr * t)
        else:
            la = -(bmin * t + 0.5 * (bmax - bmin) * t * t)
            u, v0sq = float(np.exp(0.5 * la)), float(-np.expm1(la))
        return -(x - u * m) / (u * u * s * s + v0sq)

    level = cfg.share
    disc = normal_sup_gap(sd, extra["sd_noise_reused"])
    # at least min_n draws, so that defects other than the declared one are seen too
    n = min(max(ks_sample_size(min(disc, 0.999), level, required_power), min_n), max_n)
    dtype = torch.float32 if cfg["dtype"] == "float32" else torch.float64
    out = euler_maruyama_sample(score_fn, kernel, ((n + 1) // 2, 2), steps=steps,
                                generator=cfg.torch_generator("em"), dtype=dtype).double().numpy().reshape(-1)
    ks = ks_decision(out, st.norm(mu, sd).cdf, level, defect_discrepancy=disc, target_defect=NOISE_REUSED,
                     name=f"{kind} Euler-Maruyama output")
    return ks, {"n": int(out.size), "law_mean": mu, "law_sd": sd, "sd_noise_reused": extra["sd_noise_reused"],
                "defect_sup_gap": disc, "ks": ks.statistic, "p": ks.p_value, "power": ks.power}


@check(EM_CLAIM, quick=dict(configurations=2, min_n=4000, max_n=20000),
       full=dict(configurations=8, min_n=20000, max_n=200000))
def check_em_law(ctx):
    """Per drawn configuration: the exact KS test of the Euler-Maruyama output against the recursion's Gaussian law;
    defect: one noise draw reused at every step."""
    return run_configurations(ctx, EM_SPACE, _em_configuration, ctx.params["min_n"], ctx.params["max_n"],
                              ctx.required_power)


# ------------------------------------------------------------------------------------------------------------------
DRAW_CLAIM = Claim(
    id="risk.training.draw_law",
    source="arXiv 2402.02081: Algorithm 1 / 3 (t uniform on T(r), eta ~ N(0, I)); docs/methods/risk_sensitive.md §6",
    statement="fit_network draws, at every step, t uniform on T(r) (continuous: on (max(t_low, t_eps), 1]; discrete: "
    "on {t_low..T}) and a fresh eta ~ N(0, I) independent of earlier steps, and builds x~_t = u x~_0 + v(r, t) eta.",
    assumptions=("a recording network with a known output; float64; one repeated sample (x~_0, r)",),
)

DRAW_SPACE = ParameterSpace("training_draws", kernel=Choice("discrete_vp", "vpsde", "vesde"),
                            risk=Real(0.3, 1.2), anisotropy=Real(0.2, 1.0))
TIME_CLAMPED = "the vanilla time draw clamped into T(r) (an atom at its left end) instead of a draw on T(r)"
X_ROW = np.array([0.3, -0.2])


def cantelli_power(mean: float, var: float, lo: float, hi: float) -> float:
    """A lower bound on P(Q outside [lo, hi]) for a statistic Q of the given mean and variance under the defect.

    Cantelli's one-sided inequality P(Q - mean >= d) <= var / (var + d^2) for d > 0: when mean < lo,
    P(Q < lo) >= 1 - var / (var + (lo - mean)^2), and symmetrically when mean > hi; 0 when the mean lies in the
    region.  Exact as a bound (no normal approximation), and free where simulating Q would take ~1e8 draws.
    Used for Q = sum_i w_i chi-square(1), mean sum w, variance 2 sum w^2."""
    if mean < lo:
        d = lo - mean
    elif mean > hi:
        d = mean - hi
    else:
        return 0.0
    return float(1.0 - var / (var + d * d))


def _draw_configuration(cfg, kernels, steps: int, batch: int):
    import torch

    from lrtcheck.risk.training import fit_network

    name = cfg["kernel"]
    k = kernels[name]
    r_row = np.array([cfg["risk"], cfg["risk"] * cfg["anisotropy"]])
    net = recording_net()
    fit_network(net, k, np.tile(X_ROW, (32, 1)), np.tile(r_row, (32, 1)), steps=steps, batch_size=batch,
                seed=cfg.seed("fit") % (2**31), log_every=0, dtype=torch.float64)
    x_t = np.stack([c[0][0] for c in net.calls])  # (steps, batch, D)
    tau = np.stack([c[1][0] for c in net.calls])  # (steps, batch)
    lo = float(closed_form_t_low(name, np.array([float(np.max(r_row**2))]))[0])
    t = np.round(tau * k.T) if k.discrete else tau
    if k.discrete:
        span = k.T - lo + 1
        pit = (t - lo + np.random.default_rng(cfg.stream("pit")).random(t.shape)) / span
        atom = lo / k.T - 1.0 / span  # clamped: the first cell holds lo / T instead of 1 / span
    else:
        lo = max(lo, k.t_eps)
        pit = (t - lo) / (k.t_max - lo)
        atom = (lo - k.t_eps) / (k.t_max - k.t_eps)
    u2, v0sq = closed_form_coefficients(name, np.clip(t, 1 if k.discrete else 0.0, k.t_max))
    v2 = np.maximum(v0sq[..., None] - u2[..., None] * r_row**2, 1e-300)
    eta = (x_t - np.sqrt(u2)[..., None] * X_ROW) / np.sqrt(v2)
    level = split_share(cfg.share, 3)
    if not (np.all(np.isfinite(eta)) and np.all(np.isfinite(pit))):
        bad = exact_decision(False, estimate=float("inf"), name="recovered draws",
                             message=f"{name}: non-finite recovered eta or time (t at the edge of T(r))")
        return bonferroni([bad], cfg.share), {"finite": False}
    ks = ks_decision(pit.reshape(-1), st.uniform.cdf, level, defect_discrepancy=float(np.clip(atom, 0.0, 1.0)),
                     target_defect=TIME_CLAMPED, name=f"{name} training-time law")
    q2, dof2 = pair_statistic(eta)
    pairs = p_value_decision(chi2_two_sided(q2, dof2), level, power=doubled_chi2_power(dof2, level), statistic=q2,
                             n=dof2, target_defect=NOISE_REUSED, name=f"{name} eta across consecutive steps")
    q1, dof1 = float(np.sum(eta * eta)), int(eta.size)
    lo1, hi1 = chi2_region(dof1, level)
    # defect x~_t = u x~_0 + v^2 eta: the recovered eta is v eta, so sum eta^2 is sum v^2 chi-square(1)
    w = np.broadcast_to(v2, eta.shape).reshape(-1)
    power1 = cantelli_power(float(np.sum(w)), 2.0 * float(np.sum(w * w)), lo1, hi1)
    scale = p_value_decision(chi2_two_sided(q1, dof1), level, power=power1, statistic=q1, n=dof1,
                             target_defect="x~_t built with v^2 where v is meant", name=f"{name} sum eta^2")
    row = {"t_low": lo, "ks_time": ks.statistic, "p_time": ks.p_value, "time_atom_defect": atom,
           "power_time": ks.power, "chi2_pairs": q2, "p_pairs": pairs.p_value, "power_noise_reused": pairs.power,
           "chi2_eta": q1, "p_eta": scale.p_value, "power_v_squared": power1, "n_times": int(pit.size)}
    return bonferroni([ks, pairs, scale], cfg.share, name="training draws"), row


@check(DRAW_CLAIM, quick=dict(configurations=3, steps=24, batch=500),
       full=dict(configurations=9, steps=80, batch=1000))
def check_draw_law(ctx):
    """Per drawn (kernel, risk): the exact KS law of the training times, and the chi-square laws of the recovered
    training noise and of its consecutive-step pairs; defects: the time draw clamped, eta reused, v^2 for v."""
    return run_configurations(ctx, DRAW_SPACE, _draw_configuration, reference_kernels(), ctx.params["steps"],
                              ctx.params["batch"])


# ------------------------------------------------------------------------------------------------------------------
LENGTH_CLAIM = Claim(
    id="risk.training.length_weight",
    source="arXiv 2402.02081: Algorithm 1 / 3 (t uniform on T(r)); docs/methods/risk_sensitive.md §6 (length "
    "weight, a project option)",
    statement="With length_weight=True, fit_network's logged loss is sum_k w_k |res_k|^2 / sum_k w_k with "
    "w_k = |T(r_k)| / |T(0)| (continuous: (1 - max(t_low, t_eps)) / (1 - t_eps); discrete: (T - t_low + 1) / T), "
    "for every kernel.",
    assumptions=("a recording network with a known output; float64; two samples told apart by their size",),
)


@check(LENGTH_CLAIM, stochastic=False)
def check_length_weight(ctx):
    """Exact: every logged loss against the length-weighted mean of the closed-form residuals (relative 1e-6)."""
    import torch

    from lrtcheck.risk.training import fit_network

    xs = np.array([[0.2, -0.1], [1e4, -1e4]])  # the second row's x~_t is at least 60 in size, the first's below 10
    rs = np.array([[0.1, 0.05], [0.9, 0.6]])
    problems, details = [], {}
    for name, k in reference_kernels().items():
        lo = closed_form_t_low(name, np.max(rs**2, axis=1))
        if k.discrete:
            w = (k.T - lo + 1) / k.T
        else:
            w = (k.t_max - np.maximum(lo, k.t_eps)) / (k.t_max - k.t_eps)
        for par in ("eps", "score"):
            net = recording_net()
            log = fit_network(net, k, np.repeat(xs, 16, axis=0), np.repeat(rs, 16, axis=0), steps=3, batch_size=256,
                              seed=ctx.seed(f"lw-{name}-{par}") % (2**31), parameterization=par, length_weight=True,
                              log_every=1, dtype=torch.float64)
            worst = 0.0
            for (x_t, tau), logged in zip(net.calls, log.losses):
                x_t, tau = x_t[0], tau[0]
                row = (np.max(np.abs(x_t), axis=1) > 30.0).astype(int)
                t = np.round(tau * k.T) if k.discrete else tau
                u2, v0sq = closed_form_coefficients(name, t)
                u, v0sq = np.sqrt(u2)[:, None], v0sq[:, None]
                v = np.sqrt(np.maximum(v0sq - u * u * rs[row] ** 2, 1e-300))
                eta = (x_t - u * xs[row]) / v
                o = np.sin(2.0 * x_t) + tau[:, None]
                s = -o / np.sqrt(v0sq) if par == "eps" else o
                res = v * s + eta
                want = float(np.sum(w[row] * np.sum(res * res, axis=1)) / np.sum(w[row]))
                got = float(np.asarray(logged).reshape(-1)[0])
                worst = max(worst, abs(got - want) / max(abs(want), 1e-12))
            details[f"{name}/{par}"] = {"loss_rel_error": worst, "weights": w.tolist()}
            if not worst <= 1e-6 or len(net.calls) != 3:
                problems.append(f"{name}/{par}: loss differs from the length-weighted closed form ({worst:.3g})")
    decision = exact_decision(not problems, estimate=max(d["loss_rel_error"] for d in details.values()), bound=1e-6,
                              name="length-weighted loss", message="; ".join(problems[:4]))
    return Evidence.from_decision(decision, details=details)


# ------------------------------------------------------------------------------------------------------------------
_SAMP = "lrtcheck.risk.sampling"
_TRAIN = "lrtcheck.risk.training"
_DDPM, _EM = "risk.sampling.ddpm_law", "risk.sampling.em_law"
_DRAW, _LW = "risk.training.draw_law", "risk.training.length_weight"

MUTANTS = [
    Mutant("risk.ddpm_noise_std_is_variance", f"{_SAMP}:ddpm_sample",
           "the step's noise scaled by sigma_t^2, not sigma_t",
           source_edit(("x = x + float(np.sqrt(sig2[i])) * torch.randn(",
                        "x = x + float(sig2[i]) * torch.randn(")),
           (_DDPM,), tags=("ci",), declares=(_DDPM,)),
    Mutant("risk.ddpm_noise_reused", f"{_SAMP}:ddpm_sample",
           "one noise draw made before the loop and reused at every step",
           source_edit(("x = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)",
                        "x = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)\n"
                        "z_fixed = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)"),
                       ("* torch.randn(x.shape, generator=generator, device=device, dtype=dtype)", "* z_fixed")),
           (_DDPM,), tags=("ci",), declares=(_DDPM,)),
    Mutant("risk.ddpm_variance_kind_ignored", f"{_SAMP}:ddpm_sample",
           "the variance option ignored: the posterior variance beta~_t used whatever is asked",
           source_edit(("sig2 = sch.variance(variance)", "sig2 = sch.variance(\"posterior\")")),
           (_DDPM,), tags=("ci",)),
    Mutant("risk.em_noise_reused", f"{_SAMP}:euler_maruyama_sample",
           "one noise draw made before the loop and reused at every Euler-Maruyama step",
           source_edit(("x = prior_std * torch.randn(tuple(shape), generator=generator, device=device, "
                        "dtype=dtype)",
                        "x = prior_std * torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)\n"
                        "z_fixed = torch.randn(tuple(shape), generator=generator, device=device, dtype=dtype)"),
                       ("* torch.randn(x.shape, generator=generator, device=device, dtype=dtype)", "* z_fixed")),
           (_EM,), tags=("ci",), declares=(_EM,)),
    Mutant("risk.ve_g2_half", "lrtcheck.risk.kernels:VESDE.drift_diffusion",
           "the VE diffusion g^2 = d sigma^2 / dt written ln(sigma_max / sigma_min) sigma^2 (the factor 2 lost)",
           source_edit(("return 0.0 * x, 2.0 * self._log_ratio * s * s", "return 0.0 * x, self._log_ratio * s * s")),
           (_EM,), tags=("ci",)),
    Mutant("risk.fit_time_clamped", f"{_TRAIN}:fit_network",
           "the vanilla time draw on the whole range clamped into T(r) instead of a draw on T(r)",
           source_edit(("t = torch.clamp(lo + torch.floor(unif * (kernel.T - lo + 1)), max=kernel.T)",
                        "t = torch.clamp(torch.maximum(1.0 + torch.floor(unif * kernel.T), lo), max=kernel.T)"),
                       ("t = kernel.t_max - unif * (kernel.t_max - lo)",
                        "t = torch.maximum(kernel.t_max - unif * (kernel.t_max - kernel.t_eps), lo)")),
           (_DRAW,), tags=("ci",), declares=(_DRAW,)),
    Mutant("risk.fit_noise_reused", f"{_TRAIN}:fit_network",
           "the training noise eta drawn once at the first step and reused at every step",
           source_edit(("eta = torch.randn(xb.shape, generator=gen, device=dev, dtype=dtype)",
                        "if step == 0:\n    eta_fixed = torch.randn(xb.shape, generator=gen, device=dev, dtype=dtype)\n"
                        "eta = eta_fixed")),
           (_DRAW,), tags=("ci",), declares=(_DRAW,)),
    Mutant("risk.length_weight_dropped", f"{_TRAIN}:fit_network",
           "the length weight computed but not applied (every usable sample weighted 1)",
           source_edit(("weight = np.where(usable, lw, 0.0)", "weight = np.where(usable, 1.0, 0.0)")),
           (_LW,), tags=("ci",)),
    Mutant("risk.length_weight_discrete_off_by_one", f"{_TRAIN}:fit_network",
           "the discrete interval length written T - t_low instead of T - t_low + 1",
           source_edit(("lw = (kernel.t_max - low + (1.0 if kernel.discrete else 0.0)).clip(min=0.0) / full",
                        "lw = (kernel.t_max - low).clip(min=0.0) / full")),
           (_LW,), tags=("ci",)),
]
