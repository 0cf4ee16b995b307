"""Unreadable state files are set aside with a timestamp and reported, never overwritten; the
data directory is private."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from guiapp.app import create_window
from guiapp.core.private_files import set_aside
from guiapp.ui.state_files import set_aside_unreadable
from tests.ui.conftest import wait_until

pytestmark = pytest.mark.hostile("storage")

BROKEN = {
    "settings.ini": b"[window\ngeometry=broken\n[sec",
    "workspace.json": b'{"collection": ',
    "cookies.json": b"{broken",
    "history.sqlite3": b"this is not a database" * 100,
}


def test_every_unreadable_state_file_is_set_aside_and_reported(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    for name, content in BROKEN.items():
        (tmp_path / name).write_bytes(content)
    window = create_window(tmp_path)
    try:
        status = window.status_label.text()
        assert "could not be read and were set aside; nothing was overwritten" in status
        for name, content in BROKEN.items():
            (kept,) = tmp_path.glob(f"{name}.corrupt-*")
            assert kept.read_bytes() == content, name  # exactly what the user had
            assert kept.name in status
            assert kept.name[len(name) + len(".corrupt-") :].replace("-", "").isdigit()
    finally:
        window.close()
        window.deleteLater()
    # The app started afresh beside them and saved its own files.
    assert (tmp_path / "settings.ini").exists()


def test_a_second_unreadable_file_never_overwrites_the_first(tmp_path: Path) -> None:
    now = time.time()
    (tmp_path / "cookies.json").write_text("first")
    first = set_aside(tmp_path / "cookies.json", now=now)
    (tmp_path / "cookies.json").write_text("second")
    second = set_aside(tmp_path / "cookies.json", now=now)  # the same second
    assert first != second
    assert first.read_text() == "first"
    assert second.read_text() == "second"
    assert second.name == first.name + "-2"


def test_readable_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "settings.ini").write_text('[session]\nrequests="[]"\n')
    (tmp_path / "workspace.json").write_text('{"collection": null}')
    (tmp_path / "cookies.json").write_text('{"version": 1, "cookies": []}')
    assert set_aside_unreadable(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cookies.json",
        "settings.ini",
        "workspace.json",
    ]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_data_dir_is_0700_and_every_file_in_it_0600(
    qtbot: Any, tmp_path: Path, ui_loop: asyncio.AbstractEventLoop
) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "settings.ini").write_text("[window]\ntheme=dark\n")
    os.chmod(data / "settings.ini", 0o644)  # as earlier versions left it
    window = create_window(data, demo=True)
    window.bar.url_edit.setText(window.demo_server.url + "/get")
    window.send_current()
    wait_until(ui_loop, lambda: window.current_tab().outcome.kind in ("response", "error"))
    wait_until(ui_loop, lambda: (data / "history.sqlite3").stat().st_size > 0)
    store = window.history.store
    window.close()
    window.deleteLater()
    # The history connection was closed on the way out and its WAL merged into the database
    # (an open connection is a ResourceWarning on Python 3.13, an error under this suite).
    assert store._conn is None
    assert not (data / "history.sqlite3-wal").exists()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    names = {p.name for p in data.iterdir() if p.is_file()}
    assert {"settings.ini", "history.sqlite3"} <= names
    for p in data.iterdir():
        if p.is_file():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_a_good_history_database_in_use_is_never_set_aside(tmp_path: Path) -> None:
    import sqlite3

    from guiapp.core.history import HistoryStore, ResponseSummary
    from guiapp.core.request import RequestSpec

    store = HistoryStore(tmp_path / "history.sqlite3")
    store.add(RequestSpec(url="http://h/"), ResponseSummary(200))
    blocker = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another connection holds it: busy, not corrupt
    try:
        assert [k.original.name for k in set_aside_unreadable(tmp_path)] == []
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        store.close()
    assert (tmp_path / "history.sqlite3").exists()
