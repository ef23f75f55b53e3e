"""Reports of a gate run: ``index.md`` and a self-contained ``index.html`` built from ``results.csv``."""

from .writers import write_report

__all__ = ["write_report"]
