"""The Responsiveness Lab (View → Lab): compare ways of running blocking work from a Qt GUI.

:func:`install_lab` adds the menu action to a main window that offers ``add_view_action``
(see :class:`guiapp.ui.main_window.MainWindow`); the window is created on first use and closed
when the main window shuts down. The Lab's window, with its plotting library (pyqtgraph and
numpy) and its probe (psutil), is imported only when the Lab first opens: they are not part of
the app's start-up.

Example::

    window = create_window(data_dir)
    install_lab(window)                # View → Lab
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from guiapp.ui.lab.window import LabWindow

__all__ = ["LabWindow", "install_lab"]


def __getattr__(name: str) -> Any:
    if name == "LabWindow":  # imported on first use: pyqtgraph, numpy and psutil come with it
        from guiapp.ui.lab.window import LabWindow

        return LabWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def install_lab(window: Any) -> QAction:
    """Add "Lab" to ``window``'s View menu; return the action.

    ``window`` needs ``add_view_action(QAction)``; if it has a ``shutDown`` signal, the Lab is
    closed (its run aborted, its demo API stopped) when it fires.
    """
    action = QAction("Responsiveness Lab", window)
    action.setObjectName("action-lab")
    action.setShortcut("Ctrl+Shift+L")
    state: dict[str, LabWindow] = {}

    def open_lab() -> None:
        lab = state.get("lab")
        if lab is None:
            from guiapp.ui.lab.window import LabWindow

            lab = state["lab"] = LabWindow()
            lab.closed.connect(lambda: state.pop("lab", None))
        lab.show()
        lab.raise_()
        lab.activateWindow()

    action.triggered.connect(open_lab)
    window.add_view_action(action)
    shut_down = getattr(window, "shutDown", None)
    if shut_down is not None:
        shut_down.connect(lambda: state["lab"].close() if "lab" in state else None)
    window.lab_action = action
    window.lab_windows = state
    return action
