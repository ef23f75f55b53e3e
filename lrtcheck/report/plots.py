"""Figures for the report, drawn with matplotlib from the plot specifications that checks leave in their details.

A check adds ``details["plots"] = [spec, ...]``; each spec is a small JSON-able dict with a ``kind`` and a ``title``:

``lines``     ``x``, ``series`` {name: ys}, optional ``band`` {"lower": ys, "upper": ys, "label": str},
              optional ``reference`` {name: ys} (dashed), ``xlabel``, ``ylabel``, ``logx``, ``logy``.
``bars``      ``labels``, ``values``, optional ``lower``/``upper`` (error bars), optional ``target`` (a line).
``hist``      ``edges``, ``counts`` (histogram of a statistic), optional ``density_x``/``density_y`` (its exact law).
``scatter``   ``points``: [{"label": str, "x": [...], "y": [...]}], ``xlabel``, ``ylabel`` (e.g. a Pareto front).
``table``     ``columns``, ``rows`` (rendered as an HTML table under the figures, no image).

Each figure is returned as a PNG data URI so the HTML page stays one self-contained file.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["method_figures", "render_spec", "PLOT_KINDS"]

PLOT_KINDS = ("lines", "bars", "hist", "scatter", "table")


def _fig_to_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_spec(spec: dict[str, Any]) -> str | None:
    """Render one plot specification to a PNG data URI (``None`` for ``table`` specs or unknown kinds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kind = spec.get("kind")
    if kind not in PLOT_KINDS or kind == "table":
        return None
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    if kind == "lines":
        x = np.asarray(spec["x"], dtype=float)
        for name, ys in spec.get("series", {}).items():
            ax.plot(x, np.asarray(ys, dtype=float), marker="o", ms=3, label=name)
        for name, ys in spec.get("reference", {}).items():
            ax.plot(x, np.asarray(ys, dtype=float), ls="--", color="k", lw=1, label=name)
        band = spec.get("band")
        if band:
            ax.fill_between(x, np.asarray(band["lower"], float), np.asarray(band["upper"], float), alpha=0.2,
                            color="tab:green", label=band.get("label", "band"))
        if spec.get("logx"):
            ax.set_xscale("log")
        if spec.get("logy"):
            ax.set_yscale("log")
    elif kind == "bars":
        labels = [str(v) for v in spec["labels"]]
        vals = np.asarray(spec["values"], dtype=float)
        pos = np.arange(len(labels))
        yerr = None
        if "lower" in spec and "upper" in spec:
            lo = np.asarray(spec["lower"], float)
            hi = np.asarray(spec["upper"], float)
            yerr = np.vstack([np.clip(vals - lo, 0, None), np.clip(hi - vals, 0, None)])
        ax.bar(pos, vals, yerr=yerr, capsize=3, color="tab:blue", alpha=0.8)
        ax.set_xticks(pos, labels, rotation=30, ha="right", fontsize=8)
        if spec.get("target") is not None:
            ax.axhline(float(spec["target"]), color="tab:red", ls="--", lw=1, label=spec.get("target_label", "target"))
    elif kind == "hist":
        edges = np.asarray(spec["edges"], dtype=float)
        counts = np.asarray(spec["counts"], dtype=float)
        widths = np.diff(edges)
        dens = counts / max(counts.sum(), 1.0) / widths
        ax.bar(edges[:-1], dens, width=widths, align="edge", alpha=0.6, label=spec.get("label", "observed"))
        if "density_x" in spec:
            ax.plot(spec["density_x"], spec["density_y"], color="k", lw=1.5, label=spec.get("law_label", "exact law"))
    elif kind == "scatter":
        for pt in spec.get("points", []):
            ax.plot(pt["x"], pt["y"], marker="o", ls="-", label=pt.get("label"))
            for xi, yi, tag in zip(pt["x"], pt["y"], pt.get("tags", [])):
                ax.annotate(str(tag), (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_title(spec.get("title", ""), fontsize=10)
    ax.set_xlabel(spec.get("xlabel", ""))
    ax.set_ylabel(spec.get("ylabel", ""))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _fig_to_uri(fig)


def method_figures(df: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """``{method: [(caption, data_uri), ...]}`` for every plot spec found in the results' details."""
    out: dict[str, list[tuple[str, str]]] = {}
    for _, row in df.iterrows():
        try:
            details = json.loads(row["details"]) if isinstance(row["details"], str) else {}
        except json.JSONDecodeError:
            continue
        for spec in details.get("plots", []) or []:
            if not isinstance(spec, dict):
                continue
            uri = render_spec(spec)
            if uri is None:
                continue
            caption = f"{row['check_id']}: {spec.get('title', '')}"
            out.setdefault(row["method"], []).append((caption, uri))
    return out
