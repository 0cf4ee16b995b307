"""Offload blocking calls from an asyncio (or qasync) event loop: "make_async done right".

Plain threads and processes, results delivered with ``loop.call_soon_threadsafe``, keyword
arguments and contextvars carried over, cancellation that reaches the blocking code, coalesced
progress, a lossless back-pressured item channel (``emit`` / ``job.items()``), and a shutdown
that never waits for a stuck call. See ``docs/offload.md``.

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

Items (events, records, lines) are never dropped, and reach the loop thread in batches:

>>> from guiapp.offload import Offloader, emit
>>> def produce(n):
...     for i in range(n):
...         emit(i)
...     return "end"
>>> async def main():
...     async with Offloader(name="items") as pool:
...         job = pool.submit(produce, 1000)
...         seen = [item async for batch in job.items() for item in batch]
...         return len(seen), seen[:3], await job
>>> asyncio.run(main())
(1000, [0, 1, 2], 'end')
"""

from ._api import (
    default_offloader,
    make_async,
    reset_default_offloader,
    run_blocking,
)
from ._items import (
    ItemStream,
    JobItems,
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
    emit,
    emit_many,
    on_cancel,
    report_progress,
)

__all__ = [
    "Cancelled",
    "ItemStream",
    "Job",
    "JobControl",
    "JobItems",
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
    "emit",
    "emit_many",
    "make_async",
    "on_cancel",
    "report_progress",
    "reset_default_offloader",
    "run_blocking",
]
