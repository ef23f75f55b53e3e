"""Mutants of Risk-Sensitive Diffusion (``lrtcheck/risk``): psi, the kernels and their stability interval, the
training draws and loss, the samplers and the sample-quality metrics.

Most bugs are one-expression slips inside a method, so a mutant here is a *source edit* (``_edit`` of the LRT
catalogue: one exact snippet, occurring once, is replaced and the function recompiled in its module's namespace).
The killing checks are the exact ``risk.*`` checks (closed forms, no sampling; about a second) plus the exact-law
Monte Carlo checks ``risk.kernel.stable_marginal`` and ``risk.target.unbiased`` (about a second each): those
mutants are ``ci``.  Mutants of the reverse samplers are seen only by ``risk.learned.gaussian`` (trains models,
about a minute): they are not ``ci``.

Transition module (moved unchanged from ``lrtcheck/mutants/``): the risk migration moves each mutant into the topic
module of ``lrtcheck/claims/risk/`` whose checks must kill it, as an edit of the original (``source_edit`` or
``wrapper``), and deletes this file.
"""

from __future__ import annotations

from lrtcheck.certify.mutation import Mutant, source_edit as _edit

_PSI = "lrtcheck.risk.psi"
_KER = "lrtcheck.risk.kernels"
_TRAIN = "lrtcheck.risk.training"
_MET = "lrtcheck.risk.metrics"
_SAMP = "lrtcheck.risk.sampling"



def _edit_no_grad(*pairs: tuple[str, str]):
    """``_edit`` for a function decorated with ``@torch.no_grad()``: edit the wrapped function (whose globals are
    its module's), then wrap the result again."""

    def make(original):
        import inspect

        import torch

        return torch.no_grad()(_edit(*pairs)(inspect.unwrap(original)))

    return make


_KERNEL_CHECKS = ("risk.stability.interval", "risk.kernel.stable_marginal")
_INTERVAL = ("risk.stability.interval", "risk.stability.fig2", "risk.training.loss_exact", "risk.target.unbiased")
_LOSS = ("risk.training.loss_exact", "risk.zero_risk")
_METRICS = ("risk.metrics.exact",)

