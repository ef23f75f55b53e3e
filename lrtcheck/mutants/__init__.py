"""The mutant catalogue and kill matrix (``lrtcheck mutants``), and false-fail calibration (``lrtcheck flake``).

Each mutant is a realistic semantic bug applied by patching a named function at run time; the kill matrix records
which quick-tier checks fail under each mutant.  The unmutated run of the same checks must pass.
"""

from __future__ import annotations

import importlib

from .engine import Mutant, MutantOutcome, patched, run_mutant

__all__ = ["Mutant", "MutantOutcome", "patched", "run_mutant", "catalogue", "CATALOGUE_MODULES", "cli_main"]

CATALOGUE_MODULES = (
    "lrtcheck.mutants.catalogue_stats",
    "lrtcheck.mutants.catalogue_tabular",
    "lrtcheck.mutants.catalogue_lrt",
    "lrtcheck.mutants.catalogue_risk",
    "lrtcheck.mutants.catalogue_csar",
    "lrtcheck.mutants.catalogue_lecam",
)


def catalogue() -> list[Mutant]:
    """Every mutant of every family whose catalogue module exists."""
    out: list[Mutant] = []
    for name in CATALOGUE_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        out.extend(mod.MUTANTS)
    ids = [m.id for m in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate mutant ids: {sorted(dup)}")
    return out


def cli_main(args) -> int:
    from .matrix import run_cli

    return run_cli(args)
