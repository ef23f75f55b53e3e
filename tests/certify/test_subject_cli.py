"""`lrtcheck certify --subject` says what it certified and refuses what would certify something else: a second
subject of one kind, a --check of another kind, a subject short of its protocol (exit 2, before any check runs)."""

import sys
from pathlib import Path

import pandas as pd
import pytest

from lrtcheck.cli import main as cli_main

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _user_modules(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))


def _run(capsys, *argv):
    rc = cli_main(["certify", *argv, "--quiet", "--no-figures"])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_a_rejected_subject_is_named_everywhere_with_a_reproduce_line_that_reruns_it(tmp_path, capsys):
    out = tmp_path / "bad"
    rc, stdout, _ = _run(capsys, "--subject", "csar.venn_abers=user_subjects:SwappedIVAP", "--check",
                         "csar.va.validity", "--out", str(out))
    assert rc == 1
    assert "subject csar.venn_abers=user_subjects:SwappedIVAP (csar.venn_abers): REJECTED: 1 violates the claim" in stdout
    assert "csar.va.validity FAILED for subject user_subjects:SwappedIVAP: violates the claim 'csar.va.validity'" in stdout
    assert "reproduce: lrtcheck certify --tier quick --seed 20251022 --check 'csar.va.validity' --subject " \
           "'csar.venn_abers=user_subjects:SwappedIVAP'" in stdout
    df = pd.read_csv(out / "results.csv")
    assert list(df.columns[:2]) == ["check_id", "subject"] and df["subject"].tolist() == ["user_subjects:SwappedIVAP"]
    html = (out / "index.html").read_text()
    assert "<h1>lrtcheck certification report — subject user_subjects:SwappedIVAP</h1>" in html
    assert "Subject <code>user_subjects:SwappedIVAP</code>: REJECTED" in html
    md = (out / "index.md").read_text()
    assert md.startswith("# lrtcheck certification report — subject user_subjects:SwappedIVAP")


def test_the_reference_is_named_as_the_reference(tmp_path, capsys):
    rc, _, _ = _run(capsys, "--check", "csar.va.validity", "--out", str(tmp_path / "ref"))
    assert rc == 0
    df = pd.read_csv(tmp_path / "ref" / "results.csv", keep_default_na=False)
    assert df["subject"].tolist() == ["reference lrtcheck.csar.venn_abers:VennAbers()"]


def test_a_second_subject_of_the_same_kind_is_refused(tmp_path, capsys):
    rc, _, err = _run(capsys, "--subject", "user_subjects:ByDefinitionIVAP", "--subject",
                      "csar.venn_abers=user_subjects:SwappedIVAP", "--out", str(tmp_path / "two"))
    assert rc == 2 and "already given" in err
    assert not (tmp_path / "two").exists()


def test_a_check_of_another_kind_is_refused(tmp_path, capsys):
    rc, _, err = _run(capsys, "--subject", "user_subjects:ByDefinitionIVAP", "--check", "csar.conformal.coverage",
                      "--out", str(tmp_path / "other"))
    assert rc == 2 and "would certify the reference" in err and "csar.va.validity" in err
    rc, _, err = _run(capsys, "--subject", "user_subjects:ByDefinitionIVAP", "--check", "csar.va.merge",
                      "--out", str(tmp_path / "nokind"))
    assert rc == 2  # csar.va.merge has no subject kind: it would run the reference too


def test_a_subject_short_of_its_protocol_is_refused_before_any_check_runs(tmp_path, capsys):
    rc, _, err = _run(capsys, "--subject", "lrt.sampler=user_subjects:no_null_sampler", "--out", str(tmp_path / "p"))
    assert rc == 2 and "misses method null_statistics" in err and "LRTSamplerFactory" in err
    rc, _, err = _run(capsys, "--subject", "user_subjects:ThresholdlessConformal", "--out", str(tmp_path / "c"))
    assert rc == 2 and "threshold_" in err


def test_a_class_on_the_command_line_is_called_as_the_checks_call_it(tmp_path, capsys):
    """Not instantiated with no arguments: LRTSampler itself is a valid lrt.sampler factory."""
    rc, stdout, _ = _run(capsys, "--subject", "lrt.sampler=lrtcheck.lrt:LRTSampler", "--check", "lrt.ump", "--out",
                         str(tmp_path / "cls"))
    assert rc == 0 and "(lrt.sampler): CERTIFIED: 1 certified" in stdout


def test_the_working_directory_is_searched_for_a_subject_module(tmp_path, monkeypatch, capsys):
    (tmp_path / "my_va_mod.py").write_text("from lrtcheck.csar import VennAbers as MyVA\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    rc, stdout, _ = _run(capsys, "--subject", "csar.venn_abers=my_va_mod:MyVA", "--check", "csar.va.validity",
                         "--out", str(tmp_path / "wd"))
    assert rc == 0, stdout


def test_certification_tests_carry_the_lrtcheck_marker():
    """-m lrtcheck selects the tests that use the gate (here: this directory's user-subject tests)."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(HERE.parents[1]), "CI": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m",
                           "lrtcheck", str(HERE / "test_user_subjects.py")], capture_output=True, text=True, env=env,
                          timeout=300, cwd=HERE.parents[1])
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any("test_a_broken_implementation_is_rejected_naming_the_claim" in i for i in ids)
    assert not any("test_subject_kind_errors" in i for i in ids)  # no gate, no marker


def test_two_subjects_of_one_name_get_their_own_rows_and_the_report_is_written(tmp_path):
    """Two factories both named <lambda>: the session's rows stay unique and the report validates."""
    from lrtcheck.certify.results import results_frame
    from lrtcheck.lrt import LRTSampler
    from lrtcheck.plugin import GateSession

    gate = GateSession("quick", 20251022, 1e-3, None, None)
    subjects = [lambda *a, **k: LRTSampler(*a, **k), lambda *a, **k: LRTSampler(*a, **k)]
    for subj in subjects:
        assert gate.run("lrt.ump", subject=subj).passed
    ids = [r["check_id"] for r in gate.rows]
    assert len(set(ids)) == 2 and ids[1].endswith("#2")
    assert len(results_frame(gate.rows)) == 2
