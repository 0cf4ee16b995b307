"""The demo that always works: a fixed, remembered port; restarted on launch whenever a
restored tab points at it; ``--demo`` adds its examples and never discards the user's tabs;
the server runs in its own process and never outlives the app."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from guiapp.app import create_window
from guiapp.core.request import RequestSpec
from guiapp.ui.demo_launcher import DEFAULT_PORT
from guiapp.ui.main_window import MainWindow
from tests.app_driver import QUIT_MARKER
from tests.loops import qasync_loop


@pytest.fixture
def ui_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    with qasync_loop(qapp) as loop:
        yield loop


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _remember_port(data_dir: Path, port: int) -> None:
    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("demo/port", port)
    settings.sync()


def _answers(url: str, timeout: float = 20.0) -> bool:
    """True once ``url`` answers 200 (the child may still be starting), within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return requests.get(url, timeout=timeout).status_code == 200
        except requests.ConnectionError:
            time.sleep(0.1)
    return False


def _refused(port: int, timeout: float = 10.0) -> bool:
    """True once nothing listens on ``port`` any more, within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def _urls(window: MainWindow) -> list[str]:
    return [tab.editor.url_text for tab in window.request_tabs()]


def _close(window: MainWindow) -> None:
    window.close()
    window.deleteLater()


def test_default_port_is_8765() -> None:
    assert DEFAULT_PORT == 8765


def test_relaunch_restarts_the_demo_on_the_same_port(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    port = _free_port()
    _remember_port(tmp_path, port)
    first = create_window(tmp_path, demo=True)
    try:
        assert first.demo_server.url == f"http://127.0.0.1:{port}"
        assert len(first.request_tabs()) == 3  # the blank start tab became the examples
        assert all(u.startswith(first.demo_server.url) for u in _urls(first))
    finally:
        _close(first)
    assert _refused(port)  # stopped with the window

    second = create_window(tmp_path)  # a plain launch: no --demo, not a first run
    try:
        assert second.demo_server is not None
        assert second.demo_server.url == f"http://127.0.0.1:{port}"
        assert _answers(second.demo_server.url + "/get")
        assert len(second.request_tabs()) == 3
    finally:
        _close(second)


def test_no_demo_when_no_tab_points_at_it(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    _remember_port(tmp_path, _free_port())
    first = create_window(tmp_path, demo=True)
    first.replace_tabs([RequestSpec(url="http://127.0.0.1:1/elsewhere")])
    _close(first)
    second = create_window(tmp_path)
    try:
        assert second.demo_server is None
    finally:
        _close(second)


def test_demo_flag_adds_examples_and_keeps_every_user_tab(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    _remember_port(tmp_path, _free_port())
    mine = [RequestSpec(url=f"http://127.0.0.1:1/mine/{i}") for i in range(28)]
    first = create_window(tmp_path)
    first.replace_tabs(mine)
    _close(first)

    second = create_window(tmp_path, demo=True)
    try:
        urls = _urls(second)
        assert urls[:28] == [spec.url for spec in mine]
        assert len(urls) == 31
        assert all(u.startswith(second.demo_server.url) for u in urls[28:])
        assert second.tabs.currentIndex() == 28  # the first example is shown
    finally:
        _close(second)

    third = create_window(tmp_path, demo=True)  # --demo again: no duplicate examples
    try:
        assert len(third.request_tabs()) == 31
    finally:
        _close(third)


def test_a_taken_port_falls_back_and_is_remembered(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        taken = int(blocker.getsockname()[1])
        _remember_port(tmp_path, taken)
        window = create_window(tmp_path, demo=True)
        try:
            port = window.demo_server.port
            assert port != taken
            assert _answers(window.demo_server.url + "/get")
            assert f"port {taken} is in use" in window.statusBar().currentMessage()
        finally:
            _close(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert int(str(settings.value("demo/port"))) == port
    assert settings.value("demo/url") == f"http://127.0.0.1:{port}"


# -- the real app, in subprocesses -----------------------------------------------------------
def _app(data_dir: Path, quit_after_ms: int, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    driver = [sys.executable, "-m", "tests.app_driver", str(quit_after_ms)]
    return subprocess.Popen(
        [*driver, "--data-dir", str(data_dir), *args],
        cwd=Path(__file__).resolve().parents[2],  # where the tests package is importable
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _wait_for_marker(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    with proc.stdout:
        seen = [line for line in proc.stdout]  # EOF at exit: bounded by the driver's timer
    assert proc.wait(timeout=60) == 0
    assert any(line.startswith(QUIT_MARKER) for line in seen)


@pytest.mark.timeout(120)
def test_relaunched_app_serves_the_demo_tabs_and_its_server_ends_with_it(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    data.mkdir()
    _remember_port(data, port)
    _wait_for_marker(_app(data, 1500, "--demo"))
    assert _refused(port)

    second = _app(data, 8000)  # a plain second launch
    try:
        assert _answers(f"http://127.0.0.1:{port}/get")
    finally:
        _wait_for_marker(second)
    assert _refused(port)


@pytest.mark.timeout(120)
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_demo_process_dies_with_a_killed_app(tmp_path: Path) -> None:
    port = _free_port()
    data = tmp_path / "data"
    data.mkdir()
    _remember_port(data, port)
    proc = _app(data, 60_000, "--demo")  # killed long before the driver would close it
    try:
        assert _answers(f"http://127.0.0.1:{port}/get")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert _refused(port)
