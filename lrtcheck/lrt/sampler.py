"""The LRT-Diffusion sampler (Sun & Cheng, arXiv 2510.24983 §3.2; docs/methods/lrt_diffusion.md §3-§7).

One reverse step t = T..1, with Lambda the statistic accumulated so far (float64):

1. (eps_u, eps_c) from ONE call of the two-head model; mu_h = (a_t - beta_t / sqrt(1 - ab_t) eps_h) / sqrt(alpha_t),
   Delta = mu_c - mu_u = -beta_t / (sqrt(alpha_t) sqrt(1 - ab_t)) (eps_c - eps_u).
2. Gate from past evidence only: S = Lambda_{t+1} ("final") or max_{k>t} Lambda_k ("running_max", a latched gate);
   beta = beta_max 1[S > tau] (hard) or beta_max sigmoid((S - tau) / kappa) (soft).
3. m = mu_u + beta Delta.  Optional Q-step (:class:`QStep`): anchor a_c = (1 - lambda) mu_u + lambda m,
   g = grad_a Q(s, a_c) clipped to norm c, m <- m + eta sigma_t^2 g (Diffuser's scale_grad_by_std convention).
4. a_{t-1} = m + sigma_t z with z from counter-based per-sample noise (:mod:`lrtcheck.diffusion.noise`).
5. If sigma_t > 0: Lambda += (<a_{t-1} - mu_u, Delta> - ||Delta||^2 / 2) / sigma_t^2 in float64 (the inner-product
   form of (||a - mu_u||^2 - ||a - mu_c||^2) / (2 sigma^2)).  Steps with sigma_t = 0 add no evidence.

sigma_t^2 is the posterior variance beta~_t (``variance="posterior"``, zero at t = 1) or beta_t (``"beta"``); noise is
added at every step with sigma_t > 0 (so the ``beta`` variant also adds noise at t = 1, as the D^2 formula of
docs/methods/lrt_diffusion.md §9 assumes).  H0 is the same sampler and configuration with beta == 0
(:meth:`LRTSampler.null_statistics`).

Decisions: the sample is "activated" (the conditional pull was triggered) when its statistic exceeds tau: the final
Lambda for ``statistic="final"``, the running max for ``statistic="running_max"``.  The Type-I rate is the activation
rate under H0.  A threshold is bound to the sampler's configuration hash (:meth:`LRTSampler.config_hash`); a
:class:`~lrtcheck.lrt.calibration.Calibration` for another configuration is refused.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from lrtcheck.diffusion.heads import ConditionalGaussianMixtureHead, ExactTwoHead, GaussianMixtureHead, _lastsum
from lrtcheck.diffusion.noise import counter_normal, sample_keys
from lrtcheck.diffusion.schedule import VARIANCES, Schedule
from lrtcheck.diffusion._validate import (MAX_SAMPLES, check_finite_array, choice, flag, flag_array, float_dtype,
                                          int_array, strict_int, tensor_input, torch_device)
from lrtcheck.stats.validation import check_nonnegative, check_positive, check_positive_int, check_unit

__all__ = ["LRTSampler", "LRTSample", "QStep", "SeparateHeads", "GATES", "STATISTICS"]

GATES = ("hard", "soft")
STATISTICS = ("final", "running_max")


@dataclass(frozen=True)
class QStep:
    """The optional Q-gradient step (arXiv 2510.24983, Prop. 5.3; docs/methods/lrt_diffusion.md §6).

    critic : object with ``grad(states, actions) -> dQ/da`` (torch tensors), or a callable ``Q(states, actions)`` (B,)
        differentiated by autograd.
    eta : step size; the step is eta sigma_t^2 g.
    clip : gradient norm clip c (``None``: no clipping).
    anchor : lambda in [0, 1]; the gradient is taken at (1 - lambda) mu_u + lambda m (0: the unconditional mean,
        1: the LRT-gated mean).
    """

    critic: Any
    eta: float
    clip: float | None = 1.0
    anchor: float = 1.0

    def __post_init__(self) -> None:
        check_nonnegative("eta", self.eta)
        if self.clip is not None:
            check_positive("clip", self.clip)
        check_unit("anchor", self.anchor)
        if self.critic is None or not (callable(getattr(self.critic, "grad", None)) or callable(self.critic)):
            raise ValueError("critic must have a grad(states, actions) method or be callable Q(states, actions)")

    def fingerprint(self) -> dict:
        fp = getattr(self.critic, "fingerprint", None)
        return {"eta": float(self.eta), "clip": None if self.clip is None else float(self.clip),
                "anchor": float(self.anchor), "critic": fp() if callable(fp) else type(self.critic).__name__}

    def gradient(self, states, actions):
        """grad_a Q(s, a) at ``actions`` (B, d), clipped to norm ``clip`` (torch tensors, finite)."""
        import torch

        actions = tensor_input("actions", actions, ndim=2)
        if states is not None:
            states = tensor_input("states", states, ndim=2, rows=actions.shape[0])
        if hasattr(self.critic, "grad"):
            g = self.critic.grad(states, actions)
        else:
            with torch.enable_grad():
                a = actions.detach().requires_grad_(True)
                q = self.critic(states, a)
                (g,) = torch.autograd.grad(q.sum(), a)
        g = g.to(actions.dtype)
        if self.clip is not None:
            norm = torch.sqrt(_lastsum(g * g)).unsqueeze(1)
            g = g * torch.clamp(self.clip / torch.clamp(norm, min=1e-300), max=1.0)
        return g


class SeparateHeads:
    """Two single heads ``head(states, actions, t) -> eps`` as the two-head protocol (two forwards per step)."""

    def __init__(self, background: Callable, good: Callable):
        for name, h in (("background", background), ("good", good)):
            if not callable(h):
                raise ValueError(f"{name} must be a callable head(states, actions, t) -> eps")
        self.background, self.good = background, good

    def fingerprint(self) -> str:
        parts = []
        for h in (self.background, self.good):
            fp = getattr(h, "fingerprint", None)
            parts.append(fp() if callable(fp) else f"{type(h).__name__}@{id(h):x}")
        return "separate:" + "|".join(parts)

    def __call__(self, states, actions, t: int):
        t = strict_int("t", t, minimum=1)
        actions = tensor_input("actions", actions, ndim=2)
        if states is not None:
            states = tensor_input("states", states, ndim=2, rows=actions.shape[0])
        return self._pair(states, actions, t)

    def _pair(self, states, actions, t: int):
        """The unchecked call used inside the sampler's loop (which checks its own inputs and outputs)."""
        return self.background(states, actions, t), self.good(states, actions, t)


