"""Figures of the ``stats.*`` checks (transition module).

Moved unchanged out of the report's single figures module and registered through :mod:`lrtcheck.certify.figures`
by check-id pattern; the stats migration moves the builder next to its check in ``lrtcheck/claims/stats/``.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify.figures import Spec, artifact as _art, detail as _d, figure, histogram as _hist, number as _num


@figure("stats.conformal.coverage")
def _stats_conformal(ev) -> list[Spec]:
    from scipy import stats as st

    cov = _art(ev, "realized_coverage")
    k = int(_d(ev, "k"))
    m = _num(_d(ev, "realized_level_mean"))  # mean of Beta(n+1-k, k) = (n+1-k)/(n+1)
    n = int(round(k / (1 - m))) - 1
    law = st.beta(k, n + 1 - k)
    lo = float(min(cov.min(), law.ppf(0.0005)))
    x = np.linspace(lo, 1.0, 300)
    e, c = _hist(cov, 40, lo, 1.0)
    return [{"kind": "hist", "title": "Realized conformal coverage vs its exact Beta law", "edges": e, "counts": c,
             "label": f"realized coverage ({cov.size} calibrations)", "density_x": x.tolist(),
             "density_y": law.pdf(x).tolist(), "law_label": f"exact Beta({k}, {n + 1 - k})",
             "xlabel": "coverage of the calibrated threshold", "ylabel": "density",
             "caption": "The histogram should follow the Beta curve: conformal coverage is random around k/(n+1)."}]


