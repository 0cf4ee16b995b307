"""Tools → Cookies…: the cookies servers have set, with removal and undo.

The window sends every request through one ``requests.Session``; its cookie jar keeps what
servers set (a login's session cookie) and sends it back to them, like a browser. This
non-modal dialog lists that jar (site, path, name, value, expiry, flags), filters it, removes
one cookie, a whole site or everything, and undoes the last removal. Values are hidden until
*Show values* is ticked: they are credentials, and screens are shared.

The jar is changed by worker threads while the dialog is open; the window calls
:meth:`CookiesDialog.refresh` after each response, and the dialog refreshes itself when shown.

Example::

    dialog = CookiesDialog(services.http_session.cookies, parent=window)
    dialog.changed.connect(window.save_cookies)   # removals are saved like new cookies
    dialog.show()
"""

from __future__ import annotations

import time
from http.cookiejar import CookieJar

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt
from PySide6.QtCore import Signal as _Signal
from PySide6.QtGui import QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.cookies import StoredCookie, list_cookies, remove_cookies
from guiapp.ui.qt_helpers import named

__all__ = ["COOKIE_COLUMNS", "HIDDEN_VALUE", "CookiesDialog", "describe_expiry"]

COOKIE_COLUMNS = ("Site", "Path", "Name", "Value", "Expires", "Secure", "HttpOnly")
HIDDEN_VALUE = "••••••"
_COOKIE_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_expiry(cookie: StoredCookie) -> str:
    """``Session`` for a session cookie, else the local date and time it expires.

    >>> describe_expiry(StoredCookie("a.example", "/", "sid", "v"))
    'Session'
    """
    if cookie.expires is None:
        return "Session"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(cookie.expires))


