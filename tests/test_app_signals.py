"""The real app in subprocesses: SIGTERM and Ctrl+C close the window in order (session saved,
no traceback), and a second instance on the same data directory hands over and exits 0."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guiapp.ui.single_instance import server_name

REPO = Path(__file__).resolve().parents[1]
_PLUGIN_NOISE = "This plugin does not support propagateSizeHints()"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))


def _start(data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "guiapp", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=REPO,
    )


def _wait_ready(proc: subprocess.Popen[str], data: Path, timeout: float = 60.0) -> None:
    """Until the app listens for later launches (its window is built, its loop about to run)."""
    name = server_name(data)
    deadline = time.monotonic() + timeout
    while not (name.startswith("/") and Path(name).exists()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the app did not start in time"
        time.sleep(0.05)


#: What an app started with ``--demo`` on an empty data directory has written once it is up.
STARTUP_FILES = ("settings.ini", "history.sqlite3", "demo-api", "workspace.json")


def _wait_for_files(data: Path, names: tuple[str, ...], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while missing := [name for name in names if not (data / name).exists()]:
        assert time.monotonic() < deadline, f"the app did not write {missing} in {timeout} s"
        time.sleep(0.05)


def _names(data: Path) -> list[str]:
    """The files in ``data``, but for the hidden temporary file of an atomic write in progress
    (``.workspace.json.<random>.tmp``: the first instance saves its state more than once)."""
    return sorted(p.name for p in data.iterdir() if not re.fullmatch(r"\..+\.\w+\.tmp", p.name))


def _finish(proc: subprocess.Popen[str], timeout: float = 30.0) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    noise_free = "\n".join(line for line in err.splitlines() if line.strip() != _PLUGIN_NOISE)
    return proc.returncode, out, noise_free


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_closes_the_window_in_order_and_saves_the_session(
    tmp_path: Path, signum: int
) -> None:
    data = tmp_path / "data"
    proc = _start(data, "--demo")
    try:
        _wait_ready(proc, data)
        time.sleep(0.5)  # let the loop start; the signal is handled whenever it comes
        settings_file = data / "settings.ini"  # may hold the demo's remembered port already
        before = settings_file.read_text() if settings_file.exists() else ""
        assert "requests=" not in before  # the open tabs are not saved before the close
        proc.send_signal(signum)
        rc, _out, err = _finish(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert rc == 0, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    settings = (data / "settings.ini").read_text()
    assert "/get" in settings or "requests=" in settings  # the open tabs were saved


@pytest.mark.timeout(300)  # three start-ups of the real app: a minute each on a loaded machine
def test_a_second_instance_hands_over_and_exits_without_writing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _start(data, "--demo")
    try:
        _wait_ready(first, data)
        # The first one's start-up writes, the last of them the workspace state (saved a
        # second after the demo collection opened): snapshot the directory only after them.
        _wait_for_files(data, STARTUP_FILES)
        before = _names(data)
        second = _start(data)
        rc, out, err = _finish(second, timeout=60)
        assert rc == 0, err
        assert "already running" in out
        assert "brought to the front" in out
        assert "Traceback" not in err
        assert first.poll() is None  # the first one runs on
        assert _names(data) == before  # the second wrote nothing
        first.send_signal(signal.SIGTERM)
        rc, _out, err = _finish(first)
        assert rc == 0, err
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    # Once the first has exited, the data dir is free again: a launch there would own it.
    third = _start(data)
    try:
        _wait_ready(third, data)
        third.send_signal(signal.SIGTERM)
        rc, _out, err = _finish(third, timeout=60)
        assert rc == 0, err
    finally:
        if third.poll() is None:
            third.kill()
            third.communicate()


def test_sigterm_with_a_draft_closes_without_asking_and_keeps_the_draft(tmp_path: Path) -> None:
    import json

    from guiapp.core.collections import Collection
    from guiapp.core.request import RequestSpec
    from guiapp.core.serialize import spec_to_dict

    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    col = Collection.create(tmp_path / "api", name="Signals")
    rid = col.new_request("", "Ping", RequestSpec(url="http://127.0.0.1:9/saved"))
    draft = spec_to_dict(RequestSpec(url="http://127.0.0.1:9/draft"))
    state = {
        "collection": str(col.root),
        "collections": [str(col.root)],
        "tabs": [{"index": 0, "collection": str(col.root), "request": rid, "draft": draft}],
        "tab_count": 1,
    }
    state_file = data / "workspace.json"
    state_file.write_text(json.dumps(state))
    written = state_file.stat().st_mtime_ns
    proc = _start(data)
    try:
        _wait_ready(proc, data)
        deadline = time.monotonic() + 30
        while state_file.stat().st_mtime_ns == written:  # the collection was opened again
            assert time.monotonic() < deadline, "the workspace was not restored in time"
            time.sleep(0.05)
        time.sleep(1.0)  # the draft is bound right after (one read on the lane)
        proc.send_signal(signal.SIGTERM)
        rc, _out, err = _finish(proc)  # a modal question would keep it running: a timeout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert rc == 0, err
    assert "Traceback" not in err
    kept = json.loads(state_file.read_text())["tabs"]
    assert [t["draft"]["url"] for t in kept if "draft" in t] == ["http://127.0.0.1:9/draft"]
    assert Collection.open(col.root).load_request(rid).url == "http://127.0.0.1:9/saved"
