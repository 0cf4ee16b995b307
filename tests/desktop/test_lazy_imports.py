"""The Lab's libraries (pyqtgraph with numpy, psutil, httpx) are not part of the app's start-up:
they load when the Lab opens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_LAB_ONLY = ("pyqtgraph", "numpy", "psutil", "httpx")

_PROBE = """
import os, sys, tempfile
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from guiapp.app import create_window
data = Path(tempfile.mkdtemp())
(data / "settings.ini").write_text("")  # not a first run: no demo server
window = create_window(data, workspace=True)
window.show()
app.processEvents()
print("start:", sorted(name for name in LAB_ONLY if name in sys.modules))
window.lab_action.trigger()
app.processEvents()
print("lab:", sorted(name for name in LAB_ONLY if name in sys.modules))
window.close()
sys.stdout.flush()
os._exit(0)  # as the app ends (guiapp.app.main): interpreter teardown is not under test here
"""


def test_the_lab_libraries_load_when_the_lab_opens_not_at_start() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", f"LAB_ONLY = {_LAB_ONLY!r}\n{_PROBE}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(("start:", "lab:"))]
    assert lines[0] == "start: []"
    assert "pyqtgraph" in lines[1]
    assert "numpy" in lines[1]
    assert "psutil" in lines[1]
