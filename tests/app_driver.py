"""Run the real ``guiapp`` entry point in a subprocess, driven the way a user would.

``python -m tests.app_driver QUIT_AFTER_MS [--send-slow] [guiapp options...]`` runs
:func:`guiapp.app.main` (the whole start-up and exit path, ``os._exit`` included) with timers
set up beforehand on the application it will use: with ``--send-slow``, send the demo API's
``/delay/30`` from the main window as soon as the loop runs. ``QUIT_AFTER_MS`` after the loop
started, once the start-up is done (the workspace restored) and, with ``--send-slow``, the
request is in flight, print :data:`QUIT_MARKER` (with the time and the requests in flight) and
close the window, as clicking its close button does. The app itself has no test hook.

The driver acts on the state it needs, not at a fixed time from its own start: on a loaded
machine the start-up alone can take longer than ``QUIT_AFTER_MS``, and a close timer started
before it would fire in the same loop turn as the send. If that state is not reached within
:data:`GIVE_UP_S`, the window is closed anyway (with ``in_flight=0`` in the marker if the
request was not in flight).
"""

from __future__ import annotations

import sys
import time

#: Printed on stdout just before the window is closed (the exit tests time from it).
QUIT_MARKER = "app_driver: closing window"
#: Close anyway this long after the loop started if the app has not started up or the request
#: is not in flight (the exit tests then fail saying so).
GIVE_UP_S = 60.0
POLL_MS = 20


def _main(argv: list[str]) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from guiapp.app import main
    from guiapp.ui.main_window import MainWindow

    quit_after_ms = int(argv[0])
    send_slow = "--send-slow" in argv
    app_args = [arg for arg in argv[1:] if arg != "--send-slow"]
    app = QApplication(sys.argv[:1])  # main() uses the existing application

    def window() -> MainWindow:
        return next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

    def send() -> None:
        win = window()
        if win.demo_server is not None:
            win.bar.url_edit.setText(win.demo_server.url + "/delay/30")
        win.send_current()

    loop_started: list[float] = []
    poll = QTimer(app, interval=POLL_MS)

    def close_when_due() -> None:
        # First called when the loop runs (the window exists then): the countdown starts here.
        now = time.monotonic()
        if not loop_started:
            loop_started.append(now)
        elapsed = now - loop_started[0]
        win = window()
        in_flight = sum(tab.in_flight for tab in win.request_tabs())
        # Start-up done (the last session's collections reopened), the slow request sent.
        started_up = win.workspace is None or win.workspace.ready
        waiting = not started_up or (send_slow and in_flight == 0)
        if elapsed * 1000 < quit_after_ms or (waiting and elapsed < GIVE_UP_S):
            return
        poll.stop()
        print(f"{QUIT_MARKER} t={now:.3f} in_flight={in_flight}", flush=True)
        win.close()

    if send_slow:
        QTimer.singleShot(0, send)
    poll.timeout.connect(close_when_due)
    poll.start()  # its first timeout comes in the loop's first turn
    return main(app_args)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
