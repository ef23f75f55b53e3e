"""The report: schema-validated table, Markdown and a self-contained HTML page with figures."""

import json
import re

import pytest

from lrtcheck.certify import Claim, Evidence, run_check
from lrtcheck.certify.registry import CheckSpec
from lrtcheck.certify.results import results_frame
from lrtcheck.report import write_report
from lrtcheck.report.plots import PLOT_KINDS, render_spec
from lrtcheck.stats import ErrorBudget


def _frame():
    def f(ctx):
        return Evidence(verdict="holds", n=10, estimate=0.1, lower=0.0, upper=0.2,
                        design=ctx.design("d", 0.1, 1.0, 10))

    claim = Claim(id="demo.report", source="test", statement="demo <b>escaped</b>")
    spec = CheckSpec(check_id="demo.report", claim=claim, func=f)
    res = run_check(spec, budget=ErrorBudget.equal(["demo.report"]))
    return results_frame([res.row()])


PLOTS = [
    {"kind": "lines", "title": "Type-I vs alpha", "x": [0.01, 0.05, 0.1], "series": {"realized": [0.011, 0.05, 0.098]},
     "band": {"lower": [0.0, 0.03, 0.08], "upper": [0.03, 0.07, 0.12]}, "reference": {"alpha": [0.01, 0.05, 0.1]}},
    {"kind": "bars", "title": "coverage", "labels": ["a", "b"], "values": [0.9, 0.7], "target": 0.9},
    {"kind": "hist", "title": "H0", "edges": [0, 1, 2, 3], "counts": [1, 5, 2],
     "density_x": [0, 1.5, 3], "density_y": [0.1, 0.5, 0.1]},
    {"kind": "scatter", "title": "Pareto", "points": [{"label": "LRT", "x": [0.01, 0.02], "y": [1, 2]}]},
    {"kind": "table", "title": "tbl", "columns": ["a", "b"], "rows": [[1, 0.25]]},
]
SIDECAR = {"demo.report": {"plots": PLOTS, "finding": ""}}


def test_report_writes_markdown_and_self_contained_html(tmp_path):
    paths = write_report(_frame(), tmp_path, sidecar=SIDECAR)
    page = paths["html"].read_text()
    md = paths["markdown"].read_text()
    assert "demo.report" in md and "1/1 checks passed" in md
    # self-contained: no external src/href, every image is an inline PNG
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    assert page.count("data:image/png;base64,") == 4
    assert "&lt;b&gt;escaped&lt;/b&gt;" in page  # statements are escaped
    assert "<th>a</th><th>b</th>" in page


def test_report_reads_the_sidecar_beside_the_results_and_legacy_details(tmp_path):
    from lrtcheck.certify.results import write_figures

    df = _frame()
    write_figures(SIDECAR, tmp_path)
    assert write_report(df, tmp_path)["html"].read_text().count("data:image/png;base64,") == 4
    legacy = df.copy()  # results written before the sidecar: plots inside details
    legacy.loc[0, "details"] = json.dumps({"plots": PLOTS})
    page = write_report(legacy, tmp_path / "old", sidecar=None)["html"].read_text()
    assert page.count("data:image/png;base64,") == 4


def test_every_plot_kind_renders():
    for kind in PLOT_KINDS:
        spec = {"kind": kind, "x": [0, 1], "series": {"a": [0, 1]}, "labels": ["x"], "values": [1.0],
                "edges": [0, 1], "counts": [1], "points": [{"x": [0], "y": [0]}], "columns": [], "rows": []}
        uri = render_spec(spec)
        assert (uri is None) == (kind == "table")
    assert render_spec({"kind": "unknown"}) is None


def test_report_marks_failed_rows(tmp_path):
    df = _frame()
    df.loc[0, "passed"] = False
    df.loc[0, "message"] = "boom"
    page = write_report(df, tmp_path, figures=False)["html"].read_text()
    assert "class='fail'" in page and "boom" in page


def _fails_frame():
    """Two fails rows reproduced: one error of a paper, one limitation the paper warns against."""
    rows = []
    for cid, limitation in (("demo.paper_error", False), ("demo.warned_misuse", True)):
        def f(ctx):
            return Evidence(verdict="violated", n=10, estimate=0.5, lower=0.4, upper=0.6,
                            design=ctx.design("d", 0.1, 1.0, 10))

        claim = Claim(id=cid, source="test", statement=f"statement of {cid}", expectation="fails",
                      limitation=limitation)
        spec = CheckSpec(check_id=cid, claim=claim, func=f)
        rows.append(run_check(spec, budget=ErrorBudget.equal([cid])).row())
    return results_frame(rows)


def test_limitations_are_reported_apart_from_the_papers_errors(tmp_path):
    df = _fails_frame()
    assert list(df["fails_kind"]) == ["paper error", "limitation"]
    paths = write_report(df, tmp_path, figures=False, sidecar={})
    page = paths["html"].read_text()
    errors = page[page.index("id='paper-errors'"):page.index("id='limitations'")]
    assert "demo.paper_error" in errors and "demo.warned_misuse" not in errors
    assert "demo.warned_misuse" in page[page.index("id='limitations'"):]
    md = paths["markdown"].read_text()
    wrong = md[md.index("## Claims the papers get wrong"):md.index("## Limitations the papers warn against")]
    assert "demo.paper_error" in wrong and "demo.warned_misuse" not in wrong


def test_limitation_is_only_for_a_fails_claim():
    with pytest.raises(ValueError, match="limitation=True is for a 'fails' claim"):
        Claim(id="demo.x", source="s", statement="t", expectation="holds", limitation=True)
    with pytest.raises(ValueError, match="limitation must be a bool"):
        Claim(id="demo.x", source="s", statement="t", expectation="fails", limitation=1)
    assert Claim(id="demo.x", source="s", statement="t", expectation="fails").fails_kind == "paper error"
    assert Claim(id="demo.x", source="s", statement="t").fails_kind == ""


def test_the_registered_limitations_are_those_the_papers_warn_against():
    from lrtcheck.certify.registry import all_checks
    warned = {s.check_id for s in all_checks("full") if s.claim.limitation}
    assert {"lrt.qstep.recalibrate", "lrt.running_max", "lrt.variance_mismatch", "risk.kernel.outside"} <= warned
    assert not warned & {"csar.logit.radius_cap", "csar.reward.bound", "csar.va.truth_coverage", "risk.paper_sign"}
