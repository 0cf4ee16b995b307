"""The demo API's port is chosen at each launch: a port taken once is not taken for good."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from guiapp.app import create_window
from guiapp.ui.demo_launcher import DEFAULT_PORT, candidate_ports
from guiapp.ui.main_window import MainWindow
from tests.demo.test_launch import _free_port, _refused, _remember_port
from tests.loops import qasync_loop


@pytest.fixture
def ui_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    with qasync_loop(qapp) as loop:
        yield loop


def _close(window: MainWindow) -> None:
    window.close()
    window.deleteLater()


def _settings(data_dir: Path) -> QSettings:
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


def test_the_tabs_port_comes_first_then_home_then_the_remembered_one() -> None:
    at = [f"http://127.0.0.1:{DEFAULT_PORT}/get", "http://127.0.0.1:50123/delay/3?x=1"]
    assert candidate_ports(DEFAULT_PORT, 50123, []) == [DEFAULT_PORT, 50123]
    assert candidate_ports(DEFAULT_PORT, 50123, at) == [DEFAULT_PORT, 50123]  # a tie: home
    assert candidate_ports(DEFAULT_PORT, 50123, [*at, at[1]]) == [50123, DEFAULT_PORT]
    # Other addresses do not count, the default port always does.
    assert candidate_ports(4000, None, ["http://127.0.0.1:9/x", at[0]]) == [DEFAULT_PORT, 4000]


def test_a_port_busy_at_one_launch_is_used_again_once_free(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    home = _free_port()
    _remember_port(tmp_path, home)
    first = create_window(tmp_path, demo=True)  # the examples point at the home port
    try:
        assert first.demo_server.port == home
    finally:
        _close(first)
    assert _refused(home)

    with socket.socket() as blocker:  # briefly taken by another program
        blocker.bind(("127.0.0.1", home))
        blocker.listen(1)
        second = create_window(tmp_path)
        try:
            fallback = second.demo_server.port
            assert fallback != home
            assert f"port {home} is in use" in second.statusBar().currentMessage()
        finally:
            _close(second)
    assert _refused(fallback)
    assert int(str(_settings(tmp_path).value("demo/port"))) == fallback

    third = create_window(tmp_path)  # free again: the tabs' port, not the fallback
    try:
        assert third.demo_server.port == home
        url = next(t.editor.url_text for t in third.request_tabs())
        assert url.startswith(f"http://127.0.0.1:{home}/")
        assert requests.get(f"http://127.0.0.1:{home}/get", timeout=20).status_code == 200
    finally:
        _close(third)
    settings = _settings(tmp_path)
    assert int(str(settings.value("demo/port"))) == home
    assert settings.value("demo/url") == f"http://127.0.0.1:{home}"
