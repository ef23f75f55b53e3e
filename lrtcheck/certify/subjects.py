"""Certifying a user's own implementation, in the way scikit-learn's ``parametrize_with_checks`` certifies an
estimator.

A *subject kind* names a protocol (``lrt.sampler``, ``csar.calibrator``, ...); every check registered with
``subject=KIND`` runs against the reference implementation by default and against the user's object when one is
given.  From pytest::

    from lrtcheck.certify.subjects import parametrize_with_checks

    @parametrize_with_checks(MyCalibrator(), kind="csar.calibrator")
    def test_my_calibrator(lrtcheck_subject, lrtcheck_subject_check, lrtcheck_gate):
        result = lrtcheck_gate.run(lrtcheck_subject_check, subject=lrtcheck_subject)
        assert result.passed, result.describe()

From the command line: ``lrtcheck certify --subject csar.calibrator=mypkg.mod:MyCalibrator``.  The same checks, the
same error budget and the same report apply.
"""

from __future__ import annotations

import importlib
from typing import Any

from .registry import CheckSpec, all_checks

__all__ = ["subject_kinds", "checks_for", "parametrize_with_checks", "subject_kind_of", "PROTOCOLS", "load_subject",
           "subject_name", "reference_name"]


def load_subject(spec: str):
    """Resolve ``[KIND=]module:object`` into ``(kind, object)``.

    Without ``KIND=``, the kind is read from the object's ``lrtcheck_subject_kind`` attribute.  A class is kept as
    a class: the checks call it with the kind's construction parameters (``delta=...`` for a conformal calibrator,
    the heads and settings for a sampler factory), exactly as they call the reference.  (Subjects travel to
    parallel workers by this name and are loaded there.)
    """
    kind = None
    if "=" in spec:
        kind, spec = spec.split("=", 1)
    if ":" not in spec:
        raise ValueError(f"--subject must look like [KIND=]module:object, got {spec!r}")
    mod_name, _, attr = spec.partition(":")
    import os
    import sys

    if "" not in sys.path and os.getcwd() not in sys.path:
        # the console script, unlike ``python -m``, leaves the working directory off sys.path: a user's module
        # beside them is found as it would be by ``python -m lrtcheck.cli``
        sys.path.append(os.getcwd())
    try:
        module = importlib.import_module(mod_name)
    except ImportError as exc:
        raise ValueError(f"--subject: cannot import module {mod_name!r}: {exc} (searched the working directory "
                         f"{os.getcwd()} and sys.path; set PYTHONPATH for a module elsewhere)") from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"--subject: module {mod_name!r} has no attribute {attr!r}") from None
    kind = kind or getattr(obj, "lrtcheck_subject_kind", None)
    if not kind:
        raise ValueError("--subject: give the subject kind as KIND=module:object, or set the object's "
                         "lrtcheck_subject_kind attribute (`lrtcheck list --subjects` shows the kinds)")
    return kind, obj

#: What an object of each subject kind must provide: exactly what its checks call (the typing.Protocol of each kind
#: is in :mod:`lrtcheck.certify.protocols`, which also probes a subject before any check runs).
PROTOCOLS: dict[str, str] = {
    "lrt.sampler": (
        "a factory `factory(background, good, schedule, **settings)` (settings: variance, gate, beta_max, tau, kappa, "
        "statistic, q_step) returning a sampler with `sample(states=None, *, seed, n, null=False)` (a result with "
        "`.final` (n,) and `.actions` (n, d)) and `null_statistics(n, *, seed)` (n,); `replace(**changes)` and "
        "`deploy(calibration)` optional (without replace, lrtcheck rebuilds the sampler through the factory). "
        "Protocol: lrtcheck.certify.protocols.LRTSamplerFactory; the heads, schedule and QStep it receives are "
        "described there; reference: lrtcheck.lrt.LRTSampler"),
    "csar.conformal": (
        "built as `cls(delta=...)` (or an instance, deep-copied and given `.delta`); `fit(scores, labels)` returning "
        "self; after fit `threshold_` (float, +inf allowed), the conformal quantile of |y - u(x)|; "
        "`predict_interval(scores)` returning (lo, hi). Protocol: lrtcheck.certify.protocols.ConformalCalibrator; "
        "reference: lrtcheck.csar.SplitConformal"),
    "csar.weighted_conformal": (
        "built as `cls(delta=...)`; `fit(scores, labels, weights)` returning self; `threshold(test_weights)` (one "
        "threshold per test weight); `predict_interval(scores, test_weights)` returning (lo, hi). Protocol: "
        "lrtcheck.certify.protocols.WeightedConformalCalibrator; reference: lrtcheck.csar.WeightedConformal"),
    "csar.venn_abers": (
        "`fit(scores, labels)` returning self and `predict_interval(scores)` returning `(p0, p1)` arrays. Protocol: "
        "lrtcheck.certify.protocols.VennAbersPredictor; reference: lrtcheck.csar.VennAbers"),
    "csar.cells": (
        "built as `cls(n_cells=..., delta=...)`; `fit_counts(counts, successes)` (trials and successes per cell) "
        "returning self and `predict_interval(cells)` returning (lo, hi). Protocol: "
        "lrtcheck.certify.protocols.CellCalibrator; reference: lrtcheck.csar.PerCellClopperPearson"),
}


