"""Ablations and metrics of the C-SAR paper §9, in an exact-ratio tabular world (docs/methods/csar.md §8).

Variants: ``csar`` (calibrated intervals, clipping, pessimism), ``no_calibration`` (raw discriminator logits, no
clipping: plain SAR), ``calibration_no_clip`` (calibrated intervals, no clipping), ``clip_no_calibration`` (raw
logits clipped at L), ``ideal`` (true clipped ratios).  "No clipping" uses ``L = 1e3`` (logits at 0/1 probabilities
are infinite and no reward can carry them; 1e3 leaves every finite logit unclipped in practice).

Metrics per variant: ECE and AUC of both discriminators on the calibration split, the coverage of the certificate
event ``|clip_L(ell) - ell_hat| <= eps`` and the mean radius under the calibration cell law, the fraction of clipped
midpoints, the pessimism penalty ``E_nu[alpha eps_p]`` / ``E_nu[beta eps_pi]``, and the true return of the soft-VI
policy in the environment.
"""

from __future__ import annotations

import numpy as np

import tabular_envs as te

from ._inputs import finite_array
from .agents import soft_vi_policy
from .discriminators import Discriminator
from .pipeline import calibrated_certificates, calibration_metrics, ratio_data, run_csar_sac, true_return
from .world import CSARWorld, surrogate_mdp

__all__ = ["VARIANTS", "NO_CLIP", "ablation_table", "imbalance_sweep", "drift_sweep", "certificate_metrics"]

NO_CLIP = 1e3
VARIANTS = {
    "csar": dict(calibrator="venn_abers", clip=None),
    "csar_percell": dict(calibrator="percell", clip=None),
    "no_calibration": dict(calibrator="none", clip=NO_CLIP),
    "calibration_no_clip": dict(calibrator="venn_abers", clip=NO_CLIP),
    "clip_no_calibration": dict(calibrator="none", clip=None),
}


def certificate_metrics(world: CSARWorld, pi, diag, clip: float) -> dict:
    """Coverage, mean radius, fraction clipped and pessimism under the calibration cell law."""
    out = {}
    S, A = world.n_states, world.n_actions
    truth = {"transition": world.ell_p.ravel(), "action": world.ell_pi(pi).ravel()}
    weight = {"transition": world.alpha, "action": world.beta}
    for kind, (cert, ca, _) in diag.items():
        nu = np.bincount(ca.cells, minlength=truth[kind].shape[0]).astype(float)
        nu /= nu.sum()
        cov = cert.covers(truth[kind])
        out[f"coverage_{kind}"] = float(nu @ cov)
        out[f"radius_{kind}"] = float(nu @ np.minimum(cert.radius, 1e300))
        out[f"clipped_{kind}"] = float(nu @ cert.clipped)
        out[f"penalty_{kind}"] = float(weight[kind] * (nu @ np.minimum(cert.radius, 1e300)))
        out[f"logit_error_{kind}"] = float(nu @ np.abs(np.clip(truth[kind], -clip, clip) - cert.ell_hat))
    return out


def ablation_table(world: CSARWorld, *, seed=0, n_train: int = 2000, n_cal: int = 2000, delta: float = 0.1,
                   temperature: float = 0.1, pi=None) -> list[dict]:
    """One row per variant (policy: soft VI on the surrogate built from certificates for the target policy ``pi``,
    the behaviour policy by default; with ``pi = pi_b`` the action log-ratio is 0 and the action discriminator has
    no signal)."""
    rows = []
    pi = world.behaviour if pi is None else _policy(pi, world)
    for name, cfg in VARIANTS.items():
        rng = np.random.default_rng(seed)  # the same data for every variant
        L = world.clip if cfg["clip"] is None else cfg["clip"]
        certs, diag = calibrated_certificates(world, pi, rng, calibrator=cfg["calibrator"], n_train=n_train,
                                              n_cal=n_cal, delta=delta, clip=L)
        w = CSARWorld(world.mdp, world.model, world.behaviour, world.alpha, world.beta, L, world.f)
        pol = soft_vi_policy(surrogate_mdp(w, pi, certs), temperature)
        row = {"variant": name, "calibrator": cfg["calibrator"], "clip": L, "return": true_return(world, pol)}
        row.update(calibration_metrics(diag))
        row.update(certificate_metrics(world, pi, diag, L))
        rows.append(row)
    pol = soft_vi_policy(surrogate_mdp(world, pi, None), temperature)
    rows.append({"variant": "ideal", "calibrator": "true ratios", "clip": world.clip,
                 "return": true_return(world, pol)})
    rows.append({"variant": "behaviour", "calibrator": "-", "clip": np.nan, "return": true_return(world, pi)})
    return rows


def _policy(pi, world: CSARWorld) -> np.ndarray:
    """``pi`` as an (S, A) row-stochastic array, or ValueError naming ``pi``."""
    arr = finite_array("pi", pi, ndim=2, allow_bool=False)
    if arr.shape != (world.n_states, world.n_actions):
        raise ValueError(f"pi must have shape {(world.n_states, world.n_actions)}, got {arr.shape}")
    if np.any(arr < 0) or not np.allclose(arr.sum(axis=1), 1.0, rtol=0, atol=1e-9):
        raise ValueError("pi must be a policy: non-negative rows that sum to 1")
    return arr


def imbalance_sweep(world: CSARWorld, priors=(0.5, 0.2, 0.05), *, seed=0, n_per_class: int = 2000) -> list[dict]:
    """Class imbalance: explicit rebalancing (class weights) versus the recorded-prior correction, for the raw
    transition-discriminator logits; the figure is the nu-mean absolute error of the log-ratio estimate."""
    rows = []
    ell = world.ell_p.ravel()
    for rho in priors:
        for mode in ("rebalance", "prior_correction", "uncorrected"):
            rng = np.random.default_rng(seed)
            d = ratio_data(world, world.behaviour, n_per_class, rng, kind="transition", prior=rho)
            disc = Discriminator(d.cards, balance=(mode == "rebalance")).fit(d.X, d.y)
            est = disc.raw_logit(_cells(d.cards)) + (disc.offset_ if mode != "uncorrected" else 0.0)
            nu = np.bincount(d.cells, minlength=ell.shape[0]).astype(float)
            nu /= nu.sum()
            rows.append({"prior": rho, "mode": mode, "logit_error": float(nu @ np.abs(est - ell)),
                         "mean_bias": float(nu @ (est - ell))})
    return rows


def _cells(cards):
    grids = np.meshgrid(*[np.arange(c) for c in cards], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def drift_sweep(world: CSARWorld, Ks=(50, 200), hs=(1, 5), *, n_updates: int = 400, seed=0, **kw) -> list[dict]:
    """Rollout-induced drift: SAC on the replay mixture for each refresh period K and rollout horizon h; the drift
    figure is the mean coverage of the current policy's ``ell_pi`` by the certificates of the last refresh."""
    rows = []
    for K in Ks:
        for h in hs:
            out = run_csar_sac(world, n_updates=n_updates, refresh_every=K, horizon=h, seed=seed, **kw)
            rows.append({"K": K, "h": h, "drift_coverage": float(np.mean(out["drift_coverage"])),
                         "return": out["return"]})
    return rows
