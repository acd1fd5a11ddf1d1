"""Running a report's notebooks side by side: started in order, reported in order, stopped whole.

Each notebook runs in a kernel of its own (a separate process), so the runner only waits for them:
:func:`run_in_order` runs the tasks in threads, at most ``jobs`` at once, and hands their results
back in the order of the tasks whatever order they finish in, so the runner's console lines, its
index and its manifest do not depend on timing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

__all__ = ["JOBS_ENV", "MAX_JOBS", "default_jobs", "run_in_order"]

#: Environment variable that sets how many notebooks a report runs at once (``medialens report
#: --jobs`` overrides it).
JOBS_ENV = "MEDIALENS_JOBS"
#: Notebooks run at once by default at most: every kernel holds a corpus in memory.
MAX_JOBS = 2


def default_jobs() -> int:
    """How many notebooks a report runs at once: ``$MEDIALENS_JOBS`` if set, else one per core up
    to :data:`MAX_JOBS`.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        ``$MEDIALENS_JOBS`` is not a whole number of 1 or more.
    """
    value = os.environ.get(JOBS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{JOBS_ENV}={value!r}: give the number of notebooks to run at once (1 or more)")
        return int(value)
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


def run_in_order(
    tasks: Sequence[Callable[[], Any]],
    jobs: int,
    on_done: Callable[[int, Any], None],
    abort: Callable[[], Any],
) -> list[Any]:
    """Run ``tasks`` in threads, at most ``jobs`` at once, started in their order.

    Parameters
    ----------
    tasks : sequence of callables
        Each takes no argument and returns a result.
    jobs : int
        Tasks running at once at most (1: one after the other).
    on_done : callable
        Called in the calling thread as ``on_done(i, result)`` for every task, in the order of
        ``tasks`` (task i's call comes after task i - 1's, even if task i finished first).
    abort : callable
        Called when a task raises or the caller is interrupted (Ctrl-C): it should make the
        running tasks end soon (the runner kills their kernels). Tasks not yet started are dropped,
        the running ones are waited for, and the exception is raised again.

    Returns
    -------
    list
        The results, in the order of ``tasks``.
    """
    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)), thread_name_prefix="medialens-job")
    futures: list[Future] = []
    results: list[Any] = []
    try:
        futures = [pool.submit(task) for task in tasks]
        pending = set(futures)
        while len(results) < len(futures):
            current = futures[len(results)]
            if current.done():
                results.append(current.result())  # raises the task's exception
                on_done(len(results) - 1, results[-1])
                continue
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                if future.exception() is not None:  # a later task failed: stop now, not in its turn
                    future.result()
    except BaseException:
        for future in futures:
            future.cancel()
        abort()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
