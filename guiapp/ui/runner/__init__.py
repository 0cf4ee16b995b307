"""The collection runner in the window: Run → Run Collection… / Run Folder….

:func:`install_runner` adds a Run menu to a main window that has a workspace (collections
sidebar). Each action opens a :class:`RunnerWindow` on the open collection (or the folder
selected in the sidebar) with the active environment's variables; runs use the window's own
offloader and HTTP session, so cookies and connections are shared with the editor.

Example::

    window = create_window(data_dir, workspace=True)
    install_runner(window)             # Run → Run Collection… (Ctrl+Shift+R)
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from guiapp.core.variables import VariableScope
from guiapp.ui.placement import center_over
from guiapp.ui.runner.results_model import RunResultsModel
from guiapp.ui.runner.results_text import describe_result, summary_text
from guiapp.ui.runner.window import RunnerWindow, RunTarget

__all__ = [
    "RunResultsModel",
    "RunTarget",
    "RunnerWindow",
    "describe_result",
    "install_runner",
    "run_target",
    "summary_text",
]


def run_target(workspace: Any, folder: str = "") -> RunTarget | None:
    """What "Run" means now: the workspace's open collection (or ``folder`` of it) with the
    variables of the active environment; ``None`` when no collection is open."""
    collection = workspace.collection
    if collection is None:
        return None
    scope: VariableScope = workspace.environments.scope()
    secrets = frozenset(scope.secret_values())
    title = collection.name if not folder else f"{collection.name} / {folder}"
    env = scope.environment.name if scope.environment is not None else ""
    return RunTarget(title, collection, folder, scope.values(), secrets, env)


def install_runner(window: Any) -> QMenu:
    """Add the Run menu to ``window`` (a :class:`~guiapp.ui.main_window.MainWindow`)."""
    bar = window.menuBar()
    menu = QMenu("&Run", bar)
    menu.setObjectName("menu-run")
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_menu is not None:
        bar.insertMenu(help_menu, menu)
    else:
        bar.addMenu(menu)
    runners: list[RunnerWindow] = []

    def open_runner(folder_only: bool) -> RunnerWindow | None:
        workspace = getattr(window, "workspace", None)
        if workspace is None:
            window.statusBar().showMessage("Open a collection first (File → Open Collection…)")
            return None
        folder = workspace.panel.current_folder() if folder_only else ""
        target = run_target(workspace, folder)
        if target is None:
            window.statusBar().showMessage("Open a collection first (File → Open Collection…)")
            return None
        runner = RunnerWindow(
            target,
            offloader=window.services.offloader,
            send=window.send_function or _default_send(window),
            open_request=lambda rel: workspace.open_request(target.collection.root, rel),
        )
        runners.append(runner)
        runner.closed.connect(lambda: runners.remove(runner) if runner in runners else None)
        runner.show()
        # not wherever the window manager likes (0,0 on some); once shown, the frame is known
        center_over(runner, window)
        runner.raise_()
        runner.activateWindow()
        return runner

    run_all = QAction("Run Collection…", window)
    run_all.setObjectName("action-run-collection")
    run_all.setShortcut(QKeySequence("Ctrl+Shift+R"))
    run_all.triggered.connect(lambda: open_runner(False))
    run_folder = QAction("Run Folder…", window)
    run_folder.setObjectName("action-run-folder")
    run_folder.setToolTip("Run the folder selected in the Collections sidebar")
    run_folder.triggered.connect(lambda: open_runner(True))
    menu.addAction(run_all)
    menu.addAction(run_folder)
    window.addAction(run_all)
    window.addAction(run_folder)
    window.shutDown.connect(lambda: [r.close() for r in list(runners)])
    window.runner_windows = runners
    window.open_runner = open_runner
    return menu


def _default_send(window: Any) -> Any:
    from functools import partial

    from guiapp.core.transport import send

    return partial(send, session=window.services.http_session)
