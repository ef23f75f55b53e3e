"""The command line refuses bad arguments before any check runs: exit 2, one line on stderr, no traceback.

``CASES`` is the table (case, argv, exit code, message); ``python tests/certify/test_cli_validation.py`` prints it
as run.
"""

import sys
from pathlib import Path

import pytest

from lrtcheck.cli import main


def _setup(tmp: Path) -> dict[str, str]:
    (tmp / "a_file").write_text("x")
    report = tmp / "old_report"
    report.mkdir()
    (report / "results.csv").write_text("check_id\n")
    foreign = tmp / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    header_only = tmp / "header_only"
    header_only.mkdir()
    from lrtcheck.certify.results import RESULT_COLUMNS

    (header_only / "results.csv").write_text(",".join(RESULT_COLUMNS) + "\n")
    unfinished = tmp / "unfinished"
    unfinished.mkdir()
    (unfinished / "RUN_IN_PROGRESS.json").write_text('{"started": "then", "command": "lrtcheck certify"}')
    return {"FILE": str(tmp / "a_file"), "UNDER_FILE": str(tmp / "a_file" / "sub"), "REPORT": str(report),
            "FOREIGN": str(foreign), "HEADER_ONLY": str(header_only), "UNFINISHED": str(unfinished),
            "NEW": str(tmp / "new"), "MISSING": str(tmp / "missing")}


#: (case, argv, exit code, message on stderr)
CASES = [
    ("--out is a file", ["certify", "--out", "FILE"], 2, "is a file, not a directory"),
    ("--out under a file", ["certify", "--out", "UNDER_FILE"], 2, "not writable"),
    ("--out holds a report", ["certify", "--out", "REPORT"], 2, "already holds a report; it is kept"),
    ("--out holds other files", ["certify", "--out", "FOREIGN", "--force"], 2, "not an lrtcheck report"),
    ("--out empty", ["certify", "--out", ""], 2, "--out must not be empty"),
    ("--workers 0", ["certify", "--out", "NEW", "--workers", "0"], 2, "--workers must be an integer >= 1, got 0"),
    ("--workers -2", ["certify", "--out", "NEW", "--workers", "-2"], 2, "--workers must be an integer >= 1, got -2"),
    ("--workers abc", ["certify", "--workers", "abc"], 2, "argument --workers: invalid int value: 'abc'"),
    ("--dask unreachable", ["certify", "--out", "NEW", "--dask", "tcp://127.0.0.1:9"], 2,
     "cannot reach a Dask scheduler at 'tcp://127.0.0.1:9' within 5 s"),
    ("--dask empty", ["certify", "--out", "NEW", "--dask", ""], 2, "--dask must be a scheduler address"),
    ("--coverage with --dask", ["certify", "--out", "NEW", "--coverage", "--dask", "local"], 2,
     "--coverage measures this machine's processes"),
    ("--check empty", ["certify", "--out", "NEW", "--check", ""], 2, "--check must not be empty"),
    ("--check matches nothing", ["certify", "--out", "NEW", "--check", "nope.*"], 2, "no registered check matches"),
    ("--seed negative", ["certify", "--out", "NEW", "--seed", "-1"], 2, "seed must be a non-negative integer"),
    ("--budget outside (0, 1)", ["certify", "--out", "NEW", "--budget", "2"], 2, "--budget must lie in (0, 1)"),
    ("--tier unknown", ["certify", "--tier", "huge"], 2, "argument --tier: invalid choice: 'huge'"),
    ("--subject unknown module", ["certify", "--out", "NEW", "--subject", "k=no_such_mod:X"], 2,
     "--subject: cannot import module 'no_such_mod'"),
    ("flake --runs 0", ["flake", "--runs", "0"], 2, "--runs must be an integer >= 1, got 0"),
    ("flake --check empty", ["flake", "--check", ""], 2, "--check must not be empty"),
    ("flake --workers 0", ["flake", "--workers", "0"], 2, "--workers must be an integer >= 1"),
    ("power --runs 0", ["power", "--runs", "0"], 2, "--runs must be an integer >= 1, got 0"),
    ("power --confidence 1", ["power", "--confidence", "1"], 2, "--confidence must lie in (0, 1)"),
    ("power --out under a file", ["power", "--out", "UNDER_FILE"], 2, "cannot be created"),
    ("power --dask unreachable", ["power", "--dask", "tcp://127.0.0.1:9"], 2, "cannot reach a Dask scheduler"),
    ("mutants --only empty", ["mutants", "--only", ""], 2, "--only must not be empty"),
    ("mutants --only matches nothing", ["mutants", "--only", "nothing.*"], 2, "no mutant matches"),
    ("mutants --workers 0", ["mutants", "--workers", "0"], 2, "--workers must be an integer >= 1"),
    ("report with no rows", ["report", "HEADER_ONLY"], 2, "has no rows: there is nothing to report"),
    ("report of a missing directory", ["report", "MISSING"], 2, "has no results.csv"),
    ("report of an unfinished run", ["report", "UNFINISHED"], 2, "has not finished (or was killed) before"),
    ("explain an unknown check", ["explain", "no.such.check"], 2, "unknown check id 'no.such.check'"),
]


@pytest.mark.parametrize("case, argv, code, message", CASES, ids=[c[0] for c in CASES])
def test_bad_arguments_exit_2_with_one_line_before_any_check_runs(case, argv, code, message, tmp_path, capsys,
                                                                   monkeypatch):
    import lrtcheck.certify.grid as grid

    def no_checks(*a, **k):
        raise AssertionError("a check ran before the arguments were validated")

    monkeypatch.setattr(grid, "run_grid", no_checks)
    paths = _setup(tmp_path)
    args = [paths.get(a, a) for a in argv]
    try:
        rc = main(args)
    except SystemExit as exc:  # argparse errors
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == code, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert message in lines[0] and "Traceback" not in err, lines[0]
    if "REPORT" in argv:
        assert (tmp_path / "old_report" / "results.csv").read_text() == "check_id\n"  # the old report is kept


def _table() -> str:  # pragma: no cover - documentation helper
    import contextlib
    import io
    import tempfile

    rows = ["| case | exit | message |", "|---|---|---|"]
    for case, argv, _code, _message in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            paths = _setup(Path(tmp))
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                try:
                    rc = main([paths.get(a, a) for a in argv])
                except SystemExit as exc:
                    rc = exc.code
            line = err.getvalue().strip().replace(tmp, "$TMP")
            rows.append(f"| {case} | {rc} | `{line}` |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(_table())
    sys.exit(0)
