"""What a user's implementation of each subject kind must provide, as code: one :class:`typing.Protocol` per kind
listing exactly the members its checks call, and a conformance probe run before any check.

The probe builds the subject the way the checks build it (a class or factory is called with the kind's
construction parameters; an instance is deep-copied and given them as attributes, scikit-learn ``clone``-style),
fits it on a tiny data set and reads back every member a check reads, so a missing member is named, with its
protocol, before a check runs and not as the last line of an exception in the middle of one.

Kinds and what their checks call (nothing else is called):

``csar.venn_abers``   ``fit(scores, labels) -> self``; ``predict_interval(scores) -> (p0, p1)``, two arrays of the
                      test scores' length.
``csar.conformal``    built with ``delta``; ``fit(scores, labels) -> self`` on probabilities ``u(x)`` in [0, 1] and
                      0/1 labels; after ``fit``, ``threshold_`` (float, ``+inf`` allowed): the conformal quantile of
                      the residuals ``|y - u(x)|``; ``predict_interval(scores) -> (lo, hi)``.
``csar.weighted_conformal``  built with ``delta``; ``fit(scores, labels, weights) -> self``;
                      ``threshold(test_weights) -> array`` (one threshold per test weight);
                      ``predict_interval(scores, test_weights) -> (lo, hi)``.
``csar.cells``        built with ``n_cells`` and ``delta``; ``fit_counts(counts, successes) -> self`` (trials and
                      successes per cell, arrays of length ``n_cells``); ``predict_interval(cells) -> (lo, hi)``.
``lrt.sampler``       a factory ``factory(background, good, schedule, **settings)`` returning a sampler with
                      ``sample(states=None, *, seed, n, null=False)`` (a result with ``.final`` (n,) the final
                      statistic Lambda and ``.actions`` (n, d)) and ``null_statistics(n, *, seed)`` (n,) draws of
                      the configured statistic under H0.  ``replace(**changes)`` is optional: without it lrtcheck
                      rebuilds the sampler through the factory with the changed settings (see
                      :class:`ReplaceableFactory`).  ``deploy(calibration)`` is optional (a sampler that has it is
                      expected to refuse a calibration made for another configuration with ``ValueError``).

The inputs a sampler factory receives are lrtcheck objects; these are the members a sampler may rely on:
``background`` / ``good`` are Gaussian-mixture heads with ``epsilon(x, alpha_bar)`` (numpy, x of shape (n, d)) and
``epsilon_torch(x, alpha_bar)`` (torch), ``dim``, ``means``, ``stds`` and ``subset(components)``; ``schedule`` has ``T``, ``betas``,
``alphas``, ``alpha_bars`` (float64 arrays, index ``t - 1`` for step t) and ``variance(kind)``; the settings are
``variance`` (``"posterior"``: beta~_t, or ``"beta"``), ``gate`` (``"hard"`` / ``"soft"``), ``beta_max``, ``tau``,
``kappa``, ``statistic`` (``"final"`` / ``"running_max"``), ``q_step`` (``None`` or a
:class:`lrtcheck.lrt.QStep`: ``gradient(states, actions)`` on torch tensors, ``eta`` and ``anchor`` lambda; the step
adds ``eta sigma_t^2 g`` to the mean m = mu_u + beta delta, with g the gradient at the anchor
``(1 - lambda) mu_u + lambda m``), and ``dtype`` (``torch.float32`` / ``torch.float64``: the working precision; a
sampler with a single precision accepts it and may ignore it; Lambda is compared in float64 either way).
"""

from __future__ import annotations

import copy
import traceback
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "VennAbersPredictor", "ConformalCalibrator", "WeightedConformalCalibrator", "CellCalibrator", "LRTSamplerLike",
    "LRTSamplerFactory", "SampleResult", "PROTOCOL_CLASSES", "CONSTRUCTION", "ProtocolError", "conformance_problems",
    "check_conformance", "build", "ReplaceableFactory", "adapt", "register_probe_world",
]


@runtime_checkable
class VennAbersPredictor(Protocol):
    """``csar.venn_abers``: an inductive Venn-Abers predictor."""

    def fit(self, scores, labels) -> Any: ...

    def predict_interval(self, scores) -> tuple[Any, Any]: ...


@runtime_checkable
class ConformalCalibrator(Protocol):
    """``csar.conformal``: split conformal on label residuals; ``threshold_`` exists after ``fit``."""

    threshold_: float

    def fit(self, scores, labels) -> Any: ...

    def predict_interval(self, scores) -> tuple[Any, Any]: ...


@runtime_checkable
class WeightedConformalCalibrator(Protocol):
    """``csar.weighted_conformal``: weighted split conformal with the test point's weight."""

    def fit(self, scores, labels, weights) -> Any: ...

    def threshold(self, test_weights) -> Any: ...

    def predict_interval(self, scores, test_weights) -> tuple[Any, Any]: ...


@runtime_checkable
class CellCalibrator(Protocol):
    """``csar.cells``: per-cell intervals on a finite input space, fitted from per-cell counts."""

    def fit_counts(self, counts, successes) -> Any: ...

    def predict_interval(self, cells) -> tuple[Any, Any]: ...


