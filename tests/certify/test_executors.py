"""Executor equivalence: a real check gives identical results serially, in processes and on a Dask local cluster."""

import pytest

from lrtcheck.certify import get, run_check
from lrtcheck.certify.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor

CHECK = "stats.dkw.band_coverage"
FIELDS = ("verdict", "n", "estimate", "lower", "upper", "p_value", "bound")


def _row(executor):
    res = run_check(get(CHECK), tier="quick", root_seed=123, executor=executor)
    assert res.passed, res.describe()
    row = res.row()
    return tuple(row[f] for f in FIELDS)


def test_serial_processes_and_dask_agree():
    serial = _row(SerialExecutor())
    procs = ProcessExecutor(2)
    try:
        assert _row(procs) == serial
    finally:
        procs.close()
    pytest.importorskip("distributed")
    dask = DaskExecutor("local", n_workers=2)
    try:
        assert _row(dask) == serial
    finally:
        dask.close()


def test_make_executor_choices_and_bad_input():
    assert isinstance(make_executor(), SerialExecutor)
    assert isinstance(make_executor(1), SerialExecutor)
    ex = make_executor(2)
    assert isinstance(ex, ProcessExecutor)
    ex.close()
    with pytest.raises(ValueError, match="workers"):
        ProcessExecutor(0)
