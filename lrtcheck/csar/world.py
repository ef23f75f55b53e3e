"""C-SAR worlds: a tabular MDP with positive rewards, a model with a tunable gap, a behaviour policy, the exact
log-ratios, and the surrogate MDP of a shaped reward (docs/methods/csar.md §1; built on ``tabular_envs``).

Surrogate MDP (our reading of the C-SAR paper §7, "the kernel implicit in d_mix"): at every (s, a) a training
sample is an environment transition with probability f and a model transition otherwise, so the surrogate kernel is
``K = f p + (1 - f) m`` and its reward is ``f E_p[r_env(s,a,s')] + (1 - f) E_m[r_model(s,a,s')]``, where the env
and model rewards are the per-transition shaped rewards (certified or ideal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import tabular_envs as te
from lrtcheck.stats.validation import check_nonnegative, check_open_unit, check_positive, check_unit

from .logit import LogitCertificate
from .reward import certified_reward, ideal_reward

__all__ = ["CSARWorld", "make_world", "surrogate_mdp", "sample_model_rollouts", "Certificates"]


@dataclass(frozen=True)
class CSARWorld:
    """The true MDP (rewards > 0), the model kernel, the behaviour policy and the C-SAR weights."""

    mdp: te.TabularMDP
    model: np.ndarray
    behaviour: np.ndarray
    alpha: float = 1.0
    beta: float = 1.0
    clip: float = 3.0
    f: float = 0.5

    @property
    def n_states(self) -> int:
        return self.mdp.n_states

    @property
    def n_actions(self) -> int:
        return self.mdp.n_actions

    @property
    def log_r(self) -> np.ndarray:
        return np.log(self.mdp.R)

    @property
    def ell_p(self) -> np.ndarray:
        return te.transition_log_ratio(self.mdp.P, self.model)

    def ell_pi(self, pi) -> np.ndarray:
        return te.policy_log_ratio(pi, self.behaviour)


def make_world(n_states: int = 5, n_actions: int = 2, *, gap: float = 1.0, gamma: float = 0.8,
               coverage: float = 0.3, alpha: float = 1.0, beta: float = 1.0, clip: float = 3.0, f: float = 0.5,
               reward_range=(0.2, 1.0), seed=0) -> CSARWorld:
    """A random world with a model at exact gap ``max|log p/m| = gap`` (``tabular_envs.perturb_to_gap``)."""
    check_positive("gap", gap)
    check_open_unit("f", f) if f < 1 else check_unit("f", f)
    ss = np.random.SeedSequence(seed)
    s1, s2, s3 = ss.spawn(3)
    mdp = te.random_mdp(n_states, n_actions, gamma=gamma, seed=s1, reward_range=reward_range, concentration=2.0)
    model = te.perturb_to_gap(mdp.P, gap, seed=int(s2.generate_state(1)[0])).M
    pi_b = te.behaviour_policy(n_states, n_actions, kind="random", coverage=coverage,
                               seed=int(s3.generate_state(1)[0]))
    return CSARWorld(mdp, model, pi_b, check_nonnegative("alpha", alpha), check_nonnegative("beta", beta),
                     clip, f)


@dataclass(frozen=True)
class Certificates:
    """Per-cell certificates: ``ell_p_hat``/``eps_p`` of shape (S, A, S), ``ell_pi_hat``/``eps_pi`` of shape (S, A)."""

    ell_p_hat: np.ndarray
    eps_p: np.ndarray
    ell_pi_hat: np.ndarray
    eps_pi: np.ndarray

    @classmethod
    def from_certs(cls, cert_p: LogitCertificate, cert_pi: LogitCertificate, S: int, A: int) -> "Certificates":
        return cls(cert_p.ell_hat.reshape(S, A, S), cert_p.radius.reshape(S, A, S),
                   cert_pi.ell_hat.reshape(S, A), cert_pi.radius.reshape(S, A))


def surrogate_mdp(world: CSARWorld, pi, certs: Certificates | None = None, *, variant: str = "split",
                  f: float | None = None) -> te.TabularMDP:
    """The surrogate MDP of the certified reward (``certs`` given) or of the ideal reward (``certs=None``)."""
    f = world.f if f is None else f
    S, A = world.n_states, world.n_actions
    P, M = world.mdp.P, world.model
    lr = world.log_r
    ell_pi = world.ell_pi(pi)
    ell_p = world.ell_p
    if certs is None:
        r_env = ideal_reward(lr, True, ell_p=0.0, ell_pi=ell_pi, alpha=world.alpha, beta=world.beta, clip=world.clip)
        r_mod = ideal_reward(lr[..., None] * np.ones(S), False, ell_p=ell_p, ell_pi=0.0, alpha=world.alpha,
                             beta=world.beta, clip=world.clip)
    else:
        r_env = certified_reward(lr, True, ell_p=0.0, eps_p=_env_eps_p(certs, M), ell_pi=certs.ell_pi_hat,
                                 eps_pi=certs.eps_pi, alpha=world.alpha, beta=world.beta, variant=variant)
        r_mod = certified_reward(lr[..., None] * np.ones(S), False, ell_p=certs.ell_p_hat, eps_p=certs.eps_p,
                                 ell_pi=0.0, eps_pi=certs.eps_pi[..., None] * np.ones(S), alpha=world.alpha,
                                 beta=world.beta, variant=variant)
    R = f * r_env + (1 - f) * np.sum(M * np.where(M > 0, r_mod, 0.0), axis=-1)
    K = f * P + (1 - f) * M
    return te.TabularMDP(K, R, world.mdp.mu0, world.mdp.gamma)


def _env_eps_p(certs: Certificates, M: np.ndarray) -> np.ndarray:
    # the uniform variant charges alpha * eps_p on env transitions too: its expectation under the model kernel
    return np.sum(M * certs.eps_p, axis=-1)


def sample_model_rollouts(world: CSARWorld, pi, start_states, horizon: int, rng) -> te.Transitions:
    """Rollouts of ``horizon`` steps under ``pi`` in the model from the given start states (vectorised over
    rollouts; a loop over time steps)."""
    s = np.asarray(start_states, dtype=np.int64)
    S_, A_, R_, N_ = [], [], [], []
    for _ in range(int(horizon)):
        a = te.sample_categorical(pi[s], rng)
        s2 = te.sample_next_states(world.model, s, a, rng)
        S_.append(s); A_.append(a); R_.append(world.mdp.R[s, a]); N_.append(s2)
        s = s2
    return te.Transitions(np.concatenate(S_), np.concatenate(A_), np.concatenate(R_), np.concatenate(N_))
