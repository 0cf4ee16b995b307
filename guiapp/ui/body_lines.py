"""A virtualised, highlighted, read-only line view for response bodies of any size.

A ``QPlainTextEdit`` holding 50 MB lays out one huge ``QTextDocument`` on the GUI thread and
stalls for seconds. :class:`BodyLineView` instead paints only the lines in the viewport, read
on demand from a :class:`LineSource`: a list in memory (small bodies) or a memory-mapped file
plus line index written by a worker process (:func:`guiapp.core.formatting.format_body_file`).
Highlighting arrives per block of :data:`BLOCK_LINES` lines, computed in a worker process; a
block paints plain until its colours arrive.

Example::

    view = BodyLineView()
    view.set_source(ListLineSource(["{", '  "a": 1', "}"]))
    view.highlightNeeded.connect(lambda block: ...)   # compute spans, then set_block_spans()
    view.visible_text()        # '{\\n  "a": 1\\n}'
    view.set_find('"a"', current_line=1)   # Find: every visible match marked, line 1's first
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from guiapp.core.formatting import Span
from guiapp.ui.body_sources import MAX_LINE_CHARS, LineSource, ListLineSource
from guiapp.ui.syntax_theme import syntax_colours

__all__ = ["BLOCK_LINES", "MAX_COPY_CHARS", "MAX_LINE_CHARS", "BodyLineView"]

#: Lines per highlighting block (one worker-process job each).
BLOCK_LINES = 200
#: Copying more than this many characters to the clipboard is refused (use Save instead).
MAX_COPY_CHARS = 16 * 1024 * 1024
_CACHED_BLOCKS = 256
_GUTTER_PAD = 8.0


class BodyLineView(QAbstractScrollArea):
    """Read-only view painting only visible lines; line selection, Ctrl+C, line numbers.

    ``highlightNeeded(block)`` is emitted (once per block, after a paint) for a visible block
    whose spans are unknown; answer with :meth:`set_block_spans`, which emits
    ``blockHighlighted(block)``.
    """

    highlightNeeded = Signal(int)
    blockHighlighted = Signal(int)
    selectionChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: LineSource = ListLineSource([])
        self._epoch = 0
        self._spans: OrderedDict[int, tuple[tuple[Span, ...], ...]] = OrderedDict()
        self._requested: set[int] = set()
        self._pending: list[int] = []
        self._anchor: int | None = None
        self._cursor: int | None = None
        self._highlight_line: int | None = None
        self._find = ""
        self._find_line: int | None = None
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self._emit_timer = QTimer(self)
        self._emit_timer.setSingleShot(True)
        self._emit_timer.setInterval(0)
        self._emit_timer.timeout.connect(self._emit_pending)
        self._update_metrics()

    # -- public API ----------------------------------------------------------------------------
    @property
    def source(self) -> LineSource:
        return self._source

    @property
    def content_epoch(self) -> int:
        """Changes whenever the shown lines change (not when a growing file grows)."""
        return self._epoch

    def set_source(self, source: LineSource, *, continues: bool = False) -> None:
        """Show ``source``.

        ``continues``: ``source`` starts with the same lines as the current one (a growing
        file, or the full file after its preview): the position, the selection and the
        colours of complete blocks are kept.
        """
        position = self.verticalScrollBar().value() if continues else 0
        if not continues:
            self._epoch += 1
        old, self._source = self._source, source
        if old is not source:
            old.close()
        for block in list(self._spans):
            if not continues or len(self._spans[block]) < BLOCK_LINES:
                del self._spans[block]
        self._requested.clear()
        self._pending.clear()
        if not continues:
            self._anchor = self._cursor = self._highlight_line = None
        self._update_scrollbars()
        self.verticalScrollBar().setValue(position)
        self.viewport().update()
        self.selectionChanged.emit()

    def clear(self) -> None:
        self.set_source(ListLineSource([]))

    def set_block_spans(self, block: int, spans: tuple[tuple[Span, ...], ...]) -> None:
        """Colours for lines ``block * BLOCK_LINES ...``; repaints if they are visible."""
        self._spans[block] = spans
        self._spans.move_to_end(block)
        self._requested.discard(block)
        while len(self._spans) > _CACHED_BLOCKS:
            self._spans.popitem(last=False)
        first, last = self.visible_range()
        if first // BLOCK_LINES <= block <= max(first, last - 1) // BLOCK_LINES:
            self.viewport().update()
        self.blockHighlighted.emit(block)

    def forget_requests(self) -> None:
        """Blocks requested but never answered (stale jobs) may be requested again."""
        self._requested.clear()

    def visible_range(self) -> tuple[int, int]:
        """``(first, stop)`` line numbers currently shown."""
        first = self.verticalScrollBar().value()
        rows = int(self.viewport().height() / self._line_height) + 1
        return first, min(self._source.line_count, first + rows)

    def visible_text(self) -> str:
        """The text of the lines currently in the viewport (display-truncated)."""
        first, stop = self.visible_range()
        return "\n".join(self._display_line(i) for i in range(first, stop))

    def scroll_to_line(self, line: int, *, mark: bool = False) -> None:
        """Make ``line`` the first visible line (and highlight it when ``mark``)."""
        if mark:
            self._highlight_line = line
        self.verticalScrollBar().setValue(max(0, line - (3 if mark else 0)))
        self.viewport().update()

    def set_find(self, needle: str, current_line: int | None = None) -> None:
        """Mark every occurrence of ``needle`` (case-sensitive, as Find searches) in the lines
        painted, the first one on ``current_line`` (the current match) more strongly.

        Only the viewport is searched, when it is painted: the cost does not grow with the
        body's size. ``""`` removes the marks.
        """
        if (needle, current_line) != (self._find, self._find_line):
            self._find, self._find_line = needle, current_line
            self.viewport().update()

    def find_marks(
        self, index: int, first_col: int = 0, cols: int | None = None
    ) -> list[tuple[int, int, bool]]:
        """``(column, length, current)`` of the Find marks on line ``index`` that fall within
        columns ``first_col`` to ``first_col + cols`` (all of the displayed line by default)."""
        needle = self._find
        if not needle or not 0 <= index < self._source.line_count:
            return []
        text = self._display_line(index)
        stop = len(text) if cols is None else min(len(text), first_col + cols + len(needle))
        current = text.find(needle) if index == self._find_line else -1
        marks = []
        at = text.find(needle, max(0, first_col - len(needle) + 1), stop)
        while at >= 0:
            marks.append((at, len(needle), at == current))
            at = text.find(needle, at + len(needle), stop)
        return marks

    def selected_range(self) -> tuple[int, int] | None:
        """``(first, stop)`` of the selected lines, or ``None``."""
        if self._anchor is None or self._cursor is None:
            return None
        low, high = sorted((self._anchor, self._cursor))
        return low, min(high + 1, self._source.line_count)

    def select_lines(self, first: int, last: int) -> None:
        """Select lines ``first`` to ``last`` (inclusive)."""
        self._anchor, self._cursor = first, last
        self.viewport().update()
        self.selectionChanged.emit()

    def select_all(self) -> None:
        if self._source.line_count:
            self._anchor, self._cursor = 0, self._source.line_count - 1
            self.viewport().update()
            self.selectionChanged.emit()

    def copy_selection(self) -> bool:
        """Copy the selected lines to the clipboard; False if none or too large."""
        selected = self.selected_range()
        if selected is None:
            return False
        first, stop = selected
        if (stop - first) * max(1, self._source.max_line_chars) > MAX_COPY_CHARS:
            return False
        text = "\n".join(self._source.line(i) for i in range(first, stop))
        QGuiApplication.clipboard().setText(text)
        return True

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Base))
        colours = self._colours()
        first, stop = self.visible_range()
        gutter = self._gutter_width()
        painter.fillRect(
            QRectF(0, 0, gutter, self.viewport().height()),
            palette.color(QPalette.ColorRole.AlternateBase),
        )
        text_colour = palette.color(QPalette.ColorRole.Text)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        selected = self.selected_range()
        selection_colour = self._selection_colour()
        match_colour, current_colour = _find_colours(palette)
        x0 = gutter + _GUTTER_PAD - self.horizontalScrollBar().value()
        first_col = max(0, int(self.horizontalScrollBar().value() / self._char_width) - 1)
        cols = int(self.viewport().width() / self._char_width) + 2
        for row, index in enumerate(range(first, stop)):
            top = row * self._line_height
            if (selected and selected[0] <= index < selected[1]) or index == self._highlight_line:
                painter.fillRect(
                    QRectF(gutter, top, self.viewport().width(), self._line_height),
                    selection_colour,
                )
            painter.setPen(dim)
            painter.drawText(
                QRectF(0, top, gutter - 4, self._line_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(index + 1),
            )
            # x0 is column 0's place: the slice starting at first_col is drawn from there on.
            left = x0 + first_col * self._char_width
            painter.setClipRect(QRectF(gutter, 0, self.viewport().width(), self.height()))
            for col, length, current in self.find_marks(index, first_col, cols):
                painter.fillRect(
                    QRectF(
                        x0 + col * self._char_width,
                        top,
                        length * self._char_width,
                        self._line_height,
                    ),
                    current_colour if current else match_colour,
                )
            text = self._display_line(index)[first_col : first_col + cols]
            spans = self._spans_for(index)
            baseline = top + self._ascent
            for start, piece, style in _segments(text, spans, first_col):
                painter.setPen(colours[style] if style else text_colour)
                painter.drawText(QPointF(left + start * self._char_width, baseline), piece)
            painter.setClipping(False)
        painter.end()
        if self._pending:
            self._emit_timer.start()

    def _spans_for(self, index: int) -> tuple[Span, ...]:
        block = index // BLOCK_LINES
        spans = self._spans.get(block)
        if spans is None:
            if block not in self._requested:
                self._requested.add(block)
                self._pending.append(block)
            return ()
        offset = index - block * BLOCK_LINES
        return spans[offset] if offset < len(spans) else ()

    def _emit_pending(self) -> None:
        pending, self._pending = self._pending, []
        for block in pending:
            self.highlightNeeded.emit(block)

    def _display_line(self, index: int) -> str:
        text = self._source.line(index)
        if len(text) > MAX_LINE_CHARS:
            return text[:MAX_LINE_CHARS] + " … [line cut for display: Save or Copy for all]"
        return text

    def _colours(self) -> list[QColor]:
        # The theme is read from the palette (the app's, set by ui/theme.py): a dark base
        # selects the dark Pygments style.
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return [QColor(c) if c else QColor() for c in syntax_colours(dark)]

    def _selection_colour(self) -> QColor:
        # Highlight mixed into Base: the syntax colours stay readable on it in both themes.
        base = self.palette().color(QPalette.ColorRole.Base)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        mix = 0.3
        return QColor.fromRgbF(
            base.redF() + (accent.redF() - base.redF()) * mix,
            base.greenF() + (accent.greenF() - base.greenF()) * mix,
            base.blueF() + (accent.blueF() - base.blueF()) * mix,
        )

    # -- geometry ------------------------------------------------------------------------------
    def _update_metrics(self) -> None:
        metrics = QFontMetricsF(self.font())
        self._line_height = max(1.0, metrics.lineSpacing())
        self._ascent = metrics.ascent()
        self._char_width = max(1.0, metrics.horizontalAdvance("M"))

    def _gutter_width(self) -> float:
        digits = len(str(max(1, self._source.line_count)))
        return self._char_width * digits + _GUTTER_PAD

    def _update_scrollbars(self) -> None:
        rows = int(self.viewport().height() / self._line_height)
        vbar = self.verticalScrollBar()
        vbar.setRange(0, max(0, self._source.line_count - rows))
        vbar.setPageStep(max(1, rows))
        vbar.setSingleStep(1)
        width = (self._source.max_line_chars + 2) * self._char_width + self._gutter_width()
        hbar = self.horizontalScrollBar()
        hbar.setRange(0, max(0, int(width + _GUTTER_PAD - self.viewport().width())))
        hbar.setPageStep(self.viewport().width())
        hbar.setSingleStep(int(self._char_width * 4))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        self._update_metrics()
        self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    # -- input ---------------------------------------------------------------------------------
    def _line_at(self, y: float) -> int | None:
        index = self.verticalScrollBar().value() + int(y / self._line_height)
        return index if 0 <= index < self._source.line_count else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self._line_at(event.position().y())
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor is not None:
                self._cursor = index if index is not None else self._cursor
            else:
                self._anchor = self._cursor = index
            self._highlight_line = None
            self.viewport().update()
            self.selectionChanged.emit()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._anchor is not None:
            index = self._line_at(event.position().y())
            if index is not None and index != self._cursor:
                self._cursor = index
                self.viewport().update()
                self.selectionChanged.emit()
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif (
            event.key() == Qt.Key.Key_Home
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.verticalScrollBar().setValue(0)
        elif (
            event.key() == Qt.Key.Key_End
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        else:
            super().keyPressEvent(event)


def _find_colours(palette: QPalette) -> tuple[QColor, QColor]:
    # Yellow marks, the current one orange, as browsers and editors do; darker on dark themes
    # so that the syntax colours stay readable.
    if palette.color(QPalette.ColorRole.Base).lightness() < 128:
        return QColor(120, 100, 0), QColor(170, 90, 0)
    return QColor(255, 230, 110), QColor(255, 160, 60)


def _segments(text: str, spans: tuple[Span, ...], first_col: int) -> list[tuple[int, str, int]]:
    """Split the visible slice ``text`` (starting at ``first_col``) into coloured runs.

    >>> _segments("abcdef", ((1, 2, 3),), 0)
    [(0, 'a', 0), (1, 'bc', 3), (3, 'def', 0)]
    """
    out: list[tuple[int, str, int]] = []
    pos = 0
    end = len(text)
    for col, length, style in spans:
        start, stop = col - first_col, col - first_col + length
        if stop <= pos:
            continue
        if start >= end:
            break
        start = max(start, pos)
        if start > pos:
            out.append((pos, text[pos:start], 0))
        out.append((start, text[start : min(stop, end)], style))
        pos = min(stop, end)
    if pos < end:
        out.append((pos, text[pos:], 0))
    return out
