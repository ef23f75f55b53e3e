"""Figures for the report, drawn with matplotlib from the plot specifications of the figures sidecar.

A report directory's ``figures.json`` maps each check id to its ``plots``, a list of specs built by the figure
builders registered beside the checks (:mod:`lrtcheck.certify.figures`); each spec is a small JSON-able dict with a ``kind``, a ``title`` and optionally a ``caption`` (one
sentence that tells the reader what to look for).  Every kind accepts ``xlabel``, ``ylabel``, ``logx``, ``logy``,
``hlines`` / ``vlines`` ([{"y"|"x": v, "label": str}], thin reference lines) and ``note`` (numbers appended to the
caption in brackets).

Named data (``series``, ``reference``, grouped ``values``/``lower``/``upper``/``points``) may be a dict or, to keep its
order through ``json.dumps(sort_keys=True)``, a list of ``[name, values]`` pairs.

``lines``     ``x``, ``series`` {name: ys}, optional ``band`` {"lower", "upper", "label"} (or a list of such),
              ``reference`` {name: ys} (dashed), ``markers`` [{"label", "x", "y", optional "lower"/"upper"}]
              (points with error bars, e.g. Monte Carlo estimates with their exact interval), ``xticklabels``.
``bars``      ``labels``, ``values`` (a list, or {group: list} for grouped bars), optional ``lower``/``upper``
              (same shape as ``values``: error bars), ``target`` (one line) or ``targets`` (one mark per bar),
              ``points`` {group: [[y per replication] per bar]} (replications drawn as dots over the bars).
``hist``      ``edges``, ``counts`` (histogram of a statistic), optional ``density_x``/``density_y`` (its exact law),
              ``overlays`` [{"edges", "counts", "label", "density_x", "density_y", "law_label"}] (more histograms).
``scatter``   ``points``: [{"label", "x", "y", optional "tags", "line" (default true), "lower"/"upper"}],
              ``diagonal`` (draw y = x), ``xlabel``, ``ylabel`` (e.g. a Pareto front).
``table``     ``columns``, ``rows`` (rendered as an HTML table under the figures, no image).

Each figure is returned as a PNG data URI so the HTML page stays one self-contained file.
"""

from __future__ import annotations

import base64
import io
import json
from typing import Any, Mapping

import numpy as np
import pandas as pd

from lrtcheck.certify.figures import PLOT_KINDS, pairs

__all__ = ["method_figures", "row_specs", "render_spec", "figure_caption", "pairs", "PLOT_KINDS"]

_COLORS = ["tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan",
           "tab:gray"]


#: PNG resolution and zlib level of the report's figures (level 1: a third of the default's encoding time)
DPI = 100
PNG_COMPRESS_LEVEL = 1


