"""asgiref's ``sync_to_async(func, thread_sensitive=False, executor=offloader)`` on an Offloader.

What asgiref propagates when the awaiting task is cancelled: it shields the executor's future,
then cancels it (``exec_coro.cancel()``), and asyncio's ``wrap_future`` passes that on as
``Future.cancel()`` on the executor's future -- for an Offloader, the ``Job``, whose cancel
runs the call's ``on_cancel`` callbacks. In thread-sensitive mode the call runs on asgiref's
own one-thread ``ThreadPoolExecutor``, whose running futures ignore ``cancel()``.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from guiapp.offload import Offloader, on_cancel

from ._helpers import run, wait_until

pytest.importorskip("asgiref", reason="asgiref comes with the test extra")

from asgiref.sync import sync_to_async

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class BlockingCall:
    """A call that blocks until released; ``on_cancel`` releases it, as a socket shutdown
    releases a ``recv()``."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.released = threading.Event()
        self.cancel_callbacks = 0
        self.outcome = ""

    def _on_cancel(self) -> None:
        self.cancel_callbacks += 1
        self.released.set()

    def __call__(self, label: str) -> str:
        with on_cancel(self._on_cancel):
            self.started.set()
            # Bounded: a cancel that never arrives fails the test instead of hanging it.
            self.outcome = "released" if self.released.wait(20) else "timed out"
        return label


def test_sync_to_async_runs_on_the_offloader_with_args_and_contextvars(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=2, name="a2s")

    def work(a: int, *, b: int) -> tuple[int, str, str]:
        return a + b, threading.current_thread().name, request_id.get()

    async def main() -> tuple[int, str, str]:
        request_id.set("r-7")
        return await sync_to_async(work, thread_sensitive=False, executor=pool)(1, b=2)

    try:
        total, thread, rid = run(loop, main())
    finally:
        pool.close()
    assert (total, rid) == (3, "r-7")
    assert thread.startswith("a2s-")


def test_cancelling_the_awaiting_task_runs_the_calls_on_cancel(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = Offloader(max_workers=1, name="a2s-cancel")
    call = BlockingCall()

    async def main() -> str:
        task = asyncio.ensure_future(
            sync_to_async(call, thread_sensitive=False, executor=pool)("first")
        )
        await wait_until(call.started.is_set)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The pool's one thread serves the next call: the first was released, not abandoned.
        return (await pool.submit(threading.current_thread)).name

    try:
        next_thread = run(loop, main())
    finally:
        pool.close()
    assert call.cancel_callbacks == 1
    assert call.outcome == "released"
    assert next_thread == "a2s-cancel-1"


def test_a_queued_call_cancelled_never_runs(loop: asyncio.AbstractEventLoop) -> None:
    pool = Offloader(max_workers=1, name="a2s-queue")
    busy = BlockingCall()
    ran: list[str] = []

    async def main() -> None:
        first = asyncio.ensure_future(
            sync_to_async(busy, thread_sensitive=False, executor=pool)("busy")
        )
        await wait_until(busy.started.is_set)
        queued = asyncio.ensure_future(
            sync_to_async(ran.append, thread_sensitive=False, executor=pool)("queued")
        )
        await asyncio.sleep(0.05)  # asgiref has submitted it: it waits behind the busy call
        queued.cancel()
        with pytest.raises(asyncio.CancelledError):
            await queued
        busy.released.set()
        assert await first == "busy"
        await pool.submit(lambda: None)  # anything queued before this has run by now

    try:
        run(loop, main())
    finally:
        pool.close()
    assert ran == []


def test_thread_sensitive_mode_cannot_reach_a_running_call(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """The contrast: asgiref's one thread-sensitive thread is a plain ThreadPoolExecutor,
    so the awaiting task ends but the call runs on, its on_cancel never called."""
    call = BlockingCall()

    async def main() -> None:
        task = asyncio.ensure_future(sync_to_async(call, thread_sensitive=True)("sensitive"))
        await wait_until(call.started.is_set)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not call.released.is_set()  # still blocked: nothing reached it
        call.released.set()  # free asgiref's shared thread for the rest of the process
        await sync_to_async(lambda: None, thread_sensitive=True)()

    run(loop, main())
    assert call.cancel_callbacks == 0
    assert call.outcome == "released"


def test_asgiref_refuses_an_executor_in_thread_sensitive_mode() -> None:
    pool = Offloader(max_workers=1, name="a2s-refused")
    try:
        with pytest.raises(TypeError, match="executor"):
            sync_to_async(len, thread_sensitive=True, executor=pool)
    finally:
        pool.close()
