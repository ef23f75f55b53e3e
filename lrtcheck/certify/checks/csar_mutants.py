"""Mutants of C-SAR (``lrtcheck/csar``): calibrators, logit certificates, discriminators, certified reward, agents.

Each mutant patches the function where the bug would live (the method's module) and names the ``csar.*`` checks that
should fail under it.  Mutants tagged ``ci`` have killing checks that take a few seconds in the quick tier.

Transition module (moved unchanged from ``lrtcheck/mutants/``): the csar migration moves each mutant into the topic
module of ``lrtcheck/claims/csar/`` whose checks must kill it, as an edit of the original (``source_edit`` or
``wrapper``), and deletes this file.
"""

from __future__ import annotations

import math

import numpy as np

from lrtcheck.certify.mutation import Mutant

# ----------------------------------------------------------------------------------------------- Venn-Abers


def _va_swap(orig):
    def _lookup(c, f0, f1, s):
        p0, p1 = orig(c, f0, f1, s)
        return p1, p0
    return _lookup


def _va_tie_side(orig):
    def _lookup(c, f0, f1, s):
        pos0 = np.searchsorted(c, s, side="right")
        pos1 = np.minimum(np.searchsorted(c, s, side="right") + 1, f1.shape[0] - 1)
        return f0[pos0], f1[pos1]
    return _lookup


# ----------------------------------------------------------------------------------------------- split conformal


def _split_fit_with_rank(rank):
    """A SplitConformal.fit whose order-statistic rank is computed by ``rank(n, delta)`` (the bug)."""

    def make(orig):
        from lrtcheck.csar._inputs import check_delta, labels_1d, paired, probabilities_1d
        from lrtcheck.csar.conformal import label_residuals

        def fit(self, probs, labels):
            delta = check_delta(self.delta)
            u = probabilities_1d("probs", probs)
            y = labels_1d("labels", labels)
            paired(u, y)
            n = u.shape[0]
            k = rank(n, delta)
            if k > n:
                if not self.allow_infinite:
                    raise ValueError(f"n={n} calibration points are too few for delta={delta}")
                k = None
            scores = np.sort(label_residuals(u, y))
            self.rank_ = k
            self.threshold_ = math.inf if k is None else float(scores[k - 1])
            self.n_ = n
            return self
        return fit
    return make


def _rank_float(n, delta):
    return math.ceil((n + 1) * (1 - float(delta)))


def _rank_no_plus_one(n, delta):
    return math.ceil(n * (1 - float(delta)))


def _signed_residuals(orig):
    def label_residuals(probs, labels):
        return labels - probs
    return label_residuals


def _weighted_threshold(drop_test_weight=False, side="left"):
    def make(orig):
        from lrtcheck.csar._inputs import weights_1d
        from lrtcheck.stats import exact_fraction

        def threshold(self, weights):
            wt = weights_1d("weights", np.atleast_1d(weights)) / self.scale_
            frac = exact_fraction("delta", self.delta)
            a, b = frac.numerator, frac.denominator
            total = self._cum[-1]
            need = (b - a) * (total + (0.0 if drop_test_weight else wt))
            need = np.broadcast_to(need, wt.shape)
            k = np.searchsorted(b * self._cum, need, side=side)
            out = np.full(wt.shape, np.inf)
            ok = k < self.n_
            out[ok] = self.scores_[k[ok]]
            return out
        return threshold
    return make


# ----------------------------------------------------------------------------------------------- priors, logits


def _offset_sign(orig):
    def log_ratio_offset(prior):
        return -orig(prior)
    return log_ratio_offset


def _certificate_offset_subtracted(orig):
    def logit_certificate(p_low, p_high, *, clip, offset=0.0, radius="seed"):
        return orig(p_low, p_high, clip=clip, offset=-np.asarray(offset, dtype=np.float64), radius=radius)
    return logit_certificate


