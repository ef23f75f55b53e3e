"""The end-to-end C-SAR loop with true-environment evaluation (C-SAR paper §5 and §9; docs/methods/csar.md
§2, §3 and §6).

Ratio data (C-SAR paper §9): the transition discriminator sees env transitions ``(s, a, s'), s' ~ p`` (label 1)
against model transitions at the **same** ``(s, a)``, ``s' ~ m`` (label 0: the matched design, whose Bayes logit is
``log p/m`` plus the prior log-odds); the action discriminator sees ``a ~ pi(.|s)`` (label 1) against the dataset
action at the same dataset state (label 0), Bayes logit ``log pi/pi_b`` plus the prior log-odds.  Each is trained on
one split and calibrated on another (holdout); per-cell certificates are then read off for every cell.

Calibrators: ``percell`` (per-cell Clopper-Pearson with a union bound, on the calibration split directly),
``venn_abers`` (IVAP interval), ``conformal`` (temperature on half the calibration split, split conformal on the
other half), ``temperature`` and ``isotonic`` (point calibrators: zero-width intervals), ``temperature_bootstrap`` and
``isotonic_bootstrap`` (the same calibrators with bootstrap-percentile intervals over ``N_BOOT`` resamples of the
calibration split, C-SAR paper §9; :mod:`lrtcheck.csar.bootstrap`), ``none`` (raw discriminator
probabilities: zero-width intervals).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

import tabular_envs as te

from .agents import TabularSAC, soft_vi_policy
from .cells import PerCellClopperPearson
from .conformal import SplitConformal
from .discriminators import Discriminator
from .bootstrap import bootstrap_percentile_interval
from .isotonic import IsotonicCalibrator
from .logit import logit_certificate
from .metrics import auc, expected_calibration_error
from .temperature import TemperatureScaling
from .venn_abers import VennAbers
from .world import Certificates, CSARWorld, sample_model_rollouts, surrogate_mdp

__all__ = ["CALIBRATORS", "RatioData", "ratio_data", "cell_intervals", "calibrated_certificates", "CSARResult",
           "run_csar_soft_vi", "run_csar_sac", "true_return"]

CALIBRATORS = ("percell", "venn_abers", "conformal", "temperature", "isotonic", "temperature_bootstrap",
               "isotonic_bootstrap", "none")
#: the bootstrap resamples of the ``*_bootstrap`` calibrators
N_BOOT = 200


@dataclass(frozen=True)
class RatioData:
    """Labelled discriminator data: ``X`` (n, k) categorical tuples, ``y`` labels, ``cells`` joint indices."""

    X: np.ndarray
    y: np.ndarray
    cells: np.ndarray
    cards: tuple


def _joint(X, cards):
    idx = np.zeros(X.shape[0], dtype=np.int64)
    for j, c in enumerate(cards):
        idx = idx * c + X[:, j]
    return idx


def ratio_data(world: CSARWorld, pi, n_per_class: int, rng, *, kind: str, prior: float = 0.5) -> RatioData:
    """``kind="transition"`` or ``"action"``; ``prior`` is the fraction of label-1 samples (class imbalance)."""
    S, A = world.n_states, world.n_actions
    n1 = int(n_per_class)
    n0 = max(1, int(round(n1 * (1 - prior) / prior)))
    n = max(n1, n0)
    s, a = te.sample_occupancy_pairs(world.mdp, world.behaviour, n, seed=rng)
    if kind == "transition":
        s_env = te.sample_next_states(world.mdp.P, s[:n1], a[:n1], rng)
        s_mod = te.sample_next_states(world.model, s[:n0], a[:n0], rng)
        X = np.r_[np.c_[s[:n1], a[:n1], s_env], np.c_[s[:n0], a[:n0], s_mod]]
        cards = (S, A, S)
    elif kind == "action":
        a_pi = te.sample_categorical(np.asarray(pi)[s[:n1]], rng)
        X = np.r_[np.c_[s[:n1], a_pi], np.c_[s[:n0], a[:n0]]]
        cards = (S, A)
    else:
        raise ValueError(f"kind must be 'transition' or 'action', got {kind!r}")
    y = np.r_[np.ones(n1), np.zeros(n0)]
    return RatioData(X.astype(np.int64), y, _joint(X, cards), cards)


def _all_cells(cards):
    grids = np.meshgrid(*[np.arange(c) for c in cards], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def cell_intervals(train: RatioData, cal: RatioData, calibrator: str, *, delta: float, disc_kind: str = "logistic",
                   balance: bool = True, seed=0, n_boot: int = N_BOOT):
    """Probability intervals for every cell, the logit offset to the log-ratio, and the discriminator's
    probabilities on the calibration split (for ECE/AUC); ``n_boot`` resamples for the ``*_bootstrap`` calibrators."""
    cards = train.cards
    cells = _all_cells(cards)
    n_cells = cells.shape[0]
    if calibrator == "percell":
        pc = PerCellClopperPearson(n_cells, delta).fit(cal.cells, cal.y)
        lo, hi = pc.predict_interval(np.arange(n_cells))
        prior = cal.y.mean()
        return lo, hi, float(np.log1p(-prior) - np.log(prior)), pc.predict_proba(cal.cells)
    disc = Discriminator(cards, kind=disc_kind, balance=balance, seed=seed).fit(train.X, train.y)
    s_cal = disc.raw_logit(cal.X)
    s_all = disc.raw_logit(cells)
    # calibration data are drawn at the training prior; balance their classes by the recorded prior offset
    prior = cal.y.mean()
    off = float(np.log1p(-prior) - np.log(prior))
    if calibrator == "none":
        p = expit(s_all)
        return p, p, disc.offset_, expit(s_cal)
    if calibrator == "temperature":
        t = TemperatureScaling().fit(s_cal, cal.y)
        p = t.predict_proba(s_all)
        return p, p, off, t.predict_proba(s_cal)
    if calibrator == "isotonic":
        iso = IsotonicCalibrator().fit(s_cal, cal.y)
        p = iso.predict_proba(s_all)
        return p, p, off, iso.predict_proba(s_cal)
    if calibrator in ("temperature_bootstrap", "isotonic_bootstrap"):
        make = TemperatureScaling if calibrator == "temperature_bootstrap" else IsotonicCalibrator
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        lo, hi = bootstrap_percentile_interval(make, s_cal, cal.y, s_all, delta=delta, n_boot=n_boot,
                                               seed=root.spawn(1)[0])  # a stream apart from the discriminator's
        return lo, hi, off, make().fit(s_cal, cal.y).predict_proba(s_cal)
    if calibrator == "venn_abers":
        va = VennAbers().fit(s_cal, cal.y)
        lo, hi = va.predict_interval(s_all)
        return lo, hi, off, va.predict_proba(s_cal)
    if calibrator == "conformal":
        half = np.arange(cal.y.shape[0]) % 2 == 0
        t = TemperatureScaling().fit(s_cal[half], cal.y[half])
        sc = SplitConformal(delta, allow_infinite=True).fit(t.predict_proba(s_cal[~half]), cal.y[~half])
        lo, hi = sc.predict_interval(t.predict_proba(s_all))
        return lo, hi, off, t.predict_proba(s_cal)
    raise ValueError(f"calibrator must be one of {CALIBRATORS}, got {calibrator!r}")


def calibrated_certificates(world: CSARWorld, pi, rng, *, calibrator: str = "percell", n_train: int = 2000,
                            n_cal: int = 2000, delta: float = 0.1, clip=None, radius: str = "seed",
                            disc_kind: str = "logistic", prior: float = 0.5, balance: bool = True, seed=0):
    """Certificates for ``ell_p`` (all (s,a,s')) and ``ell_pi`` (all (s,a)) at total level ``delta`` (delta/2 each),
    with diagnostics (true log-ratios, calibration-split probabilities and labels)."""
    L = world.clip if clip is None else clip
    out = {}
    for kind in ("transition", "action"):
        tr = ratio_data(world, pi, n_train, rng, kind=kind, prior=prior)
        ca = ratio_data(world, pi, n_cal, rng, kind=kind, prior=prior)
        lo, hi, off, p_cal = cell_intervals(tr, ca, calibrator, delta=delta / 2, disc_kind=disc_kind,
                                            balance=balance, seed=seed)
        out[kind] = (logit_certificate(lo, hi, clip=L, offset=off, radius=radius), ca, p_cal)
    S, A = world.n_states, world.n_actions
    certs = Certificates.from_certs(out["transition"][0], out["action"][0], S, A)
    return certs, out


def true_return(world: CSARWorld, pi) -> float:
    """``mu0 . V^pi`` in the true environment with its reward r."""
    return float(world.mdp.mu0 @ te.evaluate_policy(world.mdp, pi))


@dataclass
class CSARResult:
    policy: np.ndarray
    returns: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)


def run_csar_soft_vi(world: CSARWorld, *, calibrator: str = "percell", n_iters: int = 3, temperature: float = 0.1,
                     seed=0, **cert_kw) -> CSARResult:
    """Alternate certificates (for the current policy) and exact soft VI on the certified surrogate."""
    rng = np.random.default_rng(seed)
    pi = world.behaviour.copy()
    res = CSARResult(pi)
    for _ in range(int(n_iters)):
        certs, diag = calibrated_certificates(world, pi, rng, calibrator=calibrator, **cert_kw)
        res.diagnostics.append((certs, diag, pi))
        pi = soft_vi_policy(surrogate_mdp(world, pi, certs), temperature)
        res.returns.append(true_return(world, pi))
    res.policy = pi
    return res


def run_csar_sac(world: CSARWorld, *, n_updates: int = 600, refresh_every: int = 100, horizon: int = 3,
                 n_env: int = 2000, n_rollouts: int = 500, batch: int = 128, temperature: float = 0.1,
                 calibrator: str = "percell", seed=0, **cert_kw) -> dict:
    """Tabular SAC on the replay mixture: a fraction f of each minibatch from D_env, the rest from model rollouts
    of ``horizon`` steps from dataset states, refreshed (with the discriminators retrained and recalibrated)
    every ``refresh_every`` updates.  Returns the final policy, its true return, and the drift of the policy
    certificates: the coverage of ``ell_pi`` of the *current* policy by the certificates made at the last refresh,
    measured just before each refresh, under the action data's cell law."""
    rng = np.random.default_rng(seed)
    S, A = world.n_states, world.n_actions
    d_env = te.sample_dataset(world.mdp, world.behaviour, n_env, seed=rng)
    agent = TabularSAC(S, A, gamma=float(world.mdp.gamma), temperature=temperature)
    n_env_b = max(1, int(round(world.f * batch)))
    drift, returns = [], []
    certs = None
    for t in range(int(n_updates)):
        if t % refresh_every == 0:
            pi = agent.policy()
            if certs is not None:
                drift.append(_pi_coverage(world, certs, pi, d_env))
            certs, _ = calibrated_certificates(world, pi, rng, calibrator=calibrator, **cert_kw)
            starts = d_env.states[rng.integers(0, len(d_env), n_rollouts)]
            roll = sample_model_rollouts(world, pi, starts, horizon, rng)
            lr_env = np.log(d_env.rewards)
            r_env = lr_env + world.beta * (certs.ell_pi_hat - certs.eps_pi)[d_env.states, d_env.actions]
            r_mod = np.log(roll.rewards) + world.alpha * (certs.ell_p_hat - certs.eps_p)[
                roll.states, roll.actions, roll.next_states]
            returns.append(true_return(world, pi))
        ie = rng.integers(0, len(d_env), n_env_b)
        im = rng.integers(0, len(roll), batch - n_env_b)
        agent.update(np.r_[d_env.states[ie], roll.states[im]], np.r_[d_env.actions[ie], roll.actions[im]],
                     np.r_[r_env[ie], r_mod[im]], np.r_[d_env.next_states[ie], roll.next_states[im]])
    pi = agent.policy()
    drift.append(_pi_coverage(world, certs, pi, d_env))
    return {"policy": pi, "return": true_return(world, pi), "returns": returns, "drift_coverage": drift}


def _pi_coverage(world, certs, pi, d_env):
    ell = np.clip(world.ell_pi(pi), -world.clip, world.clip)
    ok = np.abs(ell - certs.ell_pi_hat) <= certs.eps_pi + 1e-12
    w = np.bincount(d_env.states, minlength=world.n_states)[:, None] * pi
    return float(np.sum(w * ok) / np.sum(w))


def calibration_metrics(diag) -> dict:
    """ECE and AUC of the discriminator probabilities on the calibration split, per discriminator."""
    out = {}
    for kind, (cert, ca, p_cal) in diag.items():
        out[f"ece_{kind}"] = expected_calibration_error(np.clip(p_cal, 0, 1), ca.y)
        out[f"auc_{kind}"] = auc(p_cal, ca.y)
    return out
