"""The status line, the lag indicator and the response area follow the current tab."""

from __future__ import annotations

import asyncio
import re
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
    status = window.status_label.text()
    # Never "Receiving" while nothing has arrived: the connection / the wait for the headers.
    assert status.startswith(("Starting · ", "Connecting to 127.0.0.1:")), status
    assert window.progress_bar.isVisible()
    assert window.bar.cancel_button.isEnabled()

    window.tabs.setCurrentWidget(ok)  # the slow one keeps running in the background
    assert window.status_label.text().startswith("Sent GET /status/201 in ")
    assert not window.progress_bar.isVisible()
    assert not window.bar.cancel_button.isEnabled()
    wait_until(ui_loop, lambda: slow.outcome.kind == "response")
    assert window.status_label.text().startswith("Sent GET /status/201 in ")  # not overwritten

    window.tabs.setCurrentWidget(slow)
    assert window.status_label.text().startswith("Sent GET /delay/1 in ")
    assert window.status_label.property("state") == "ok"
    panel = window.response.panel
    wait_until(ui_loop, lambda: panel.response is slow.outcome.value)


_CLOCK = re.compile(r" · \d\d:\d\d:\d\d$")


def _summary(window: MainWindow, ui_loop: asyncio.AbstractEventLoop, kind: str) -> str:
    panel = window.response.panel
    wait_until(ui_loop, lambda: panel.state == kind)
    return str(panel.summary_plain_text())


def _assert_not_repeated(status: str, summary: str) -> None:
    """The status line and the summary share no statement (beyond the method and path)."""
    first_line = summary.splitlines()[0]
    for part in first_line.split(" · "):
        assert part not in status, (part, status)
    assert status not in summary


def test_status_line_says_what_happened_and_the_summary_says_the_status(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    window.open_tab(RequestSpec(url=f"{base}/status/404", params=(("q", "1"),)))
    window.send_current()
    summary = _summary(window, ui_loop, "response")
    status = window.status_label.text()
    assert summary.startswith("404 Not Found · HTTP/1.1 · Time ")  # the authoritative one
    assert status.startswith("Sent GET /status/404?q=1 in "), status
    assert _CLOCK.search(status), status  # and when
    assert window.status_label.property("state") == "client-error"  # the colour still says it
    _assert_not_repeated(status, summary)
    assert f"{base}/status/404?q=1" in window.status_label.toolTip()  # the full URL on hover


def test_status_line_counts_redirects(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.open_tab(RequestSpec(url=f"{window.demo_server.url}/redirect/2"))
    window.send_current()
    summary = _summary(window, ui_loop, "response")
    status = window.status_label.text()
    assert " · followed 2 redirects · " in status, status
    _assert_not_repeated(status, summary)


def test_status_line_while_streaming_then_cancelled_after_bytes(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    tab = window.open_tab(
        RequestSpec(url=f"{window.demo_server.url}/drip?numbytes=100&duration=20")
    )
    window.send_current()
    wait_until(ui_loop, lambda: window.status_label.text().startswith("Receiving "))
    assert " of 100 B · " in window.status_label.text()  # bytes received of the total
    assert window.status_label.text().endswith(" · Esc cancels")
    summary = _summary(window, ui_loop, "sending")
    # Bytes arrive: the summary no longer says "Sending" (the response is under way).
    assert summary.startswith("Receiving the response to GET "), summary
    assert summary.endswith("/drip?numbytes=100&duration=20…")  # the params are part of it
    _assert_not_repeated(window.status_label.text(), summary)
    wait_until(ui_loop, lambda: tab.progress is not None and tab.progress.done >= 2)
    window.cancel_current()
    status = window.status_label.text()
    assert re.match(
        r"Cancelled GET /drip\?numbytes=100&duration=20 after \d+ ms · \d+ B received · ", status
    ), status
    assert _CLOCK.search(status)
    assert window.status_label.property("state") == "cancelled"
    _assert_not_repeated(status, _summary(window, ui_loop, "cancelled"))


def test_status_line_is_short_for_errors_and_the_panel_has_the_details(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.open_tab(RequestSpec(url="http://127.0.0.1:9/x"))
    window.send_current()
    summary = _summary(window, ui_loop, "error")
    status = window.status_label.text()
    assert summary.startswith("Connection refused: "), summary
    assert re.match(r"GET /x failed: connection refused · \d\d:\d\d:\d\d$", status), status
    assert window.status_label.property("state") == "error"


def test_idle_tab_status_line_is_quiet(window: MainWindow) -> None:
    window.open_tab()
    assert window.status_label.text() == "Ready"
    assert window.status_label.property("state") == "idle"


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


def test_the_summary_says_sending_until_the_response_starts_then_receiving(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/2"))
    window.send_current()
    wait_until(ui_loop, lambda: tab.in_flight)
    summary = _summary(window, ui_loop, "sending")
    assert summary.startswith("Sending GET "), summary  # nothing has come back yet
    stream = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/sse/forever?interval=0.05"))
    window.send_current()
    wait_until(ui_loop, lambda: stream.stream_log is not None and len(stream.stream_log) >= 3)
    assert stream.outcome.kind == "sending"  # still streaming
    summary = str(window.response.panel.summary_plain_text())
    assert summary.startswith("Receiving the response to GET "), summary
    assert not window.status_label.text().startswith(("Starting", "Connecting", "Request sent"))
    window.cancel_current()
    window.tabs.setCurrentWidget(tab)
    window.cancel_current()


def test_a_notice_gives_way_to_the_tab_state(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.open_tab()
    area = window.response_area
    area.notice_ms = {"ok": 100, "error": 100}
    window.show_message("Reverted “GET /x” to the saved version", "ok")
    assert window.status_label.text().startswith("Reverted ")
    wait_until(ui_loop, lambda: window.status_label.text() == "Ready")
    assert window.status_label.property("state") == "idle"
    # A state change replaces a notice at once, however long it was to stay.
    area.notice_ms = {"ok": 600_000, "error": 600_000}
    window.show_message("Could not save the request: disk full", "error")
    tab = window.open_tab(RequestSpec(url="http://127.0.0.1:9/x"))
    window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "error")
    wait_until(ui_loop, lambda: window.status_label.text().startswith("GET /x failed"))
