"""Every place of a request editor where ``{{name}}`` can be typed, coloured from one scope.

The body's text editors (JSON, raw) get a :class:`VariableHighlighter`; the params, headers,
form and multipart tables get a :class:`VariableDelegate`; the auth fields (line edits) get a
tooltip listing their variables (values masked in the password and token fields, which hide
what they hold). When the scope changes (another
environment, variables edited, a file changed on disk) :meth:`EditorVariables.set_scope`
re-colours what is attached; typing re-colours the edited line only (Qt's highlighter). The
URL field is a ``QLineEdit``: its tooltip lists the URL's variables instead
(:class:`~guiapp.ui.variables.unresolved.UnresolvedMarker`).

Example::

    variables = EditorVariables()
    variables.attach(tab.editor)                 # a RequestEditor; attaching twice is harmless
    variables.set_scope(VariableScope(collection_vars, env))
    variables.highlighters(tab.editor)           # [json highlighter, raw highlighter]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLineEdit

from guiapp.core.variables import VariableScope
from guiapp.ui.request_editor import RequestEditor
from guiapp.ui.variables.delegate import VariableDelegate
from guiapp.ui.variables.highlighter import VariableHighlighter
from guiapp.ui.variables.lookup import VariableLookup

__all__ = ["EditorVariables"]


@dataclass
class _Attached:
    highlighters: list[VariableHighlighter] = field(default_factory=list)
    delegates: list[VariableDelegate] = field(default_factory=list)
    tips: list[Callable[[], None]] = field(default_factory=list)


class EditorVariables(QObject):
    """Colours and tooltips of ``{{name}}`` in the attached request editors."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: The lookup every attached editor uses (replaced, never mutated, on a change).
        self.lookup = VariableLookup()
        self._attached: dict[int, _Attached] = {}

    def attach(self, editor: RequestEditor) -> None:
        """Colour ``editor``'s body editors and tables from now on (until it is destroyed)."""
        key = id(editor)
        if key in self._attached:
            return
        parts = _Attached()
        for text_edit in (editor.body.json_edit, editor.body.raw_edit):
            parts.highlighters.append(VariableHighlighter(text_edit, self.lookup))
        for table in (
            editor.params,
            editor.headers,
            editor.body.form_table,
            editor.body.multipart_table,
        ):
            delegate = VariableDelegate(table, lambda: self.lookup)
            table.setItemDelegate(delegate)
            parts.delegates.append(delegate)
        auth = editor.auth
        for line_edit in (auth.username, auth.password, auth.token):
            masked = line_edit.echoMode() != QLineEdit.EchoMode.Normal
            parts.tips.append(self._tip_updater(line_edit, masked))
        self._attached[key] = parts
        editor.destroyed.connect(lambda _=None: self._attached.pop(key, None))

    def _tip_updater(self, edit: QLineEdit, masked: bool) -> Callable[[], None]:
        own = edit.toolTip()

        def update() -> None:
            lines = self.lookup.describe_text(edit.text(), masked=masked)
            edit.setToolTip("\n".join([*lines, own] if own else lines) if lines else own)

        edit.textChanged.connect(update)
        update()
        return update

    def is_attached(self, editor: RequestEditor) -> bool:
        """True once :meth:`attach` was called for ``editor``."""
        return id(editor) in self._attached

    def highlighters(self, editor: RequestEditor) -> list[VariableHighlighter]:
        """The highlighters of ``editor``'s body text editors (empty if not attached)."""
        parts = self._attached.get(id(editor))
        return list(parts.highlighters) if parts else []

    def delegates(self, editor: RequestEditor) -> list[VariableDelegate]:
        """The delegates of ``editor``'s tables (empty if not attached)."""
        parts = self._attached.get(id(editor))
        return list(parts.delegates) if parts else []

    def set_scope(self, scope: VariableScope) -> None:
        """Use ``scope`` and re-colour every attached editor."""
        self.lookup = VariableLookup(scope)
        for parts in list(self._attached.values()):
            for highlighter in parts.highlighters:
                highlighter.set_lookup(self.lookup)
            for delegate in parts.delegates:
                delegate.refresh()
            for update in parts.tips:
                update()
