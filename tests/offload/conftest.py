"""Fixtures for the offload tests: every semantic test runs on plain asyncio AND on qasync."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from guiapp.offload import reset_default_offloader

# Closed qasync loops are kept alive for the whole session. Letting them be garbage collected
# mid-session crashed the test process (SIGSEGV inside QApplication.exec of a LATER qasync
# loop) in 2 of 4 full runs; keeping them, 0 crashes in 10+ runs. qasync leaves Qt timers of a
# closed loop registered (its _SimpleTimer kills them lazily when they fire: run()'s 30 s
# wait_for timer, say), which is the likely culprit (qasync #154). An app has one loop, closed
# once at exit, so this is a test-harness concern.
_CLOSED_QT_LOOPS: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(params=["asyncio", "qasync"])
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh, not-yet-running event loop: a plain asyncio loop or a qasync ``QEventLoop``.

    The qasync loop uses pytest-qt's session ``qapp``. Teardown order is fixed (qasync #154):
    cancel leftover tasks, close the loop, unset it; the QApplication outlives every loop.
    """
    if request.param == "asyncio":
        event_loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()
    else:
        import qasync  # imported here: the plain-asyncio tests must not need Qt

        app = request.getfixturevalue("qapp")
        event_loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        pending = [task for task in asyncio.all_tasks(event_loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        event_loop.close()
        asyncio.set_event_loop(None)
        if request.param == "qasync":
            _CLOSED_QT_LOOPS.append(event_loop)


@pytest.fixture(autouse=True)
def _fresh_default_offloader() -> Iterator[None]:
    reset_default_offloader()
    yield
    reset_default_offloader(timeout=0.5)
