"""Mutants of LRT-Diffusion and of the diffusion core it runs on (sampler, calibration, exact laws, heads, schedule).

Most bugs live inside one long function (the sampler's step loop, ``calibrate_threshold``), so a mutant here is
usually a *source edit*: the original function's source is read with :mod:`inspect`, one exact snippet is replaced
(the snippet must occur exactly once, so a mutant whose code has moved fails loudly instead of silently becoming the
original), and the edited function is compiled in the original module's namespace.  No file is rewritten; the engine
installs the compiled function in place of the original for the duration of the run.

Transition module (moved unchanged from ``lrtcheck/mutants/``): the lrt migration moves each mutant into the topic
module of ``lrtcheck/claims/lrt/`` whose checks must kill it, as an edit of the original (``source_edit`` or
``wrapper``), and deletes this file.
"""

from __future__ import annotations


from lrtcheck.certify.mutation import Mutant, source_edit as _edit

_RUN_CHUNK = "lrtcheck.lrt.sampler:LRTSampler._run_chunk"
_CALIBRATE = "lrtcheck.lrt.calibration:calibrate_threshold"
_HEAD_EPS = "lrtcheck.diffusion.heads:ExactTwoHead._head_eps"


# --- wrappers (bugs that live in a small function) -----------------------------------------------------------------
def _noise_step_ignored(orig):
    def counter_normal(keys, step, dim, *, dtype=None):
        return orig(keys, 0, dim, dtype=dtype)
    return counter_normal


def _config_drops(key):
    def make(orig):
        def config(self):
            out = orig(self)
            out.pop(key, None)
            return out
        return config
    return make


def _qstep_fingerprint_critic_only(orig):
    def fingerprint(self):
        fp = getattr(self.critic, "fingerprint", None)
        return {"critic": fp() if callable(fp) else type(self.critic).__name__}
    return fingerprint


def _null_without_qstep(orig):
    def null_statistics(self, n, *, seed, states=None, sample_ids=None):
        out = orig(self.replace(q_step=None), n, seed=seed, states=states, sample_ids=sample_ids)
        out.config_hash = self.config_hash()  # the record still names the deployed configuration
        return out
    return null_statistics


def _qstep_clip_skipped(orig):
    def gradient(self, states, actions):
        if hasattr(self.critic, "grad"):  # analytic gradients returned as they are: the clip lived in the autograd path
            return self.critic.grad(states, actions).to(actions.dtype)
        return orig(self, states, actions)
    return gradient


_NULL = ("lrt.null.exact_gaussian*",)
_CAL = ("lrt.calibration.ranks_exact", "lrt.calibration.rank_exact", "lrt.calibration.dkw")

