"""An LRT-gated sampler on diffusers' ``DDPMScheduler``, as an ``lrt.sampler`` subject.

``diffusers_lrt_factory(**scheduler_kwargs)`` returns a factory ``factory(background, good, schedule, **settings)``
(the ``lrt.sampler`` protocol, :mod:`lrtcheck.certify.protocols`) whose sampler runs the reverse chain through
``DDPMScheduler.step``: the scheduler's timesteps are 0-based (``t0 = t - 1`` for lrtcheck's step t), the
ε-models are the two heads at ``alpha_bar[t0]``, noise comes from a ``torch.Generator`` seeded with ``seed``, on
the adapter's device and dtype.  The LRT gate mixes the two ε-predictions, ``eps = eps_u + beta (eps_c - eps_u)``,
which mixes the two reverse means because the DDPM mean is affine in ε (Ho et al. 2020, arXiv 2006.11239, eq. 11)
— true only without clipping.  The evidence increment is
``ell = ((a' - mu_u) . delta - |delta|^2 / 2) / sigma_t^2`` with ``delta = mu_c - mu_u`` (arXiv 2510.24983 §3.2).

What lrtcheck's exact laws assume, and diffusers does differently by default:

- ``clip_sample=True`` (diffusers' default) clips the predicted x0 to [-1, 1]: the mean is no longer affine in ε,
  the H0 statistic is no longer Gaussian; the adapter sets ``clip_sample=False`` unless told otherwise.
- diffusers adds no noise at its last step (``t0 = 0``).  With the posterior variance (``variance_type=
  "fixed_small"``) lrtcheck's law has sigma_1 = 0 there too; with the β variance (``"fixed_large"``) lrtcheck's law
  has sigma_1^2 = beta_1 > 0, so the adapter adds that last step's noise itself (``last_step_noise=True``).
- the scheduler keeps its betas in float32; the statistic is accumulated in float64.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["diffusers_lrt_factory", "DiffusersLRTSampler"]

_VARIANCE_TYPES = {"posterior": "fixed_small", "beta": "fixed_large"}


class _Result:
    def __init__(self, actions, final, running_max, statistic):
        self.actions, self.final, self.running_max, self.statistic = actions, final, running_max, statistic


class DiffusersLRTSampler:
    """The sampler the factory builds (see the module docstring)."""

    def __init__(self, background, good, schedule, *, variance="posterior", gate="hard", beta_max=0.5,
                 tau=math.inf, kappa=1.0, statistic="final", q_step=None, scheduler_kwargs=None, device="cpu",
                 dtype=None, last_step_noise=True, clip_sample=None):
        import torch
        from diffusers import DDPMScheduler

        if variance not in _VARIANCE_TYPES:
            raise ValueError(f"variance must be one of {sorted(_VARIANCE_TYPES)}, got {variance!r}")
        self.background, self.good, self.schedule = background, good, schedule
        self.variance, self.gate, self.beta_max, self.tau, self.kappa = variance, gate, beta_max, float(tau), kappa
        self.statistic, self.q_step = statistic, q_step
        self.device, self.dtype = torch.device(device), dtype or torch.float64
        self.last_step_noise = last_step_noise
        kw = {"clip_sample": False, **(scheduler_kwargs or {})}
        if clip_sample is not None:  # lrtcheck's clip_sample=c: each head's x0 clipped to [-c, c] (diffusers' own)
            kw.update(clip_sample=True, clip_sample_range=float(clip_sample))
        self.scheduler = DDPMScheduler(num_train_timesteps=schedule.T, trained_betas=np.asarray(schedule.betas),
                                       variance_type=_VARIANCE_TYPES[variance], **kw)
        self.scheduler.set_timesteps(schedule.T, device=self.device)
        self._kw = kw

    def _eps(self, head, x, t0):
        return head.epsilon_torch(x, float(self.schedule.alpha_bars[t0]))

    def sample(self, states=None, *, seed, n, null=False):
        import torch
        from diffusers.utils.torch_utils import randn_tensor

        sch = self.scheduler
        gen = torch.Generator(device=self.device).manual_seed(int(seed))
        d = self.background.dim
        a = randn_tensor((n, d), generator=gen, device=self.device, dtype=self.dtype)
        lam = torch.zeros(n, dtype=torch.float64, device=self.device)
        rmax = torch.full((n,), -math.inf, dtype=torch.float64, device=self.device)
        bmax = 0.0 if null else float(self.beta_max)
        for t0 in sch.timesteps.tolist():
            eps_u, eps_c = self._eps(self.background, a, t0), self._eps(self.good, a, t0)
            past = lam if self.statistic == "final" else rmax
            if bmax == 0.0:
                g = torch.zeros(n, dtype=torch.float64, device=self.device)
            elif self.gate == "hard":
                g = (past > self.tau).to(torch.float64) * bmax
            else:
                g = torch.sigmoid((torch.clamp(past, min=-1e300) - self.tau) / self.kappa) * bmax
            state = gen.get_state()
            # the same noise for the two means: their difference is delta, noise-free
            prev_u = sch.step(eps_u, t0, a, generator=gen).prev_sample
            gen.set_state(state)
            prev_c = sch.step(eps_c, t0, a, generator=gen).prev_sample
            delta = (prev_c - prev_u).to(torch.float64)
            if t0 > 0:
                s2 = float(sch._get_variance(t0))
                gen.set_state(state)
                noise = math.sqrt(s2) * randn_tensor((n, d), generator=gen, device=self.device,
                                                     dtype=self.dtype).to(torch.float64)  # what step drew
            else:
                s2 = float(self.schedule.variance(self.variance)[0]) if self.last_step_noise else 0.0
                noise = (math.sqrt(s2) * randn_tensor((n, d), generator=gen, device=self.device,
                                                      dtype=self.dtype).to(torch.float64)) if s2 > 0 else 0.0
            a_next = prev_u.to(torch.float64) + g[:, None] * delta + (noise if t0 == 0 else 0.0)
            if self.q_step is not None and s2 > 0 and self.q_step.eta > 0:
                mean = a_next - noise  # m = mu_u + g delta; the critic's gradient at lrtcheck's anchor
                lam_a = float(self.q_step.anchor)  # (1 - lambda) mu_u + lambda m (lrtcheck.lrt.QStep)
                anchor = (1.0 - lam_a) * (mean - g[:, None] * delta) + lam_a * mean
                grad = self.q_step.gradient(states, anchor.to(self.dtype)).to(torch.float64)
                a_next = a_next + self.q_step.eta * s2 * grad
            if s2 > 0:
                diff = a_next - (prev_u.to(torch.float64) - (noise if t0 > 0 else 0.0))
                lam = lam + ((diff * delta).sum(1) - 0.5 * (delta * delta).sum(1)) / s2
                rmax = torch.maximum(rmax, lam)
            a = a_next.to(self.dtype)
        rmax = torch.where(torch.isinf(rmax), lam, rmax)
        lam_np, rmax_np = lam.cpu().numpy(), rmax.cpu().numpy()
        return _Result(a.to(torch.float64).cpu().numpy(), lam_np, rmax_np,
                       lam_np if self.statistic == "final" else rmax_np)

    def null_statistics(self, n, *, seed):
        return self.sample(seed=seed, n=n, null=True).statistic


def diffusers_lrt_factory(*, device: str = "cpu", dtype: Any = None, last_step_noise: bool = True,
                          **scheduler_kwargs):
    """A ``lrt.sampler`` factory whose samplers run on ``DDPMScheduler(**scheduler_kwargs)`` (``clip_sample=False``
    unless given)."""

    def factory(background, good, schedule, **settings):
        settings.setdefault("dtype", dtype)  # a check's working dtype wins over the adapter's default
        return DiffusersLRTSampler(background, good, schedule, scheduler_kwargs=scheduler_kwargs, device=device,
                                   last_step_noise=last_step_noise, **settings)

    factory.__qualname__ = ("diffusers_lrt_factory(" + ", ".join(f"{k}={v!r}" for k, v in scheduler_kwargs.items())
                            + ")")
    factory.lrtcheck_subject_kind = "lrt.sampler"
    return factory
