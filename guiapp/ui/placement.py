"""Place a new top-level window over the window it was opened from.

A parentless ``QWidget`` with ``Qt.Window`` opens wherever the window manager puts it, which
on some platforms (and offscreen) is the screen's top-left corner. :func:`center_over` moves it
so that its centre is the anchor's centre, kept inside the anchor's screen (and shrunk to fit
it when larger).

Example::

    runner = RunnerWindow(target, offloader=offloader, send=send)
    center_over(runner, main_window)
    runner.show()
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import QWidget

__all__ = ["center_over", "centered_position"]


def centered_position(size: QSize, anchor: QRect, screen: QRect) -> QPoint:
    """The top-left corner that centres a ``size``-sized window over ``anchor`` in ``screen``.

    >>> p = centered_position(QSize(200, 100), QRect(100, 100, 400, 300), QRect(0, 0, 800, 600))
    >>> (p.x(), p.y())
    (200, 200)
    >>> p = centered_position(QSize(600, 500), QRect(0, 0, 200, 100), QRect(0, 0, 800, 600))
    >>> (p.x(), p.y())
    (0, 0)
    """
    x = anchor.center().x() - size.width() // 2 + 1
    y = anchor.center().y() - size.height() // 2 + 1
    # keep the title bar on screen: the window's top-left never leaves the screen
    x = max(screen.left(), min(x, screen.right() + 1 - size.width()))
    y = max(screen.top(), min(y, screen.bottom() + 1 - size.height()))
    return QPoint(x, y)


def center_over(window: QWidget, anchor: QWidget) -> None:
    """Move the top-level ``window`` so that it is centred over ``anchor``'s window.

    A window larger than 90 % of the anchor's screen is first shrunk to that (never below its
    layout's minimum), so that all of it, title bar included, is on screen.
    """
    anchor_window = anchor.window()
    frame = anchor_window.frameGeometry()
    screen = anchor_window.screen()
    area = screen.availableGeometry() if screen is not None else frame
    fitting = QSize(
        min(window.width(), area.width() * 9 // 10), min(window.height(), area.height() * 9 // 10)
    )
    window.resize(fitting.expandedTo(window.minimumSizeHint()))  # the layout's minimum wins
    window.move(centered_position(window.frameGeometry().size(), frame, area))
