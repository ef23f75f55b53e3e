"""The conformal rank per call against the bare integer formula ``-((-(n + 1)(q - p)) // q)`` on the same ints, side
by side (``time_ratio_lrtcheck_over_formula`` in ``extra_info``).  ``conformal_rank`` adds the validation of n and
alpha and the exact reading of a float alpha (cached), nothing else."""

from fractions import Fraction

import pytest

from lrtcheck.stats import conformal_rank

NS = list(range(10, 1010))
_RANK: dict = {}


def _ours_float():
    return [conformal_rank(n, 0.1) for n in NS]


def _ours_fraction():
    a = Fraction(1, 10)
    return [conformal_rank(n, a) for n in NS]


def _formula():
    p, q = 1, 10
    return [k if (k := -((-(n + 1) * (q - p)) // q)) <= n else None for n in NS]


@pytest.mark.parametrize("impl", ["float_alpha", "fraction_alpha", "formula"])
def test_bench_conformal_rank(benchmark, impl):
    fn = {"float_alpha": _ours_float, "fraction_alpha": _ours_fraction, "formula": _formula}[impl]
    out = benchmark(fn)
    assert out == _formula()
    _RANK[impl] = benchmark.stats.stats.mean / len(NS)
    benchmark.extra_info["seconds_per_call"] = _RANK[impl]
    if "formula" in _RANK:
        for k in ("float_alpha", "fraction_alpha"):
            if k in _RANK:
                benchmark.extra_info[f"time_ratio_{k}_over_formula"] = _RANK[k] / _RANK["formula"]
