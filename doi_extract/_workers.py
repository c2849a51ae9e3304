"""Run a function over batches of work in worker processes, answers in input order.

`map_batches` keeps at most two batches per worker in flight, so memory stays bounded
whatever the number of batches, and yields every batch with its answers in the order the
batches came, so the result does not depend on the number of workers. Input that fits in
one batch is worked on in this process: a small feed never pays for starting processes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def map_batches(
    function: Callable[[list[T]], list[R]], batches: Iterable[list[T]], jobs: int
) -> Iterator[tuple[list[T], list[R]]]:
    """Yield ``(batch, function(batch))`` for every batch, in order, using ``jobs`` processes.

    ``function`` must be a module-level function (it is sent to the workers by name), and
    the batches and answers picklable.
    """
    batches = iter(batches)
    head = list(itertools.islice(batches, 2))
    if jobs <= 1 or len(head) < 2:
        for batch in itertools.chain(head, batches):
            yield batch, function(batch)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_quiet_signals)
    try:
        pending: deque[tuple[list[T], Future[list[R]]]] = deque()
        for batch in itertools.chain(head, batches):
            pending.append((batch, pool.submit(function, batch)))
            if len(pending) >= 2 * jobs:
                done, answer = pending.popleft()
                yield done, answer.result()
        while pending:
            done, answer = pending.popleft()
            yield done, answer.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with every module already imported; it is
    # safe on Linux, not on macOS, where spawn is the default.
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def _quiet_signals() -> None:
    """In a worker: Ctrl-C is the main process's to handle, and SIGTERM just ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
