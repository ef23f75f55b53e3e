"""Report directories are never stale or torn: staged and swapped into place, an existing report kept unless
--force, a run in progress or interrupted marked in the pages and by `lrtcheck report`, the run recorded in
run.json (version, git commit, command line)."""

import json

import pytest

from lrtcheck.cli import main
from lrtcheck.report.store import (IN_PROGRESS_FILE, INTERRUPTED_FILE, RUN_FILE, ReportDir, check_out_dir,
                                   read_marker, run_record)

ARGS = ["certify", "--check", "stats.conformal.rank_exact", "--quiet"]


def _certify(out, *extra):
    return main([*ARGS, "--out", str(out), *extra])


def test_a_run_writes_the_whole_report_and_its_record(tmp_path):
    out = tmp_path / "r"
    assert _certify(out) == 0
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "figures.json", RUN_FILE, "index.md", "index.html"} <= names
    assert not names & {IN_PROGRESS_FILE, INTERRUPTED_FILE}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging directory left
    run = json.loads((out / RUN_FILE).read_text())
    assert run["command"] == "lrtcheck " + " ".join([*ARGS, "--out", str(out)]).replace("'", "")
    assert run["lrtcheck_version"] and "git_commit" in run and run["passed"] == run["total"] == 1
    assert run["root_seed"] == 20251022 and run["tier"] == "quick" and run["started"] <= run["finished"]
    page = (out / "index.html").read_text()
    assert run["command"].split()[0] in page and "id='run'" in page


def test_an_existing_report_is_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / "r"
    assert _certify(out) == 0
    first = (out / RUN_FILE).read_text()
    assert _certify(out) == 2
    assert "already holds a report" in capsys.readouterr().err
    assert (out / RUN_FILE).read_text() == first
    assert _certify(out, "--force") == 0
    assert (out / RUN_FILE).read_text() != first


def test_an_interrupted_run_keeps_the_old_report_and_marks_it(tmp_path, monkeypatch, capsys):
    out = tmp_path / "r"
    assert _certify(out) == 0
    results = (out / "results.csv").read_text()
    import lrtcheck.certify.grid as grid

    real = grid.run_grid

    def interrupted(tasks, executor=None, **kw):
        real(tasks[:1], executor, **kw)  # one check finishes, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(grid, "run_grid", interrupted)
    assert main(["certify", "--check", "stats.*", "--quiet", "--out", str(out), "--force"]) == 130
    assert (out / "results.csv").read_text() == results  # the old report, untouched
    marker = read_marker(out)
    assert marker["state"] == "interrupted" and marker["finished_checks"] == 1 and marker["total_checks"] > 1
    assert not (out / IN_PROGRESS_FILE).exists()
    for page in ("index.html", "index.md"):
        assert "Not current:" in (out / page).read_text() and "was interrupted" in (out / page).read_text()
    capsys.readouterr()
    assert main(["report", str(out), "--no-figures"]) == 0
    assert "was interrupted" in capsys.readouterr().err
    assert "was interrupted" in (out / "index.html").read_text()  # the rebuilt report still shows it
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_killed_run_leaves_its_in_progress_marker(tmp_path, capsys):
    out = tmp_path / "r"
    assert _certify(out) == 0
    ReportDir(out, run_record(["lrtcheck", "certify", "--out", str(out)])).begin()  # ... and then SIGKILL
    assert read_marker(out)["state"] == "in progress"
    assert "has not finished" in (out / "index.html").read_text()
    assert main(["report", str(out), "--no-figures"]) == 0
    assert "has not finished" in capsys.readouterr().err
    assert _certify(out, "--force") == 0 and read_marker(out) is None  # a finished run replaces it all
    assert "Not current" not in (out / "index.html").read_text()


def test_only_report_directories_are_replaced(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    with pytest.raises(ValueError, match="not an lrtcheck report"):
        check_out_dir(mine, force=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_out_dir(empty) == empty
    assert check_out_dir(tmp_path / "a" / "b" / "new") == tmp_path / "a" / "b" / "new"
