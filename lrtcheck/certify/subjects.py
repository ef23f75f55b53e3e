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

__all__ = ["subject_kinds", "checks_for", "parametrize_with_checks", "subject_kind_of", "PROTOCOLS", "load_subject"]


def load_subject(spec: str):
    """Resolve ``[KIND=]module:object`` into ``(kind, object)``.

    Without ``KIND=``, the kind is read from the object's ``lrtcheck_subject_kind`` attribute.  A class is
    instantiated with no arguments.  (Subjects travel to parallel workers by this name and are loaded there.)
    """
    kind = None
    if "=" in spec:
        kind, spec = spec.split("=", 1)
    if ":" not in spec:
        raise ValueError(f"--subject must look like [KIND=]module:object, got {spec!r}")
    mod_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(mod_name)
    except ImportError as exc:
        raise ValueError(f"--subject: cannot import module {mod_name!r}: {exc}") from None
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"--subject: module {mod_name!r} has no attribute {attr!r}") from None
    if isinstance(obj, type):
        obj = obj()
    kind = kind or getattr(obj, "lrtcheck_subject_kind", None)
    if not kind:
        raise ValueError("--subject: give the subject kind as KIND=module:object, or set the object's "
                         "lrtcheck_subject_kind attribute (`lrtcheck list --subjects` shows the kinds)")
    return kind, obj

#: What an object of each subject kind must provide (the checks call nothing else).
PROTOCOLS: dict[str, str] = {
    "lrt.sampler": (
        "a sampler factory `factory(background, good, schedule, **settings)` (settings as the keyword arguments of "
        "lrtcheck.lrt.LRTSampler: variance, gate, beta_max, tau, kappa, q_step, statistic, ...) returning an object "
        "with `sample(states, *, seed, n, null)` (result with `.final`, `.running_max`, `.statistic` arrays) and "
        "`null_statistics(n, *, seed, states=None)`; the reference is the class LRTSampler itself"),
    "csar.conformal": (
        "a split-conformal classifier calibrator: constructed as `cls(delta=...)` (or an instance, deep-copied and "
        "given the attributes), `fit(scores, labels)` returning self, `predict_set(scores)` / `predict_interval` "
        "as lrtcheck.csar.SplitConformal"),
    "csar.weighted_conformal": (
        "a weighted-conformal calibrator as lrtcheck.csar.WeightedConformal: `fit(scores, labels, weights)` and "
        "prediction with the test-point weight"),
    "csar.venn_abers": (
        "an inductive Venn-Abers predictor: `fit(scores, labels)` returning self and `predict_interval(scores)` "
        "returning `(p0, p1)` arrays, as lrtcheck.csar.VennAbers"),
    "csar.cells": (
        "a per-cell interval calibrator for finite input spaces as lrtcheck.csar.PerCellClopperPearson: "
        "`fit(cells, labels)` and `predict_interval(cells)`"),
}


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
    name = type(subject).__name__
    return pytest.mark.parametrize(
        ("lrtcheck_subject", "lrtcheck_subject_check"),
        [(subject, s.check_id) for s in specs],
        ids=[f"{name}:{s.check_id}" for s in specs],
    )