@runtime_checkable
class SampleResult(Protocol):
    """What ``sample`` returns."""

    final: Any
    actions: Any


@runtime_checkable
class LRTSamplerLike(Protocol):
    """``lrt.sampler``: the sampler a factory returns."""

    def sample(self, states=None, *, seed: int, n: int, null: bool = False) -> SampleResult: ...

    def null_statistics(self, n: int, *, seed: int) -> Any: ...


@runtime_checkable
class LRTSamplerFactory(Protocol):
    """``lrt.sampler``: ``factory(background, good, schedule, **settings) -> LRTSamplerLike``."""

    def __call__(self, background, good, schedule, **settings) -> LRTSamplerLike: ...


PROTOCOL_CLASSES: dict[str, type] = {
    "csar.venn_abers": VennAbersPredictor,
    "csar.conformal": ConformalCalibrator,
    "csar.weighted_conformal": WeightedConformalCalibrator,
    "csar.cells": CellCalibrator,
    "lrt.sampler": LRTSamplerFactory,
}

#: the keyword parameters a check builds a fresh subject of each kind with
CONSTRUCTION: dict[str, dict[str, Any]] = {
    "csar.venn_abers": {},
    "csar.conformal": {"delta": 0.1},
    "csar.weighted_conformal": {"delta": 0.1},
    "csar.cells": {"n_cells": 3, "delta": 0.1},
}


class ProtocolError(ValueError):
    """A subject that does not provide what its kind's checks call."""


def build(subject, **params):
    """A fresh, unfitted subject as the checks build it: a class (or a factory without ``fit``) is called with
    ``params``; an instance is deep-copied and given the params as attributes."""
    if isinstance(subject, type) or (callable(subject) and not hasattr(subject, "fit")
                                     and not hasattr(subject, "fit_counts")):
        return subject(**params)
    obj = copy.deepcopy(subject)
    for k, v in params.items():
        setattr(obj, k, v)
    return obj


def _members(proto: type) -> list[str]:
    names = [n for n in vars(proto) if not n.startswith("_") and callable(getattr(proto, n, None))]
    return sorted(names)


def _missing_methods(obj, names) -> list[str]:
    return [n for n in names if not callable(getattr(obj, n, None))]


def _raised(what: str, exc: BaseException) -> str:
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{what} raised {last}{where}"


def _pair(kind: str, what: str, out, n: int) -> list[str]:
    try:
        a, b = out
        a, b = np.asarray(a, dtype=float).reshape(-1), np.asarray(b, dtype=float).reshape(-1)
    except Exception:
        return [f"{what} must return a pair of arrays (lower, upper), got {type(out).__name__}"]
    if a.shape != (n,) or b.shape != (n,):
        return [f"{what} must return two arrays of length {n} (one value per test point), got shapes "
                f"{a.shape} and {b.shape}"]
    return []


def _probe_calibrator(kind: str, subject) -> list[str]:
    proto = PROTOCOL_CLASSES[kind]
    try:
        obj = build(subject, **CONSTRUCTION[kind])
    except Exception as exc:
        params = ", ".join(f"{k}={v!r}" for k, v in CONSTRUCTION[kind].items())
        return [_raised(f"building the subject ({'called' if callable(subject) else 'copied'} with {params or 'no arguments'})",
                        exc)]
    missing = _missing_methods(obj, _members(proto))
    if missing:
        return [f"missing method {m}" for m in missing]
    rng = np.random.default_rng(0)
    scores = np.linspace(0.05, 0.95, 12)
    labels = (rng.random(12) < scores).astype(float)
    test = np.array([0.3, 0.7])
    try:
        if kind == "csar.cells":
            fitted = obj.fit_counts(np.full(3, 10), np.array([2, 5, 8]))
            what, out = "predict_interval(cells)", (fitted or obj).predict_interval(np.arange(3))
            return _pair(kind, what, out, 3) + ([] if fitted is not None else ["fit_counts must return self"])
        if kind == "csar.weighted_conformal":
            fitted = obj.fit(scores, labels, np.ones(12))
            if fitted is None:
                return ["fit(scores, labels, weights) must return self"]
            problems = _pair(kind, "predict_interval(scores, test_weights)",
                             fitted.predict_interval(test, np.ones(2)), 2)
            thr = np.asarray(fitted.threshold(np.ones(2)), dtype=float).reshape(-1)
            if thr.shape != (2,):
                problems.append(f"threshold(test_weights) must return one threshold per test weight, got shape "
                                f"{thr.shape}")
            return problems
        fitted = obj.fit(scores, labels)
        if fitted is None:
            return ["fit(scores, labels) must return self"]
        problems = _pair(kind, "predict_interval(scores)", fitted.predict_interval(test), 2)
        if kind == "csar.conformal":
            if not hasattr(fitted, "threshold_"):
                problems.append("missing attribute threshold_ after fit (the conformal quantile of the residuals "
                                "|y - u(x)|, a float, +inf allowed)")
            else:
                try:
                    float(fitted.threshold_)
                except Exception:
                    problems.append(f"threshold_ must be a float, got {type(fitted.threshold_).__name__}")
        return problems
    except Exception as exc:
        return [_raised("the probe fit/predict on 12 calibration points", exc)]


