"""Pinned numerical thread pools: a check computes with one thread, whatever the machine's settings.

BLAS and OpenMP reductions (numpy/scipy through OpenBLAS or MKL, torch's intra-op pool) split sums across threads,
so the last digits of a result depend on ``OMP_NUM_THREADS`` and on the machine's core count.  The runner runs every
check inside :func:`pinned_threads`, which limits every loaded native thread pool to one thread with threadpoolctl
(``threadpool_limits(1)``) and sets ``torch.set_num_threads(1)``, and restores both afterwards.  Parallelism comes
from running whole checks (and power, flake and mutant tasks) in separate processes (:mod:`lrtcheck.certify.grid`),
which never changes a number.
"""

from __future__ import annotations

import contextlib
import sys

__all__ = ["pinned_threads", "CHECK_THREADS"]

#: the number of numerical threads a check computes with
CHECK_THREADS = 1


@contextlib.contextmanager
def pinned_threads(threads: int = CHECK_THREADS):
    """Run the body with every native thread pool (BLAS, OpenMP, torch) limited to ``threads``."""
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    if torch is None:
        try:  # torch is a dependency; load it now so that its OpenMP pool is among the pools limited below
            import torch  # noqa: F401
        except ImportError:  # pragma: no cover - torch is a hard dependency
            torch = None
    previous = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=threads):
        if torch is not None:
            torch.set_num_threads(threads)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(previous)
