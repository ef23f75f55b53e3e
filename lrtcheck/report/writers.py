"""Markdown and HTML writers for a results table and its figures sidecar (the HTML is one self-contained page that
opens from disk)."""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd

from lrtcheck.certify.results import FIGURES_FILE, read_figures

__all__ = ["write_report", "verdict_table_markdown", "summary_line", "user_subjects", "outcome", "subject_verdict"]

_METHOD_TITLES = {
    "stats": "Statistical core",
    "tabular": "Exact-ratio tabular worlds",
    "lrt": "LRT-Diffusion (arXiv 2510.24983)",
    "risk": "Risk-Sensitive Diffusion (arXiv 2402.02081)",
    "csar": "C-SAR: Certified Shift-Aware Rewards",
    "lecam": "Le Cam lower bounds (C-SAR section 8)",
}


def _fmt(x, digits: int = 4) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(x):
        return "–"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e5):
        return f"{x:.2e}"
    return f"{x:.{digits}g}"


def _by_method(df: pd.DataFrame):
    """Method sections in the order of ``_METHOD_TITLES`` (the papers first), others after, in run order."""
    order = {m: i for i, m in enumerate(["lrt", "risk", "csar", "lecam", "tabular", "stats"])}
    groups = list(df.groupby("method", sort=False))
    return sorted(groups, key=lambda g: order.get(g[0], len(order)))


def user_subjects(df: pd.DataFrame) -> list[str]:
    """The users' subjects certified in ``df`` (in row order), the reference ones left out."""
    if "subject" not in df.columns:
        return []
    vals = [str(v) for v in df["subject"].fillna("") if str(v) and not str(v).startswith("reference ")]
    return list(dict.fromkeys(vals))


def outcome(row) -> str:
    """A row's outcome for its subject, in words (as :attr:`lrtcheck.certify.runner.CheckResult.outcome`)."""
    if row["verdict"] == "error":
        return "error"
    if row["expectation"] == "fails":
        return "limitation reproduced" if row["passed"] else "limitation not reproduced"
    if row["expectation"] == "measured":
        return "measured" if row["passed"] else "measurement invalid"
    return "certified" if row["passed"] else "violates the claim"


def subject_verdict(group: pd.DataFrame) -> str:
    """``CERTIFIED`` when every row of a subject passed, ``ERROR`` when one errored, else ``REJECTED``."""
    if bool(group["passed"].all()):
        return "CERTIFIED"
    return "ERROR" if bool((group["verdict"] == "error").any()) else "REJECTED"