#: the tiny worlds a probe builds a subject in, by kind, registered by the family that owns the kind (the engine
#: imports no method): ``lrt.sampler`` -> ``() -> (background head, good head, schedule)``
_PROBE_WORLDS: dict[str, Any] = {}


def register_probe_world(kind: str, world) -> None:
    """Register the tiny world ``world()`` in which :func:`conformance_problems` probes subjects of ``kind``."""
    _PROBE_WORLDS[kind] = world


def _probe_sampler(subject) -> list[str]:
    if isinstance(subject, type) and not callable(getattr(subject, "__call__", None)):
        return ["the subject must be a factory factory(background, good, schedule, **settings)"]
    if not callable(subject):
        return ["the subject must be callable: a factory factory(background, good, schedule, **settings) returning "
                "a sampler"]
    world = _PROBE_WORLDS.get("lrt.sampler")
    if world is None:  # the family that registers the kind registers its probe world when it loads
        return []
    bg, good, schedule = world()
    try:
        smp = subject(bg, good, schedule, variance="posterior")
    except Exception as exc:
        return [_raised("factory(background, good, schedule, variance='posterior')", exc)]
    missing = _missing_methods(smp, _members(LRTSamplerLike))
    if missing:
        return [f"the sampler misses method {m}" for m in missing]
    problems = []
    try:
        res = smp.sample(n=4, seed=0)
        for name, shape in (("final", (4,)), ("actions", (4, 2))):
            if not hasattr(res, name):
                problems.append(f"sample(...) result misses attribute .{name}")
            elif np.shape(np.asarray(getattr(res, name))) != shape:
                problems.append(f"sample(n=4, ...).{name} must have shape {shape}, got "
                                f"{np.shape(np.asarray(getattr(res, name)))}")
        res0 = smp.sample(n=4, seed=0, null=True)
        if not hasattr(res0, "final"):
            problems.append("sample(..., null=True) result misses attribute .final")
    except Exception as exc:
        problems.append(_raised("sample(n=4, seed=0)", exc))
    try:
        ns = np.asarray(smp.null_statistics(4, seed=0))
        if ns.shape != (4,):
            problems.append(f"null_statistics(4, seed=0) must have shape (4,), got {ns.shape}")
    except Exception as exc:
        problems.append(_raised("null_statistics(4, seed=0)", exc))
    return problems


def conformance_problems(kind: str, subject) -> list[str]:
    """Every way ``subject`` falls short of ``kind``'s protocol (empty when it conforms)."""
    from .registry import load_all

    load_all()  # the families register their probe worlds as they load
    if kind == "lrt.sampler":
        return _probe_sampler(subject)
    if kind in CONSTRUCTION:
        return _probe_calibrator(kind, subject)
    return []


def check_conformance(kind: str, subject, name: str | None = None) -> None:
    """Raise :class:`ProtocolError` naming every missing member and the protocol, if ``subject`` does not conform."""
    problems = conformance_problems(kind, subject)
    if problems:
        proto = PROTOCOL_CLASSES[kind]
        who = name or getattr(subject, "__qualname__", type(subject).__qualname__)
        raise ProtocolError(f"subject {who} does not follow the {kind} protocol (lrtcheck.certify.protocols."
                            f"{proto.__name__}): " + "; ".join(problems))


class _ReplaceableSampler:
    """A user's sampler with ``replace(**changes)``: rebuilt through its factory with the changed settings."""

    _POSITIONAL = ("background", "good", "schedule")

    def __init__(self, inner, factory, args, settings):
        self._inner, self._factory, self._args, self._settings = inner, factory, tuple(args), dict(settings)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def replace(self, **changes):
        own = getattr(self._inner, "replace", None)
        if callable(own):
            return own(**changes)
        args = list(self._args)
        for i, key in enumerate(self._POSITIONAL):
            if key in changes:
                args[i] = changes.pop(key)
        return self._factory(*args, **{**self._settings, **changes})

    def __repr__(self):
        return f"{type(self._inner).__name__}(via lrtcheck's replace)"


class ReplaceableFactory:
    """A user's sampler factory whose samplers gain ``replace(**changes)`` when they lack it (the checks derive the
    H1 sampler, the running-max sampler and the Q-step sampler from a base one by ``replace``)."""

    def __init__(self, factory):
        self.factory = factory

    def __call__(self, background, good, schedule, **settings):
        inner = self.factory(background, good, schedule, **settings)
        return _ReplaceableSampler(inner, self, (background, good, schedule), settings)

    def __repr__(self):
        return f"ReplaceableFactory({getattr(self.factory, '__qualname__', self.factory)!r})"


def adapt(kind: str, subject):
    """The subject as the checks call it: a sampler factory gains ``replace``; other kinds as they are."""
    if kind == "lrt.sampler" and not isinstance(subject, ReplaceableFactory):
        return ReplaceableFactory(subject)
    return subject
