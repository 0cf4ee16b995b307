"""Closing with drafts of the read-only Demo API: they can only be saved with Save As, the
questions say so (and which draft), Save All never loops on them, and a failed save says why."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QPushButton

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import shown_save_as, wait_save_as, wait_until
from tests.ui.test_workspace_drafts import _close_window_in_loop, _open_tab, _question, _restart
from tests.ui.test_workspace_tree import open_collection, open_test_collection

workspace = test_workspace_tree.workspace  # the fixture
_B = QMessageBox.StandardButton
READ_ONLY_REASON = "is in the read-only Demo API collection: Save As… to keep it, or Keep as Drafts"


def _demo_get_draft(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop) -> Any:
    """Open the Demo API, open its GET /get request and edit it (a header): a draft. The tab
    is called by the request's name in the Demo API (``workspace.drafts.name(tab)``)."""
    window = workspace.window
    window.findChild(QAction, "action-open-demo").trigger()
    wait_until(loop, lambda: workspace.panel.title.text() == "Demo API")
    root = Path(workspace.demo_root())
    col = Collection.open(root)
    rid = next(r for r in workspace.demo_descriptions if col.load_request(r).url.endswith("/get"))
    tab = _open_tab(workspace, loop, rid)
    assert tab.editor.title() == "GET /get"
    window.bar.url_edit.setText(tab.editor.url_text + "?mine=1")
    assert tab.editor.title() == "GET /get"
    assert workspace.is_dirty(tab)
    assert workspace.drafts.name(tab) == col.request_name(rid)
    return tab


def _save_as_button(box: QMessageBox) -> QPushButton | None:
    button = box.findChild(QPushButton, "saveAsButton")
    return button if isinstance(button, QPushButton) else None


