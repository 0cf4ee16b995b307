"""One way to make and tear down event loops in tests (fixed order, qasync #154).

Closed qasync loops are kept referenced for the whole session: letting them be garbage
collected mid-session crashed the test process (SIGSEGV inside the ``exec`` of a LATER qasync
loop) in 2 of 4 full runs, 0 in 10+ runs once kept. qasync leaves Qt timers of a closed loop
registered until they fire, which is the likely culprit. An app has one loop, closed once at
exit, so this is a test-harness concern.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

_CLOSED_QT_LOOPS: list[asyncio.AbstractEventLoop] = []


@contextlib.contextmanager
def managed_loop(
    loop: asyncio.AbstractEventLoop, *, keep: bool = False
) -> Iterator[asyncio.AbstractEventLoop]:
    """Set ``loop`` as the current loop; on exit cancel and finish leftover tasks, close it,
    unset it (and, with ``keep``, keep it referenced for the rest of the session)."""
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
        if keep:
            _CLOSED_QT_LOOPS.append(loop)


@contextlib.contextmanager
def qasync_loop(app: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync ``QEventLoop`` on ``app`` (a QApplication), managed as above and kept."""
    import qasync  # imported here: plain-asyncio tests must not need Qt

    with managed_loop(qasync.QEventLoop(app), keep=True) as loop:
        yield loop
