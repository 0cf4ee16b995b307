"""The three ways the window can run the blocking ``send``: the strategy combo's choices.

- ``asyncio-executor`` (default): :class:`~guiapp.offload.Offloader` worker thread, awaited on
  the qasync loop; progress through ``Job.add_progress_callback``.
- ``qthread``: :func:`~guiapp.offload.qt.run_in_qthread`, a QThread worker with Qt signals.
- ``gui-thread``: ``send`` called directly on the GUI thread. The window freezes until the
  response arrives; it is here only to make the contrast visible.

All three return a :class:`RunningRequest`: awaitable (the Response, or raises the transport's
error; :class:`asyncio.CancelledError` once cancelled) and cancellable from the GUI thread.

Example::

    run = start_request("qthread", spec, offloader=offloader, on_progress=show)
    cancel_button.clicked.connect(run.cancel)
    response = await run
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any, Protocol

from guiapp.core import transport
from guiapp.core.jobs import JobControl, Progress, bind_job
from guiapp.core.request import RequestSpec
from guiapp.offload import Offloader
from guiapp.offload.qt import run_in_qthread

__all__ = ["STRATEGY_IDS", "RunningRequest", "SendFunc", "start_request"]

STRATEGY_IDS = ("asyncio-executor", "qthread", "gui-thread")

SendFunc = Callable[[RequestSpec], Any]
ProgressCallback = Callable[[Progress], object]


class RunningRequest(Protocol):
    """What every strategy returns."""

    def cancel(self) -> bool: ...

    def __await__(self) -> Generator[Any, None, Any]: ...


def start_request(
    strategy: str,
    spec: RequestSpec,
    *,
    offloader: Offloader,
    on_progress: ProgressCallback,
    send: SendFunc | None = None,
) -> RunningRequest:
    """Start sending ``spec`` with ``strategy``; must be called on the GUI (loop) thread."""
    send = send or transport.send
    if strategy == "asyncio-executor":
        job = offloader.submit(send, spec)
        job.add_progress_callback(on_progress)
        return job
    if strategy == "qthread":
        qjob = run_in_qthread(send, spec, name="guiapp-send")
        qjob.progressed.connect(on_progress)
        return qjob
    if strategy == "gui-thread":
        return _GuiThreadRequest(send, spec, on_progress)
    raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGY_IDS}")


def _default_send() -> SendFunc:
    from guiapp.core.transport import send

    return send


class _GuiThreadRequest:
    """Runs ``send`` synchronously when awaited: the event loop (and the window) stand still."""

    def __init__(self, send: SendFunc, spec: RequestSpec, on_progress: ProgressCallback) -> None:
        self._send = send
        self._spec = spec
        self._on_progress = on_progress
        self._control = JobControl()

    def cancel(self) -> bool:
        # Nothing can run while send blocks the GUI thread, so a cancel can only come before
        # the await starts (or after it ended): mark it, and checkpoint() inside send obeys.
        return self._control.cancel()

    def __await__(self) -> Generator[Any, None, Any]:
        # One loop turn first, so the "Sending…" state is painted before the freeze.
        yield from asyncio.sleep(0.05).__await__()
        if self._control.cancelled:
            raise asyncio.CancelledError
        with bind_job(self._control):
            response = self._send(self._spec)
        if self._control.progress is not None:
            self._on_progress(self._control.progress)
        return response