def subject_name(subject: Any) -> str:
    """A readable, import-path-like name of a subject object: ``module:QualName`` of a class or function, the
    class's name with ``()`` for an instance."""
    inner = getattr(subject, "factory", None) if type(subject).__name__ == "ReplaceableFactory" else None
    subject = inner if inner is not None else subject
    if isinstance(subject, type) or callable(subject) and hasattr(subject, "__qualname__"):
        return f"{getattr(subject, '__module__', '?')}:{subject.__qualname__}"
    cls = type(subject)
    if type(subject).__repr__ is not object.__repr__:  # an instance that says what it is (an adapter's repr)
        return f"{cls.__module__}:{subject!r}"
    return f"{cls.__module__}:{cls.__qualname__}()"


def reference_name(spec: CheckSpec) -> str:
    """The name of a check's reference subject, ``reference lrtcheck.csar...:VennAbers``; empty for checks without a
    subject kind."""
    if not spec.subject or spec.default_subject is None:
        return ""
    return "reference " + subject_name(spec.default_subject())


def describe_protocol(kind: str) -> str:
    """The protocol an object of ``kind`` must follow, in words."""
    return PROTOCOLS.get(kind, "see the docstring of the check module that registers this kind")


def subject_kinds(tier: str | None = None) -> dict[str, list[str]]:
    """``{kind: [check ids]}`` for every subject kind that has checks."""
    out: dict[str, list[str]] = {}
    for s in all_checks(tier):
        if s.subject:
            out.setdefault(s.subject, []).append(s.check_id)
    return out


def subject_kind_of(subject: Any, kind: str | None = None) -> str:
    kind = kind or getattr(subject, "lrtcheck_subject_kind", None)
    kinds = subject_kinds()
    if not kind:
        raise ValueError("kind must be given (or the subject must set lrtcheck_subject_kind); known kinds: "
                         f"{sorted(kinds)}")
    if kind not in kinds:
        raise ValueError(f"kind {kind!r} has no checks; known kinds: {sorted(kinds)}")
    return kind


def checks_for(kind: str, tier: str | None = None) -> list[CheckSpec]:
    """The checks that run against subjects of ``kind``."""
    kind = subject_kind_of(None, kind)
    return [s for s in all_checks(tier) if s.subject == kind]


def parametrize_with_checks(subject: Any, *, kind: str | None = None, tier: str = "quick"):
    """A ``pytest.mark.parametrize`` over every check of the subject's kind, giving ``lrtcheck_subject`` and
    ``lrtcheck_subject_check`` to the test."""
    import pytest

    kind = subject_kind_of(subject, kind)
    specs = checks_for(kind, tier)
    name = subject_name(subject).replace(":", ".")
    return pytest.mark.parametrize(
        ("lrtcheck_subject", "lrtcheck_subject_check"),
        [(subject, s.check_id) for s in specs],
        ids=[f"{name}:{s.check_id}" for s in specs],
    )
