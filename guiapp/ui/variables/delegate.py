"""``{{name}}`` coloured in the cells of the params, headers, form and multipart tables.

A delegate rather than data roles: the tables' items stay exactly what the user typed (no
role written, no ``itemChanged``, nothing for autosave to mistake for an edit), and a change
of scope is a repaint. A cell without ``{{`` is painted by Qt as before; a cell with one is
painted by Qt without its text, then the text is drawn through a ``QTextLayout`` with the
references' formats. Hovering such a cell shows each reference's value (masked if secret)
and origin, or why it is not defined; a cell's own tooltip follows.

Example::

    delegate = VariableDelegate(table, lookup=lambda: controller.lookup)
    table.setItemDelegate(delegate)
    delegate.ranges("{{base}}/x")      # [(0, 8, True)] while base is defined
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    Qt,
)
from PySide6.QtGui import QHelpEvent, QPainter, QPalette, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from guiapp.ui.variables.lookup import (
    VariableLookup,
    is_dark,
    variable_format,
    variable_spans,
)

__all__ = ["VariableDelegate"]

Index = QModelIndex | QPersistentModelIndex


class VariableDelegate(QStyledItemDelegate):
    """Paints references in a table's cells resolved/unresolved; tooltips on hover."""

    def __init__(
        self, view: QAbstractItemView, lookup: Callable[[], VariableLookup] | None = None
    ) -> None:
        super().__init__(view)
        self.view = view
        self._lookup = lookup or VariableLookup

    def lookup(self) -> VariableLookup:
        """The lookup in effect now."""
        return self._lookup()

    def ranges(self, text: str) -> list[tuple[int, int, bool]]:
        """``(start, length, resolved)`` of the references in a cell showing ``text``."""
        lookup = self.lookup()
        return [(s, n, lookup.is_resolved(name)) for s, n, name in variable_spans(text)]

    def tooltip(self, index: Index) -> str:
        """What hovering the cell at ``index`` shows ("" if it has no reference)."""
        text = index.data(Qt.ItemDataRole.DisplayRole)
        lines = self.lookup().describe_text(text) if isinstance(text, str) else []
        own = index.data(Qt.ItemDataRole.ToolTipRole)
        if lines and isinstance(own, str) and own:
            lines.append(own)
        return "\n".join(lines)

    # -- Qt ------------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or "{{" not in text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        spans = self.ranges(opt.text)
        if not spans:
            super().paint(painter, option, index)
            return
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        opt.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        opt.text = text
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
        dark = is_dark(widget)
        formats = []
        for start, length, resolved in spans:
            span = QTextLayout.FormatRange()
            span.start, span.length = start, length
            span.format = variable_format(resolved, dark)
            formats.append(span)
        layout = QTextLayout(text, opt.font)
        layout.setFormats(formats)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1e6)  # one line, clipped to the cell like Qt's own text
        layout.endLayout()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.save()
        painter.setClipRect(rect)
        painter.setPen(opt.palette.color(role))
        top = rect.top() + (rect.height() - line.height()) / 2
        layout.draw(painter, QPointF(rect.left() + margin, top))
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: Index,
    ) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            tip = self.tooltip(index)
            if tip:
                QToolTip.showText(event.globalPos(), tip, view)
                return True
        return super().helpEvent(event, view, option, index)

    def refresh(self) -> None:
        """Repaint the view (after a change of scope)."""
        self.view.viewport().update()
