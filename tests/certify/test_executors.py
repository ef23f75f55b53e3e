"""Scale-out: certify, power, flake and mutant grids give bit-identical outcomes serially, on a process pool and
on a Dask LocalCluster; pools leave no process behind; an unreachable scheduler is refused quickly."""

import dataclasses
import multiprocessing
import time

import pytest

from lrtcheck.certify.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor
from lrtcheck.certify.flake import flake_runs
from lrtcheck.certify.grid import Task, run_grid
from lrtcheck.certify.power import power_table, power_tasks
from lrtcheck.certify.registry import select

CHECKS = ["stats.dkw.band_coverage", "stats.conformal.coverage", "stats.conformal.rank_exact",
          "tabular.occupancy.mc"]


def _key(o):
    """Everything an outcome says but its timing, floats as their exact bits (NaN equal to NaN)."""
    fields = dataclasses.asdict(o)
    fields.pop("seconds")
    ev = fields.pop("evidence")
    bits = {k: (v.hex() if isinstance(v, float) else v) for k, v in fields.items() if k != "task"}
    return o.task, tuple(sorted(bits.items())), None if ev is None else repr(o.evidence.details)


def _grid(executor):
    from lrtcheck.stats.seeds import DEFAULT_ROOT_SEED

    certify = [Task(c.check_id, seed=DEFAULT_ROOT_SEED, keep_evidence=True) for c in select(CHECKS)]
    power, defects = power_tasks(select(["stats.dkw.band_coverage"]), 3, tier="quick", root=7)
    mutant = [Task(c.check_id, seed=5, mutant="stats.rank_plus_one", group="m")
              for c in select(["stats.conformal.*", "stats.dkw.*"])]
    certify_out = run_grid([Task(t.check_id, seed=t.seed, keep_evidence=True) for t in certify], executor,
                           progress=False)
    power_out = run_grid(power, executor, progress=False)
    mutant_out = run_grid(mutant, executor, progress=False, stop_group=lambda o: not o.passed)
    flake = flake_runs(["stats.dkw.*"], 3, root=9, executor=executor, progress=False)
    return ([_key(o) for o in certify_out], [_key(o) for o in power_out],
            [None if o is None else _key(o) for o in mutant_out], flake.to_csv(index=False),
            power_table(power_out, defects).to_csv(index=False))


def test_serial_processes_and_dask_agree_bit_for_bit():
    serial = _grid(SerialExecutor())
    assert serial[2][0] is not None and not dict(serial[2][0][1])["passed"]  # the mutant is killed at once ...
    assert all(k is None for k in serial[2][1:])  # ... and its remaining checks are not run
    with ProcessExecutor(2) as procs:
        assert _grid(procs) == serial
    assert multiprocessing.active_children() == []  # one pool for the run, closed with it: nothing left behind
    pytest.importorskip("distributed")
    with DaskExecutor("local", n_workers=2) as dask:
        assert _grid(dask) == serial


def test_an_interrupted_pool_leaves_no_process_behind():
    ex = ProcessExecutor(2)
    batch = ex.start(time.sleep, [30, 30, 30])
    time.sleep(1.0)
    batch.cancel([2])
    ex.close(interrupted=True)
    assert multiprocessing.active_children() == []


def test_make_executor_choices_and_bad_input():
    assert isinstance(make_executor(), SerialExecutor)
    assert isinstance(make_executor(1), SerialExecutor)
    with make_executor(2) as ex:
        assert isinstance(ex, ProcessExecutor)
    for bad in (0, -2, True, 1.5):
        with pytest.raises(ValueError, match="--workers must be an integer >= 1"):
            make_executor(bad)


def test_an_unreachable_dask_scheduler_is_refused_within_its_timeout():
    pytest.importorskip("distributed")
    start = time.perf_counter()
    with pytest.raises(ValueError, match="cannot reach a Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:9", timeout_s=2)
    assert time.perf_counter() - start < 30
    with pytest.raises(ValueError, match="scheduler address"):
        DaskExecutor("  ")


def test_grid_results_come_back_in_task_order_whatever_the_completion_order():
    with ProcessExecutor(2) as ex:
        out = list(ex.start(_sleep_then_return, [(0.6, 0), (0.0, 1), (0.3, 2)]))
    assert sorted(i for i, _ in out) == [0, 1, 2] and dict(out) == {0: 0, 1: 1, 2: 2}


def _sleep_then_return(item):
    time.sleep(item[0])
    return item[1]
