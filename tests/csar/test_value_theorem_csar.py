"""``csar.value.theorem`` with independent terms: it holds on drawn worlds, its terms are not the residuals of the
inequality, and the declared defect (the certified reward adds the radius) is killed."""

import numpy as np

import tabular_envs as te
from lrtcheck.certify.mutation import catalogue, patched
from lrtcheck.certify.registry import all_checks
from lrtcheck.certify.runner import run_check
from lrtcheck.claims.csar.value import mismatch_terms
from lrtcheck.csar.world import surrogate_mdp
from lrtcheck.worlds.csar import world_at_gap_fraction


def _spec():
    return next(s for s in all_checks("quick") if s.check_id == "csar.value.theorem")


def test_theorem_holds_and_is_not_tight():
    res = run_check(_spec(), tier="quick")
    assert res.passed, res.message
    rows = res.evidence.details["worlds"]
    assert len(rows) == 5 and len({r["f"] for r in rows}) == 5
    assert any(abs(r["alpha"] - r["beta"]) > 0.1 for r in rows)
    assert all(0 <= r["tightness"] < 1 for r in rows)


def test_the_optimistic_reward_is_killed_by_the_theorem():
    """Killed by an exact clause (pessimism), so not a declared Monte Carlo defect (``lrtcheck power`` counts only
    Monte Carlo rejections)."""
    m = next(m for m in catalogue() if m.id == "csar.reward_optimistic")
    with patched(m):
        res = run_check(_spec(), tier="quick")
    assert not res.passed and "pessimism" in res.message


def test_mismatch_terms_bound_the_value_gap_and_vanish_without_shift():
    w = world_at_gap_fraction(4, 2, 0.3, f=0.4, alpha=0.7, beta=1.3, seed=3)
    pi = te.random_policy(4, 2, seed=1)
    V = te.evaluate_policy(surrogate_mdp(w, pi, None), pi)
    gap = abs(float(w.mdp.mu0 @ (te.evaluate_policy(w.mdp.with_reward(w.log_r), pi) - V)))
    dm, dp = mismatch_terms(w, pi, V)
    assert 0 <= gap <= dm + dp
    # no model bias and pi = pi_b: both intrinsic terms are 0 (the bound is then exact)
    w0 = type(w)(w.mdp, w.mdp.P, w.behaviour, w.alpha, w.beta, w.clip, w.f)
    V0 = te.evaluate_policy(surrogate_mdp(w0, w.behaviour, None), w.behaviour)
    assert mismatch_terms(w0, w.behaviour, V0) == (0.0, 0.0)
    assert np.isclose(float(w.mdp.mu0 @ te.evaluate_policy(w.mdp.with_reward(w.log_r), w.behaviour)),
                      float(w.mdp.mu0 @ V0))
