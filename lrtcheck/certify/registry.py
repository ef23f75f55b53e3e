"""The check registry: every claim's check, its per-tier parameters, and the subject kind it certifies.

Checks register themselves with the :func:`check` decorator when their topic module is imported; :func:`load_all`
imports every module of the claims packages (``lrtcheck.claims.<family>.<topic>``, found by walking the package,
in sorted order).  The engine names these packages by string and imports them at run time (plugin-style discovery): it has no import of
a claims module, so the import contracts hold (docs/architecture.md).  The same discovery gives the mutants
(``MUTANTS`` lists of the loaded modules, :func:`lrtcheck.certify.mutation.catalogue`).

A check id is the claim id, plus ``[variant]`` when one claim is checked in several configurations
(``lrt.null.exact_gaussian[beta]``).
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

from .claims import Claim

__all__ = [
    "CheckSpec",
    "TIERS",
    "TIER_POWER",
    "check",
    "register",
    "get",
    "all_checks",
    "select",
    "load_all",
    "discovered_modules",
    "CLAIMS_PACKAGE",
]

TIERS = ("quick", "full")
#: power each Monte Carlo check must reach against its stated defect, per tier (docs/certification.md, "Power")
TIER_POWER = {"quick": 0.9, "full": 0.99}

#: the root of the topic modules: one package per family, one module per group of claims
CLAIMS_PACKAGE = "lrtcheck.claims"
#: transition: the family modules not yet migrated (``<family>_checks.py``, ``_figures.py``, ``_mutants.py``)

_REGISTRY: dict[str, "CheckSpec"] = {}
_MODULES: list[ModuleType] | None = None


@dataclass(frozen=True)
class CheckSpec:
    """A registered check.

    Attributes
    ----------
    check_id : the claim id, with ``[variant]`` appended for parametrised checks.
    claim : the :class:`Claim` it certifies.
    func : ``func(ctx) -> Evidence``.
    params : per-tier keyword parameters, ``{"quick": {...}, "full": {...}}``.
    stochastic : whether it draws random numbers (and so takes a share of the error budget).
    subject : the subject kind it runs against (``"lrt.sampler"``, ``"csar.calibrator"``, ...), or ``None``.
    default_subject : factory of the reference implementation used when the user supplies none.
    variant : the variant value passed as ``ctx.variant``.
    tiers : the tiers in which the check runs.
    """

    check_id: str
    claim: Claim
    func: Callable[..., Any]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stochastic: bool = True
    subject: str | None = None
    default_subject: Callable[[], Any] | None = None
    variant: Any = None
    tiers: tuple[str, ...] = TIERS

    def params_for(self, tier: str) -> dict[str, Any]:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
        base = dict(self.params.get("common", {}))
        base.update(self.params.get(tier, {}))
        return base

    @property
    def module(self) -> str:
        return getattr(self.func, "__module__", "")


def register(spec: CheckSpec) -> CheckSpec:
    if spec.check_id in _REGISTRY and _REGISTRY[spec.check_id].func is not spec.func:
        existing = _REGISTRY[spec.check_id]
        if (existing.module, existing.func.__qualname__) != (spec.module, spec.func.__qualname__):
            raise ValueError(f"check id {spec.check_id!r} is registered twice")
    _REGISTRY[spec.check_id] = spec
    return spec


def check(
    claim: Claim,
    *,
    quick: Mapping[str, Any] | None = None,
    full: Mapping[str, Any] | None = None,
    common: Mapping[str, Any] | None = None,
    stochastic: bool = True,
    subject: str | None = None,
    default_subject: Callable[[], Any] | None = None,
    variants: Iterable[Any] | None = None,
    tiers: tuple[str, ...] = TIERS,
):
    """Decorator registering ``func(ctx) -> Evidence`` as the check of ``claim``.

    ``quick``/``full``/``common`` give the keyword parameters per tier (read from ``ctx.params``).  With
    ``variants``, one check is registered per variant, with id ``claim.id[variant]`` and ``ctx.variant`` set.
    """
    params = {"common": dict(common or {}), "quick": dict(quick or {}), "full": dict(full or {})}

    def decorate(func):
        vs = list(variants) if variants is not None else [None]
        for v in vs:
            cid = claim.id if v is None else f"{claim.id}[{v}]"
            register(
                CheckSpec(
                    check_id=cid,
                    claim=claim,
                    func=func,
                    params=params,
                    stochastic=stochastic,
                    subject=subject,
                    default_subject=default_subject,
                    variant=v,
                    tiers=tuple(tiers),
                )
            )
        return func

    return decorate


def _walk(package: str) -> list[str]:
    """Every module name under ``package`` (itself included), sorted; ``[]`` when the package does not exist."""
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name != package:
            raise
        return []
    names = [package]
    for info in pkgutil.walk_packages(getattr(pkg, "__path__", []), prefix=package + "."):
        names.append(info.name)
    return sorted(set(names))


def discovered_modules() -> list[ModuleType]:
    """The topic modules of the claims packages, in sorted order (imported once; their checks, figures and mutants
    register on import)."""
    global _MODULES
    if _MODULES is None:
        names = _walk(CLAIMS_PACKAGE)
        _MODULES = [importlib.import_module(n) for n in names]
    return list(_MODULES)


def load_all() -> dict[str, CheckSpec]:
    """Import every topic module and return the registry."""
    discovered_modules()
    return dict(_REGISTRY)


def get(check_id: str) -> CheckSpec:
    load_all()
    try:
        return _REGISTRY[check_id]
    except KeyError:
        raise ValueError(f"unknown check id {check_id!r}; `lrtcheck list` shows the registered checks") from None


def all_checks(tier: str | None = None) -> list[CheckSpec]:
    """Every registered check (of ``tier`` if given), sorted by id."""
    load_all()
    specs = sorted(_REGISTRY.values(), key=lambda s: s.check_id)
    if tier is not None:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {tier!r}")
        specs = [s for s in specs if tier in s.tiers]
    return specs


def select(patterns: Iterable[str] | None = None, tier: str | None = None) -> list[CheckSpec]:
    """Checks whose id matches any glob pattern (``lrt.*``, ``csar.va.*``) or equals a pattern's prefix."""
    specs = all_checks(tier)
    pats = [p for p in (patterns or []) if p]
    if not pats:
        return specs
    chosen = [
        s
        for s in specs
        if any(fnmatch.fnmatchcase(s.check_id, p) or s.check_id == p or s.check_id.startswith(p + ".")
               or s.check_id.startswith(p + "[") for p in pats)
    ]
    if not chosen:
        raise ValueError(f"no registered check matches {pats}; `lrtcheck list` shows the registered checks")
    return chosen
