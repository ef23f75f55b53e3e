"""Worlds of the C-SAR checks: finite worlds in which every probability a calibrator, a certificate or a reward
estimates is known exactly (docs/methods/csar.md; the tabular C-SAR world itself is ``lrtcheck.csar.make_world``).

* :func:`label_residual_cdf`, :func:`draw_square_law_labels`: scores ``X ~ U(0, 1)`` with labels
  ``Y | X ~ Bern(X^2)``, where the law of the conformal residual ``|Y - X|`` has a closed form (split conformal,
  docs/methods/csar.md §3).
* :class:`CovariateShiftWorld` (:data:`COVARIATE_SHIFT`): four covariate values with calibration and test laws
  whose likelihood ratio is known (weighted conformal, Tibshirani, Barber, Candes & Ramdas 2019, arXiv 1904.06019,
  section 2).
* :class:`FiniteScoreWorld` (:data:`VENN_ABERS_WORLD`): three scores with known ``P(Y = 1 | x)``, in which the law of
  an inductive Venn-Abers predictor is computed exactly by enumerating every calibration multiset (Vovk, Petej &
  Fedorova 2015, arXiv 1511.00213, section 2).
* :class:`PerCellWorld` (:func:`percell_world`): the matched-design transition classifier of a tabular C-SAR world,
  with the exact class probability of every (s, a, s') cell and the exact coverage of per-cell Clopper-Pearson
  intervals (Clopper & Pearson 1934; docs/methods/csar.md §3).
* :func:`exact_frequency_data`: labelled categorical data whose empirical class frequencies are given counts, so a
  saturated discriminator's Bayes logit is known per cell (docs/methods/csar.md §2).
* :func:`deterministic_mdp`: a random deterministic MDP, on which tabular SAC fed every (s, a) is exact
  (docs/methods/csar.md §6).
* :func:`certificates_on_the_event`: certificates that satisfy the certified event by construction (the value
  lemma and theorem of docs/methods/csar.md §7).

Worlds import the methods, ``tabular_envs`` and the statistical core only, never the engine.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats as st

import tabular_envs as te
from lrtcheck.csar.world import Certificates, CSARWorld, make_world
from lrtcheck.stats import clopper_pearson

__all__ = [
    "label_residual_cdf", "draw_square_law_labels", "CovariateShiftWorld", "COVARIATE_SHIFT", "FiniteScoreWorld",
    "VENN_ABERS_WORLD", "PERCELL_WORLD_SEED", "PerCellWorld", "percell_world", "clopper_pearson_cell_coverage",
    "exact_frequency_data", "deterministic_mdp", "certificates_on_the_event", "transition_cell_law",
    "world_at_gap_fraction", "certificates_covering",
]


# ------------------------------------------------------------------------------------------------ split conformal
def label_residual_cdf(t):
    """``P(|Y - X| <= t)`` for ``X ~ U(0, 1)``, ``Y | X ~ Bern(X^2)``:
    ``int_{1-t}^1 x^2 dx + int_0^t (1 - x^2) dx = (1 - (1 - t)^3)/3 + t - t^3/3`` on ``[0, 1]``."""
    t = np.clip(t, 0.0, 1.0)
    return (1 - (1 - t) ** 3) / 3 + t - t ** 3 / 3


def draw_square_law_labels(rng, shape) -> tuple[np.ndarray, np.ndarray]:
    """Scores ``x ~ U(0, 1)`` and labels ``y ~ Bern(x^2)`` of the given shape (scores drawn first, then labels)."""
    x = rng.random(shape)
    y = (rng.random(shape) < x ** 2).astype(float)
    return x, y


# ------------------------------------------------------------------------------------------------ covariate shift
@dataclass(frozen=True)
class CovariateShiftWorld:
    """Covariates ``x in {0, .., J-1}`` with calibration law ``px_cal`` and test law ``px_test``; labels
    ``Y | x ~ Bern(u[x])`` in both; the base classifier predicts ``base[x]``.  The exact likelihood ratio is
    ``w(x) = px_test[x] / px_cal[x]`` (the weights of weighted conformal, Tibshirani et al. 2019, section 2)."""

    px_cal: np.ndarray
    px_test: np.ndarray
    u: np.ndarray
    base: np.ndarray

    @property
    def likelihood_ratio(self) -> np.ndarray:
        return self.px_test / self.px_cal

    def exact_weighted_coverage(self, n: int, delta, *, include_test_weight: bool = True) -> float:
        """The exact probability that weighted conformal with ``w = px_test/px_cal`` covers the test label, from
        ``n`` calibration points, by enumerating every calibration multiset of the 2J (x, y) cells with its
        multinomial probability and every test (x, y) (Tibshirani et al. 2019, section 2).  The quantile is
        recomputed here by brute force in exact fractions of the float residuals and weights the method is given
        (``|y - base[x]|`` and ``px_test/px_cal`` as float64, delta exact): ``q(x) = min{a_i : sum_{a_j <= a_i} w_j >= (1 - delta)(W + w(x))}``, ``+inf`` when none; with
        ``include_test_weight=False`` the test point's weight is left out (the defect of the checks)."""
        J = self.px_cal.shape[0]
        w = [Fraction(float(v)) for v in self.likelihood_ratio]
        d = Fraction(delta)
        cellp = np.r_[self.px_cal * (1 - self.u), self.px_cal * self.u]
        combos = list(itertools.combinations_with_replacement(range(2 * J), n))
        counts = np.array([np.bincount(c, minlength=2 * J) for c in combos])
        prob = st.multinomial.pmf(counts, n, cellp)
        # residual of every (x, y) cell, exact: |y - base[x]|
        res = [Fraction(float(abs(y - self.base[x]))) for y in (0.0, 1.0) for x in range(J)]
        total = 0.0
        for pr, combo in zip(prob, combos):
            pts = sorted((res[c], w[c % J]) for c in combo)
            W = sum(wi for _, wi in pts)
            cover = 0.0
            for x in range(J):
                need = (1 - d) * (W + (w[x] if include_test_weight else 0))
                q, acc = None, Fraction(0)
                for a_i, wi in pts:
                    acc += wi
                    if acc >= need:
                        q = a_i
                        break
                for y, py in ((0, 1 - self.u[x]), (1, self.u[x])):
                    if q is None or Fraction(float(abs(y - self.base[x]))) <= q:
                        cover += float(self.px_test[x]) * float(py)
            total += float(pr) * cover
        return total

    def draw(self, rng, replications: int, n: int):
        """``(xc, yc, xt, yt)``: ``replications`` calibration sets of size ``n`` and one test point each (drawn in
        that order)."""
        J = self.px_cal.shape[0]
        xc = rng.choice(J, size=(replications, n), p=self.px_cal)
        yc = (rng.random((replications, n)) < self.u[xc]).astype(float)
        xt = rng.choice(J, size=replications, p=self.px_test)
        yt = (rng.random(replications) < self.u[xt]).astype(float)
        return xc, yc, xt, yt


