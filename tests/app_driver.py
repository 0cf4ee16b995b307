"""Run the real ``guiapp`` entry point in a subprocess, driven the way a user would.

``python -m tests.app_driver QUIT_AFTER_MS [--send-slow] [guiapp options...]`` runs
:func:`guiapp.app.main` (the whole start-up and exit path, ``os._exit`` included) with two
timers set up beforehand on the application it will use: with ``--send-slow``, send the demo
API's ``/delay/30`` from the main window as soon as the loop runs; ``QUIT_AFTER_MS`` after it
is in flight (after the start without ``--send-slow``), print :data:`QUIT_MARKER` (with the
time and the requests in flight) and close the window, as clicking its close button does.
The app itself has no test hook.
"""

from __future__ import annotations

import sys
import time

#: Printed on stdout just before the window is closed (the exit tests time from it).
QUIT_MARKER = "app_driver: closing window"
#: With --send-slow, the window closes this long after QUIT_AFTER_MS at the latest, even if
#: the request never got in flight (the marker then says in_flight=0 and the test fails).
_SEND_BOUND_MS = 30_000


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

    closed = False

    def send() -> None:
        win = window()
        if win.demo_server is not None:
            win.bar.url_edit.setText(win.demo_server.url + "/delay/30")
        tab = win.current_tab()
        # QUIT_AFTER_MS counts from the moment the request is in flight: on a loaded machine
        # the start-up may take longer than that, and the request must be under way at close.
        tab.inFlightChanged.connect(
            lambda flying: flying and QTimer.singleShot(quit_after_ms, close)
        )
        win.send_current()

    def close() -> None:
        nonlocal closed
        if closed:
            return
        closed = True
        win = window()
        in_flight = sum(tab.in_flight for tab in win.request_tabs())
        print(f"{QUIT_MARKER} t={time.monotonic():.3f} in_flight={in_flight}", flush=True)
        win.close()

    if send_slow:
        QTimer.singleShot(0, send)
        QTimer.singleShot(quit_after_ms + _SEND_BOUND_MS, close)  # if it never got in flight
    else:
        QTimer.singleShot(quit_after_ms, close)
    return main(app_args)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
