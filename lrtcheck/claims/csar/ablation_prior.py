"""``csar.ablations.prior_correction``: the C-SAR paper's class-imbalance ablation, asserted in an exact-ratio world.

Claim.  The C-SAR paper §9 ("class imbalance"): the discriminator's logit carries an additive constant set by the
class priors, so under an imbalanced training stream (prior ``rho = P(Y = 1) != 1/2``) the log-ratio must be
recovered either (i) by explicit class balancing (equal class weights: the Bayes logit has no prior term) or
(ii) by the prior correction ``c_p = log(pi_neg / pi_pos)`` added to the logit (§9; the identity is §6's
``logit u(x) = ell_p(x) + log(rho / (1 - rho))``).  The ablation the paper plans compares (i), (ii) and no correction.
The paper's §9 is an experimental plan and reports no numbers; its determinate content is that either correction
removes the prior's constant, which the uncorrected logit keeps (an error of ``|log(rho/(1-rho))|`` at every cell
for the Bayes discriminator).  Asserted: for each correction, the nu-weighted absolute log-ratio error
``E_nu |ell_hat(x) - ell_p(x)|`` of the corrected estimate is strictly below that of the uncorrected logit in at
least half of the refits (a one-sided sign claim: ``P(corrected better) >= 1/2``).

World.  Random tabular C-SAR worlds (``world_at_gap_fraction(4, 2, ...)``) over the gap fraction, the training prior
``rho`` (0.03 to 0.3) and the positive-class size n (``PRIOR_SPACE``); ``ell_p`` is exact and the weights ``nu`` are
the exact law of one training example at prior ``rho`` (:func:`lrtcheck.worlds.csar.transition_cell_law`), computed
from the occupancy, not from the pipeline's sampler.

Check.  Per configuration, R independent refits of the transition discriminator on fresh imbalanced data (matched
design, ``ratio_data(..., prior=rho)``), fitted with the recorded-prior correction (``balance=False``: its
``logit`` is the raw logit plus ``offset_``) and with class balancing (``balance=True``).  The number of refits in
which a correction is strictly better is ``Bin(R, q)``; each of the two counts is tested against ``q >= 1/2`` with
the exact one-sided binomial (sign) test at half the configuration's share.  Declared defect: the prior's log-odds
left in the estimate (the correction dropped, ``offset_ = 0``), under which the corrected and raw logits coincide
and the count is 0; R is sized so that the test rejects with the tier's power whenever ``q <= 1/4``
(``binomial_sample_size`` on the count of refits where the correction is not better).
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.configurations import Integer, ParameterSpace, Real
from lrtcheck.certify.figures import Spec, detail, figure
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar.discriminators import Discriminator
from lrtcheck.csar.pipeline import ratio_data
from lrtcheck.stats.decisions import binomial_count_decision, bonferroni, split_share
from lrtcheck.stats.design import binomial_sample_size
from lrtcheck.worlds.csar import transition_cell_law, world_at_gap_fraction

#: the rate at which a correction is better that the test must detect with the tier's power
DEFECT_RATE = 0.25

PRIOR_CLAIM = Claim(
    id="csar.ablations.prior_correction",
    source="C-SAR paper §9 (class imbalance: explicit balancing or the prior correction c_p = log(pi_neg/pi_pos)) "
    "and §6 (the prior term of the Bayes logit); docs/methods/csar.md §8",
    statement="Under an imbalanced discriminator training stream (prior rho in [0.03, 0.3]), both the prior-"
    "corrected logit (raw logit + log((1-rho)/rho)) and the class-balanced logit have a strictly smaller nu-weighted "
    "absolute log-ratio error E_nu|ell_hat - ell_p| than the uncorrected logit with probability at least 1/2 over the "
    "data.",
    assumptions=("tabular world, transition discriminator, matched (s,a) design", "logistic discriminator"),
)

PRIOR_SPACE = ParameterSpace("prior_correction", gap_fraction=Real(0.1, 0.8), prior=Real(0.03, 0.3, log=True),
                             n=Integer(200, 2000, log=True))


def _cells(cards) -> np.ndarray:
    grids = np.meshgrid(*[np.arange(c) for c in cards], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


@check(PRIOR_CLAIM, quick=dict(configurations=3), full=dict(configurations=8))
def check_prior_correction(ctx):
    """Per configuration: R refits, the two sign counts against ``Bin(R, 1/2)`` one-sided, at half the share each."""
    configs = ctx.configurations(PRIOR_SPACE)
    parts, rows = [], []
    for cfg in configs:
        share = split_share(cfg.share, 2)
        rho = float(cfg["prior"])
        w = world_at_gap_fraction(4, 2, cfg["gap_fraction"], seed=cfg.seed("world"))
        ell = w.ell_p.ravel()
        nu = transition_cell_law(w, prior=rho)
        cells = _cells((w.n_states, w.n_actions, w.n_states))
        R = binomial_sample_size(0.5, 1 - DEFECT_RATE, share, ctx.required_power)
        rng = cfg.rng
        err = np.empty((R, 3))  # uncorrected, prior-corrected, balanced
        for r in range(R):  # one discriminator refit per replication (an optimiser run): not vectorisable
            d = ratio_data(w, w.behaviour, cfg["n"], rng, kind="transition", prior=rho)
            disc = Discriminator(d.cards, balance=False, seed=cfg.seed(f"fit{r}")).fit(d.X, d.y)
            bal = Discriminator(d.cards, balance=True, seed=cfg.seed(f"fit{r}")).fit(d.X, d.y)
            est = np.stack([disc.raw_logit(cells), disc.logit(cells), bal.logit(cells)])
            err[r] = np.abs(est - ell) @ nu
        better = err[:, 1:] < err[:, :1]
        target = f"the prior's log-odds left in the estimate: a correction better in at most {DEFECT_RATE} of refits"
        dec = [binomial_count_decision(int(better[:, j].sum()), R, 0.5, share, alternative="less",
                                       defect_rate=DEFECT_RATE, target_defect=target, name=name)
               for j, name in enumerate(("prior-corrected better than uncorrected",
                                         "class-balanced better than uncorrected"))]
        parts.append(bonferroni(dec, cfg.share, report="smallest_p"))
        rows.append({"gap": float(np.abs(w.ell_p).max()), "prior": rho, "n": int(cfg["n"]), "replications": R,
                     "prior_shift": float(abs(np.log(rho / (1 - rho)))),
                     "error_uncorrected": float(err[:, 0].mean()), "error_prior_corrected": float(err[:, 1].mean()),
                     "error_balanced": float(err[:, 2].mean()),
                     "better_prior_corrected": float(better[:, 0].mean()),
                     "better_balanced": float(better[:, 1].mean())})
    decision = configs.join(parts)
    return Evidence.from_decision(decision, details={"configurations": rows})


@figure(check_prior_correction)
def prior_correction_bars(ev) -> list[Spec]:
    """The nu-weighted log-ratio error of each correction per drawn prior."""
    rows = sorted(detail(ev, "configurations"), key=lambda r: r["prior"])
    labels = [f"ρ={r['prior']:.3g}, n={r['n']}" for r in rows]
    return [{"kind": "bars", "title": "Class imbalance: log-ratio error of the transition discriminator",
             "labels": labels,
             "values": {"uncorrected": [r["error_uncorrected"] for r in rows],
                        "prior correction c_p": [r["error_prior_corrected"] for r in rows],
                        "class balancing": [r["error_balanced"] for r in rows]},
             "ylabel": "E_ν |ℓ̂ − ℓ_p| (mean over refits)",
             "caption": "Uncorrected logits keep the prior's constant |log(ρ/(1−ρ))|; both corrections of §9 remove "
                        "it (the remaining error is estimation error)."},
            {"kind": "table", "title": "class-imbalance ablation",
             "columns": ["prior", "n", "replications", "prior_shift", "error_uncorrected", "error_prior_corrected",
                         "error_balanced", "better_prior_corrected", "better_balanced"],
             "rows": [[r[c] for c in ("prior", "n", "replications", "prior_shift", "error_uncorrected",
                                      "error_prior_corrected", "error_balanced", "better_prior_corrected",
                                      "better_balanced")] for r in rows]}]


MUTANTS = [
    Mutant("csar.disc_prior_correction_dropped", "lrtcheck.csar.discriminators:Discriminator.fit",
           "the recorded-prior correction dropped for an unbalanced discriminator (offset_ = 0: the prior's log-odds "
           "left in the log-ratio estimate)",
           source_edit(("self.offset_ = log_ratio_offset(self.prior_)", "self.offset_ = 0.0")),
           ("csar.ablations.prior_correction",), tags=("ci",), declares=("csar.ablations.prior_correction",)),
]
