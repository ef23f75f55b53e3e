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


def test_no_contract_has_exemptions():
    """Every family has moved into lrtcheck.claims: no contract may carry an ignore_imports exemption."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        assert not contract.get("ignore_imports"), contract["id"]