def _subject_rows(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """A subject's rows, failures first."""
    g = df[df["subject"] == name]
    return g.assign(_ok=g["passed"].astype(bool)).sort_values("_ok", kind="stable").drop(columns="_ok")


def summary_line(df: pd.DataFrame) -> str:
    passed = int(df["passed"].sum())
    tiers = ", ".join(sorted(set(df["tier"])))
    seeds = ", ".join(str(s) for s in sorted(set(df["seed"])))
    spent = float(df["budget_share"].sum())
    fails = int((df["expectation"] == "fails").sum())
    subs = user_subjects(df)
    who = ""
    if subs:
        who = "; subject" + ("s " if len(subs) > 1 else " ") + ", ".join(
            f"{n} {subject_verdict(df[df['subject'] == n])}" for n in subs)
    return (f"{passed}/{len(df)} checks passed (tier {tiers}, root seed {seeds}{who}); {fails} paper claims asserted "
            f"as failing; false-fail budget spent {spent:.2e}; total time {df['seconds'].sum():.1f} s.")


def _interval(row) -> str:
    est = _fmt(row["estimate"])
    if math.isnan(float(row["lower"])) and math.isnan(float(row["upper"])):
        return est
    return f"{est} [{_fmt(row['lower'])}, {_fmt(row['upper'])}]"


def _details(row) -> dict:
    import json

    try:
        d = json.loads(row["details"])
    except (TypeError, ValueError):
        return {}
    return d if isinstance(d, dict) else {}


def _finding(row, sidecar=None) -> str:
    """What the check found (its sidecar ``finding``, else its message, else estimate vs bound)."""
    if sidecar is not None:
        found = (sidecar.get(row["check_id"]) or {}).get("finding")
    else:
        found = _details(row).get("finding")
    if found:
        return str(found)
    if row["message"]:
        return str(row["message"])
    return f"estimate {_fmt(row['estimate'])} against bound {_fmt(row['bound'])}."


# the two kinds of ``fails`` rows, each with its own section: (kind, HTML id, heading, what the rows are)
_FAILS_SECTIONS = (
    ("paper error", "paper-errors", "Claims the papers get wrong",
     "Each claim is stated as the paper states it. The check passes only when it reproduces the violation with the "
     "stated power; the last column says what was found."),
    ("limitation", "limitations", "Limitations the papers warn against, reproduced",
     "Not errors of the papers: each row is a misuse or limit that the paper itself warns against (for example a "
     "threshold deployed without recalibration), run so that a reader sees what happens when the warning is "
     "ignored. The check passes only when it reproduces the violation."),
)


def _fails_rows(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The ``fails`` rows of one kind (``"paper error"`` or ``"limitation"``)."""
    return df[(df["expectation"] == "fails") & (df["fails_kind"] == kind)]


def verdict_table_markdown(df: pd.DataFrame) -> str:
    head = ("| check | expectation | verdict | passed | estimate [interval] | bound | n | false-fail | power | "
            "seed | s |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in df.iterrows():
        lines.append(
            f"| `{r['check_id']}` | {r['expectation']} | {r['verdict']} | {'yes' if r['passed'] else '**NO**'} | "
            f"{_interval(r)} | {_fmt(r['bound'])} | {int(r['n'])} | {_fmt(r['false_fail_rate'])} | "
            f"{_fmt(r['power'])} | {int(r['seed'])} | {_fmt(r['seconds'], 3)} |")
    return head + "\n".join(lines) + "\n"


def run_line(run: dict | None) -> str:
    """One line from the run record (``run.json``): version, commit, command, when."""
    if not run:
        return ""
    commit = run.get("git_commit") or "not a git checkout"
    return (f"lrtcheck {run.get('lrtcheck_version', '?')}, code at commit {commit}; command: "
            f"{run.get('command', '?')}; started {run.get('started', '?')}"
            + (f", finished {run['finished']}" if run.get("finished") else "") + ".")


def _title(df: pd.DataFrame) -> str:
    subs = user_subjects(df)
    return "lrtcheck certification report" + (" — subject " + ", ".join(subs) if subs else "")


def _markdown(df: pd.DataFrame, sidecar=None, notice: str | None = None, run: dict | None = None) -> str:
    out = [f"# {_title(df)}", ""]
    if notice:
        out += ["<!-- lrtcheck-notice -->", f"> **Not current:** {notice}", "<!-- /lrtcheck-notice -->", ""]
    out += [summary_line(df), ""]
    if run:
        out += [run_line(run), ""]
    for name in user_subjects(df):
        g = _subject_rows(df, name)
        out += [f"## Subject `{name}`: {subject_verdict(g)}", "",
                "A `limitation reproduced` row is a paper's limitation that the check reproduces on the subject, as "
                "expected: it certifies nothing about the subject.", "",
                "| check | outcome | claim | what was found |", "|---|---|---|---|"]
        for _, r in g.iterrows():
            found = str(r["message"]) if r["message"] else _finding(r, sidecar)
            out.append(f"| `{r['check_id']}` | {'**' + outcome(r) + '**' if not r['passed'] else outcome(r)} | "
                       f"{r['statement']} | {found.replace('|', '/')} |")
        out.append("")
    for kind, _, heading, blurb in _FAILS_SECTIONS:
        rows = _fails_rows(df, kind)
        if not len(rows):
            continue
        out += [f"## {heading} (reproduced as counter-examples)", "", blurb, ""]
        for _, r in rows.iterrows():
            status = "reproduced" if r["passed"] else "**NOT reproduced**"
            out.append(f"- `{r['check_id']}` ({r['source']}) — *claim:* {r['statement']} *Found ({status}):* "
                       f"{_finding(r, sidecar)}")
        out.append("")
    out += ["Figures for every method are in `index.html` (self-contained).", ""]
    for method, group in _by_method(df):
        out += [f"## {_METHOD_TITLES.get(method, method)}", "", verdict_table_markdown(group)]
        for _, r in group.iterrows():
            out.append(f"- `{r['check_id']}`: {r['statement']} *Source:* {r['source']}. "
                       f"*Target defect:* {r['target_defect'] or '–'}."
                       + (f" **{r['message']}**" if r["message"] else ""))
        out.append("")
    return "\n".join(out)


def _rows_table(cls: str, headers: tuple[str, ...], rows: list[tuple[bool, tuple[str, ...]]]) -> list[str]:
    """An HTML table of class ``cls``: one header row, then one row per (passed, cells); cells are HTML already."""
    head = "".join(f"<th>{html.escape(h, quote=False)}</th>" for h in headers)
    out = [f"<table class='{cls}'><tr>{head}</tr>"]
    out += [f"<tr class='{'pass' if passed else 'fail'}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
            for passed, cells in rows]
    return out + ["</table>"]


def _html(df: pd.DataFrame, figures: dict[str, list[tuple[str, str]]] | None = None, sidecar=None,
          notice: str | None = None, run: dict | None = None) -> str:
    figures = figures or {}
    esc = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>" + esc(_title(df)) + "</title>",
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;"
        "font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
        "th{background:#f0f0f0}.pass{background:#e8f6e8}.fail{background:#fbe3e3}"
        ".figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:14px;margin:12px 0}"
        "figure{margin:0;border:1px solid #ddd;border-radius:4px;padding:6px;background:#fff}"
        "figure img{width:100%;height:auto}figcaption{font-size:13px;line-height:1.35;color:#222}"
        "figcaption b{font-family:monospace;font-size:12px}code{font-size:12px}nav a{margin-right:1em}"
        "table.errors td{max-width:520px}h2{margin-top:1.6em;border-bottom:2px solid #ddd}"
        "details summary{cursor:pointer;color:#333;margin:6px 0}</style></head><body>",
        f"<h1>{esc(_title(df))}</h1>",
    ]
    if notice:
        parts.append("<!-- lrtcheck-notice --><div id='lrtcheck-notice' style='background:#fff3cd;border:2px solid "
                     f"#d39e00;padding:8px;margin:8px 0'><b>Not current:</b> {esc(notice)}</div>"
                     "<!-- /lrtcheck-notice -->")
    parts.append(f"<p id='summary'>{esc(summary_line(df))}</p>")
    if run:
        parts.append(f"<p id='run'>{esc(run_line(run))}</p>")
    for i, name in enumerate(user_subjects(df)):
        g = _subject_rows(df, name)
        verdict = subject_verdict(g)
        parts.append(f"<h2 id='subject-{i}'>Subject <code>{esc(name)}</code>: {esc(verdict)}</h2><p>Failures "
                     "first. A <em>limitation reproduced</em> row is a paper's limitation that the check reproduces "
                     "on the subject, as expected: it certifies nothing about the subject.</p>")
        parts += _rows_table("errors subject", ("check", "outcome", "claim", "what was found"), [
            (r["passed"], (f"<code>{esc(r['check_id'])}</code>", esc(outcome(r)), esc(r["statement"]),
                           esc(str(r["message"]) if r["message"] else _finding(r, sidecar))))
            for _, r in g.iterrows()])
    for kind, anchor, heading, blurb in _FAILS_SECTIONS:
        rows = _fails_rows(df, kind)
        if not len(rows):
            continue
        parts.append(f"<h2 id='{anchor}'>{esc(heading)}</h2><p>{esc(blurb)}</p>")
        parts += _rows_table("errors", ("check", "the claim" if kind == "limitation" else "the paper's claim",
                                        "source", "reproduced?", "what we found"), [
            (r["passed"], (f"<code>{esc(r['check_id'])}</code>", esc(r["statement"]), esc(r["source"]),
                           "yes" if r["passed"] else "<b>NO</b>", esc(_finding(r, sidecar))))
            for _, r in rows.iterrows()])
    for method, group in _by_method(df):
        parts.append(f"<h2 id='{esc(method)}'>{esc(_METHOD_TITLES.get(method, method))}</h2>")
        figs = figures.get(method, [])
        if figs:
            parts.append("<div class='figs'>")
            for caption, data_uri in figs:
                head, _, rest = caption.partition(" — ")
                cap = f"<b>{esc(head)}</b> — {esc(rest)}" if rest else esc(caption)
                parts.append(f"<figure><img alt='{esc(caption)}' src='{data_uri}'><figcaption>{cap}</figcaption>"
                             "</figure>")
            parts.append("</div>")
        parts.append(f"<h3>Verdicts ({int(group['passed'].sum())}/{len(group)} passed)</h3>")
        parts.append("<table><tr><th>check</th><th>statement</th><th>source</th><th>expectation</th><th>verdict</th>"
                     "<th>estimate [interval]</th><th>bound</th><th>n</th><th>false-fail</th><th>power</th>"
                     "<th>target defect</th><th>seed</th><th>s</th></tr>")
        for _, r in group.iterrows():
            cls = "pass" if r["passed"] else "fail"
            msg = f"<br><b>{esc(str(r['message']))}</b>" if r["message"] else ""
            parts.append(
                f"<tr class='{cls}'><td><code>{esc(r['check_id'])}</code></td><td>{esc(r['statement'])}{msg}</td>"
                f"<td>{esc(r['source'])}</td><td>{esc(r['expectation'])}</td><td>{esc(r['verdict'])}</td>"
                f"<td>{esc(_interval(r))}</td><td>{_fmt(r['bound'])}</td><td>{int(r['n'])}</td>"
                f"<td>{_fmt(r['false_fail_rate'])}</td><td>{_fmt(r['power'])}</td><td>{esc(r['target_defect'])}</td>"
                f"<td>{int(r['seed'])}</td><td>{_fmt(r['seconds'], 3)}</td></tr>")
        parts.append("</table>")
        for tbl in _tables(group, sidecar):
            parts.append(tbl)
    parts.append(
        "<script>window.addEventListener('error',function(e){document.body.dataset.errors="
        "(parseInt(document.body.dataset.errors||'0')+1).toString();});window.addEventListener('load',function(){"
        "var imgs=Array.prototype.slice.call(document.images);document.body.dataset.figures=imgs.length.toString();"
        "document.body.dataset.figuresOk=imgs.every(function(i){return i.complete&&i.naturalWidth>0;}).toString();"
        "});</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _tables(group: pd.DataFrame, sidecar=None) -> list[str]:
    """HTML tables from the plot specs of kind ``table``."""
    from .plots import row_specs

    esc = html.escape
    out = []
    for _, r in group.iterrows():
        for spec in row_specs(r, sidecar):
            if spec.get("kind") == "table":
                head = "".join(f"<th>{esc(str(c))}</th>" for c in spec.get("columns", []))
                body = "".join("<tr>" + "".join(f"<td>{esc(_fmt(v) if isinstance(v, float) else str(v))}</td>"
                                                for v in row) + "</tr>" for row in spec.get("rows", []))
                out.append(f"<h4>{esc(r['check_id'])}: {esc(spec.get('title', ''))}</h4><table><tr>{head}</tr>"
                           f"{body}</table>")
    return out


_READ = object()


def write_report(df: pd.DataFrame, out_dir, *, figures: bool = True, sidecar=_READ, notice: str | None = None,
                 run=_READ) -> dict[str, Path]:
    """Write ``index.md`` and ``index.html`` for a validated results frame into ``out_dir`` (each through a
    temporary file and a rename, so a reader never sees half a page).

    ``sidecar`` is the figures sidecar (``{check_id: {"plots": [...], "finding": str}}``); by default it is read
    from ``out_dir/figures.json``.  ``sidecar=None`` (or no ``figures.json``) reads results written before the
    sidecar existed, whose plots are in their ``details``.  ``figures=False`` draws no plots.  ``notice`` is a
    banner at the top (an unfinished later run); ``run`` the run record (default: ``out_dir/run.json``).
    """
    from .store import atomic_write_text, read_run_record

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if sidecar is _READ:
        sidecar = read_figures(out) if (out / FIGURES_FILE).exists() else None
    if run is _READ:
        run = read_run_record(out)
    figs = {}
    if figures:
        from .plots import method_figures

        figs = method_figures(df, sidecar)
    md = atomic_write_text(out / "index.md", _markdown(df, sidecar, notice, run))
    page = atomic_write_text(out / "index.html", _html(df, figs, sidecar, notice, run))
    return {"markdown": md, "html": page}