#: the covariate-shift world of ``csar.weighted.shift``: the test law puts its mass where labels are noisier
#: (generic values: no two cells share a residual and no sum of weights hits a quantile level exactly, so the exact
#: law does not depend on how floating point breaks ties between equal reals)
COVARIATE_SHIFT = CovariateShiftWorld(px_cal=np.array([0.41, 0.29, 0.19, 0.11]),
                                      px_test=np.array([0.07, 0.16, 0.29, 0.48]),
                                      u=np.array([0.1, 0.3, 0.6, 0.9]), base=np.array([0.21, 0.37, 0.44, 0.58]))


# ------------------------------------------------------------------------------------------------ Venn-Abers
@dataclass(frozen=True)
class FiniteScoreWorld:
    """Inputs ``x in {0, .., J-1}`` with law ``px``, ``P(Y = 1 | x) = u[x]`` and classifier score ``scores[x]``."""

    px: np.ndarray
    u: np.ndarray
    scores: np.ndarray

    @property
    def n_inputs(self) -> int:
        return int(self.px.shape[0])

    def enumerate_predictor(self, make_predictor: Callable[[], object], n: int):
        """The exact law of a predictor fitted on ``n`` i.i.d. calibration points, by enumeration.

        Every calibration multiset of the ``2J`` (x, y) cells (``itertools.combinations_with_replacement``) with
        its multinomial probability ``Mult(counts; n, (px (1 - u), px u))``; on each, a fresh predictor
        (``make_predictor()``) is fitted and its ``predict_interval`` read at every score.  Returns
        ``(prob, P0, P1)``: the probabilities of the multisets and the ``(p0, p1)`` tables, one row per multiset
        (the IVAP law of Vovk, Petej & Fedorova 2015, section 2, ties included)."""
        J = self.n_inputs
        cellp = np.r_[self.px * (1 - self.u), self.px * self.u]
        combos = list(itertools.combinations_with_replacement(range(2 * J), n))
        counts = np.array([np.bincount(c, minlength=2 * J) for c in combos])
        prob = st.multinomial.pmf(counts, n, cellp)
        P0 = np.empty((len(combos), J))
        P1 = np.empty((len(combos), J))
        for i, c in enumerate(counts):
            cells = np.repeat(np.arange(2 * J), c)
            p0, p1 = make_predictor().fit(self.scores[cells % J], (cells >= J).astype(float)).predict_interval(
                self.scores)
            P0[i], P1[i] = p0, p1
        return prob, P0, P1