def _fig_to_uri(fig) -> str:
    """One draw of the figure into a PNG (fixed layout: no tight bounding box, which draws everything twice)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) if text else ""


def _tick_label_room(spec: dict[str, Any]) -> float:
    """Inches below the axes that the x tick labels of a bar chart (or labelled lines) need, from their text:
    about 0.075 in per character times the sine of the rotation, plus 0.14 in per extra line."""
    import math

    if spec.get("kind") == "bars":
        labels = [str(v) for v in spec.get("labels", [])]
        default_rotation = 25 if max((len(v) for v in labels), default=0) > 6 else 0
    elif spec.get("kind") == "lines" and spec.get("xticklabels"):
        labels, default_rotation = [str(v) for v in spec["xticklabels"]], 0
    else:
        return 0.0
    rotation = float(spec.get("xrotation", default_rotation))
    longest = max((len(line) for v in labels for line in v.split("\n")), default=0)
    lines = max((v.count("\n") + 1 for v in labels), default=1)
    return min(1.8, 0.075 * longest * abs(math.sin(math.radians(rotation))) + 0.14 * (lines - 1))


def _layout(fig, spec: dict[str, Any], title: str, xlabel: str) -> Any:
    """The axes of a fixed layout: margins computed from the spec (title lines, rotated tick labels), never from a
    draw, so the figure is drawn once."""
    w, h = fig.get_size_inches()
    title_lines = title.count("\n") + 1 if title else 0
    top = 0.12 + 0.17 * title_lines  # inches above the axes
    bottom = 0.45 + (0.17 if xlabel else 0.0)
    bottom += _tick_label_room(spec)
    left, right = 0.62, 0.15
    return fig.add_axes((left / w, bottom / h, 1 - (left + right) / w, 1 - (top + bottom) / h))


def _arr(v) -> np.ndarray:
    return np.asarray(v, dtype=float)


def _named(v) -> dict:
    return dict(pairs(v))


def _plain_log_ticks(axis) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _draw_lines(ax, spec):
    x = _arr(spec["x"])
    bands = spec.get("band")
    bands = [bands] if isinstance(bands, dict) else list(bands or [])
    band_colors = ["tab:green", "tab:gray", "tab:olive"]
    for i, band in enumerate(bands):
        bx = _arr(band.get("x", x))
        ax.fill_between(bx, _arr(band["lower"]), _arr(band["upper"]), alpha=0.18, color=band.get(
            "color", band_colors[i % len(band_colors)]), label=band.get("label", "band"), lw=0)
    marker = "o" if x.size <= 25 else None
    for i, (name, ys) in enumerate(pairs(spec.get("series", {}))):
        ax.plot(x, _arr(ys), marker=marker, ms=3, label=name, color=_COLORS[i % len(_COLORS)])
    for i, (name, ys) in enumerate(pairs(spec.get("reference", {}))):
        ax.plot(x, _arr(ys), ls="--", color=["k", "tab:red", "tab:gray"][i % 3], lw=1, label=name)
    for j, mk in enumerate(spec.get("markers", [])):
        mx, my = _arr(mk["x"]), _arr(mk["y"])
        yerr = None
        if "lower" in mk and "upper" in mk:
            yerr = np.vstack([np.clip(my - _arr(mk["lower"]), 0, None), np.clip(_arr(mk["upper"]) - my, 0, None)])
        ax.errorbar(mx, my, yerr=yerr, fmt=mk.get("fmt", "D"), ms=5, capsize=3, color=mk.get(
            "color", ["k", "tab:red", "tab:purple"][j % 3]), label=mk.get("label"), zorder=5)
    if spec.get("xticklabels"):
        ax.set_xticks(x, [str(v) for v in spec["xticklabels"]], rotation=spec.get("xrotation", 0), fontsize=8,
                      ha="right" if spec.get("xrotation") else "center")


def _draw_bars(ax, spec):
    labels = [str(v) for v in spec["labels"]]
    vals = spec["values"]
    groups = _named(vals) or {"": vals}
    lowers = _named(spec.get("lower")) or {"": spec.get("lower")}
    uppers = _named(spec.get("upper")) or {"": spec.get("upper")}
    pos = np.arange(len(labels))
    ng = len(groups)
    width = 0.8 / ng
    for g, (name, gv) in enumerate(groups.items()):
        v = _arr(gv)
        off = (g - (ng - 1) / 2) * width
        yerr = None
        lo, hi = lowers.get(name), uppers.get(name)
        if lo is not None and hi is not None:
            lo, hi = _arr(lo), _arr(hi)
            yerr = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
            yerr = np.where(np.isfinite(yerr), yerr, 0.0)
        ax.bar(pos + off, np.where(np.isfinite(v), v, 0.0), width=width * 0.95, yerr=yerr, capsize=3,
               color=_COLORS[g % len(_COLORS)], alpha=0.8, label=name or None)
        pts = _named(spec.get("points")).get(name)
        if pts:
            for i, ys in enumerate(pts):
                ys = _arr(ys)
                ax.plot(np.full(ys.shape, pos[i] + off), ys, "o", ms=3, color="k", alpha=0.6,
                        label="per seed" if (g == 0 and i == 0) else None)
    ax.set_xticks(pos, labels, rotation=spec.get("xrotation", 25 if max(map(len, labels), default=0) > 6 else 0),
                  ha="right" if max(map(len, labels), default=0) > 6 else "center", fontsize=8)
    if spec.get("target") is not None:
        ax.axhline(float(spec["target"]), color="tab:red", ls="--", lw=1, label=spec.get("target_label", "target"))
    if spec.get("targets") is not None:
        t = _arr(spec["targets"])
        ax.hlines(t, pos - 0.45, pos + 0.45, colors="tab:red", lw=2, label=spec.get("target_label", "target"))
    if ng > 1 or spec.get("target") is not None or spec.get("targets") is not None:  # headroom for the legend
        lo, hi = ax.get_ylim()
        if not spec.get("logy"):
            ax.set_ylim(lo, hi + 0.25 * (hi - lo))
        elif lo > 0:
            ax.set_ylim(lo, hi * (hi / lo) ** 0.35)


def _draw_hist(ax, spec):
    hists = [dict(spec, label=spec.get("label", "observed"))] + list(spec.get("overlays", []))
    for i, h in enumerate(hists):
        edges, counts = _arr(h["edges"]), _arr(h["counts"])
        widths = np.diff(edges)
        dens = counts / max(counts.sum(), 1.0) / widths
        color = _COLORS[i % len(_COLORS)]
        ax.bar(edges[:-1], dens, width=widths, align="edge", alpha=0.45, color=color, label=h.get("label"))
        if "density_x" in h and "density_y" in h:
            ax.plot(_arr(h["density_x"]), _arr(h["density_y"]), color="k" if i == 0 else "tab:red", lw=1.5,
                    ls="-" if i == 0 else "--", label=h.get("law_label", "exact law"))


def _draw_scatter(ax, spec):
    for i, pt in enumerate(spec.get("points", [])):
        px, py = _arr(pt["x"]), _arr(pt["y"])
        line = pt.get("line", True)
        color = _COLORS[i % len(_COLORS)]
        if "lower" in pt and "upper" in pt:
            yerr = np.vstack([np.clip(py - _arr(pt["lower"]), 0, None), np.clip(_arr(pt["upper"]) - py, 0, None)])
            ax.errorbar(px, py, yerr=yerr, fmt="o-" if line else "o", ms=4, capsize=2, color=color,
                        label=pt.get("label"))
        else:
            ax.plot(px, py, marker=pt.get("marker", "o"), ls="-" if line else "none", ms=4, color=color,
                    alpha=pt.get("alpha", 1.0), label=pt.get("label"))
        for xi, yi, tag in zip(px, py, pt.get("tags", [])):
            ax.annotate(str(tag), (xi, yi), fontsize=7, xytext=(3, 3), textcoords="offset points")
    if spec.get("diagonal"):
        lims = [min(ax.get_xlim()[0], ax.get_ylim()[0]), max(ax.get_xlim()[1], ax.get_ylim()[1])]
        ax.plot(lims, lims, ls="--", color="k", lw=1, label=spec.get("diagonal_label", "y = x"))
        ax.set_xlim(lims)
        ax.set_ylim(lims)


_DRAW = {"lines": _draw_lines, "bars": _draw_bars, "hist": _draw_hist, "scatter": _draw_scatter}


def render_spec(spec: dict[str, Any]) -> str | None:
    """Render one plot specification to a PNG data URI (``None`` for ``table`` specs or unknown kinds)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kind = spec.get("kind")
    if kind not in PLOT_KINDS or kind == "table":
        return None
    title = _wrap(spec.get("title", ""), 72)
    xlabel = spec.get("xlabel", "")
    figsize = tuple(spec.get("figsize", (5.6, 3.6)))
    fig = Figure(figsize=(figsize[0], figsize[1] + _tick_label_room(spec)))  # the plot keeps its height  # no pyplot: no figure manager, nothing to close
    FigureCanvasAgg(fig)
    ax = _layout(fig, spec, title, xlabel)
    try:
        if spec.get("logx"):
            ax.set_xscale("log")
        if spec.get("logy"):
            ax.set_yscale("log")
        _DRAW[kind](ax, spec)
        for h in spec.get("hlines", []) or []:
            ax.axhline(float(h["y"]), color=h.get("color", "tab:red"), ls=h.get("ls", ":"), lw=1.2,
                       label=h.get("label"))
        for v in spec.get("vlines", []) or []:
            ax.axvline(float(v["x"]), color=v.get("color", "tab:gray"), ls=v.get("ls", ":"), lw=1.2,
                       label=v.get("label"))
        if spec.get("ylim"):
            ax.set_ylim(*spec["ylim"])
        if spec.get("logx"):
            _plain_log_ticks(ax.xaxis)
        if spec.get("logy"):
            _plain_log_ticks(ax.yaxis)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel, fontsize=9)
        ax.set_ylabel(spec.get("ylabel", ""), fontsize=9)
        ax.tick_params(labelsize=8)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc=spec.get("legend_loc", "best"), framealpha=0.85)
        ax.grid(alpha=0.3)
    except Exception:
        raise
    return _fig_to_uri(fig)


