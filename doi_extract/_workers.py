"""Run a function over tasks in worker processes, answers in the order of the tasks.

`map_in_order` keeps at most two tasks per worker in flight, so memory stays bounded
whatever the number of tasks, and yields the answers in the order the tasks came, so the
result does not depend on the number of workers. A single task is done in this process:
a small feed never pays for starting processes.
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
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def map_in_order(function: Callable[[T], R], tasks: Iterable[T], jobs: int) -> Iterator[R]:
    """Yield ``function(task)`` for every task, in order, using ``jobs`` processes.

    ``function`` must be a module-level function or a partial of one (it is sent to the
    workers by name), and the tasks and answers picklable. Raises `WorkerDied` if a worker
    process is killed.
    """
    tasks = iter(tasks)
    head = list(itertools.islice(tasks, 2))
    if jobs <= 1 or len(head) < 2:
        yield from map(function, itertools.chain(head, tasks))
        return
    pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_quiet_signals)
    try:
        pending: deque[Future[R]] = deque()
        for task in itertools.chain(head, tasks):
            pending.append(pool.submit(function, task))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool as error:
        raise WorkerDied("a worker process ended abruptly (killed, or out of memory?)") from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class WorkerDied(RuntimeError):
    """A worker process ended without answering: the run cannot be completed."""


def _context() -> multiprocessing.context.BaseContext:
    # fork starts a worker in milliseconds with every module already imported; it is
    # safe on Linux, not on macOS, where spawn is the default.
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def _quiet_signals() -> None:
    """In a worker: Ctrl-C is the main process's to handle, and SIGTERM just ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
