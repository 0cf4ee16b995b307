"""File → Import with hostile documents: refused with a message naming the limit (from the
``[import]`` settings), nothing left in the collections folder, the window still usable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.importing import import_limits
from tests.ui import test_workspace_tree

pytestmark = pytest.mark.hostile("importers")

workspace = test_workspace_tree.workspace  # the fixture

_BOMB = "openapi: 3.0.0\ninfo: {title: bomb}\npaths: {}\nx0: &x0 [lol, lol, lol]\n" + "".join(
    f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]\n" for i in range(1, 9)
)


def test_alias_bomb_is_refused_and_nothing_is_left(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_BOMB)
    assert not ui_loop.run_until_complete(workspace.import_file(bomb))
    text = workspace.window.status_label.text()
    assert "Import failed" in text
    assert "import/max_yaml_values" in text
    assert "Traceback" not in text
    collections = workspace.data_dir / "collections"
    assert not collections.exists() or list(collections.iterdir()) == []


def test_limits_come_from_settings(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("import/time_limit_s", 7)
    settings.setValue("import/memory_limit_mb", 256)
    settings.setValue("import/max_folder_depth", "not a number")
    settings.setValue("import/max_requests", -5)
    settings.sync()
    limits = import_limits(tmp_path / "settings.ini")
    assert limits.time_limit_s == 7
    assert limits.memory_limit_bytes == 256 * 1024 * 1024
    assert limits.max_folder_depth == 16  # unreadable: the default
    assert limits.max_requests == 20_000  # not positive: the default
    assert import_limits(tmp_path / "missing.ini").max_document_bytes == 50 * 1024 * 1024


def test_a_setting_limits_the_import_in_the_app(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    settings = QSettings(str(workspace.data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("import/max_requests", 1)
    settings.sync()
    doc = tmp_path / "two.json"
    doc.write_text(
        '{"info": {"name": "Two"}, "item": ['
        '{"name": "a", "request": "http://127.0.0.1:1/a"},'
        '{"name": "b", "request": "http://127.0.0.1:1/b"}]}'
    )
    assert not ui_loop.run_until_complete(workspace.import_file(doc))
    assert "import/max_requests" in workspace.window.status_label.text()
