"""The handle of one piece of offloaded work: a :class:`concurrent.futures.Future` you can await.

A :class:`Job` is what ``submit`` returns. Being a real ``concurrent.futures.Future`` makes it
work wherever the standard library expects one (``loop.run_in_executor``,
``asyncio.wrap_future``, ``concurrent.futures.wait``); awaiting it directly is the fast path:
its completion reaches the loop in a batch with every other job that ended meanwhile
(:mod:`guiapp.offload._deliver`), and cancelling the awaiting task cancels the running call.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

from ._deliver import completions_for
from ._items import ItemStream, JobItems
from ._progress import ProgressRelay
from .jobs import JobControl, Progress

__all__ = ["Job", "dispose_result"]

_log = logging.getLogger(__name__)

R = TypeVar("R")

# Guards the creation of a job's progress relay and item channel. Shared by every job: both
# are created at most once per job and most jobs never need them, so a lock per job would
# cost every job for the sake of a few.
_LAZY_LOCK = threading.Lock()


class Job(Future[R]):
    """A submitted call: await it for the result, cancel it, watch its progress.

    Jobs are created by ``submit`` on an :class:`~guiapp.offload.Offloader`,
    :class:`~guiapp.offload.SerialLane` or :class:`~guiapp.offload.ProcessOffloader`. A job is a
    :class:`concurrent.futures.Future`, with one difference that makes cancellation useful:
    :meth:`cancel` also works while the call runs -- it runs the job's
    :func:`~guiapp.offload.on_cancel` callbacks (which shut a socket, interrupt a query) and
    marks the job cancelled at once, without waiting for the worker. A job that has not
    started never runs. ``done()``, ``cancelled()``, ``running()``, ``result()``,
    ``exception()`` and ``add_done_callback()`` are the standard ones (done callbacks run in
    the thread that ends the job, as for any ``concurrent.futures.Future``).

    Awaiting a job behaves like awaiting an :class:`asyncio.Future`: it returns the result or
    raises the call's exception (:class:`asyncio.CancelledError` once cancelled), and
    cancelling the awaiting task cancels the job. Progress callbacks and
    :meth:`progress_updates` deliver on the thread of the loop the job was submitted from.

    >>> import asyncio
    >>> from guiapp.offload import Offloader
    >>> async def main():
    ...     with Offloader(max_workers=2) as pool:
    ...         job = pool.submit(sum, [1, 2, 3])
    ...         return await job, job.done(), job.cancelled()
    >>> asyncio.run(main())
    (6, True, False)
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None, name: str = "") -> None:
        super().__init__()
        self.name = name
        # The loop the job was submitted from (None off-loop): progress is delivered there.
        self._loop = loop
        # The same loop, weakly: done callbacks run on its thread (a worker stuck past its job
        # must not keep the loop alive).
        self._home = None if loop is None else weakref.ref(loop)
        self._loop_callbacks: list[Callable[[Job[R]], object]] | None = None
        self._started = False
        self._delivered = False  # the completion reached the loop: no more progress
        self.control = JobControl(progress_sink=self._on_progress_reported)
        # Everything below is created on first use: most jobs never report progress, are
        # awaited once and never cancelled, and 1,000 jobs in flight must cost the loop little.
        self._relay: ProgressRelay | None = None
        self._aio_waiters: list[asyncio.Future[None]] | None = None
        self._progress: Progress | None = None
        self._progress_callbacks: list[Callable[[Progress], object]] | None = None
        self._streams: list[_ProgressStream] | None = None
        # The item channel (emit / items()) is made by the first emit or reader.
        self._items: JobItems[Any] | None = None
        self.control.item_sink = self
        # Set by the executor: drops the job from its queue, or stops its worker process.
        self._cancel_hook: Callable[[Job[Any]], object] | None = None

    def __repr__(self) -> str:
        if self.cancelled():
            state = "cancelled"
        elif self.done():
            state = "done"
        else:
            state = "running" if self._started else "pending"
        return f"<Job {self.name or hex(id(self))} {state}>"

    # -- state ---------------------------------------------------------------------------------
    def running(self) -> bool:
        """True while a worker runs the call and the job has not ended (nor been cancelled)."""
        return self._started and not self.done()

    def cancel(self) -> bool:
        """Cancel the job, queued or running; safe from any thread. False once it has ended.

        Marks the job cancelled, runs its ``on_cancel`` callbacks in the calling thread and
        wakes every awaiter with :class:`asyncio.CancelledError`, without waiting for the
        worker. A result the worker produces later is disposed of (see :func:`dispose_result`).
        """
        # The job stays PENDING in concurrent.futures' terms while it runs (the worker never
        # calls set_running_or_notify_cancel), so the standard cancel() succeeds until the
        # outcome is set: one lock, and the race with set_result has exactly one winner.
        if not super().cancel():
            return False
        if self.control.cancel():  # first time only: run the hooks once
            hook = self._cancel_hook
            if hook is not None:
                try:
                    hook(self)
                except Exception:
                    _log.exception("cancel hook of %r raised", self)
        return True

    # -- awaiting ------------------------------------------------------------------------------
    def __await__(self) -> Generator[Any, None, R]:
        # An ended job with progress or items waits for its delivery: the final progress
        # value and the last items always reach the loop before the result.
        if not self._delivered and (
            not self.done() or self._relay is not None or self._items is not None
        ):
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[None] = loop.create_future()
            if self._aio_waiters is None:
                self._aio_waiters = []
            self._aio_waiters.append(waiter)
            # Runs in the thread that ends the job (at once if it already has): the job joins
            # the loop's next batch of completions, one wake-up for all of them.
            Future.add_done_callback(self, completions_for(loop).push)
            try:
                yield from waiter.__await__()
            except asyncio.CancelledError:
                # The awaiting task was cancelled: cancel the job now, in this thread, so the
                # on_cancel callbacks run before control returns to the caller.
                self.cancel()
                raise
        if self.cancelled():
            raise asyncio.CancelledError()
        return self.result()

    def _deliver(self) -> None:
        """Loop thread, in a batch of completions: final progress first, then the awaiters."""
        relay = self._relay
        if relay is not None:
            if not self.cancelled():
                relay.flush()  # the final progress value arrives before the result
            relay.close()
        items = self._items
        if items is not None:
            items.end()  # the last items arrive before the result (unless cancelled)
        with _LAZY_LOCK:
            self._delivered = True
            callbacks, self._loop_callbacks = self._loop_callbacks, None
        waiters, self._aio_waiters = self._aio_waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)
        self._end_streams()
        self._run_callbacks(callbacks)

    def _abandon(self) -> None:
        """The loop closed before the completion reached it: run the done callbacks here."""
        with _LAZY_LOCK:
            self._delivered = True
            callbacks, self._loop_callbacks = self._loop_callbacks, None
        self._run_callbacks(callbacks)

    def _run_callbacks(self, callbacks: list[Callable[[Job[R]], object]] | None) -> None:
        for callback in callbacks or ():
            try:
                callback(self)
            except Exception:
                _log.exception("done callback %r of %r raised", callback, self)

    def add_done_callback(self, fn: Callable[[Job[R]], object]) -> None:
        """Call ``fn(job)`` once the job has ended, on the thread of the loop it was submitted
        from (in the batch that delivers its result: before the awaiting tasks resume).

        A job submitted without a running loop calls it in the thread that ends it, as a
        plain ``concurrent.futures.Future`` does; so does a job whose loop has closed.
        ``concurrent.futures`` promises only "a thread of this process": code written for it
        (``asyncio.wrap_future``, ``loop.run_in_executor``) works either way.
        """
        home = self._home
        loop = None if home is None else home()
        if loop is None:
            super().add_done_callback(fn)  # type: ignore[arg-type]  # it is called with self
            return
        with _LAZY_LOCK:
            if not self._delivered:
                first = self._loop_callbacks is None
                if first:
                    self._loop_callbacks = []
                self._loop_callbacks.append(fn)  # type: ignore[union-attr]
            else:
                first = False
        if not self._delivered:
            if first:  # ends up in the loop's next batch of completions, once done
                super().add_done_callback(completions_for(loop).push)
            return
        # Already delivered: now if on the loop's thread, else in its next turn.
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._run_callbacks([fn])
        else:
            try:
                loop.call_soon_threadsafe(self._run_callbacks, [fn])
            except RuntimeError:  # the loop closed meanwhile
                self._run_callbacks([fn])

    # -- executor side -------------------------------------------------------------------------
    def _claim(self) -> bool:
        """Worker: take the job for running. False if it was cancelled while queued."""
        if self.done():
            return False
        self._started = True
        return True

    def _publish(self, ok: bool, value: Any) -> None:
        """Worker: set the outcome; a result that lost the race with cancel() is disposed."""
        try:
            if ok:
                self.set_result(value)
            elif isinstance(value, StopIteration):
                # An awaiting generator would end on StopIteration instead of raising: PEP 479.
                error = RuntimeError("the offloaded call raised StopIteration")
                error.__cause__ = value
                self.set_exception(error)
            else:
                self.set_exception(value)
        except InvalidStateError:  # cancelled meanwhile: nobody will ever see this outcome
            if ok:
                dispose_result(value, self)
        finally:
            self._loop = None  # a worker stuck past its job must not keep the loop alive

    # -- progress ------------------------------------------------------------------------------
    @property
    def progress(self) -> Progress | None:
        """The latest progress delivered on the loop thread, or ``None``."""
        return self._progress

    def add_progress_callback(self, callback: Callable[[Progress], object]) -> None:
        """Call ``callback(progress)`` on the loop thread with each coalesced progress value."""
        if self._progress_callbacks is None:
            self._progress_callbacks = []
        self._progress_callbacks.append(callback)

    def remove_progress_callback(self, callback: Callable[[Progress], object]) -> None:
        """Stop calling ``callback``; harmless if it was never added."""
        if self._progress_callbacks and callback in self._progress_callbacks:
            self._progress_callbacks.remove(callback)

    def progress_updates(self) -> AsyncIterator[Progress]:
        """Iterate over progress values as they arrive; the iteration ends with the job.

        Starts with the current value, if any. Values are coalesced (latest wins), so a slow
        consumer sees fewer, newer values, never a backlog::

            async for p in job.progress_updates():
                label.setText(f"{p.done:.0f} / {p.total:.0f}")
            result = await job
        """
        loop = asyncio.get_running_loop()
        stream = _ProgressStream(loop)
        if self._progress is not None:
            stream.put(self._progress)
        if self._delivered:
            stream.end()
        else:
            if self._streams is None:
                self._streams = []
            self._streams.append(stream)
            # The stream ends with the job, whether or not anyone awaits the job itself.
            Future.add_done_callback(self, completions_for(loop).push)
        return stream

    def _on_progress_reported(self, progress: Progress) -> None:
        # Worker thread. The relay is created by the first report, not with every job.
        relay = self._relay
        if relay is None:
            loop = self._loop
            if loop is None:
                return  # submitted off-loop (or already ended): nobody to deliver to
            with _LAZY_LOCK:
                if self._relay is None:
                    self._relay = ProgressRelay(loop, self._deliver_progress)
                    # The final value is flushed when the job's completion reaches the loop,
                    # awaited or not.
                    Future.add_done_callback(self, completions_for(loop).push)
                relay = self._relay
        relay.push(progress)

    def _deliver_progress(self, progress: Progress) -> None:
        if self._delivered or self.cancelled():
            return
        self._progress = progress
        for callback in list(self._progress_callbacks or ()):
            try:
                callback(progress)
            except Exception:
                _log.exception("progress callback %r raised", callback)
        for stream in self._streams or ():
            stream.put(progress)

    def _end_streams(self) -> None:
        streams, self._streams = self._streams, None
        for stream in streams or ():
            stream.end()

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
        channel = self._item_channel(asyncio.get_running_loop())
        assert channel is not None  # a loop was given
        return channel.stream(max_items, max_bytes)

    def add_items_callback(self, callback: Callable[[list[Any]], object]) -> None:
        """Call ``callback(batch)`` on the loop thread with each batch of emitted items."""
        channel = self._item_channel(asyncio.get_running_loop())
        assert channel is not None  # a loop was given
        channel.add_callback(callback)

    def put_many(self, items: Iterable[Any], /) -> None:
        """The job's :class:`~guiapp.offload.jobs.ItemSink`: ``emit`` calls it in the worker."""
        channel = self._items or self._item_channel(None)
        if channel is None:  # submitted off-loop: nobody can read; still honour a cancel
            self.control.check()
            return
        channel.put_many(items)

    def _item_channel(self, loop: asyncio.AbstractEventLoop | None) -> JobItems[Any] | None:
        with _LAZY_LOCK:
            if self._items is None:
                loop = loop or self._loop
                if loop is None:
                    return None
                self._items = JobItems(loop, self.control)
                # The channel ends when the job's completion reaches the loop.
                Future.add_done_callback(self, completions_for(loop).push)
            return self._items


def dispose_result(value: object, job: Job[Any] | None = None) -> None:
    """Release a result nobody will receive (its job was cancelled as the call returned).

    A result with a ``close()`` method is closed -- a spooled HTTP response deletes its
    temporary file, a connection is closed -- and a failure to close is logged, never raised.
    Anything else is simply dropped.

    >>> class Spooled:
    ...     def close(self):
    ...         print("temporary file deleted")
    >>> dispose_result(Spooled())
    temporary file deleted
    >>> dispose_result(42)   # nothing to release
    """
    close = getattr(value, "close", None)
    if not callable(close):
        return
    try:
        close()
    except Exception:
        _log.exception("closing the discarded result of %r failed", job)
    else:
        _log.debug("closed the discarded result of %r", job)


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
