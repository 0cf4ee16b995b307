"""The awaitable handle of one piece of offloaded work: result, cancellation and progress."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any, Generic, TypeVar

from guiapp.offload.jobs import JobControl, Progress

from ._items import ItemStream, JobItems
from ._progress import ProgressRelay

__all__ = ["Job", "JobLink"]

_log = logging.getLogger(__name__)

R = TypeVar("R")

_PENDING, _RUNNING, _ENDED = "pending", "running", "ended"


class Job(Generic[R]):
    """A submitted call: await it for the result, cancel it, watch its progress.

    Jobs are created by ``submit`` on an :class:`~guiapp.offload.Offloader`,
    :class:`~guiapp.offload.SerialLane` or :class:`~guiapp.offload.ProcessOffloader`, always on
    the thread of a running event loop; the result, the progress callbacks and the progress
    iterator are all delivered on that loop's thread.

    Awaiting a job behaves like awaiting an :class:`asyncio.Future`: cancelling the awaiting task
    cancels the job. Cancelling returns control at once; the worker is told through
    :func:`~guiapp.offload.checkpoint` and its :func:`~guiapp.offload.on_cancel` callbacks, which
    run in the cancelling thread. A job that has not started never runs.

    Example::

        job = offloader.submit(export_rows, rows)
        job.add_progress_callback(lambda p: bar.setValue(int(100 * (p.fraction or 0))))
        cancel_button.clicked.connect(job.cancel)
        try:
            path = await job
        except asyncio.CancelledError:
            ...
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, name: str = "") -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self.name = name
        self._cancel_requested = False
        self._future: asyncio.Future[R] = loop.create_future()
        self._future.add_done_callback(self._on_future_done)
        self._relay = ProgressRelay(loop, self._deliver_progress)
        self.control = JobControl(progress_sink=self._relay.push)
        self._items: JobItems[Any] = JobItems(loop, self.control)
        self.control.item_sink = self._items
        self._link = JobLink(self)
        self._progress: Progress | None = None
        self._progress_callbacks: list[Callable[[Progress], object]] = []
        self._streams: list[_ProgressStream] = []
        # Set by the executor: drops the job from its queue, or stops its worker process.
        self._cancel_hook: Callable[[Job[Any]], object] | None = None

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled() else "done" if self.done() else self._link.state
        return f"<Job {self.name or hex(id(self))} {state}>"

    # -- awaiting ------------------------------------------------------------------------------
    def __await__(self) -> Generator[Any, None, R]:
        try:
            return (yield from self._future.__await__())
        except asyncio.CancelledError:
            # The awaiting task was cancelled: cancel the job now, in this thread, so the
            # on_cancel callbacks run before control returns to the caller.
            self.cancel()
            raise

    def done(self) -> bool:
        """True once the job has a result, an exception, or was cancelled."""
        return self._future.done()

    def cancelled(self) -> bool:
        """True if the job was cancelled before it delivered a result."""
        return self._future.cancelled()

    def result(self) -> R:
        """The return value (raises the job's exception; ``InvalidStateError`` if not done)."""
        return self._future.result()

    def exception(self) -> BaseException | None:
        """The exception raised by the call, or ``None`` (``InvalidStateError`` if not done)."""
        return self._future.exception()

    def add_done_callback(self, callback: Callable[[Job[R]], object]) -> None:
        """Call ``callback(job)`` on the loop thread once the job is done."""
        self._future.add_done_callback(lambda _f: callback(self))

    # -- cancellation --------------------------------------------------------------------------
    def cancel(self) -> bool:
        """Cancel the job; safe from any thread. False if it had already finished.

        Marks the job cancelled, runs its ``on_cancel`` callbacks in the calling thread, and
        wakes every awaiter with :class:`asyncio.CancelledError` without waiting for the worker.
        """
        link = self._link
        with link.lock:
            if self._cancel_requested or (link.state == _ENDED and self._future.done()):
                return False
            self._cancel_requested = True
            was_pending = link.state == _PENDING
            link.state = _ENDED
            link.job = None
        self._relay.close()
        self.control.cancel()
        hook = self._cancel_hook
        if hook is not None:
            try:
                hook(self)
            except Exception:
                _log.exception("cancel hook of %r raised", self)
        if was_pending:
            _log.debug("%r cancelled before it started", self)
        if threading.get_ident() == self._loop_thread:
            self._cancel_future()
        else:
            self._call_soon_threadsafe(self._cancel_future)
        return True

    def _cancel_future(self) -> None:
        # A closed loop cannot schedule the future's callbacks (cancel() would raise): this
        # happens when an offloader is closed after its loop, at exit.
        if not self._future.done() and not self._loop.is_closed():
            self._future.cancel()

    def _on_future_done(self, future: asyncio.Future[R]) -> None:
        # Someone cancelled the future directly (asyncio.wait_for, a cancelled awaiter).
        if future.cancelled():
            self.cancel()
        self._end_streams()
        self._items.end()

    # -- executor side -------------------------------------------------------------------------
    def _resolve(self, ok: bool, value: Any) -> None:
        if self._future.done():
            return
        if self._cancel_requested:
            # cancel() from another thread won the race against this already-posted outcome.
            self._future.cancel()
            return
        self._relay.flush()  # the final progress value arrives before the result
        self._items.flush()  # and so do the last items
        self._relay.close()
        if ok:
            self._future.set_result(value)
        elif isinstance(value, StopIteration):
            # A future refuses StopIteration (it would end the awaiting generator): PEP 479.
            error = RuntimeError("the offloaded call raised StopIteration")
            error.__cause__ = value
            self._future.set_exception(error)
        else:
            self._future.set_exception(value)

    def _call_soon_threadsafe(self, callback: Callable[..., object], *args: Any) -> None:
        if self._loop.is_closed():
            return
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # closed between the check and the call
            _log.debug("loop closed; %r dropped its outcome", self)

    # -- progress ------------------------------------------------------------------------------
    @property
    def progress(self) -> Progress | None:
        """The latest progress delivered on the loop thread, or ``None``."""
        return self._progress

    def add_progress_callback(self, callback: Callable[[Progress], object]) -> None:
        """Call ``callback(progress)`` on the loop thread with each coalesced progress value."""
        self._progress_callbacks.append(callback)

    def remove_progress_callback(self, callback: Callable[[Progress], object]) -> None:
        """Stop calling ``callback``; harmless if it was never added."""
        if callback in self._progress_callbacks:
            self._progress_callbacks.remove(callback)

    def progress_updates(self) -> AsyncIterator[Progress]:
        """Iterate over progress values as they arrive; the iteration ends with the job.

        Starts with the current value, if any. Values are coalesced (latest wins), so a slow
        consumer sees fewer, newer values, never a backlog::

            async for p in job.progress_updates():
                label.setText(f"{p.done:.0f} / {p.total:.0f}")
            result = await job
        """
        stream = _ProgressStream(self._loop)
        if self._progress is not None:
            stream.put(self._progress)
        if self.done():
            stream.end()
        else:
            self._streams.append(stream)
        return stream

    # -- items -------------------------------------------------------------------------------
    def items(
        self, *, max_items: int | None = None, max_bytes: int | None = None
    ) -> ItemStream[Any]:
        """Read the items the call emits (:func:`~guiapp.offload.emit`), in batches, in order.

        Lossless: every item emitted after this call is returned, in lists (one per frame at
        most, or everything that piled up if the reader was slower). When more than
        ``max_items`` items (default 10,000) or ``max_bytes`` bytes (default 32 MiB) are
        unread, the worker's ``emit`` waits. The iteration ends with the job; then await the
        job for its result (the last batch always comes before it). One reader per job::

            job = offloader.submit(tail_log, path)
            async for lines in job.items():
                view.append_lines(lines)
            summary = await job
        """
        return self._items.stream(max_items, max_bytes)

    def add_items_callback(self, callback: Callable[[list[Any]], object]) -> None:
        """Call ``callback(batch)`` on the loop thread with each batch of emitted items."""
        self._items.add_callback(callback)

    def _deliver_progress(self, progress: Progress) -> None:
        if self._future.done():
            return
        self._progress = progress
        for callback in list(self._progress_callbacks):
            try:
                callback(progress)
            except Exception:
                _log.exception("progress callback %r raised", callback)
        for stream in self._streams:
            stream.put(progress)

    def _end_streams(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            stream.end()


class JobLink:
    """The worker's side of a :class:`Job`: claim it, run it, hand back the outcome.

    Executors keep links, not jobs, in their queues and threads. Once the job has ended
    (result delivered or cancelled) the link forgets the job, so a worker stuck in a call that
    ignored its cancellation holds no reference to the job, its future or the event loop.
    """

    __slots__ = ("control", "job", "lock", "name", "state")

    def __init__(self, job: Job[Any]) -> None:
        self.lock = threading.Lock()
        self.state = _PENDING
        self.job: Job[Any] | None = job
        self.control = job.control
        self.name = job.name

    def __repr__(self) -> str:
        return f"<job {self.name} {self.state}>"

    def start(self) -> bool:
        """Claim the job for running. False if it was cancelled while queued: never run it."""
        with self.lock:
            if self.state != _PENDING:
                return False
            self.state = _RUNNING
            return True

    def set_outcome(self, ok: bool, value: Any) -> None:
        """Publish the outcome to the loop thread; dropped if the job was cancelled meanwhile."""
        with self.lock:
            job, self.job = self.job, None
            if self.state == _ENDED or job is None:
                return
            self.state = _ENDED
        job._call_soon_threadsafe(job._resolve, ok, value)


class _ProgressStream(AsyncIterator[Progress]):
    """Latest-value-wins async iterator fed on the loop thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._values: deque[Progress] = deque(maxlen=1)
        self._ended = False
        self._waiter: asyncio.Future[None] | None = None

    def put(self, progress: Progress) -> None:
        self._values.append(progress)
        self._wake()

    def end(self) -> None:
        self._ended = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def __aiter__(self) -> _ProgressStream:
        return self

    async def __anext__(self) -> Progress:
        while not self._values:
            if self._ended:
                raise StopAsyncIteration
            self._waiter = self._loop.create_future()
            await self._waiter
        return self._values.popleft()
