"""The response panel's Tests tab after editor sends, and captures into runtime variables
(against the embedded demo server)."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests, TestOutcome, run_tests
from guiapp.core.response import Response
from guiapp.ui.main_window import MainWindow
from guiapp.ui.response_checks import bind_runtime
from guiapp.ui.response_tests import ResponseTests
from guiapp.ui.runtime_variables import MASK
from guiapp.ui.sent_secrets import secret_values
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until

workspace = test_workspace_tree.workspace  # the fixture

SECRET = "tok-5ecret-value"


def _send(qtbot: Any, window: MainWindow, loop: asyncio.AbstractEventLoop, spec: RequestSpec):  # type: ignore[no-untyped-def]
    window.load_into_current(spec)
    tab = window.current_tab()
    qtbot.mouseClick(window.findChild(QPushButton, "sendButton"), Qt.MouseButton.LeftButton)
    wait_until(loop, lambda: tab.outcome.kind not in ("idle", "sending"))
    return tab


def _history(window: MainWindow, loop: asyncio.AbstractEventLoop) -> list[Any]:
    recorder = window.history

    async def query() -> list[Any]:
        return list(await recorder.lane.submit(recorder.store.list))  # the store's own thread

    return loop.run_until_complete(query())


def _table(view: ResponseTests) -> list[tuple[str, str, str]]:
    t = view.table
    return [tuple(t.item(r, c).text() for c in range(3)) for r in range(t.rowCount())]  # type: ignore[misc]


def test_checks_run_after_a_send_and_the_tab_title_counts_them(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    tests = RequestTests(
        checks=(
            Check("status", "==", 200),
            Check("body", "==", "7", path="$.args.id"),
            Check("status", "==", 404),
            Check("body", "exists", path="$.args.token"),
            Check("header", "exists", name="X-Nope", enabled=False),  # off: not run
        ),
        captures=(Capture("token", "body", "$.args.token", secret=True),),
    )
    submitted: list[object] = []
    pool = window.response_checks.processes

    class Spy:
        def submit(self, fn: Any, *args: Any) -> Any:
            submitted.append(fn)
            return pool.submit(fn, *args)

    window.response_checks.processes = Spy()
    url = f"{window.demo_server.url}/get?id=7&token={SECRET}"
    _send(qtbot, window, ui_loop, RequestSpec(url=url, tests=tests))
    panel = window.response.panel
    tabs, view = panel.tabs, panel.tests
    wait_until(ui_loop, lambda: tabs.tabText(tabs.indexOf(view)) == "Tests 3/4")
    # the editor counts what runs, as the response does: 4 checks (one is off), 1 capture
    editor = window.current_tab().editor
    assert editor.tabText(editor.indexOf(editor.tests)) == "Tests (4 checks, 1 capture)"
    rows = _table(view)
    assert rows[:4] == [
        ("✓", "status == 200", "200"),
        ("✓", "$.args.id == 7", "7"),
        ("✗", "status == 404: got 200", "200"),
        ("✓", "$.args.token exists", "***"),  # the value a secret capture found: masked
    ]
    assert rows[4] == ("✓", "set {{token}}", "•••")
    assert view.summary() == "3/4 checks passed"
    assert submitted == [run_tests]  # evaluated in a worker process, not on the GUI thread
    assert window.runtime_variables.rows() == [("token", MASK, "GET /get")]
    assert window.runtime_variables.secret_values() == {SECRET}

    # A request without checks says so, and the title loses its count.
    _send(qtbot, window, ui_loop, RequestSpec(url=f"{window.demo_server.url}/get"))
    wait_until(ui_loop, lambda: panel.state == "response")
    assert tabs.tabText(tabs.indexOf(view)) == "Tests"
    assert "no checks" in view.message.text()


def test_results_follow_the_response_shown(qtbot: Any) -> None:
    view = ResponseTests()
    qtbot.addWidget(view)
    first, second = (
        Response(status_code=code, reason="", http_version="HTTP/1.1", headers=[], url="http://h/")
        for code in (200, 500)
    )
    tests = RequestTests(checks=(Check("status", "==", 200),))
    view.show_for(first)
    view.expect(first, 1)
    assert view.message.text() == "Running 1 check and capture…"
    view.record(second, run_tests(tests, second))  # not shown: the panel shows the first
    assert view.outcome is None
    view.record(first, run_tests(tests, first))
    assert view.title() == "Tests 1/1"
    view.show_for(second)  # the user switched to the other tab
    assert view.title() == "Tests 0/1"
    assert isinstance(view.result_for(first), TestOutcome)
    view.show_for(None)
    assert view.message.text() == "No response yet."


def test_captures_set_runtime_variables_for_later_requests_and_clear_forgets_them(
    qtbot: Any,
    window: MainWindow,
    workspace: WorkspaceController,
    ui_loop: asyncio.AbstractEventLoop,
) -> None:
    recorded: list[int] = []
    window.history.recorded.connect(recorded.append)
    bind_runtime(window.response_checks, workspace.environments)
    env_menu = workspace.environments.bar.menu_button.menu()
    assert {"action-runtime-variables", "action-clear-runtime-variables"} <= {
        a.objectName() for a in env_menu.actions()
    }
    base = window.demo_server.url
    login = RequestSpec(
        url=f"{base}/get?token={SECRET}",
        tests=RequestTests(captures=(Capture("token", "body", "$.args.token", secret=True),)),
    )
    _send(qtbot, window, ui_loop, login)
    wait_until(ui_loop, lambda: len(window.runtime_variables) == 1)
    assert workspace.environments.scope().origin("token") == "runtime"

    tab = _send(qtbot, window, ui_loop, RequestSpec(url=base + "/get?used={{token}}"))
    assert tab.outcome.kind == "response"
    assert SECRET.encode() in tab.outcome.value.body_bytes()  # resolved from the capture
    status = window.response_area.status_label.text()
    assert status.startswith("Sent GET /get?used=*** in ")  # the secret never shown
    assert SECRET not in window.response.panel.summary_plain_text()
    assert SECRET in secret_values(window)  # what history masks
    wait_until(ui_loop, lambda: len(recorded) >= 2)  # the login and this one
    entries = _history(window, ui_loop)
    (entry,) = [e for e in entries if e.spec.params == (("used", "{{token}}"),)]  # as written
    assert entry.sent is not None
    assert entry.sent.params == (("used", "***"),)  # as sent: masked
    assert SECRET not in repr((entry.spec, entry.sent, entry.url))

    # View → Runtime Variables…: the value masked, and Clear forgets it.
    dialog = window.response_checks.show_runtime_variables()
    view = dialog.view
    assert view.table.item(0, 0).text() == "token"
    assert view.table.item(0, 1).text() == MASK
    qtbot.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.table.rowCount() == 0
    assert not view.clear_button.isEnabled()
    assert workspace.environments.scope().origin("token") is None
    tab = _send(qtbot, window, ui_loop, RequestSpec(url=base + "/get?used={{token}}"))
    assert tab.outcome.kind == "error"
    assert "Unresolved variable {{token}}" in tab.outcome.message


def test_editor_tooltips_name_the_runtime_origin_and_mask_captured_secrets() -> None:
    from guiapp.core.variables import Environment, Variable, VariableScope
    from guiapp.ui.variables.lookup import VariableLookup

    runtime = Environment(
        "runtime", [Variable("token", "t-1234", secret=True), Variable("id", "42")]
    )
    lookup = VariableLookup(
        VariableScope(None, Environment("Dev", [Variable("token", "e")]), runtime)
    )
    assert lookup.describe("id") == "{{id}} = 42, from runtime (captured from a response)"
    assert lookup.describe("token") == (
        "{{token}} = •••• (secret), from runtime (captured from a response)"
    )
