"""The direction of dependence (docs/architecture.md): the import-linter contracts of pyproject.toml hold.

Methods, tabular_envs and worlds never import the engine, the claims, the report, the plugin or the CLI;
lrtcheck.stats imports no other part of the project; the engine imports no method and nothing above it; claims never
import the report; the report imports no method and no claims module; nothing imports the CLI.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "0 broken" in report


def test_every_exemption_is_a_commented_legacy_module():
    """The contract exemptions name only the transition modules of lrtcheck/certify/checks, each as temporary."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    text = (ROOT / "pyproject.toml").read_text()
    config = tomllib.loads(text)
    for contract in config["tool"]["importlinter"]["contracts"]:
        for line in contract.get("ignore_imports", []):
            importer = line.split("->")[0].strip()
            assert importer.startswith("lrtcheck.certify.checks."), line
            assert (ROOT / (importer.replace(".", "/") + ".py")).exists(), f"stale exemption: {line}"
            source_line = next(ln for ln in text.splitlines() if f'"{line}"' in ln)
            assert "# temporary" in source_line, source_line
