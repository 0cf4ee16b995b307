"""The collection runner in the window: Run → Run Collection… / Run Folder….

:func:`install_runner` adds a Run menu to a main window that has a workspace (collections
sidebar). Each action opens a :class:`RunnerWindow` on the open collection (or the folder
selected in the sidebar) with the active environment's variables; runs use the window's own
offloader and send function (``window.context.send``: its HTTP session), so cookies and
connections are shared with the editor.

Example::

    window = create_window(data_dir, workspace=True)
    launcher = install_runner(window)  # Run → Run Collection… (Ctrl+Shift+R)
    launcher.open(folder_only=True)    # Run → Run Folder…: the folder selected in the sidebar
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from guiapp.core.variables import VariableScope
from guiapp.offload import Offloader
from guiapp.ui.context import SendFunction
from guiapp.ui.placement import center_over
from guiapp.ui.runner.results_model import RunResultsModel
from guiapp.ui.runner.results_text import describe_result, summary_text
from guiapp.ui.runner.window import RunnerWindow, RunTarget

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.workspace import WorkspaceController

__all__ = [
    "RunResultsModel",
    "RunTarget",
    "RunnerLauncher",
    "RunnerWindow",
    "describe_result",
    "install_runner",
    "run_target",
    "summary_text",
]


def run_target(workspace: WorkspaceController, folder: str = "") -> RunTarget | None:
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


class RunnerLauncher(QObject):
    """Opens runner windows on what the workspace shows; closes them with the main window.

    ``workspace`` returns the window's workspace (None while none is attached), ``send`` is
    the window's send (its shared session), ``notify`` says why nothing opened.
    """

    def __init__(
        self,
        *,
        workspace: Callable[[], WorkspaceController | None],
        offloader: Offloader,
        send: SendFunction,
        notify: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._offloader = offloader
        self._send = send
        self._notify = notify
        self._parent = parent
        #: The runner windows open now, oldest first.
        self.windows: list[RunnerWindow] = []

    def open(self, folder_only: bool = False) -> RunnerWindow | None:
        """Open a runner on the open collection (``folder_only``: on the folder selected in
        the sidebar), centred over the main window; None (and a message) without one."""
        workspace = self._workspace()
        folder = workspace.panel.current_folder() if workspace and folder_only else ""
        target = run_target(workspace, folder) if workspace is not None else None
        if workspace is None or target is None:
            self._notify("Open a collection first (File → Open Collection…)")
            return None
        root = target.collection.root
        runner = RunnerWindow(
            target,
            offloader=self._offloader,
            send=self._send,
            open_request=lambda rel: workspace.open_request(root, rel),
        )
        self.windows.append(runner)
        runner.closed.connect(lambda: self._forget(runner))
        runner.show()
        # not wherever the window manager likes (0,0 on some); once shown, the frame is known
        center_over(runner, self._parent)
        runner.raise_()
        runner.activateWindow()
        return runner

    def _forget(self, runner: RunnerWindow) -> None:
        if runner in self.windows:
            self.windows.remove(runner)

    def close_all(self) -> None:
        """Close every runner window (the main window is shutting down)."""
        for runner in list(self.windows):
            runner.close()


def install_runner(window: MainWindow) -> RunnerLauncher:
    """Add the Run menu to ``window``; return the launcher (also ``window.runner``)."""
    launcher = RunnerLauncher(
        workspace=lambda: window.workspace,
        offloader=window.services.offloader,
        send=window.send_function,
        notify=lambda text: window.statusBar().showMessage(text),
        parent=window,
    )
    bar = window.menuBar()
    menu = QMenu("&Run", bar)
    menu.setObjectName("menu-run")
    help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_menu is not None:
        bar.insertMenu(help_menu, menu)
    else:
        bar.addMenu(menu)
    run_all = QAction("Run Collection…", window)
    run_all.setObjectName("action-run-collection")
    run_all.setShortcut(QKeySequence("Ctrl+Shift+R"))
    run_all.triggered.connect(lambda: launcher.open(False))
    run_folder = QAction("Run Folder…", window)
    run_folder.setObjectName("action-run-folder")
    run_folder.setToolTip("Run the folder selected in the Collections sidebar")
    run_folder.triggered.connect(lambda: launcher.open(True))
    menu.addAction(run_all)
    menu.addAction(run_folder)
    window.addAction(run_all)
    window.addAction(run_folder)
    window.shutDown.connect(launcher.close_all)
    window.runner = launcher
    return launcher
