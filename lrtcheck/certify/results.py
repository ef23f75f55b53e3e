"""The results table: one row per check, validated by a pandera schema, written as ``results.csv``; and its
figures sidecar ``figures.json``: ``{check_id: {"plots": [spec, ...], "finding": str}}`` (see
:mod:`lrtcheck.certify.figures`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd
import pandera.pandas as pa

__all__ = ["RESULT_COLUMNS", "FIGURES_FILE", "results_schema", "results_frame", "write_results", "read_results",
           "write_figures", "read_figures"]

FIGURES_FILE = "figures.json"

RESULT_COLUMNS = [
    "check_id", "subject", "claim", "statement", "source", "method", "expectation", "fails_kind", "verdict", "passed",
    "n", "estimate", "lower", "upper", "bound", "p_value", "false_fail_rate", "power", "target_defect", "defect_size",
    "budget_share", "required_power", "seed", "tier", "seconds", "message", "details",
]

_prob = [pa.Check.in_range(0.0, 1.0)]

results_schema = pa.DataFrameSchema(
    {
        "check_id": pa.Column(str, unique=True),
        # what was certified: a user's subject (import path or given name), "reference ..." or "" (no subject kind)
        "subject": pa.Column(str),
        "claim": pa.Column(str),
        "statement": pa.Column(str),
        "source": pa.Column(str),
        "method": pa.Column(str),
        "expectation": pa.Column(str, pa.Check.isin(["holds", "fails", "measured"])),
        # a fails claim: "paper error" (the paper gets it wrong) or "limitation" (a misuse the paper warns against)
        "fails_kind": pa.Column(str, pa.Check.isin(["", "paper error", "limitation"])),
        "verdict": pa.Column(str, pa.Check.isin(["holds", "violated", "error"])),
        "passed": pa.Column(bool),
        "n": pa.Column(int, pa.Check.ge(0)),
        "estimate": pa.Column(float, nullable=True),
        "lower": pa.Column(float, nullable=True),
        "upper": pa.Column(float, nullable=True),
        "bound": pa.Column(float, nullable=True),
        "p_value": pa.Column(float, _prob, nullable=True),
        "false_fail_rate": pa.Column(float, _prob, nullable=True),
        "power": pa.Column(float, _prob, nullable=True),
        "target_defect": pa.Column(str, nullable=True),
        "defect_size": pa.Column(float, nullable=True),
        "budget_share": pa.Column(float, _prob),
        "required_power": pa.Column(float, _prob),
        "seed": pa.Column(int, pa.Check.ge(0)),
        "tier": pa.Column(str, pa.Check.isin(["quick", "full"])),
        "seconds": pa.Column(float, pa.Check.ge(0.0)),
        "message": pa.Column(str, nullable=True),
        "details": pa.Column(str),
    },
    checks=[
        # a row passes exactly when its verdict matches its expectation (and the design rules held)
        pa.Check(lambda df: ~df["passed"] | (df["verdict"] != "error"), error="an errored check cannot pass"),
        pa.Check(lambda df: (df["expectation"] == "fails") == (df["fails_kind"] != ""),
                 error="fails_kind is set exactly for a 'fails' claim"),
    ],
    strict=True,
    ordered=True,
    coerce=True,
)


def results_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Validate result rows (dicts or ``CheckResult.row()`` output) into the schema's frame."""
    df = pd.DataFrame(list(rows), columns=RESULT_COLUMNS)
    for col in ("message", "target_defect", "subject", "fails_kind"):
        df[col] = df[col].fillna("")
    return results_schema.validate(df)


def write_results(df: pd.DataFrame, out_dir) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.csv"
    results_schema.validate(df).to_csv(path, index=False)
    return path


def read_results(path) -> pd.DataFrame:
    """Read and validate ``results.csv`` (or a directory that holds it)."""
    p = Path(path)
    if p.is_dir():
        p = p / "results.csv"
    if not p.exists():
        raise ValueError(f"results path {str(path)!r} has no results.csv")
    df = pd.read_csv(p, keep_default_na=True, dtype={"message": str, "target_defect": str, "details": str,
                                                     "subject": str, "fails_kind": str})
    if "subject" not in df.columns:  # results written before the subject column existed
        df.insert(1, "subject", "")
    if "fails_kind" not in df.columns:  # written before the column existed: the kind was not recorded
        raise ValueError(f"results file {str(p)!r} has no fails_kind column (written by an older lrtcheck, which did "
                         "not tell a paper's errors from the limitations it warns against): rerun lrtcheck certify")
    for col in ("message", "target_defect", "subject", "fails_kind"):
        df[col] = df[col].fillna("")
    return results_schema.validate(df)


def write_figures(figures: Mapping[str, Mapping[str, Any]], out_dir) -> Path:
    """Write the figures sidecar ``out_dir/figures.json`` (``{check_id: {"plots": [...], "finding": str}}``, as
    :func:`lrtcheck.certify.figures.figures_of` makes it); an empty mapping writes ``{}``, so that a run without
    figures leaves no stale ones behind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FIGURES_FILE
    clean = {}
    for cid, entry in figures.items():
        plots, text = list(entry.get("plots", []) or []), str(entry.get("finding", "") or "")
        if not isinstance(cid, str) or not cid:
            raise ValueError(f"figures: check ids must be non-empty strings, got {cid!r}")
        if plots or text:
            clean[cid] = {"plots": plots, "finding": text}
    path.write_text(json.dumps(clean, sort_keys=True, allow_nan=True), encoding="utf-8")
    return path


def read_figures(path) -> dict[str, dict[str, Any]]:
    """Read the figures sidecar of a results directory (or the file itself); ``{}`` when there is none."""
    p = Path(path)
    if p.is_dir() or p.name == "results.csv":
        p = (p if p.is_dir() else p.parent) / FIGURES_FILE
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{p}: not a figures sidecar ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError(f"{p}: a figures sidecar maps check ids to {{'plots': [...], 'finding': str}}")
    return {str(k): {"plots": list(v.get("plots", []) or []), "finding": str(v.get("finding", "") or "")}
            for k, v in data.items()}
