"""Designs over a check's configuration space: configurations drawn from a declared parameter space.

A check that certifies a method over its parameter space (a gate's temperature, a mixture weight, a working dtype)
declares the space once and draws its configurations through its context::

    SPACE = ParameterSpace(n=Integer(10, 400, log=True), alpha=Rational(Fraction(1, 50), Fraction(2, 5), 1000),
                           dtype=Choice("float32", "float64"))

    def check_x(ctx):
        configs = ctx.configurations(SPACE, quick=3, full=12)
        parts = [decide(cfg, cfg.share) for cfg in configs]      # each at its share, from its own streams
        return Evidence.from_decision(configs.join(parts), ...)

The k configurations of a tier are a Latin hypercube sample of the unit cube (``scipy.stats.qmc.LatinHypercube``,
McKay, Beckman & Conover 1979), drawn from the check's own stream ``configurations/<space name>`` and mapped through
each dimension: every dimension is cut into k equal strata and each stratum holds exactly one configuration, so a
``Choice`` of m <= k values sees every value, and a range is covered end to end rather than at one convenient
point.  Each configuration gets the share ``split_share(ctx.false_fail_rate, k)`` and its own named sub-streams
(``cfg.stream(name)``, ``cfg.rng``, ``cfg.seed(name)``, ``cfg.torch_generator(name)``), so configurations are
independent and a configuration's numbers do not depend on the others.  :meth:`Configurations.join` joins the k
decisions with :func:`~lrtcheck.stats.decisions.bonferroni` at the check's share (each part named after its
configuration) and notes which configurations did not hold.  The runner records every drawn configuration in the
evidence (``details["config"]``, with ``details["config_failed"]``) and names the failing ones in the
``reproduce:`` line of a failure; the same root seed draws the same configurations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
from scipy.stats import qmc

from lrtcheck.stats.decisions import Decision, bonferroni, split_share

__all__ = ["Dimension", "Real", "Integer", "Rational", "Choice", "Fixed", "ParameterSpace", "Configuration",
           "Configurations", "jsonable_value"]

Bound = Any  # a number, or a callable of the configuration drawn so far (dependent bounds)


def _bound(value: Bound, drawn: Mapping[str, Any]):
    return value(drawn) if callable(value) else value


class Dimension:
    """One coordinate of a parameter space: maps a point ``u`` of [0, 1) to a value (given the values before it)."""

    def value(self, u: float, drawn: Mapping[str, Any]) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def _finite_pair(name: str, low, high, *, positive: bool = False) -> tuple[float, float]:
    for label, v in (("low", low), ("high", high)):
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction, np.integer, np.floating)) \
                or not math.isfinite(float(v)):
            raise ValueError(f"{name}: {label} must be a finite number, got {v!r}")
    if float(low) > float(high):
        raise ValueError(f"{name}: low must be <= high, got low={low!r}, high={high!r}")
    if positive and float(low) <= 0:
        raise ValueError(f"{name}: a log-scaled range needs low > 0, got {low!r}")
    return float(low), float(high)


@dataclass(frozen=True)
class Real(Dimension):
    """A real in ``[low, high)``, uniform (``log=False``) or log-uniform; bounds may depend on earlier values."""

    low: Bound
    high: Bound
    log: bool = False

    def value(self, u, drawn):
        lo, hi = _finite_pair("Real", _bound(self.low, drawn), _bound(self.high, drawn), positive=self.log)
        if self.log:
            return float(math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo))))
        return float(lo + u * (hi - lo))

    def describe(self):
        return f"{'log-' if self.log else ''}uniform real in [{self.low}, {self.high})"


@dataclass(frozen=True)
class Integer(Dimension):
    """An integer in ``[low, high]`` (both included), uniform or log-uniform; bounds may depend on earlier values."""

    low: Bound
    high: Bound
    log: bool = False

    def value(self, u, drawn):
        lo, hi = _finite_pair("Integer", _bound(self.low, drawn), _bound(self.high, drawn), positive=self.log)
        if lo != int(lo) or hi != int(hi):
            raise ValueError(f"Integer: bounds must be integers, got [{lo}, {hi}]")
        lo, hi = int(lo), int(hi)
        if self.log:
            v = int(math.floor(math.exp(math.log(lo) + u * (math.log(hi + 1) - math.log(lo)))))
        else:
            v = lo + int(math.floor(u * (hi - lo + 1)))
        return int(min(max(v, lo), hi))

    def describe(self):
        return f"{'log-' if self.log else ''}uniform integer in [{self.low}, {self.high}]"


@dataclass(frozen=True)
class Rational(Dimension):
    """An exact rational ``j / denominator`` in ``[low, high]``: for levels whose exact value matters (a conformal
    rank ``ceil((n+1)(1-alpha))``), drawn uniformly on the grid; the value is a ``fractions.Fraction``."""

    low: Bound
    high: Bound
    denominator: int = 1000

    def value(self, u, drawn):
        lo, hi = (Fraction(_bound(self.low, drawn)), Fraction(_bound(self.high, drawn)))
        if lo > hi:
            raise ValueError(f"Rational: low must be <= high, got [{lo}, {hi}]")
        d = int(self.denominator)
        if d < 1:
            raise ValueError(f"Rational: denominator must be an integer >= 1, got {self.denominator!r}")
        first, last = math.ceil(lo * d), math.floor(hi * d)
        if first > last:
            raise ValueError(f"Rational: no multiple of 1/{d} in [{lo}, {hi}]")
        return Fraction(first + min(int(math.floor(u * (last - first + 1))), last - first), d)

    def describe(self):
        return f"rational j/{self.denominator} in [{self.low}, {self.high}]"


class Choice(Dimension):
    """One of a finite set of values (working dtypes, samplers, public options), each stratum one value."""

    def __init__(self, *values: Any):
        if not values:
            raise ValueError("Choice needs at least one value")
        self.values = tuple(values)

    def value(self, u, drawn):
        return self.values[min(int(math.floor(u * len(self.values))), len(self.values) - 1)]

    def describe(self):
        return "one of " + ", ".join(repr(v) for v in self.values)

    def __repr__(self):
        return f"Choice{self.values!r}"


@dataclass(frozen=True)
class Fixed(Dimension):
    """A value held fixed (recorded with the configuration, so the report says where the check ran)."""

    constant: Any

    def value(self, u, drawn):
        return self.constant

    def describe(self):
        return f"fixed at {self.constant!r}"


class ParameterSpace:
    """A named, ordered set of dimensions; a later dimension's bounds may be callables of the earlier values."""

    def __init__(self, name: str = "space", /, **dimensions: Dimension):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"name must be a non-empty string without '/', got {name!r}")
        if not dimensions:
            raise ValueError("a parameter space needs at least one dimension")
        for key, dim in dimensions.items():
            if not isinstance(dim, Dimension):
                raise ValueError(f"dimension {key!r} must be a Real, Integer, Rational, Choice or Fixed, got {dim!r}")
        self.name = name
        self.dimensions: dict[str, Dimension] = dict(dimensions)

    def unit_design(self, ss: np.random.SeedSequence, k: int) -> np.ndarray:
        """A k-point Latin hypercube in [0, 1)^d from ``ss`` (one point per stratum of every dimension)."""
        rng = np.random.default_rng(ss)
        try:
            sampler = qmc.LatinHypercube(d=len(self.dimensions), rng=rng)
        except TypeError:  # scipy < 1.15 names the generator `seed`
            sampler = qmc.LatinHypercube(d=len(self.dimensions), seed=rng)
        return sampler.random(k)

    def draw(self, ss: np.random.SeedSequence, k: int) -> list[dict[str, Any]]:
        """k configurations (dicts, in dimension order) from the stream ``ss``."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"the number of configurations must be an integer >= 1, got {k!r}")
        out = []
        for row in self.unit_design(ss, int(k)):
            drawn: dict[str, Any] = {}
            for u, (key, dim) in zip(row, self.dimensions.items()):
                drawn[key] = dim.value(float(u), dict(drawn))
            out.append(drawn)
        return out

    def describe(self) -> str:
        return "; ".join(f"{k}: {d.describe()}" for k, d in self.dimensions.items())

    def __repr__(self):
        return f"ParameterSpace({self.name!r}, {', '.join(self.dimensions)})"


def jsonable_value(v: Any) -> Any:
    """A configuration value as JSON can hold it (a Fraction as ``"p/q"``, numpy scalars as Python numbers)."""
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [jsonable_value(x) for x in v]
    return v


@dataclass(frozen=True)
class Configuration(Mapping):
    """One drawn configuration: its settings (``cfg["n"]``; the object is a read-only mapping), its index among the k drawn, its share of the
    check's false-fail budget, and its own named random streams."""

    space: str
    index: int
    count: int
    settings: Mapping[str, Any]
    share: float
    _stream: Callable[[str], np.random.SeedSequence]

    def __getitem__(self, key):
        return self.settings[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.settings)

    def __len__(self) -> int:
        return len(self.settings)

    def stream(self, name: str) -> np.random.SeedSequence:
        """The sub-stream ``name`` of this configuration (``<space>[<index>]/<name>`` of the check's stream)."""
        return self._stream(f"{self.space}[{self.index}]/{name}")

    @property
    def rng(self) -> np.random.Generator:
        """A fresh numpy generator on this configuration's stream ``rng`` (same numbers at every access)."""
        return np.random.default_rng(self.stream("rng"))

    def seed(self, name: str) -> int:
        from lrtcheck.stats.seeds import child_seeds

        return child_seeds(self.stream(name), 1)[0]

    def torch_generator(self, name: str = "torch", device: str = "cpu"):
        import torch

        g = torch.Generator(device=device)
        g.manual_seed(self.seed(name))
        return g

    def record(self) -> dict[str, Any]:
        """The JSON record kept in the evidence: ``{"space", "index", <values>}``."""
        return {"space": self.space, "index": self.index, **{k: jsonable_value(v) for k, v in self.settings.items()}}

    @property
    def label(self) -> str:
        vals = ", ".join(f"{k}={jsonable_value(v)}" for k, v in self.settings.items())
        return f"{self.space}[{self.index}] ({vals})"


