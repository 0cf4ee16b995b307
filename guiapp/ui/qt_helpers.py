"""Small typed helpers for building widgets.

>>> from PySide6.QtCore import QObject
>>> named(QObject(), "statusLabel").objectName()
'statusLabel'
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

__all__ = ["framed_dock", "named"]

_Q = TypeVar("_Q", bound=QObject)


def named(obj: _Q, name: str) -> _Q:
    """Set ``obj``'s objectName (the tests' and stylesheet's handle) and return it.

    PySide accepts ``objectName=`` as a constructor keyword, but its type stubs do not.
    """
    obj.setObjectName(name)
    return obj


def framed_dock(title: str, name: str, widget: QWidget, parent: QWidget) -> QDockWidget:
    """A movable, closable dock named ``name`` holding ``widget`` with a small margin."""
    frame = QWidget()
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(6, 4, 2, 6)
    layout.addWidget(widget)
    dock = named(QDockWidget(title, parent), name)
    dock.setWidget(frame)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
    )
    return dock
