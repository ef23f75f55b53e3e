"""The tabular.* checks pass on the reference worlds and catch their target defect (off-by-one stopping time)."""

import numpy as np

import tabular_envs as te
from lrtcheck.certify import run_checks, select


def test_tabular_checks_pass_quick():
    results = run_checks(select(["tabular.*"]), tier="quick")
    assert {r.check_id for r in results} == {"tabular.rollout.value", "tabular.occupancy.sampling",
                                             "tabular.bayes_logit.identity", "tabular.solvers.exact"}
    for r in results:
        assert r.passed, r.describe()


def test_checks_detect_an_off_by_one_stopping_time(monkeypatch):
    real = te.geometric_stop_samples

    def off_by_one(mdp, pi, n, *, seed=0, max_steps=100_000):
        rng = np.random.default_rng(seed) if not isinstance(seed, np.random.Generator) else seed
        s, a, T = real(mdp, pi, n, seed=rng)
        s2 = te.sample_next_states(mdp.P, s, a, rng)  # one step too many
        a2 = te.sample_categorical(np.asarray(pi)[s2], rng)
        return s2, a2, T + 1

    monkeypatch.setattr(te, "geometric_stop_samples", off_by_one)
    for r in run_checks(select(["tabular.rollout.value", "tabular.occupancy.sampling"]), tier="quick"):
        assert not r.passed and r.verdict == "violated", r.describe()
