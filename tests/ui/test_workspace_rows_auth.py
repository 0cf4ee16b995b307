"""Disabled rows survive a save and a reopen; auth set on a folder or the collection is inherited
by its requests, shown in the Auth tab, and picked up at the next send (pytest-qt, demo server).
"""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from guiapp.core.auth_inherit import AuthSetting
from guiapp.core.collections import Collection
from guiapp.core.request import BearerAuth, DisabledRow, FormBody, RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import Variable
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import open_collection

workspace = test_workspace_tree.workspace  # the fixture


def _open_tab(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, rid: str) -> Any:
    tab = loop.run_until_complete(workspace.open_request_async(rid))
    assert tab is not None
    return tab


def _header_rows(tab: Any) -> list[tuple[str, str, bool]]:
    return tab.editor.headers.rows()


def test_an_unticked_header_stays_in_the_file_and_comes_back_unticked(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    # Finding: unticking a header in a saved request deleted it from disk.
    root = tmp_path / "api"
    col = Collection.create(root, name="Rows")
    spec = RequestSpec(
        url="http://127.0.0.1:9/items",
        headers=[("Accept", "application/json"), ("X-Debug", "1"), ("X-Trace", "on")],
        body=FormBody([("a", "1"), ("b", "2")]),
    )
    rid = col.new_request("", "Items", spec)
    open_collection(workspace, ui_loop, root)
    tab = _open_tab(workspace, ui_loop, rid)
    table = tab.editor.headers
    table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)  # untick X-Debug, as a click does
    form = tab.editor.body.form_table
    form.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert tab.editor.to_spec().headers == (("Accept", "application/json"), ("X-Trace", "on"))
    save = workspace.save_current()  # Ctrl+S: the one path that writes a request's file
    assert save is not None
    assert ui_loop.run_until_complete(save)

    data = tomllib.loads((root / rid).read_text(encoding="utf-8"))["request"]
    assert data["disabled_headers"] == [{"at": 1, "name": "X-Debug", "value": "1"}]
    assert data["body"]["disabled_fields"] == [{"at": 0, "name": "a", "value": "1"}]
    reloaded = Collection.open(root).load_request(rid)
    assert reloaded.disabled_headers == (DisabledRow(1, "X-Debug", "1"),)
    assert reloaded.header("X-Debug") is None  # not sent

    # Reopened in a fresh tab: the row is there, unticked, in its place.
    workspace.window.close_tab(workspace.window.tabs.indexOf(tab))
    again = _open_tab(workspace, ui_loop, rid)
    assert _header_rows(again) == [
        ("Accept", "application/json", True),
        ("X-Debug", "1", False),
        ("X-Trace", "on", True),
    ]
    assert again.editor.body.form_table.rows() == [("a", "1", False), ("b", "2", True)]
    assert again.editor.spec_to_send().headers == (
        ("Accept", "application/json"),
        ("X-Trace", "on"),
    )
    code = workspace.export_current().code()  # File → Export Request as Code…
    assert "X-Trace" in code
    assert "X-Debug" not in code


def _auth_collection(root: Path, store: SecretStore) -> tuple[Collection, str]:
    col = Collection.create(root, name="Auth API", secrets=store)
    users = col.create_folder("", "Users")
    rid = col.new_request(users, "Who", RequestSpec(url="{{base}}/anything", inherit_auth=True))
    return col, rid


