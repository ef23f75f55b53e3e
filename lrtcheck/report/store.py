"""Report directories that are never stale or torn.

A run writes its whole report (``results.csv``, ``figures.json``, ``run.json``, ``index.md``, ``index.html``) into
a staging directory beside the target, then swaps it into place with renames, so a reader sees the old report or
the new one, never a mix.  A directory that already holds a report is kept: ``lrtcheck certify`` refuses it unless
``--force`` is given (the pytest plugin's ``--lrtcheck-report`` replaces its own report, as ``--junitxml`` does), and
a directory that holds anything but an lrtcheck report is never replaced.

While a run is under way the target carries a marker, ``RUN_IN_PROGRESS.json`` (when it started, the command
line), and an existing report's ``index.html`` / ``index.md`` show a banner saying that a newer run has not
finished.  A finished run replaces all of it.  An interrupted run (Ctrl-C, SIGTERM) turns the marker into
``INTERRUPTED.json`` (how many checks had finished) and the banner says so; a run killed outright leaves the
in-progress marker, which ``lrtcheck report`` and the banner still show.

``run.json`` is the run record: the lrtcheck version, the git commit of the code under test (with ``+dirty`` when
the work tree has changes) when it is a git checkout, the command line, tier, root seed, budget, executor, start and
end times.  It is a sidecar rather than columns of ``results.csv`` because it describes the run, not a check: the
results table keeps its one-row-per-check schema, which older reports and other tools read.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

__all__ = ["RUN_FILE", "IN_PROGRESS_FILE", "INTERRUPTED_FILE", "REPORT_FILES", "check_out_dir", "run_record",
           "ReportDir", "read_marker", "notice_text", "atomic_write_text", "read_run_record"]

RUN_FILE = "run.json"
IN_PROGRESS_FILE = "RUN_IN_PROGRESS.json"
INTERRUPTED_FILE = "INTERRUPTED.json"
REPORT_FILES = ("results.csv", "figures.json", RUN_FILE, "index.md", "index.html", IN_PROGRESS_FILE,
                INTERRUPTED_FILE, "coverage.json", "coverage.md")
_NOTICE_START, _NOTICE_END = "<!-- lrtcheck-notice -->", "<!-- /lrtcheck-notice -->"


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _is_report_dir(path: Path) -> bool:
    """Empty, or holding only the files an lrtcheck report (or an interrupted run) leaves."""
    names = {p.name for p in path.iterdir()}
    return not names or (names <= set(REPORT_FILES) and bool(names & {"results.csv", RUN_FILE, IN_PROGRESS_FILE,
                                                                      INTERRUPTED_FILE}))


def _has_report(path: Path) -> bool:
    return path.is_dir() and (path / "results.csv").exists()


def check_out_dir(out, *, force: bool = False, option: str = "--out") -> Path:
    """Validate a report directory before anything runs; ``ValueError`` (one line) when it cannot be used.

    Refused: a path that is a file; a directory (or parent) that cannot be written; a directory that holds files
    other than an lrtcheck report; a directory that holds a report, unless ``force``.
    """
    if str(out).strip() == "":
        raise ValueError(f"{option} must not be empty")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{option} {str(out)!r} is a file, not a directory")
    if out.is_dir():
        if not _is_report_dir(out):
            raise ValueError(f"{option} {str(out)!r} holds files that are not an lrtcheck report; choose a new or "
                             "empty directory")
        if _has_report(out) and not force:
            raise ValueError(f"{option} {str(out)!r} already holds a report; it is kept: choose another directory, "
                             "or give --force to replace it")
    parent = out.resolve().parent
    probe_base = parent
    while not probe_base.exists():
        probe_base = probe_base.parent
    if not os.access(probe_base, os.W_OK | os.X_OK) or (out.is_dir() and not os.access(out, os.W_OK | os.X_OK)):
        raise ValueError(f"{option} {str(out)!r} is not writable")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".lrtcheck-probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise ValueError(f"{option} {str(out)!r} is not writable ({exc.strerror or exc})") from None
    return out


def _git_commit(root: Path) -> str | None:
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return head.stdout.strip() + ("+dirty" if dirty.returncode == 0 and dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def run_record(argv, **fields: Any) -> dict[str, Any]:
    """The run record: version, git commit of the code under test, command line, then ``fields``."""
    from importlib import metadata

    import lrtcheck

    try:
        version = metadata.version("lrtcheck")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "unknown"
    code_root = Path(lrtcheck.__file__).resolve().parent.parent
    return {"lrtcheck_version": version, "git_commit": _git_commit(code_root),
            "command": " ".join(shlex.quote(str(a)) for a in argv), "python": sys.version.split()[0],
            "started": _now(), **fields}


def read_run_record(path) -> dict[str, Any] | None:
    p = Path(path) / RUN_FILE
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def read_marker(path) -> dict[str, Any] | None:
    """The marker of an unfinished run in a report directory (``{"state": "in progress"|"interrupted", ...}``)."""
    d = Path(path)
    for name, state in ((INTERRUPTED_FILE, "interrupted"), (IN_PROGRESS_FILE, "in progress")):
        p = d / name
        if p.exists():
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                data = {}
            return {"state": state, **(data if isinstance(data, dict) else {})}
    return None


def notice_text(marker: Mapping[str, Any]) -> str:
    """One sentence a reader of the report sees about an unfinished run."""
    cmd = marker.get("command", "")
    if marker.get("state") == "interrupted":
        return (f"A later run into this directory was interrupted ({marker.get('interrupted', '?')}, after "
                f"{marker.get('finished_checks', '?')} of {marker.get('total_checks', '?')} checks; command: {cmd}). "
                "This report is from an earlier run.")
    return (f"A later run into this directory started at {marker.get('started', '?')} and has not finished (or was "
            f"killed; command: {cmd}). This report is from an earlier run.")


def _set_notice(report_dir: Path, text: str | None) -> None:
    """Put (or replace) the notice banner in an existing ``index.html`` and ``index.md``."""
    page, md = report_dir / "index.html", report_dir / "index.md"
    block_html = "" if text is None else (f"{_NOTICE_START}<div id='lrtcheck-notice' style='background:#fff3cd;"
                                          "border:2px solid #d39e00;padding:8px;margin:8px 0'><b>Not current:</b> "
                                          f"{html.escape(text)}</div>{_NOTICE_END}")
    block_md = "" if text is None else f"{_NOTICE_START}\n> **Not current:** {text}\n{_NOTICE_END}\n\n"
    for path, block, anchor in ((page, block_html, "<body>"), (md, block_md, None)):
        if not path.exists():
            continue
        content = path.read_text(encoding="utf-8")
        if _NOTICE_START in content:
            a = content.index(_NOTICE_START)
            b = content.index(_NOTICE_END, a) + len(_NOTICE_END)
            tail = content[b:]
            if anchor is None and tail.startswith("\n\n"):
                tail = tail[2:]
            content = content[:a] + block + tail
        elif anchor is not None and anchor in content:
            content = content.replace(anchor, anchor + block, 1)
        elif anchor is None:
            content = block + content
        atomic_write_text(path, content)


class ReportDir:
    """One run's report directory: a staging directory to write into, then an atomic swap into place.

    ``begin()`` marks the target (and bans an existing report); write into ``staging``; ``commit()`` swaps it in;
    ``interrupted(finished, total)`` leaves the old report with the interrupted marker and drops the staging
    directory.
    """

    def __init__(self, target, record: Mapping[str, Any]):
        self.target = Path(target)
        self.record = dict(record)
        self.staging = self.target.parent / f".{self.target.name}.staging-{os.getpid()}"

    def begin(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        self.target.mkdir(exist_ok=True)
        marker = {"started": self.record.get("started"), "command": self.record.get("command"), "pid": os.getpid()}
        (self.target / INTERRUPTED_FILE).unlink(missing_ok=True)
        atomic_write_text(self.target / IN_PROGRESS_FILE, json.dumps(marker, indent=1))
        _set_notice(self.target, notice_text({"state": "in progress", **marker}))
        return self.staging

    def commit(self, **fields: Any) -> Path:
        """Write ``run.json`` (with ``fields`` and the end time) into the staging directory and swap it in."""
        record = {**self.record, **fields, "finished": _now()}
        atomic_write_text(self.staging / RUN_FILE, json.dumps(record, indent=1, sort_keys=True, default=str))
        old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
        if self.target.exists():
            os.replace(self.target, old)
        os.replace(self.staging, self.target)
        shutil.rmtree(old, ignore_errors=True)
        return self.target

    def interrupted(self, finished: int, total: int) -> None:
        """The run stopped before its end: keep the old report, mark it, drop the staging directory."""
        shutil.rmtree(self.staging, ignore_errors=True)
        marker = {"started": self.record.get("started"), "interrupted": _now(), "command": self.record.get("command"),
                  "finished_checks": int(finished), "total_checks": int(total)}
        if not self.target.exists():
            self.target.mkdir(parents=True)
        atomic_write_text(self.target / INTERRUPTED_FILE, json.dumps(marker, indent=1))
        (self.target / IN_PROGRESS_FILE).unlink(missing_ok=True)
        _set_notice(self.target, notice_text({"state": "interrupted", **marker}))
