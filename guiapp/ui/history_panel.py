"""The history side panel: a searchable, lazily paged list of past requests.

Each row shows the method, the URL, the status (coloured by class, or ``ERR``), the time taken
and when. Typing in the search box reloads the list after a short pause (debounce); every
store call runs on the history lane (:class:`~guiapp.ui.history_model.AsyncHistory`), so the
GUI never waits for sqlite.

Activating a row (double-click, Enter) emits ``requestRestored(spec)``; the context menu also
offers *Restore in new tab* (``requestRestoredInNewTab(spec)``), *Copy as curl*, *Delete* and
*Clear all…* (confirmed in a window-modal box opened with ``open()``, never ``exec()``). Both
restores also emit ``entryRestored(entry, new_tab)``, which the app connects to
:class:`~guiapp.ui.history_restore.HistoryRestorer` (never overwrites a tab with work in it).
A Delete or Clear that fails (the database is read-only, the disk is full) emits
``actionFailed(message)``, a sentence for the window's status line, and is logged.

Example::

    panel = HistoryPanel(AsyncHistory(store, services.lane))
    panel.requestRestored.connect(window.load_into_current_tab)
    panel.actionFailed.connect(lambda text: window.show_message(text, "error"))
    recorder.recorded.connect(panel.entry_added)
    panel.refresh()
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtCore import Signal as _Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QGuiApplication, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.history import HistoryEntry
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.history_model import ENTRY_ROLE, HistoryListModel, HistoryService
from guiapp.ui.response_summary import status_colour
from guiapp.ui.status_format import format_duration

__all__ = ["HistoryPanel", "entry_meta", "relative_time"]


def relative_time(then: float, now: float | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, else the date.

    >>> relative_time(1000.0, 1030.0), relative_time(0.0, 600.0), relative_time(0.0, 7200.0)
    ('just now', '10 min ago', '2 h ago')
    """
    delta = (time.time() if now is None else now) - then
    if delta < 60:
        return "just now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return time.strftime("%Y-%m-%d", time.localtime(then))


class HistoryPanel(QWidget):
    """Search box, count label and the entry list (``historySearch``, ``historyCount``,
    ``historyList``)."""

    requestRestored = _Signal(object)
    requestRestoredInNewTab = _Signal(object)
    #: An entry was chosen for restoring: (HistoryEntry, in a new tab). Carries what the spec
    #: signals do not: the response summary and the fields to re-enter.
    entryRestored = _Signal(object, bool)
    #: A Delete / Clear all failed: one sentence saying what and why, for the status line.
    actionFailed = _Signal(str)

    def __init__(
        self,
        history: HistoryService,
        parent: QWidget | None = None,
        *,
        page_size: int = 100,
        debounce_ms: int = 250,
    ) -> None:
        super().__init__(parent)
        # Narrower, every row is cut to "GET 20 http://12": the window gives way elsewhere.
        self.setMinimumWidth(150)
        self.history = history
        self.model = HistoryListModel(history, page_size=page_size, parent=self)
        self.model.loaded.connect(self._update_count)
        self.model.failed.connect(self._on_model_failed)
        self._tasks = BackgroundTasks(self._on_action_failed, "a history action")

        self.search_edit = QLineEdit(placeholderText="Search history", clearButtonEnabled=True)
        self.search_edit.setObjectName("historySearch")
        self.search_edit.setToolTip(
            "Search method, URL, status, error and request body (every word must match)"
        )
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._debounce.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(self._debounce.start)
        self.search_edit.returnPressed.connect(self.refresh)

        self.list_view = QListView()
        self.list_view.setToolTip(
            "Double-click or Enter: load into the current tab; right-click: more"
        )
        self.list_view.setObjectName("historyList")
        self.list_view.setModel(self.model)
        self.list_view.setUniformItemSizes(True)  # O(1) layout however many rows are loaded
        self.list_view.setItemDelegate(_EntryDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._on_list_context_menu)
        self.list_view.activated.connect(self._on_list_activated)

        self.count_label = QLabel(wordWrap=True)
        self.count_label.setObjectName("historyCount")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list_view, 1)
        layout.addWidget(self.count_label)

    # -- public API ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the first page for the current search text (in the background)."""
        self._debounce.stop()
        self.model.start_reload(self.search_edit.text().strip() or None)

    def entry_added(self, _entry_id: object = None) -> None:
        """A new entry was stored (connect ``HistoryRecorder.recorded`` here)."""
        self.refresh()

    async def reload(self) -> None:
        """Reload now and return once the first page is shown (tests, startup)."""
        self._debounce.stop()
        await self.model.reload(self.search_edit.text().strip() or None)

    def restore(self, row: int, *, new_tab: bool = False) -> None:
        """Emit the restore signal for ``row``'s request."""
        entry = self.model.entry(row)
        (self.requestRestoredInNewTab if new_tab else self.requestRestored).emit(entry.spec)
        self.entryRestored.emit(entry, new_tab)

    def copy_as_curl(self, row: int) -> str:
        """Put ``row``'s request on the clipboard as a curl command; returns it."""
        from guiapp.core.codegen import to_curl

        command = to_curl(self.model.entry(row).spec)
        QGuiApplication.clipboard().setText(command)
        return command

    async def delete(self, row: int) -> None:
        """Delete ``row``'s entry from the store, then from the list."""
        entry = self.model.entry(row)
        await self.history.delete(entry.id)
        self.model.remove_entry(entry.id)
        self._update_count()

    async def clear_all(self) -> None:
        """Delete every entry (no confirmation: :meth:`confirm_clear_all` asks first)."""
        await self.history.clear()
        await self.reload()

    def confirm_clear_all(self) -> QMessageBox:
        """Ask before clearing (window-modal, ``open()``); returns the box."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Clear history", "Delete every history entry?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self,
        )  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._spawn(self.clear_all(), "clear the history"))
        box.open()
        return box

    # -- slots ---------------------------------------------------------------------------------
    def _on_list_activated(self, index: QModelIndex) -> None:
        self.restore(index.row())

    def _on_list_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.list_view.indexAt(pos))
        menu.popup(self.list_view.viewport().mapToGlobal(pos))

    def build_context_menu(self, index: QModelIndex | QPersistentModelIndex) -> QMenu:
        """The context menu for ``index`` (invalid: only *Clear all…*)."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if index.isValid():
            row = index.row()
            _add(menu, "Restore", lambda: self.restore(row))
            _add(menu, "Restore in new tab", lambda: self.restore(row, new_tab=True))
            _add(menu, "Copy as curl", lambda: self.copy_as_curl(row))
            menu.addSeparator()
            _add(menu, "Delete", lambda: self._spawn(self.delete(row), "delete the entry"))
        _add(menu, "Clear all…", self.confirm_clear_all).setEnabled(self.model.total > 0)
        return menu

    def _update_count(self) -> None:
        total, shown = self.model.total, self.model.rowCount()
        self.count_label.setToolTip("")  # a failure's detail no longer applies
        if total == 0:  # an empty list says what would fill it
            self.count_label.setText(
                "No matches" if self.model.search else "No history yet: sent requests appear here"
            )
            return
        what = "match" if self.model.search else "entry"
        plural = "es" if what == "match" else "ies"
        noun = what if total == 1 else what.rstrip("y") + plural
        self.count_label.setText(
            f"{total:,} {noun}" + (f" ({shown:,} loaded)" if shown < total else "")
        )

    def _on_model_failed(self, message: str) -> None:
        # The reason is an internal error text (sqlite, the executor): on hover, not in the way.
        self.count_label.setText("History could not be loaded")
        self.count_label.setToolTip(message)

    def _spawn(self, coro: Coroutine[Any, Any, None], action: str) -> None:
        self._tasks.spawn(
            coro,
            on_error=lambda exc: self._on_action_failed(exc, action),
            what=f"history: {action}",
        )

    def _on_action_failed(self, exc: BaseException, action: str = "update the history") -> None:
        self.actionFailed.emit(f"Could not {action}: {exc}")


