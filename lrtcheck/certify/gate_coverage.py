"""Branch coverage of the method packages under a gate run (``lrtcheck certify --coverage``), with coverage.py.

The collector starts before the checks are discovered (so the lines run at import count) and measures only the
method packages: the code the gate certifies, not the engine or the checks.  With ``--workers N`` each worker
process collects into its own data file (saved after every task) and the files are combined.  Two figures are
reported: every branch, and the same with the lines that only raise on bad input left out (coverage.py's
``exclude_lines`` with the pattern ``raise ValueError``: the statement and the branch into it are dropped), since a
gate run certifies behaviour on valid input and the refusals are tested by the unit and property suites.
``coverage.json`` (coverage.py's JSON report of the full figure) and ``coverage.md`` (per package and per file) are
written beside the report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["METHOD_PACKAGES", "RAISE_PATTERN", "GateCoverage", "start_worker_coverage", "flush_worker_coverage"]

#: the packages whose code the gate certifies (named by string: the engine imports no method)
METHOD_PACKAGES = ("lrtcheck.diffusion", "lrtcheck.lrt", "lrtcheck.risk", "lrtcheck.csar", "lrtcheck.lecam",
                   "tabular_envs")
#: lines that only refuse bad input
RAISE_PATTERN = r"raise ValueError"

_WORKER = None


def _collector(data_dir: Path):
    try:
        import coverage
    except ImportError as exc:  # pragma: no cover - coverage is a dependency
        raise ValueError("--coverage needs coverage.py (pip install coverage)") from exc
    return coverage.Coverage(data_file=str(Path(data_dir) / ".coverage"), data_suffix=True, branch=True,
                             source_pkgs=list(METHOD_PACKAGES), config_file=False)


def start_worker_coverage(data_dir: str) -> None:
    """Process-pool initializer: start collecting in this worker (saved by :func:`flush_worker_coverage`)."""
    global _WORKER
    _WORKER = _collector(Path(data_dir))
    _WORKER.start()


def flush_worker_coverage() -> None:
    """Save what this worker has collected so far (after each task; a pool worker is never told it ends)."""
    if _WORKER is not None:
        _WORKER.stop()
        _WORKER.save()
        _WORKER.start()


class GateCoverage:
    """Collect in this process (and, through :meth:`initializer`, in pool workers); :meth:`report` combines."""

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._cov = _collector(self.data_dir)

    @property
    def initializer(self):
        return start_worker_coverage, (str(self.data_dir),)

    def start(self) -> None:
        self._cov.start()

    def stop(self) -> None:
        self._cov.stop()
        self._cov.save()

    def report(self, out_dir) -> dict[str, Any]:
        """Combine, write ``coverage.json`` and ``coverage.md`` into ``out_dir``; the two totals and per file."""
        import coverage

        cov = coverage.Coverage(data_file=str(self.data_dir / ".coverage"), branch=True,
                                source_pkgs=list(METHOD_PACKAGES), config_file=False)
        cov.combine([str(self.data_dir)], keep=False)
        cov.save()
        out = Path(out_dir)
        json_path = out / "coverage.json"
        with open(os.devnull, "w") as devnull:
            full = cov.report(file=devnull, show_missing=False)
            cov.json_report(outfile=str(json_path))
        per_file = json.loads(json_path.read_text(encoding="utf-8"))["files"]
        cov.exclude(RAISE_PATTERN)
        with open(os.devnull, "w") as devnull:
            valid_only = cov.report(file=devnull)
        summary = {"branch_coverage": float(full), "branch_coverage_excluding_raises": float(valid_only),
                   "packages": list(METHOD_PACKAGES),
                   "files": {f: d["summary"]["percent_covered"] for f, d in sorted(per_file.items())}}
        (out / "coverage.md").write_text(self.markdown(summary), encoding="utf-8")
        return summary

    @staticmethod
    def markdown(summary: dict[str, Any]) -> str:
        lines = ["# Branch coverage of the method packages under the gate run", "",
                 f"{summary['branch_coverage']:.1f}% of statements and branches of {', '.join(summary['packages'])}; "
                 f"{summary['branch_coverage_excluding_raises']:.1f}% with the lines that only raise ValueError on "
                 "bad input left out.", "", "| file | covered % |", "|---|---|"]
        lines += [f"| `{f}` | {p:.1f} |" for f, p in sorted(summary["files"].items(), key=lambda kv: kv[1])]
        return "\n".join(lines) + "\n"