def figure_caption(check_id: str, spec: dict[str, Any]) -> str:
    """``check_id — title. caption`` (the caption says what the reader should see)."""
    text = f"{check_id} — {spec.get('title', '')}".rstrip(" —")
    if spec.get("caption"):
        text += f". {spec['caption']}"
    if spec.get("note"):
        text += f" [{spec['note']}]"
    return text


def row_specs(row, sidecar: Mapping[str, Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """The plot specs of one results row: from the figures sidecar, or, for results written before the sidecar
    existed (``sidecar`` None), from the row's ``details["plots"]``."""
    if sidecar is not None:
        specs = (sidecar.get(row["check_id"]) or {}).get("plots", [])
    else:
        try:
            details = json.loads(row["details"]) if isinstance(row["details"], str) else {}
        except json.JSONDecodeError:
            return []
        specs = details.get("plots", []) if isinstance(details, dict) else []
    return [s for s in (specs or []) if isinstance(s, dict)]


def method_figures(df: pd.DataFrame, sidecar: Mapping[str, Mapping[str, Any]] | None = None
                   ) -> dict[str, list[tuple[str, str]]]:
    """``{method: [(caption, data_uri), ...]}`` for every plot spec of the results' figures.

    A spec that cannot be drawn (malformed data) is skipped: the report never fails for a figure.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for _, row in df.iterrows():
        for spec in row_specs(row, sidecar):
            try:
                uri = render_spec(spec)
            except Exception:  # noqa: BLE001 - a malformed spec must not break the report
                continue
            if uri is None:
                continue
            out.setdefault(row["method"], []).append((figure_caption(row["check_id"], spec), uri))
    return out
