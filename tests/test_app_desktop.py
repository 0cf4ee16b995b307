"""The real app in subprocesses: ``--version`` without Qt, a start without stdout/stderr (how
``guiapp-gui`` runs on Windows), the window icon and desktop file name, the log file, and an
unexpected exception reported in a dialog rather than as a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from guiapp import __version__
from guiapp.desktop import ICON_SIZES

REPO = Path(__file__).resolve().parents[1]

# Drives guiapp.cli.main in a child: the QApplication is made first (main reuses it) so timers
# can act on the running app. argv[1]: data dir, argv[2]: result file, argv[3]: "quiet" to run
# without stdout/stderr, "raise" to raise from a Qt callback.
_DRIVER = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog

data, result, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
app = QApplication(sys.argv[:1])
notes = []

def main_window():
    return next((w for w in app.topLevelWidgets() if w.objectName() == "mainWindow"), None)

def planted(attempt=0):
    window = main_window()
    if (window is None or not window.isVisible()) and attempt < 100:  # the hooks come with it
        QTimer.singleShot(100, lambda: planted(attempt + 1))
        return
    raise RuntimeError("planted failure")

def inspect(attempt=0):
    window = main_window()
    if (window is None or not window.isVisible()) and attempt < 100:  # a slow start (busy machine)
        QTimer.singleShot(250, lambda: inspect(attempt + 1))
        return
    sizes = sorted({s.width() for s in app.windowIcon().availableSizes()})
    notes.append("sizes=" + ",".join(map(str, sizes)))
    notes.append("desktop=" + QGuiApplication.desktopFileName())
    notes.append("window_icon=" + str(not window.windowIcon().isNull()))
    dialogs = [d for d in window.findChildren(QDialog) if d.objectName() == "errorReportDialog"]
    notes.append("dialog=" + str(bool(dialogs) and dialogs[0].isVisible()))
    result.write_text("\\n".join(notes))
    window.close()

if mode == "raise":
    QTimer.singleShot(300, planted)
QTimer.singleShot(1500, inspect)
if mode == "quiet":
    sys.stdout = sys.stderr = None
from guiapp.cli import main
raise SystemExit(main(["--data-dir", data]))
"""


def _env() -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))


def _drive(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    result_file = tmp_path / "result.txt"
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.ini").write_text("")  # not a first run: no demo server
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(data), str(result_file), mode],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    notes = dict(line.split("=", 1) for line in result_file.read_text().splitlines())
    return proc, notes


def test_version_is_answered_without_loading_qt() -> None:
    probe = (
        "import sys; from guiapp.cli import main; main(['--version']); "
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"guiapp {__version__}", "[]"]


def test_without_stdout_and_stderr_the_app_runs_and_exits_cleanly(tmp_path: Path) -> None:
    proc, notes = _drive(tmp_path, "quiet")
    assert proc.returncode == 0, proc.stderr
    assert notes["sizes"] == ",".join(map(str, ICON_SIZES))  # a multi-size window icon
    assert notes["desktop"] == "guiapp"
    assert notes["window_icon"] == "True"
    log = (tmp_path / "data" / "logs" / "guiapp.log").read_text(encoding="utf-8")
    assert f"guiapp {__version__} started" in log
    assert "guiapp closed" in log


def test_an_unexpected_exception_opens_the_report_dialog_not_a_traceback(tmp_path: Path) -> None:
    proc, notes = _drive(tmp_path, "raise")
    assert proc.returncode == 0, proc.stderr
    assert notes["dialog"] == "True"
    assert "Traceback" not in proc.stderr
    planted = [line for line in proc.stderr.splitlines() if "planted" in line]
    assert planted == [
        "guiapp: error: unhandled error (RuntimeError: planted failure; details in the log file)"
    ]
    log = (tmp_path / "data" / "logs" / "guiapp.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log
    assert "RuntimeError: planted failure" in log
