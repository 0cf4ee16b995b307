"""Icons drawn from the SVG files in ``guiapp.resources/icons``, tinted for the current theme.

The SVGs use ``currentColor``; :func:`icon` substitutes the theme's foreground so the same file
serves light and dark themes. :func:`spinner_icon` draws one frame of the in-flight spinner shown
on a request tab.

Example::

    set_icon_color("#e3e6ec")          # done by the theme manager
    button.setIcon(icon("send"))
    tabs.setTabIcon(i, spinner_icon(frame))
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

__all__ = ["icon", "icon_color", "set_icon_color", "spinner_icon", "svg_text"]

_SIZE = 32  # drawn at 2x of the usual 16 px so they stay crisp on HiDPI screens
_color = "#4a5261"


def set_icon_color(color: str) -> None:
    """Tint for icons created from now on (the theme manager calls this)."""
    global _color
    _color = color


def icon_color() -> str:
    """The current icon tint."""
    return _color


@cache
def svg_text(name: str) -> str:
    """The SVG source of icon ``name`` (``guiapp/resources/icons/<name>.svg``)."""
    return (files("guiapp.resources") / "icons" / f"{name}.svg").read_text(encoding="utf-8")


def icon(name: str, color: str | None = None) -> QIcon:
    """Icon ``name`` tinted with ``color`` (default: the theme's icon colour)."""
    return _icon(name, color or _color)


@cache
def _icon(name: str, color: str) -> QIcon:
    data = svg_text(name).replace("currentColor", color)
    renderer = QSvgRenderer(QByteArray(data.encode()))
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return QIcon(pixmap)


def spinner_icon(frame: int, color: str = "#2f6fed", frames: int = 12) -> QIcon:
    """Frame ``frame`` (of ``frames`` per turn) of a rotating arc: the in-flight indicator.

    Frames are drawn once and cached: with many requests in flight, repainting is all it costs.
    """
    return _spinner_frame(frame % frames, color, frames)


@cache
def _spinner_frame(frame: int, color: str, frames: int) -> QIcon:
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    track = QColor(color)
    track.setAlpha(60)
    rect = QRectF(5, 5, _SIZE - 10, _SIZE - 10)
    painter.setPen(QPen(track, 3.5))
    painter.drawEllipse(rect)
    pen = QPen(QColor(color), 3.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    start = -int(360 * 16 * frame / frames)
    painter.drawArc(rect, start + 90 * 16, 100 * 16)
    painter.end()
    return QIcon(pixmap)
