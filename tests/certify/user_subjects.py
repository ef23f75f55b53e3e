"""Implementations written in the test suite, certified through the public subject path.

``ByDefinitionIVAP`` is a deliberately different Venn-Abers implementation: a hand-written pool-adjacent-violators
fit on the augmented calibration set for each test point and each hypothetical label (Vovk et al. 2015, the
definition), no lookup tables, no shared code with lrtcheck.  ``SwappedIVAP`` is deliberately broken: it returns (p1, p0), the bug the gate must reject.
"""

import numpy as np


def _pav_value_at(xs, ys, x0):
    """Isotonic (non-decreasing) least-squares fit of ys on xs by pool-adjacent-violators; the fit at x0.

    Ties in xs are pooled first (their mean), as the isotonic regression of a function of x requires.
    """
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    ux, inv = np.unique(xs, return_inverse=True)
    w = np.bincount(inv).astype(float)
    v = np.bincount(inv, weights=ys) / w
    blocks = []  # [value, weight, count of distinct x]
    for vi, wi in zip(v, w):
        blocks.append([vi, wi, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    fitted = np.repeat([b[0] for b in blocks], [b[2] for b in blocks])
    return float(fitted[np.searchsorted(ux, x0)])


class ByDefinitionIVAP:
    lrtcheck_subject_kind = "csar.venn_abers"

    def fit(self, scores, labels):
        self.scores_ = np.asarray(scores, dtype=float)
        self.labels_ = np.asarray(labels, dtype=float)
        return self

    def predict_interval(self, scores):
        t = np.asarray(scores, dtype=float)
        out = np.empty((2, t.size))
        for j, s in enumerate(t):
            for lab in (0, 1):
                out[lab, j] = _pav_value_at(np.r_[self.scores_, s], np.r_[self.labels_, lab], s)
        return out[0], out[1]


class SwappedIVAP(ByDefinitionIVAP):
    def predict_interval(self, scores):
        p0, p1 = super().predict_interval(scores)
        return p1, p0


# --- a sampler written from the lrt.sampler protocol text (lrtcheck.certify.protocols), in numpy -----------------
class NumpyLRTSampler:
    """The LRT-gated DDPM sampler written from the protocol text alone: no ``replace``, no ``deploy``, numpy noise.

    Per step t = T..1: eps_u, eps_c from the heads at alpha_bar_t; mu_u = (a - beta_t/sqrt(1-ab_t) eps_u)/sqrt(alpha_t),
    delta = mu_c - mu_u; the gate beta reads the past statistic; m = mu_u + beta delta (+ eta sigma_t^2 g with a
    Q-step); a' = m + sigma_t z; the evidence increment is the log-ratio of N(a'; mu_u + delta, s2) to N(a'; mu_u, s2).
    """

    def __init__(self, background, good, schedule, *, variance="posterior", gate="hard", beta_max=0.5,
                 tau=float("inf"), kappa=1.0, statistic="final", q_step=None, dtype=None):
        # dtype: the protocol's working precision; this sampler computes in float64 whatever it is given
        self.background, self.good, self.schedule = background, good, schedule
        self.variance, self.gate, self.beta_max, self.tau = variance, gate, beta_max, float(tau)
        self.kappa, self.statistic, self.q_step = kappa, statistic, q_step

    def sample(self, states=None, *, seed, n, null=False):
        sch = self.schedule
        s2_all = np.asarray(sch.variance(self.variance), dtype=float)
        rng = np.random.default_rng(seed)
        a = rng.standard_normal((n, self.background.dim))
        lam = np.zeros(n)
        rmax = np.full(n, -np.inf)
        bmax = 0.0 if null else self.beta_max
        for t in range(sch.T, 0, -1):
            i = t - 1
            ab, al, b = sch.alpha_bars[i], sch.alphas[i], sch.betas[i]
            eps_u, eps_c = self.background.epsilon(a, ab), self.good.epsilon(a, ab)
            coef = b / np.sqrt(1 - ab)
            mu_u = (a - coef * eps_u) / np.sqrt(al)
            delta = -coef * (eps_c - eps_u) / np.sqrt(al)
            past = lam if self.statistic == "final" else rmax
            if self.gate == "hard":
                g = bmax * (past > self.tau)
            else:
                with np.errstate(over="ignore"):
                    g = bmax / (1 + np.exp(-(np.maximum(past, -1e300) - self.tau) / self.kappa))
            m = mu_u + g[:, None] * delta
            s2 = s2_all[i]
            if self.q_step is not None and s2 > 0 and self.q_step.eta > 0:
                import torch

                lam_a = float(self.q_step.anchor)  # the gradient at the anchor (1 - lambda) mu_u + lambda m
                anchor = (1.0 - lam_a) * mu_u + lam_a * m
                grad = self.q_step.gradient(states, torch.as_tensor(anchor, dtype=torch.float64)).numpy()
                m = m + self.q_step.eta * s2 * grad
            if s2 > 0:
                a_next = m + np.sqrt(s2) * rng.standard_normal(a.shape)
                diff = a_next - mu_u
                lam = lam + ((diff * delta).sum(1) - 0.5 * (delta * delta).sum(1)) / s2
                rmax = np.maximum(rmax, lam)
            else:
                a_next = m
            a = a_next
        rmax = np.where(np.isinf(rmax), lam, rmax)
        return _Sample(actions=a, final=lam, running_max=rmax)

    def null_statistics(self, n, *, seed):
        res = self.sample(seed=seed, n=n, null=True)
        return res.final if self.statistic == "final" else res.running_max


class _Sample:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def numpy_lrt_sampler(background, good, schedule, **settings):
    """The factory of :class:`NumpyLRTSampler` (the subject of kind ``lrt.sampler``)."""
    return NumpyLRTSampler(background, good, schedule, **settings)


numpy_lrt_sampler.lrtcheck_subject_kind = "lrt.sampler"


class NoNullSampler(NumpyLRTSampler):
    """Broken on purpose: ``null_statistics`` missing (the protocol probe must name it)."""

    null_statistics = None


def no_null_sampler(background, good, schedule, **settings):
    return NoNullSampler(background, good, schedule, **settings)


class ThresholdlessConformal:
    """A conformal calibrator written from the old protocol text: ``predict_set``, no ``threshold_``."""

    lrtcheck_subject_kind = "csar.conformal"

    def __init__(self, delta=0.1):
        self.delta = delta

    def fit(self, scores, labels):
        a = np.sort(np.abs(np.asarray(labels, float) - np.asarray(scores, float)))
        k = int(np.ceil((a.size + 1) * (1 - self.delta)))
        self._q = a[k - 1] if k <= a.size else np.inf
        return self

    def predict_interval(self, scores):
        s = np.asarray(scores, float)
        return np.clip(s - self._q, 0, 1), np.clip(s + self._q, 0, 1)

    def predict_set(self, scores):
        lo, hi = self.predict_interval(scores)
        return np.stack([lo <= 0, hi >= 1], axis=1)


class RaisesAtSevenIVAP(ByDefinitionIVAP):
    """Broken on purpose: raises inside ``fit`` for a calibration set of 7 points (the probe fits 12, so it passes
    the protocol probe and fails inside the check, whose traceback the results must keep)."""

    def fit(self, scores, labels):
        if len(scores) == 7:
            raise ZeroDivisionError("seven calibration points")
        return super().fit(scores, labels)