@dataclass
class LRTSample:
    """Output of :meth:`LRTSampler.sample` (numpy; float64 statistics).

    actions (n, d); final (n,) the final Lambda; running_max (n,); statistic (n,) the configured one; activated (n,)
    statistic > tau; ell / beta (T, n) per-step increments and gate values when ``return_trace`` (row i is step T-i).
    """

    actions: np.ndarray
    final: np.ndarray
    running_max: np.ndarray
    statistic: np.ndarray
    activated: np.ndarray
    config_hash: str
    ell: np.ndarray | None = None
    beta: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.actions = check_finite_array("actions", self.actions, ndim=2)
        n = self.actions.shape[0]
        if n == 0:
            raise ValueError("actions must not be empty")
        for name in ("final", "running_max", "statistic"):
            v = check_finite_array(name, getattr(self, name), ndim=1)
            if v.shape[0] != n:
                raise ValueError(f"{name} must have one entry per action row ({n}), got {v.shape[0]}")
            setattr(self, name, v)
        self.activated = flag_array("activated", self.activated)
        if self.activated.shape[0] != n:
            raise ValueError(f"activated must have one entry per action row ({n}), got {self.activated.shape[0]}")
        if not isinstance(self.config_hash, str) or not self.config_hash or any(
                ch not in "0123456789abcdef" for ch in self.config_hash):
            raise ValueError(f"config_hash must be a hexadecimal string (LRTSampler.config_hash()), got "
                             f"{self.config_hash!r}")
        for name in ("ell", "beta"):
            v = getattr(self, name)
            if v is not None:
                v = check_finite_array(name, v, ndim=2)
                if v.shape[1] != n:
                    raise ValueError(f"{name} must have shape (T, {n}), got {v.shape}")
                setattr(self, name, v)

    @property
    def activation_rate(self) -> float:
        return float(np.mean(self.activated))


