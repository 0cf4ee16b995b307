"""Start many QThread jobs without freezing the GUI for the whole batch (private).

Each :func:`~guiapp.offload.qt.run_in_qthread` call costs the GUI thread ~80 µs here (creating
the job, its QThread and worker, and ``QThread.start()``), more while earlier threads compete
for the GIL and the cores: 100 calls in one event-loop turn were one 12-23 ms stall.
:func:`run_in_qthreads` starts them a few per turn instead, so the heartbeat keeps ticking
(8 per turn: max lag 1.6-2.4 ms, every thread started within ~25 ms).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from guiapp.offload._qt_worker import QtWorkerJob, run_in_qthread

__all__ = ["run_in_qthreads"]


async def run_in_qthreads(
    func: Callable[..., object],
    /,
    argument_lists: Iterable[Sequence[Any]],
    *,
    per_turn: int = 8,
    name: str | None = None,
) -> list[QtWorkerJob]:
    """Start ``func(*args)`` on a new QThread for each ``args``; return the running jobs.

    Starts ``per_turn`` jobs, lets the event loop run (``await asyncio.sleep(0)``), starts the
    next ones, and so on: each returned job's thread is running, as with
    :func:`~guiapp.offload.qt.run_in_qthread`. Await it in a coroutine on the GUI thread (e.g.
    with qasync). If the awaiting task is cancelled meanwhile, the jobs already started are
    cancelled too, and no more are started. ``name`` names the jobs ``name-1``, ``name-2``, ...

    Example::

        jobs = await run_in_qthreads(fetch, [(url,) for url in urls], name="fetch")
        bodies = await asyncio.gather(*(job.wait() for job in jobs))
    """
    if per_turn < 1:
        raise ValueError(f"per_turn must be at least 1, not {per_turn}")
    jobs: list[QtWorkerJob] = []
    try:
        for index, args in enumerate(argument_lists):
            if index and index % per_turn == 0:
                await asyncio.sleep(0)  # one turn of the event loop: timers, input, painting
            job_name = f"{name}-{index + 1}" if name else None
            jobs.append(run_in_qthread(func, *args, name=job_name))
    except BaseException:
        for job in jobs:
            job.cancel()
        raise
    return jobs
