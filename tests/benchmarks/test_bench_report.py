"""What the figures cost in ``make certify``: the quick gate with its report drawn with figures against the same
run without them, side by side in one process (``pytest tests/benchmarks/test_bench_report.py --benchmark-only``).

The quick tier is run once (its time is the common part of both); the two benchmarks time what differs: the figure
builders, the sidecar and the drawing of every figure, against writing the same report without figures.  Each
figure is drawn once (fixed layout, no tight bounding box), so the ratio
``(run + report with figures) / (run + report without)`` should stay at or below 1.1; it is written into the
benchmarks' ``extra_info`` (no timed assertion: speed is measured, not asserted).
"""

import time

import pytest

_RUN: dict = {}


def _quick_run():
    """The quick tier, run once per session, with its wall time."""
    if not _RUN:
        from lrtcheck.certify.runner import run_checks

        start = time.perf_counter()
        _RUN["results"] = run_checks(tier="quick")
        _RUN["seconds"] = time.perf_counter() - start
    return _RUN


def _report(tmp_path, figures: bool):
    from lrtcheck.certify.figures import attach_figures, figures_of
    from lrtcheck.certify.results import results_frame, write_figures, write_results
    from lrtcheck.report import write_report

    results = _quick_run()["results"]
    if figures:
        attach_figures(results)
    df = results_frame([r.row() for r in results])
    write_results(df, tmp_path)
    sidecar = figures_of(results) if figures else {}
    write_figures(sidecar, tmp_path)
    write_report(df, tmp_path, figures=figures, sidecar=sidecar)


@pytest.mark.parametrize("figures", [False, True], ids=["without-figures", "with-figures"])
def test_bench_quick_gate_report(benchmark, tmp_path, figures):
    benchmark.group = "make certify: report with and without figures"
    run = _quick_run()  # after the benchmark fixture: skipped with the benchmarks, never run by `make test`
    benchmark.pedantic(_report, args=(tmp_path, figures), rounds=3, iterations=1, warmup_rounds=1)
    _RUN["report_with" if figures else "report_without"] = benchmark.stats.stats.mean
    benchmark.extra_info["quick_run_seconds"] = run["seconds"]
    if "report_with" in _RUN and "report_without" in _RUN:
        ratio = (run["seconds"] + _RUN["report_with"]) / (run["seconds"] + _RUN["report_without"])
        benchmark.extra_info["cost_ratio_with_over_without"] = ratio
        print(f"\nquick run {run['seconds']:.1f} s; report without figures {_RUN['report_without']:.2f} s, with "
              f"{_RUN['report_with']:.2f} s; make certify with/without figures = {ratio:.3f}")
