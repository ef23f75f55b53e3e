"""Figures beside their checks: the registration API, spec validation, and the helpers figure builders share.

A *builder* turns one check's evidence into the report's plot specifications (small JSON-able dicts; the kinds are
described in :mod:`lrtcheck.report.plots`).  It is registered next to the check it draws::

    @check(CLAIM, quick=..., full=...)
    def check_coverage(ctx): ...

    @figure(check_coverage)          # every variant of check_coverage gets the figure
    def coverage_histogram(evidence) -> list[dict]: ...

    @finding(check_coverage)         # the one-sentence finding of a ``fails`` claim
    def coverage_finding(evidence) -> str: ...

``figure_group(check_a, check_b, ...)`` registers ``builder([(check_id, evidence), ...])`` over every result of a
run that it targets; its figure is attached to the first of them.  Targets are check functions (the function that
``@check`` decorated), :class:`~lrtcheck.certify.claims.Claim` objects, or check-id glob patterns (``"lrt.null.*"``).

Builders read only the evidence (``details``, ``artifacts`` and its fields) and never run Monte Carlo: at most they
evaluate an exact law at a few hundred points.  A builder that cannot find what it needs raises :class:`Skip` (the
figure is left out).  :func:`attach_figures` puts the specs on the check's *result* (``result.figures``,
``result.finding``), never into the evidence; the report writes them to ``figures.json`` beside ``results.csv``
(:func:`lrtcheck.certify.results.write_figures`).  A builder error or an invalid spec never breaks a run: it is
skipped with a warning (or raised with ``strict=True``, for tests).
"""

from __future__ import annotations

import fnmatch
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from .claims import Claim

__all__ = [
    "Spec", "Skip", "PLOT_KINDS", "pairs", "figure", "figure_group", "finding", "registered", "FigureBuilder",
    "validate_spec", "build_figures", "attach_figures", "figures_of", "default_finding",
    "detail", "artifact", "number", "finite", "histogram", "cp_interval", "fmt",
]

Spec = dict[str, Any]
PLOT_KINDS = ("lines", "bars", "hist", "scatter", "table")


class Skip(Exception):
    """Raised inside a builder when the evidence lacks what the figure needs (the figure is then left out)."""


def pairs(v) -> list[tuple[str, Any]]:
    """Named data as ``[(name, values), ...]``: from a dict, or from a list of ``[name, values]`` pairs (the order-
    preserving form that survives ``json.dumps(sort_keys=True)``)."""
    if isinstance(v, dict):
        return list(v.items())
    if isinstance(v, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str)
                                            for p in v):
        return [(p[0], p[1]) for p in v]
    return []


# ----------------------------------------------------------------------------------------------------------------
# registration
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureBuilder:
    """A registered builder (or finding) and the checks it targets."""

    func: Callable
    functions: tuple[Callable, ...] = ()
    claims: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    group: bool = False

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def applies_to(self, spec, check_id: str | None = None) -> bool:
        """Whether the builder targets the check ``spec`` (a CheckSpec; ``check_id`` for results without one)."""
        if spec is not None:
            if spec.func in self.functions or spec.claim.id in self.claims:
                return True
            check_id = spec.check_id
        base = (check_id or "").split("@", 1)[0]  # user-subject rows carry "@Subject"
        return any(fnmatch.fnmatchcase(base, p) for p in self.patterns)


_BUILDERS: list[FigureBuilder] = []
_FINDINGS: list[FigureBuilder] = []


def _builder(func, targets, group=False) -> FigureBuilder:
    if not targets:
        raise ValueError(f"{func.__qualname__}: name the checks the figure belongs to")
    functions, claims, patterns = [], [], []
    for t in targets:
        if isinstance(t, str):
            patterns.append(t)
        elif isinstance(t, Claim):
            claims.append(t.id)
        elif callable(t):
            functions.append(t)
        else:
            raise ValueError(f"a figure target must be a check function, a Claim or an id pattern, got {t!r}")
    return FigureBuilder(func, tuple(functions), tuple(claims), tuple(patterns), group)


