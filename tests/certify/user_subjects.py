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
