"""Tools → Cookies…: listing, hidden values, filter, removal of a cookie/site/all, and undo."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QTableView

from guiapp.core.cookies import StoredCookie, list_cookies
from guiapp.ui.cookies_dialog import HIDDEN_VALUE, CookiesDialog


@pytest.fixture
def jar() -> requests.cookies.RequestsCookieJar:
    jar = requests.cookies.RequestsCookieJar()
    for cookie in (
        StoredCookie("api.example.com", "/", "sid", "s3cr3t", secure=True, http_only=True),
        StoredCookie(".api.example.com", "/v2", "pref", "dark", expires=time.time() + 86400),
        StoredCookie("other.example", "/", "token", "t0k"),
    ):
        jar.set_cookie(cookie.to_cookie())
    return jar


@pytest.fixture
def dialog(qtbot: Any, jar: requests.cookies.RequestsCookieJar) -> CookiesDialog:
    dialog = CookiesDialog(jar)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _table(dialog: CookiesDialog) -> QTableView:
    return dialog.findChild(QTableView, "cookiesTable")


def _rows(dialog: CookiesDialog) -> list[list[str]]:
    model = _table(dialog).model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def _select(dialog: CookiesDialog, *names: str) -> None:
    table = _table(dialog)
    model = table.model()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    table.clearSelection()
    for row in range(model.rowCount()):
        if model.index(row, 2).data() in names:
            table.selectionModel().select(model.index(row, 0), flags)


def _button(dialog: CookiesDialog, name: str) -> QPushButton:
    return dialog.findChild(QPushButton, name)


def test_lists_every_cookie_with_values_hidden(dialog: CookiesDialog) -> None:
    rows = _rows(dialog)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("api.example.com", "/", "sid"),
        ("api.example.com", "/v2", "pref"),
        ("other.example", "/", "token"),
    ]
    assert {r[3] for r in rows} == {HIDDEN_VALUE}
    assert rows[0][4:] == ["Session", "✓", "✓"]
    assert rows[1][4] != "Session"
    summary = dialog.findChild(QLabel, "cookiesSummary")
    assert summary.text() == "3 cookies from 2 sites"

    dialog.findChild(QCheckBox, "cookiesShowValues").setChecked(True)
    assert [r[3] for r in _rows(dialog)] == ["s3cr3t", "dark", "t0k"]


def test_filter_matches_site_path_or_name_never_hidden_values(dialog: CookiesDialog) -> None:
    search = dialog.findChild(QLineEdit, "cookiesFilter")
    search.setText("OTHER")
    assert [r[2] for r in _rows(dialog)] == ["token"]
    assert dialog.findChild(QLabel, "cookiesSummary").text() == "1 of 3 cookies from 2 sites"
    search.setText("s3cr3t")
    assert _rows(dialog) == []
    empty = dialog.findChild(QLabel, "cookiesEmpty")
    assert empty.isVisible()
    assert "No cookie matches" in empty.text()


def test_remove_selected_then_undo(
    dialog: CookiesDialog, jar: requests.cookies.RequestsCookieJar, qtbot: Any
) -> None:
    remove = _button(dialog, "cookiesRemove")
    assert not remove.isEnabled()  # nothing selected yet
    _select(dialog, "sid")
    assert remove.isEnabled()
    with qtbot.waitSignal(dialog.changed):
        remove.click()
    assert [c.name for c in list_cookies(jar)] == ["pref", "token"]
    undo = _button(dialog, "cookiesUndo")
    assert undo.isEnabled()
    with qtbot.waitSignal(dialog.changed):
        undo.click()
    restored = {c.name: c for c in list_cookies(jar)}
    assert set(restored) == {"sid", "pref", "token"}
    assert restored["sid"] == StoredCookie(
        "api.example.com", "/", "sid", "s3cr3t", secure=True, http_only=True
    )
    assert not undo.isEnabled()


def test_remove_site_takes_its_domain_cookies_too(
    dialog: CookiesDialog, jar: requests.cookies.RequestsCookieJar
) -> None:
    _select(dialog, "sid")
    _button(dialog, "cookiesRemoveSite").click()
    assert [c.name for c in list_cookies(jar)] == ["token"]  # sid and the .api… domain cookie
    assert dialog.findChild(QLabel, "cookiesSummary").text() == "1 cookie from 1 site"


def test_remove_all_shows_the_empty_state_and_undo_brings_all_back(
    dialog: CookiesDialog, jar: requests.cookies.RequestsCookieJar
) -> None:
    assert dialog.remove_all() == 3
    assert list_cookies(jar) == []
    assert not _button(dialog, "cookiesClear").isEnabled()
    empty = dialog.findChild(QLabel, "cookiesEmpty")
    assert empty.isVisible()
    assert "No cookies yet" in empty.text()
    assert not _table(dialog).isVisible()
    assert dialog.undo() == 3
    assert len(list_cookies(jar)) == 3
    assert _table(dialog).isVisible()


def test_refresh_shows_cookies_stored_meanwhile_and_keeps_the_selection(
    dialog: CookiesDialog, jar: requests.cookies.RequestsCookieJar
) -> None:
    _select(dialog, "token")
    jar.set_cookie(StoredCookie("new.example", "/", "fresh", "1").to_cookie())
    dialog.refresh()
    assert "fresh" in [r[2] for r in _rows(dialog)]
    assert [c.name for c in dialog.selected_cookies()] == ["token"]


def test_copy_value_of_one_selected_cookie(dialog: CookiesDialog) -> None:
    _select(dialog, "pref")
    dialog.copy_selected_value()
    assert QGuiApplication.clipboard().text() == "dark"