#: the world of ``csar.va.*``: three scores, one of them with P(Y = 1 | x) = 1/2
VENN_ABERS_WORLD = FiniteScoreWorld(px=np.array([0.3, 0.4, 0.3]), u=np.array([0.15, 0.5, 0.65]),
                                    scores=np.array([-1.0, 0.2, 3.0]))


# ------------------------------------------------------------------------------------------------ per-cell world
#: The per-cell world of ``csar.logit.coverage.percell`` and ``csar.reward.sandwich`` is part of those checks'
#: design (their power against the omitted union bound is computed for it), so it is fixed; the root seed draws
#: only the calibration counts.  A world drawn from the root seed made the stated power depend on the seed.
PERCELL_WORLD_SEED = 20240611


def clopper_pearson_cell_coverage(u: np.ndarray, n: int, level: float) -> np.ndarray:
    """Exact coverage, per cell, of the Clopper-Pearson interval at ``level`` from ``n`` trials:
    ``sum_k Bin(k; n, u) 1{u in CP(k)}`` (Clopper & Pearson 1934)."""
    k = np.arange(n + 1)
    lo, hi = clopper_pearson(k, np.full(n + 1, n), level)
    pm = st.binom.pmf(k[None, :], n, u[:, None])
    inside = (lo[None, :] <= u[:, None]) & (u[:, None] <= hi[None, :])
    return np.sum(pm * inside, axis=1)


@dataclass(frozen=True)
class PerCellWorld:
    """The transition classifier of a tabular C-SAR world at matched (s, a) marginals and balanced classes: in cell
    (s, a, s') the class probability is exactly ``u = P(env | s, a, s') = p/(p + m)`` and its logit is the true
    log-ratio ``ell_p = log u - log(1 - u) = log p/m`` (docs/methods/csar.md §2).  With ``n`` calibration labels per
    cell (a stratified design) the labels of a cell are ``Bin(n, u)``."""

    tabular: CSARWorld
    u: np.ndarray

    @property
    def n_cells(self) -> int:
        return int(self.u.shape[0])

    @property
    def ell(self) -> np.ndarray:
        """The true log-ratio of every cell, ``log u - log1p(-u)``."""
        return np.log(self.u) - np.log1p(-self.u)

    def simultaneous_coverage(self, n: int, level: float) -> float:
        """The exact probability that Clopper-Pearson intervals at ``level`` cover every cell at once (the cells'
        counts are independent): ``prod_x cov_x`` (:func:`clopper_pearson_cell_coverage`)."""
        return float(np.prod(clopper_pearson_cell_coverage(self.u, n, level)))


def percell_world(seed=PERCELL_WORLD_SEED) -> PerCellWorld:
    """The per-cell world on ``make_world(4, 2, gap=1.0, seed=seed)`` (32 cells)."""
    w = make_world(4, 2, gap=1.0, seed=seed)
    return PerCellWorld(w, (w.mdp.P / (w.mdp.P + w.model)).ravel())


# ------------------------------------------------------------------------------------------------ discriminators
def exact_frequency_data(cells: np.ndarray, c1, c0) -> tuple[np.ndarray, np.ndarray]:
    """Each row of ``cells`` repeated ``c1`` times with label 1 and ``c0`` times with label 0.  A saturated
    (one-hot of the joint cell) unpenalised discriminator fitted on it has, per cell, the Bayes logit
    ``log c1/c0`` with balanced-class weights ``log (c1/C1)/(c0/C0)`` (docs/methods/csar.md §2)."""
    c1, c0 = np.ravel(c1), np.ravel(c0)
    X = np.r_[np.repeat(cells, c1, axis=0), np.repeat(cells, c0, axis=0)]
    y = np.r_[np.ones(c1.sum()), np.zeros(c0.sum())]
    return X, y


