"""Drafts and explicit saves: the dirty marker, Ctrl+S, Save As, Revert, closing asks, drafts
across a restart, conflicts, several collections, import adds, the read-only Demo API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from guiapp.core.collections import Collection
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.demo.examples import sample_requests
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.conflicts import CompareDialog
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_save_as, wait_until
from tests.ui.test_workspace_tree import (
    make_collection,
    open_collection,
    open_test_collection,
    tree_names,
)

workspace = test_workspace_tree.workspace  # the fixture
_B = QMessageBox.StandardButton
DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def _open_tab(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, rid: str) -> Any:
    tab = loop.run_until_complete(workspace.open_request_async(rid))
    assert tab is not None
    return tab


def _url(root: Path, rid: str) -> str:
    return Collection.open(root).load_request(rid).url


def _tab_text(window: MainWindow, tab: Any) -> str:
    return window.tabs.tabText(window.tabs.indexOf(tab))


def _shown_question(window: MainWindow) -> QMessageBox | None:
    """The "Unsaved changes" question open on ``window``, as a user sees it, or None."""
    boxes = [b for b in window.findChildren(QMessageBox, "unsavedQuestion") if b.isVisible()]
    assert len(boxes) <= 1, f"{len(boxes)} questions open at once"
    return boxes[0] if boxes else None


def _question(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop) -> QMessageBox:
    wait_until(loop, lambda: _shown_question(workspace.window) is not None)
    box = _shown_question(workspace.window)
    assert box is not None
    return box


def _close_window_in_loop(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    """Ask the window to close from inside the running loop, as a click on its X does."""

    async def close() -> None:
        window.close()

    loop.run_until_complete(close())


def test_an_edit_makes_a_draft_marked_on_the_tab_and_tree_until_saved(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    assert not workspace.is_dirty(tab)
    window.bar.url_edit.setText("{{base}}/items?page=2")  # as the user types
    assert workspace.is_dirty(tab)
    assert _tab_text(window, tab).startswith("• ")
    assert workspace.model.data(workspace.model.find("list-items.toml")).startswith("• ")
    assert "1 unsaved draft" in workspace.panel.save_state.text()
    # Nothing is written by itself: the file changes only on Ctrl+S.
    assert _url(root, "list-items.toml") == "{{base}}/items"
    # Typing back to the saved text leaves the tab clean.
    window.bar.url_edit.setText("{{base}}/items")
    assert not workspace.is_dirty(tab)
    assert not _tab_text(window, tab).startswith("• ")
    assert not workspace.model.data(workspace.model.find("list-items.toml")).startswith("• ")


def test_ctrl_s_saves_the_current_tab_on_the_lane(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path, qtbot: Any
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?page=2")
    save = window.findChild(QAction, "action-save")
    assert save.shortcut() == QKeySequence("Ctrl+S")
    window.activateWindow()
    qtbot.keyClick(window.bar.url_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # The write runs on the lane: the tab says so until it is done, then is clean.
    assert workspace.drafts.is_saving(tab)
    assert _tab_text(window, tab).startswith("Saving… ")
    wait_until(ui_loop, lambda: not workspace.drafts.is_saving(tab))
    assert not workspace.is_dirty(tab)
    assert not _tab_text(window, tab).startswith(("Saving", "•"))
    assert workspace.panel.save_state.text() == "All changes saved"
    saved = Collection.open(root).load_request("list-items.toml")
    assert (saved.url, saved.params) == ("{{base}}/items", (("page", "2"),))


def test_revert_drops_the_draft(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    window.bar.url_edit.setText("{{base}}/users/99")
    window.findChild(QAction, "action-revert").trigger()
    assert tab.editor.url_text == "{{base}}/users/1"
    assert window.bar.url_edit.text() == "{{base}}/users/1"
    assert not workspace.is_dirty(tab)


def test_save_as_writes_a_new_request_and_leaves_the_old_file(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    other = tmp_path / "other"
    make_collection(other)
    open_collection(workspace, ui_loop, other)
    open_collection(workspace, ui_loop, root)  # shown again; both open
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    window.bar.url_edit.setText("{{base}}/users/7")
    window.findChild(QAction, "action-save-as").trigger()
    dialog = wait_save_as(ui_loop, workspace.window)
    assert dialog.collection_combo.count() == 2
    dialog.collection_combo.setCurrentIndex(dialog.collection_combo.findData(str(other.resolve())))
    wait_until(ui_loop, lambda: dialog.folder_combo.findData("users") >= 0)
    dialog.folder_combo.setCurrentIndex(dialog.folder_combo.findData("users"))
    dialog.name_edit.setText("User seven")
    dialog.accept()
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) == "users/user-seven.toml")
    assert workspace.drafts.collection_of(tab).root == other.resolve()
    assert not workspace.is_dirty(tab)
    assert _url(other, "users/user-seven.toml") == "{{base}}/users/7"
    assert _url(root, "users/get-user.toml") == "{{base}}/users/1"  # untouched


def test_closing_a_tab_with_a_draft_asks_and_each_answer_does_what_it_says(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?v=1")
    count = window.tabs.count()

    window.close_tab(window.tabs.indexOf(tab))  # Cancel: nothing happens
    _question(workspace, ui_loop).button(_B.Cancel).click()
    assert window.tabs.indexOf(tab) >= 0
    assert workspace.is_dirty(tab)

    window.close_tab(window.tabs.indexOf(tab))  # Save: written, then closed
    _question(workspace, ui_loop).button(_B.Save).click()
    wait_until(ui_loop, lambda: window.tabs.count() == count - 1)
    assert Collection.open(root).load_request("list-items.toml").params == (("v", "1"),)

    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?v=2")
    window.close_tab(window.tabs.indexOf(tab))  # Discard: closed, the file as it was
    _question(workspace, ui_loop).button(_B.Discard).click()
    wait_until(ui_loop, lambda: window.tabs.count() == count - 1)
    assert Collection.open(root).load_request("list-items.toml").params == (("v", "1"),)
    # A clean tab closes without a question.
    _open_tab(workspace, ui_loop, "list-items.toml")
    window.close_tab(window.tabs.currentIndex())
    assert window.tabs.count() == count - 1
    assert _shown_question(window) is None


def _two_drafts(
    workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, root: Path
) -> list[Any]:
    tabs = []
    for rid, url in (("list-items.toml", "{{base}}/items?d=1"), ("users/get-user.toml", "x")):
        tabs.append(_open_tab(workspace, loop, rid))
        workspace.window.bar.url_edit.setText(url)
    return tabs


def test_closing_the_window_with_drafts_asks_cancel_keeps_it_open(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    _two_drafts(workspace, ui_loop, root)
    window = workspace.window
    _close_window_in_loop(window, ui_loop)
    box = _question(workspace, ui_loop)
    assert "2 tabs have unsaved changes" in box.text()
    assert box.button(_B.Save).text() == "Save All"
    assert box.button(_B.Discard).text() == "Discard All"
    box.button(_B.Cancel).click()
    assert window.isVisible()
    assert len(workspace.drafts.dirty_tabs()) == 2
    assert _url(root, "users/get-user.toml") == "{{base}}/users/1"


def test_closing_the_window_save_all_writes_every_draft_then_closes(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    _two_drafts(workspace, ui_loop, root)
    window = workspace.window
    _close_window_in_loop(window, ui_loop)
    _question(workspace, ui_loop).button(_B.Save).click()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert _url(root, "users/get-user.toml") == "x"
    assert Collection.open(root).load_request("list-items.toml").params == (("d", "1"),)


def test_closing_the_window_discard_all_keeps_the_files_and_no_drafts(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    _two_drafts(workspace, ui_loop, root)
    window = workspace.window
    _close_window_in_loop(window, ui_loop)
    _question(workspace, ui_loop).button(_B.Discard).click()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert _url(root, "users/get-user.toml") == "{{base}}/users/1"
    state = json.loads((workspace.data_dir / "workspace.json").read_text())
    assert [t for t in state["tabs"] if "draft" in t] == []


def _restart(window: MainWindow, data_dir: Path, loop: asyncio.AbstractEventLoop) -> Any:
    from guiapp.app import create_window

    second = create_window(window.data_dir)
    controller = WorkspaceController(
        second, data_dir, secrets=SecretStore(backend=MemoryKeyring()), poll_ms=100
    ).attach()
    second.workspace = controller
    wait_until(loop, lambda: controller.ready)
    return second


def test_keep_as_drafts_closes_and_the_drafts_come_back_after_a_restart(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    window.workspace = workspace
    _two_drafts(workspace, ui_loop, root)
    clean = _open_tab(workspace, ui_loop, "users/create-user.toml")
    assert not workspace.is_dirty(clean)
    _close_window_in_loop(window, ui_loop)
    box = _question(workspace, ui_loop)
    box.findChild(type(box.button(_B.Save)), "keepDraftsButton").click()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert _url(root, "users/get-user.toml") == "{{base}}/users/1"  # never written

    second = _restart(window, workspace.data_dir, ui_loop)
    try:
        ws = second.workspace
        by_rid = {ws.drafts.request_id(t): t for t in second.request_tabs()}
        assert {"list-items.toml", "users/get-user.toml", "users/create-user.toml"} <= set(by_rid)
        assert ws.is_dirty(by_rid["users/get-user.toml"])
        assert by_rid["users/get-user.toml"].editor.url_text == "x"
        assert ws.is_dirty(by_rid["list-items.toml"])
        assert not ws.is_dirty(by_rid["users/create-user.toml"])
        assert _tab_text(second, by_rid["users/get-user.toml"]).startswith("• ")
        # Still a draft: Revert brings the file's version back.
        second.tabs.setCurrentWidget(by_rid["users/get-user.toml"])
        assert ws.revert_current()
        assert by_rid["users/get-user.toml"].editor.url_text == "{{base}}/users/1"
    finally:
        second.close()
        second.deleteLater()


def test_a_file_changed_while_the_app_was_closed_conflicts_with_its_draft(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    _open_tab(workspace, ui_loop, "users/get-user.toml")
    window.bar.url_edit.setText("{{base}}/users/mine")
    workspace.ask_on_close = False  # as on SIGTERM: no question, drafts kept
    _close_window_in_loop(window, ui_loop)
    wait_until(ui_loop, lambda: not window.isVisible())
    Collection.open(root).save_request("users/get-user.toml", RequestSpec(url="http://theirs"))

    second = _restart(window, workspace.data_dir, ui_loop)
    try:
        ws = second.workspace
        tab = next(t for t in second.request_tabs() if ws.drafts.request_id(t))
        assert tab.editor.url_text == "{{base}}/users/mine"
        bar = ws.conflicts.bar(tab)
        assert bar is not None
        bar.keep_button.click()  # Keep Mine: still a draft, saving replaces theirs knowingly
        assert ws.conflicts.bar(tab) is None
        assert ws.is_dirty(tab)
        assert _url(root, "users/get-user.toml") == "http://theirs"
        second.tabs.setCurrentWidget(tab)
        assert ui_loop.run_until_complete(ws.save_current())
        assert _url(root, "users/get-user.toml") == "{{base}}/users/mine"
    finally:
        second.close()
        second.deleteLater()


def test_a_save_never_overwrites_a_file_changed_on_disk_and_compare_shows_both(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    workspace.watcher.stop()  # the save itself must notice, not only the poll
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("http://mine")
    Collection.open(root).save_request("users/get-user.toml", RequestSpec(url="http://theirs"))
    assert not ui_loop.run_until_complete(workspace.save_current())
    assert _url(root, "users/get-user.toml") == "http://theirs"
    bar = workspace.conflicts.bar(tab)
    assert bar is not None
    on_disk = (root / "users" / "get-user.toml").read_text(encoding="utf-8")
    bar.compare_button.click()
    window = workspace.window
    wait_until(ui_loop, lambda: window.findChild(CompareDialog) is not None)
    dialog = window.findChild(CompareDialog)
    assert dialog is not None
    assert dialog.isVisible()
    # The file's own TOML text against the text saving the draft would write, not JSON.
    lines = dialog.text.toPlainText().splitlines()
    assert lines[:2] == [
        "--- users/get-user.toml (on disk)",
        "+++ users/get-user.toml (your draft)",
    ]
    assert '-url = "http://theirs"' in lines
    assert '+url = "http://mine"' in lines
    removed = {line[1:] for line in lines if line.startswith("-") and not line.startswith("---")}
    assert removed <= set(on_disk.splitlines())
    # Coloured: the added and removed lines carry the highlighter's backgrounds.
    document = dialog.text.document()
    colours = {}
    for kind, prefix in (("removed", "-url"), ("added", "+url"), ("context", " ")):
        block = document.findBlock(dialog.text.toPlainText().index("\n" + prefix) + 1)
        ranges = block.layout().formats()
        colours[kind] = ranges[0].format.background().color().name() if ranges else None
    assert colours["removed"] is not None
    assert colours["added"] is not None
    assert colours["removed"] != colours["added"]
    assert colours["context"] is None
    dialog.theirs_button.click()  # Take Theirs, from the dialog
    assert tab.editor.url_text == "http://theirs"
    assert not workspace.is_dirty(tab)
    assert workspace.conflicts.bar(tab) is None


def test_the_contract_open_collection_and_open_request_return_tasks(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    make_collection(root)
    task = workspace.open_collection(root)  # not awaited: it still runs
    assert isinstance(task, asyncio.Task)
    wait_until(ui_loop, task.done)
    assert task.result() is True
    assert "Users" in tree_names(workspace)
    opened = workspace.open_request(root, "users/get-user.toml")
    assert isinstance(opened, asyncio.Task)
    tab = ui_loop.run_until_complete(opened)
    assert tab is workspace.window.current_tab()
    assert tab.editor.url_text == "{{base}}/users/1"
    assert workspace.is_dirty(tab) is False


def test_import_adds_a_collection_and_offers_its_environment(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    result = ui_loop.run_until_complete(workspace.import_file(DATA / "petstore.openapi.json"))
    assert result is not None
    assert workspace.panel.title.text() == "Swagger Petstore"
    assert str(root.resolve()) in workspace.service.opened  # added, not replaced
    assert workspace.drafts.request_id(tab) == "list-items.toml"
    assert workspace.panel.switcher.isVisibleTo(workspace.panel)
    envs = result.environments
    assert envs  # the document declares servers: the import offers its environment
    box = workspace.window.findChild(QMessageBox, "importResult")
    button = next(b for b in box.buttons() if b.objectName() == "useImportedEnvironment")
    button.click()
    wait_until(ui_loop, lambda: workspace.env_bar.active() == envs[0].name)


def test_the_demo_api_collection_is_read_only_and_holds_every_example(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window = workspace.window
    window.findChild(QAction, "action-open-demo").trigger()
    wait_until(ui_loop, lambda: workspace.panel.title.text() == "Demo API")
    examples = sample_requests(window.demo_server.url)
    assert len(examples) >= 30  # the demo API's examples, streaming ones included
    assert sorted(tree_names(workspace)) == sorted(e.name for e in examples)
    col = workspace.collection
    rid = next(k for k, v in workspace.demo_descriptions.items() if v == examples[0].description)
    tip = workspace.model.data(workspace.model.find(rid), Qt.ItemDataRole.ToolTipRole)
    assert examples[0].description in tip
    tab = _open_tab(workspace, ui_loop, rid)
    assert tab.editor.url_text.startswith(window.demo_server.url)
    assert examples[0].description in window.tabs.tabToolTip(window.tabs.indexOf(tab))
    before = (col.root / rid).read_text()
    window.bar.url_edit.setText(window.demo_server.url + "/changed")
    assert workspace.is_dirty(tab)
    # Ctrl+S cannot write it: Save As, and no other collection is open to save into.
    assert workspace.save_current() is None
    dialog = wait_save_as(ui_loop, workspace.window)
    assert dialog.collection_combo.count() == 0
    assert "read-only" in dialog.problem.text()
    dialog.reject()
    # Tree edits are refused too.
    workspace.rename(rid, "Renamed", examples[0].name)
    wait_until(ui_loop, lambda: "read-only" in window.status_label.text())
    assert (col.root / rid).read_text() == before


def test_file_consent_finds_the_tab_s_own_collection_while_another_is_shown(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from guiapp.core.request import FilePart, MultipartBody

    window = workspace.window
    window.workspace = workspace
    first = tmp_path / "first"
    col = Collection.create(first, name="Uploads")
    (first / "fixture.csv").write_text("a,b\n")
    spec = RequestSpec(
        url=window.demo_server.url + "/post",
        method="POST",
        body=MultipartBody((FilePart("data", str(first / "fixture.csv")),)),
    )
    rid = col.new_request("", "Upload", spec)
    open_collection(workspace, ui_loop, first)
    tab = _open_tab(workspace, ui_loop, rid)
    open_test_collection(workspace, ui_loop, tmp_path / "other")  # shown now
    assert workspace.location(tab) == (first.resolve(), rid)
    window.tabs.setCurrentWidget(tab)
    with pytest.raises(InvalidRequest, match="switching to “Uploads”"):
        workspace.resolve(tab.editor.to_spec())  # not before its own variables apply
    wait_until(
        ui_loop, lambda: workspace.collection is not None and workspace.collection.name == "Uploads"
    )
    wait_until(ui_loop, lambda: not workspace.switching)
    task = window.send_current()
    assert task is not None
    wait_until(ui_loop, task.done, timeout=30)
    assert window.findChild(QMessageBox, "fileUploadConsent") is None  # inside its collection
    assert tab.outcome.kind == "response", tab.outcome.message


def test_the_runner_opens_a_result_through_open_request(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QApplication

    from guiapp.ui.runner.window import RunnerWindow

    window = workspace.window
    window.workspace = workspace
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window.findChild(QAction, "action-run-collection").trigger()
    # This window's runner: the one just shown (an earlier test's may not be deleted yet).
    runner = next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, RunnerWindow) and w.isVisible()
    )
    try:
        opened = runner._open_request("users/get-user.toml")  # what a double click does
        tab = ui_loop.run_until_complete(opened)
        assert workspace.location(tab) == (root.resolve(), "users/get-user.toml")
    finally:
        runner.close()
        runner.deleteLater()


def test_a_first_run_shows_the_demo_api_collection(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    from guiapp.app import create_window

    window = create_window(tmp_path / "fresh", workspace=True)
    try:
        ws = window.workspace
        wait_until(ui_loop, lambda: ws.ready)
        assert ws.panel.title.text() == "Demo API"
        assert len(tree_names(ws)) == len(sample_requests(window.demo_server.url))
        assert ws.drafts.is_read_only(ws.collection)
    finally:
        window.close()
        window.deleteLater()


def test_a_tab_inherits_the_auth_of_its_own_collection_while_another_is_shown(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from guiapp.core.auth_inherit import AuthSetting
    from guiapp.core.request import BearerAuth

    store = workspace.service.secrets
    roots = {}
    for name in ("mine", "other"):
        col = Collection.create(tmp_path / name, name=name, secrets=store)
        col.new_request("", "Who", RequestSpec(url="http://127.0.0.1:1/who", inherit_auth=True))
        col.save_auth("", AuthSetting(BearerAuth(f"{name}-token"), inherit=False))
        roots[name] = tmp_path / name
    open_collection(workspace, ui_loop, roots["mine"])
    tab = _open_tab(workspace, ui_loop, "who.toml")
    open_collection(workspace, ui_loop, roots["other"])  # shown now, same request id
    wait_until(ui_loop, lambda: workspace.auth.settings.get("") is not None)

    def inherited() -> object:
        parent = workspace.auth.parent_auth_for(tab)
        return None if parent is None else parent.auth

    wait_until(ui_loop, lambda: inherited() == BearerAuth("mine-token"))


def test_switching_to_a_tab_of_another_open_collection_shows_that_collection(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first = open_test_collection(workspace, ui_loop, tmp_path / "first")
    tab_a = _open_tab(workspace, ui_loop, "list-items.toml")
    second = open_test_collection(workspace, ui_loop, tmp_path / "second")
    tab_b = _open_tab(workspace, ui_loop, "users/get-user.toml")
    assert workspace.drafts.collection_of(tab_b).root == second.resolve()
    workspace.window.tabs.setCurrentWidget(tab_a)
    wait_until(ui_loop, lambda: workspace.collection.root == first.resolve())  # type: ignore[union-attr]
    assert workspace.panel.switcher.currentData() == str(first.resolve())
    wait_until(ui_loop, lambda: not workspace.switching)
    wait_until(
        ui_loop,
        lambda: workspace.panel.tree.currentIndex() == workspace.model.find("list-items.toml"),
    )


def test_close_collection_is_refused_with_drafts_and_otherwise_shows_another(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first = open_test_collection(workspace, ui_loop, tmp_path / "first")
    second = open_test_collection(workspace, ui_loop, tmp_path / "second")
    tab = _open_tab(workspace, ui_loop, "list-items.toml")
    workspace.window.bar.url_edit.setText("{{base}}/draft")
    workspace.panel.closeCollectionRequested.emit()  # ⋯ → Close Collection
    assert "unsaved drafts" in workspace.window.status_label.text()
    assert str(second.resolve()) in workspace.service.opened
    workspace.revert_current()
    workspace.panel.closeCollectionRequested.emit()
    assert str(second.resolve()) not in workspace.service.opened
    assert workspace.drafts.request_id(tab) is None  # a scratch tab now, its text kept
    assert tab.editor.url_text == "{{base}}/items"
    assert workspace.collection is not None
    assert workspace.collection.root == first.resolve()
    wait_until(ui_loop, lambda: not workspace.panel.switcher.isVisibleTo(workspace.panel))
    wait_until(ui_loop, lambda: not workspace.switching)
    assert workspace.panel.switcher.currentData() == str(first.resolve())


def test_closing_waits_in_the_event_loop_for_a_save_under_way(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    _open_tab(workspace, ui_loop, "list-items.toml")
    window.bar.url_edit.setText("{{base}}/items?late=1")
    workspace.ask_on_close = False  # as on SIGTERM: no question
    save = workspace.save_current()
    assert save is not None
    _close_window_in_loop(window, ui_loop)  # the save has not run yet: the close waits for it
    assert window.isVisible()
    wait_until(ui_loop, lambda: not window.isVisible())
    assert save.done()
    assert save.result() is True
    assert Collection.open(root).load_request("list-items.toml").params == (("late", "1"),)


def test_a_collection_not_shown_is_watched_too(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first = open_test_collection(workspace, ui_loop, tmp_path / "first")
    clean = _open_tab(workspace, ui_loop, "list-items.toml")
    draft = _open_tab(workspace, ui_loop, "users/get-user.toml")
    workspace.window.bar.url_edit.setText("http://mine")
    open_test_collection(workspace, ui_loop, tmp_path / "second")  # shown now
    other = Collection.open(first)
    other.save_request("list-items.toml", RequestSpec(url="http://pulled"))
    other.save_request("users/get-user.toml", RequestSpec(url="http://theirs"))
    wait_until(ui_loop, lambda: clean.editor.url_text == "http://pulled")
    wait_until(ui_loop, lambda: workspace.conflicts.bar(draft) is not None)
    assert draft.editor.url_text == "http://mine"
    assert workspace.collection is not None
    assert workspace.collection.root == (tmp_path / "second").resolve()


def test_keep_mine_replaces_the_changed_on_disk_notice(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    window.response_area.notice_ms = {"ok": 600_000, "error": 600_000}  # no time-out here
    tab = _open_tab(workspace, ui_loop, "users/get-user.toml")
    window.bar.url_edit.setText("http://mine")
    Collection.open(root).save_request("users/get-user.toml", RequestSpec(url="http://theirs"))
    wait_until(ui_loop, lambda: workspace.conflicts.bar(tab) is not None)
    wait_until(ui_loop, lambda: "changed on disk" in window.status_label.text())
    bar = workspace.conflicts.bar(tab)
    assert bar is not None
    bar.keep_button.click()
    status = window.status_label.text()
    assert "changed on disk" not in status, status
    assert status.startswith("Kept your draft of users/get-user.toml"), status
    assert window.status_label.property("state") == "ok"


def test_renaming_a_request_in_the_tree_renames_its_tab(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    workspace.new_request()
    wait_until(ui_loop, lambda: "New request" in tree_names(workspace))
    (rid,) = [r.id for r in workspace.model.listing().walk_requests() if r.name == "New request"]
    tab = _open_tab(workspace, ui_loop, rid)
    assert tab.editor.url_text == ""
    assert _tab_text(window, tab) == "New request"
    workspace.rename(rid, "Login", "New request")
    wait_until(ui_loop, lambda: workspace.drafts.request_id(tab) != rid)
    wait_until(ui_loop, lambda: _tab_text(window, tab) == "Login")
    assert window.windowTitle() == "Login — guiapp"
    workspace.undo_stack.undo()  # renamed back: the tab follows again
    wait_until(ui_loop, lambda: _tab_text(window, tab) == "New request")
