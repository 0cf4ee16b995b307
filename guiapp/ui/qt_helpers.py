"""Small typed helpers for building widgets.

>>> from PySide6.QtCore import QObject
>>> named(QObject(), "statusLabel").objectName()
'statusLabel'
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

__all__ = ["named"]

_Q = TypeVar("_Q", bound=QObject)


def named(obj: _Q, name: str) -> _Q:
    """Set ``obj``'s objectName (the tests' and stylesheet's handle) and return it.

    PySide accepts ``objectName=`` as a constructor keyword, but its type stubs do not.
    """
    obj.setObjectName(name)
    return obj
