"""Point at ``{{variables}}`` that neither the active environment nor the collection's own
variables define, before the user sends.

A ``QLineEdit`` cannot take a ``QSyntaxHighlighter``, so the URL field gets a red border, a
warning icon at its end and a tooltip naming the missing variables (including ones needed
only by headers, body or auth, so nothing fails by surprise on Send). The tooltip also lists
each variable the URL uses with its value (secrets masked) and origin
(:meth:`UnresolvedMarker.show_variables`), since the line edit cannot colour them.

Example::

    marker = UnresolvedMarker(window.bar.url_edit)
    marker.show_missing(url_names=["id"], other_names=["token"])
    marker.missing()           # ['id', 'token']
    marker.show_variables(["{{base}} = http://a, from the collection variables"])
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
        self._url_names: list[str] = []
        self._variables: list[str] = []
        self._tooltip = edit.toolTip()
        self._style = edit.styleSheet()
        self.action = QAction(icons.icon("error", "#d33f3f"), "Unresolved variables", edit)
        self.action.setObjectName("unresolvedVariablesAction")
        edit.addAction(self.action, QLineEdit.ActionPosition.TrailingPosition)
        # After addAction: hidden before it, Qt still shows the action's button (disabled, grey).
        self.action.setVisible(False)

    def missing(self) -> list[str]:
        """The names currently reported."""
        return list(self._names)

    def show_missing(self, url_names: list[str], other_names: list[str]) -> None:
        """Report ``url_names`` (used in the URL) and ``other_names`` (elsewhere)."""
        names = url_names + [n for n in other_names if n not in url_names]
        if names == self._names:
            return
        self._names = names
        self._url_names = list(url_names)
        self.edit.setProperty("unresolvedVariables", ",".join(names))
        self._render()

    def show_variables(self, lines: list[str]) -> None:
        """List ``lines`` (one per variable the URL uses) in the field's tooltip."""
        if lines != self._variables:
            self._variables = list(lines)
            self._render()

    def _render(self) -> None:
        names, url_names = self._names, self._url_names
        listing = ["Variables in the URL:", *self._variables] if self._variables else []
        if not names:
            self._set_style(self._style)
            self.edit.setToolTip("\n".join(listing) if listing else self._tooltip)
            self.action.setVisible(False)
            return
        lines = []
        if url_names:
            lines.append(
                "Not defined in the active environment or the collection variables: "
                + _braced(url_names)
            )
        rest = [n for n in names if n not in url_names]
        if rest:
            lines.append(f"Used in headers, body or auth, not defined: {_braced(rest)}")
        lines.append(
            "Define them (Environment ⋯ → Edit Environment… or Collection Variables…) "
            "or the request will not be sent."
        )
        text = "\n".join(lines + (["", *listing] if listing else []))
        self._set_style(self._style + _BORDER if url_names else self._style)
        self.edit.setToolTip(text)
        self.action.setToolTip(text)
        self.action.setVisible(True)

    def _set_style(self, style: str) -> None:
        if self.edit.styleSheet() != style:  # setting it repolishes the field, even unchanged
            self.edit.setStyleSheet(style)
