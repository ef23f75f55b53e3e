"""Venn-Abers implementations nobody in this project wrote, certified through the public adapter as a user would
(README, "Certify your own implementation"): the ``venn-abers`` package is certified; MAPIE 1.6's Venn-Abers is
rejected, with the counter-example (above the calibration maximum p1 must be 1; MAPIE returns less)."""

import numpy as np
import pytest

from lrtcheck.adapters import ProbaVennAbers
from lrtcheck.certify.subjects import parametrize_with_checks

venn_abers = pytest.importorskip("venn_abers", reason="the venn-abers package is a test dependency ([test] extras)")
mapie_va = pytest.importorskip("mapie._venn_abers", reason="MAPIE is a test dependency ([test] extras)")

pytestmark = pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")


@parametrize_with_checks(ProbaVennAbers(venn_abers.VennAbers, name="venn_abers.VennAbers"))
def test_the_venn_abers_package_is_certified(lrtcheck_subject, lrtcheck_subject_check, lrtcheck_gate):
    result = lrtcheck_gate.run(lrtcheck_subject_check, subject=lrtcheck_subject)
    assert result.passed, result.describe()


def test_mapie_venn_abers_is_rejected_with_the_counter_example(lrtcheck_gate):
    subject = ProbaVennAbers(mapie_va.VennAbers, name="mapie._venn_abers.VennAbers")
    result = lrtcheck_gate.run("csar.va.validity", subject=subject, record=False)
    assert not result.passed and result.outcome == "violates the claim", result.describe()
    assert "subject lrtcheck.adapters.calibrators:ProbaVennAbers(mapie._venn_abers.VennAbers)" in result.describe()
    # the counter-example: seven calibration points at score -1 with label 0, a test score above them all; with the
    # hypothetical label 1 the isotonic fit at the top block is 1, so p1 must be 1
    cal = subject.fit(np.full(7, -1.0), np.zeros(7))
    p0, p1 = cal.predict_interval(np.array([0.2]))
    reference = ProbaVennAbers(venn_abers.VennAbers).fit(np.full(7, -1.0), np.zeros(7)).predict_interval([0.2])
    assert reference[1][0] == pytest.approx(1.0)
    assert p1[0] == pytest.approx(0.125)  # MAPIE 1.6: 1/8, as if the test point were pooled with the seven


def test_a_reproduced_limitation_is_not_a_pass_of_a_broken_subject(lrtcheck_gate):
    """p0 and p1 swapped: validity rejects it; truth_coverage reproduces the paper's limitation on it, which the
    result says certifies nothing about the subject."""

    class Swapped(ProbaVennAbers):
        def predict_interval(self, scores):
            p0, p1 = super().predict_interval(scores)
            return p1, p0

    subject = Swapped(venn_abers.VennAbers, name="swapped")
    assert not lrtcheck_gate.run("csar.va.validity", subject=subject, record=False).passed
    lim = lrtcheck_gate.run("csar.va.truth_coverage", subject=subject, record=False)
    assert lim.outcome in ("limitation reproduced", "limitation not reproduced")
    assert "certified" not in lim.outcome
