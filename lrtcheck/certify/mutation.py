"""The mutation engine: realistic bugs applied at run time (no file is rewritten), and the checks that must fail.

A mutant lives in the topic module whose checks must kill it (``MUTANTS = [Mutant(...), ...]``); :func:`catalogue`
collects the ``MUTANTS`` of every module the registry discovers.  A mutant is an *edit* of the original, never a
copy of its body:

* :func:`source_edit` replaces one exact snippet of the target's source (it must occur exactly once, so a mutant
  whose code has moved fails loudly instead of silently becoming the original) and compiles the edited function in
  the original module's namespace;
* :func:`wrapper` alters a call's inputs or its output around the untouched original.

``target`` names ``package.module:function`` or ``package.module:Class.method``.  Because checks and methods import
functions by name (``from lrtcheck.stats import conformal_rank``), a function mutant is patched in *every* loaded
module of the project that holds a reference to the original object, so the mutant is seen wherever the function is
called.  ``lrtcheck mutants`` runs the kill matrix (:mod:`lrtcheck.certify.kill_matrix`): every mutant against every
quick-tier check of the families that use its code (:func:`checks_using`, from the import graph), never a
hand-picked list.

A mutant may *declare* the target defect of Monte Carlo checks (``declares=("stats.dkw.band_coverage",)``): it is
the runnable form of the defect the check states in its design, and ``lrtcheck power`` measures the check's
rejection rate under it (:func:`declared_defects`).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import re
import sys
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

__all__ = ["Mutant", "source_edit", "wrapper", "patched", "resolve_target", "MutantOutcome", "run_mutant", "catalogue",
           "PROJECT_PREFIXES", "declared_defects", "families_using", "checks_using", "mutant_by_id"]

PROJECT_PREFIXES = ("lrtcheck", "tabular_envs", "properties")


@dataclass(frozen=True)
class Mutant:
    """A realistic semantic bug.

    Attributes
    ----------
    id : short identifier (``stats.rank_float``).
    target : ``module:function`` or ``module:Class.method`` to replace.
    story : one line: how such a bug happens in real code.
    make : ``make(original) -> replacement``: :func:`source_edit` or :func:`wrapper` (the replacement may call the
        original).
    checks : documentation: the check-id patterns expected to kill it.  The kill matrix does not select by them
        (it runs every check of the families that use the target's code, :func:`checks_using`); it only tries
        them first, which changes how soon a killed mutant stops, never whether it is killed.
    survives : if the mutant is known to survive, the reason (documented, not hidden).
    declares : check-id patterns of the Monte Carlo checks whose declared target defect this mutant realises
        (``lrtcheck power`` measures their power under it).
    """

    id: str
    target: str
    story: str
    make: Callable[[Any], Any]
    checks: tuple[str, ...] = ()
    survives: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    declares: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for name in ("checks", "tags", "declares"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise ValueError(f"Mutant {self.id}: {name} must be a tuple of strings, got the string {value!r}")
            object.__setattr__(self, name, tuple(value))

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def module(self) -> str:
        """The module that holds the target (``lrtcheck.stats.dkw`` for ``lrtcheck.stats.dkw:dkw_epsilon``)."""
        return self.target.partition(":")[0]


def resolve_target(target: str) -> tuple[Any, str, Any]:
    """Return ``(owner, attribute, original)`` for ``module:attr`` or ``module:Class.attr``."""
    if ":" not in target:
        raise ValueError(f"target must look like module:function or module:Class.method, got {target!r}")
    mod_name, _, qual = target.partition(":")
    owner: Any = importlib.import_module(mod_name)
    parts = qual.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    attr = parts[-1]
    if not hasattr(owner, attr):
        raise ValueError(f"target {target!r}: {owner!r} has no attribute {attr!r}")
    return owner, attr, getattr(owner, attr) if not isinstance(owner, type) else owner.__dict__[attr]


@contextlib.contextmanager
def patched(mutant: Mutant):
    """Context manager applying ``mutant`` everywhere its target is referenced; restores everything on exit."""
    owner, attr, original = resolve_target(mutant.target)
    plain = original.__func__ if isinstance(original, (staticmethod, classmethod)) else original
    replacement = mutant.make(plain)
    if isinstance(original, staticmethod):
        replacement = staticmethod(replacement)
    elif isinstance(original, classmethod):
        replacement = classmethod(replacement)
    undo: list[tuple[Any, str, Any]] = [(owner, attr, original)]
    setattr(owner, attr, replacement)
    if not isinstance(owner, type):
        for name, module in list(sys.modules.items()):
            if module is None or module is owner or not name.startswith(PROJECT_PREFIXES):
                continue
            for key, value in list(vars(module).items()):
                if value is plain:
                    undo.append((module, key, value))
                    setattr(module, key, replacement)
    try:
        yield replacement
    finally:
        for obj, key, value in reversed(undo):
            setattr(obj, key, value)


@dataclass
class MutantOutcome:
    mutant: Mutant
    check_ids: list[str]
    failed: list[str]
    seconds: float
    error: str = ""

    @property
    def killed(self) -> bool:
        return bool(self.failed)


_GRAPH = None


def _import_graph():
    """The project's import graph (grimp, as import-linter builds it), built once per process."""
    global _GRAPH
    if _GRAPH is None:
        try:
            import grimp
        except ImportError as exc:  # pragma: no cover - grimp comes with import-linter
            raise ValueError("the whole-family rule needs grimp (pip install grimp)") from exc
        _GRAPH = grimp.build_graph("lrtcheck", "tabular_envs", cache_dir=None)
    return _GRAPH


def families_using(module: str, *, tier: str = "quick") -> list[str]:
    """The families (claim id prefixes) of which some check module imports ``module``, directly or through other
    modules of the project, or is it (from the import graph; sorted)."""
    from .registry import all_checks

    graph = _import_graph()
    if module not in graph.modules:
        raise ValueError(f"module {module!r} is not in the project's import graph")
    upstream: dict[str, set[str]] = {}
    for spec in all_checks(tier):
        fam = spec.claim.method
        if spec.module not in upstream:
            upstream[spec.module] = graph.find_upstream_modules(spec.module) | {spec.module}
        upstream.setdefault(fam, set()).update(upstream[spec.module])
    families = {spec.claim.method for spec in all_checks(tier)}
    return sorted(f for f in families if module in upstream.get(f, set()))


def checks_using(mutant: Mutant, *, tier: str = "quick") -> list:
    """Every check of ``tier`` in the families that use the mutant's code (:func:`families_using`), the checks its
    ``checks`` patterns name first (to stop sooner once killed), then the others by id."""
    import fnmatch

    from .registry import all_checks

    families = set(families_using(mutant.module, tier=tier))
    specs = [s for s in all_checks(tier) if s.claim.method in families]
    named = lambda s: any(fnmatch.fnmatchcase(s.check_id, p) or s.check_id.startswith(p.rstrip("*"))  # noqa: E731
                          for p in mutant.checks)
    return [s for s in specs if named(s)] + [s for s in specs if not named(s)]


def declared_defects(check_id: str) -> list[Mutant]:
    """The catalogue mutants that declare themselves the runnable target defect of ``check_id``."""
    import fnmatch

    return [m for m in catalogue() if any(fnmatch.fnmatchcase(check_id, p) for p in m.declares)]


def mutant_by_id(mutant_id: str) -> Mutant:
    for m in catalogue():
        if m.id == mutant_id:
            return m
    raise ValueError(f"unknown mutant id {mutant_id!r}; `lrtcheck mutants --list` shows the catalogue")


def run_mutant(mutant: Mutant, *, tier: str = "quick", seed=None, specs: Iterable | None = None) -> MutantOutcome:
    """Run the checks of the families that use the mutant's code (or ``specs``) with the mutant applied; killed
    iff any check does not pass."""
    from .registry import load_all
    from .runner import run_checks

    load_all()  # import every family first, so their by-name imports are patched too
    specs = list(specs) if specs is not None else checks_using(mutant, tier=tier)
    start = time.perf_counter()
    try:
        with patched(mutant):
            results = run_checks(specs, tier=tier, seed=seed)
    except Exception as exc:  # a mutant that cannot even be applied is reported, not counted as killed
        return MutantOutcome(mutant, [s.check_id for s in specs], [], time.perf_counter() - start,
                             f"{type(exc).__name__}: {exc}")
    failed = [r.check_id for r in results if not r.passed]
    return MutantOutcome(mutant, [r.check_id for r in results], failed, time.perf_counter() - start)


#: decorators a source edit drops: the engine (static/class methods) or :func:`source_edit` (properties) restores them
_DESCRIPTOR_DECORATOR = re.compile(r"^@(staticmethod|classmethod|property|\w+\.(setter|getter|deleter))$")


def source_edit(*pairs: tuple[str, str]):
    """``make`` for a source-edit mutant: replace each ``old`` snippet (occurring exactly once) by ``new``.

    A multi-line ``new`` is re-indented to the indentation of the line on which ``old`` starts.  Works for
    functions, methods, static methods, properties (the property's getter is edited) and decorated functions: the
    source and the globals are those of the undecorated function (``inspect.unwrap``), and its decorators other than
    ``staticmethod``/``classmethod``/``property`` (which the engine and this function restore) are applied again, in
    the function's own module (so ``@torch.no_grad()`` stays on).
    """

    def make(original):
        is_prop = isinstance(original, property)
        fn = inspect.unwrap(original.fget if is_prop else original)
        lines = textwrap.dedent(inspect.getsource(fn)).splitlines()
        decorators = []
        while lines and lines[0].lstrip().startswith("@"):
            line = lines.pop(0)
            if not _DESCRIPTOR_DECORATOR.match(line.strip()):
                decorators.append(line.strip())
        src = "\n".join(decorators + lines) + "\n"
        for old, new in pairs:
            count = src.count(old)
            if count != 1:
                raise ValueError(f"mutant snippet occurs {count} times in {fn.__qualname__}: {old!r}")
            at = src.index(old)
            line_start = src.rfind("\n", 0, at) + 1
            indent = src[line_start:at] if not src[line_start:at].strip() else ""
            if not new and old.endswith("\n") and indent == src[line_start:at]:  # delete the whole line
                src = src[:line_start] + src[at + len(old):]
                continue
            body = new.rstrip("\n")
            new = body.replace("\n", "\n" + indent) + new[len(body):]
            src = src.replace(old, new)
        ns: dict = {}
        exec(compile(src, f"<mutant of {fn.__module__}.{fn.__qualname__}>", "exec"), fn.__globals__, ns)
        new_fn = ns[fn.__name__]
        new_fn.__qualname__ = fn.__qualname__
        return property(new_fn) if is_prop else new_fn

    return make


def wrapper(*, inputs: Callable[..., tuple[tuple, dict]] | None = None,
            output: Callable[..., Any] | None = None):
    """``make`` for a bug in how a function is called or in what is done with its result.

    ``inputs(*args, **kwargs) -> (args, kwargs)`` rewrites the arguments the original receives (``two_sided=True``
    passed as ``False``); ``output(result, *args, **kwargs)`` rewrites the result it returns, given the call's
    arguments (a square root forgotten, two outputs swapped).  The original runs untouched in between.
    """
    if inputs is None and output is None:
        raise ValueError("wrapper needs inputs=, output= or both")

    def make(original):
        @functools.wraps(original)
        def mutated(*args, **kwargs):
            call_args, call_kwargs = (args, kwargs) if inputs is None else inputs(*args, **kwargs)
            result = original(*call_args, **call_kwargs)
            return result if output is None else output(result, *args, **kwargs)

        return mutated

    return make


def catalogue() -> list[Mutant]:
    """Every mutant: the ``MUTANTS`` lists of the topic modules the registry discovers, in discovery order."""
    from .registry import discovered_modules

    out: list[Mutant] = []
    for module in discovered_modules():
        mutants = getattr(module, "MUTANTS", None)
        if mutants is None:
            continue
        if not all(isinstance(m, Mutant) for m in mutants):
            raise ValueError(f"{module.__name__}.MUTANTS must hold Mutant objects")
        out.extend(mutants)
    ids = [m.id for m in out]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"duplicate mutant ids: {dup}")
    return out
