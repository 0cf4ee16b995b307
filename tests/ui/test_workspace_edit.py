"""Autosave of tabs opened from a collection, external edits picked up, environments and
``{{variable}}`` resolution before sending (against the embedded demo server)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from guiapp.core.collections import Collection
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.core.variables import Environment, Variable
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
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


def test_edits_are_autosaved_and_shown_dirty_until_written(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    assert not workspace.autosaver.is_dirty(tab)
    window.bar.url_edit.setText("{{base}}/items?page=2")  # as the user types
    assert workspace.autosaver.is_dirty(tab)
    index = window.tabs.indexOf(tab)
    assert window.tabs.tabText(index).startswith("● ")
    assert workspace.model.data(workspace.model.find("list-items.toml")).endswith("●")
    wait_until(ui_loop, lambda: not workspace.autosaver.is_dirty(tab))
    assert not window.tabs.tabText(index).startswith("● ")
    assert workspace.panel.save_state.text() == "All changes saved"
    saved = Collection.open(root).load_request("list-items.toml")
    assert saved.url == "{{base}}/items"
    assert saved.params == (("page", "2"),)

    # Typing back to the saved text leaves the tab clean: nothing to save.
    window.bar.url_edit.setText("{{base}}/items?page=3")
    window.bar.url_edit.setText("{{base}}/items?page=2")
    assert not workspace.autosaver.is_dirty(tab)

    # Closing a tab right after an edit still writes it.
    window.bar.url_edit.setText("{{base}}/items?page=9")
    window.close_tab(window.tabs.indexOf(tab))
    wait_until(
        ui_loop,
        lambda: Collection.open(root).load_request("list-items.toml").params == (("page", "9"),),
    )


def test_a_renamed_file_keeps_autosaving_under_its_new_id(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("{{base}}/users/2")
    workspace.rename("users/get-user.toml", "Fetch user", "Get user")  # queued before the save
    wait_until(ui_loop, lambda: workspace.autosaver.request_id(tab) == "users/fetch-user.toml")
    wait_until(ui_loop, lambda: not workspace.autosaver.is_dirty(tab))
    assert not (root / "users" / "get-user.toml").exists()  # never recreated by the save
    assert Collection.open(root).load_request("users/fetch-user.toml").url == "{{base}}/users/2"
    # A deleted file stops autosaving (nothing comes back from the trash by itself).
    workspace.delete(["users"])
    wait_until(ui_loop, lambda: workspace.autosaver.request_id(tab) is None)
    workspace.window.bar.url_edit.setText("{{base}}/users/3")
    ui_loop.run_until_complete(asyncio.sleep(1.0))  # longer than the autosave delay
    assert not (root / "users").exists()
    # A new request that happens to get the same id is not this tab's file.
    workspace.new_folder("")
    wait_until(ui_loop, lambda: (root / "new-folder").exists())
    assert workspace.autosaver.request_id(tab) is None
    # Undoing the deletion binds the tab again; its edit (made meanwhile) is then saved.
    workspace.undo_stack.undo()  # the new folder
    workspace.undo_stack.undo()  # the deletion
    wait_until(ui_loop, lambda: workspace.autosaver.request_id(tab) == "users/fetch-user.toml")
    wait_until(
        ui_loop,
        lambda: (
            Collection.open(root).load_request("users/fetch-user.toml").url == "{{base}}/users/3"
        ),
    )


def test_pending_edits_are_written_when_the_window_closes(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    _open_tab(workspace, ui_loop, "list-items.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/closing")
    assert workspace.save_all()
    assert Collection.open(root).load_request("list-items.toml").url == "http://127.0.0.1:1/closing"


def test_external_edits_are_picked_up(
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
    assert not workspace.autosaver.is_dirty(clean)
    assert "changed on disk" in workspace.window.status_label.text()

    # A tab with unsaved edits is not overwritten: the user is offered to reload.
    workspace.autosaver.delay_ms = 60_000
    dirty = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/mine")
    other.save_request("users/get-user.toml", RequestSpec(url="http://127.0.0.1:1/theirs"))
    panel = workspace.panel
    wait_until(ui_loop, lambda: panel.notice_bar.isVisibleTo(panel))
    assert "changed on disk" in panel.notice_label.text()
    assert dirty.editor.url_text == "http://127.0.0.1:1/mine"
    panel.notice_button.click()  # "Reload from disk"
    wait_until(ui_loop, lambda: dirty.editor.url_text == "http://127.0.0.1:1/theirs")
    assert not workspace.autosaver.is_dirty(dirty)


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


def test_opening_another_collection_saves_and_releases_the_tabs_of_the_first(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    make_collection(first)
    make_collection(second)
    open_collection(workspace, ui_loop, first)
    workspace.autosaver.delay_ms = 60_000  # only the switch can write it
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/first-edit")
    open_collection(workspace, ui_loop, second)
    assert workspace.autosaver.request_id(tab) is None  # a scratch tab now
    wait_until(
        ui_loop,
        lambda: (
            Collection.open(first).load_request("list-items.toml").url
            == "http://127.0.0.1:1/first-edit"
        ),
    )
    assert Collection.open(second).load_request("list-items.toml").url == "{{base}}/items"
    workspace.window.bar.url_edit.setText("http://127.0.0.1:1/later")
    ui_loop.run_until_complete(asyncio.sleep(0.3))
    assert Collection.open(second).load_request("list-items.toml").url == "{{base}}/items"


def test_save_to_collection_adds_a_scratch_tab_and_binds_it(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = window.open_tab(RequestSpec(url="http://127.0.0.1:1/scratch", method="DELETE"))
    workspace.panel.select("users")  # the sidebar's current folder receives it
    workspace.actions["save_to_collection"].trigger()  # Ctrl+S
    wait_until(ui_loop, lambda: workspace.autosaver.request_id(tab) is not None)
    rid = workspace.autosaver.request_id(tab)
    assert rid == "users/delete-scratch.toml"
    saved = Collection.open(root).load_request(rid)
    assert (saved.method, saved.url) == ("DELETE", "http://127.0.0.1:1/scratch")
    assert workspace.panel.tree.currentIndex() == workspace.model.find(rid)
    window.bar.url_edit.setText("http://127.0.0.1:1/scratch2")  # now autosaved
    wait_until(ui_loop, lambda: Collection.open(root).load_request(rid).url.endswith("scratch2"))
