"""Fixtures for the window tests: a qasync loop, a window on tmp_path, wait helpers.

Tests drive the real window against local servers only (the embedded demo API, which a first
run in an empty data directory starts, and tests/faultserver.py). The qasync loop runs only
inside :func:`wait_until`, so clicks and key presses are delivered as a user would make them
and the coroutines they start progress while the test waits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from guiapp.app import create_window
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace.save_as import SaveAsDialog
from tests.loops import qasync_loop


@pytest.fixture
def ui_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop on the test QApplication; closed in a fixed order after the test."""
    with qasync_loop(qapp) as loop:
        yield loop


@pytest.fixture
def window(
    qtbot: object, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> Iterator[MainWindow]:
    """A shown main window whose data dir is ``tmp_path`` (a first run: demo server on)."""
    win = create_window(tmp_path)
    win.resize(1100, 750)
    win.show()
    try:
        yield win
    finally:
        win.close()  # saves settings, cancels requests, closes executors and the demo server
        win.deleteLater()


def wait_until(
    loop: asyncio.AbstractEventLoop, predicate: Callable[[], object], timeout: float = 15.0
) -> None:
    """Run the qasync loop until ``predicate()`` is true; fail after ``timeout`` seconds."""

    async def poll() -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
            await asyncio.sleep(0.01)

    loop.run_until_complete(poll())


def run_for(loop: asyncio.AbstractEventLoop, seconds: float) -> None:
    """Let the loop run for ``seconds`` (only to let time pass, never to synchronise)."""
    loop.run_until_complete(asyncio.sleep(seconds))


def shown_save_as(window: QWidget) -> SaveAsDialog | None:
    """The Save As dialog open on ``window`` (as a user sees it), or None."""
    shown = [d for d in window.findChildren(SaveAsDialog) if d.isVisible()]
    assert len(shown) <= 1, f"{len(shown)} Save As dialogs open at once"
    return shown[0] if shown else None


def wait_save_as(loop: asyncio.AbstractEventLoop, window: QWidget) -> SaveAsDialog:
    """Wait until a Save As dialog is open on ``window`` and return it."""
    wait_until(loop, lambda: shown_save_as(window) is not None)
    dialog = shown_save_as(window)
    assert dialog is not None
    return dialog
