"""Figures of the ``tabular.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern.  The tabular migration moves each builder next to its check in ``lrtcheck/claims/tabular/``
(registered on the check function) and deletes this file.
"""

from __future__ import annotations

from lrtcheck.certify.figures import Spec, detail as _d, figure


@figure("tabular.rollout.value")
def _tab_rollout(ev) -> list[Spec]:
    ex, ob = _d(ev, "exact_rate"), _d(ev, "observed_rate")
    return [{"kind": "scatter", "title": "Rollout success rate per start state vs exact value",
             "points": [{"label": "per start state", "x": ex, "y": ob, "line": False}], "diagonal": True,
             "xlabel": "exact rate (linear solve)", "ylabel": "Monte Carlo rate",
             "caption": "Each state's Monte Carlo rate falls on the diagonal within its exact binomial region."}]


@figure("tabular.occupancy.sampling")
def _tab_occ(ev) -> list[Spec]:
    ex, ob = _d(ev, "exact_d"), _d(ev, "observed")
    return [{"kind": "scatter", "title": "Sampled occupancy vs exact discounted occupancy",
             "points": [{"label": "per cell", "x": ex, "y": ob, "line": False}], "diagonal": True,
             "xlabel": "exact d(s, a)", "ylabel": "sampled frequency",
             "caption": "Cells fall on the diagonal: the sampler draws from the exact discounted occupancy."}]