def _certificate_no_clip(orig):
    def logit_certificate(p_low, p_high, *, clip, offset=0.0, radius="seed"):
        return orig(p_low, p_high, clip=math.inf, offset=offset, radius=radius)
    return logit_certificate


def _certificate_full_width(orig):
    def logit_certificate(p_low, p_high, *, clip, offset=0.0, radius="seed"):
        from lrtcheck.csar.logit import LogitCertificate

        c = orig(p_low, p_high, clip=clip, offset=offset, radius=radius)
        with np.errstate(invalid="ignore"):
            width = np.where(np.isinf(c.radius), np.inf, np.where(c.z_low == c.z_high, 0.0, c.z_high - c.z_low))
        eps = np.minimum(c.clip_level, width) if radius == "seed" else np.minimum(2 * c.radius, width)
        with np.errstate(invalid="ignore"):
            lower = np.where(np.isinf(eps), c.lower, c.ell_hat - eps)
        return LogitCertificate(c.z_low, c.z_high, c.ell_hat, eps, lower, c.clipped, c.clip_level)
    return logit_certificate


def _clip_identity(orig):
    def clip_logit(z, clip):
        orig(z, clip)  # keeps the argument validation
        return np.asarray(z, dtype=np.float64)
    return clip_logit


def _disc_double_prior(orig):
    def fit(self, X, y):
        out = orig(self, X, y)
        from lrtcheck.csar.prior import log_ratio_offset

        self.offset_ = log_ratio_offset(self.prior_)  # applied even when the classes were rebalanced
        return out
    return fit


def _darc_raw(orig):
    def darc_log_ratio(sas, sa, X_sas):
        return sas.raw_logit(np.asarray(X_sas))
    return darc_log_ratio


def _darc_swapped(orig):
    def darc_log_ratio(sas, sa, X_sas):
        return -orig(sas, sa, X_sas)
    return darc_log_ratio


# ----------------------------------------------------------------------------------------------- reward, cells


def _lower_optimistic(orig):
    def _lower(ell, eps):
        with np.errstate(invalid="ignore"):
            v = ell + eps
        return np.where(np.isnan(v), -np.inf, v)
    return _lower


def _percell_no_union(orig):
    def fit_counts(self, counts, successes):
        ub = self.union_bound
        self.union_bound = False
        try:
            return orig(self, counts, successes)
        finally:
            self.union_bound = ub
    return fit_counts


# ----------------------------------------------------------------------------------------------- agents, temperature


def _soft_vi_inverted(orig):
    def soft_vi_policy(mdp, temperature):
        return orig(mdp, 1.0 / temperature)
    return soft_vi_policy


def _sac_entropy_sign(orig):
    from scipy.special import softmax

    def update(self, s, a, r, s2):
        r = np.asarray(r, dtype=np.float64)
        pi = softmax(self.Q / self.tau, axis=-1)
        logp = np.log(np.maximum(pi, 1e-300))
        v_next = np.sum(pi * (self.Qbar + self.tau * logp), axis=-1)  # the entropy bonus with the wrong sign
        y = r + self.gamma * v_next[s2]
        idx = s * self.A + a
        tot = np.bincount(idx, weights=y, minlength=self.S * self.A)
        cnt = np.bincount(idx, minlength=self.S * self.A)
        seen = cnt > 0
        q = self.Q.reshape(-1)
        q[seen] += self.lr * (tot[seen] / cnt[seen] - q[seen])
        self.Qbar += self.polyak * (self.Q - self.Qbar)
    return update


def _temperature_multiplied(orig):
    def decision_function(self, scores):
        from lrtcheck.csar._inputs import scores_1d

        self._check_fitted()
        return self.temperature_ * scores_1d("scores", scores) if math.isfinite(self.temperature_) else \
            0.0 * scores_1d("scores", scores)
    return decision_function


