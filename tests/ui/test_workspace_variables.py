"""Collection variables in the window: the dialog (invalid names, secrets, undo), requests sent
with them against the embedded demo server, the environment overriding them, the URL marker,
export, and an external edit of collection.toml picked up."""

from __future__ import annotations

import asyncio
import json
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from guiapp.core.collections import Collection
from guiapp.core.variables import Environment, Variable
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.collection_variables import CollectionVariablesEditor
from guiapp.ui.workspace.environments import NAME, SECRET, VALUE, EnvironmentEditor
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import make_collection, open_collection, open_test_collection

workspace = test_workspace_tree.workspace  # the fixture


def _open_editor(
    workspace: WorkspaceController, loop: asyncio.AbstractEventLoop
) -> CollectionVariablesEditor:
    workspace.environments.variables_editor = None
    workspace.panel.variables_action.trigger()  # Collections ⋯ → Collection Variables…
    wait_until(loop, lambda: workspace.environments.variables_editor is not None)
    editor = workspace.environments.variables_editor
    assert isinstance(editor, CollectionVariablesEditor)
    assert editor.isVisible()
    return editor


def _rows(editor: EnvironmentEditor) -> list[tuple[str, str, bool]]:
    table = editor.table
    return [
        (
            table.item(r, NAME).text(),
            table.item(r, VALUE).text(),
            table.item(r, SECRET).checkState() == Qt.CheckState.Checked,
        )
        for r in range(table.rowCount())
    ]


