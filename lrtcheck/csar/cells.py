"""Per-cell Clopper-Pearson intervals with a union bound, for finite input spaces (docs/methods/csar.md §3;
Clopper & Pearson 1934).

For a finite input space (cells x = (s, a, s') or (s, a)), the calibration labels in cell x are
``Binomial(n_x, u(x))`` given the counts, with ``u(x) = P(Y = 1 | x)``.  The Clopper-Pearson interval at level
``1 - delta/K`` in each of the K cells that hold calibration data covers every ``u(x)`` simultaneously with
probability at least ``1 - delta`` (Bonferroni), conditionally on the counts; cells without data get [0, 1].  This is
the one construction here that provably covers ``P(Y = 1 | x)`` itself, not only the label.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.stats import clopper_pearson
from lrtcheck.stats.validation import check_positive_int

from ._inputs import cells_1d, check_delta, check_flag, count_array, labels_1d, paired

__all__ = ["PerCellClopperPearson"]


class PerCellClopperPearson:
    """Simultaneous per-cell intervals for ``P(Y = 1 | cell)``.

    Parameters
    ----------
    delta : total miscoverage in (0, 1), split over the cells with data (``union_bound=True``), or used in each
        cell (``union_bound=False``: pointwise coverage only; the ablation/defect of the checks).
    n_cells : size of the finite input space.

    Attributes (after ``fit``)
    --------------------------
    counts_, successes_ : per-cell calibration counts and label sums; ``low_``, ``high_`` : the intervals;
    ``estimate_`` : ``successes / counts`` (1/2 in empty cells); ``level_`` : the per-cell level used.
    """

    def __init__(self, n_cells: int, delta: float = 0.1, *, union_bound: bool = True):
        self.n_cells = n_cells
        self.delta = delta
        self.union_bound = union_bound
        check_positive_int("n_cells", n_cells)
        check_delta(delta)
        check_flag("union_bound", union_bound)

    def fit(self, cells, labels):
        n_cells = check_positive_int("n_cells", self.n_cells)
        delta = check_delta(self.delta)
        c = cells_1d("cells", cells, n_cells)
        y = labels_1d("labels", labels)
        paired(c, y, names=("cells", "labels"))
        counts = np.bincount(c, minlength=n_cells)
        succ = np.bincount(c, weights=y, minlength=n_cells).round().astype(np.int64)
        self.fit_counts(counts, succ)
        return self

    def fit_counts(self, counts, successes):
        """Fit from per-cell counts and successes directly (a stratified design)."""
        n_cells = check_positive_int("n_cells", self.n_cells)
        delta = check_delta(self.delta)
        union_bound = check_flag("union_bound", self.union_bound)
        counts = count_array("counts", counts)
        succ = count_array("successes", successes)
        if counts.shape != (n_cells,) or succ.shape != (n_cells,):
            raise ValueError(f"counts and successes must have shape ({n_cells},)")
        if np.any(counts < 0) or np.any(succ < 0) or np.any(succ > counts):
            raise ValueError("successes must lie in [0, counts] and counts must be >= 0")
        seen = counts > 0
        if not seen.any():
            raise ValueError("the calibration set must not be empty (got 0 points)")
        k = int(seen.sum()) if union_bound else 1
        level = delta / k
        low = np.zeros(n_cells)
        high = np.ones(n_cells)
        lo, hi = clopper_pearson(succ[seen], counts[seen], level)
        low[seen], high[seen] = lo, hi
        est = np.full(n_cells, 0.5)
        est[seen] = succ[seen] / counts[seen]
        self.counts_, self.successes_ = counts, succ
        self.low_, self.high_, self.estimate_, self.level_ = low, high, est, level
        return self

    def predict_interval(self, cells) -> tuple[np.ndarray, np.ndarray]:
        if not hasattr(self, "low_"):
            raise ValueError("this PerCellClopperPearson is not fitted yet; call fit(cells, labels) first")
        c = cells_1d("cells", cells, self.n_cells)
        return self.low_[c], self.high_[c]

    def predict_proba(self, cells) -> np.ndarray:
        if not hasattr(self, "estimate_"):
            raise ValueError("this PerCellClopperPearson is not fitted yet; call fit(cells, labels) first")
        return self.estimate_[cells_1d("cells", cells, self.n_cells)]
