"""Import (Postman, OpenAPI) with warnings, export as code, the environment editor and secrets,
the non-blocking file dialogs, and the File menu wiring."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import keyring.backends.fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QStyleOptionViewItem

from guiapp.core.codegen import to_curl, to_python_make_async, to_python_requests
from guiapp.core.collections import Collection
from guiapp.core.importers import ImportResult
from guiapp.core.request import BearerAuth, JsonBody, RequestSpec
from guiapp.core.secrets import SecretStore
from guiapp.core.variables import Environment, Variable
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.environments import SECRET, VALUE, EnvironmentEditor
from guiapp.ui.workspace.export_dialog import ExportDialog
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import (
    make_collection,
    open_collection,
    open_test_collection,
    tree_names,
)

workspace = test_workspace_tree.workspace  # the fixture

DATA = Path(__file__).resolve().parents[1] / "data" / "import"


def _import(
    workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, name: str
) -> ImportResult:
    result = loop.run_until_complete(workspace.import_file(DATA / name))
    assert result is not None, workspace.window.status_label.text()
    return result


def test_import_postman_opens_the_new_collection_and_shows_warnings(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop
) -> None:
    result = _import(workspace, ui_loop, "shop.postman_collection.json")
    assert workspace.panel.title.text() == "Shop API"
    assert result.collection.root.parent == workspace.data_dir / "collections"
    assert len(tree_names(workspace)) > 0
    assert result.warnings  # the collection has a pre-request script
    box = workspace.window.findChild(QMessageBox, "importResult")
    assert box is not None
    assert box.isVisible()
    assert "scripts" in box.detailedText()
    assert "warning" in workspace.window.status_label.text()
    # Its variables became the collection's own variables (no environment is created).
    assert result.collection_variables is not None
    assert "baseUrl" in result.collection_variables.values()
    combo = workspace.env_bar.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["No environment"]
    assert "Collection variables: baseUrl, accessToken, legacy." in box.text()
    assert workspace.environments.collection_variables == result.collection_variables
    box.close()


def test_import_openapi(workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop) -> None:
    first = _import(workspace, ui_loop, "petstore.openapi.json")
    assert workspace.panel.title.text() == "Swagger Petstore"
    assert "pet" in [name.lower() for name in tree_names(workspace)]
    assert len(first.request_ids) >= 5
    # Imported twice: a second folder, never over the first.
    second = _import(workspace, ui_loop, "petstore.openapi.json")
    assert second.collection.root.name.endswith("-2")


def test_import_of_something_else_says_what_it_accepts(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.json"
    bogus.write_text('{"hello": "world"}', encoding="utf-8")
    assert not ui_loop.run_until_complete(workspace.import_file(bogus))
    text = workspace.window.status_label.text()
    assert "neither a Postman collection" in text
    assert "OpenAPI 3" in text


def test_export_dialog_shows_the_generated_code(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop
) -> None:
    window = workspace.window
    spec = RequestSpec(
        url="https://api.example.com/users",
        method="POST",
        params=[("q", "a b")],
        headers=[("Accept", "application/json")],
        body=JsonBody('{"name": "Ada"}'),
        auth=BearerAuth("{{token}}"),
    )
    window.load_into_current(spec)
    shown = window.current_tab().editor.to_spec()
    dialog = workspace.export_current()
    assert isinstance(dialog, ExportDialog)
    assert dialog.isVisible()
    assert dialog.code() == to_curl(shown)
    dialog.set_format("python-requests")
    assert dialog.code() == to_python_requests(shown)
    dialog.set_format("python-make-async")
    assert dialog.code() == to_python_make_async(shown)
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == to_python_make_async(shown)
    # "Fill in variables" without an environment names what is missing.
    dialog.resolve_check.setChecked(True)
    assert "{{token}}" in dialog.message.text()
    dialog.close()


def test_environment_editor_saves_secrets_to_the_store_not_the_file(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    workspace.env_bar.newRequested.emit()
    editor = workspace.environments.editor
    assert isinstance(editor, EnvironmentEditor)
    editor.name_edit.setText("Staging")
    editor.table.item(0, 0).setText("base")
    editor.table.item(0, VALUE).setText("http://staging.local")
    row = editor.add_variable(Variable("apiKey", "s3cr3t-value", secret=True))
    # The secret is masked in the table; the plain value is not.
    assert editor.table.item(row, SECRET).checkState() == Qt.CheckState.Checked
    delegate = editor.table.itemDelegateForColumn(VALUE)
    shown = []
    for r in (0, row):
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, editor.table.model().index(r, VALUE))
        shown.append(option.text)
    assert shown == ["http://staging.local", "••••••••"]
    editor.accept()
    wait_until(ui_loop, lambda: workspace.env_bar.active() == "Staging")
    wait_until(ui_loop, lambda: workspace.environments.environment is not None)
    env = workspace.environments.environment
    assert env is not None
    assert env.values() == {"base": "http://staging.local", "apiKey": "s3cr3t-value"}
    files = list((root / "_environments").glob("*.toml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "http://staging.local" in text
    assert "s3cr3t-value" not in text  # kept by the SecretStore (here a MemoryKeyring)
    col = Collection.open(root, secrets=workspace.service.secrets)
    assert col.load_environment("Staging").get("apiKey") == "s3cr3t-value"


def test_duplicate_variable_names_and_taken_names_are_refused(qtbot: Any) -> None:
    dialog = EnvironmentEditor(
        Environment("Dev", (Variable("a", "1"), Variable("a", "2"))), taken_names=["Prod"]
    )
    qtbot.addWidget(dialog)  # deleted after the test, not left to the interpreter's exit
    dialog.accept()
    assert "unique" in dialog.error.text()
    dialog.name_edit.setText("Prod")
    assert "exists already" in (dialog.validation_error() or "")
    dialog.close()


def test_without_a_keyring_secrets_are_session_only_and_the_user_is_told_once(
    window: object, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    store = SecretStore(backend=keyring.backends.fail.Keyring())
    controller = WorkspaceController(window, tmp_path / "data", secrets=store).attach()
    wait_until(ui_loop, lambda: controller.ready)
    root = tmp_path / "api"
    col = make_collection(root, secrets=store)
    col.save_environment(Environment("Dev", (Variable("token", "abc", secret=True),)))
    open_collection(controller, ui_loop, root)
    controller.env_bar.select("Dev")
    wait_until(ui_loop, lambda: controller.environments.environment is not None)
    status = controller.window.status_label.text()
    assert "No system keyring is available" in status
    assert "this session only" in status
    env = controller.environments.environment
    assert env is not None
    assert env.get("token") == "abc"  # the session-only fallback kept it
    controller.window.show_message("something else", "ok")
    controller.env_bar.select("")
    controller.env_bar.select("Dev")
    wait_until(ui_loop, lambda: controller.environments.environment is not None)
    assert controller.window.status_label.text() == "something else"  # told once only
    # The editor repeats it where secrets are edited.
    controller.env_bar.editRequested.emit()
    wait_until(ui_loop, lambda: getattr(controller.environments, "editor", None) is not None)
    assert "this session only" in controller.environments.editor.note.text()
    controller.environments.editor.close()


def test_file_menu_and_non_blocking_file_dialogs(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = workspace.window
    file_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File"
    )
    texts = [a.text() for a in file_menu.actions()]
    for wanted in ("Open Collection…", "New Collection…", "Import Postman / OpenAPI…"):
        assert wanted in texts
    assert "Export Request as Code…" in texts
    assert workspace.dock.toggleViewAction() in window.view_menu.actions()

    # New Collection…: a save-mode folder dialog, opened with open() (never exec()).
    dialog = workspace.new_collection_dialog()
    assert isinstance(dialog, QFileDialog)
    assert dialog.isVisible()
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    dialog.fileSelected.emit(str(tmp_path / "fresh"))
    dialog.close()
    wait_until(ui_loop, lambda: "Opened collection “fresh”" in window.status_label.text())
    assert (tmp_path / "fresh" / "collection.toml").exists()

    # Open Collection… with the folder chosen.
    make_collection(tmp_path / "api")
    dialog = workspace.open_collection_dialog()
    dialog.fileSelected.emit(str(tmp_path / "api"))
    dialog.close()
    wait_until(ui_loop, lambda: "Opened collection “Test API”" in window.status_label.text())


def test_the_last_collection_and_environment_are_restored(
    window: object, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from guiapp.core.secrets import MemoryKeyring

    store = SecretStore(backend=MemoryKeyring())
    root = tmp_path / "api"
    col = make_collection(root, secrets=store)
    col.save_environment(Environment("Dev", (Variable("base", "http://dev"),)))
    first = WorkspaceController(window, tmp_path / "data", secrets=store).attach()
    wait_until(ui_loop, lambda: first.ready)
    open_collection(first, ui_loop, root)
    first.env_bar.select("Dev")
    wait_until(ui_loop, lambda: first.environments.environment is not None)
    first.save_all()
    first.shutdown()

    second = WorkspaceController(window, tmp_path / "data", secrets=store)
    second.restore()
    wait_until(ui_loop, lambda: second.ready)
    assert second.panel.title.text() == "Test API"
    assert second.env_bar.active() == "Dev"
    second.shutdown()


def test_deleting_an_environment_asks_first(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    col = make_collection(root, secrets=workspace.service.secrets)
    col.save_environment(Environment("Dev", (Variable("key", "k", secret=True),)))
    open_collection(workspace, ui_loop, root)
    workspace.env_bar.select("Dev")
    wait_until(ui_loop, lambda: workspace.environments.environment is not None)
    box = workspace.environments.delete_active()
    assert box is not None
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert (root / "_environments" / "dev.toml").exists()
    box = workspace.environments.delete_active()
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    wait_until(ui_loop, lambda: workspace.env_bar.combo.count() == 1)
    assert not (root / "_environments" / "dev.toml").exists()
    assert workspace.environments.environment is None
    assert (
        workspace.service.secrets.get(f"{workspace.service.secrets.scope(col.root)}/Dev/key")
        is None
    )
