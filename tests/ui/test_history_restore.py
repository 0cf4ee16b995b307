"""History restore never overwrites work, the response area follows the restored request, and
masked secrets are re-entered, never sent as ``***`` (from history or the saved tabs)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLineEdit

from guiapp.app import create_window
from guiapp.core.history import HistoryEntry, HistoryStore, ResponseSummary
from guiapp.core.request import BearerAuth, RequestSpec
from guiapp.core.variables import Environment, Variable
from guiapp.ui.history_restore import is_blank
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import make_collection, open_collection

workspace = test_workspace_tree.workspace  # the fixture

KEY = "key-SECRET-5c4b3a"


def _entry(spec: RequestSpec, summary: ResponseSummary | None = None) -> HistoryEntry:
    store = HistoryStore(":memory:")
    try:
        return store.get(store.add(spec, summary or ResponseSummary(200, "OK", 0.05, 10)))
    finally:
        store.close()


def _send_and_wait(window: MainWindow, loop: asyncio.AbstractEventLoop) -> Any:
    tab = window.current_tab()
    window.send_current()
    wait_until(loop, lambda: tab.outcome.kind in ("response", "error"))
    return tab


def test_restore_opens_a_new_tab_and_never_shows_the_previous_response(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    window.replace_tabs([RequestSpec(url=base + "/get?mine=1")])
    first = _send_and_wait(window, ui_loop)
    assert first.outcome.kind == "response"
    assert not is_blank(first, window)

    entry = _entry(RequestSpec(url=base + "/anything/restored", method="POST"))
    window.history_panel.entryRestored.emit(entry, False)  # what double-clicking a row does

    assert window.tabs.count() == 2
    restored = window.current_tab()
    assert restored is not first
    assert restored.editor.to_spec() == entry.spec
    assert first.editor.to_spec().url == base + "/get"  # the user's tab is untouched
    assert first.outcome.kind == "response"
    # The response area belongs to the restored request: nothing from the first tab's.
    assert window.response_area._tab is restored
    assert restored.outcome.kind == "idle"
    assert "Restored from history" in window.status_label.text()
    assert "200 OK" in window.status_label.text()


def test_restore_reuses_only_a_blank_current_tab(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window.replace_tabs([])
    window.open_tab()
    while window.tabs.count() > 1:
        window.close_tab(0)
    blank = window.current_tab()
    assert is_blank(blank, window)
    entry = _entry(RequestSpec(url="http://127.0.0.1:9/x"))
    window.history_panel.entryRestored.emit(entry, False)
    assert window.tabs.count() == 1
    assert window.current_tab() is blank
    assert blank.editor.to_spec() == entry.spec
    # "Restore in new tab" always opens one.
    window.history_panel.entryRestored.emit(entry, True)
    assert window.tabs.count() == 2
    # A tab with something typed is not blank: the next restore opens another tab.
    window.bar.url_edit.setText("http://typed/")
    assert not is_blank(window.current_tab(), window)
    window.history_panel.entryRestored.emit(entry, False)
    assert window.tabs.count() == 3


def test_a_masked_secret_is_marked_and_send_refuses_instead_of_sending_it(
    window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    base = window.demo_server.url
    literal = RequestSpec(url=base + "/bearer", auth=BearerAuth("typed-token"))
    entry = _entry(literal)
    assert entry.reenter == ["auth token"]
    window.history_panel.entryRestored.emit(entry, True)
    tab = window.current_tab()
    assert "re-enter" in window.status_label.text().lower()
    assert "auth token" in window.tabs.tabToolTip(window.tabs.indexOf(tab))
    token = tab.editor.findChild(QLineEdit, "authToken")
    assert token.property("reenter") is True  # marked in the editor, shown as "***", not dots
    assert token.echoMode() == QLineEdit.EchoMode.Normal
    assert "Re-enter this secret" in token.toolTip()
    window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "error")
    assert "Re-enter the secret in the auth token" in tab.outcome.message
    assert tab.last_sent is None  # nothing left the app
    token.setText("typed-token")  # the user types the token again: the mark goes, it sends
    assert token.property("reenter") is False
    assert token.echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit
    sent = _send_and_wait(window, ui_loop)
    assert sent.outcome.kind == "response", sent.outcome.message


def test_history_keeps_references_and_masks_secret_values_end_to_end(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = workspace.window
    window.workspace = workspace  # as create_window(workspace=True) does
    base = window.demo_server.url
    root = tmp_path / "api"
    col = make_collection(root, workspace.service.secrets)
    col.save_variables((Variable("base", base), Variable("key", KEY, secret=True)))
    col.save_environment(Environment("Prod", (Variable("other", "x"),)))
    open_collection(workspace, ui_loop, root)
    wait_until(ui_loop, lambda: workspace.environments.collection_variables is not None)
    written = RequestSpec(
        url="{{base}}/anything/{{key}}",
        params=[("api_key", "{{key}}")],
        headers=[("X-API-Key", "{{key}}")],
    )
    window.replace_tabs([written])
    recorded: list[int] = []
    window.history.recorded.connect(recorded.append)
    tab = _send_and_wait(window, ui_loop)
    assert tab.outcome.kind == "response", tab.outcome.message
    echoed = json.loads(tab.outcome.value.body_bytes())
    assert echoed["headers"].get("X-API-Key") == KEY  # the real secret was sent
    wait_until(ui_loop, lambda: len(recorded) == 1)

    data_dir = Path(window.data_dir)
    raw = b"".join(p.read_bytes() for p in data_dir.glob("history.sqlite3*"))
    assert b"/anything/" in raw
    assert KEY.encode() not in raw

    async def first_entry() -> HistoryEntry:
        return await window.history.lane.submit(window.history.store.get, recorded[0])

    entry = ui_loop.run_until_complete(first_entry())
    assert entry.spec.header("X-API-Key") == "{{key}}"
    assert entry.sent is not None
    assert entry.sent.header("X-API-Key") == "***"
    window.history_panel.entryRestored.emit(entry, True)
    again = _send_and_wait(window, ui_loop)
    assert again.outcome.kind == "response", again.outcome.message
    assert json.loads(again.outcome.value.body_bytes())["headers"].get("X-API-Key") == KEY


def test_saved_tabs_keep_references_and_never_send_a_masked_literal(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = create_window(tmp_path)
    base = first.demo_server.url
    by_reference = RequestSpec(url=base + "/bearer", auth=BearerAuth("{{token}}"))
    literal = RequestSpec(url=base + "/bearer", auth=BearerAuth("typed-token-77"))
    first.replace_tabs([by_reference, literal])
    first.close()
    first.deleteLater()
    assert b"typed-token-77" not in (tmp_path / "settings.ini").read_bytes()

    second = create_window(tmp_path)
    try:
        tabs = second.request_tabs()
        assert [t.editor.to_spec().auth for t in tabs[:2]] == [
            BearerAuth("{{token}}"),
            BearerAuth("***"),
        ]
        assert "1 restored tab needs a secret re-entered" in second.status_label.text()
        token = tabs[1].editor.findChild(QLineEdit, "authToken")
        assert token.property("reenter") is True
        assert tabs[0].editor.findChild(QLineEdit, "authToken").property("reenter") is None
        second.tabs.setCurrentIndex(1)
        tab = second.current_tab()
        second.send_current()
        deadline = time.monotonic() + 15
        wait_until(ui_loop, lambda: tab.outcome.kind == "error" or time.monotonic() > deadline)
        assert "Re-enter the secret in the auth token" in tab.outcome.message
        assert tab.last_sent is None
    finally:
        second.close()
        second.deleteLater()


def test_a_masked_header_cell_is_marked_until_retyped(window: MainWindow) -> None:
    from PySide6.QtWidgets import QTableWidget

    from guiapp.ui.reenter_marks import REENTER_TIP

    old = HistoryEntry(
        1,
        RequestSpec(url="http://h/", headers=[("Authorization", "***")]),  # an old entry
        ResponseSummary(401, "Unauthorized"),
    )
    window.history_panel.entryRestored.emit(old, True)
    cells = [
        (table, table.item(r, c))
        for table in window.current_tab().editor.findChildren(QTableWidget)
        for r in range(table.rowCount())
        for c in range(table.columnCount())
        if table.item(r, c) is not None and table.item(r, c).text() == "***"
    ]
    assert len(cells) == 1
    _table, cell = cells[0]
    assert cell.toolTip() == REENTER_TIP
    cell.setText("Bearer real")
    assert cell.toolTip() == ""


def test_secrets_of_the_environment_at_send_time_are_masked_after_a_switch() -> None:
    from dataclasses import dataclass, field

    from guiapp.core.variables import Environment
    from guiapp.ui.sent_secrets import REMEMBERED, ResolvedSecrets, capturing_resolver, sent_context

    prod = Environment("prod", (Variable("token", "prod-SECRET-1", secret=True),))
    dev = Environment("dev", (Variable("token", "dev-SECRET-2", secret=True),))

    @dataclass
    class Environments:  # the workspace's environment controller, as secrets see it
        environment: Environment | None
        collection_variables: Environment | None = None

    @dataclass
    class Workspace:
        environments: Environments

    @dataclass
    class Window:  # a SentRequestHost without runtime variables
        workspace: Workspace
        runtime_variables: None = None
        resolved_secrets: ResolvedSecrets = field(default_factory=lambda: deque(maxlen=REMEMBERED))

        def request_tabs(self) -> list[object]:
            return []

    environments = Environments(environment=prod)
    window = Window(Workspace(environments))
    resolve = capturing_resolver(
        window, lambda spec: RequestSpec(url=spec.url.replace("{{token}}", "prod-SECRET-1"))
    )
    sent = resolve(RequestSpec(url="http://h/{{token}}"))
    environments.environment = dev  # the user switched while the request was in flight
    _written, secrets = sent_context(window, sent)
    assert {"prod-SECRET-1", "dev-SECRET-2"} <= secrets
