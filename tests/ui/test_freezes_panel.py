"""Freeze forensics in the window: the lag label remembers a freeze, the Freezes panel names it.

The GUI-thread strategy against the demo API's ``/delay/1`` (a local server in its own process)
freezes the window for a second: the panel must show that freeze with the transport's ``send``
in the stack and the socket read as the culprit, and the status line must not promise an Esc
that a frozen window cannot handle.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QTreeWidget

from guiapp.core.request import RequestSpec
from guiapp.offload.freeze import FreezeReport
from guiapp.offload.stats import LagStats
from guiapp.ui.freezes_panel import FreezesPanel
from guiapp.ui.lag_indicator import FREEZE_MEMORY_S, LagIndicator
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until


def _report(duration_ms: float = 1240.0, kind: str = "busy", start: float = 0.0) -> FreezeReport:
    culprit = "json.loads(body) in on_click (main.py:42)"
    verdict = f"GUI thread busy in {culprit}"
    stack = "  loads (json/__init__.py:346)\n  on_click (main.py:42)  json.loads(body)"
    return FreezeReport(start, duration_ms, kind, verdict, culprit, stack, "MainThread", 50.0)


def _record_status(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    show = window.response_area.show_message

    def record(text: str, state: str = "ok") -> None:
        shown.append(text)
        show(text, state)

    monkeypatch.setattr(window.response_area, "show_message", record)
    return shown


def test_gui_thread_send_is_named_in_the_freezes_panel(
    qtbot: Any,
    window: MainWindow,
    ui_loop: asyncio.AbstractEventLoop,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown = _record_status(window, monkeypatch)
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/1"))
    window.send_tab(tab, "gui-thread")
    wait_until(ui_loop, lambda: tab.outcome.kind == "response", timeout=30)
    sending = [text for text in shown if "the window is frozen until the response arrives" in text]
    assert sending, shown  # painted before the freeze
    assert not [text for text in shown if "Esc" in text], shown

    def long_freezes() -> list[FreezeReport]:
        return [r for r in window.freezes_panel.reports() if r.duration_ms > 800]

    wait_until(ui_loop, long_freezes, timeout=10)
    report = long_freezes()[0]
    assert report.kind == "blocked", report.as_text()
    assert "recv" in report.culprit, report.culprit
    lines = report.stack.splitlines()
    assert any(line.lstrip().startswith("send (guiapp/core/transport.py:") for line in lines)
    assert "recv" in lines[0]  # innermost first: the socket read

    label = window.findChild(QLabel, "lagLabel")
    assert isinstance(label, LagIndicator)
    wait_until(ui_loop, lambda: "froze" in label.text())
    assert label.property("level") == "bad"

    dock = window.findChild(QDockWidget, "freezesDock")
    assert dock is not None
    assert not dock.isVisible()
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert dock.isVisible()
    panel = window.freezes_panel
    # The freeze the label shows (the worst of the last 30 s) is the one selected.
    assert panel.selected_report() is label.last_freeze()
    assert label.last_freeze().duration_ms > 800
    table = panel.findChild(QTreeWidget, "freezesList")
    table.setCurrentItem(table.topLevelItem(panel.reports().index(report)))
    assert report.verdict in panel.details.toPlainText()
    assert panel.copy_button.isEnabled()
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == report.as_text()


def test_offloaded_send_keeps_promising_esc(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = _record_status(window, monkeypatch)
    tab = window.open_tab(RequestSpec(url=f"{window.demo_server.url}/delay/1"))
    window.send_tab(tab, "asyncio-executor")
    wait_until(ui_loop, lambda: any(text.endswith("Esc cancels") for text in shown))
    window.cancel_current()
    wait_until(ui_loop, lambda: not tab.in_flight)


def test_panel_lists_newest_first_with_duration_verdict_and_culprit(qtbot: Any) -> None:
    panel = FreezesPanel()
    qtbot.addWidget(panel)
    assert panel.findChild(QLabel, "freezesEmpty").isVisibleTo(panel)
    old, new = _report(300.0, start=1000.0), _report(1240.0, "starved", start=1001.5)
    panel.add_report(old)
    panel.add_report(new)
    assert panel.reports() == [new, old]
    table = panel.findChild(QTreeWidget, "freezesList")
    top = table.topLevelItem(0)
    assert [top.text(i) for i in (1, 2, 3)] == [
        "1240",
        "starved of the GIL by MainThread",
        "json.loads(body) in on_click (main.py:42)",
    ]
    assert not panel.copy_button.isEnabled()
    table.setCurrentItem(table.topLevelItem(1))
    assert panel.details.toPlainText() == old.as_text()
    assert "on_click (main.py:42)  json.loads(body)" in panel.details.toPlainText()
    assert panel.copy_selected() == old.as_text()


def test_many_rows_sort_by_duration_keep_their_widths_and_drop_the_oldest(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("guiapp.ui.freezes_panel.MAX_ROWS", 20)
    panel = FreezesPanel()
    qtbot.addWidget(panel)
    table = panel.findChild(QTreeWidget, "freezesList")
    table.header().resizeSection(2, 333)  # the user widened the Verdict column
    reports = [_report(float(d), start=1000.0 + i) for i, d in enumerate([60, 3074, 152, 75])]
    for report in reports:
        panel.add_report(report)
    assert panel.reports() == reports[::-1]  # newest first
    assert table.header().sectionSize(2) == 333  # adding rows measures no column

    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # a click on "Duration"
    assert [r.duration_ms for r in panel.reports()] == [3074, 152, 75, 60]  # not "75" > "3074"
    panel.add_report(_report(500.0, start=2000.0))
    assert [r.duration_ms for r in panel.reports()][:2] == [3074, 500]

    for i in range(30):  # over the cap: the oldest rows go, whatever the sort
        panel.add_report(_report(51.0, start=3000.0 + i))
    shown = panel.reports()
    assert len(shown) == 20
    assert reports[1] not in shown
    assert min(r.start for r in shown) == 3010.0

    assert panel.select_report(shown[5])
    assert panel.selected_report() is shown[5]
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert panel.reports() == []
    assert panel.details.toPlainText() == ""
    assert not panel.copy_button.isEnabled()
    assert panel.findChild(QLabel, "freezesEmpty").isVisibleTo(panel)


def test_lag_label_keeps_the_worst_recent_freeze_over_later_short_ones(qtbot: Any) -> None:
    now = [1000.0]
    label = LagIndicator(clock=lambda: now[0])
    qtbot.addWidget(label)
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))
    big, small = _report(3074.0), _report(152.0)
    label.show_freeze(big)
    now[0] += 3
    label.show_freeze(small)  # e.g. the first paint after the freeze
    assert label.last_freeze() is big
    assert label.text() == "GUI lag p99 0.4 ms · max 1 ms · froze 3074 ms, 3 s ago"
    assert label.property("level") == "bad"
    assert label.toolTip().startswith("Latest freeze:")
    now[0] += FREEZE_MEMORY_S - 1  # the big one is 32 s old, the small one 29 s
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))
    assert label.last_freeze() is small
    assert label.property("level") == "warn"
    now[0] += 2
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))
    assert label.last_freeze() is None
    assert label.property("level") == "ok"


def test_lag_label_colours_by_the_worst_stall_and_remembers_a_freeze(qtbot: Any) -> None:
    now = [1000.0]
    label = LagIndicator(clock=lambda: now[0])
    qtbot.addWidget(label)
    label.show_stats(LagStats(400, 0.2, 0.4, 60.0, 0.3, 1))  # low p99, one 60 ms stall
    assert label.property("level") == "warn"
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))
    assert label.property("level") == "ok"

    # Opening a menu on a software-rendered screen: noticeable, not an alarm.
    label.show_stats(LagStats(400, 0.2, 0.4, 146.0, 0.3, 1))
    assert label.property("level") == "warn"
    label.show_freeze(_report(146.0))
    assert label.property("level") == "warn"
    assert label.text() == "GUI lag p99 0.4 ms · max 146 ms · froze 146 ms, 0 s ago"
    label.show_stats(LagStats(400, 0.2, 0.4, 449.0, 0.3, 1))
    assert label.property("level") == "bad"

    label.show_freeze(_report(1240.0))
    now[0] += 12
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))  # the stall left the window
    assert label.text() == "GUI lag p99 0.4 ms · max 1 ms · froze 1240 ms, 12 s ago"
    assert label.property("level") == "bad"
    assert "GUI thread busy in json.loads(body)" in label.toolTip()
    now[0] += FREEZE_MEMORY_S
    label.show_stats(LagStats(400, 0.2, 0.4, 1.0, 0.3, 0))
    assert label.text() == "GUI lag p99 0.4 ms · max 1 ms"
    assert label.property("level") == "ok"
    assert label.last_freeze() is None

    with qtbot.waitSignal(label.clicked, timeout=1000):
        qtbot.mouseClick(label, Qt.MouseButton.LeftButton)


def test_opening_the_freezes_panel_does_not_resize_the_window(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    # Shorter than the tabs' and the panel's minimum heights together: Qt would grow the
    # window to fit the dock, off the bottom of a laptop screen.
    window.resize(1000, 600)
    wait_until(ui_loop, lambda: window.size() == QSize(1000, 600))
    dock = window.findChild(QDockWidget, "freezesDock")
    assert dock is not None
    assert not dock.isVisible()
    window.show_freezes()
    layout = window.layout()
    assert layout is not None
    layout.activate()  # what the next event-loop turn does: the window's size is final
    assert dock.isVisible()
    assert window.size() == QSize(1000, 600)
    assert dock.height() > 0
    assert window.findChild(QTreeWidget, "freezesList").height() > 0
    dock.hide()
    layout.activate()
    assert window.size() == QSize(1000, 600)
