"""Offload blocking calls from an asyncio (or qasync) event loop: "make_async done right".

Plain threads and processes, results delivered with ``loop.call_soon_threadsafe``, keyword
arguments and contextvars carried over, cancellation that reaches the blocking code, coalesced
progress, and a shutdown that never waits for a stuck call. See ``docs/offload.md``.

Qt-specific helpers (the QThread path, ``async_slot``) live in :mod:`guiapp.offload.qt`, which
this package deliberately does not import.

>>> import asyncio
>>> from guiapp.offload import make_async, report_progress
>>> @make_async
... def count(n, *, step=1):
...     for i in range(0, n, step):
...         report_progress(i, n)
...     return n // step
>>> asyncio.run(count(10, step=2))
5
"""

from ._api import (
    default_offloader,
    make_async,
    reset_default_offloader,
    run_blocking,
)
from ._job import (
    Job,
    dispose_result,
)
from ._pool import (
    OffloaderClosed,
)
from ._process import (
    ProcessOffloader,
    RemoteTraceback,
    WorkerProcessDied,
)
from ._threads import (
    Offloader,
    SerialLane,
)
from .jobs import (
    Cancelled,
    JobControl,
    Progress,
    checkpoint,
    current_job,
    on_cancel,
    report_progress,
)

__all__ = [
    "Cancelled",
    "Job",
    "JobControl",
    "Offloader",
    "OffloaderClosed",
    "ProcessOffloader",
    "Progress",
    "RemoteTraceback",
    "SerialLane",
    "WorkerProcessDied",
    "checkpoint",
    "current_job",
    "default_offloader",
    "dispose_result",
    "make_async",
    "on_cancel",
    "report_progress",
    "reset_default_offloader",
    "run_blocking",
]
