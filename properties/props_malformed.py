"""Malformed input at every public entry point (engine and tables in ``properties/malformed``).

Every name in ``__all__`` of the method packages (and every public method of their classes) has a valid call in its
package's table; each parameter is replaced by malformed values in turn. A case passes on a ``ValueError`` that names
the parameter, or a finite result for a value the rules allow. The cases that fail on the current code are listed in
``properties/malformed/known_failures.txt``: a failure not listed fails this suite, and so does a listed case that now
passes (regenerate the file with ``python -m properties.malformed --write-known``).
"""

import math

import pytest

from properties.malformed import PACKAGES, call, known_failures, load_table, run_package, uncovered
from properties.malformed import _nonfinite


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_has_cases(package):
    missing = uncovered(load_table(package))
    assert not missing, f"{package}: public names without malformed-input cases: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_valid_calls_work_and_are_finite(package):
    bad = []
    for entry in load_table(package).ENTRIES:
        try:
            out = _nonfinite(call(entry))
        except Exception as exc:  # noqa: BLE001
            bad.append(f"{entry.name}: {type(exc).__name__}: {exc}")
            continue
        if out == "NaN" or (out == "inf" and not entry.inf_ok):
            bad.append(f"{entry.name}: {out} in the valid call's result")
    assert not bad, "the table's valid calls must work:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", PACKAGES)
def test_malformed_inputs_are_refused_by_name(package):
    failures, _, _ = run_package(package)
    known = known_failures(package)
    new = sorted(set(failures) - set(known))
    fixed = sorted(set(known) - set(failures))
    msg = []
    if new:
        msg.append(f"{len(new)} new failing case(s) (entry | parameter | value | outcome):\n  " + "\n  ".join(new))
    if fixed:
        msg.append(f"{len(fixed)} case(s) listed in known_failures.txt now pass; remove them "
                   "(python -m properties.malformed --write-known):\n  " + "\n  ".join(fixed))
    assert not msg, "\n".join(msg)


def test_the_engine_tells_a_guarded_function_from_a_silent_one():
    """The judge itself: a function that validates passes every case, one that does not is caught."""
    from lrtcheck.stats.validation import check_open_unit, check_positive_int
    from properties.malformed import fn, run_entry

    def guarded(n, alpha):
        return check_positive_int("n", n) * check_open_unit("alpha", alpha)

    def silent(n, alpha):
        return int(n) * float(alpha)

    assert run_entry(fn("guarded", guarded, 3, 0.1, domains={"n": ">=1", "alpha": "(0,1)"}))[0] == []
    fails = run_entry(fn("silent", silent, 3, 0.1, domains={"n": ">=1", "alpha": "(0,1)"}))[0]
    assert "silent | n | 1.5 | accepted" in fails and "silent | alpha | nan | NaN in result" in fails
    assert "silent | alpha | 'x' | ValueError not naming the parameter" in fails
    assert "silent | n | True | accepted" in fails and "silent | alpha | 1.5 | accepted" in fails
