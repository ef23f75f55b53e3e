"""Certifying a user's own implementation: a different correct one passes, a broken one is rejected with a message
naming the violated claim, from pytest (``parametrize_with_checks``) and from the command line (``--subject``)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from user_subjects import ByDefinitionIVAP, SwappedIVAP  # noqa: E402

from lrtcheck.certify.subjects import checks_for, parametrize_with_checks  # noqa: E402
from lrtcheck.cli import main as cli_main  # noqa: E402


@parametrize_with_checks(ByDefinitionIVAP())
def test_a_different_correct_implementation_is_certified(lrtcheck_subject, lrtcheck_subject_check, lrtcheck_gate):
    result = lrtcheck_gate.run(lrtcheck_subject_check, subject=lrtcheck_subject)
    assert result.passed, result.describe()


def test_a_broken_implementation_is_rejected_naming_the_claim(lrtcheck_gate):
    result = lrtcheck_gate.run("csar.va.validity", subject=SwappedIVAP(), record=False)
    assert not result.passed
    text = result.describe()
    assert "csar.va.validity" in text and "order False" in text


def test_subject_kind_errors():
    with pytest.raises(ValueError, match="known kinds"):
        checks_for("no.such.kind")
    with pytest.raises(ValueError, match="kind must be given"):
        parametrize_with_checks(object())


def test_cli_certifies_a_user_subject(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    ok = cli_main(["certify", "--subject", "user_subjects:ByDefinitionIVAP", "--check", "csar.va.validity",
                   "--out", str(tmp_path / "ok"),
                   "--quiet", "--no-figures"])
    assert ok == 0
    bad = cli_main(["certify", "--subject", "csar.venn_abers=user_subjects:SwappedIVAP",
                    "--check", "csar.va.validity", "--out", str(tmp_path / "bad"), "--quiet", "--no-figures"])
    out = capsys.readouterr().out
    assert bad == 1 and "csar.va.validity FAILED" in out
    assert cli_main(["certify", "--subject", "user_subjects:Nope", "--out", str(tmp_path / "x")]) == 2
    assert cli_main(["certify", "--subject", "nokind.x=user_subjects:SwappedIVAP", "--out", str(tmp_path / "y")]) == 2
