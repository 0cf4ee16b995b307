"""Without an OS keyring, the secret editors say so persistently and offer explicit choices."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from guiapp.core.secret_files import SECRETS_FILE, load_choice, secret_store_for
from guiapp.core.variables import Environment, Variable
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.environments import EnvironmentEditor
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import open_test_collection


@pytest.fixture
def no_os_keyring() -> Iterator[None]:
    """keyring's fail backend, set explicitly: what a machine without a keyring service has."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_the_notice_offers_the_choices_and_the_file_choice_persists(
    no_os_keyring: None,
    window: MainWindow,
    tmp_path: Path,
    ui_loop: asyncio.AbstractEventLoop,
) -> None:
    data = tmp_path / "data"
    store = secret_store_for(data, service="guiapp-test")
    assert not store.available
    workspace = WorkspaceController(window, data, secrets=store, poll_ms=100).attach()
    wait_until(ui_loop, lambda: workspace.ready)
    open_test_collection(workspace, ui_loop, tmp_path / "api")

    workspace.environments.create()
    editor = workspace.environments.editor
    assert isinstance(editor, EnvironmentEditor)
    note = editor.note
    assert note.isVisibleTo(editor)
    assert "No system keyring is available" in note.text()
    assert 'href="session"' in note.text()
    assert 'href="file"' in note.text()
    assert "not encrypted" in note.text()

    note.linkActivated.emit("file")  # the user clicks the clearly labelled choice
    assert store.storage == "file"
    assert store.available
    assert load_choice(data) == "file"
    assert "not encrypted" in note.text()
    assert str(data / SECRETS_FILE) in note.text()
    assert note.isVisibleTo(editor)  # persistent: it still says where the values are

    editor.close()
    env = Environment("Prod", [Variable("token", "s3cret-value", True)])
    workspace.environments.save(env)
    wait_until(ui_loop, lambda: (data / SECRETS_FILE).exists())
    if os.name == "posix":
        assert stat.S_IMODE((data / SECRETS_FILE).stat().st_mode) == 0o600
    restarted = secret_store_for(data, service="guiapp-test")
    wait_until(
        ui_loop,
        lambda: restarted.get(f"{restarted.scope(tmp_path / 'api')}/Prod/token") == "s3cret-value",
    )
    # The save goes on to re-read the environments: let it end inside the loop.
    wait_until(ui_loop, lambda: workspace.environments.bar.combo.findData("Prod") >= 0)
    workspace.shutdown()


def test_the_session_choice_is_said_plainly(
    no_os_keyring: None, qtbot: object, tmp_path: Path
) -> None:
    from guiapp.ui.secret_notice import show_secret_notice

    store = secret_store_for(tmp_path, service="guiapp-test")
    editor = EnvironmentEditor(None)
    show_secret_notice(editor.note, store)
    editor.note.linkActivated.emit("session")
    assert store.storage == "session"
    assert "for this session only" in editor.note.text()
    assert load_choice(tmp_path) == "session"
    editor.deleteLater()
