"""Malformed-input suite: every public entry point, one malformed parameter at a time.

Each package has a table (``properties/malformed/table_<package>.py``) with one valid call per entry point. The
engine here binds the call to the signature, replaces one parameter by a malformed value chosen from the type of
its valid value (and from the parameter's declared domain), runs the call under a time limit and judges the
outcome:

* a ``ValueError`` whose message names the parameter passes;
* a returned result passes if every float in it is finite *and* the value is one the rules allow: NaN, inf,
  complex, text, ``None`` (where ``None`` is not the default), a bool for a number, a non-integer for an integer
  and a value outside a declared domain must always be refused;
* anything else fails (another exception type, a ValueError that does not name the parameter, a NaN or inf in the
  result, silent acceptance of a value the rules refuse, no answer within the time limit).

Besides the fixed values, Hypothesis draws further numbers for each numeric parameter (``draw`` cases, derandomized
so that the list of failures is reproducible). ``known_failures.txt`` lists the cases that fail on the current code;
``python -m properties.malformed --write-known`` rewrites it (see docs/inputs.md).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import os
import re
import signal
from fractions import Fraction
from numbers import Integral, Real
from pathlib import Path

import numpy as np

__all__ = ["Entry", "fn", "method", "record", "constants", "run_entry", "run_package", "PACKAGES", "known_failures",
           "KNOWN_FILE", "TIME_LIMIT"]

KNOWN_FILE = Path(__file__).with_name("known_failures.txt")
TIME_LIMIT = float(os.environ.get("MALFORMED_TIME_LIMIT", "6"))
DRAWS = int(os.environ.get("MALFORMED_DRAWS", "4"))
PACKAGES = ("stats", "tabular", "diffusion", "lrt", "risk", "csar", "lecam")

REFUSE, MAY = "refuse", "may"  # the rule for a malformed value: must be refused / may be answered (finitely)
NAN, INF = float("nan"), float("inf")


# ---------------------------------------------------------------------------------------------------------------------
# The table's vocabulary
@dataclasses.dataclass
class Entry:
    """One public entry point and its valid call.

    ``make`` returns ``(callable, args, kwargs)``; it is called once and the result deep-copied for every case.
    ``domains`` maps a parameter to its domain: ``"(0,1)"``, ``"[0,1]"``, ``"[0,1)"``, ``">0"``, ``">=0"``,
    ``">=1"``; a value outside it must be refused. ``allow`` maps a parameter to the special values it may take
    (``"none"``, ``"inf"``, ``"nan"``, ``"empty"``, ``"bool"``). ``skip`` lists parameters not fuzzed (with the
    reason in the table). ``inf_ok`` says an infinite result is legitimate (for example a log-probability).
    """

    name: str
    make: object
    domains: dict = dataclasses.field(default_factory=dict)
    allow: dict = dataclasses.field(default_factory=dict)
    skip: tuple = ()
    inf_ok: bool = False
    _built: object = dataclasses.field(default=None, repr=False)

    def build(self):
        if self._built is None:
            self._built = self.make()
        return self._built


def fn(name, target, *args, domains=None, allow=None, skip=(), inf_ok=False, **kwargs):
    """A function or constructor ``target`` called as ``target(*args, **kwargs)``."""
    return Entry(name, lambda: (target, args, kwargs), domains or {}, allow or {}, tuple(skip), inf_ok)


def method(name, instance, meth, *args, domains=None, allow=None, skip=(), inf_ok=False, unfitted=None, **kwargs):
    """Method ``meth`` of the instance built by the zero-argument ``instance`` factory.

    ``unfitted``: a factory of the instance before ``fit``; the call on it must raise a ValueError that says "fit".
    """
    def make():
        return (_Bound(instance(), meth), args, kwargs)
    entry = Entry(name, make, domains or {}, allow or {}, tuple(skip), inf_ok)
    entry.unfitted = unfitted
    return entry


class _Bound:
    """An (instance, method name) pair that survives deep copies (each case gets its own instance)."""

    def __init__(self, obj, meth):
        self.obj, self.meth = obj, meth

    def target(self):
        return getattr(self.obj, self.meth)


def constants(*names):
    """Names in ``__all__`` that are constants, not entry points."""
    return set(names)


# ---------------------------------------------------------------------------------------------------------------------
# Malformed values, by the type of the valid value
_DOMAIN = re.compile(r"^([\[(])\s*([-\d.e]+)\s*,\s*([-\d.e]+|inf)\s*([\])])$")


def _in_domain(domain: str | None, v: float) -> bool:
    if domain is None:
        return True
    if domain.startswith(">="):
        return v >= float(domain[2:])
    if domain.startswith(">"):
        return v > float(domain[1:])
    m = _DOMAIN.match(domain)
    if not m:
        raise ValueError(f"bad domain {domain!r}")
    lo, hi = float(m.group(2)), float(m.group(3))
    ok_lo = v >= lo if m.group(1) == "[" else v > lo
    ok_hi = v <= hi if m.group(4) == "]" else v < hi
    return ok_lo and ok_hi


def _is_int(v) -> bool:
    return isinstance(v, (Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real(v) -> bool:
    return isinstance(v, (Real, np.floating, Fraction)) and not isinstance(v, (bool, np.bool_)) and not _is_int(v)


def scalar_rule(value, kind: str, domain: str | None, allow: set) -> str:
    """Must ``value`` be refused for a parameter of ``kind`` ('int', 'real' or 'flag') and ``domain``?"""
    if value is None:
        return MAY if "none" in allow else REFUSE
    if isinstance(value, (bool, np.bool_)):
        return MAY if (kind == "flag" or "bool" in allow) else REFUSE
    if isinstance(value, (str, bytes, complex, np.complexfloating)):
        return REFUSE
    if not isinstance(value, (Real, np.floating, np.integer, Fraction)):
        return REFUSE
    v = float(value)
    if math.isnan(v):
        return MAY if "nan" in allow else REFUSE
    if math.isinf(v) and "inf" not in allow:
        return REFUSE
    if kind in ("int", "flag") and not float(v).is_integer():
        return REFUSE
    if kind == "flag" and v not in (0.0, 1.0):
        return REFUSE
    if not _in_domain(domain, v):
        return REFUSE
    return MAY


def scalar_values(value, kind: str, domain: str | None) -> list:
    """The fixed malformed values for a scalar parameter of ``kind``."""
    common = [NAN, INF, -INF, complex(1, 1), "x", None]
    if kind == "flag":
        return [NAN, 2, -1, "x", None]
    if kind == "int":
        out = [1.5, True, NAN, "x", None, -1, 0, 10**30]
    else:
        out = common + [True, -1.0, 0.0, 1e300, 5e-324]
    if kind == "int":
        out.append(1e308)  # an integral float far beyond any count
    m = _DOMAIN.match(domain) if domain else None
    if m:  # just outside and on each end of the declared interval
        lo, hi = float(m.group(2)), float(m.group(3))
        if kind == "real":
            out += [lo - 0.1, lo] + ([hi, hi + 0.5] if math.isfinite(hi) else [])
        else:
            out += [int(lo) - 1, int(lo)] + ([int(hi), int(hi) + 1] if math.isfinite(hi) else [])
    seen, uniq = set(), []
    for v in out:
        key = (type(v).__name__, repr(v))
        if key not in seen:
            seen.add(key)
            uniq.append(v)
    return uniq


def _label(v) -> str:
    if isinstance(v, np.ndarray):
        return f"array{v.shape}:{v.dtype}"
    if isinstance(v, float) and v == 10**30:
        return "1e30"
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**12:
        return "10**30"
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def _stochastic(a: np.ndarray) -> bool:
    return (a.dtype.kind == "f" and a.ndim >= 1 and a.shape[-1] > 1 and a.size > 0 and bool(np.all(a >= 0))
            and np.allclose(a.sum(-1), 1.0))


def array_values(value) -> list[tuple[str, object, str]]:
    """(label, malformed value, rule) for an array-valued parameter (array, list or tuple of numbers)."""
    import torch

    is_torch = isinstance(value, torch.Tensor)
    a = value.detach().cpu().numpy() if is_torch else np.asarray(value)
    out: list[tuple[str, object, str]] = []
    real = a.dtype.kind in "fiub"
    flt = a.astype(float) if real else None
    if a.size and real:
        nan = flt.copy(); nan.flat[0] = NAN
        inf = flt.copy(); inf.flat[-1] = INF
        out += [("with NaN", nan, REFUSE), ("with inf", inf, REFUSE)]
        out.append(("complex", flt.astype(complex) + 1j, REFUSE))
        out.append(("strings", np.full(a.shape, "x").tolist(), REFUSE))
    out.append(("empty", np.zeros((0,) + a.shape[1:], dtype=a.dtype), MAY))
    if a.ndim >= 2:
        out.append(("flattened", a.reshape(-1), MAY))
    out.append(("extra axis", a[None], MAY))
    if a.ndim >= 1 and a.shape[0] > 1:
        out.append(("one row fewer", a[:-1], MAY))
        out.append(("ragged", [list(np.atleast_1d(r)) for r in a[:-1]] + [[]], REFUSE))
    if a.dtype.kind == "b":
        out.append(("flags [nan,2,-1]", np.resize(np.array([NAN, 2.0, -1.0]), a.shape), REFUSE))
    elif a.dtype.kind in "iu" and a.size:
        frac = flt.copy(); frac.flat[0] = frac.flat[0] + 0.5
        out.append(("non-integer entry", frac, REFUSE))
        if set(np.unique(a)) <= {0, 1}:
            lab = a.copy(); lab.flat[0] = 2
            out += [("label 2", lab, REFUSE), ("one class", np.zeros_like(a), MAY)]
        neg = a.copy(); neg.flat[0] = -1
        out.append(("negative entry", neg, MAY))
    if real and a.size and a.dtype.kind == "f" and _stochastic(a):
        off = flt * 2.0
        neg = flt.copy(); idx = (0,) * (a.ndim - 1)
        neg[idx + (0,)] = -0.5; neg[idx + (1,)] = flt[idx + (1,)] + flt[idx + (0,)] + 0.5
        out += [("rows sum to 2", off, REFUSE), ("negative entry", neg, REFUSE)]
    out.append(("None", None, REFUSE))
    if is_torch:
        conv = []
        for lab, v, rule in out:
            if isinstance(v, np.ndarray) and v.dtype.kind in "fc":
                v = torch.from_numpy(np.ascontiguousarray(v))
            conv.append((lab, v, rule))
        out = conv
    elif isinstance(value, (list, tuple)):
        out = [(lab, v.tolist() if isinstance(v, np.ndarray) else v, rule) for lab, v, rule in out]
    return out


def _kind(value) -> str | None:
    import torch

    if isinstance(value, (bool, np.bool_)):
        return "flag"
    if _is_int(value):
        return "int"
    if _is_real(value):
        return "real"
    if isinstance(value, str):
        return "choice"
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return "array"
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(x, (Real, np.number, list, tuple, np.ndarray)) for x in value):
        try:
            a = np.asarray(value, dtype=float)
            return "array" if a.dtype.kind == "f" else "object"
        except (ValueError, TypeError):
            return "object"
    if value is None:
        return None
    return "object"


def cases_for(param: str, value, default, entry: Entry) -> list[tuple[str, object, str]]:
    """(label, malformed value, rule) for one parameter whose valid value is ``value``."""
    kind = _kind(value)
    allow = set(entry.allow.get(param, ()))
    if default is None and value is not None:
        allow.add("none")
    domain = entry.domains.get(param)
    if kind in ("int", "real", "flag"):
        return [(_label(v), v, scalar_rule(v, kind, domain, allow)) for v in scalar_values(value, kind, domain)]
    if kind == "choice":
        return [("'bogus'", "bogus", MAY if "any" in allow else REFUSE), ("1", 1, REFUSE),
                ("None", None, MAY if "none" in allow else REFUSE)]
    if kind == "array":
        out = []
        for lab, v, rule in array_values(value):
            if lab == "None" and "none" in allow:
                rule = MAY
            if lab == "with inf" and "inf" in allow:
                rule = MAY
            if lab == "with NaN" and "nan" in allow:
                rule = MAY
            if lab == "empty" and "empty" in allow:
                rule = MAY
            out.append((lab, v, rule))
        return out
    if kind == "object":
        return [("None", None, MAY if "none" in allow else REFUSE), ("'x'", "x", REFUSE)]
    return []


# ---------------------------------------------------------------------------------------------------------------------
# Running one call and judging it
class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    signal.setitimer(signal.ITIMER_REAL, 0.2)  # fire again if this one is swallowed (e.g. inside a gc callback)
    if "hypothesis" in frame.f_code.co_filename:  # Hypothesis's own callbacks swallow exceptions: try again soon
        return
    raise _Timeout()


def _nonfinite(obj, depth: int = 0, seen=None) -> str | None:
    """'NaN' or 'inf' if some float inside ``obj`` is not finite, else None."""
    import torch

    if seen is None:
        seen = set()
    if depth > 5 or id(obj) in seen:
        return None
    if isinstance(obj, (bool, np.bool_, str, bytes, int, Fraction)) or obj is None:
        return None
    if isinstance(obj, (float, np.floating, complex, np.complexfloating)):
        return "NaN" if np.isnan(obj) else ("inf" if np.isinf(obj) else None)
    if isinstance(obj, torch.Tensor):
        if obj.is_floating_point() or obj.is_complex():
            t = obj.detach()
            return "NaN" if bool(torch.isnan(t).any()) else ("inf" if bool(torch.isinf(t).any()) else None)
        return None
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            return "NaN" if bool(np.isnan(obj).any()) else ("inf" if bool(np.isinf(obj).any()) else None)
        if obj.dtype.kind == "O":
            obj = list(obj.flat)
        else:
            return None
    seen.add(id(obj))
    if hasattr(obj, "dist") and hasattr(obj, "args") and hasattr(obj, "kwds"):  # a frozen scipy distribution
        obj = (obj.args, obj.kwds)
    if isinstance(obj, dict):
        items = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        items = [getattr(obj, f.name, None) for f in dataclasses.fields(obj)]
    elif hasattr(obj, "__dict__") and not inspect.isroutine(obj) and not inspect.ismodule(obj) \
            and not isinstance(obj, type):
        items = [v for k, v in vars(obj).items() if not k.startswith("__")]
    else:
        return None
    found = None
    for it in items[:10_000]:
        r = _nonfinite(it, depth + 1, seen)
        if r == "NaN":
            return r
        found = found or r
    return found


def _names(param: str, message: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", message) is not None


def call(entry: Entry, param: str | None = None, value=None):
    """Run the entry's valid call, with ``param`` replaced by ``value`` if given; return the result."""
    target, args, kwargs = copy.deepcopy(entry.build())
    if isinstance(target, _Bound):
        target = target.target()
    sig = inspect.signature(target)
    bound = sig.bind(*args, **kwargs)
    if param is not None:
        bound.apply_defaults()
        bound.arguments[param] = value
    if param is None:  # the valid call: no time limit (it also warms lazy imports up)
        return target(*bound.args, **bound.kwargs)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        return target(*bound.args, **bound.kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def judge(entry: Entry, param: str, value, rule: str, names: tuple = ()) -> str | None:
    """None if the outcome passes, else the kind of failure (stable text, used as the known-failures key).

    ``names``: further parameter names a ValueError may name instead (for a length mismatch, either side).
    """
    import warnings

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = call(entry, param, value)
    except _Timeout:
        return "timeout"
    except ValueError as exc:
        ok = any(_names(p, str(exc)) for p in (param,) + tuple(names))
        return None if ok else "ValueError not naming the parameter"
    except Exception as exc:  # noqa: BLE001 - every other exception is the finding
        return type(exc).__name__
    bad = _nonfinite(result)
    if bad == "NaN" or (bad == "inf" and not entry.inf_ok):
        return f"{bad} in result"
    if rule == REFUSE:
        return "accepted"
    return None


def parameters(entry: Entry) -> list[tuple[str, object, object]]:
    """(name, valid value, default) of each fuzzed parameter of the entry's valid call."""
    target, args, kwargs = entry.build()
    if isinstance(target, _Bound):
        target = target.target()
    sig = inspect.signature(target)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    out = []
    for name, p in sig.parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or name in entry.skip:
            continue
        out.append((name, bound.arguments[name], p.default))
    return out


def draw_strategy(kind: str, domain: str | None):
    from hypothesis import strategies as st

    if kind == "int":
        return st.one_of(st.integers(-50, 200), st.floats(-50.0, 200.0))
    lo_hi = st.floats(-2.0, 3.0) if domain and domain[0] in "[(" else st.floats(-1e12, 1e12)
    return st.one_of(lo_hi, st.floats(), st.integers(-100, 100))


def draw_case(entry: Entry, param: str, value, default) -> str | None:
    """Hypothesis draws for a numeric parameter: the first failing draw, described, or None."""
    from hypothesis import HealthCheck, Phase, given, settings

    kind = _kind(value)
    allow = set(entry.allow.get(param, ())) | ({"none"} if default is None and value is not None else set())
    domain = entry.domains.get(param)
    found: list[str] = []

    @settings(max_examples=DRAWS, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(draw_strategy(kind, domain))
    def probe(v):
        if found:
            return
        outcome = judge(entry, param, v, scalar_rule(v, kind, domain, allow))
        if outcome is not None:
            found.append(f"{outcome} (drawn {_label(v)})")

    probe()
    return found[0] if found else None


def run_entry(entry: Entry, draws: bool = True) -> tuple[list[str], int]:
    """Failing case lines of one entry, and the number of cases run."""
    fails, n = [], 0
    call(entry)  # the valid call must work (checked by its own test); it also warms lazy imports up
    params = parameters(entry)
    for param, value, default in params:
        for lab, v, rule in cases_for(param, value, default, entry):
            n += 1
            others = tuple(p for p, _, _ in params if p != param) if lab == "one row fewer" else ()
            outcome = judge(entry, param, v, rule, others)
            if outcome is not None:
                fails.append(f"{entry.name} | {param} | {lab} | {outcome}")
        if draws and DRAWS and _kind(value) in ("int", "real"):
            n += 1
            outcome = draw_case(entry, param, value, default)
            if outcome is not None:
                fails.append(f"{entry.name} | {param} | draw | {outcome.split(' (drawn')[0]}")
    if getattr(entry, "unfitted", None) is not None:
        n += 1
        outcome = _before_fit(entry)
        if outcome is not None:
            fails.append(f"{entry.name} | (instance) | before fit | {outcome}")
    return fails, n


def _before_fit(entry: Entry) -> str | None:
    target, args, kwargs = copy.deepcopy(entry.build())
    obj = entry.unfitted()
    try:
        getattr(obj, target.meth)(*args, **kwargs)
    except ValueError as exc:
        return None if "fit" in str(exc) else "ValueError not saying fit"
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__
    return "accepted"


def load_table(package: str):
    import importlib

    return importlib.import_module(f"properties.malformed.table_{package}")


def run_package(package: str, draws: bool = True) -> tuple[list[str], int, int]:
    """(sorted failure lines prefixed by the package, number of entries, number of cases)."""
    table = load_table(package)
    fails, n = [], 0
    for entry in table.ENTRIES:
        f, k = run_entry(entry, draws)
        fails += [f"{package} | {line}" for line in f]
        n += k
    return sorted(fails), len(table.ENTRIES), n


def known_failures(package: str | None = None) -> list[str]:
    if not KNOWN_FILE.exists():
        return []
    lines = [ln.strip() for ln in KNOWN_FILE.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return sorted(ln for ln in lines if package is None or ln.split(" | ", 1)[0] == package)


def record(name, cls, instance, **opts):
    """A dataclass constructor called with the fields of ``instance()`` (a record built by a real call)."""
    def make():
        obj = instance()
        return (cls, (), {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.init})
    return Entry(name, make, opts.get("domains", {}), opts.get("allow", {}), tuple(opts.get("skip", ())),
                 opts.get("inf_ok", False))


def public_names(table) -> list[str]:
    """Every name the table must cover: ``__all__``, and ``Class.method`` for each public method of a class."""
    out = []
    for name in table.PACKAGE.__all__:
        obj = getattr(table.PACKAGE, name)
        out.append(name)
        if inspect.isclass(obj) and name not in table.CONSTANTS:
            for k, v in vars(obj).items():
                if isinstance(v, (classmethod, staticmethod)):
                    v = v.__func__
                if inspect.isfunction(v) and (not k.startswith("_") or k == "__call__"):
                    out.append(f"{name}.{k}")
    return out


def uncovered(table) -> list[str]:
    """Public names with no entry, no constant declaration and no reason for being left out."""
    have = {e.name.split("(")[0] for e in table.ENTRIES} | set(table.CONSTANTS) | set(table.UNFUZZED)
    return [n for n in public_names(table) if n not in have]
