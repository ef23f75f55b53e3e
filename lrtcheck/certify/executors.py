"""Executors: serial, a pool of processes on one machine, or a Dask distributed cluster.

They run independent tasks: whole checks (``lrtcheck certify --workers N``), the (check, seed, defect) grids of
``lrtcheck power``, ``flake`` and ``mutants`` (:mod:`lrtcheck.certify.grid`), and the replications of a check
(``ctx.replicate``).  A task draws its random numbers from its own ``SeedSequence`` (spawned from the root by check
id, seed and index), never from the worker it lands on, so serial, ``--workers N`` and ``--dask ADDRESS`` give
identical numbers.  Each executor holds one pool for its whole life (``with make_executor(...) as ex:``) and
leaves no process behind when closed, also when the run is interrupted.

:meth:`start` submits every item and returns a :class:`Batch`, which yields ``(index, result)`` as tasks finish
and can cancel the tasks not yet started (the mutant grid stops a mutant's remaining checks once one has killed it).
"""

from __future__ import annotations

import math
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator, Sequence

__all__ = ["SerialExecutor", "ProcessExecutor", "DaskExecutor", "make_executor", "Batch", "check_workers",
           "DASK_CONNECT_TIMEOUT_S"]

#: how long ``--dask ADDRESS`` waits for the scheduler before the command line gives up (exit 2)
DASK_CONNECT_TIMEOUT_S = 5


def check_workers(workers) -> int:
    """``workers`` as an int >= 1, else ``ValueError`` naming ``--workers``."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"--workers must be an integer >= 1, got {workers!r}")
    return workers


class Batch:
    """Submitted tasks: iterate for ``(index, result)`` in completion order; :meth:`cancel` drops pending ones."""

    def __iter__(self) -> Iterator[tuple[int, Any]]:  # pragma: no cover - interface
        raise NotImplementedError

    def cancel(self, indices: Iterable[int]) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class _SerialBatch(Batch):
    def __init__(self, fn, items):
        self._fn, self._items, self._cancelled = fn, list(items), set()

    def __iter__(self):
        for i, item in enumerate(self._items):
            if i not in self._cancelled:
                yield i, self._fn(item)

    def cancel(self, indices):
        self._cancelled.update(indices)


class SerialExecutor:
    """Runs tasks in this process, in order."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[..., Any], items: Iterable[Any]) -> list[Any]:
        return [fn(item) for item in items]

    def start(self, fn: Callable[..., Any], items: Sequence[Any]) -> Batch:
        return _SerialBatch(fn, items)

    def close(self) -> None:  # symmetry with the pooled executors
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


class _FutureBatch(Batch):
    """Futures of a ``concurrent.futures`` pool, yielded as they complete."""

    def __init__(self, futures):
        self._futures = {f: i for i, f in enumerate(futures)}
        self._by_index = list(futures)

    def __iter__(self):
        pending = set(self._futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in sorted(done, key=self._futures.get):
                if f.cancelled():
                    continue
                yield self._futures[f], f.result()

    def cancel(self, indices):
        for i in indices:
            self._by_index[i].cancel()


class ProcessExecutor:
    """Runs tasks in one pool of ``workers`` processes (spawned; functions and items must pickle).

    ``initializer(*initargs)`` runs once in each worker (the coverage collector of ``certify --coverage``).
    """

    name = "processes"

    def __init__(self, workers: int, *, initializer: Callable[..., None] | None = None, initargs: tuple = ()):
        self.workers = check_workers(workers)
        self._initializer, self._initargs = initializer, tuple(initargs)
        self._pool: ProcessPoolExecutor | None = None

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing as mp

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=self._initializer, initargs=self._initargs)
        return self._pool

    def map(self, fn, items):
        items = list(items)
        if not items:
            return []
        chunk = max(1, math.ceil(len(items) / (4 * self.workers)))
        return list(self._ensure_pool().map(fn, items, chunksize=chunk))

    def start(self, fn, items) -> Batch:
        pool = self._ensure_pool()
        return _FutureBatch([pool.submit(fn, item) for item in items])

    def close(self, *, interrupted: bool = False) -> None:
        """Shut the pool down and wait for its processes; ``interrupted`` terminates running tasks first."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if interrupted:
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                p.terminate()
            for p in processes:
                p.join(timeout=10)
        else:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(interrupted=exc_type is not None and issubclass(exc_type, (KeyboardInterrupt, SystemExit)))
        return False


class _DaskBatch(Batch):
    def __init__(self, client, futures):
        self._client = client
        self._futures = list(futures)
        self._index = {f.key: i for i, f in enumerate(self._futures)}

    def __iter__(self):
        from dask.distributed import as_completed

        for f in as_completed(self._futures):
            if f.cancelled():
                continue
            yield self._index[f.key], f.result()

    def cancel(self, indices):
        chosen = [self._futures[i] for i in indices if not self._futures[i].done()]
        if chosen:
            self._client.cancel(chosen)


class DaskExecutor:
    """Runs tasks on a Dask distributed cluster at ``address``; ``"local"`` starts a ``LocalCluster`` of
    ``n_workers`` single-threaded worker processes (closed with the executor)."""

    name = "dask"

    def __init__(self, address: str, *, n_workers: int = 2, timeout_s: float = DASK_CONNECT_TIMEOUT_S):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError("--dask needs the 'distributed' package (pip install 'dask[distributed]')") from exc
        if not isinstance(address, str) or not address.strip():
            raise ValueError("--dask must be a scheduler address (tcp://host:port) or 'local', got an empty string")
        self.workers = check_workers(n_workers)
        self._cluster = None
        if address == "local":
            try:
                import logging

                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
            except Exception as exc:  # noqa: BLE001 - a cluster that cannot start is a usage error, one line
                raise ValueError(f"--dask local: the LocalCluster did not start ({type(exc).__name__}: {exc})") \
                    from None
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(address, timeout=f"{timeout_s}s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ValueError(f"--dask: cannot reach a Dask scheduler at {address!r} within {timeout_s:g} s "
                                 f"({type(exc).__name__})") from None

    def map(self, fn, items):
        items = list(items)
        if not items:
            return []
        futures = self.client.map(fn, items, pure=False)
        return self.client.gather(futures)

    def start(self, fn, items) -> Batch:
        return _DaskBatch(self.client, [self.client.submit(fn, item, pure=False) for item in items])

    def close(self, **_ignored) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def make_executor(workers: int | None = None, dask_address: str | None = None, *,
                  initializer: Callable[..., None] | None = None, initargs: tuple = ()):
    """Serial by default; a pool of ``workers`` processes when ``workers > 1``; Dask with ``dask_address``
    (``workers`` then sizes a ``local`` cluster).  Bad values raise ``ValueError`` naming the option."""
    if workers is not None:
        check_workers(workers)
    if dask_address is not None:
        return DaskExecutor(dask_address, n_workers=workers or 2)
    if workers is not None and workers > 1:
        return ProcessExecutor(workers, initializer=initializer, initargs=initargs)
    return SerialExecutor()
