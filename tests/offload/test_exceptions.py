"""Whatever the worker raises reaches the awaiting task, with its traceback; workers survive."""

from __future__ import annotations

import asyncio
import threading
import traceback

import pytest

from guiapp.offload import Cancelled, Offloader, SerialLane

from ._helpers import run


class CustomBaseError(BaseException):
    pass


def raise_it(exc: BaseException) -> None:
    raise exc  # the frame the traceback must show


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad value"),
        KeyError("missing"),
        KeyboardInterrupt(),
        SystemExit(3),
        Cancelled("stopped by the worker"),
        CustomBaseError("odd"),
        asyncio.CancelledError("raised by the call itself"),
    ],
    ids=lambda exc: type(exc).__name__,
)
@pytest.mark.parametrize("executor", ["offloader", "lane"])
def test_exception_reaches_the_awaiter_with_its_traceback_and_the_thread_survives(
    loop: asyncio.AbstractEventLoop, exc: BaseException, executor: str
) -> None:
    pool = Offloader(max_workers=1, name="boom") if executor == "offloader" else SerialLane("boom")

    async def main() -> tuple[BaseException, str, str]:
        try:
            await pool.submit(raise_it, exc)
        except BaseException as caught:  # the point of the test
            raised = caught
        else:
            raise AssertionError("no exception")
        before = threading.current_thread().name
        after = await pool.submit(lambda: threading.current_thread().name)
        assert pool.thread_count == 1
        return raised, before, after

    try:
        raised, loop_thread, worker_after = run(loop, main())
    finally:
        pool.close()
    assert raised is exc
    frames = traceback.extract_tb(raised.__traceback__)
    assert any(frame.name == "raise_it" and "raise exc" in (frame.line or "") for frame in frames)
    assert worker_after == "boom-1"  # the same worker thread ran the next call
    assert loop_thread != worker_after


def test_stop_iteration_becomes_runtime_error(loop: asyncio.AbstractEventLoop) -> None:
    # A future cannot carry StopIteration (PEP 479); the original stays as __cause__.
    async def main() -> BaseException:
        async with Offloader(max_workers=1, name="stop") as pool:
            with pytest.raises(RuntimeError, match="StopIteration") as info:
                await pool.submit(next, iter([]))
            return info.value

    error = run(loop, main())
    assert isinstance(error.__cause__, StopIteration)


def test_a_failing_job_does_not_hang_other_awaiters(loop: asyncio.AbstractEventLoop) -> None:
    async def main() -> list[object]:
        async with Offloader(max_workers=4, name="mixed") as pool:
            # (KeyboardInterrupt escaping a task would stop the loop itself: asyncio's rule.)
            jobs = [pool.submit(raise_it, OSError("disk")) for _ in range(5)]
            jobs += [pool.submit(int, "7") for _ in range(5)]
            return await asyncio.gather(*jobs, return_exceptions=True)

    results = run(loop, main())
    assert [type(r).__name__ for r in results[:5]] == ["OSError"] * 5
    assert results[5:] == [7] * 5
