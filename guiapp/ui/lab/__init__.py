"""The Responsiveness Lab (View → Lab): compare ways of running blocking work from a Qt GUI.

:func:`install_lab` adds the menu action to a main window that offers ``add_view_action``
and a ``shutDown`` signal (see :class:`guiapp.ui.main_window.MainWindow`); the Lab's window
is created on first use and closed when the main window shuts down. That window, with its
plotting library (pyqtgraph and numpy) and its probe (psutil), is imported only when the Lab
first opens: they are not part of the app's start-up.

Example::

    window = create_window(data_dir)
    launcher = install_lab(window)     # View → Responsiveness Lab
    launcher.open()                    # what the menu action does
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction

from guiapp.ui.context import ViewMenuHost

if TYPE_CHECKING:
    from guiapp.ui.lab.window import LabWindow

__all__ = ["LabLauncher", "LabWindow", "install_lab"]


def __getattr__(name: str) -> Any:
    if name == "LabWindow":  # imported on first use: pyqtgraph, numpy and psutil come with it
        from guiapp.ui.lab.window import LabWindow

        return LabWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LabLauncher(QObject):
    """The View menu's Lab action and the Lab window it opens (one at a time)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.action = QAction("Responsiveness Lab", parent)
        self.action.setObjectName("action-lab")
        self.action.setShortcut("Ctrl+Shift+L")
        self.action.triggered.connect(self.open)
        #: The open Lab window under the key ``"lab"`` (empty while none is open).
        self.windows: dict[str, LabWindow] = {}

    def open(self) -> LabWindow:
        """Show the Lab window (created on first use), raised above the others."""
        lab = self.windows.get("lab")
        if lab is None:
            from guiapp.ui.lab.window import LabWindow

            lab = self.windows["lab"] = LabWindow()
            lab.closed.connect(lambda: self.windows.pop("lab", None))
        lab.show()
        lab.raise_()
        lab.activateWindow()
        return lab

    def close(self) -> None:
        """Close the Lab window if it is open (its run aborted, its demo API stopped)."""
        lab = self.windows.get("lab")
        if lab is not None:
            lab.close()


class _ClosingViewMenuHost(ViewMenuHost, Protocol):
    @property
    def shutDown(self) -> SignalInstance: ...


def install_lab(window: _ClosingViewMenuHost) -> LabLauncher:
    """Add "Responsiveness Lab" to ``window``'s View menu; return the launcher (its
    ``action``, the open ``windows``). The Lab closes when ``window.shutDown`` fires."""
    launcher = LabLauncher(window if isinstance(window, QObject) else None)
    window.add_view_action(launcher.action)
    window.shutDown.connect(launcher.close)
    return launcher
