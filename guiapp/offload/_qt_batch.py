"""Start many QThread jobs without freezing the GUI for the whole batch (private).

Each :func:`~guiapp.offload.qt.run_in_qthread` call costs the GUI thread ~80 µs here (creating
the job, its QThread and worker, and ``QThread.start()``), more while earlier threads compete
for the GIL and the cores: 100 calls in one event-loop turn were one 12-23 ms stall.
:func:`run_in_qthreads` starts them a few per turn instead, so the heartbeat keeps ticking.

A turn ends after ``per_turn`` starts *or* once it has spent ``budget_ms`` of the GUI thread,
whichever comes first. A count alone was not enough: on a loaded machine a ``QThread.start()``
takes 0.3-1.3 ms, so 8 starts made every turn of the start phase a 3-10 ms stall -- many
medium stalls, which raised the lag's p99 above that of starting everything in one turn (one
big stall, which only the maximum sees).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from guiapp.offload._qt_worker import QtWorkerJob, run_in_qthread

__all__ = ["run_in_qthreads"]

_clock = time.perf_counter  # the turn's budget is measured with it (tests replace it)


async def run_in_qthreads(
    func: Callable[..., object],
    /,
    argument_lists: Iterable[Sequence[Any]],
    *,
    per_turn: int = 8,
    budget_ms: float = 1.0,
    name: str | None = None,
) -> list[QtWorkerJob]:
    """Start ``func(*args)`` on a new QThread for each ``args``; return the running jobs.

    Starts jobs until ``per_turn`` have started or ``budget_ms`` of this event-loop turn is
    spent (at least one per turn), lets the event loop run (``await asyncio.sleep(0)``),
    starts the next ones, and so on: each returned job's thread is running, as with
    :func:`~guiapp.offload.qt.run_in_qthread`. Await it in a coroutine on the GUI thread (e.g.
    with qasync). If the awaiting task is cancelled meanwhile, the jobs already started are
    cancelled too, and no more are started. ``name`` names the jobs ``name-1``, ``name-2``, ...

    Example::

        jobs = await run_in_qthreads(fetch, [(url,) for url in urls], name="fetch")
        bodies = await asyncio.gather(*(job.wait() for job in jobs))
    """
    if per_turn < 1:
        raise ValueError(f"per_turn must be at least 1, not {per_turn}")
    if budget_ms <= 0:
        raise ValueError(f"budget_ms must be positive, not {budget_ms}")
    budget_s = budget_ms / 1000.0
    jobs: list[QtWorkerJob] = []
    started = 0  # in this turn
    turn_began = _clock()
    try:
        for index, args in enumerate(argument_lists):
            if started >= per_turn or (started and _clock() - turn_began >= budget_s):
                await asyncio.sleep(0)  # one turn of the event loop: timers, input, painting
                started = 0
                turn_began = _clock()
            job_name = f"{name}-{index + 1}" if name else None
            jobs.append(run_in_qthread(func, *args, name=job_name))
            started += 1
    except BaseException:
        for job in jobs:
            job.cancel()
        raise
    return jobs