# ------------------------------------------------------------------------------------------------ agents
def deterministic_mdp(rng, n_states: int, n_actions: int, gamma: float):
    """A deterministic MDP: next state ``nxt[s, a]`` uniform on the states, reward ``R[s, a] ~ U(0, 1)`` (drawn in
    that order), uniform initial law.  Returns ``(mdp, nxt, R)``."""
    nxt = rng.integers(0, n_states, (n_states, n_actions))
    P = np.zeros((n_states, n_actions, n_states))
    P[np.arange(n_states)[:, None], np.arange(n_actions)[None, :], nxt] = 1.0
    R = rng.uniform(0.0, 1.0, (n_states, n_actions))
    return te.TabularMDP(P, R, np.full(n_states, 1.0 / n_states), gamma), nxt, R


# ------------------------------------------------------------------------------------------------ value
def certificates_on_the_event(world: CSARWorld, pi, rng) -> Certificates:
    """Certificates that satisfy the certified event ``|clip_L(ell) - ell_hat| <= eps`` by construction: for the
    true ``ell_p`` and ``ell_pi(pi)``, a radius ``eps ~ U(0, L)`` and ``ell_hat = clip_L(clip_L(ell) + v eps)`` with
    ``v ~ U(-1, 1)`` per cell (docs/methods/csar.md §4, §7)."""
    L = world.clip
    out = []
    for ell in (world.ell_p, world.ell_pi(pi)):
        c = np.clip(ell, -L, L)
        eps = rng.uniform(0, L, ell.shape)
        hat = np.clip(c + rng.uniform(-1, 1, ell.shape) * eps, -L, L)
        out.append((hat, eps))
    return Certificates(out[0][0], out[0][1], out[1][0], out[1][1])


# ------------------------------------------------------------------------------------------------ calibration law
def transition_cell_law(world: CSARWorld, prior: float = 0.5) -> np.ndarray:
    """The exact law ``nu`` of one transition-discriminator example of the matched design, over the flattened
    (s, a, s') cells: ``d_b(s, a) (prior p(s'|s,a) + (1 - prior) m(s'|s,a))`` with ``d_b`` the behaviour occupancy
    (docs/methods/csar.md §2); computed from ``tabular_envs.occupancy``, not from the pipeline's sampler."""
    d = te.occupancy(world.mdp, world.behaviour)
    nu = d[..., None] * (prior * world.mdp.P + (1 - prior) * world.model)
    nu = np.clip(nu, 0.0, None).ravel()
    return nu / nu.sum()


def world_at_gap_fraction(n_states: int, n_actions: int, fraction: float, *, seed: int, **kw) -> CSARWorld:
    """``make_world(n_states, n_actions, gap=fraction * top, seed=seed, **kw)``, where ``top`` is the largest gap
    that the world's perturbation target allows (``perturb_to_gap`` refuses larger gaps): the same seed derivation
    as ``make_world``, so every seed gives a world, at the same relative distance from its model's limit."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must lie in (0, 1), got {fraction!r}")
    s1, s2, _ = np.random.SeedSequence(seed).spawn(3)
    mdp = te.random_mdp(n_states, n_actions, gamma=kw.get("gamma", 0.8), seed=s1,
                        reward_range=kw.get("reward_range", (0.2, 1.0)), concentration=2.0)
    target = te.random_kernel(n_states, n_actions, seed=int(s2.generate_state(1)[0]))
    top = te.perturb_kernel(mdp.P, 1.0, target=target).max_abs_log_ratio
    return make_world(n_states, n_actions, gap=float(fraction) * top, seed=seed, **kw)


def certificates_covering(world: CSARWorld, policies, rng, ell_p_certificates: Certificates) -> Certificates:
    """One set of certificates that satisfies the certified event for every policy in ``policies`` at once: per
    (s, a) the hull of the clipped ``ell_pi`` of the policies, widened by ``U(0, 1) * U(0, L/2)`` on each side and
    clipped to ``[-L, L]``; ``ell_hat_pi`` its midpoint, ``eps_pi`` its half-width.  The transition certificates are
    taken from ``ell_p_certificates``.  With one fixed certified reward the surrogate is an ordinary MDP, so its
    optimal value (and the optimisation error of the value theorem) is well defined (docs/methods/csar.md §7)."""
    L = world.clip
    c = np.stack([np.clip(world.ell_pi(pi), -L, L) for pi in policies])
    s = rng.uniform(0, L / 2, c.shape[1:])
    lo = np.clip(c.min(axis=0) - rng.random(c.shape[1:]) * s, -L, L)
    hi = np.clip(c.max(axis=0) + rng.random(c.shape[1:]) * s, -L, L)
    return Certificates(ell_p_certificates.ell_p_hat, ell_p_certificates.eps_p, (lo + hi) / 2, (hi - lo) / 2)