def figure(*targets):
    """Register ``builder(evidence) -> list[spec]`` for the checks ``targets`` (check functions, claims, patterns)."""

    def deco(func):
        _BUILDERS.append(_builder(func, targets))
        return func

    return deco


def figure_group(*targets):
    """Register ``builder([(check_id, evidence), ...]) -> list[spec]`` over every result of a run that it targets
    (in run order); the figure is attached to the first of them."""

    def deco(func):
        _BUILDERS.append(_builder(func, targets, group=True))
        return func

    return deco


def finding(*targets):
    """Register ``fn(evidence) -> str``: what a ``fails`` check found, in one sentence (the report's "claims the
    papers get wrong").  Checks without one get :func:`default_finding`."""

    def deco(func):
        _FINDINGS.append(_builder(func, targets))
        return func

    return deco


def registered() -> list[FigureBuilder]:
    """Every registered figure builder, in registration order."""
    return list(_BUILDERS)


# ----------------------------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------------------------
_REQUIRED = {"lines": ("x",), "bars": ("labels", "values"), "hist": ("edges", "counts"), "scatter": ("points",),
             "table": ("columns", "rows")}


def _length(value) -> int:
    """The length of a data sequence of a spec; ``ValueError`` for anything that is not a sequence (a number, a
    string, a mapping, None)."""
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise ValueError(f"data must be a sequence, got {type(value).__name__} {value!r:.40}")
    return len(value)


def validate_spec(spec: Any) -> list[str]:
    """Problems with one plot spec (empty when it is valid): kind, required keys, matching lengths, JSON-able."""
    if not isinstance(spec, dict):
        return ["spec is not a dict"]
    kind = spec.get("kind")
    if kind not in PLOT_KINDS:
        return [f"unknown kind {kind!r}"]
    problems = [f"{kind}: missing {k!r}" for k in _REQUIRED[kind] if k not in spec]
    if problems:
        return problems
    try:
        json.dumps(spec, allow_nan=True)
    except (TypeError, ValueError) as exc:
        problems.append(f"not JSON-able: {exc}")
    try:
        if kind == "lines":
            nx = _length(spec["x"])
            for name, ys in pairs(spec.get("series", {})) + pairs(spec.get("reference", {})):
                if _length(ys) != nx:
                    problems.append(f"lines: series {name!r} has {_length(ys)} points for {nx} x")
            bands = spec.get("band")
            for b in ([bands] if isinstance(bands, dict) else list(bands or [])):
                n = _length(b.get("x", spec["x"]))
                if _length(b.get("lower", [])) != n or _length(b.get("upper", [])) != n:
                    problems.append("lines: band lengths differ from its x")
            if not spec.get("series") and not spec.get("markers") and not spec.get("reference"):
                problems.append("lines: nothing to draw")
        elif kind == "bars":
            n = _length(spec["labels"])
            vals = spec["values"]
            for name, v in (pairs(vals) or [("", vals)]):
                if _length(v) != n:
                    problems.append(f"bars: {name or 'values'} has {_length(v)} values for {n} labels")
            if spec.get("targets") is not None and _length(spec["targets"]) != n:
                problems.append("bars: targets length differs from labels")
            if n == 0:
                problems.append("bars: no bars")
        elif kind == "hist":
            for h in [spec, *spec.get("overlays", [])]:
                if _length(h["edges"]) != _length(h["counts"]) + 1:
                    problems.append("hist: len(edges) != len(counts) + 1")
                if "density_x" in h and _length(h["density_x"]) != _length(h.get("density_y", [])):
                    problems.append("hist: density_x and density_y differ in length")
        elif kind == "scatter":
            if not spec["points"]:
                problems.append("scatter: no point groups")
            for pt in spec["points"]:
                if _length(pt.get("x", [])) != _length(pt.get("y", [])):
                    problems.append(f"scatter: group {pt.get('label')!r} x and y differ in length")
        elif kind == "table":
            nc = _length(spec["columns"])
            if any(_length(r) != nc for r in spec["rows"]):
                problems.append("table: a row's length differs from the columns")
    except (ValueError, TypeError, AttributeError, KeyError) as exc:  # malformed data: refused, never a crash
        problems.append(f"{kind}: malformed data: {exc}")
    return problems


