"""One running app per data directory: the second launch hands over to the first and exits.

Two instances writing one data directory lose updates (each overwrites the other's cookies,
settings and history view). The first instance holds an OS file lock on ``instance.lock`` in
the data directory (:mod:`filelock`: ``flock``/``LockFileEx``, released by the OS even if the
process is killed) and listens on a local socket (:class:`QLocalServer`, only this user may
connect). A second launch on the same data directory cannot take the lock: it asks the running
instance to bring its window to the front and exits with code 0, having written nothing.

Example::

    instance = SingleInstance(data_dir)
    if not instance.acquire():
        print(instance.hand_over())           # the running window comes to the front
        raise SystemExit(0 if instance.handed_over else 1)
    instance.serve(window)                    # later launches raise this window
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import filelock
from PySide6.QtCore import QObject, Qt
from PySide6.QtNetwork import QLocalServer, QLocalSocket

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["LOCK_FILE", "SingleInstance"]

_log = logging.getLogger(__name__)
LOCK_FILE = "instance.lock"
_ACTIVATE = b"activate\n"
_ACK = b"ok\n"
_WAIT_MS = 3000


def server_name(data_dir: Path) -> str:
    """The local socket of the instance owning ``data_dir``: a path inside it when short
    enough (POSIX socket paths are limited to ~104 bytes), else a name derived from it."""
    resolved = data_dir.resolve()
    path = resolved / "instance.sock"
    if os.name == "posix" and len(os.fsencode(path)) < 100:
        return str(path)
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:24]
    return f"guiapp-{digest}"


class SingleInstance(QObject):
    """The lock and the hand-over channel of one data directory."""

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self._lock = filelock.FileLock(self.data_dir / LOCK_FILE, mode=0o600, thread_local=False)
        self._server: QLocalServer | None = None
        self._window: MainWindow | None = None
        #: After :meth:`hand_over`: True if the running instance answered.
        self.handed_over = False

    # -- first instance --------------------------------------------------------------------------
    def acquire(self) -> bool:
        """Take the data directory's lock; False if another instance holds it."""
        try:
            self._lock.acquire(timeout=0)
        except filelock.Timeout:
            return False
        return True

    def serve(self, window: MainWindow) -> bool:
        """Bring ``window`` to the front whenever a later launch asks; False if the channel
        could not be opened (the lock still keeps other instances out)."""
        self._window = window
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)  # a socket left by a killed instance: we own the lock
        if not server.listen(self.name):
            _log.warning("cannot listen for later launches: %s", server.errorString())
            return False
        server.newConnection.connect(self._on_server_new_connection)
        self._server = server
        return True

    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_ACTIVATE.strip()):
            self.bring_to_front()
            socket.write(_ACK)
            socket.flush()
        socket.disconnectFromServer()

    def bring_to_front(self) -> None:
        """Show the window (restored if minimised) above the others."""
        window = self._window
        if window is None:
            return
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()
        window.show_message("Already running: this window was brought to the front.", "ok")

    def release(self) -> None:
        """Stop listening and release the lock (the app is exiting)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.is_locked:
            self._lock.release()

    # -- later launches --------------------------------------------------------------------------
    def hand_over(self) -> str:
        """Ask the running instance to come to the front; return what to tell the user."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if socket.waitForConnected(_WAIT_MS):
            socket.write(_ACTIVATE)
            socket.flush()
            answered = socket.waitForReadyRead(_WAIT_MS)
            self.handed_over = answered and bytes(socket.readAll().data()) == _ACK
            socket.disconnectFromServer()
        if self.handed_over:
            return (
                f"guiapp is already running with the data directory {self.data_dir}; "
                "its window was brought to the front."
            )
        return (
            f"guiapp is already running with the data directory {self.data_dir} but did not "
            "answer; close it first, or start with another --data-dir."
        )
