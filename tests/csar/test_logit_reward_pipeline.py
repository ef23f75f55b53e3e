"""Logit certificates, certified reward, discriminators, agents and the pipeline."""

import numpy as np
import pytest

import tabular_envs as te
from lrtcheck.csar import certified_reward, ideal_reward, log_reward, logit_certificate, logit_interval
from lrtcheck.csar.agents import TabularSAC, soft_vi_policy
from lrtcheck.csar.discriminators import Discriminator, cross_fit_logits, darc_log_ratio
from lrtcheck.csar.pipeline import run_csar_sac, run_csar_soft_vi
from lrtcheck.csar.world import make_world, surrogate_mdp


def test_logit_interval_basic():
    ell, eps = logit_interval([0.5], [0.5], clip=2.0)
    assert ell[0] == 0 and eps[0] == 0
    ell, eps = logit_interval([0.0], [1.0], clip=2.0)
    assert ell[0] == 0 and eps[0] == 2.0
    ell, eps = logit_interval([0.2], [0.6], clip=5.0, offset=1.0)
    z = np.log([0.25, 1.5]) + 1.0
    assert ell[0] == pytest.approx(z.mean()) and eps[0] == pytest.approx((z[1] - z[0]) / 2)
    ell, eps = logit_interval([0.9999], [1.0], clip=3.0)
    assert ell[0] == 3.0 and eps[0] == 3.0


