"""SIGTERM and SIGINT (Ctrl+C in the terminal) close the window in order, without a traceback.

Python runs a signal handler only when the interpreter next executes bytecode, and while Qt
waits for events no Python code runs: a Ctrl+C used to wait for the next event, then raise
``KeyboardInterrupt`` somewhere inside a Qt callback (a traceback, and no exit). Here the
handlers do nothing themselves; :func:`signal.set_wakeup_fd` writes the signal number to a
socket pair that a :class:`QSocketNotifier` watches, so Qt wakes at once and the slot closes
the window through its normal path (session saved, requests cancelled, history closed)
without asking about unsaved drafts: they are kept in the session for the next start. A
second signal while closing ends the process at once (exit code 128 + signal), as terminals
expect of a repeated Ctrl+C.

Example::

    exits = ExitSignals(window)      # in main(), after the window is built
    ...
    exits.uninstall()                # after the loop ends: previous handlers back
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from types import FrameType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["ExitSignals"]

_log = logging.getLogger(__name__)


def _ignore(signum: int, frame: FrameType | None) -> None:
    """The Python-level handler: the work happens in the notifier's slot."""


class ExitSignals(QObject):
    """Close ``window`` on SIGTERM/SIGINT (and SIGHUP/SIGBREAK where they exist)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.received: list[int] = []
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous: dict[int, Any] = {}
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
            signum = getattr(signal, name, None)
            if signum is not None:
                self._previous[signum] = signal.signal(signum, _ignore)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def _on_notifier_activated(self, *_args: object) -> None:
        try:
            data = self._reader.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        for signum in data:
            self._on_signal(signum)

    def _on_signal(self, signum: int) -> None:
        self.received.append(signum)
        if len(self.received) > 1:
            _log.warning("second signal %d while closing: exiting now", signum)
            sys.stderr.flush()
            os._exit(128 + signum)
        name = signal.Signals(signum).name
        _log.info("%s received: closing the window", name)
        # No question about drafts: they are kept in the session for the next start.
        workspace = self.window.workspace
        if workspace is not None:
            workspace.ask_on_close = False
        # Close from the event loop, not from inside this notification.
        QTimer.singleShot(0, self.window.close)

    def uninstall(self) -> None:
        """Put the previous handlers and wake-up fd back and close the socket pair."""
        self._notifier.setEnabled(False)
        with contextlib.suppress(ValueError):  # not the main thread: nothing was installed
            signal.set_wakeup_fd(self._previous_fd)
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)
        self._reader.close()
        self._writer.close()
