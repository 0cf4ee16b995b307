"""The Lab window: runs fill the table, exports are valid files, closing mid-run leaks nothing."""

from __future__ import annotations

import asyncio
import csv
import re
import threading
from multiprocessing import resource_tracker
from pathlib import Path

import pytest
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QMainWindow

from guiapp.lab.results import COLUMNS
from guiapp.lab.workloads import Workload
from guiapp.ui.lab import LabWindow, install_lab

from .conftest import child_pids, run, strategy_threads, until

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def lab(qtbot, lab_loop: asyncio.AbstractEventLoop):
    window = LabWindow()
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    run(lab_loop, until(lambda: not window.is_running()))


def _select(window: LabWindow, workload: Workload, strategies: list[str]) -> None:
    window.workload_form.set_workload(workload)
    window.strategy_form.set_checked(strategies)


async def _run_selected(window: LabWindow) -> None:
    assert window.run_selected() is not None
    await until(lambda: not window.is_running())


def test_runs_fill_the_table_and_exports_are_valid(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        _select(lab, Workload("http_delay", tasks=3, delay=0.05), ["gui_thread", "make_async"])
        lab.strategy_form.pools["make_async"].setValue(2)
        await _run_selected(lab)
        _select(lab, Workload("cpu_loop", tasks=2, iterations=20_000), ["qthread", "native_async"])
        await _run_selected(lab)  # native_async does not apply to cpu_loop: only qthread runs

    run(lab_loop, scenario())
    rows = lab.table.rows()
    assert [(r["workload"], r["strategy"]) for r in rows] == [
        ("http_delay", "gui_thread"),
        ("http_delay", "make_async(2)"),
        ("cpu_loop", "qthread"),
    ]
    assert lab.table.rowCount() == 3
    for row in rows:
        assert row["status"] == "ok"
        assert row["completed"] == row["tasks"]
        assert 0 <= row["lag_p50_ms"] <= row["lag_p99_ms"] <= row["lag_max_ms"]
        assert row["wall_s"] > 0
        assert row["peak_rss_mb"] > 0
    assert rows[0]["added_threads"] == 0
    assert 1 <= rows[1]["added_threads"] <= 2 + 1  # 2 workers + the Offloader's starter
    assert rows[2]["added_threads"] <= 2
    assert lab.plots.curve_count() == 1  # each batch starts fresh plots; its runs accumulate

    csv_path = lab.export_csv(tmp_path / "lab.csv")
    with csv_path.open(newline="") as stream:
        parsed = list(csv.DictReader(stream))
    assert list(parsed[0]) == list(COLUMNS)
    assert [r["strategy"] for r in parsed] == [r["strategy"] for r in rows]
    assert float(parsed[1]["wall_s"]) == pytest.approx(rows[1]["wall_s"])

    png_path = lab.export_png(tmp_path / "lab.png")
    assert png_path.read_bytes().startswith(PNG_MAGIC)
    image = QImage(str(png_path))
    assert image.width() > 200
    assert image.height() > 200


def test_not_applicable_strategies_are_disabled(lab: LabWindow) -> None:
    lab.workload_form.set_workload(Workload("cpu_loop"))
    assert not lab.strategy_form.checks["native_async"].isEnabled()
    assert lab.strategy_form.checks["process"].isEnabled()
    lab.workload_form.set_workload(Workload("http_delay"))
    assert lab.strategy_form.checks["native_async"].isEnabled()
    assert not lab.strategy_form.checks["process"].isEnabled()
    assert "n/a" in lab.strategy_form.checks["process"].text()


def test_the_django_workload_is_listed_with_its_strategies(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop
) -> None:
    pytest.importorskip("django", reason="Django comes with the test extra")
    assert lab.workload_form.combo.findData("django_etl") >= 0
    lab.workload_form.set_workload(Workload("django_etl", tasks=2, rows=5))
    for name in ("sync_to_async", "serial_lane", "django_async", "gui_thread", "make_async"):
        assert lab.strategy_form.checks[name].isEnabled(), name
    assert not lab.strategy_form.checks["native_async"].isEnabled()
    assert "async_unsafe" in lab.workload_form.flags
    _select(lab, Workload("django_etl", tasks=2, rows=5), ["serial_lane", "gui_thread"])
    run(lab_loop, _run_selected(lab))
    rows = {r["strategy"]: r for r in lab.table.rows()}
    assert rows["serial_lane"]["status"] == "ok"
    assert "(lab-orm-1)" in rows["serial_lane"]["detail"]
    assert rows["gui_thread"]["status"].startswith("error: SynchronousOnlyOperation")
    lab.workload_form.set_workload(Workload("cpu_loop"))
    assert not lab.strategy_form.checks["serial_lane"].isEnabled()


def test_explain_panel_shows_the_last_measured_cost(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop
) -> None:
    lab.show_explanation("qthread")
    assert "Not run yet" in lab.explain.toPlainText()
    assert "run_in_qthread" in lab.explain.toPlainText()
    _select(lab, Workload("sqlite_legacy", tasks=1, rows=5), ["qthread"])
    run(lab_loop, _run_selected(lab))
    text = lab.explain.toPlainText()
    assert "Last run (Legacy sqlite code tasks=1" in text
    # The thread count is the process's (psutil): one QThread for the call, give or take a
    # thread that earlier work started and that ended during the run.
    assert re.search(r"[+-]\d+ threads?, peak RSS \d+ MB", text), text
    for way in ("make_async", "QThread worker", "native async"):  # the side-by-side code
        assert way in text


LONG = {
    "make_async": Workload("http_delay", tasks=4, delay=10),
    "qasync_default": Workload("http_delay", tasks=4, delay=10),
    "qthread": Workload("http_delay", tasks=4, delay=10),
    "qthreadpool": Workload("http_delay", tasks=4, delay=10),
    "native_async": Workload("http_delay", tasks=4, delay=10),
    "process": Workload("cpu_loop", tasks=2, iterations=10**9),
}


@pytest.mark.parametrize("strategy", list(LONG))
def test_closing_mid_run_leaves_no_threads_or_processes(
    qtbot, lab_loop: asyncio.AbstractEventLoop, strategy: str
) -> None:
    # multiprocessing's resource tracker: one per interpreter, started by the first spawn and
    # kept until exit by design. Start it first, so that it is not counted as a leak.
    resource_tracker.ensure_running()
    threads_before = strategy_threads()
    python_threads_before = set(threading.enumerate())
    children_before = child_pids()
    window = LabWindow()
    qtbot.addWidget(window)
    window.show()
    _select(window, LONG[strategy], [strategy])
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))

    async def scenario() -> float:
        window.run_selected()
        # In flight: the run is measuring and (except native async) its workers exist.
        await until(lambda: window._current is not None)
        current = window._current
        await until(lambda: len(current.lag_series) > 20)
        if strategy != "native_async":
            await until(lambda: strategy_threads() - threads_before)
        assert window._current is current
        assert current.completed == 0
        window.close()
        took = await until(lambda: closed, within=10)
        await until(lambda: strategy_threads() <= threads_before, within=5)
        await until(lambda: set(threading.enumerate()) <= python_threads_before, within=5)
        await until(lambda: child_pids() <= children_before, within=5)
        return took

    took = run(lab_loop, scenario())
    assert took < 5  # far less than the 10 s calls: they were cancelled, not waited for
    rows = window.table.rows()
    assert [r["status"] for r in rows] == ["aborted"]
    assert rows[0]["completed"] == 0