def test_dialog_refuses_bad_names_keeps_rows_saves_secrets_to_the_keyring_and_undoes(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    make_collection(root)
    Collection.open(root).save_variables((Variable("base", "http://old"),))
    open_collection(workspace, ui_loop, root)
    meta = root / "collection.toml"
    before = meta.read_text()
    store = workspace.service.secrets

    editor = _open_editor(workspace, ui_loop)
    assert not editor.name_edit.isVisibleTo(editor)  # the collection keeps its name
    assert "Test API" in editor.windowTitle()
    assert _rows(editor) == [("base", "http://old", False)]
    editor.table.item(0, VALUE).setText("http://new")
    editor.add_variable(Variable("api token", "s3cret", secret=True))
    editor.add_variable(Variable("", "orphan value"))

    editor.accept()  # refused: a space in a name; nothing is lost, the bad row is selected
    assert editor.isVisible()
    assert "“api token” cannot be a variable name: it contains a space" in editor.error.text()
    assert editor.table.currentRow() == 1
    assert len(_rows(editor)) == 3
    editor.table.item(1, NAME).setText("apiToken")
    editor.accept()  # refused: a value without a name
    assert editor.isVisible()
    assert editor.error.text() == "Row 3 has a value but no name."
    assert editor.table.currentRow() == 2
    editor.table.item(2, NAME).setText("base")
    editor.accept()  # refused: twice the same name
    assert "must be unique: base" in editor.error.text()
    editor.table.item(2, NAME).setText("region")
    assert meta.read_text() == before  # nothing was written while the table was invalid

    editor.accept()
    assert not editor.isVisible()
    scope = workspace.environments
    wait_until(
        ui_loop,
        lambda: (
            scope.collection_variables is not None
            and "region" in scope.collection_variables.values()
        ),
    )
    assert scope.collection_variables is not None
    assert scope.collection_variables.values() == {
        "base": "http://new",
        "apiToken": "s3cret",
        "region": "orphan value",
    }
    text = meta.read_text()
    assert "s3cret" not in text  # in the keyring (here a MemoryKeyring), not in the file
    assert tomllib.loads(text)["variables"][1] == {"name": "apiToken", "secret": True}
    col = Collection.open(root, secrets=store)
    assert store.get(f"{store.scope(col.root)}:collection/apiToken") == "s3cret"
    assert workspace.undo_stack.undoText() == "Edit collection variables"

    # Undo (the workspace's stack: Ctrl+Z in the tree) puts the old variables back.
    workspace.undo_stack.undo()
    wait_until(
        ui_loop,
        lambda: (
            scope.collection_variables is not None
            and scope.collection_variables.values() == {"base": "http://old"}
        ),
    )
    assert tomllib.loads(meta.read_text())["variables"] == [{"name": "base", "value": "http://old"}]
    assert store.get(f"{store.scope(col.root)}:collection/apiToken") is None
    workspace.undo_stack.redo()  # and redo brings the secret back too
    wait_until(
        ui_loop, lambda: store.get(f"{store.scope(col.root)}:collection/apiToken") == "s3cret"
    )
    wait_until(
        ui_loop, lambda: "apiToken" in (scope.collection_variables or Environment("")).values()
    )

    # Saving without a change adds no undo step; Cancel writes nothing.
    count = workspace.undo_stack.count()
    _open_editor(workspace, ui_loop).accept()
    editor = _open_editor(workspace, ui_loop)
    editor.table.item(0, VALUE).setText("http://discarded")
    editor.reject()
    assert workspace.undo_stack.count() == count
    assert "http://discarded" not in meta.read_text()


def test_requests_use_collection_variables_and_the_environment_overrides_them(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    window = workspace.window
    base = window.demo_server.url
    root = tmp_path / "api"
    col = make_collection(root, workspace.service.secrets)
    col.save_variables(
        (
            Variable("base", base + "/anything/collection"),
            Variable("apiKey", "k-123", secret=True),
            Variable("version", "v1"),
        )
    )
    col.save_environment(Environment("Prod", (Variable("base", base + "/anything/prod"),)))
    open_collection(workspace, ui_loop, root)
    tab = ui_loop.run_until_complete(workspace.open_request_async("list-items.toml"))
    assert tab is not None

    def sent_url() -> str:
        window.send_current()
        wait_until(ui_loop, lambda: tab.outcome.kind in ("response", "error"))
        assert tab.outcome.kind == "response", tab.outcome.message
        return str(json.loads(tab.outcome.value.body_bytes())["url"])

    window.bar.url_edit.setText("{{base}}/{{version}}/items?key={{apiKey}}")
    # No environment: the collection's own values (the secret came from the keyring).
    assert sent_url().endswith("/anything/collection/v1/items?key=k-123")
    wait_until(ui_loop, lambda: workspace.marker.missing() == [])
    # The active environment wins over the collection for "base"; the rest still applies.
    workspace.env_bar.select("Prod")
    wait_until(ui_loop, lambda: getattr(workspace.environments.environment, "name", "") == "Prod")
    assert sent_url().endswith("/anything/prod/v1/items?key=k-123")

    # A name defined nowhere: the URL field says so, and Send is refused naming it.
    window.bar.url_edit.setText("{{base}}/{{region}}/items")
    wait_until(ui_loop, lambda: workspace.marker.missing() == ["region"])
    tooltip = window.bar.url_edit.toolTip()
    assert "{{region}}" in tooltip
    assert "collection variables" in tooltip
    window.send_current()
    wait_until(ui_loop, lambda: tab.outcome.kind == "error")
    assert "{{region}}" in tab.outcome.message
    assert "environment 'Prod' or the collection variables" in tab.outcome.message

    # Defining it as a collection variable (through the dialog) fixes the check and the send.
    editor = _open_editor(workspace, ui_loop)
    editor.add_variable(Variable("region", "eu"))
    editor.accept()
    wait_until(ui_loop, lambda: workspace.marker.missing() == [])
    assert sent_url().endswith("/anything/prod/eu/items")

    # Export "fill in variables" uses the same layered values.
    dialog = workspace.export_current()
    dialog.resolve_check.setChecked(True)
    assert base + "/anything/prod/eu/items" in dialog.code()
    dialog.close()


def test_an_external_edit_of_collection_toml_is_picked_up(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    workspace.window.bar.url_edit.setText("{{host}}/x")
    wait_until(ui_loop, lambda: workspace.marker.missing() == ["host"])
    meta = root / "collection.toml"
    meta.write_text(meta.read_text() + '\n[[variables]]\nname = "host"\nvalue = "http://h"\n')
    # The watcher polls every 100 ms here; a git pull would look the same.
    wait_until(ui_loop, lambda: workspace.marker.missing() == [])
    spec = workspace.window.current_tab().editor.to_spec()
    assert workspace.resolve(spec).url == "http://h/x"


def test_context_menus_offer_collection_variables(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    make_collection(tmp_path / "api")
    open_collection(workspace, ui_loop, tmp_path / "api")
    panel = workspace.panel
    for index in (QModelIndex(), workspace.model.find("list-items.toml")):
        menu = panel.context_menu(index)
        action = next(a for a in menu.actions() if a.text() == "Collection Variables…")
        workspace.environments.variables_editor = None
        action.trigger()
        wait_until(ui_loop, lambda: workspace.environments.variables_editor is not None)
        editor = workspace.environments.variables_editor
        assert editor is not None
        editor.reject()
        menu.deleteLater()
    # Also from the environment bar's ⋯ menu.
    workspace.environments.variables_editor = None
    workspace.env_bar.collection_variables_action.trigger()
    wait_until(ui_loop, lambda: workspace.environments.variables_editor is not None)


def test_environment_editor_refuses_unusable_names_and_nameless_values(qtbot: Any) -> None:
    dialog = EnvironmentEditor(Environment("Dev", (Variable("ok", "1"), Variable("a b", "2"))))
    qtbot.addWidget(dialog)  # deleted after the test, not left to the interpreter's exit
    dialog.accept()
    assert "contains a space" in dialog.error.text()
    assert dialog.table.currentRow() == 1
    dialog.table.item(1, NAME).setText("$uuid")
    assert "built in" in (dialog.validation_error() or "")
    dialog.table.item(1, NAME).setText("")
    assert dialog.validation_error() == "Row 2 has a value but no name."
    dialog.table.item(1, VALUE).setText("")
    assert dialog.validation_error() is None  # an empty row is simply left out
    assert dialog.environment() == Environment("Dev", (Variable("ok", "1"),))
    dialog.close()