# ----------------------------------------------------------------------------------------------------------------
# running the builders
# ----------------------------------------------------------------------------------------------------------------
_NAMED = ("series", "reference", "values", "lower", "upper", "points")


def _ordered(spec: Spec) -> Spec:
    """Named data as ``[name, values]`` pairs, so that the order survives ``json.dumps(sort_keys=True)``."""
    for key in _NAMED:
        if isinstance(spec.get(key), dict):
            spec[key] = [[str(k), v] for k, v in spec[key].items()]
    return spec


def _jsonable(obj):
    """Plain Python floats/ints/lists (numpy scalars and arrays converted, floats rounded to 6 significant digits)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if (not math.isfinite(x) or x == 0.0) else float(f"{x:.6g}")
    return obj


def _call(builder: FigureBuilder, arg, strict: bool) -> list[Spec]:
    try:
        specs = builder.func(arg)
    except Skip:
        return []
    except Exception as exc:  # noqa: BLE001 - malformed data must never break a run or its report
        if strict:
            raise
        warnings.warn(f"figure builder {builder.name} skipped: {type(exc).__name__}: {exc}", RuntimeWarning,
                      stacklevel=3)
        return []
    out = []
    for spec in specs or []:
        problems = validate_spec(spec)
        if problems:
            if strict:
                raise ValueError(f"{builder.name}: invalid spec: {problems}")
            warnings.warn(f"figure builder {builder.name}: invalid spec dropped: {problems}", RuntimeWarning,
                          stacklevel=3)
            continue
        out.append(_jsonable(_ordered(dict(spec, builder=builder.name))))
    return out


def _spec_of(result):
    """The CheckSpec of a result (or of a bare object with a registered ``check_id``), else None."""
    spec = getattr(result, "spec", None)
    if spec is not None:
        return spec
    from .registry import _REGISTRY

    return _REGISTRY.get(str(getattr(result, "check_id", "")).split("@", 1)[0])


def build_figures(check_id: str, evidence, *, spec=None, strict: bool = False) -> list[Spec]:
    """The specs of every per-check builder that targets the check (group builders not included)."""
    if evidence is None:
        return []
    if spec is None:
        from .registry import _REGISTRY

        spec = _REGISTRY.get(check_id.split("@", 1)[0])
    out: list[Spec] = []
    for b in _BUILDERS:
        if not b.group and b.applies_to(spec, check_id):
            out += _call(b, evidence, strict)
    return out


def default_finding(evidence) -> str:
    """The finding of a ``fails`` check without its own: the estimate against the bound, with its interval."""
    text = f"estimate {fmt(evidence.estimate)} against bound {fmt(evidence.bound)}"
    if finite(evidence.lower) and finite(evidence.upper):
        text += f" (interval [{fmt(evidence.lower)}, {fmt(evidence.upper)}])"
    return text + "."


def _finding(spec, check_id: str, evidence) -> str:
    for b in _FINDINGS:
        if b.applies_to(spec, check_id):
            try:
                return str(b.func(evidence))
            except Exception:  # noqa: BLE001 - no finding rather than a broken report
                return ""
    try:
        return default_finding(evidence)
    except Exception:  # noqa: BLE001
        return ""


def attach_figures(results: Iterable, *, strict: bool = False) -> list:
    """Build the figures of ``results`` and attach them to each result as ``result.figures`` (a list of specs)
    and ``result.finding`` (the one-line finding of a ``fails`` claim, else ``""``).

    ``results`` are :class:`~lrtcheck.certify.runner.CheckResult` objects (anything with ``check_id`` and
    ``evidence``); results without evidence get no figures.  Calling it again rebuilds the same figures.
    Returns the results (same objects).
    """
    results = list(results)
    live = []
    for r in results:
        r.figures, r.finding = [], ""
        if getattr(r, "evidence", None) is not None:
            live.append((r, _spec_of(r)))
    for r, spec in live:
        r.figures = build_figures(r.check_id, r.evidence, spec=spec, strict=strict)
        expectation = getattr(getattr(spec, "claim", None), "expectation", None)
        if expectation == "fails":
            r.finding = _finding(spec, r.check_id, r.evidence)
    for b in _BUILDERS:
        if not b.group:
            continue
        members = [r for r, spec in live if b.applies_to(spec, r.check_id)]
        if members:
            members[0].figures = members[0].figures + _call(b, [(r.check_id, r.evidence) for r in members], strict)
    return results


def figures_of(results: Iterable, *, key: Callable[[Any], str] | None = None) -> dict[str, dict[str, Any]]:
    """The sidecar content ``{check_id: {"plots": [...], "finding": str}}`` of results with figures or a finding."""
    out = {}
    for r in results:
        plots, text = list(getattr(r, "figures", []) or []), getattr(r, "finding", "") or ""
        if plots or text:
            out[key(r) if key else r.check_id] = {"plots": plots, "finding": text}
    return out


# ----------------------------------------------------------------------------------------------------------------
# helpers for builders
# ----------------------------------------------------------------------------------------------------------------
def detail(ev, *path, default=Skip):
    """``ev.details[path[0]][path[1]]...``; raises :class:`Skip` when absent (unless a default is given)."""
    cur: Any = ev.details
    for key in path:
        if isinstance(cur, dict) and key in cur:
            cur = cur[key]
        elif isinstance(cur, (list, tuple)) and isinstance(key, int) and -len(cur) <= key < len(cur):
            cur = cur[key]
        else:
            if default is Skip:
                raise Skip(".".join(map(str, path)))
            return default
    return cur


def artifact(ev, key) -> np.ndarray:
    """The finite values of ``ev.artifacts[key]`` as a flat float array; :class:`Skip` when absent or empty."""
    a = (getattr(ev, "artifacts", None) or {}).get(key)
    if a is None:
        raise Skip(f"artifact {key}")
    a = np.asarray(a, dtype=float).ravel()
    a = a[np.isfinite(a)]
    if a.size == 0:
        raise Skip(f"artifact {key} empty")
    return a


def number(x) -> float:
    """A finite float, else :class:`Skip` (a figure is not drawn from missing numbers)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise Skip(f"not a number: {x!r}") from None
    if not math.isfinite(v):
        raise Skip(f"not finite: {x!r}")
    return v


def finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def histogram(values: np.ndarray, bins: int = 40, lo: float | None = None, hi: float | None = None):
    """``(edges, counts)`` lists over ``[lo, hi]`` (default: the 0.1% and 99.9% quantiles)."""
    lo = float(np.quantile(values, 0.001)) if lo is None else lo
    hi = float(np.quantile(values, 0.999)) if hi is None else hi
    if not hi > lo:
        hi = lo + 1.0
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return edges.tolist(), counts.tolist()


def cp_interval(k: int, n: int, level: float = 0.05) -> tuple[float, float]:
    """Exact Clopper-Pearson interval (two-sided, ``1 - level``) for error bars; NaNs when ``n <= 0``."""
    from lrtcheck.stats.decisions import proportion_interval

    if n <= 0:
        return (math.nan, math.nan)
    return proportion_interval(int(k), int(n), 1 - level)


def fmt(x, digits=3) -> str:
    """A number for a caption: ``digits`` significant digits, scientific outside [1e-3, 1e4)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}" if (x == 0 or 1e-3 <= abs(x) < 1e4) else f"{x:.2e}"
