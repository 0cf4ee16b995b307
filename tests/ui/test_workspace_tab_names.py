"""A saved request is called by its name in its collection everywhere, from the moment it is
opened: its tab, the quit question and the restore notice, whichever collection is shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from guiapp.ui.workspace import WorkspaceController
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_drafts import _close_window_in_loop, _question, _tab_text
from tests.ui.test_workspace_tree import open_test_collection

workspace = test_workspace_tree.workspace  # the fixture


def test_a_request_of_a_collection_not_shown_is_titled_by_its_name_at_once(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    first = open_test_collection(workspace, ui_loop, tmp_path / "first")
    open_test_collection(workspace, ui_loop, tmp_path / "second")  # shown now
    assert workspace.collection is not None
    assert workspace.collection.root == (tmp_path / "second").resolve()
    tab = ui_loop.run_until_complete(workspace.open_request(first, "users/get-user.toml"))
    assert tab is not None
    assert _tab_text(workspace.window, tab) == "Get user"
    assert workspace.drafts.name(tab) == "Get user"


def test_the_quit_question_names_a_draft_as_its_tab_does(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = open_test_collection(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    tab = ui_loop.run_until_complete(workspace.open_request(root, "users/get-user.toml"))
    window.bar.url_edit.setText("{{base}}/users/2")
    assert _tab_text(window, tab) == "• Get user"
    _close_window_in_loop(window, ui_loop)
    box = _question(workspace, ui_loop)
    assert "“Get user” has unsaved changes" in box.text()
    assert "GET" not in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    # A rename in the tree renames it everywhere too.
    workspace.rename("users/get-user.toml", "Fetch user", "Get user")
    wait_until(ui_loop, lambda: _tab_text(window, tab) == "• Fetch user")
    assert workspace.drafts.name(tab) == "Fetch user"
    workspace.ask_on_close = False  # the window closes after the test with its draft kept
