"""The window keeps cookies like a browser: log in once, stay logged in, across restarts too."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction

from guiapp.app import create_window
from guiapp.core.cookies import StoredCookie, list_cookies, save_cookies
from guiapp.core.request import FormBody, RequestSpec
from guiapp.ui.cookie_keeper import COOKIE_FILE
from guiapp.ui.cookies_dialog import CookiesDialog
from guiapp.ui.main_window import MainWindow
from tests.ui.conftest import wait_until
from tests.ui.test_window_send import send_url

STRATEGIES = ["asyncio-executor", "qthread", "gui-thread"]


def _send_spec(window: MainWindow, loop: asyncio.AbstractEventLoop, spec: RequestSpec) -> Any:
    tab = window.open_tab(spec)
    window.send_tab(tab)
    wait_until(loop, lambda: tab.outcome.kind not in ("idle", "sending"))
    return tab.outcome


def _login(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    spec = RequestSpec(
        url=window.demo_server.url + "/session/login",
        method="POST",
        body=FormBody((("user", "demo"), ("password", "secret"))),
    )
    outcome = _send_spec(window, loop, spec)
    assert outcome.kind == "response"
    assert outcome.value.status_code == 200


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_login_cookie_is_sent_back_with_every_strategy(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, strategy: str
) -> None:
    me = window.demo_server.url + "/session/me"
    assert send_url(qtbot, window, ui_loop, me, strategy).startswith("401")
    _login(window, ui_loop)
    window.tabs.setCurrentIndex(0)
    assert send_url(qtbot, window, ui_loop, me, strategy).startswith("200")
    body = window.current_tab().outcome.value.json()
    assert body["user"] == "demo"


def test_cookies_survive_a_restart_in_a_private_file(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    first = create_window(tmp_path)
    try:
        _login(first, ui_loop)
        wait_until(ui_loop, lambda: (tmp_path / COOKIE_FILE).exists())  # saved in the background
    finally:
        first.close()
        first.deleteLater()
    path = tmp_path / COOKIE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [c["name"] for c in json.loads(path.read_text())["cookies"]] == ["demo_session"]

    second = create_window(tmp_path, demo=True)  # a new demo server, a new port, same host
    try:
        assert [c.name for c in list_cookies(second.services.http_session.cookies)] == [
            "demo_session"
        ]
        # Cookies are per host, not per port (RFC 6265): the new server gets the saved one.
        outcome = _send_spec(second, ui_loop, RequestSpec(url=second.demo_server.url + "/cookies"))
        assert list(outcome.value.json()["cookies"]) == ["demo_session"]
    finally:
        second.close()
        second.deleteLater()


def test_an_unreadable_cookie_file_is_kept_aside_and_reported(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    (tmp_path / COOKIE_FILE).write_text("{broken")
    window = create_window(tmp_path)
    try:
        status = window.status_label.text()
        assert "could not be read and were set aside" in status
        (kept,) = tmp_path.glob(COOKIE_FILE + ".corrupt-*")
        assert kept.name in status
        assert kept.read_text() == "{broken"
        assert list_cookies(window.services.http_session.cookies) == []
    finally:
        window.close()
        window.deleteLater()


def test_view_menu_opens_the_dialog_and_removals_are_saved(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    save_cookies_at = tmp_path / COOKIE_FILE
    jar_file_cookie = StoredCookie("api.example.com", "/", "sid", "s3cr3t")
    from requests.cookies import RequestsCookieJar

    jar = RequestsCookieJar()
    jar.set_cookie(jar_file_cookie.to_cookie())
    save_cookies(jar, save_cookies_at)
    window = create_window(tmp_path)
    try:
        action = window.findChild(QAction, "action-cookies")
        assert action is not None
        assert action.shortcut().toString() == "Ctrl+Shift+K"
        action.trigger()
        dialog = window.findChild(CookiesDialog, "cookiesDialog")
        assert dialog is not None
        assert dialog.isVisible()
        assert [c.name for c in dialog.cookies()] == ["sid"]
        assert dialog.remove_all() == 1
        wait_until(ui_loop, lambda: json.loads(save_cookies_at.read_text())["cookies"] == [])
    finally:
        window.close()
        window.deleteLater()


def test_sends_that_set_no_cookie_write_nothing(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    path = window.data_dir / COOKIE_FILE
    finished: list[object] = []
    window.exchangeFinished.connect(lambda *_args: finished.append(None))
    for _ in range(3):
        _send_spec(window, ui_loop, RequestSpec(url=window.demo_server.url + "/get"))
    wait_until(ui_loop, lambda: len(finished) == 3)  # each exchange has (re)started the timer
    # What would prove a write: the delayed save runs, then its job on the history/cookie lane.
    save_timer = window.cookies._save_timer
    wait_until(ui_loop, lambda: not save_timer.isActive())

    async def drain_lane() -> None:  # the lane is FIFO: a save queued before is done after
        await window.services.lane.submit(lambda: None)

    ui_loop.run_until_complete(drain_lane())
    assert not path.exists()
    _login(window, ui_loop)
    wait_until(ui_loop, path.exists)
