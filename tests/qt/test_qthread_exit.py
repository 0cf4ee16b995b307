"""Exit paths with QThread jobs in flight, each in a fresh interpreter.

A running QThread whose wrapper is destroyed aborts the process (SIGABRT, "QThread: Destroyed
while thread is still running"); PySide6 also destroys every Python-owned QObject at exit.
Every way out must end with the expected exit code, quickly, and without that message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

PRELUDE = """
import gc, sys, time, threading
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from guiapp.core.jobs import checkpoint, current_job
from guiapp.offload.qt import run_in_qthread, shutdown_qthreads, active_qthreads

def stuck():                      # blocking code that ignores cancellation
    time.sleep(60)

def cooperative():
    control = current_job()
    while not control.wait_cancelled(0.01):
        pass
    checkpoint()

def quit_soon(app, delay_ms=100):
    def go():
        print("QUIT_AT", time.time(), flush=True)
        app.quit()
    QTimer.singleShot(delay_ms, go)
"""

SCRIPTS = {
    "stuck_job_shutdown_on_about_to_quit": """
        app = QApplication([])
        app.aboutToQuit.connect(lambda: print("ABANDONED", shutdown_qthreads(0.3), flush=True))
        job = run_in_qthread(stuck)
        quit_soon(app)
        sys.exit(app.exec())
    """,
    "stuck_job_no_shutdown_call": """
        app = QApplication([])
        job = run_in_qthread(stuck)
        quit_soon(app)
        sys.exit(app.exec())
    """,
    "stuck_job_handle_dropped": """
        app = QApplication([])
        run_in_qthread(stuck)
        gc.collect()
        quit_soon(app)
        app.exec()
        gc.collect()
    """,
    "app_deleted_before_exit": """
        app = QApplication([])
        job = run_in_qthread(stuck)
        quit_soon(app)
        app.exec()
        shutdown_qthreads(0.2)
        del app, job
        gc.collect()
    """,
    "cooperative_jobs_joined": """
        app = QApplication([])
        app.aboutToQuit.connect(lambda: print("ABANDONED", shutdown_qthreads(5.0), flush=True))
        jobs = [run_in_qthread(cooperative) for _ in range(5)]
        quit_soon(app)
        app.exec()
        assert not active_qthreads(), active_qthreads()
    """,
    "qasync_loop_awaiting_stuck_job": """
        import asyncio, qasync
        app = QApplication([])
        app.aboutToQuit.connect(lambda: shutdown_qthreads(0.3))
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        async def main():
            try:
                await asyncio.wait_for(run_in_qthread(stuck), 0.1)
            except TimeoutError:
                pass
            pending = run_in_qthread(stuck)  # still in flight when the loop stops
            print("QUIT_AT", time.time(), flush=True)
        with loop:
            loop.run_until_complete(main())
    """,
}


def _run(body: str, *, expected_rc: int = 0) -> subprocess.CompletedProcess[str]:
    source = PRELUDE + textwrap.dedent(body)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-c", source],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out, err = proc.communicate(timeout=60)
    ended = time.time()
    assert "Destroyed while thread" not in err, err
    assert proc.returncode == expected_rc, f"rc={proc.returncode}\n{out}\n{err}"
    quit_lines = [line for line in out.splitlines() if line.startswith("QUIT_AT")]
    if quit_lines:
        quit_at = float(quit_lines[0].split()[1])
        # A sanity bound; a stuck 60 s call must not hold the exit.
        assert ended - quit_at < 10.0, f"exit took {ended - quit_at:.2f} s after quit"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_exit_path_never_aborts(name: str) -> None:
    result = _run(SCRIPTS[name])
    if name == "stuck_job_shutdown_on_about_to_quit":
        assert "ABANDONED ['guiapp-qthread-1']" in result.stdout
    if name == "cooperative_jobs_joined":
        assert "ABANDONED []" in result.stdout


def test_exit_code_of_sys_exit_is_kept_with_a_stuck_job() -> None:
    _run(
        """
        app = QApplication([])
        job = run_in_qthread(stuck)
        quit_soon(app)
        app.exec()
        sys.exit(3)
        """,
        expected_rc=3,
    )


def test_uncaught_exception_exit_with_a_stuck_job() -> None:
    result = _run(
        """
        app = QApplication([])
        job = run_in_qthread(stuck)
        quit_soon(app)
        app.exec()
        raise RuntimeError("main crashed")
        """,
        expected_rc=1,
    )
    assert "main crashed" in result.stderr