def test_save_all_names_the_read_only_draft_saves_the_others_and_closes(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?d=1")
    demo_tab = _demo_get_draft(workspace, ui_loop)
    demo_file = Path(workspace.demo_root()) / workspace.drafts.request_id(demo_tab)
    before = demo_file.read_text()

    name = workspace.drafts.name(demo_tab)
    _close_window_in_loop(window, ui_loop)
    box = _question(workspace, ui_loop)
    # Named as its tab is, by the request's name (the first run's scratch example of the same
    # URL is "GET /get", so the name alone tells them apart).
    assert f"{name} {READ_ONLY_REASON}." in box.informativeText()
    assert box.button(_B.Save).text() == "Save All"
    assert _save_as_button(box) is not None
    box.button(_B.Save).click()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert Collection.open(root).load_request("list-items.toml").params == (("d", "1"),)
    assert demo_file.read_text() == before  # never written
    assert workspace.is_dirty(demo_tab)  # kept as a draft for the next start
    assert "could not save" not in window.status_label.text()


def test_only_read_only_drafts_offer_save_as_not_save_and_save_as_keeps_the_window(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    for tab in window.request_tabs():  # the first run's scratch examples
        if workspace.drafts.request_id(tab) is None:
            window.close_tab(window.tabs.indexOf(tab), ask=False)
    demo_tab = _demo_get_draft(workspace, ui_loop)
    window.tabs.setCurrentIndex(0)

    _close_window_in_loop(window, ui_loop)
    box = _question(workspace, ui_loop)
    name = workspace.drafts.name(demo_tab)
    assert box.text() == f"“{name}” has unsaved changes."
    assert f"{name} {READ_ONLY_REASON}" in box.informativeText()
    assert box.button(_B.Save) is None  # it cannot be saved where it is
    save_as = _save_as_button(box)
    assert save_as is not None
    assert shown_save_as(window) is None
    save_as.click()
    dialog = wait_save_as(ui_loop, window)
    assert window.isVisible()
    assert window.current_tab() is demo_tab
    assert dialog.collection_combo.count() == 1  # the writable collection, not the demo
    dialog.reject()
    # Asking again asks the same question: no loop through a failing Save.
    _close_window_in_loop(window, ui_loop)
    again = _question(workspace, ui_loop)
    assert again is not box
    assert again.button(_B.Save) is None
    again.findChild(QPushButton, "keepDraftsButton").click()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert workspace.is_dirty(demo_tab)


def test_closing_a_read_only_draft_tab_offers_save_as_instead_of_save(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    demo_tab = _demo_get_draft(workspace, ui_loop)
    window.close_tab(window.tabs.indexOf(demo_tab))
    box = _question(workspace, ui_loop)
    assert box.button(_B.Save) is None
    assert "read-only Demo API collection" in box.informativeText()
    save_as = _save_as_button(box)
    assert save_as is not None
    assert shown_save_as(window) is None
    save_as.click()
    dialog = wait_save_as(ui_loop, window)
    assert window.tabs.indexOf(demo_tab) >= 0
    dialog.reject()


def test_tabs_sharing_a_title_are_named_by_collection_and_request_path(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    other = Collection.create(tmp_path / "other", name="Other API")
    other.new_request("", "List items", RequestSpec(url="{{base}}/items"))
    first = _open_tab(workspace, ui_loop, "list-items.toml")
    open_collection(workspace, ui_loop, tmp_path / "other")
    second = _open_tab(workspace, ui_loop, "list-items.toml")
    assert first is not second
    assert first.editor.title() == second.editor.title() == "GET /items"
    window = workspace.window
    window.bar.url_edit.setText("{{base}}/items?x=1")
    assert workspace.is_dirty(second)
    window.close_tab(window.tabs.indexOf(second))
    box = _question(workspace, ui_loop)
    assert box.text() == "“List items (Other API: list-items.toml)” has unsaved changes."
    box.button(_B.Cancel).click()


def test_a_failed_save_at_quit_says_which_tab_and_why(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    window.bar.url_edit.setText("{{base}}/users/mine")
    Collection.open(root).save_request(
        "users/get-user.toml", Collection.open(root).load_request("list-items.toml")
    )
    # The watcher sees the change first (the draft gets its conflict bar), as it would while
    # the user reaches for Quit; then the save at quit must refuse to overwrite it.
    wait_until(ui_loop, lambda: workspace.conflicts.bar(tab) is not None)
    _close_window_in_loop(window, ui_loop)
    _question(workspace, ui_loop).button(_B.Save).click()
    wait_until(ui_loop, lambda: "Not closed" in window.status_label.text())
    text = window.status_label.text()
    assert "could not save “Get user”" in text
    assert "changed on disk" in text
    assert window.isVisible()
    assert workspace.is_dirty(tab)


def _switcher_roots(ws: WorkspaceController) -> list[str]:
    switcher = ws.panel.switcher
    return [str(switcher.itemData(i)) for i in range(switcher.count())]


def test_the_demo_api_stays_in_the_switcher_after_a_restart_with_another_shown(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    window.workspace = workspace
    window.findChild(QAction, "action-open-demo").trigger()
    wait_until(ui_loop, lambda: workspace.panel.title.text() == "Demo API")
    ui_loop.run_until_complete(workspace.activate(str(root)))  # the other one shown at quit
    assert workspace.panel.title.text() == "Test API"
    workspace.ask_on_close = False
    _close_window_in_loop(window, ui_loop)
    wait_until(ui_loop, lambda: not window.isVisible())

    second = _restart(window, workspace.data_dir, ui_loop)
    try:
        ws = second.workspace
        assert ws.panel.title.text() == "Test API"  # the active one is shown
        assert set(_switcher_roots(ws)) == {str(root), ws.demo_root()}
        assert ws.panel.switcher.isVisibleTo(ws.panel)
        assert ws.panel.switcher.currentData() == str(root)
        assert ws.drafts.is_read_only(ws.service.find(ws.demo_root()))
        ws.activate(ws.demo_root())  # and it still works: its examples are listed
        wait_until(ui_loop, lambda: ws.panel.title.text() == "Demo API")
        assert ws.demo_descriptions
    finally:
        second.close()
        second.deleteLater()