class _Host(QMainWindow):
    shutDown = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.view_menu = self.menuBar().addMenu("&View")

    def add_view_action(self, action: QAction) -> None:
        self.view_menu.addAction(action)


def test_install_lab_adds_a_view_action(qtbot, lab_loop: asyncio.AbstractEventLoop) -> None:
    host = _Host()
    qtbot.addWidget(host)
    launcher = install_lab(host)
    action = launcher.action
    assert action in host.view_menu.actions()
    action.trigger()
    lab = launcher.windows["lab"]
    assert isinstance(lab, LabWindow)
    assert lab.isVisible()
    action.trigger()  # a second trigger raises the same window
    assert launcher.windows["lab"] is lab
    host.shutDown.emit()
    assert not lab.isVisible()
    assert "lab" not in launcher.windows


def test_ball_stutters_on_the_gui_thread_and_not_otherwise(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop
) -> None:
    gaps = {}

    async def scenario() -> None:
        for strategy in ("gui_thread", "make_async"):
            _select(lab, Workload("http_delay", tasks=2, delay=0.25), [strategy])
            await _run_selected(lab)
            gaps[strategy] = lab.ball.max_gap_ms
            assert "longest frame gap" in lab.status.text()

    run(lab_loop, scenario())
    assert gaps["gui_thread"] >= 200  # the ball froze for a whole 250 ms call
    assert gaps["make_async"] < gaps["gui_thread"] / 2


def test_stop_aborts_the_batch_and_the_next_run_works(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop
) -> None:
    async def scenario() -> float:
        _select(lab, Workload("http_delay", tasks=3, delay=10), ["qthread", "make_async"])
        lab.run_selected()
        await until(lambda: lab._current is not None)
        current = lab._current
        await until(lambda: len(current.lag_series) > 20)
        assert lab.stop_button.isEnabled()
        lab.stop_button.click()
        took = await until(lambda: not lab.is_running(), within=10)
        _select(lab, Workload("http_delay", tasks=2, delay=0.05), ["make_async"])
        await _run_selected(lab)
        return took

    took = run(lab_loop, scenario())
    assert took < 5  # the 10 s calls were cut at the socket
    rows = lab.table.rows()
    assert [(r["strategy"], r["status"]) for r in rows] == [
        ("make_async(64)", "aborted"),  # the batch stops there: qthread never starts
        ("make_async(64)", "ok"),
    ]
    assert lab.status.text().startswith("make_async(64):")
    assert lab.run_button.isEnabled()
    assert not lab.stop_button.isEnabled()


def test_a_failed_batch_says_why_in_the_status_and_the_lab_is_idle_again(
    lab: LabWindow, lab_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_matrix(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError("the demo API did not start")

    monkeypatch.setattr("guiapp.ui.lab.window.run_matrix", broken_matrix)
    idle: list[bool] = []
    lab.idle.connect(lambda: idle.append(True))
    _select(lab, Workload("cpu_loop", tasks=1, iterations=1_000), ["gui_thread"])
    run(lab_loop, _run_selected(lab))
    assert lab.status.text() == "Failed: RuntimeError: the demo API did not start"
    assert idle == [True]
    assert lab.run_button.isEnabled()
