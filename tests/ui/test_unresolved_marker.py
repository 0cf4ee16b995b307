"""The URL field's unresolved-variables marker: no button until a variable is missing."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit, QToolButton

from guiapp.ui.variables.unresolved import UnresolvedMarker


def _buttons(edit: QLineEdit) -> list[QToolButton]:
    """The line edit's trailing action buttons that are on screen."""
    return [b for b in edit.findChildren(QToolButton) if b.isVisible()]


def test_no_button_shows_until_something_is_missing(qtbot: Any) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    marker = UnresolvedMarker(edit)
    edit.show()
    qtbot.waitExposed(edit)
    assert _buttons(edit) == []  # was a grey "!" from startup
    marker.show_missing(url_names=["id"], other_names=[])
    assert len(_buttons(edit)) == 1
    assert marker.missing() == ["id"]
    marker.show_missing(url_names=[], other_names=[])
    assert _buttons(edit) == []
