"""The C-SAR worlds (``lrtcheck.worlds.csar``) against independent oracles: numerical integration, scipy's exact
binomial intervals, the by-definition Venn-Abers predictor, and the defining properties of each construction."""

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as st

from lrtcheck.csar import VennAbers, venn_abers_brute_force
from lrtcheck.worlds.csar import (COVARIATE_SHIFT, FiniteScoreWorld, certificates_on_the_event,
                                  clopper_pearson_cell_coverage, deterministic_mdp, exact_frequency_data,
                                  label_residual_cdf, percell_world)


@pytest.mark.parametrize("t", [0.0, 0.1, 0.37, 0.5, 0.81, 1.0])
def test_label_residual_cdf_is_the_integral_of_the_square_law(t):
    def covered(x):  # P(|Y - x| <= t | X = x), Y ~ Bern(x^2)
        return x ** 2 * (1 - x <= t) + (1 - x ** 2) * (x <= t)

    value, _ = integrate.quad(covered, 0.0, 1.0, points=[1 - t, t], limit=200)
    assert label_residual_cdf(t) == pytest.approx(value, abs=1e-10)


def test_covariate_shift_weights_are_the_likelihood_ratio():
    w = COVARIATE_SHIFT
    assert np.allclose(w.likelihood_ratio * w.px_cal, w.px_test)
    xc, yc, xt, yt = w.draw(np.random.default_rng(1), 3, 50)
    assert xc.shape == yc.shape == (3, 50) and xt.shape == yt.shape == (3,)


def test_venn_abers_enumeration_is_a_law_and_matches_the_definition():
    small = FiniteScoreWorld(px=np.array([0.5, 0.5]), u=np.array([0.2, 0.7]), scores=np.array([0.0, 1.0]))
    prob, P0, P1 = small.enumerate_predictor(VennAbers, 4)
    assert len(prob) == 35  # multisets of size 4 over 2J = 4 cells: C(7, 4)
    assert prob.sum() == pytest.approx(1.0, abs=1e-12) and np.all(prob > 0)
    # first multiset: four copies of cell 0 (score 0, label 0); the by-definition IVAP at every score
    b0, b1 = venn_abers_brute_force(np.zeros(4), np.zeros(4), small.scores)
    assert prob[0] == pytest.approx((0.5 * 0.8) ** 4)
    assert np.allclose(P0[0], b0) and np.allclose(P1[0], b1)


@pytest.mark.parametrize("n,level", [(10, 0.05), (30, 0.1 / 32), (60, 0.1)])
def test_cell_coverage_is_the_exact_binomial_sum_with_scipys_intervals(n, level):
    u = np.array([0.03, 0.2, 0.5, 0.77, 0.99])
    cis = [st.binomtest(k, n).proportion_ci(1 - level, method="exact") for k in range(n + 1)]
    oracle = [sum(st.binom.pmf(k, n, p) for k, ci in enumerate(cis) if ci.low <= p <= ci.high) for p in u]
    got = clopper_pearson_cell_coverage(u, n, level)
    assert np.allclose(got, oracle, atol=1e-9) and np.all(got >= 1 - level - 1e-12)


def test_percell_world_logits_are_the_true_log_ratios():
    world = percell_world()
    w = world.tabular
    assert world.n_cells == w.n_states * w.n_actions * w.n_states
    assert np.allclose(world.ell, w.ell_p.ravel())
    assert world.simultaneous_coverage(30, 0.1 / world.n_cells) >= 0.9


def test_exact_frequency_data_has_the_given_counts():
    cells = np.array([[0, 0], [0, 1], [1, 0]])
    X, y = exact_frequency_data(cells, [2, 1, 3], [1, 4, 1])
    idx = X[:, 0] * 2 + X[:, 1]
    assert np.bincount(idx[y == 1], minlength=3).tolist() == [2, 1, 3]
    assert np.bincount(idx[y == 0], minlength=3).tolist() == [1, 4, 1]


def test_deterministic_mdp_moves_to_its_next_state():
    mdp, nxt, R = deterministic_mdp(np.random.default_rng(3), 4, 2, 0.8)
    assert np.array_equal(mdp.P.argmax(-1), nxt) and np.all(mdp.P.max(-1) == 1.0) and np.array_equal(mdp.R, R)


def test_certificates_lie_on_the_certified_event():
    from lrtcheck.csar.world import make_world

    w = make_world(4, 2, gap=1.0, seed=5)
    pi = w.behaviour
    c = certificates_on_the_event(w, pi, np.random.default_rng(0))
    for ell, hat, eps in ((w.ell_p, c.ell_p_hat, c.eps_p), (w.ell_pi(pi), c.ell_pi_hat, c.eps_pi)):
        assert np.all(np.abs(np.clip(ell, -w.clip, w.clip) - hat) <= eps + 1e-12)