def test_a_request_inherits_the_folder_auth_shown_in_its_auth_tab_and_sent(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = workspace.window
    store = workspace.service.secrets
    col, rid = _auth_collection(tmp_path / "api", store)
    col.save_auth("", AuthSetting(BearerAuth("collection-token"), inherit=False))
    col.save_variables([Variable("base", window.demo_server.url)])
    open_collection(workspace, ui_loop, tmp_path / "api")
    wait_until(ui_loop, lambda: "" in workspace.auth.settings)
    tab = _open_tab(workspace, ui_loop, rid)
    auth = tab.editor.auth
    assert auth.kind() == "inherit"
    wait_until(
        ui_loop,
        lambda: auth.inherited_label.text() == "Inherited from collection Auth API: Bearer token",
    )
    assert not auth.edit_button.isHidden()

    def sent_authorization() -> str:
        window.send_current()
        wait_until(ui_loop, lambda: tab.outcome.kind in ("response", "error"))
        assert tab.outcome.kind == "response", tab.outcome.message
        headers = json.loads(tab.outcome.value.body_bytes())["headers"]
        return str({k.lower(): v for k, v in headers.items()}.get("authorization", ""))

    assert sent_authorization() == "Bearer collection-token"

    # The folder's auth, set in its dialog, wins from the next send on; the label follows.
    workspace.auth.edit("users")
    wait_until(ui_loop, lambda: workspace.auth.dialog is not None)
    dialog = workspace.auth.dialog
    assert dialog is not None
    editor = dialog.editor
    assert editor.kind() == "inherit"
    assert editor.inherited_label.text() == "Inherited from collection Auth API: Bearer token"
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("bearer"))
    editor.token.setText("folder-token")
    refreshed: list[bool] = []
    workspace.auth.settingsChanged.connect(lambda: refreshed.append(True))
    dialog.accept()
    wait_until(ui_loop, lambda: refreshed)
    assert auth.inherited_label.text() == "Inherited from folder Users: Bearer token"
    assert sent_authorization() == "Bearer folder-token"
    assert "folder-token" in workspace.export_current().code()  # exported as it is sent
    workspace.auth.dialog = None
    auth.edit_button.click()  # "Edit…" opens the auth it comes from
    wait_until(ui_loop, lambda: workspace.auth.dialog is not None)
    assert workspace.auth.dialog is not None
    assert workspace.auth.dialog.windowTitle() == "Auth — folder Users"
    assert workspace.auth.dialog.editor.edit_button.isHidden()
    workspace.auth.dialog.reject()
    folder_file = (tmp_path / "api" / "users" / "_folder.toml").read_text(encoding="utf-8")
    assert "folder-token" not in folder_file  # the token is in the secret store
    assert Collection.open(tmp_path / "api", secrets=store).load_auth("users") == AuthSetting(
        BearerAuth("folder-token"), inherit=False
    )

    # A request with its own auth ignores the folder's.
    auth.kind_combo.setCurrentIndex(auth.kind_combo.findData("none"))
    assert sent_authorization() == ""


