"""pytest plugin: fail a Qt test when its GUI thread stalls, with the culprit stack as the message.

Installed with guiapp (a ``pytest11`` entry point), so any PySide6 / PyQt project whose tests
use pytest-qt gets it without importing anything from guiapp. It uses pytest-qt's Qt binding
(the ``qt_api`` ini option) and only Qt's ``QTimer``; nothing else of guiapp is involved.

As a context manager, around the part of a test that must keep the GUI responsive::

    def test_search_stays_responsive(qtbot, gui_responsive):
        window = SearchWindow()
        qtbot.addWidget(window)
        with gui_responsive(max_stall_ms=50):
            qtbot.mouseClick(window.search_button, Qt.LeftButton)
            qtbot.waitUntil(lambda: window.results.count() > 0)

or as a marker, for the whole test body (fixtures are set up before the watch starts)::

    @pytest.mark.gui_responsive(max_stall_ms=50)
    def test_import_stays_responsive(qtbot): ...

A stall longer than ``max_stall_ms`` fails the test; the message is the longest stall's
:class:`~guiapp.offload.freeze.FreezeReport`: how long, the verdict (busy in your code, blocked
in a call, or starved of the GIL by another thread) and the stack, innermost frame first. The
block counts as a stall any time the GUI thread spends outside Qt's event loop, including test
code that runs between two ``qtbot`` waits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from guiapp.offload.freeze import FreezeReport, FreezeWatchdog

__all__ = ["FreezeBudget", "gui_responsive"]

_MARKER_HELP = (
    "gui_responsive(max_stall_ms=50): fail the test when its GUI thread stalls longer than "
    "max_stall_ms; the message names the code that froze it (guiapp's freeze forensics)"
)


def _qt_core() -> Any:
    """QtCore of the binding pytest-qt chose (PySide6, PyQt6, PyQt5), else PySide6."""
    try:
        from pytestqt.qt_compat import qt_api
    except ImportError:  # pragma: no cover - pytest-qt is how Qt tests get an app
        from PySide6 import QtCore

        return QtCore
    return qt_api.QtCore


class FreezeBudget:
    """A running watch: the heartbeat timer plus the watchdog thread.

    :meth:`reports` lists the stalls over the budget so far; :meth:`check` fails the test with
    the longest one.
    """

    def __init__(self, max_stall_ms: float = 50.0) -> None:
        if not max_stall_ms > 0:
            message = f"gui_responsive: max_stall_ms must be > 0, got {max_stall_ms}"
            pytest.fail(message, pytrace=False)
        core = _qt_core()
        if core.QCoreApplication.instance() is None:
            message = "gui_responsive needs a Qt application: use the qapp or qtbot fixture"
            pytest.fail(message, pytrace=False)
        self.max_stall_ms = float(max_stall_ms)
        interval = max(1, min(10, int(max_stall_ms / 4)))
        self._dog = FreezeWatchdog(max_stall_ms, tick_interval_ms=interval)
        self._timer = core.QTimer()
        self._timer.setTimerType(core.Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self._dog.tick(sys._getframe(1))  # the frame running Qt's event loop

    def start(self) -> None:
        """Start the heartbeat and the watchdog (on the GUI thread)."""
        self._dog.start()
        self._dog.tick()
        self._timer.start()

    def stop(self) -> None:
        """End the watch; the time since the last heartbeat counts (the block ends here)."""
        self._timer.stop()
        self._dog.tick()
        self._dog.stop(timeout=5.0)

    def reports(self) -> list[FreezeReport]:
        """Every stall over the budget, oldest first."""
        return self._dog.reports()

    def check(self) -> None:
        """Fail the test if the GUI thread stalled longer than the budget."""
        reports = self.reports()
        if reports:
            worst = max(reports, key=lambda r: r.duration_ms)
            more = f" ({len(reports)} stalls; the longest below)" if len(reports) > 1 else ""
            pytest.fail(
                f"GUI thread stalled longer than {self.max_stall_ms:.0f} ms{more}\n"
                f"{worst.as_text()}",
                pytrace=False,
            )


@contextmanager
def _watch(max_stall_ms: float = 50.0) -> Iterator[FreezeBudget]:
    budget = FreezeBudget(max_stall_ms)
    budget.start()
    try:
        yield budget
    except BaseException:
        budget.stop()  # the block's own error is what the test reports
        raise
    budget.stop()
    budget.check()


@pytest.fixture
def gui_responsive(qapp: Any) -> Callable[..., Any]:
    """``with gui_responsive(max_stall_ms=50): ...`` fails the test on a longer GUI stall.

    The message is the longest stall's FreezeReport (verdict and stack). The ``with`` value is
    a :class:`FreezeBudget` (``.reports()``).
    """
    return _watch


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER_HELP)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    marker = item.get_closest_marker("gui_responsive")
    if marker is None:
        return (yield)
    budget = FreezeBudget(*marker.args, **marker.kwargs)
    budget.start()
    try:
        result = yield
    finally:
        budget.stop()
    budget.check()
    return result
