"""The subject protocols as code (lrtcheck.certify.protocols): a subject written from the protocol text is certified
by every check of its kind; a subject short of it is refused before any check runs, with every missing member and
the protocol named; a subject that raises inside a check leaves its full traceback in the results."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from user_subjects import (ByDefinitionIVAP, RaisesAtSevenIVAP, ThresholdlessConformal,  # noqa: E402
                           no_null_sampler, numpy_lrt_sampler)

from lrtcheck.certify.protocols import (PROTOCOL_CLASSES, ConformalCalibrator, ProtocolError,  # noqa: E402
                                        check_conformance, conformance_problems)
from lrtcheck.certify.registry import get  # noqa: E402
from lrtcheck.certify.runner import run_check  # noqa: E402
from lrtcheck.certify.subjects import checks_for, parametrize_with_checks, subject_kinds  # noqa: E402


def test_every_subject_kind_has_a_protocol_and_its_reference_conforms():
    assert set(subject_kinds()) == set(PROTOCOL_CLASSES)
    for kind in subject_kinds():
        spec = checks_for(kind)[0]
        assert conformance_problems(kind, spec.default_subject()) == [], kind


@parametrize_with_checks(numpy_lrt_sampler)
def test_a_sampler_written_from_the_protocol_text_is_certified(lrtcheck_subject, lrtcheck_subject_check,
                                                               lrtcheck_gate):
    """No replace(), no deploy(), numpy noise: the 11 lrt.sampler checks pass (replace supplied by lrtcheck)."""
    result = lrtcheck_gate.run(lrtcheck_subject_check, subject=lrtcheck_subject)
    assert result.passed, result.describe()
    assert result.subject == "user_subjects:numpy_lrt_sampler"


def test_a_missing_member_is_named_with_the_protocol_before_the_check_runs():
    with pytest.raises(ProtocolError, match=r"lrt.sampler protocol \(lrtcheck.certify.protocols.LRTSamplerFactory\)"
                       r".*misses method null_statistics"):
        check_conformance("lrt.sampler", no_null_sampler)
    res = run_check(get("lrt.ump"), subject=no_null_sampler)
    assert not res.passed and res.verdict == "error" and res.seconds == 0.0
    assert "misses method null_statistics" in res.message and "LRTSamplerFactory" in res.message
    res = run_check(get("csar.conformal.coverage"), subject=ThresholdlessConformal)
    assert "threshold_" in res.message and "ConformalCalibrator" in res.message
    assert not isinstance(ThresholdlessConformal(), ConformalCalibrator)  # runtime_checkable sees it too


def test_a_subject_that_raises_keeps_its_full_traceback():
    res = run_check(get("csar.va.validity"), subject=RaisesAtSevenIVAP())
    assert res.verdict == "error"
    assert "ZeroDivisionError: seven calibration points" in res.message and "in fit" in res.message
    details = json.loads(res.row()["details"])
    assert "Traceback (most recent call last)" in details["traceback"]
    assert "user_subjects.py" in details["traceback"] and "enumerate_predictor" in details["traceback"]


def test_a_fails_claim_is_a_reproduced_limitation_not_a_pass_of_the_subject():
    res = run_check(get("csar.va.truth_coverage"), subject=ByDefinitionIVAP())
    assert res.passed and res.outcome == "limitation reproduced"
    assert "certifies nothing about the subject" in res.describe()
