"""``csar.temperature.mle``, ``csar.isotonic.reference``: the point calibrators of C-SAR are the maximum-likelihood
temperature and the pooled-ties isotonic fit.

Claims.  Temperature scaling (Guo et al. 2017, section 4.2; C-SAR paper §4) returns the maximum-likelihood
``sigma(s/T)``: the calibrated probabilities solve the score equation ``sum_i s_i (y_i - p_i) = 0`` and the fitted
logits are ``s/T``.  Isotonic calibration (Zadrozny & Elkan 2002; C-SAR paper §4) equals scikit-learn's
``IsotonicRegression(out_of_bounds="clip")`` (the reference ``CalibratedClassifierCV`` uses), ties included
(docs/methods/csar.md §3).

World.  Scores ``s ~ N(0, 4)`` with labels drawn from a logistic model (temperatures below and above 1); for
isotonic, half the cases with heavy ties (scores rounded to 0.1).

Checks.  Exact, no decision at a share: the score equation and the logits to 1e-9 (temperature), the largest
difference from scikit-learn's fit to 1e-9 at the calibration scores and at new scores (isotonic).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import IsotonicCalibrator, TemperatureScaling
from lrtcheck.stats.decisions import exact_decision

TEMP = Claim(
    id="csar.temperature.mle",
    source="Guo et al. (2017) section 4.2; C-SAR paper §4; docs/methods/csar.md §3",
    statement="Temperature scaling returns the maximum-likelihood sigma(s/T): the calibrated probabilities solve "
    "the score equation sum_i s_i (y_i - p_i) = 0, and the fitted logits are s / T.",
)


@check(TEMP, quick=dict(cases=6, n=400), full=dict(cases=60, n=2000), stochastic=False)
def check_temperature_mle(ctx):
    """Exact: the normalised score ``|sum s (y - p)| / sum |s|`` and the logit error ``max |logit p - s/T|``."""
    rng = ctx.rng
    worst = 0.0
    temps = []
    for i in range(ctx.params["cases"]):
        theta = (0.3, 2.5)[i % 2] * rng.uniform(0.8, 1.2)
        s = rng.normal(0.0, 2.0, ctx.params["n"])
        y = (rng.random(s.shape[0]) < expit(theta * s)).astype(float)
        t = TemperatureScaling().fit(s, y)
        p = t.predict_proba(s)
        score = abs(float(np.sum(s * (y - p)))) / float(np.sum(np.abs(s)))
        logit_err = float(np.max(np.abs(t.decision_function(s) - s / t.temperature_)))
        worst = max(worst, score, logit_err)
        temps.append(t.temperature_)
    decision = exact_decision(worst < 1e-9, estimate=worst, bound=1e-9, n=ctx.params["cases"],
                              name="score equation / logit error", message=f"score equation / logit error {worst:.3g}")
    return Evidence.from_decision(decision, details={"max_score_or_logit_error": worst, "temperatures": temps})


# --------------------------------------------------------------------------------------------------------------
ISO = Claim(
    id="csar.isotonic.reference",
    source="Zadrozny & Elkan (2002); C-SAR paper §4; scikit-learn IsotonicRegression(out_of_bounds='clip'); "
    "docs/methods/csar.md §3",
    statement="Isotonic calibration equals the pooled-ties PAV fit of scikit-learn's IsotonicRegression (the "
    "reference CalibratedClassifierCV uses), at the calibration scores and at new scores (linear interpolation, "
    "clipped at the ends), ties included.",
)


@check(ISO, quick=dict(cases=30, n=300), full=dict(cases=300, n=1000), stochastic=False)
def check_isotonic_reference(ctx):
    """Exact: the largest difference from scikit-learn (the independent oracle) at calibration and new scores."""
    from sklearn.isotonic import IsotonicRegression

    rng = ctx.rng
    worst = 0.0
    for i in range(ctx.params["cases"]):
        n = ctx.params["n"]
        s = rng.normal(0.0, 1.0, n)
        if i % 2 == 0:
            s = np.round(s, 1)  # heavy ties
        y = (rng.random(n) < 1 / (1 + np.exp(-2 * s))).astype(float)
        new = np.r_[s, rng.uniform(-4, 4, 200)]
        ref = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y).predict(new)
        got = IsotonicCalibrator().fit(s, y).predict_proba(new)
        worst = max(worst, float(np.max(np.abs(got - ref))))
    decision = exact_decision(worst < 1e-9, estimate=worst, bound=1e-9, n=ctx.params["cases"],
                              name="difference from scikit-learn",
                              message=f"max |isotonic - reference| = {worst:.3g}")
    return Evidence.from_decision(decision, details={"max_abs_difference": worst})


# --------------------------------------------------------------------------------------------------------------
MUTANTS = [
    Mutant("csar.temperature_multiplied", "lrtcheck.csar.temperature:TemperatureScaling.decision_function",
           "the calibrated logit computed as s * T instead of s / T",
           source_edit(("return self.inverse_temperature_ *",
                        "return (self.temperature_ if math.isfinite(self.temperature_) else 0.0) *")),
           ("csar.temperature.*",), tags=("ci",)),
    Mutant("csar.isotonic_ties_unpooled", "lrtcheck.csar.isotonic:IsotonicCalibrator.fit",
           "PAV run on the raw sorted labels without pooling tied scores first (tied scores get different "
           "values, interpolation between duplicates)",
           source_edit(("xs, counts, sums = pool_ties(s, y)",
                        'order = np.argsort(s, kind="stable")\n'
                        "xs, counts, sums = s[order], np.ones(s.shape[0]), y[order]")),
           ("csar.isotonic.*",), tags=("ci",)),
]