class Configurations(Sequence):
    """The k configurations a check drew in this tier; :meth:`join` combines their decisions."""

    def __init__(self, items: Sequence[Configuration], total_share: float, on_join: Callable[[list[int]], None]):
        self._items = list(items)
        self.total_share = float(total_share)
        self._on_join = on_join

    def __getitem__(self, i):
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def join(self, parts: Sequence[Decision], *, same_defect: bool = False, report: int | str = "smallest_p",
             name: str = "configurations") -> Decision:
        """Join one decision per configuration (in order) with :func:`bonferroni` at the check's share.

        Each part is renamed ``<space>[i] (values): <its name>``.  The joint power is the smallest of the parts'
        (every configuration must see the target defect at its share) or, with ``same_defect=True``, the largest
        (the defect is present in every configuration, and any configuration that rejects rejects the check).
        ``report`` picks the part whose estimate is reported (default: the smallest p-value; an index otherwise).
        """
        parts = list(parts)
        if len(parts) != len(self._items):
            raise ValueError(f"join needs one decision per configuration ({len(self._items)}), got {len(parts)}")
        if not all(isinstance(p, Decision) for p in parts):
            raise ValueError("parts must be Decision objects (lrtcheck.stats.decisions)")
        named = [replace(p, name=f"{c.label}: {p.name}" if p.name else c.label) for c, p in zip(self._items, parts)]
        if report == "smallest_p" and not any(math.isfinite(p.p_value) for p in named):
            report = 0
        joint = bonferroni(named, self.total_share, report=report, same_defect=same_defect, name=name)
        self._on_join([c.index for c, p in zip(self._items, parts) if not p.holds])
        return joint


def share_per_configuration(total_share: float, k: int) -> float:
    """The share of each of k configurations (0 for an exact check, which spends none)."""
    return 0.0 if total_share == 0.0 else split_share(total_share, k)
