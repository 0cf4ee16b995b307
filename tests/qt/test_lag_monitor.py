"""LagMonitor: the 5 ms heartbeat sees the GUI thread being blocked."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from guiapp.core.stats import LagStats
from guiapp.offload.qt import LagMonitor


def test_idle_heartbeat_collects_samples(qtbot: QtBot) -> None:
    monitor = LagMonitor()
    assert monitor._timer.timerType() == Qt.TimerType.PreciseTimer
    assert monitor.interval_ms == 5.0
    monitor.start()
    try:
        qtbot.waitUntil(lambda: len(monitor.samples()) >= 20, timeout=5000)
    finally:
        monitor.stop()
    stats = monitor.snapshot()
    assert stats.samples >= 20
    assert all(lag >= 0.0 for lag in monitor.samples())


def test_blocking_the_gui_thread_shows_up_as_a_stall(qtbot: QtBot) -> None:
    monitor = LagMonitor()
    monitor.start()
    try:
        qtbot.waitUntil(lambda: len(monitor.samples()) >= 5, timeout=5000)
        time.sleep(0.12)  # the workload under test: the GUI thread does blocking work
        qtbot.waitUntil(lambda: any(lag > 100.0 for lag in monitor.samples()), timeout=5000)
    finally:
        monitor.stop()
    stats = monitor.snapshot()
    assert stats.max_ms > 100.0
    assert stats.stalls >= 1


def test_updated_signal_carries_lag_stats(qtbot: QtBot) -> None:
    monitor = LagMonitor(update_interval_ms=50)
    monitor.start()
    try:
        with qtbot.waitSignal(monitor.updated, timeout=5000) as blocker:
            pass
    finally:
        monitor.stop()
    assert blocker.args is not None
    assert isinstance(blocker.args[0], LagStats)


def test_reset_and_window(qtbot: QtBot) -> None:
    monitor = LagMonitor(window=10)
    monitor.start()
    try:
        qtbot.waitUntil(lambda: len(monitor.samples()) == 10, timeout=5000)
        monitor.reset()
        assert monitor.samples() == []
        assert monitor.is_running()
        qtbot.waitUntil(lambda: len(monitor.samples()) >= 3, timeout=5000)
    finally:
        monitor.stop()
    assert not monitor.is_running()
    assert len(monitor.samples()) <= 10


def test_a_stall_right_after_reset_is_measured(qtbot: QtBot) -> None:
    monitor = LagMonitor()
    monitor.start()
    try:
        qtbot.waitUntil(lambda: len(monitor.samples()) >= 3, timeout=5000)
        monitor.reset()
        time.sleep(0.12)  # the GUI thread blocks immediately after the reset
        qtbot.waitUntil(lambda: len(monitor.samples()) >= 1, timeout=5000)
    finally:
        monitor.stop()
    assert monitor.samples()[0] > 100.0