def test_an_external_edit_of_the_folder_auth_is_picked_up(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    _col, rid = _auth_collection(tmp_path / "api", SecretStore(backend=MemoryKeyring()))
    open_collection(workspace, ui_loop, tmp_path / "api")
    tab = _open_tab(workspace, ui_loop, rid)
    wait_until(ui_loop, lambda: "users" in workspace.auth.settings)
    assert tab.editor.spec_to_send().auth is None
    folder = tmp_path / "api" / "users" / "_folder.toml"
    folder.write_text(
        folder.read_text(encoding="utf-8") + '\n[auth]\ntype = "bearer"\ntoken = "{{tok}}"\n',
        encoding="utf-8",
    )
    wait_until(ui_loop, lambda: tab.editor.spec_to_send().auth == BearerAuth("{{tok}}"))
    assert tab.editor.auth.parent_auth() is not None


def test_new_requests_in_a_collection_inherit_and_scratch_tabs_say_there_is_no_parent(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    _auth_collection(tmp_path / "api", SecretStore(backend=MemoryKeyring()))
    open_collection(workspace, ui_loop, tmp_path / "api")
    workspace.new_request("users")
    root = tmp_path / "api"
    wait_until(ui_loop, lambda: (root / "users" / "new-request.toml").exists())
    assert Collection.open(root).load_request("users/new-request.toml").inherit_auth
    scratch = workspace.window.open_tab()
    auth = scratch.editor.auth
    assert auth.kind() == "none"  # a scratch tab keeps the old default
    auth.kind_combo.setCurrentIndex(auth.kind_combo.findData("inherit"))
    assert "Not in a collection" in auth.inherited_label.text()
    assert auth.edit_button.isHidden()  # nothing to edit
    assert scratch.editor.spec_to_send().auth is None


def test_environment_and_collection_variable_editors_keep_unticked_variables(qapp: Any) -> None:
    from guiapp.core.variables import Environment
    from guiapp.ui.workspace.collection_variables import CollectionVariablesEditor
    from guiapp.ui.workspace.environments import EnvironmentEditor

    env = Environment("Dev", (Variable("on", "1"), Variable("off", "2", enabled=False)))
    for dialog in (EnvironmentEditor(env), CollectionVariablesEditor(env)):
        assert dialog.variables() == env.variables  # shown unticked, given back disabled
        dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
        assert [v.enabled for v in dialog.variables()] == [False, False]
        dialog.deleteLater()


def test_folder_and_collection_menus_open_the_auth_dialog(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    _auth_collection(tmp_path / "api", SecretStore(backend=MemoryKeyring()))
    open_collection(workspace, ui_loop, tmp_path / "api")
    panel = workspace.panel
    cases = [
        (workspace.model.find("users"), "Auth…", "Auth — folder Users"),
        (QModelIndex(), "Auth…", "Auth — collection Auth API"),
    ]
    for index, text, title in cases:
        panel.tree.setCurrentIndex(index)
        menu = panel.context_menu(index)
        action = next(a for a in menu.actions() if a.text() == text)
        workspace.auth.dialog = None
        action.trigger()
        wait_until(ui_loop, lambda: workspace.auth.dialog is not None)
        dialog = workspace.auth.dialog
        assert dialog is not None
        assert dialog.windowTitle() == title
        kinds = [
            dialog.editor.kind_combo.itemData(i) for i in range(dialog.editor.kind_combo.count())
        ]
        assert ("inherit" in kinds) == title.startswith("Auth — folder")
        dialog.reject()
        menu.deleteLater()
    request_menu = panel.context_menu(workspace.model.find("users/who.toml"))
    assert "Auth…" not in [a.text() for a in request_menu.actions()]
    request_menu.deleteLater()


def test_open_tabs_keep_unticked_rows_and_inherit_across_a_restart(
    tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    from guiapp.app import create_window

    spec = RequestSpec(
        url="http://127.0.0.1:1/x",
        params=[("on", "1")],
        disabled_params=[(0, "off", "0")],
        headers=[("Accept", "*/*")],
        disabled_headers=[(1, "X-Debug", "1")],
        inherit_auth=True,
    )
    first = create_window(tmp_path)
    first.replace_tabs([spec])
    first.close()
    first.deleteLater()
    second = create_window(tmp_path)
    try:
        editor = second.request_tabs()[0].editor
        assert editor.to_spec() == spec
        assert editor.params.rows() == [("off", "0", False), ("on", "1", True)]
        assert editor.url_text == "http://127.0.0.1:1/x?on=1"  # the URL holds sent params only
        assert editor.auth.kind() == "inherit"
    finally:
        second.close()
        second.deleteLater()


def test_an_unreadable_folder_auth_refuses_the_send_instead_of_sending_without_auth(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    _col, rid = _auth_collection(tmp_path / "api", SecretStore(backend=MemoryKeyring()))
    folder = tmp_path / "api" / "users" / "_folder.toml"
    folder.write_text(
        folder.read_text(encoding="utf-8") + '\n[auth]\ntype = "hawk"\n', encoding="utf-8"
    )
    open_collection(workspace, ui_loop, tmp_path / "api")
    wait_until(ui_loop, lambda: "unknown auth type" in workspace.auth.problem)
    tab = _open_tab(workspace, ui_loop, rid)
    wait_until(ui_loop, lambda: "unknown auth type" in tab.editor.auth.inherited_label.text())
    workspace.window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "error")
    assert "inherits its auth" in tab.outcome.message
    assert "unknown auth type 'hawk'" in tab.outcome.message
