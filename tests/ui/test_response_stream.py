"""The Stream view (responseStream): live events for each strategy, follow, filter, pause,
assembled chat text, save, copy, cancel of an endless stream."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QPushButton, QTableView

from guiapp.ui.main_window import MainWindow
from guiapp.ui.response_stream import ResponseStream
from tests.ui.conftest import wait_until
from tests.ui.test_window_send import send_url, widgets

STRATEGIES = ["asyncio-executor", "qthread", "gui-thread"]


def stream_view(window: MainWindow) -> ResponseStream:
    view = window.findChild(ResponseStream, "responseStream")
    assert view is not None
    return view


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_event_is_shown_for_each_strategy(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, strategy: str
) -> None:
    url = window.demo_server.url + "/sse/counter?n=400&rate=0"
    send_url(qtbot, window, ui_loop, url, strategy)
    view = stream_view(window)
    wait_until(ui_loop, lambda: view.shown_count() == 400)
    assert view.event_count() == 400
    panel = window.response.panel
    assert panel.tabs.currentWidget() is view
    assert view.model.event_at(399).id == "399"
    assert view.counts.text().startswith("Ended: 400 events in ")  # the final summary
    assert "first event after" in panel.timing.plain_text()
    from guiapp.ui.history_recorder import summarize

    summary = summarize(window.current_tab().outcome.value)
    assert summary is not None
    assert summary.stream is not None
    assert summary.stream.startswith("400 events (SSE), ")  # what history keeps


def test_live_events_arrive_before_the_stream_ends(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    w = widgets(window)
    w["url"].clear()
    qtbot.keyClicks(w["url"], window.demo_server.url + "/sse/forever?interval=0.05")
    qtbot.mouseClick(w["send"], Qt.MouseButton.LeftButton)
    view = stream_view(window)
    wait_until(ui_loop, lambda: view.shown_count() >= 5)
    assert window.current_tab().outcome.kind == "sending"  # still streaming
    qtbot.mouseClick(w["cancel"], Qt.MouseButton.LeftButton)
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "cancelled")
    kept = view.event_count()
    assert kept >= 5  # the events received before the cancel stay on screen
    wait_until(ui_loop, lambda: not w["cancel"].isEnabled())


def test_chat_streams_show_the_assembled_text(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/sse/chat?tokens=6&delay=0")
    view = stream_view(window)
    assembled = window.findChild(QPlainTextEdit, "streamAssembled")
    expected = "Streaming responses arrive token by token,"
    wait_until(ui_loop, lambda: assembled.toPlainText() == expected)
    assert view.event_count() == 7  # six tokens and [DONE]
    send_url(
        qtbot,
        window,
        ui_loop,
        window.demo_server.url + "/sse/chat?tokens=3&delay=0&style=anthropic",
    )
    wait_until(ui_loop, lambda: assembled.toPlainText() == "Streaming responses arrive")


def test_filter_pause_follow_detail_copy_and_save(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/ndjson?n=200&rate=0&bad=50")
    view = stream_view(window)
    wait_until(ui_loop, lambda: view.shown_count() == 200)
    assert "4 bad lines" in view.counts.text()
    window.findChild(QLineEdit, "streamFilter").setText("event:error")
    wait_until(ui_loop, lambda: view.shown_count() == 4)
    assert [view.model.event_at(i).line for i in range(4)] == [50, 100, 150, 200]
    table = window.findChild(QTableView, "streamTable")
    table.selectRow(0)
    detail = window.findChild(QPlainTextEdit, "streamDetail").toPlainText()
    assert "Not JSON:" in detail
    assert "line: 50" in detail
    qtbot.mouseClick(window.findChild(QPushButton, "streamCopy"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == view.model.event_at(0).data
    window.findChild(QLineEdit, "streamFilter").setText("")
    wait_until(ui_loop, lambda: view.shown_count() == 200)
    table.selectRow(1)
    pretty = window.findChild(QPlainTextEdit, "streamDetail").toPlainText()
    assert '\n  "n": 1,' in pretty  # JSON data pretty-printed
    target = tmp_path / "events.jsonl"
    assert view.save_events(str(target)) == 200
    lines = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["data"].startswith('{"n": 0')


def start_forever(qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop) -> None:
    w = widgets(window)
    w["url"].clear()
    qtbot.keyClicks(w["url"], window.demo_server.url + "/sse/forever?interval=0.02")
    qtbot.mouseClick(w["send"], Qt.MouseButton.LeftButton)
    view = stream_view(window)
    wait_until(ui_loop, lambda: view.shown_count() >= 3)


def pause_live_display(ui_loop: asyncio.AbstractEventLoop, view: ResponseStream) -> int:
    assert view.pause.isEnabled()
    view.pause.setChecked(True)
    frozen = view.shown_count()
    wait_until(ui_loop, lambda: view.event_count() >= frozen + 3)
    assert view.shown_count() == frozen  # paused: received and counted, not shown
    assert f"display paused at {frozen:,}" in view.counts.text()
    return frozen


def test_pause_is_for_a_live_stream_and_clears_on_a_new_send_and_on_cancel(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    view = stream_view(window)
    pause = window.findChild(QCheckBox, "streamPause")
    start_forever(qtbot, window, ui_loop)
    pause_live_display(ui_loop, view)
    # A new send replaces the paused stream: the new one starts unpaused, and ends summed up.
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/sse/counter?n=50&rate=0")
    wait_until(ui_loop, lambda: view.shown_count() == 50)
    assert not pause.isChecked()
    assert not pause.isEnabled()  # an ended stream has nothing more to pause
    wait_until(ui_loop, lambda: view.counts.text().startswith("Ended: 50 events in "))
    assert "display paused" not in view.counts.text()
    # Cancel while paused: every event received is shown, and the view says it was cancelled.
    start_forever(qtbot, window, ui_loop)
    assert not pause.isChecked()
    assert pause.isEnabled()
    pause_live_display(ui_loop, view)
    qtbot.mouseClick(widgets(window)["cancel"], Qt.MouseButton.LeftButton)
    wait_until(ui_loop, lambda: view.counts.text().startswith("Cancelled: "))
    received = view.event_count()
    assert view.shown_count() == received
    assert not pause.isChecked()
    assert not pause.isEnabled()
    counts = view.counts.text()
    assert "display paused" not in counts
    match = re.match(r"Cancelled: ([\d,]+) events in (\d+\.\d\d) s · ([\d,]+) bytes", counts)
    assert match is not None, counts
    assert int(match[1].replace(",", "")) == received
    assert float(match[2]) > 0
    assert int(match[3].replace(",", "")) > received  # each event is several bytes
    assert "/s" not in counts  # no rate once nothing more comes
    start_forever(qtbot, window, ui_loop)  # and the next stream is live and pausable again
    assert pause.isEnabled()
    assert not view.counts.text().startswith("Cancelled")
    qtbot.mouseClick(widgets(window)["cancel"], Qt.MouseButton.LeftButton)
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "cancelled")


def test_the_counts_sum_up_an_ended_or_cancelled_stream(qtbot: Any) -> None:
    from guiapp.core.stream_log import StreamLog
    from guiapp.core.streams import StreamEvent, StreamSummary
    from guiapp.offload import Offloader

    pool = Offloader(max_workers=1, name="test-stream-counts")
    view = ResponseStream(pool)
    qtbot.addWidget(view)
    ended = StreamLog()
    view.show_log(ended)
    ended.append(
        [
            StreamEvent(index=i, at=0.004 + i, kind="ndjson", event="json", data="1", size=2)
            for i in range(3)
        ]
        + [StreamEvent(index=3, at=3.0, kind="ndjson", event="error", data="{", error="bad")]
    )
    view.refresh()
    assert view.counts.text().startswith("4 events · ")
    summary = StreamSummary("ndjson", events=4, errors=1, bytes=9, duration=3.25)
    view.finish(replace(summary, incomplete_bytes=16))
    assert view.counts.text() == (
        "Ended: 4 events in 3.25 s · 9 bytes · first after 4 ms\n"
        "1 bad line · the stream ended mid-event (16 bytes dropped)"
    )
    assert view.ended()
    cancelled = StreamLog()
    view.show_log(cancelled)
    assert not view.ended()
    assert view.pause.isEnabled()
    cancelled.append([StreamEvent(index=0, at=0.5, kind="sse", event="tick", data="a", size=8)])
    cancelled.mark_cancelled(1.5)
    view.refresh()
    assert view.ended()
    assert view.counts.text() == "Cancelled: 1 event in 1.50 s · 8 bytes · first after 500 ms"
    view.show_log(None)
    ended.close()
    cancelled.close()
    pool.close()


def test_scrolled_up_the_view_stops_following_and_offers_a_jump(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    w = widgets(window)
    w["url"].clear()
    qtbot.keyClicks(w["url"], window.demo_server.url + "/sse/counter?n=3000&rate=400")
    qtbot.mouseClick(w["send"], Qt.MouseButton.LeftButton)
    view = stream_view(window)
    table = window.findChild(QTableView, "streamTable")
    wait_until(ui_loop, lambda: view.shown_count() > 200)
    table.verticalScrollBar().setValue(0)  # the user scrolls up
    jump = window.findChild(QPushButton, "streamJumpNew")
    wait_until(ui_loop, lambda: jump.isVisible() and "new" in jump.text())
    assert table.verticalScrollBar().value() == 0  # not dragged back down
    qtbot.mouseClick(jump, Qt.MouseButton.LeftButton)
    assert not jump.isVisible()
    bar = table.verticalScrollBar()
    assert bar.value() >= bar.maximum() - 2
    qtbot.mouseClick(w["cancel"], Qt.MouseButton.LeftButton)
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind == "cancelled")


def test_a_plain_response_has_no_stream_tab(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/sse/counter?n=3&rate=0")
    panel = window.response.panel
    index = panel.tabs.indexOf(stream_view(window))
    assert panel.tabs.isTabVisible(index)
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/get")
    assert not panel.tabs.isTabVisible(index)
    assert stream_view(window).event_count() == 0


def test_the_stream_options_round_trip_through_the_editor(qtbot: Any) -> None:
    from guiapp.core.request import RequestSpec
    from guiapp.ui.options_editor import OptionsEditor

    editor = OptionsEditor()
    qtbot.addWidget(editor)
    assert editor.options()["stream"] is False
    assert editor.options()["stream_idle_timeout"] is None
    editor.load_options(RequestSpec(url="http://h/", stream=True, stream_idle_timeout=2.5))
    assert editor.findChild(QCheckBox, "streamResponse").isChecked()
    assert editor.options()["stream"] is True
    assert editor.options()["stream_idle_timeout"] == 2.5
    editor.findChild(QCheckBox, "streamIdleLimit").setChecked(False)
    assert editor.options()["stream_idle_timeout"] is None


def test_a_new_stream_starts_unfiltered_and_each_stream_keeps_its_filter(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    view = stream_view(window)
    filter_edit = window.findChild(QLineEdit, "streamFilter")
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/ndjson?n=200&rate=0&bad=50")
    first = window.current_tab()
    filter_edit.setText("event:error")
    wait_until(ui_loop, lambda: view.shown_count() == 4)
    # the next stream, in the same tab: nothing of the old filter is left
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/sse/counter?n=50&rate=0")
    wait_until(ui_loop, lambda: view.shown_count() == 50)
    assert filter_edit.text() == ""
    assert "match the filter" not in view.counts.text()
    filter_edit.setText("event:error")
    wait_until(ui_loop, lambda: view.shown_count() == 0)
    # another tab's new stream is unfiltered; back on the first tab, its filter is back
    window.open_tab()
    send_url(qtbot, window, ui_loop, window.demo_server.url + "/sse/counter?n=30&rate=0")
    wait_until(ui_loop, lambda: view.shown_count() == 30)
    assert filter_edit.text() == ""
    window.tabs.setCurrentWidget(first)
    wait_until(ui_loop, lambda: view.event_count() == 50)
    assert filter_edit.text() == "event:error"
    wait_until(ui_loop, lambda: "0 match the filter" in view.counts.text())


def test_rows_show_as_they_arrive_at_most_once_per_refresh_period(qtbot: Any) -> None:
    import time

    from guiapp.core.stream_log import StreamLog
    from guiapp.core.streams import StreamEvent
    from guiapp.offload import Offloader
    from guiapp.ui.response_stream import REFRESH_MS

    pool = Offloader(max_workers=1, name="test-stream-view")
    view = ResponseStream(pool)
    qtbot.addWidget(view)
    log = StreamLog()
    view.show_log(log)
    inserts: list[int] = []
    view.model.rowsInserted.connect(lambda _parent, first, last: inserts.append(last - first + 1))

    def event(i: int) -> StreamEvent:
        return StreamEvent(index=i, at=0.0, kind="sse", event="tick", data=str(i))

    view._last_refresh -= 1.0  # a quiet second since the view last refreshed
    log.append([event(0)])
    assert view.shown_count() == 1  # at once: no polling timer in between
    started = time.monotonic()
    for i in range(1, 201):  # a burst, without letting the event loop run
        log.append([event(i)])
    elapsed_ms = (time.monotonic() - started) * 1000
    assert len(inserts) <= 2 + elapsed_ms / REFRESH_MS  # refreshes are rate-limited
    qtbot.waitUntil(lambda: view.shown_count() == 201)  # the rest follows without new events
    view.show_log(None)
    log.close()
    pool.close()


@pytest.mark.parametrize(
    ("path", "says", "first_data"),
    [
        # Invalid UTF-8 is shown as U+FFFD; the unfinished last event is dropped, and said so.
        ("/sse-cut-mid-event", "the stream ended mid-event (16 bytes dropped)", "caf\ufffd"),
        # Lines that are not fields are skipped, as the spec says, and counted.
        ("/sse-malformed", "4 lines ignored (not valid SSE fields)", "ok"),
        # One 100 MB event: 1 MiB of it is kept and the row says how much was not.
        ("/sse-huge-event", "1 cut at 1 MiB", "x" * 100),
    ],
)
def test_bad_streams_end_with_a_clear_message_in_the_window(
    qtbot: Any,
    window: MainWindow,
    ui_loop: asyncio.AbstractEventLoop,
    path: str,
    says: str,
    first_data: str,
) -> None:
    from tests.faultserver import FaultServer

    with FaultServer(lifetime=60) as server:
        send_url(qtbot, window, ui_loop, server.url(path))
    view = stream_view(window)
    wait_until(ui_loop, lambda: view.counts.text().startswith("Ended: "))
    assert says in view.counts.text()
    first = view.model.event_at(0)
    assert first is not None
    assert first.data.startswith(first_data)
    if path == "/sse-huge-event":
        preview = view.model.data(view.model.index(0, 4))
        assert str(preview).endswith(f"[+{(100 << 20) - len(first.data):,} bytes not kept]")
        assert view.model.event_at(1).data == "after"
