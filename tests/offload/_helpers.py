"""Helpers shared by the offload tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# A hang must fail the test quickly rather than wait for pytest-timeout's 120 s.
RUN_TIMEOUT = 30.0


def run(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on ``loop``, failing after RUN_TIMEOUT seconds."""
    return loop.run_until_complete(asyncio.wait_for(coro, RUN_TIMEOUT))


async def wait_until(
    predicate: Callable[[], object], within: float = 10.0, interval: float = 0.005
) -> None:
    """Poll ``predicate()`` on the loop until it is true; fail after ``within`` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {predicate}")
        await asyncio.sleep(interval)