def test_logit_interval_bad_inputs():
    with pytest.raises(ValueError, match="exceed"):
        logit_interval([0.6], [0.4], clip=1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        logit_interval([-0.1], [0.4], clip=1.0)
    with pytest.raises(ValueError, match="clip"):
        logit_interval([0.1], [0.4], clip=0.0)
    with pytest.raises(ValueError, match="NaN"):
        logit_interval([np.nan], [0.4], clip=1.0)


def test_no_clip_lower_end_exact():
    c = logit_certificate([0.3], [1.0], clip=np.inf)
    assert c.lower[0] == pytest.approx(np.log(0.3 / 0.7))


def test_reward_sandwich_and_log_reward():
    with pytest.raises(ValueError, match="positive"):
        log_reward([1.0, 0.0])
    rng = np.random.default_rng(0)
    ell = rng.normal(size=200) * 3
    c = logit_certificate(np.full(200, 0.2), np.full(200, 0.8), clip=2.0, radius="sound")
    lr = np.zeros(200)
    rc = certified_reward(lr, False, ell_p=c.ell_hat, eps_p=c.radius, ell_pi=0, eps_pi=0, alpha=1, beta=1)
    rs = ideal_reward(lr, False, ell_p=ell, ell_pi=0, alpha=1, beta=1, clip=2.0)
    ev = c.covers(ell)
    assert np.all((rs - rc)[ev] >= -1e-12) and np.all((rs - rc)[ev] <= 2 * c.radius[ev] + 1e-12)


def test_discriminator_recovers_matched_logit_and_darc():
    w = make_world(3, 2, gap=1.0, seed=3)
    rng = np.random.default_rng(1)
    n = 40000
    s, a = te.sample_occupancy_pairs(w.mdp, w.behaviour, n, seed=rng)
    s1 = te.sample_next_states(w.mdp.P, s, a, rng)
    s0 = te.sample_next_states(w.model, s, a, rng)
    X = np.r_[np.c_[s, a, s1], np.c_[s, a, s0]]
    y = np.r_[np.ones(n), np.zeros(n)]
    d = Discriminator((3, 2, 3)).fit(X, y)
    cells = np.array(np.meshgrid(range(3), range(2), range(3), indexing="ij")).reshape(3, -1).T
    assert np.max(np.abs(d.logit(cells) - w.ell_p.ravel())) < 0.15
    sa = Discriminator((3, 2)).fit(X[:, :2], y)
    assert np.max(np.abs(darc_log_ratio(d, sa, cells) - w.ell_p.ravel())) < 0.15
    oof, folds, models = cross_fit_logits(lambda k: Discriminator((3, 2, 3), seed=k), X, y)
    assert oof.shape == y.shape and len(models) == 2
    sub = np.r_[0:1000, n:n + 1000]
    m = Discriminator((3, 2, 3), kind="mlp", steps=50).fit(X[sub], y[sub])
    assert np.all(np.isfinite(m.logit(cells)))


def test_agents_and_pipeline_run():
    w = make_world(4, 2, seed=5)
    pi = soft_vi_policy(surrogate_mdp(w, w.behaviour, None), 0.1)
    assert np.allclose(pi.sum(-1), 1)
    sac = TabularSAC(4, 2, gamma=0.8)
    sac.update(np.array([0, 1]), np.array([1, 0]), np.array([0.1, 0.2]), np.array([2, 3]))
    assert np.allclose(sac.policy().sum(-1), 1)
    res = run_csar_soft_vi(w, n_iters=1, n_train=500, n_cal=500)
    assert np.isfinite(res.returns[-1])
    out = run_csar_sac(w, n_updates=60, refresh_every=30, n_train=300, n_cal=300)
    assert np.isfinite(out["return"]) and len(out["drift_coverage"]) == 2


def test_reward_functions_refuse_bad_input():
    from lrtcheck.csar import reward_bound, seed_reward_bound

    kw = dict(ell_p=0.0, ell_pi=0.0, alpha=1.0, beta=1.0)
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(ValueError, match=r"^log_r must contain only finite values"):
            ideal_reward(np.array([bad]), np.array([True]), clip=1.0, **kw)
        with pytest.raises(ValueError, match=r"^log_r must contain only finite values"):
            certified_reward(np.array([bad]), np.array([True]), eps_p=0.0, eps_pi=0.0, **kw)
    for fn in (lambda *a: reward_bound(*a), lambda *a: reward_bound(*a, "uniform"), seed_reward_bound):
        with pytest.raises(ValueError, match=r"^clip must be a finite number > 0"):
            fn(0.5, 1.0, 1.0, -1.0)
        with pytest.raises(ValueError, match=r"^clip must be a finite number > 0"):
            fn(0.5, 1.0, 1.0, 0.0)
        with pytest.raises(ValueError, match=r"^alpha must be a finite number >= 0"):
            fn(0.5, -1.0, 1.0, 1.0)
        with pytest.raises(ValueError, match=r"^beta must not be NaN"):
            fn(0.5, 1.0, np.nan, 1.0)
        with pytest.raises(ValueError, match=r"^beta must be a finite number >= 0"):
            fn(0.5, 1.0, -2.0, 1.0)
        with pytest.raises(ValueError, match=r"^max_abs_log_r must be a finite number >= 0"):
            fn(-0.5, 1.0, 1.0, 1.0)
    assert reward_bound(0.5, 1.0, 2.0, 1.5) == 0.5 + 2 * 2.0 * 1.5


def test_logit_and_residuals_refuse_nan():
    from lrtcheck.csar import safe_logit
    from lrtcheck.csar.conformal import label_residuals

    with pytest.raises(ValueError, match=r"^p must contain probabilities in \[0, 1\] \(NaN refused\)"):
        safe_logit(np.array([0.5, np.nan]))
    with pytest.raises(ValueError, match=r"^p must contain probabilities in \[0, 1\]"):
        safe_logit(np.array([1.5]))
    assert np.array_equal(safe_logit(np.array([0.0, 1.0])), [-np.inf, np.inf])
    with pytest.raises(ValueError, match=r"^probs must contain probabilities in \[0, 1\] \(NaN refused\)"):
        label_residuals(np.array([np.nan, 0.2]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"^labels must contain binary labels"):
        label_residuals(np.array([0.1, 0.2]), np.array([np.nan, 1.0]))


def test_tabular_sac_refuses_bad_parameters_and_indices():
    with pytest.raises(ValueError, match=r"^gamma must lie in \[0, 1\)"):
        TabularSAC(4, 2, gamma=1.0)
    with pytest.raises(ValueError, match=r"^gamma must lie in \[0, 1\]"):
        TabularSAC(4, 2, gamma=1.5)
    with pytest.raises(ValueError, match=r"^lr must be a finite number > 0"):
        TabularSAC(4, 2, gamma=0.8, lr=0.0)
    with pytest.raises(ValueError, match=r"^lr must lie in \(0, 1\]"):
        TabularSAC(4, 2, gamma=0.8, lr=1.5)
    with pytest.raises(ValueError, match=r"^n_states must be an integer >= 1"):
        TabularSAC(0, 2, gamma=0.8)
    sac = TabularSAC(4, 2, gamma=0.8)
    ok = np.array([0, 1])
    with pytest.raises(ValueError, match=r"^s must contain indices in \[0, 4\)"):
        sac.update(np.array([0, 4]), ok, np.zeros(2), ok)
    with pytest.raises(ValueError, match=r"^a must contain indices in \[0, 2\)"):
        sac.update(ok, np.array([0, 2]), np.zeros(2), ok)
    with pytest.raises(ValueError, match=r"^s2 must contain indices in \[0, 4\)"):
        sac.update(ok, ok, np.zeros(2), np.array([-1, 0]))
    with pytest.raises(ValueError, match=r"^a must contain integer indices"):
        sac.update(ok, np.array([0.5, 1.0]), np.zeros(2), ok)
    assert np.all(sac.Q == 0)  # nothing was applied by the refused updates
