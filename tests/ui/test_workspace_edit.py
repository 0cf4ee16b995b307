"""Autosave of tabs opened from a collection, external edits picked up, environments and
``{{variable}}`` resolution before sending (against the embedded demo server)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from PySide6.QtGui import QAction

from guiapp.core.collections import Collection
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.core.variables import Environment, Variable
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_save_as, wait_until
from tests.ui.test_workspace_tree import (
    make_collection,
    open_collection,
    open_test_collection,
    tree_names,
)

workspace = test_workspace_tree.workspace  # the fixture


def _open_tab(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, rid: str):  # type: ignore[no-untyped-def]
    tab = loop.run_until_complete(workspace.open_request_async(rid))
    assert tab is not None
    return tab


def _save(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop) -> bool:
    """Ctrl+S on the current tab; True once its draft is written."""
    task = workspace.save_current()
    assert task is not None
    return bool(loop.run_until_complete(task))


def test_a_renamed_file_s_draft_is_saved_under_its_new_id(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("{{base}}/users/2")
    workspace.rename("users/get-user.toml", "Fetch user", "Get user")
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) == "users/fetch-user.toml")
    assert workspace.is_dirty(tab)  # a rename writes the file's name, never the draft
    assert Collection.open(root).load_request("users/fetch-user.toml").url == "{{base}}/users/1"
    assert _save(workspace, ui_loop)
    assert not (root / "users" / "get-user.toml").exists()  # never recreated by the save
    assert Collection.open(root).load_request("users/fetch-user.toml").url == "{{base}}/users/2"
    # A deleted file has nothing to save into: Ctrl+S asks where instead (Save As) and the
    # folder stays in the trash.
    workspace.delete(["users"])
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) is None)
    workspace.window.bar.url_edit.setText("{{base}}/users/3")
    assert workspace.save_current() is None
    dialog = wait_save_as(ui_loop, workspace.window)
    assert dialog.isVisible()
    dialog.reject()
    assert not (root / "users").exists()
    # A new request that happens to get the same id is not this tab's file.
    workspace.new_folder("")
    wait_until(ui_loop, lambda: (root / "new-folder").exists())
    assert workspace.drafts.request_id(tab) is None
    # Undoing the deletion binds the tab again; its edit (made meanwhile) is still a draft.
    workspace.undo_stack.undo()  # the new folder
    workspace.undo_stack.undo()  # the deletion
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) == "users/fetch-user.toml")
    assert workspace.is_dirty(tab)
    assert _save(workspace, ui_loop)
    assert Collection.open(root).load_request("users/fetch-user.toml").url == "{{base}}/users/3"


def test_closing_the_window_keeps_drafts_out_of_the_collection_files(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    _open_tab(workspace, ui_loop, "list-items.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/closing")
    assert workspace.save_all()  # what the closing window calls
    assert Collection.open(root).load_request("list-items.toml").url == "{{base}}/items"
    state = json.loads((workspace.data_dir / "workspace.json").read_text())
    (entry,) = state["tabs"]
    assert entry["request"] == "list-items.toml"
    assert entry["draft"]["url"] == "http://127.0.0.1:1/closing"


def test_external_edits_reload_clean_tabs_and_conflict_with_drafts(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    clean = _open_tab(workspace, ui_loop, "list-items.toml")
    other = Collection.open(root)  # "git pull": another writer
    other.save_request("list-items.toml", RequestSpec(url="http://127.0.0.1:1/pulled"))
    other.new_request("", "Added upstream", RequestSpec(url="http://127.0.0.1:1/new"))
    # A clean tab is reloaded; the new file appears in the tree.
    wait_until(ui_loop, lambda: clean.editor.url_text == "http://127.0.0.1:1/pulled")
    wait_until(ui_loop, lambda: "Added upstream" in tree_names(workspace))
    assert not workspace.is_dirty(clean)
    assert "changed on disk" in workspace.window.status_label.text()

    # A tab with a draft is not overwritten: it gets a conflict bar.
    dirty = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/mine")
    other.save_request("users/get-user.toml", RequestSpec(url="http://127.0.0.1:1/theirs"))
    wait_until(ui_loop, lambda: workspace.conflicts.bar(dirty) is not None)
    assert dirty.editor.url_text == "http://127.0.0.1:1/mine"
    bar = workspace.conflicts.bar(dirty)
    assert bar is not None
    bar.theirs_button.click()  # "Take Theirs"
    assert dirty.editor.url_text == "http://127.0.0.1:1/theirs"
    assert not workspace.is_dirty(dirty)
    assert workspace.conflicts.bar(dirty) is None


def _environments(root: Path, base: str, workspace: WorkspaceController) -> None:
    col = Collection.open(root, secrets=workspace.service.secrets)
    col.save_environment(
        Environment(
            "Dev", (Variable("base", base + "/anything/dev"), Variable("token", "t0k", True))
        )
    )
    col.save_environment(Environment("Prod", (Variable("base", base + "/anything/prod"),)))


def test_environment_switch_changes_the_url_sent(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = workspace.window
    root = tmp_path / "api"
    make_collection(root)
    _environments(root, window.demo_server.url, workspace)
    open_collection(workspace, ui_loop, root)
    combo = workspace.env_bar.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["No environment", "Dev", "Prod"]
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?auth={{token}}")

    def sent_url() -> str:
        window.send_current()
        wait_until(ui_loop, lambda: tab.outcome.kind in ("response", "error"))
        assert tab.outcome.kind == "response", tab.outcome.message
        url = json.loads(tab.outcome.value.body_bytes())["url"]
        return str(url)

    workspace.env_bar.select("Dev")
    wait_until(ui_loop, lambda: workspace.environments.environment is not None)
    assert sent_url().endswith("/anything/dev/items?auth=t0k")  # the secret came from the store
    workspace.env_bar.select("Prod")
    wait_until(ui_loop, lambda: getattr(workspace.environments.environment, "name", "") == "Prod")
    # Prod lacks {{token}}: refused before sending, naming it, and the URL field says so.
    window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "error")
    assert "{{token}}" in tab.outcome.message
    assert "Prod" in tab.outcome.message
    wait_until(ui_loop, lambda: workspace.marker.missing() == ["token"])
    assert "{{token}}" in window.bar.url_edit.toolTip()
    window.bar.url_edit.setText("{{base}}/items")
    assert sent_url().endswith("/anything/prod/items")
    wait_until(ui_loop, lambda: workspace.marker.missing() == [])
    # The choice is remembered per collection.
    state = json.loads((workspace.data_dir / "workspace.json").read_text())
    assert "Prod" in state["environments"].values()


def test_resolve_names_every_unresolved_variable(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    spec = RequestSpec(url="{{host}}/x", headers=[("Authorization", "Bearer {{token}}")])
    with pytest.raises(InvalidRequest) as caught:
        workspace.resolve(spec)
    assert "{{host}}" in str(caught.value)
    assert "{{token}}" in str(caught.value)
    assert caught.value.field == "variables"
    assert workspace.resolve(RequestSpec(url="http://h/{{$timestamp}}")).url != "http://h/"


def test_opening_another_collection_adds_it_and_tabs_keep_their_own(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    make_collection(first)
    make_collection(second)
    open_collection(workspace, ui_loop, first)
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/first-edit")
    open_collection(workspace, ui_loop, second)
    # Both are open; the sidebar shows the second; the tab still belongs to the first.
    assert set(workspace.service.opened) == {str(first.resolve()), str(second.resolve())}
    assert workspace.panel.switcher.count() == 2
    assert workspace.drafts.request_id(tab) == "list-items.toml"
    assert workspace.is_dirty(tab)
    workspace.window.tabs.setCurrentWidget(tab)
    assert _save(workspace, ui_loop)  # the proof: a save that completed, and where it went
    assert Collection.open(first).load_request("list-items.toml").url.endswith("first-edit")
    assert Collection.open(second).load_request("list-items.toml").url == "{{base}}/items"
    # The switcher shows the first collection's tree again.
    workspace.panel.switcher.activated.emit(workspace.panel.switcher.findData(str(first.resolve())))
    wait_until(
        ui_loop,
        lambda: workspace.collection is not None and workspace.collection.root == first.resolve(),
    )
    wait_until(ui_loop, lambda: not workspace.switching)  # its environment loaded too


def test_save_as_adds_a_scratch_tab_to_the_chosen_folder_and_binds_it(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = window.open_tab(RequestSpec(url="http://127.0.0.1:1/scratch", method="DELETE"))
    workspace.panel.select("users")  # the sidebar's current folder is preselected
    window.findChild(QAction, "action-save").trigger()  # Ctrl+S on a scratch tab: Save As
    dialog = wait_save_as(ui_loop, workspace.window)
    wait_until(ui_loop, lambda: dialog.folder_combo.currentData() == "users")
    assert dialog.name_edit.text() == "DELETE /scratch"  # the tab title
    dialog.accept()
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) is not None)
    rid = workspace.drafts.request_id(tab)
    assert rid == "users/delete-scratch.toml"
    saved = Collection.open(root).load_request(rid)
    assert (saved.method, saved.url) == ("DELETE", "http://127.0.0.1:1/scratch")
    assert not workspace.is_dirty(tab)
    window.bar.url_edit.setText("http://127.0.0.1:1/scratch2")  # now a draft of that file
    assert workspace.is_dirty(tab)
    assert _save(workspace, ui_loop)
    assert Collection.open(root).load_request(rid).url.endswith("scratch2")
