"""``{{name}}`` coloured in a text editor (the request body), with a tooltip on hover.

:class:`VariableHighlighter` is a ``QSyntaxHighlighter``: Qt calls it per block (line) that
changed, so typing in a 5 MB body costs one line's regex, not the document's
(docs/workspace-ui.md has the numbers). It composes with syntax highlighting: pass the other
highlighter's block function as ``base`` (it runs first, on this highlighter), and the
variable colours are merged over the formats it set, keeping e.g. its font weight.

A change of scope (environment switched, variables edited) re-colours only the blocks that
contain ``{{``, found by the document's own search: the visible ones at once, the rest in
time-boxed slices between events, so switching environments never freezes a big body.
Highlighting never counts as an edit: ``rehighlight`` makes the editor emit ``textChanged``,
which the request editor takes for a user edit (autosave), so it runs with signals blocked.

Example::

    highlighter = VariableHighlighter(editor, lookup)     # editor: a QPlainTextEdit
    highlighter.set_lookup(VariableLookup(new_scope))      # re-colours the references
    highlighter.ranges(editor.document().firstBlock())    # [(start, length, resolved), ...]
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QTimer, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip

from guiapp.ui.variables.lookup import (
    VARIABLE_REF,
    VariableLookup,
    is_dark,
    variable_format,
)

__all__ = ["MAX_SPANS_PER_BLOCK", "SLICE_MS", "VariableHighlighter"]

#: References coloured per block: a minified 5 MB one-line body may hold 300,000 of them, and
#: Qt lays the whole line out again for each format range (measured: +1 s per keystroke).
MAX_SPANS_PER_BLOCK = 2000
#: GUI-thread time per event-loop turn spent re-colouring after a change of scope.
SLICE_MS = 12

_THEME_EVENTS = (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
BlockFunction = Callable[[QSyntaxHighlighter, str], None]
TextEditor = QPlainTextEdit | QTextEdit


class VariableHighlighter(QSyntaxHighlighter):
    """Colours resolved and unresolved references in ``editor``'s document; tooltips on hover."""

    #: A :meth:`refresh` finished re-colouring the whole document.
    refreshed = Signal()

    def __init__(
        self,
        editor: TextEditor,
        lookup: VariableLookup | None = None,
        *,
        base: BlockFunction | None = None,
    ) -> None:
        super().__init__(editor)  # a QObject parent: the document is set below, signals blocked
        self.editor = editor
        self.lookup = lookup or VariableLookup()
        self.base = base
        self._dark = is_dark(editor)
        self._formats = self._make_formats()
        self._next_block = -1
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._step)
        with QSignalBlocker(editor):
            self.setDocument(editor.document())
            self.rehighlight()  # now, and it cancels Qt's own delayed pass
        editor.viewport().installEventFilter(self)
        editor.installEventFilter(self)

    def _make_formats(self) -> dict[bool, QTextCharFormat]:
        return {resolved: variable_format(resolved, self._dark) for resolved in (True, False)}

    # -- highlighting --------------------------------------------------------------------------
    def highlightBlock(self, text: str) -> None:
        if self.base is not None:
            self.base(self, text)
        if "{{" not in text:
            return
        is_resolved = self.lookup.is_resolved
        for count, match in enumerate(VARIABLE_REF.finditer(text)):
            if count >= MAX_SPANS_PER_BLOCK:
                break
            fmt = self._formats[is_resolved(match.group(1))]
            start, end = match.span()
            if self.base is None:
                self.setFormat(start, end - start, fmt)
            else:
                self._merge(start, end, fmt)

    def _merge(self, start: int, end: int, fmt: QTextCharFormat) -> None:
        # Keep what the base highlighter set (weight, italics), per run of equal formats.
        run_start = start
        while run_start < end:
            below = self.format(run_start)
            run_end = run_start + 1
            while run_end < end and self.format(run_end) == below:
                run_end += 1
            merged = QTextCharFormat(below)
            merged.merge(fmt)
            self.setFormat(run_start, run_end - run_start, merged)
            run_start = run_end

    def set_lookup(self, lookup: VariableLookup) -> None:
        """Use ``lookup`` from now on and re-colour every block that has a reference."""
        self.lookup = lookup
        self.refresh()

    def refresh(self) -> None:
        """Re-colour the blocks holding ``{{`` (after a change of scope or theme): the visible
        ones now, the rest in slices of :data:`SLICE_MS` per event-loop turn (a 5 MB body with
        a reference on each of its 65,000 lines takes ~2 s in all, which must not freeze)."""
        if self.document() is None:
            return
        if isinstance(self.editor, QPlainTextEdit):
            first = self.editor.firstVisibleBlock().blockNumber()
            lines = self.editor.viewport().height() // max(1, self.editor.fontMetrics().height())
            self._recolour(first, first + lines + 2, time.perf_counter() + 1.0)
        self._next_block = 0
        self._step()

    def is_refreshing(self) -> bool:
        """True while a :meth:`refresh` is still re-colouring blocks in the background."""
        return self._timer.isActive()

    def _step(self) -> None:
        deadline = time.perf_counter() + SLICE_MS / 1000
        self._next_block = self._recolour(self._next_block, None, deadline)
        if self._next_block < 0:
            self._timer.stop()
            self.refreshed.emit()
        elif not self._timer.isActive():
            self._timer.start()

    def _recolour(self, first: int, stop: int | None, deadline: float) -> int:
        """Re-colour blocks ``first`` to ``stop`` (None: the end) holding ``{{`` until
        ``deadline``; the block number to continue at, or -1 when done."""
        document = self.document()
        if document is None:
            return -1
        start = document.findBlockByNumber(first)
        if not start.isValid():
            return -1
        with QSignalBlocker(self.editor):
            edit = QTextCursor(document)
            edit.beginEditBlock()  # one layout update per slice, not one per block
            try:
                found = document.find("{{", start.position())
                while not found.isNull():
                    block = found.block()
                    if stop is not None and block.blockNumber() >= stop:
                        break
                    self.rehighlightBlock(block)
                    following = block.next()
                    if not following.isValid():
                        break
                    if time.perf_counter() > deadline:
                        return following.blockNumber()
                    found = document.find("{{", following.position())
            finally:
                edit.endEditBlock()
        return -1

    def ranges(self, block: QTextBlock) -> list[tuple[int, int, bool]]:
        """``(start, length, resolved)`` of the references coloured in ``block`` (for tests
        and tools: what the user sees, read back from the block's layout)."""
        resolved_fg = self._formats[True].foreground().color()
        unresolved_fg = self._formats[False].foreground().color()
        out = []
        for r in block.layout().formats():
            colour = r.format.foreground().color()
            if colour in (resolved_fg, unresolved_fg):
                out.append((r.start, r.length, colour == resolved_fg))
        return out

    # -- tooltips and theme --------------------------------------------------------------------
    def tooltip_at(self, position: int) -> str:
        """The tooltip for the reference at document ``position``, or ``""``."""
        document = self.document()
        if document is None:
            return ""
        block = document.findBlock(position)
        offset = position - block.position()
        text = block.text()
        if "{{" not in text:
            return ""
        for match in VARIABLE_REF.finditer(text):
            if match.start() <= offset < match.end():
                return self.lookup.describe(match.group(1))
        return ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ToolTip and watched is self.editor.viewport():
            assert isinstance(event, QHelpEvent)
            cursor = self.editor.cursorForPosition(event.pos())
            rect = self.editor.cursorRect(cursor)
            # cursorForPosition snaps to the nearest character: only a hover on the text counts.
            if abs(rect.center().y() - event.pos().y()) <= rect.height():
                tip = self.tooltip_at(cursor.position())
                if tip:
                    QToolTip.showText(event.globalPos(), tip, self.editor.viewport())
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        if kind in _THEME_EVENTS and watched is self.editor:
            dark = is_dark(self.editor)
            if dark != self._dark:
                self._dark = dark
                self._formats = self._make_formats()
                self.refresh()
        return False
