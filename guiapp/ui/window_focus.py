"""Keyboard focus for the shared request bar, which moves between tabs.

The bar and the response area are reparented into the current tab on every switch; Qt then
drops the bar's focus (hiding a page moves focus to the next widget in the chain) and keeps
the creation-order tab chain. These helpers restore what a keyboard user expects.

Example::

    with kept_in(bar):                   # focus in the URL field stays there
        tabs.setCurrentIndex(next_index)
    chain_tab_order([bar.method_combo, bar.url_edit, ..., tab.editor, response_area])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["chain_tab_order", "focus_in", "kept_in"]


def focus_in(container: QWidget) -> bool:
    """True if the keyboard focus is on ``container`` or one of its descendants."""
    focused = QApplication.focusWidget()
    return focused is not None and (focused is container or container.isAncestorOf(focused))


@contextmanager
def kept_in(container: QWidget) -> Iterator[None]:
    """Give the focus back to the widget inside ``container`` that had it before the block."""
    focused = QApplication.focusWidget()
    keep = focused if focused is not None and container.isAncestorOf(focused) else None
    yield
    if keep is not None:
        keep.setFocus()


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab visits ``widgets`` (and the focusable children of compound ones) in this order."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)
