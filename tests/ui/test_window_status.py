"""The status line, the lag indicator and the response area follow the current tab."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtWidgets import QLabel

from guiapp.core.request import RequestSpec
from guiapp.core.stats import LagStats
from guiapp.ui.lag_indicator import LagIndicator
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until


def test_lag_label_turns_amber_then_red(qtbot: Any, window: MainWindow) -> None:
    label = window.findChild(QLabel, "lagLabel")
    assert isinstance(label, LagIndicator)
    label.show_stats(LagStats(100, 0.2, 0.4, 1.0, 0.2, 0))
    assert label.property("level") == "ok"
    assert label.text() == "GUI lag p99 0.4 ms · max 1 ms"
    label.show_stats(LagStats(100, 3.0, 20.0, 30.0, 5.0, 0))
    assert label.property("level") == "warn"
    label.show_stats(LagStats(100, 3.0, 80.0, 300.0, 9.0, 2))
    assert label.property("level") == "bad"


def test_live_lag_reading_arrives(qtbot: Any, window: MainWindow) -> None:
    label = window.findChild(QLabel, "lagLabel")
    with qtbot.waitSignal(window.lag_monitor.updated, timeout=5000):
        pass
    assert label.text().startswith("GUI lag p99 ")


def test_switching_tabs_shows_each_tabs_own_outcome(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    ok = window.open_tab(RequestSpec(url=f"{base}/status/201"))
    window.send_current()
    wait_until(ui_loop, lambda: ok.outcome.kind == "response")
    slow = window.open_tab(RequestSpec(url=f"{base}/delay/1"))
    window.send_current()
    wait_until(ui_loop, lambda: slow.in_flight)
    assert window.status_label.text().startswith(f"Sending GET {base}/delay/1")
    assert window.progress_bar.isVisible()
    assert window.bar.cancel_button.isEnabled()

    window.tabs.setCurrentWidget(ok)  # the slow one keeps running in the background
    assert window.status_label.text().startswith("201 Created")
    assert not window.progress_bar.isVisible()
    assert not window.bar.cancel_button.isEnabled()
    wait_until(ui_loop, lambda: slow.outcome.kind == "response")
    assert window.status_label.text().startswith("201 Created")  # not overwritten

    window.tabs.setCurrentWidget(slow)
    assert window.status_label.text().startswith("200 OK")
    assert window.status_label.property("state") == "ok"
    panel = window.response.panel
    wait_until(ui_loop, lambda: panel.response is slow.outcome.value)


def test_progress_text_gains_speed_and_eta(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/drip?numbytes=60&duration=6"))
    window.send_current()
    wait_until(ui_loop, lambda: "/s" in window.progress_bar.format())
    text = window.progress_bar.format()
    assert text.startswith("Downloading ")
    assert " of 60 B" in text
    assert "left" in text  # an ETA
    window.cancel_current()
    assert tab.outcome.kind == "cancelled"


def test_progress_repaints_are_coalesced(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    import time

    panel = window.response.panel
    calls: list[float] = []
    original = panel.show_progress

    def counting(progress: Any) -> None:
        calls.append(time.monotonic())
        original(progress)

    panel.show_progress = counting
    tab = window.open_tab(
        RequestSpec(url=f"{window.demo_server.url}/drip?numbytes=3000&duration=2")
    )
    window.send_current()
    started = time.monotonic()
    wait_until(ui_loop, lambda: tab.outcome.kind == "response")
    elapsed = time.monotonic() - started
    assert len(calls) > 5  # progress did reach the panel
    assert len(calls) / elapsed < 30, f"{len(calls)} repaints in {elapsed:.1f} s"