class NullStatistics(np.ndarray):
    """A float64 array of H0 statistics that remembers the configuration hash of the sampler that drew it."""

    config_hash: str | None = None
    statistic: str | None = None

    def __array_finalize__(self, obj):
        self.config_hash = getattr(obj, "config_hash", None)
        self.statistic = getattr(obj, "statistic", None)


def _sigmoid(z):
    """sigmoid(z) = 1 / (1 + e^-z) elementwise, with rounding that does not depend on the batch.

    On CPU, float64 ``torch.sigmoid`` (and ``torch.exp``) round differently on their vectorised path and on the scalar
    tail of a tensor whose length is not a multiple of the vector width, so a sample's gate value (and its statistic)
    changed in the last bits with the batch size or chunking.  Here the only transcendental call is numpy's ``exp``
    of -|z| (libm per element, or a SIMD kernel that handles the tail with masked lanes: the same arithmetic for every
    element), and the rest is IEEE-exact arithmetic: sigmoid(z) = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0,
    e = exp(-|z|) in (0, 1] (no overflow for any z).  On an accelerator every element runs the same kernel, so
    ``torch.sigmoid`` is kept there."""
    import torch

    if z.device.type != "cpu":
        return torch.sigmoid(z)
    zn = z.numpy()
    e = np.exp(-np.abs(zn))
    out = np.where(zn >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return torch.from_numpy(out)


def _is_gmm(h) -> bool:
    return isinstance(h, (GaussianMixtureHead, ConditionalGaussianMixtureHead))


@dataclass(eq=False)
class LRTSampler:
    """LRT-gated DDPM sampler over a two-head model (docs/methods/lrt_diffusion.md §3).

    Parameters
    ----------
    background, good : the heads.  Two exact mixture heads (:class:`GaussianMixtureHead` /
        :class:`ConditionalGaussianMixtureHead`, evaluated by one fused pass), or two callables
        ``head(states, actions, t) -> eps``, or ``good=None`` and ``background`` a two-head model
        ``model(states, actions, t) -> (eps_u, eps_c)`` (e.g. :class:`lrtcheck.diffusion.TwoHeadDenoiser`).
    schedule : :class:`Schedule`.
    variance : ``"posterior"`` (beta~_t) or ``"beta"``.
    gate : ``"hard"`` or ``"soft"``; beta_max in [0, 1]; kappa > 0 the soft gate's temperature.
    tau : the threshold, a number or a :class:`Calibration` for this configuration (``+inf``: gate never opens).
    q_step : optional :class:`QStep`.
    statistic : ``"final"`` (the gate reads the current Lambda; decision on the final Lambda) or ``"running_max"``.
    action_dim : action dimension (read from exact heads when omitted).
    device, dtype : torch device and working dtype (float64 by default; Lambda is always float64).
    batch_size : samples per chunk (on CPU the statistics and gate values do not depend on it, to the bit: the soft
        gate's sigmoid is computed per element in a fixed formula, see ``_sigmoid``).
    clip_sample : ``None`` (default) or c > 0: clip each head's x0 prediction x0_h = (a_t - sqrt(1 - ab_t) eps_h) /
        sqrt(ab_t) to [-c, c] and take the DDPM posterior mean mu_h = beta_t sqrt(ab_{t-1}) / (1 - ab_t) x0_h +
        (1 - ab_{t-1}) sqrt(alpha_t) / (1 - ab_t) a_t (diffusers' ``clip_sample``; Diffusion-QL's clip_denoised), so
        the final action of the posterior variant lies in [-c, c].  Delta then depends on the action: Lambda is no
        longer Gaussian on Gaussian heads, but a threshold calibrated on this configuration's null statistics keeps
        its exact conformal law (the clip is part of the configuration hash).
    """

    background: Any
    good: Any
    schedule: Schedule
    variance: str = "posterior"
    gate: str = "hard"
    beta_max: float = 0.5
    tau: Any = math.inf
    kappa: float = 1.0
    q_step: QStep | None = None
    statistic: str = "final"
    action_dim: int | None = None
    device: str = "cpu"
    dtype: Any = None
    batch_size: int = 1 << 16
    clip_sample: float | None = None
    _heads: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        import torch

        if not isinstance(self.schedule, Schedule):
            raise ValueError("schedule must be a lrtcheck.diffusion.Schedule")
        choice("variance", self.variance, VARIANCES)
        choice("gate", self.gate, GATES)
        choice("statistic", self.statistic, STATISTICS)
        self.beta_max = check_unit("beta_max", self.beta_max)
        self.kappa = check_positive("kappa", self.kappa)
        if self.q_step is not None and not isinstance(self.q_step, QStep):
            raise ValueError("q_step must be a QStep or None")
        self.batch_size = check_positive_int("batch_size", self.batch_size)
        if self.clip_sample is not None:
            self.clip_sample = check_positive("clip_sample", self.clip_sample)
        self.dtype = float_dtype("dtype", self.dtype)
        self.device = torch_device("device", self.device, allow_device=True)
        if self.good is None:
            if not callable(self.background):
                raise ValueError("with good=None, background must be a two-head model (states, actions, t) -> "
                                 "(eps_u, eps_c)")
            self._heads = self.background
        elif _is_gmm(self.background) and _is_gmm(self.good):
            self._heads = ExactTwoHead(self.background, self.good, self.schedule)
        elif callable(self.background) and callable(self.good):
            self._heads = SeparateHeads(self.background, self.good)
        else:
            raise ValueError("background and good must be exact mixture heads or callables (states, actions, t)")
        if self.action_dim is None:
            self.action_dim = getattr(self._heads, "dim", None) or getattr(self.background, "action_dim", None)
        if self.action_dim is None:
            raise ValueError("action_dim is required when the heads do not expose their dimension")
        self.action_dim = check_positive_int("action_dim", self.action_dim)
        # resolve a Calibration record (bound to a configuration) into a number
        tau = self.tau
        if hasattr(tau, "config_hash") and hasattr(tau, "tau"):
            tau.check_config(self)
            if getattr(tau, "statistic", None) not in (None, self.statistic):
                raise ValueError(f"tau was calibrated for statistic={tau.statistic!r}, sampler uses "
                                 f"{self.statistic!r}: recalibrate")
            self.tau = float(tau.tau)
        else:
            if isinstance(tau, (bool, np.bool_)) or not isinstance(tau, (int, float, np.floating, np.integer)) \
                    or math.isnan(tau):
                raise ValueError(f"tau must be a number (+-inf allowed) or a Calibration, got {tau!r}")
            self.tau = float(tau)
        var = self.schedule.variance(self.variance)
        self._sigma2 = np.asarray(var, dtype=np.float64)

    # --- configuration ------------------------------------------------------------------------------------------
    def config(self) -> dict:
        """Everything the H0 law of the statistic depends on (and the gate settings), as a JSON-able dict."""
        fp = getattr(self._heads, "fingerprint", None)
        return {
            "heads": fp() if callable(fp) else f"{type(self._heads).__name__}@{id(self._heads):x}",
            "schedule": self.schedule.fingerprint(),
            "T": self.schedule.T,
            "variance": self.variance,
            "gate": self.gate,
            "beta_max": self.beta_max,
            "kappa": self.kappa if self.gate == "soft" else None,
            "q_step": None if self.q_step is None else self.q_step.fingerprint(),
            "statistic": self.statistic,
            "action_dim": self.action_dim,
            **({} if self.clip_sample is None else {"clip_sample": self.clip_sample}),
        }

    def config_hash(self) -> str:
        """SHA-256 (16 hex digits) of :meth:`config`; a calibration is valid only for the same hash."""
        blob = json.dumps(self.config(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def replace(self, **changes) -> "LRTSampler":
        """A copy with some settings changed (``tau`` keeps its number unless given)."""
        kw = {f: getattr(self, f) for f in ("background", "good", "schedule", "variance", "gate", "beta_max", "tau",
                                             "kappa", "q_step", "statistic", "action_dim", "device", "dtype",
                                             "batch_size", "clip_sample")}
        kw.update(changes)
        return LRTSampler(**kw)

    def deploy(self, calibration) -> "LRTSampler":
        """This sampler with ``tau`` from ``calibration`` (raises ValueError if it belongs to another config)."""
        if not (hasattr(calibration, "config_hash") and hasattr(calibration, "tau")):
            raise ValueError(f"calibration must be a Calibration (from calibrate_threshold or ville_threshold), got "
                             f"{calibration!r}")
        return self.replace(tau=calibration)

    # --- sampling -----------------------------------------------------------------------------------------------
    def _states_tensor(self, states, n: int | None):
        import torch

        if states is None:
            if getattr(self._heads, "conditional", False):
                raise ValueError("states are required: the heads are state-conditional")
            return None, n
        if callable(states) and not isinstance(states, np.ndarray):
            raise ValueError("states must be an array (n, d_s); draw them first")
        s = check_finite_array("states", states)
        if s.ndim == 1:
            s = s[:, None]
        if s.ndim != 2:
            raise ValueError(f"states must have shape (n, d_s), got {s.shape}")
        if s.shape[0] == 0:
            raise ValueError("states must not be empty")
        sd = None
        for h in (getattr(self._heads, "background", None), getattr(self._heads, "good", None), self._heads):
            sd = sd or getattr(h, "state_dim", None)
        if sd and s.shape[1] != sd:
            raise ValueError(f"states must have {sd} column(s), got shape {s.shape}")
        if n is not None and s.shape[0] != n:
            raise ValueError(f"states must have n={n} rows, got {s.shape[0]}")
        if s.shape[0] > MAX_SAMPLES:
            raise ValueError(f"states must have at most {MAX_SAMPLES} rows, got {s.shape[0]}")
        return s, s.shape[0]

    def sample(self, states=None, *, seed: int, n: int | None = None, sample_ids=None, return_trace: bool = False,
               null: bool = False) -> LRTSample:
        """Run the gated sampler (or, with ``null=True``, the H0 sampler beta == 0) once per state.

        ``seed`` and the sample ids (``0..n-1`` unless given) fix every sample's noise, whatever the batching.
        """
        seed = strict_int("seed", seed, minimum=0)
        return_trace = flag("return_trace", return_trace)
        null = flag("null", null)
        if n is not None:
            n = check_positive_int("n", n, maximum=MAX_SAMPLES)
        s_np, n = self._states_tensor(states, n)
        if n is None:
            raise ValueError("n is required when no states are given")
        n = check_positive_int("n", n)
        if sample_ids is None:
            ids = np.arange(n, dtype=np.int64)
        else:
            ids = int_array("sample_ids", sample_ids, minimum=0)
            if ids.shape[0] != n:
                raise ValueError(f"sample_ids must hold {n} non-negative integers (one per sample; states give n "
                                 f"from their rows), got {ids.shape[0]}")
        outs = []
        for start in range(0, n, self.batch_size):
            stop = min(n, start + self.batch_size)
            outs.append(self._run_chunk(None if s_np is None else s_np[start:stop], ids[start:stop], seed,
                                        return_trace, null))
        cat = lambda i: np.concatenate([o[i] for o in outs], axis=-1 if i >= 3 else 0)  # noqa: E731
        actions, final, rmax = cat(0), cat(1), cat(2)
        ell = cat(3) if return_trace else None
        beta = cat(4) if return_trace else None
        stat = final if self.statistic == "final" else rmax
        return LRTSample(actions=actions, final=final, running_max=rmax, statistic=stat, activated=stat > self.tau,
                         config_hash=self.config_hash(), ell=ell, beta=beta)

    def null_statistics(self, n: int, *, seed: int, states=None, sample_ids=None) -> NullStatistics:
        """n draws of the configured statistic under H0 (same configuration, beta == 0), float64 (n,)."""
        n = check_positive_int("n", n, maximum=MAX_SAMPLES)
        seed = strict_int("seed", seed, minimum=0)
        res = self.sample(states, seed=seed, n=n, sample_ids=sample_ids, null=True)
        out = np.asarray(res.statistic, dtype=np.float64).view(NullStatistics)
        out.config_hash = self.config_hash()
        out.statistic = self.statistic
        return out

    def _run_chunk(self, s_np, ids_np, seed, return_trace, null):
        """One chunk of samples.  Internally actions live in a column layout (d, B) so that every per-sample
        operation is a contiguous vector operation; the heads see the (B, d) transpose view."""
        import torch

        dev, dt = torch.device(self.device), self.dtype
        B, d, T = ids_np.shape[0], self.action_dim, self.schedule.T
        keys = sample_keys(int(seed), torch.as_tensor(ids_np, device=dev))
        states = None if s_np is None else torch.as_tensor(s_np, device=dev, dtype=dt)
        a = counter_normal(keys, 0, d, dtype=dt).T  # a_T ~ N(0, I), (d, B)
        lam = torch.zeros(B, dtype=torch.float64, device=dev)
        rmax = torch.full((B,), -math.inf, dtype=torch.float64, device=dev)
        ells, betas = [], []
        betas_np, alphas_np, abar_np = self.schedule.betas, self.schedule.alphas, self.schedule.alpha_bars
        beta_max = 0.0 if null else self.beta_max
        heads = getattr(self._heads, "_pair", self._heads)  # the unchecked path of our own two-head wrappers
        with torch.no_grad():
            for t in range(T, 0, -1):
                i = t - 1
                eps_u, eps_c = heads(states, a.T, t)
                eps_u = eps_u.T.to(dt).contiguous()
                eps_c = eps_c.T.to(dt).contiguous()
                inv_sa = 1.0 / math.sqrt(alphas_np[i])
                coef = betas_np[i] / math.sqrt(1.0 - abar_np[i])
                if self.clip_sample is None:
                    mu_u = (a - coef * eps_u) * inv_sa
                    delta = (eps_c - eps_u) * (-inv_sa * coef)
                else:  # x0 clipping: posterior means of the clipped x0 predictions
                    ab_t, ab_p = abar_np[i], (abar_np[i - 1] if i > 0 else 1.0)
                    c0 = betas_np[i] * math.sqrt(ab_p) / (1.0 - ab_t)
                    c1 = (1.0 - ab_p) * math.sqrt(alphas_np[i]) / (1.0 - ab_t)
                    sq, isab, c = math.sqrt(1.0 - ab_t), 1.0 / math.sqrt(ab_t), self.clip_sample
                    x0_u = torch.clamp((a - sq * eps_u) * isab, -c, c)
                    x0_c = torch.clamp((a - sq * eps_c) * isab, -c, c)
                    mu_u = c0 * x0_u + c1 * a
                    delta = c0 * (x0_c - x0_u)
                # gate from past evidence only
                past = lam if self.statistic == "final" else rmax
                if beta_max == 0.0:
                    bt = None
                elif self.gate == "hard":
                    bt = (past > self.tau).to(torch.float64) * beta_max
                elif math.isinf(self.tau):
                    bt = torch.full((B,), beta_max if self.tau < 0 else 0.0, dtype=torch.float64, device=dev)
                else:
                    bt = _sigmoid((torch.clamp(past, min=-1e300) - self.tau) / self.kappa) * beta_max
                m = mu_u if bt is None else mu_u + bt.to(dt).unsqueeze(0) * delta
                s2 = float(self._sigma2[i])
                if self.q_step is not None and s2 > 0.0 and self.q_step.eta > 0.0:
                    lam_a = self.q_step.anchor
                    anchor = m if lam_a == 1.0 else (mu_u if lam_a == 0.0 else (1.0 - lam_a) * mu_u + lam_a * m)
                    g = self.q_step.gradient(states, anchor.T).T.to(dt)
                    m = m + (self.q_step.eta * s2) * g
                if s2 > 0.0:
                    a_next = m + math.sqrt(s2) * counter_normal(keys, t, d, dtype=dt).T
                    diff = (a_next - mu_u).to(torch.float64)
                    d64 = delta.to(torch.float64)
                    ell = ((diff * d64).sum(0) - 0.5 * (d64 * d64).sum(0)) / s2
                    lam = lam + ell
                    rmax = torch.maximum(rmax, lam)
                else:
                    a_next = m
                    ell = torch.zeros(B, dtype=torch.float64, device=dev)
                if return_trace:
                    ells.append(ell.cpu().numpy())
                    betas.append(np.zeros(B) if bt is None else bt.cpu().numpy())
                a = a_next
        rmax = torch.where(torch.isinf(rmax), lam, rmax)  # no step carried evidence: the max is Lambda = 0
        actions = a.T.to(torch.float64).cpu().numpy()
        lam_np, rmax_np = lam.cpu().numpy(), rmax.cpu().numpy()
        if not (np.all(np.isfinite(actions)) and np.all(np.isfinite(lam_np))):
            raise ValueError("the heads returned non-finite eps, or the Q-step (eta, clip) overflowed: NaN or inf "
                             "reached the actions or the statistic")
        if return_trace:
            return actions, lam_np, rmax_np, np.stack(ells), np.stack(betas)
        return actions, lam_np, rmax_np, None, None