def _merge_swapped(orig):
    def merge(p0, p1, *, loss="log"):
        if loss == "log":
            gm0 = np.exp(np.mean(np.log(np.maximum(p0, 1e-300)), axis=0))
            gm1 = np.exp(np.mean(np.log(np.maximum(1.0 - p1, 1e-300)), axis=0))
            return gm0 / (gm0 + gm1)
        return orig(p0, p1, loss=loss)
    return merge


def _merge_brier_sign(orig):
    def merge(p0, p1, *, loss="log"):
        if loss == "brier":
            return np.mean(p1, axis=0) + np.mean(p1**2, axis=0) / 2 - np.mean(p0**2, axis=0) / 2
        return orig(p0, p1, loss=loss)
    return merge


def _isotonic_unpooled(orig):
    from scipy import optimize

    def fit(self, scores, labels):
        from lrtcheck.csar._inputs import labels_1d, paired, scores_1d

        s = scores_1d("scores", scores)
        y = labels_1d("labels", labels)
        paired(s, y)
        order = np.argsort(s, kind="stable")
        res = optimize.isotonic_regression(y[order], increasing=True)  # tied scores not pooled first
        self.thresholds_ = s[order]
        self.values_ = np.clip(res.x, 0.0, 1.0)
        self.n_ = int(s.shape[0])
        return self
    return fit


