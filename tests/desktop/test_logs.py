"""The log file, the crash file written by faulthandler, and the report of the previous crash."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from guiapp.desktop import LogFiles, default_log_dir, start_logging

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[LogFiles]:
    files = start_logging(tmp_path / "logs")
    try:
        yield files
    finally:
        files.close()


def test_records_of_the_app_go_to_the_log_file(logs: LogFiles) -> None:
    logging.getLogger("guiapp.test").info("a request went out")
    logging.getLogger("somelib").info("not ours, below warning")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = logs.log_file.read_text(encoding="utf-8")
    assert "INFO guiapp.test" in text
    assert "a request went out" in text
    assert "somelib" not in text
    assert logs.previous_crash is None
    if os.name == "posix":
        assert logs.directory.stat().st_mode & 0o777 == 0o700


def test_close_detaches_the_handlers(tmp_path: Path) -> None:
    before = list(logging.getLogger().handlers)
    files = start_logging(tmp_path / "logs")
    assert len(logging.getLogger().handlers) > len(before)
    files.close()
    assert logging.getLogger().handlers == before


def test_without_stderr_nothing_is_written_to_a_console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # pythonw on Windows
    files = start_logging(tmp_path / "logs")
    try:
        assert [type(h).__name__ for h in files._handlers] == ["RotatingFileHandler"]
        logging.getLogger("guiapp.test").warning("still logged")
    finally:
        files.close()
    assert "still logged" in files.log_file.read_text(encoding="utf-8")


def test_an_explicit_data_dir_keeps_its_logs_beside_the_data(tmp_path: Path) -> None:
    assert default_log_dir(tmp_path) == tmp_path / "logs"
    assert default_log_dir().name in ("log", "Logs", "guiapp")


_CRASH = """
import sys, faulthandler
from pathlib import Path
from guiapp.desktop import start_logging
start_logging(Path(sys.argv[1]))
faulthandler._sigsegv()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="a segfault is reported differently there")
def test_a_native_crash_is_written_and_reported_at_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", _CRASH, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode != 0
    report = (folder / "crash.log").read_text(encoding="utf-8")
    assert "Segmentation fault" in report
    assert "<string>" in report  # the Python stack of the crashing thread

    files = start_logging(folder)
    try:
        assert files.previous_crash is not None
        assert files.previous_crash.name.startswith("crash-")
        assert "Segmentation fault" in files.previous_crash.read_text(encoding="utf-8")
        assert (folder / "crash.log").read_text(encoding="utf-8") == ""  # armed again
    finally:
        files.close()
    again = start_logging(folder)  # an empty crash file is no crash
    again.close()
    assert again.previous_crash is None
