"""Fixtures for the offload tests: every semantic test runs on plain asyncio AND on qasync."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from guiapp.offload import reset_default_offloader
from tests.loops import managed_loop, qasync_loop


@pytest.fixture(params=["asyncio", "qasync"])
def loop(request: pytest.FixtureRequest) -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh, not-yet-running event loop: a plain asyncio loop or a qasync ``QEventLoop``.

    The qasync loop uses pytest-qt's session ``qapp``; teardown order is fixed (tests/loops.py).
    """
    if request.param == "asyncio":
        with managed_loop(asyncio.new_event_loop()) as plain:
            yield plain
    else:
        with qasync_loop(request.getfixturevalue("qapp")) as qt_loop:
            yield qt_loop


@pytest.fixture(autouse=True)
def _fresh_default_offloader() -> Iterator[None]:
    reset_default_offloader()
    yield
    reset_default_offloader(timeout=0.5)