class CookiesDialog(QDialog):
    """The cookie manager; ``changed`` is emitted after every removal or undo."""

    changed = _Signal()

    def __init__(self, jar: CookieJar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cookiesDialog")
        self.setWindowTitle("Cookies")
        self.resize(760, 420)
        self._jar = jar
        self._undo: list[StoredCookie] = []

        self._filter = named(QLineEdit(), "cookiesFilter")
        self._filter.setPlaceholderText("Filter by site, path or name")
        self._filter.setClearButtonEnabled(True)
        self._show_values = named(QCheckBox("Show values"), "cookiesShowValues")
        self._show_values.setToolTip("Cookie values are credentials: shown only when ticked")
        top = QHBoxLayout()
        top.addWidget(self._filter, 1)
        top.addWidget(self._show_values)

        self._model = QStandardItemModel(0, len(COOKIE_COLUMNS), self)
        self._model.setHorizontalHeaderLabels(list(COOKIE_COLUMNS))
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._proxy.setFilterKeyColumn(-1)  # any column; values are hidden text, never matched
        self._table = named(QTableView(), "cookiesTable")
        self._table.setModel(self._proxy)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self._table.verticalHeader().hide()
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._table.horizontalHeader().setStretchLastSection(True)
        self._table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._table.setAccessibleName("Cookies")

        self._empty = named(QLabel(), "cookiesEmpty")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._summary = named(QLabel(), "cookiesSummary")

        self._remove = named(QPushButton("Remove"), "cookiesRemove")
        self._remove.setToolTip("Remove the selected cookies (Delete)")
        self._remove.setShortcut("Delete")
        self._remove_site = named(QPushButton("Remove site"), "cookiesRemoveSite")
        self._remove_site.setToolTip("Remove every cookie of the selected cookies' sites")
        self._clear = named(QPushButton("Remove all"), "cookiesClear")
        self._undo_button = named(QPushButton("Undo"), "cookiesUndo")
        self._undo_button.setToolTip("Put back the cookies removed last")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        actions = QHBoxLayout()
        for button in (self._remove, self._remove_site, self._clear, self._undo_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self._summary)
        actions.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._empty, 1)
        layout.addLayout(actions)

        self._filter.textChanged.connect(self._proxy.setFilterFixedString)
        self._filter.textChanged.connect(self._update_state)
        self._show_values.toggled.connect(lambda _on: self.refresh())
        self._table.selectionModel().selectionChanged.connect(self._update_state)
        self._table.customContextMenuRequested.connect(self._context_menu)
        self._remove.clicked.connect(self.remove_selected)
        self._remove_site.clicked.connect(self.remove_selected_sites)
        self._clear.clicked.connect(self.remove_all)
        self._undo_button.clicked.connect(self.undo)
        self.refresh()

    # -- contents -------------------------------------------------------------------------------
    def cookies(self) -> list[StoredCookie]:
        """The cookies listed, in the jar's order (site, path, name), filter not applied."""
        return list_cookies(self._jar)

    def refresh(self) -> None:
        """Reload the list from the jar, keeping the selection where the cookies still exist."""
        selected = {(c.domain, c.path, c.name) for c in self.selected_cookies()}
        self._model.removeRows(0, self._model.rowCount())
        show = self._show_values.isChecked()
        for cookie in self.cookies():
            row = [
                QStandardItem(cookie.domain.lstrip(".")),
                QStandardItem(cookie.path),
                QStandardItem(cookie.name),
                QStandardItem(cookie.value if show else HIDDEN_VALUE),
                QStandardItem(describe_expiry(cookie)),
                QStandardItem("✓" if cookie.secure else ""),
                QStandardItem("✓" if cookie.http_only else ""),
            ]
            row[0].setData(cookie, _COOKIE_ROLE)
            if cookie.domain.startswith("."):
                row[0].setToolTip(f"Sent to {cookie.domain.lstrip('.')} and its subdomains")
            self._model.appendRow(row)
        selection = self._table.selectionModel()
        for proxy_row in range(self._proxy.rowCount()):
            cookie = self._cookie_at(proxy_row)
            if (cookie.domain, cookie.path, cookie.name) in selected:
                selection.select(
                    self._proxy.index(proxy_row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )
        self._update_state()

    def selected_cookies(self) -> list[StoredCookie]:
        rows = sorted({index.row() for index in self._table.selectionModel().selectedRows()})
        return [self._cookie_at(row) for row in rows]

    def _cookie_at(self, proxy_row: int) -> StoredCookie:
        source = self._proxy.mapToSource(self._proxy.index(proxy_row, 0))
        cookie: StoredCookie = self._model.item(source.row(), 0).data(_COOKIE_ROLE)
        return cookie

    # -- removal and undo -----------------------------------------------------------------------
    def remove_selected(self) -> int:
        """Remove the selected cookies; return how many."""
        return self._remove_each(
            [dict(domain=c.domain, path=c.path, name=c.name) for c in self.selected_cookies()]
        )

    def remove_selected_sites(self) -> int:
        """Remove every cookie of the sites of the selected cookies; return how many."""
        sites = sorted({c.domain.lstrip(".") for c in self.selected_cookies()})
        return self._remove_each([dict(domain=site) for site in sites])

    def remove_all(self) -> int:
        """Remove every cookie (undoable); return how many."""
        return self._remove_each([{}])

    def _remove_each(self, matches: list[dict[str, str]]) -> int:
        before = {(c.domain, c.path, c.name): c for c in self.cookies()}
        removed = sum(remove_cookies(self._jar, **match) for match in matches)
        if removed:
            after = {(c.domain, c.path, c.name) for c in self.cookies()}
            self._undo = [cookie for key, cookie in before.items() if key not in after]
            self.changed.emit()
        self.refresh()
        return removed

    def undo(self) -> int:
        """Put back the cookies removed last; return how many."""
        restored, self._undo = self._undo, []
        for cookie in restored:
            self._jar.set_cookie(cookie.to_cookie())
        if restored:
            self.changed.emit()
        self.refresh()
        return len(restored)

    # -- state ----------------------------------------------------------------------------------
    def _update_state(self) -> None:
        total = self._model.rowCount()
        shown = self._proxy.rowCount()
        has_selection = bool(self._table.selectionModel().selectedRows())
        self._remove.setEnabled(has_selection)
        self._remove_site.setEnabled(has_selection)
        self._clear.setEnabled(total > 0)
        self._undo_button.setEnabled(bool(self._undo))
        sites = len({self._model.item(row, 0).text() for row in range(total)})
        if total == 0:
            self._empty.setText(
                "No cookies yet. Cookies that servers set are kept here and sent back to them "
                "on the next request, like a browser does."
            )
        elif shown == 0:
            self._empty.setText(f"No cookie matches “{self._filter.text()}”.")
        self._empty.setVisible(shown == 0)
        self._table.setVisible(shown > 0)
        cookies = "cookie" if total == 1 else "cookies"
        summary = f"{total} {cookies} from {sites} site{'' if sites == 1 else 's'}"
        if shown != total:
            summary = f"{shown} of {summary}"
        self._summary.setText(summary)

    def _context_menu(self, position: QPoint) -> None:
        if not self._table.indexAt(position).isValid() or not self.selected_cookies():
            return
        menu = QMenu(self)
        copy = menu.addAction("Copy value")
        copy.setEnabled(len(self.selected_cookies()) == 1)
        copy.triggered.connect(self.copy_selected_value)
        menu.addAction("Remove", self.remove_selected)
        menu.addAction("Remove site", self.remove_selected_sites)
        menu.popup(self._table.viewport().mapToGlobal(position))

    def copy_selected_value(self) -> None:
        """Copy the value of the one selected cookie to the clipboard."""
        selected = self.selected_cookies()
        if len(selected) == 1:
            QGuiApplication.clipboard().setText(selected[0].value)