MUTANTS = [
    # --- psi --------------------------------------------------------------------------------------------------------
    Mutant("risk.r_as_variance", f"{_PSI}:gaussian_psi",
           "r read as a variance (the paper's N(0, rI) of Remark 3.1): psi(r) = r, so v^2 = v0^2 - u^2 r",
           _edit(("return r * r", "return r")),
           ("risk.psi.closed_forms",) + _KERNEL_CHECKS + ("risk.training.loss_exact",), tags=("ci",)),
    Mutant("risk.cauchy_derived_swapped", f"{_PSI}:cauchy_psi_derived",
           "the isotropic Cauchy reduction (D+2)/(D+5) r^2 transcribed upside down as (D+5)/(D+2) r^2",
           _edit(("(dpos + 2.0) / (dpos + 5.0)", "(dpos + 5.0) / (dpos + 2.0)")),
           ("risk.cauchy_psi.anisotropic", "risk.psi.closed_forms"), tags=("ci",)),
    Mutant("risk.cauchy_sherman_morrison", f"{_PSI}:cauchy_psi",
           "the textbook Sherman-Morrison denominator 1 + 1^T 1 of (I + 1 1^T) used for (5 I + 1 1^T), whose "
           "denominator is 5 + D",
           _edit(("(s * big_s + 2.0 * dpos) / (dpos + 5.0)", "(s * big_s + 2.0 * dpos) / (dpos + 1.0)")),
           ("risk.cauchy_psi.anisotropic", "risk.psi.closed_forms"), tags=("ci",)),
    # --- kernels and the stability interval -------------------------------------------------------------------------
    Mutant("risk.paper_sign_plus", f"{_KER}:RiskKernel.noise_variance",
           "the paper's printed Gaussian Psi = +r^2 u^2 used in v^2 = v0^2 + Psi (Thm 3.2 text)",
           _edit(("np.maximum(v02 - u2 * p, 0.0)", "np.maximum(v02 + u2 * p, 0.0)")),
           _KERNEL_CHECKS + ("risk.target.unbiased",), tags=("ci",)),
    Mutant("risk.clamp_dropped", f"{_KER}:RiskKernel.noise_variance",
           "the clamp max(v0^2 - u^2 psi, 0) dropped: outside T(r) v^2 goes negative and the contraction is "
           "reported as the clean marginal",
           _edit(("np.maximum(v02 - u2 * p, 0.0)", "v02 - u2 * p")),
           ("risk.kernel.outside", "risk.stability.interval"), tags=("ci",)),
    Mutant("risk.stability_min_r", f"{_KER}:RiskKernel.rho",
           "the stability interval set by the smallest instead of the largest psi_j(r) across dimensions",
           _edit(("out = np.maximum(p.max(axis=-1), 0.0)", "out = np.maximum(p.min(axis=-1), 0.0)")),
           _INTERVAL, tags=("ci",)),
    Mutant("risk.vp_one_minus_r2", f"{_KER}:DiscreteVP._t_low",
           "the discrete VP stability condition written (1 - r^2) ab_t < 1 instead of (1 + r^2) ab_t < 1",
           _edit(("(1.0 + rho.reshape(-1, 1))", "(1.0 - rho.reshape(-1, 1))")),
           _INTERVAL, tags=("ci",)),
    Mutant("risk.vpsde_root_wrong_branch", f"{_KER}:VPSDE._t_low",
           "the VPSDE stability edge from the other root of a t^2 + b t - ln(1 + rho) = 0: the rationalised "
           "(-b - sqrt(b^2 + 4aL)) / (2a) = 2L / (b - sqrt(...)), negative, so T(r) = the whole domain",
           _edit(("2.0 * L / (b + np.sqrt(b * b + 4.0 * a * L))", "2.0 * L / (b - np.sqrt(b * b + 4.0 * a * L))")),
           _INTERVAL + ("risk.kernel.stable_marginal",), tags=("ci",)),
    Mutant("risk.vpsde_log_alpha_half", f"{_KER}:VPSDE.log_alpha",
           "the 1/2 of int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2 dropped in ln alpha(t)",
           _edit(("0.5 * (self.beta_max - self.beta_min) * t * t", "(self.beta_max - self.beta_min) * t * t")),
           ("risk.stability.fig2", "risk.stability.interval"), tags=("ci",)),
    Mutant("risk.vesde_log1p_dropped", f"{_KER}:VESDE._t_low",
           "Cor. G.1 as printed (sigma(0)^2 dropped): t_low = ln(rho / sigma_min^2) / (2 ln(sigma_max/sigma_min)) "
           "instead of ln(1 + rho / sigma_min^2) / ...",
           _edit(("np.log1p(rho / self.sigma_min**2)", "np.log(np.maximum(rho, 1e-300) / self.sigma_min**2)")),
           ("risk.stability.interval", "risk.zero_risk"), tags=("ci",)),
    Mutant("risk.vesde_variance_sigma_t", f"{_KER}:VESDE.clean_variance",
           "the VE perturbation variance written sigma(t)^2 (the usual approximation) instead of "
           "sigma(t)^2 - sigma(0)^2, inconsistent with the T(r) it is paired with",
           _edit(("(x.expm1() if _is_torch(x) else np.expm1(x))", "(x.exp() if _is_torch(x) else np.exp(x))")),
           ("risk.stability.interval", "risk.zero_risk"), tags=("ci",)),
    Mutant("risk.sample_time_full_range", f"{_KER}:RiskKernel.sample_time",
           "t drawn uniformly on the whole time domain (the vanilla DDPM recipe) instead of on T(r)",
           _edit(("lo = np.maximum(low, 1).astype(np.int64)", "lo = np.ones_like(low).astype(np.int64)"),
                 ("lo = np.maximum(low, self.t_eps)", "lo = np.full_like(low, self.t_eps)")),
           ("risk.stability.interval", "risk.target.unbiased"), tags=("ci",)),
    # --- training -----------------------------------------------------------------------------------------------------
    Mutant("risk.fit_time_full_range", f"{_TRAIN}:fit_network",
           "the training loop draws t uniformly on [0, T] as in vanilla training: the per-sample left end of T(r) "
           "is computed (for 'usable') but not used for the draw",
           _edit(("tt(psi.reshape(M, N, D)), tt(low), tt(weight)",
                  "tt(psi.reshape(M, N, D)), tt(np.full_like(low, 1.0 if kernel.discrete else kernel.t_eps)), "
                  "tt(weight)")),
           ("risk.training.loss_exact",), tags=("ci",)),
    Mutant("risk.fit_v_is_variance", f"{_TRAIN}:fit_network",
           "x~_t built with v^2 where v is meant: x_t = u x~_0 + v^2 eta",
           _edit(("x_t = u * xb + v2.sqrt() * eta", "x_t = u * xb + v2 * eta")),
           ("risk.training.loss_exact",), tags=("ci",)),
    Mutant("risk.eps_target_no_factor", f"{_TRAIN}:training_targets",
           "the eps target left as eta (the clean-training target) without the factor sqrt(1 - ab_t) / v(r, t)",
           _edit(("np.sqrt(v0sq)[:, None] * eta / np.sqrt(v2)", "eta")),
           ("risk.target.unbiased",), tags=("ci",)),
    Mutant("risk.paper_eps_residual_no_factor", f"{_TRAIN}:denoising_residual",
           "the paper-weighted eps loss regressing on eta instead of sqrt(1 - ab_t) eta / v(r, t) (identical at r = 0)",
           _edit(("return output - sqrt(v0sq) * eta / v", "return output - eta")),
           _LOSS, tags=("ci",)),
    Mutant("risk.tamed_weight_inverted", f"{_TRAIN}:denoising_residual",
           "the tamed weight v^2 / (1 - ab_t) inverted to (1 - ab_t) / v^2 (identical at r = 0)",
           _edit(("return eta - (v / sqrt(v0sq)) * output",
                  "return (sqrt(v0sq) / v) * (sqrt(v0sq) * eta / v - output)")),
           _LOSS, tags=("ci",)),
    Mutant("risk.denoiser_target_v2", f"{_TRAIN}:denoising_residual",
           "the paper-weighted Tweedie target written (x_t - v0^2 eta / v^2) / u (v^2 where v is meant)",
           _edit(("return output - (x_t - v0sq * eta / v) / u", "return output - (x_t - v0sq * eta / v2) / u")),
           _LOSS, tags=("ci",)),
    # --- metrics ------------------------------------------------------------------------------------------------------
    Mutant("risk.sw_unsorted", f"{_MET}:wasserstein_1d",
           "the 1-D W1 of equal-size samples computed without sorting (samples paired by index)",
           _edit(("np.mean(np.abs(np.sort(a, axis=1) - np.sort(b, axis=1)), axis=1)",
                  "np.mean(np.abs(a - b), axis=1)")),
           _METRICS, tags=("ci",)),
    Mutant("risk.mmd_diagonal", f"{_MET}:mmd_rbf",
           "the unbiased MMD^2 keeping the i = j terms k(x_i, x_i) = 1 in its within-sample sums",
           _edit(("(kxx.sum() - np.trace(kxx)) / (n * (n - 1))", "kxx.sum() / (n * (n - 1))"),
                 ("(kyy.sum() - np.trace(kyy)) / (m * (m - 1))", "kyy.sum() / (m * (m - 1))")),
           _METRICS, tags=("ci",)),
    Mutant("risk.w2_cross_no_sqrt", f"{_MET}:gaussian_w2",
           "the Gaussian W2 cross term without its matrix square root: tr(S1 + S2 - 2 S2^1/2 S1 S2^1/2)",
           _edit(("cross = linalg.sqrtm(r2 @ s1 @ r2)", "cross = r2 @ s1 @ r2")),
           _METRICS, tags=("ci",)),
    Mutant("risk.median_bandwidth_squared", f"{_MET}:median_bandwidth",
           "the median heuristic returning the median squared distance (the square root forgotten)",
           _edit(("med = float(np.sqrt(np.median(d2[np.triu_indices(z.shape[0], 1)])))",
                  "med = float(np.median(d2[np.triu_indices(z.shape[0], 1)]))")),
           _METRICS, tags=("ci",)),
    # --- samplers ---------------------------------------------------------------------------------------------------
    Mutant("risk.em_score_sign", f"{_SAMP}:euler_maruyama_sample",
           "the reverse drift written f + g^2 s (the forward-time sign of the score term)",
           _edit_no_grad(("x = x - (f - g2 * s) * dt", "x = x - (f + g2 * s) * dt")),
           ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.em_last_step_noise", f"{_SAMP}:euler_maruyama_sample",
           "noise added on the last Euler-Maruyama step too (the final denoising step not made noiseless)",
           _edit_no_grad(("if i < steps - 1:", "if True:")),
           ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.ddpm_mean_coef", f"{_SAMP}:ddpm_sample",
           "the DDPM mean coefficient written beta_t / (1 - ab_t) instead of beta_t / sqrt(1 - ab_t)",
           _edit_no_grad(("float(betas[i] / np.sqrt(1.0 - ab[i]))", "float(betas[i] / (1.0 - ab[i]))")),
           ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.ddpm_noise_at_t1", f"{_SAMP}:ddpm_sample",
           "noise added at t = 1 as well (the t > 1 guard dropped; with the 'beta' variance sigma_1^2 = beta_1 > 0)",
           _edit_no_grad(("if t > 1 and sig2[i] > 0:", "if sig2[i] > 0:")),
           ("risk.sampling.transitions",), tags=("ci",)),
    Mutant("risk.em_noise_dt", f"{_SAMP}:euler_maruyama_sample",
           "the Euler-Maruyama noise scaled by g dt instead of g sqrt(dt) (only trained samples show it)",
           _edit_no_grad(("float(np.sqrt(g2 * dt))", "float(np.sqrt(g2) * dt)")),
           ("risk.learned.gaussian",)),
]
