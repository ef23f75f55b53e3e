"""Executors for Monte Carlo replications: serial, processes on one machine, or a Dask distributed cluster.

Every replication draws from its own child ``SeedSequence`` (spawned from the check's stream by index), so results
do not depend on which executor ran them or in what order: serial, ``--workers N`` and ``--dask ADDRESS`` give
identical numbers for the same root seed.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor"]


class SerialExecutor:
    """Runs replications in this process, in order."""

    name = "serial"

    def map(self, fn: Callable[..., Any], items: Iterable[Any]) -> list[Any]:
        return [fn(item) for item in items]

    def close(self) -> None:  # symmetry with the pooled executors
        pass


class ProcessExecutor:
    """Runs replications in a pool of ``workers`` processes (functions and items must pickle)."""

    name = "processes"

    def __init__(self, workers: int):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn, items):
        items = list(items)
        if not items:
            return []
        if self._pool is None:
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"))
        chunk = max(1, len(items) // (4 * self.workers))
        return list(self._pool.map(fn, items, chunksize=chunk))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskExecutor:
    """Runs replications on a Dask distributed cluster at ``address`` (``"local"`` starts a local cluster)."""

    name = "dask"

    def __init__(self, address: str, *, n_workers: int = 2):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError("--dask needs the 'distributed' package (pip install 'dask[distributed]')") from exc
        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        else:
            self.client = Client(address)

    def map(self, fn, items):
        items = list(items)
        if not items:
            return []
        futures = self.client.map(fn, items, pure=False)
        return self.client.gather(futures)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, dask_address: str | None = None):
    """Serial by default; processes with ``workers > 1``; Dask with ``dask_address``."""
    if dask_address:
        return DaskExecutor(dask_address, n_workers=workers or 2)
    if workers is not None and workers > 1:
        return ProcessExecutor(workers)
    return SerialExecutor()
