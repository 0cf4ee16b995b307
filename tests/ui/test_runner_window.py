"""The runner window, driven as a user would, against the demo API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gc
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.core.transport import make_session, send
from guiapp.demo import DemoServer
from guiapp.offload import Offloader
from guiapp.ui.runner import RunnerWindow, RunTarget
from guiapp.ui.runner.results_model import STATE_ROLE
from tests.ui import test_workspace_tree
from tests.ui.conftest import run_for, wait_until
from tests.ui.test_workspace_tree import open_test_collection

OK = RequestTests(checks=(Check("status", "==", 200),))
workspace = test_workspace_tree.workspace  # the fixture


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def runner_for(qtbot: object, ui_loop: asyncio.AbstractEventLoop) -> Iterator[object]:
    made: list[tuple[RunnerWindow, Offloader]] = []
    session = make_session()

    def make(collection: Collection, folder: str = "", **variables: str) -> RunnerWindow:
        offloader = Offloader(16, name="test-runner")
        window = RunnerWindow(
            RunTarget(collection.name, collection, folder, variables),
            offloader=offloader,
            send=partial(send, session=session),
        )
        window.show()
        made.append((window, offloader))
        return window

    yield make
    for window, offloader in made:
        window.close()
        offloader.close(1.0)
    session.close()


def _collection(root: Path, base: str) -> Collection:
    col = Collection.create(root, name="Demo")
    login = col.new_request("", "1 Echo", RequestSpec(url=base + "/get?name=ann"))
    col.save_tests(
        login,
        RequestTests(checks=OK.checks, captures=(Capture("who", "body", "$.args.name"),)),
    )
    me = col.new_request("", "2 Who", RequestSpec(url=base + "/get?who={{who}}"))
    col.save_tests(me, RequestTests(checks=(Check("body", "==", "ann", path="$.args.who"),)))
    bad = col.new_request("", "3 Missing", RequestSpec(url=base + "/status/404"))
    col.save_tests(bad, OK)
    return col


def test_a_run_shows_every_result_and_the_summary(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    window: RunnerWindow = runner_for(_collection(tmp_path / "api", demo.url))
    window.iterations.setValue(3)
    window.run_button.click()
    wait_until(ui_loop, lambda: window.summary is not None)
    assert window.model.rowCount() == 9
    assert window.model.failed == 3
    assert window.run_button.isEnabled()
    assert not window.cancel_button.isEnabled()
    assert "3 of 9 requests failed" in window.status.text()
    assert "checks 6/9" in window.status.text()
    assert window.progress.value() == 9
    # the captured value reached the next request
    assert window.model.result(1).passed
    # failures only
    window.problems_only.setChecked(True)
    assert window.filter.rowCount() == 3
    window.table.selectRow(0)
    details = window.details.toPlainText()
    assert "/status/404" in details
    assert "✗ status == 200: got 404" in details


def test_export_writes_junit_and_json(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    window: RunnerWindow = runner_for(_collection(tmp_path / "api", demo.url))
    window.start()
    wait_until(ui_loop, lambda: window.summary is not None)
    assert window.export_junit.isEnabled()
    junit = window.export(tmp_path / "run.xml")
    cases = ET.parse(junit).getroot().findall(".//testcase")
    assert [c.get("name") for c in cases] == ["1 Echo", "2 Who", "3 Missing"]
    report = json.loads(window.export(tmp_path / "run.json").read_text())
    assert report["summary"]["failed_requests"] == 1


def test_cancel_stops_requests_in_flight(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(tmp_path / "slow", name="Slow")
    for i in range(2):
        col.save_tests(col.new_request("", f"quick {i}", RequestSpec(url=f"{demo.url}/get")), OK)
    for i in range(4):
        col.new_request("", f"slow {i}", RequestSpec(url=f"{demo.url}/delay/20"))
    window: RunnerWindow = runner_for(col)
    window.concurrency.setValue(4)
    window.iterations.setValue(2)
    window.start()
    wait_until(ui_loop, lambda: window.model.counts()["passed"] == 2)
    run_for(ui_loop, 0.3)  # let the four slow requests reach the server
    window.cancel_button.click()
    wait_until(ui_loop, lambda: window.summary is not None, timeout=10)
    summary = window.summary
    assert summary is not None
    assert summary.cancelled
    # what ran, not a full bar; the rest is recorded as cancelled or never run
    assert window.status.text().startswith("Cancelled — 2 of 12 run")
    assert window.progress.text() == "Cancelled — 2 of 12 run"
    outcomes = [window.model.result(i).outcome for i in range(window.model.rowCount())]
    assert outcomes == ["passed"] * 2 + ["cancelled"] * 4 + ["not run"] * 6
    slow = window.model.result(2)
    assert slow.elapsed_ms >= 300  # the time it was in flight, not 0
    assert window.model.index(2, 4).data() == f"{slow.elapsed_ms:.0f}"
    assert window.model.index(2, 7).data() == "⊘ cancelled"
    # a request never run shows what and where, nothing measured
    never = [window.model.index(11, c).data() for c in range(8)]
    assert never == ["2.6", "slow 3", "GET", None, None, None, None, "⊘ not run"]
    window.table.selectRow(2)
    assert "Cancelled after " in window.details.toPlainText()
    assert "not sent, 0.000 s" not in window.details.toPlainText()


def test_rows_keep_the_plan_order_whatever_order_requests_end_in(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(tmp_path / "order", name="Order")
    for i, seconds in enumerate([0.6, 0.4, 0.2, 0]):  # the first ends last
        rel = col.new_request("", f"r{i}", RequestSpec(url=f"{demo.url}/delay/{seconds}"))
        col.save_tests(rel, OK)
    window: RunnerWindow = runner_for(col)
    window.concurrency.setValue(4)
    window.iterations.setValue(2)
    window.start()
    # while the first requests run, their rows are already there, in order, shown running
    wait_until(ui_loop, lambda: window.model.counts()["passed"] >= 1)
    assert window.model.index(0, 1).data() == "r0"
    assert window.model.index(0, 7).data() == "… running"
    wait_until(ui_loop, lambda: window.summary is not None)
    rows = [window.model.index(i, 0).data() for i in range(window.model.rowCount())]
    assert rows == [f"{it}.{n}" for it in (1, 2) for n in (1, 2, 3, 4)]
    names = [window.model.result(i).name for i in range(window.model.rowCount())]
    assert names == ["r0", "r1", "r2", "r3"] * 2
    assert window.model.counts()["passed"] == 8
    assert window.model.counts()["running"] == 0


def test_a_request_without_checks_is_not_shown_as_passed(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(tmp_path / "unchecked", name="Unchecked")
    col.save_tests(col.new_request("", "1 Checked", RequestSpec(url=f"{demo.url}/get")), OK)
    col.new_request("", "2 Broken", RequestSpec(url=f"{demo.url}/status/500"))
    col.new_request("", "3 Fine", RequestSpec(url=f"{demo.url}/get"))
    window: RunnerWindow = runner_for(col)
    window.start()
    wait_until(ui_loop, lambda: window.summary is not None)
    assert [window.model.index(r, 7).data() for r in range(3)] == [
        "✓ passed",
        "– no checks",
        "– no checks",
    ]
    assert window.model.index(1, 0).data(STATE_ROLE) == "no checks"
    # the unchecked error status stands out; an unchecked 200 does not
    broken = window.model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole)
    fine = window.model.index(2, 3).data(Qt.ItemDataRole.ForegroundRole)
    passed = window.model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole)
    assert len({broken.color().name(), fine.color().name(), passed.color().name()}) == 3
    text = window.status.text()
    assert text.startswith("The 1 checked request passed · 2 no checks")
    assert "1 unchecked HTTP error status" in text
    window.table.selectRow(1)
    assert "No checks: this response was not checked" in window.details.toPlainText()
    window.problems_only.setChecked(True)
    # the unchecked error status is a problem to look at (not a failure); the 200 is not
    assert window.filter.rowCount() == 1
    assert window.filter.index(0, 3).data() == window.model.index(1, 3).data()
    assert "No checks" in window.details.toPlainText()  # its row is still shown
    window.problems_only.setChecked(False)
    window.table.selectRow(2)  # "3 Fine": hidden by the filter, so no longer described
    assert "3 Fine" in window.details.toPlainText()
    window.problems_only.setChecked(True)
    # the details follow the table: never the hidden row; the selected row, if any
    shown = window.details.toPlainText()
    assert "3 Fine" not in shown
    selected = window.table.selectionModel().selectedRows()
    if selected:
        assert selected[0].siblingAtColumn(1).data() in shown
    else:
        assert shown == ""


def test_a_batch_is_one_insert_and_one_data_change(qtbot) -> None:
    from guiapp.runner import RequestRun
    from guiapp.ui.runner.results_model import MAX_BATCH, RunResultsModel

    model = RunResultsModel()
    inserts: list[tuple[int, int]] = []
    changes: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _, first, last: inserts.append((first, last)))
    model.dataChanged.connect(lambda tl, br, _=None: changes.append((tl.row(), br.row())))
    for i in range(300):
        model.reserve(RequestRun(1, i, f"r{i}", "r.toml", "GET", "u", state="running"))
    model.flush()
    assert inserts == [(0, 299)]
    assert changes == [(0, 299)]
    running_cells = [model.item(299, c) for c in (0, 1, 7)]
    # results in reverse order fill their own rows: no new rows, one change; a running row's
    # cells are changed in place (replacing an item makes Qt search the whole model for it:
    # a cost that grows with the rows)
    for i in reversed(range(300)):
        model.add(RequestRun(1, i, f"r{i}", "r.toml", "GET", "u", status=200))
    model.flush()
    assert inserts == [(0, 299)]
    assert changes[1:] == [(0, 299)]
    assert [model.index(r, 1).data() for r in (0, 299)] == ["r0", "r299"]
    assert [model.item(299, c) for c in (0, 1, 7)] == running_cells
    # the cells are the model's own C++ items: no Python wrapper per cell kept alive for the
    # garbage collector to walk through (80,000 of them for 10,000 rows)
    del running_cells
    gc.collect()
    wrappers = [o for o in gc.get_objects() if isinstance(o, QStandardItem)]
    assert not [o for o in wrappers if shiboken6.isValid(o) and o.model() is model]
    assert model.index(299, 7).data() == "– no checks"
    assert model.index(299, 0).data(STATE_ROLE) == "no checks"
    assert model.counts()["no checks"] == 300
    assert model.counts()["running"] == 0
    # rows of requests that never ran: appended, at most MAX_BATCH a frame
    for i in range(MAX_BATCH + 10):
        model.add(RequestRun(2, i, f"r{i}", "r.toml", "GET", "u", state="not run"))
    wait_until_rows = 300 + MAX_BATCH
    qtbot.waitUntil(lambda: model.rowCount() >= wait_until_rows, timeout=2000)
    assert inserts[1] == (300, 300 + MAX_BATCH - 1)  # the first frame's share
    qtbot.waitUntil(lambda: model.rowCount() == 310 + MAX_BATCH, timeout=2000)
    assert model.counts()["not run"] == MAX_BATCH + 10
    shiboken6.delete(model)


def test_a_bad_data_file_is_reported_and_nothing_runs(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    window: RunnerWindow = runner_for(_collection(tmp_path / "api", demo.url))
    data = tmp_path / "rows.csv"
    data.write_text("a,b\n1\n")
    window.set_data_file(data)
    window.start()
    wait_until(ui_loop, lambda: window.run_button.isEnabled())
    assert "line 2 has 1 values, the header has 2" in window.status.text()
    assert window.model.rowCount() == 0


def test_data_rows_become_iterations(runner_for, ui_loop, demo: DemoServer, tmp_path: Path) -> None:
    col = Collection.create(tmp_path / "rows", name="Rows")
    col.new_request("", "Echo", RequestSpec(url=demo.url + "/get?n={{n}}"))
    window: RunnerWindow = runner_for(col)
    data = tmp_path / "rows.json"
    data.write_text('[{"n": "1"}, {"n": "2"}, {"n": "3"}]')
    window.set_data_file(data)
    assert window.data_label.text() == str(data)
    window.start()
    wait_until(ui_loop, lambda: window.summary is not None)
    urls = [window.model.result(i).url for i in range(window.model.rowCount())]
    assert urls == [f"{demo.url}/get?n={i}" for i in (1, 2, 3)]


def test_a_folder_run_runs_only_that_folder(
    runner_for, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    folder = col.create_folder("", "Only")
    col.new_request(folder, "Inside", RequestSpec(url=demo.url + "/get"))
    window: RunnerWindow = runner_for(col, folder)
    window.start()
    wait_until(ui_loop, lambda: window.summary is not None)
    assert window.model.rowCount() == 1
    index = window.model.index(0, 1)
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Only / Inside"


def test_the_run_menu_is_in_the_window(window) -> None:
    actions = {a.objectName() for a in window.actions()}
    assert {"action-run-collection", "action-run-folder"} <= actions
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Run") == titles.index("&Help") - 1


def test_the_sidebar_menu_runs_a_folder_or_the_collection(
    window, workspace, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window.workspace = workspace  # as create_window(workspace=True) does
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    panel = workspace.panel
    assert panel.select("users")
    menu = panel.context_menu(workspace.model.find("users"))
    runs = {a.text(): a for a in menu.actions() if a.objectName().startswith("action-run-")}
    assert set(runs) == {"Run Folder…", "Run Collection…"}
    runs["Run Folder…"].trigger()
    assert window.runner.windows[-1].windowTitle().endswith("Test API / users")
    # On the collection itself (no item under the mouse): only the whole collection.
    menu = panel.context_menu(QModelIndex())
    runs = {a.text() for a in menu.actions() if a.objectName().startswith("action-run-")}
    assert runs == {"Run Collection…"}


def test_painting_the_results_never_calls_python(qtbot) -> None:
    """The cells live in Qt's item model: no Python ``data()``/``filterAcceptsRow`` for the
    view to call while worker threads hold the GIL (that made a paint take up to 80 ms)."""
    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtGui import QStandardItemModel

    from guiapp.runner import RequestRun
    from guiapp.ui.runner.results_model import STATE_ROLE, ProblemsOnly, RunResultsModel

    model = RunResultsModel()
    assert type(model).data is QStandardItemModel.data
    assert type(model).rowCount is QStandardItemModel.rowCount
    assert ProblemsOnly.filterAcceptsRow is QSortFilterProxyModel.filterAcceptsRow
    ok = RequestRun(1, 0, "Get", "get.toml", "GET", "http://h/get", status=200, elapsed_ms=12)
    bad = RequestRun(1, 1, "Bad", "bad.toml", "GET", "http://h/bad", error="refused")
    for result in (ok, bad):
        model.add(result)
    model.flush()
    cells = [model.index(0, c).data() for c in range(8)]
    assert cells == ["1.1", "Get", "GET", "200", "12", "0 B", "", "– no checks"]
    assert model.index(1, 7).data() == "✗ refused"
    assert model.index(1, 0).data(STATE_ROLE) == "failed"
    failures = ProblemsOnly()
    failures.setSourceModel(model)
    failures.set_enabled(True)
    assert failures.rowCount() == 1
    failures.set_enabled(False)
    assert failures.rowCount() == 2
    # Deleted here, on the GUI thread: left to the garbage collector, the model and its timer
    # could be destroyed by whichever thread runs a collection, which Qt objects forbid.
    shiboken6.delete(failures)
    shiboken6.delete(model)


def test_close_button_and_ctrl_w_close_the_window(
    runner_for, qtbot, demo: DemoServer, tmp_path: Path
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    window: RunnerWindow = runner_for(col)
    with qtbot.waitSignal(window.closed, timeout=2000):
        window.close_button.click()
    assert not window.isVisible()
    window = runner_for(col)
    with qtbot.waitActive(window):
        window.activateWindow()
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window.table, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_esc_cancels_a_run_first_and_closes_only_when_idle(
    runner_for, qtbot, ui_loop, demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(tmp_path / "slow", name="Slow")
    col.new_request("", "slow", RequestSpec(url=f"{demo.url}/delay/20"))
    window: RunnerWindow = runner_for(col)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.start()
    wait_until(ui_loop, lambda: window.running)
    qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert window.isVisible()  # not closed under a running run
    wait_until(ui_loop, lambda: window.summary is not None, timeout=10)
    summary = window.summary
    assert summary is not None
    assert summary.cancelled
    assert window.isVisible()
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window.table, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_the_runner_opens_centred_over_the_main_window(
    window, workspace, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window.workspace = workspace  # as create_window(workspace=True) does
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    window.resize(700, 520)  # inside the offscreen screen (800x600)
    window.move(50, 40)
    runner = window.runner.open(False)
    assert runner is not None
    screen = window.screen().availableGeometry()
    assert screen.contains(runner.frameGeometry())  # shrunk to fit, nothing off screen
    assert runner.pos() != screen.topLeft()
    centre, main_centre = runner.frameGeometry().center(), window.frameGeometry().center()
    # the main window's minimum size is near the offscreen screen's: centred, or as near as
    # the screen's edges allow
    frame = runner.frameGeometry()
    assert abs(centre.y() - main_centre.y()) <= 1 or screen.top() == frame.top()
    assert abs(centre.x() - main_centre.x()) <= 1 or frame.right() == screen.right()
    assert frame.left() > screen.left()


def test_with_the_run_size_known_rows_are_inserted_ahead(qtbot) -> None:
    """A row insert makes the view lay out and repaint everything it shows: one insert per
    ROWS_AHEAD rows, not one per frame; never more rows than the run has."""
    from guiapp.runner import RequestRun
    from guiapp.ui.runner.results_model import ROWS_AHEAD, RunResultsModel

    model = RunResultsModel()
    total = ROWS_AHEAD + 200
    model.expect(total)
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _, first, last: inserts.append((first, last)))
    for start in range(0, total, 50):  # a batch a frame
        for i in range(start, start + 50):
            model.reserve(RequestRun(1, i, f"r{i}", "r.toml", "GET", "u", state="running"))
        model.flush()
    assert inserts == [(0, ROWS_AHEAD - 1), (ROWS_AHEAD, total - 1)]
    assert model.rowCount() == total
    assert model.result(total - 1) is not None
    model.clear()
    model.expect(total)
    model.reserve(RequestRun(1, 0, "r0", "r.toml", "GET", "u", state="running"))
    model.flush()
    assert model.rowCount() == ROWS_AHEAD
    assert model.result(1) is None  # a row kept for a request that has not started
    assert model.index(1, 1).data() is None
    shiboken6.delete(model)


def test_rows_ahead_show_the_planned_request_queued_and_sizes_read_as_sizes(qtbot) -> None:
    from guiapp.runner import RequestRun
    from guiapp.ui.runner.results_model import QUEUED, RunResultsModel

    model = RunResultsModel()
    names = ["Login", "Upload"]

    def queued(row: int) -> RequestRun:
        it, i = divmod(row, 2)
        return RequestRun(it + 1, i, names[i], "r.toml", ("POST", "PUT")[i], "", state=QUEUED)

    model.expect(6, queued)
    model.reserve(RequestRun(1, 0, "Login", "r.toml", "POST", "u", state="running"))
    model.flush()
    assert model.rowCount() == 6
    assert [model.index(0, c).data() for c in (1, 2, 7)] == ["Login", "POST", "… running"]
    assert [model.index(5, c).data() for c in (0, 1, 2, 7)] == ["3.2", "Upload", "PUT", "· queued"]
    assert model.result(5) is None
    assert model.queued(5).name == "Upload"
    model.add(RequestRun(1, 0, "Login", "r.toml", "POST", "u", status=200, size=209_715_200))
    model.flush()
    size = model.index(0, 5)
    assert size.data() == "209.7 MB"
    assert size.data(Qt.ItemDataRole.ToolTipRole) == "209,715,200 bytes"
    assert size.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.counts()["queued"] == 0  # only started requests are counted
    shiboken6.delete(model)
    # without a flush, the rows ahead are shown queued a slice a frame, all of them in the end
    model = RunResultsModel()
    model.expect(1500, lambda row: RequestRun(1, row, f"r{row}", "r.toml", "GET", "", state=QUEUED))
    model.reserve(RequestRun(1, 0, "r0", "r.toml", "GET", "u", state="running"))
    qtbot.waitUntil(lambda: model.index(999, 7).data() == "· queued", timeout=5000)
    assert model.rowCount() == 1000
    assert model.index(999, 1).data() == "r999"
    shiboken6.delete(model)
