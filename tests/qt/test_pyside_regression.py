"""Regression guard for PySide6 6.12.0 on CPython 3.11 (interpreter abort after a few thousand
Qt->Python callbacks: "none_dealloc"/"bool_dealloc"). The dependency markers in pyproject.toml
keep 6.11.3 on CPython 3.11."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib import metadata

import PySide6
import pytest

CALLBACKS = 24_000

SCRIPT = textwrap.dedent(
    f"""
    import asyncio, sys
    import qasync
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    TARGET = {CALLBACKS}
    counts = {{"single_shot": 0, "timer_event": 0, "signal": 0}}

    class Ticker(QObject):
        ticked = Signal(bool)  # passes a bool: True/False refcounts are what 6.12.0 broke

        def __init__(self):
            super().__init__()
            self.timer_id = self.startTimer(0)

        def timerEvent(self, event):
            counts["timer_event"] += 1
            self.ticked.emit(counts["timer_event"] % 2 == 0)
            if counts["timer_event"] >= TARGET // 3:
                self.killTimer(self.timer_id)

    def on_ticked(flag):
        counts["signal"] += 1
        return None

    def single_shot():
        counts["single_shot"] += 1
        if counts["single_shot"] < TARGET // 3:
            QTimer.singleShot(0, single_shot)

    async def main():
        ticker = Ticker()
        ticker.ticked.connect(on_ticked)
        QTimer.singleShot(0, single_shot)
        while sum(counts.values()) < TARGET:
            await asyncio.sleep(0)   # qasync's own Qt timer callbacks, too
        return ticker

    app = QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main())
    print("CALLBACKS", sum(counts.values()), flush=True)
    """
)


def test_twenty_thousand_qt_callbacks_through_qasync_survive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=110,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    reported = int(proc.stdout.split("CALLBACKS")[1].split()[0])
    assert reported >= CALLBACKS


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None/True are immortal on 3.12+")
def test_pyside6_is_not_the_crashing_release_on_python_3_11() -> None:
    # The dependency marker in pyproject.toml pins 6.11.3 below Python 3.12.
    assert PySide6.__version__ != "6.12.0"
    installed = {dist.metadata["Name"].lower(): dist.version for dist in metadata.distributions()}
    for name in ("pyside6-essentials", "pyside6"):
        if name in installed:
            assert installed[name] != "6.12.0", f"{name} {installed[name]} crashes CPython 3.11"
