"""Point at ``{{variables}}`` that neither the active environment nor the collection's own
variables define, before the user sends.

A ``QLineEdit`` cannot take a ``QSyntaxHighlighter``, so the URL field gets a red border, a
warning icon at its end and a tooltip naming the missing variables (including ones needed
only by headers, body or auth, so nothing fails by surprise on Send).

Example::

    marker = UnresolvedMarker(window.bar.url_edit)
    marker.show_missing(url_names=["id"], other_names=["token"])
    marker.missing()           # ['id', 'token']
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit

from guiapp.ui import icons

__all__ = ["UnresolvedMarker"]

_BORDER = "QLineEdit { border: 1px solid #d33f3f; border-radius: 3px; }"


def _braced(names: list[str]) -> str:
    return ", ".join("{{" + n + "}}" for n in names)


class UnresolvedMarker(QObject):
    """Marks a line edit while variables are unresolved; clears itself when they are not."""

    def __init__(self, edit: QLineEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        self._names: list[str] = []
        self._tooltip = edit.toolTip()
        self._style = edit.styleSheet()
        self.action = QAction(icons.icon("error", "#d33f3f"), "Unresolved variables", edit)
        self.action.setObjectName("unresolvedVariablesAction")
        self.action.setVisible(False)
        edit.addAction(self.action, QLineEdit.ActionPosition.TrailingPosition)

    def missing(self) -> list[str]:
        """The names currently reported."""
        return list(self._names)

    def show_missing(self, url_names: list[str], other_names: list[str]) -> None:
        """Report ``url_names`` (used in the URL) and ``other_names`` (elsewhere)."""
        names = url_names + [n for n in other_names if n not in url_names]
        if names == self._names:
            return
        self._names = names
        self.edit.setProperty("unresolvedVariables", ",".join(names))
        if not names:
            self.edit.setStyleSheet(self._style)
            self.edit.setToolTip(self._tooltip)
            self.action.setVisible(False)
            return
        lines = []
        if url_names:
            lines.append(
                "Not defined in the active environment or the collection variables: "
                + _braced(url_names)
            )
        rest = [n for n in other_names if n not in url_names]
        if rest:
            lines.append(f"Used in headers, body or auth, not defined: {_braced(rest)}")
        lines.append(
            "Define them (Environment ⋯ → Edit Environment… or Collection Variables…) "
            "or the request will not be sent."
        )
        text = "\n".join(lines)
        self.edit.setStyleSheet(self._style + _BORDER if url_names else self._style)
        self.edit.setToolTip(text)
        self.action.setToolTip(text)
        self.action.setVisible(True)