_M = "lrtcheck.csar"
MUTANTS = [
    Mutant("csar.va_p0_p1_swapped", f"{_M}.venn_abers:_lookup",
           "the two Venn-Abers lookup tables read in the wrong order: (p1, p0) returned as (p0, p1)",
           _va_swap, ("csar.va.*",), tags=("ci",)),
    Mutant("csar.va_tie_side", f"{_M}.venn_abers:_lookup",
           "searchsorted side='right' for p1 as for p0: a test score tied with a calibration score is merged "
           "into the next distinct score", _va_tie_side, ("csar.va.validity",), tags=("ci",)),
    Mutant("csar.conformal_rank_float", f"{_M}.conformal:SplitConformal.fit",
           "the conformal rank ceil((n+1)(1-delta)) computed in floating point (93*(1-1/3) rounds up to 63)",
           _split_fit_with_rank(_rank_float), ("csar.conformal.*", "csar.weighted.reduces"), tags=("ci",)),
    Mutant("csar.conformal_rank_no_plus_one", f"{_M}.conformal:SplitConformal.fit",
           "the (1-delta) quantile of the n calibration scores alone: rank ceil(n(1-delta)), the +1 forgotten",
           _split_fit_with_rank(_rank_no_plus_one), ("csar.conformal.*", "csar.weighted.reduces"), tags=("ci",)),
    Mutant("csar.conformal_signed_residual", f"{_M}.conformal:label_residuals",
           "the absolute value dropped from the non-conformity score: y - u(x) instead of |y - u(x)|",
           _signed_residuals, ("csar.conformal.*", "csar.weighted.*"), tags=("ci",)),
    Mutant("csar.weighted_no_test_weight", f"{_M}.conformal:WeightedConformal.threshold",
           "the test point's own weight w(x) left out of the normaliser (the quantile of the calibration "
           "weights alone)", _weighted_threshold(drop_test_weight=True), ("csar.weighted.*",), tags=("ci",)),
    Mutant("csar.weighted_tie_side", f"{_M}.conformal:WeightedConformal.threshold",
           "searchsorted side='right' for the cumulative weight: the quantile is one rank too high whenever "
           "sum_{i<=k} w_(i) hits (1-delta)(W+w(x)) exactly", _weighted_threshold(side="right"),
           ("csar.weighted.*",), tags=("ci",)),
    Mutant("csar.prior_offset_sign", f"{_M}.prior:log_ratio_offset",
           "the prior log-odds correction with the wrong sign: log(rho/(1-rho)) added instead of subtracted",
           _offset_sign, ("csar.prior.*",), tags=("ci",)),
    Mutant("csar.certificate_offset_subtracted", f"{_M}.logit:logit_certificate",
           "the logit offset subtracted from the transported interval instead of added",
           _certificate_offset_subtracted, ("csar.prior.*", "csar.logit.transport"), tags=("ci",)),
    Mutant("csar.disc_double_prior", f"{_M}.discriminators:Discriminator.fit",
           "the recorded-prior correction applied on top of class rebalancing (the prior corrected twice)",
           _disc_double_prior, ("csar.prior.*",), tags=("ci",)),
    Mutant("csar.clip_skipped", f"{_M}.logit:logit_certificate",
           "clipping at L skipped when building the certificate (midpoint and radius of the raw interval)",
           _certificate_no_clip, ("csar.logit.*",), tags=("ci",)),
    Mutant("csar.clip_logit_identity", f"{_M}.logit:clip_logit",
           "clip_L returns its argument unchanged (a min/max pair lost in a refactor): the ideal reward is "
           "unclipped", _clip_identity, ("csar.reward.*", "csar.value.*"), tags=("ci",)),
    Mutant("csar.radius_not_halved", f"{_M}.logit:logit_certificate",
           "the radius taken as the full width z_hi - z_lo instead of half of it",
           _certificate_full_width, ("csar.logit.*",), tags=("ci",)),
    Mutant("csar.reward_optimistic", f"{_M}.reward:_lower",
           "the certified reward adds the radius instead of subtracting it (optimism instead of pessimism)",
           _lower_optimistic, ("csar.value.lemma", "csar.reward.*"), tags=("ci",)),
    Mutant("csar.percell_no_union_bound", f"{_M}.cells:PerCellClopperPearson.fit_counts",
           "the per-cell Clopper-Pearson intervals at level delta each: the union bound over the K cells omitted",
           _percell_no_union, ("csar.logit.coverage.percell",), tags=("ci",)),
    Mutant("csar.darc_raw_logit", f"{_M}.discriminators:darc_log_ratio",
           "DARC's difference z_sas' - z_sa replaced by the raw (s,a,s') logit (the (s,a) classifier dropped)",
           _darc_raw, ("csar.darc.*",), tags=("ci",)),
    Mutant("csar.darc_swapped", f"{_M}.discriminators:darc_log_ratio",
           "DARC's operands swapped: z_sa - z_sas'", _darc_swapped, ("csar.darc.*",), tags=("ci",)),
    Mutant("csar.soft_vi_temperature_inverted", f"{_M}.agents:soft_vi_policy",
           "the soft-VI temperature passed as its inverse (an inverse temperature beta = 1/tau confused with tau)",
           _soft_vi_inverted, ("csar.agents.*",), tags=("ci",)),
    Mutant("csar.sac_entropy_sign", f"{_M}.agents:TabularSAC.update",
           "the SAC critic target with + tau log pi (an entropy penalty instead of a bonus)",
           _sac_entropy_sign, ("csar.agents.*",), tags=("ci",)),
    Mutant("csar.temperature_multiplied", f"{_M}.temperature:TemperatureScaling.decision_function",
           "the calibrated logit computed as s * T instead of s / T", _temperature_multiplied,
           ("csar.temperature.*",), tags=("ci",)),
    Mutant("csar.va_merge_swapped", f"{_M}.venn_abers:merge",
           "p0 and p1 swapped in the log-loss merge: GM(p0)/(GM(p0) + GM(1-p1))", _merge_swapped,
           ("csar.va.merge",), tags=("ci",)),
    Mutant("csar.va_brier_merge_sign", f"{_M}.venn_abers:merge",
           "the Brier merge's correction with the wrong sign: mean p1 + (mean p1^2 - mean p0^2)/2",
           _merge_brier_sign, ("csar.va.merge",), tags=("ci",)),
    Mutant("csar.isotonic_ties_unpooled", f"{_M}.isotonic:IsotonicCalibrator.fit",
           "PAV run on the raw sorted labels without pooling tied scores first (tied scores get different "
           "values, interpolation between duplicates)", _isotonic_unpooled, ("csar.isotonic.*",), tags=("ci",)),
]
