"""The saved dock layout includes docks added after the settings are read (the workspace's
Collections dock): the layout is restored when the window is first shown."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import keyring.backends.fail
from PySide6.QtCore import Qt

from guiapp.app import create_window
from guiapp.core.secrets import SecretStore
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from tests.ui.conftest import wait_until


def _attach(window: MainWindow, data_dir: Path) -> WorkspaceController:
    store = SecretStore(backend=keyring.backends.fail.Keyring())
    controller = WorkspaceController(window, data_dir, secrets=store).attach()
    window.workspace = controller
    return controller


def test_collections_dock_layout_is_restored(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = create_window(tmp_path)
    workspace = _attach(first, tmp_path)
    dock = workspace.dock
    first.resize(760, 560)
    first.show()
    wait_until(ui_loop, lambda: workspace.ready)
    first.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)  # the user moved it
    assert first.history_dock is not None
    first.history_dock.hide()  # and closed the History
    assert first.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    first.close()

    second = create_window(tmp_path)  # reads settings.ini, then the workspace attaches
    try:
        workspace = _attach(second, tmp_path)
        dock = workspace.dock
        assert second.dockWidgetArea(dock) == Qt.DockWidgetArea.LeftDockWidgetArea  # not yet
        second.show()
        wait_until(ui_loop, lambda: workspace.ready)
        assert second.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
        assert second.history_dock is not None
        assert second.history_dock.isHidden()
        assert not dock.isHidden()
    finally:
        second.close()
        second.deleteLater()
        first.deleteLater()
