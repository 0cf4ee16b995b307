"""Coloured HTTP method badges for the sidebar (GET green, POST orange, DELETE red...).

Example::

    item.setIcon(method_icon("POST"))      # cached: one pixmap per method
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

__all__ = ["method_icon"]

_METHOD_COLORS = {
    "GET": "#2e9e5b",
    "POST": "#d48a00",
    "PUT": "#2f6fed",
    "PATCH": "#8e5bd6",
    "DELETE": "#d33f3f",
    "HEAD": "#3a8fa8",
    "OPTIONS": "#6b7380",
    "!": "#d33f3f",
}


@cache
def method_icon(method: str) -> QIcon:
    """A small coloured badge with the method's name (``DEL`` for DELETE), as Postman shows."""
    label = {"DELETE": "DEL", "OPTIONS": "OPT", "PATCH": "PAT"}.get(method, method[:4])
    pixmap = QPixmap(64, 32)  # 2x for HiDPI; drawn at 32x16
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(20)
    painter.setFont(font)
    painter.setPen(QColor(_METHOD_COLORS.get(method, "#6b7380")))
    painter.drawText(QRect(0, 0, 64, 32), Qt.AlignmentFlag.AlignCenter, label)
    painter.end()
    return QIcon(pixmap)