MUTANTS = [
    # --- the statistic --------------------------------------------------------------------------------------------
    Mutant("lrt.llr_sign", _RUN_CHUNK,
           "the log-ratio written background over good, (dist(a, mu_c)^2 - dist(a, mu_u)^2)/(2 sigma^2): Lambda "
           "measures evidence for H0",
           _edit(("ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / s2",
                  "ell = (0.5 * (d64 * d64).sum(0) - (diff * d64).sum(0)) / s2")),
           _NULL, tags=("ci",)),
    Mutant("lrt.llr_sigma_not_squared", _RUN_CHUNK,
           "the increment divided by sigma_t (the noise scale at hand) instead of the variance sigma_t^2",
           _edit(("ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / s2",
                  "ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / math.sqrt(s2)")),
           _NULL, tags=("ci",)),
    Mutant("lrt.sigma0_step_counted", _RUN_CHUNK,
           "sigma_t^2 clamped to 1e-20 as diffusers' _get_variance does, so the deterministic t = 1 step enters "
           "Lambda with weight 1e20",
           _edit(("s2 = float(self._sigma2[i])", "s2 = max(float(self._sigma2[i]), 1e-20)")),
           _NULL, tags=("ci",)),
    Mutant("lrt.running_max_is_final", _RUN_CHUNK,
           "the running max updated by assignment (rmax = lam) instead of torch.maximum: the 'running max' is the "
           "final Lambda",
           _edit(("rmax = torch.maximum(rmax, lam)", "rmax = lam")),
           ("lrt.running_max.exact_law",), tags=("ci",)),
    # --- the gate and the step ------------------------------------------------------------------------------------
    Mutant("lrt.gate_current_evidence", _RUN_CHUNK,
           "the step scored before it is gated: the gate reads Lambda plus the current step's evidence (of the "
           "background proposal drawn with this step's noise), peeking at the noise it is about to use",
           _edit(("past = lam if self.statistic == \"final\" else rmax",
                  "past = lam if self.statistic == \"final\" else rmax\n"
                  "s2_ = float(self._sigma2[i])\n"
                  "if s2_ > 0.0:\n"
                  "    z_ = counter_normal(keys, t, d, dtype=dt).T.to(torch.float64)\n"
                  "    d_ = delta.to(torch.float64)\n"
                  "    lam_ = lam + ((math.sqrt(s2_) * z_ * d_).sum(0) - 0.5 * (d_ * d_).sum(0)) / s2_\n"
                  "    past = lam_ if self.statistic == \"final\" else torch.maximum(rmax, lam_)")),
           ("lrt.gate.*", "lrt.null.exact_gaussian*", "lrt.ump"), tags=("ci",)),
    Mutant("lrt.soft_gate_kappa_inverted", _RUN_CHUNK,
           "the soft gate's temperature multiplied instead of divided: sigmoid((S - tau) kappa)",
           _edit(("- self.tau) / self.kappa)", "- self.tau) * self.kappa)")),
           ("lrt.gate.*",), tags=("ci",)),
    Mutant("lrt.reverse_mean_coef", _RUN_CHUNK,
           "the reverse mean's coefficient beta_t/sqrt(1 - ab_t) written beta_t/(1 - ab_t)",
           _edit(("coef = betas_np[i] / math.sqrt(1.0 - abar_np[i])", "coef = betas_np[i] / (1.0 - abar_np[i])")),
           _NULL + ("lrt.actions.*",), tags=("ci",)),
    Mutant("lrt.reverse_mean_no_inv_sqrt_alpha", _RUN_CHUNK,
           "the 1/sqrt(alpha_t) of the reverse mean forgotten in mu_u (Delta, computed on its own line, keeps it): "
           "Lambda's law is unchanged, the actions are not",
           _edit(("mu_u = (a - coef * eps_u) * inv_sa", "mu_u = a - coef * eps_u")),
           _NULL + ("lrt.actions.*",), tags=("ci",)),
    Mutant("lrt.noise_sigma2_scale", _RUN_CHUNK,
           "the noise scaled by the variance sigma_t^2 instead of the standard deviation sigma_t",
           _edit(("a_next = m + math.sqrt(s2) * counter_normal(", "a_next = m + s2 * counter_normal(")),
           _NULL + ("lrt.actions.*",), tags=("ci",)),
    Mutant("lrt.noise_step_ignored", "lrtcheck.diffusion.noise:counter_normal",
           "the noise counter omits the step index: every reverse step reuses the prior draw's noise",
           _noise_step_ignored, _NULL + ("lrt.actions.*",), tags=("ci",)),
    # --- the Q-step -----------------------------------------------------------------------------------------------
    Mutant("lrt.qstep_not_scaled", _RUN_CHUNK,
           "the Q-step applied as eta g, without Diffuser's scale_grad_by_std factor sigma_t^2",
           _edit(("m = m + (self.q_step.eta * s2) * g", "m = m + self.q_step.eta * g")),
           ("lrt.qstep.*",), tags=("ci",)),
    Mutant("lrt.qstep_clip_skipped", "lrtcheck.lrt.sampler:QStep.gradient",
           "gradient clipping implemented only in the autograd branch: an analytic critic.grad() is used unclipped",
           _qstep_clip_skipped, ("lrt.qstep.*",), tags=("ci",)),
    Mutant("lrt.null_without_qstep", "lrtcheck.lrt.sampler:LRTSampler.null_statistics",
           "H0 drawn from the plain background sampler (Q-step off) while the deployed sampler runs with it: "
           "calibrated on a different configuration than the deployed one",
           _null_without_qstep, ("lrt.qstep.*",), tags=("ci",)),
    # --- the configuration binding --------------------------------------------------------------------------------
    Mutant("lrt.config_ignores_variance", "lrtcheck.lrt.sampler:LRTSampler.config",
           "the configuration hash leaves out the variance choice, so a posterior-variance calibration is accepted "
           "by a beta-variance sampler",
           _config_drops("variance"), ("lrt.calibration.config_binding", "lrt.variance_mismatch"), tags=("ci",)),
    Mutant("lrt.config_ignores_qstep", "lrtcheck.lrt.sampler:LRTSampler.config",
           "the configuration hash leaves out the Q-step, so a calibration without it is deployed with it",
           _config_drops("q_step"), ("lrt.calibration.config_binding", "lrt.qstep.*"), tags=("ci",)),
    Mutant("lrt.qstep_fingerprint_critic_only", "lrtcheck.lrt.sampler:QStep.fingerprint",
           "the Q-step fingerprint records the critic only: a calibration survives a change of eta, clip or anchor",
           _qstep_fingerprint_critic_only, ("lrt.calibration.config_binding",), tags=("ci",)),
    # --- calibration ----------------------------------------------------------------------------------------------
    Mutant("lrt.calibration_rank_float", _CALIBRATE,
           "the conformal rank computed in floating point inside calibrate_threshold: ceil((n+1)(1-alpha)) rounds "
           "93 (1 - 1/3) up to 63",
           _edit(("k = conformal_rank(n, alpha)",
                  "k = math.ceil((n + 1) * (1.0 - alpha))\nk = k if k <= n else None")),
           _CAL, tags=("ci",)),
    Mutant("lrt.calibration_rank_index", _CALIBRATE,
           "the 1-based rank k used as a 0-based index: the (k+1)-th smallest statistic is returned",
           _edit(("tau = math.inf if k is None else float(np.partition(x, k - 1)[k - 1])",
                  "tau = math.inf if k is None else float(np.sort(x)[min(k, n - 1)])")),
           _CAL, tags=("ci",)),
    Mutant("lrt.dkw_massart_one_sided_always", _CALIBRATE,
           "Massart's one-sided constant ln(1/delta) used for every delta, though it is proven only for "
           "delta <= 1/2 (above, the two-sided ln(2/delta) is needed)",
           _edit(("eps = dkw_epsilon(n, delta, two_sided=False) if delta <= 0.5 else dkw_epsilon(n, delta)",
                  "eps = dkw_epsilon(n, delta, two_sided=False)")),
           _CAL, tags=("ci",)),
    Mutant("lrt.dkw_band_sign", _CALIBRATE,
           "the DKW margin subtracted (level 1 - alpha - eps): the band's lower edge used where the upper was meant",
           _edit(("level = 1.0 - alpha + eps", "level = 1.0 - alpha - eps")),
           _CAL, tags=("ci",)),
    Mutant("lrt.quantile_eps_one_sided", _CALIBRATE,
           "the plug-in quantile reports the one-sided eps although its guarantee is the two-sided band "
           "alpha +- eps (Massart's constant 2 dropped)",
           _edit(("eps = dkw_epsilon(n, delta)\n", "eps = dkw_epsilon(n, delta, two_sided=False)\n")),
           _CAL, tags=("ci",)),
    # --- the exact oracle -----------------------------------------------------------------------------------------
    Mutant("lrt.exact_D2_no_alpha", "lrtcheck.lrt.exact:GaussianLRTLaw.deltas",
           "the exact Delta_t (hence D^2) missing the alpha_t in the denominator: beta_t sqrt(ab_t)/c_t (m_c - m_u)",
           _edit(("coef = b * np.sqrt(ab) / (np.sqrt(al) * (ab * self.s**2 + 1 - ab))",
                  "coef = b * np.sqrt(ab) / (ab * self.s**2 + 1 - ab)")),
           ("lrt.qstep.recalibrate", "lrt.running_max.exact_law", "lrt.null.*", "lrt.ump"), tags=("ci",)),
    # --- heads and schedule ---------------------------------------------------------------------------------------
    Mutant("lrt.gmm_component_variance", _HEAD_EPS,
           "the forward component variance written ab s_k^2 + ab instead of ab s_k^2 + 1 - ab",
           _edit(("cs = [ab * float(s) ** 2 + (1.0 - ab) for s in stds]",
                  "cs = [ab * float(s) ** 2 + ab for s in stds]")),
           _NULL + ("lrt.heads.*",), tags=("ci",)),
    Mutant("lrt.gmm_no_logsumexp_fused", _HEAD_EPS,
           "the responsibilities exponentiated without subtracting the max logit: far from every component (or "
           "at small t with narrow components) exp underflows and 0/0 = NaN",
           _edit(("es = [torch.exp(lg - mx) for lg in logits]", "es = [torch.exp(lg) for lg in logits]")),
           ("lrt.heads.*",), tags=("ci",)),
    Mutant("lrt.gmm_no_logsumexp_numpy", "lrtcheck.diffusion.heads:_gmm_numpy",
           "the numpy responsibilities without the log-sum-exp shift (logits -= max dropped)",
           _edit(("logits -= logits.max(axis=1, keepdims=True)\n", "")),
           ("lrt.heads.*",), tags=("ci",)),
    Mutant("lrt.posterior_variance_abar_t", "lrtcheck.diffusion.schedule:Schedule.posterior_variance",
           "the posterior variance computed with ab_t in place of ab_{t-1}: beta_t (1 - ab_t)/(1 - ab_t) = beta_t, "
           "so 'posterior' silently equals 'beta'",
           _edit(("self.betas * (1.0 - self.alpha_bars_prev) / (1.0 - self.alpha_bars)",
                  "self.betas * (1.0 - self.alpha_bars) / (1.0 - self.alpha_bars)")),
           ("lrt.schedule.*", "lrt.variance_mismatch", "lrt.null.*"), tags=("ci",)),
]