def entry_meta(summary: Any, now: float | None = None) -> str:
    """The grey text after the status: the time taken (when there was a response) and when.

    A failed send has no meaningful duration: it shows only when (never "0 ms").

    >>> from types import SimpleNamespace as NS
    >>> entry_meta(NS(status_code=200, elapsed=0.012, created_at=100.0), now=110.0)
    '12 ms · just now'
    >>> entry_meta(NS(status_code=None, elapsed=0.0, created_at=100.0), now=110.0)
    'just now'
    """
    when = relative_time(summary.created_at, now)
    if summary.status_code is None:
        return when
    return f"{format_duration(summary.elapsed)} · {when}"


def _add(menu: QMenu, text: str, slot: Any) -> QAction:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    return action


class _EntryDelegate(QStyledItemDelegate):
    """Two lines: ``METHOD  status  time · when`` then the URL (elided in the middle)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        height = QFontMetrics(option.font).lineSpacing()
        return QSize(200, 2 * height + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        entry: HistoryEntry | None = index.data(ENTRY_ROLE)
        if entry is None:
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                option.widget)  # fmt: skip
        rect: QRect = option.rect.adjusted(6, 4, -6, -4)
        metrics = QFontMetrics(option.font)
        line = metrics.lineSpacing()
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(option.palette.text().color())
        painter.drawText(rect.x(), rect.y() + metrics.ascent(), entry.method)
        x = rect.x() + QFontMetrics(bold).horizontalAdvance(entry.method) + 8
        summary = entry.summary
        code = summary.status_code
        painter.setPen(QColor(status_colour(code) if code else "#d03838"))
        status = str(code) if code else "ERR"
        painter.drawText(x, rect.y() + metrics.ascent(), status)
        x += QFontMetrics(bold).horizontalAdvance(status) + 8
        painter.setFont(option.font)
        painter.setPen(option.palette.placeholderText().color())
        painter.drawText(x, rect.y() + metrics.ascent(), entry_meta(summary))
        painter.setPen(option.palette.text().color())
        url = metrics.elidedText(entry.url, Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect.x(), rect.y() + line + metrics.ascent(), url)
        painter.restore()
