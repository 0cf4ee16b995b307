"""DemoProcess: the demo API in its own process, for the app.

A server inside the GUI process competes with it for the GIL: 3,000 connections to the demo
server embedded in the app froze the GUI thread for 3.1 s. Run in a child process, the same
flood costs the GUI nothing but the child's CPU time.

The parent binds the listening socket itself and hands it to the child (``pass_fds``), so
:meth:`~DemoProcess.start` returns at once with a known :attr:`~DemoProcess.url` (connections
wait in the backlog until the child accepts them), and a taken port is found before any child
is started. The child stops when its standard input closes, so it never outlives the app, even
when the app is killed.

Same API as :class:`~guiapp.demo.DemoServer`.

Example::

    >>> import requests
    >>> with DemoProcess() as server:
    ...     requests.get(server.url + "/status/418", timeout=30).status_code
    418
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import TracebackType

__all__ = ["DemoProcess", "bind_listener"]

_log = logging.getLogger(__name__)


def bind_listener(host: str, port: int, *, fallback: bool = True) -> socket.socket:
    """A listening TCP socket on ``host:port``; if that port is taken and ``fallback``, on any
    free port instead (read it back with ``getsockname()``)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in (port, 0) if fallback and port else (port,):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name == "posix":  # reuse a port in TIME_WAIT, as http.server does
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, candidate))
            sock.listen(256)
            return sock
        except OSError as exc:
            sock.close()
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES) or candidate == 0:
                raise
            if not fallback:
                raise  # the caller tries its own next port
            _log.info("demo API: port %d is taken, using a free one", candidate)
    raise AssertionError("unreachable")  # pragma: no cover


class DemoProcess:
    """The demo HTTP API served by a child process on ``host:port``.

    ``port=0`` picks a free port; a taken ``port`` falls back to a free one unless
    ``fallback=False`` (then :meth:`start` raises OSError). :attr:`url` is known as soon as
    :meth:`start` returns.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, fallback: bool = True) -> None:
        self._host = host
        self._port = port
        self._fallback = fallback
        self._process: subprocess.Popen[bytes] | None = None
        self._bound_port = 0

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:8765``."""
        if self._process is None:
            raise RuntimeError("DemoProcess is not started")
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self._bound_port}"

    @property
    def port(self) -> int:
        if self._process is None:
            raise RuntimeError("DemoProcess is not started")
        return self._bound_port

    @property
    def pid(self) -> int | None:
        """The child's process id (None before start)."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> DemoProcess:
        """Bind (falling back to a free port if allowed), start the child; returns at once."""
        if self._process is not None:
            raise RuntimeError("DemoProcess is already started")
        sock = bind_listener(self._host, self._port, fallback=self._fallback)
        self._bound_port = int(sock.getsockname()[1])
        # The child imports this very copy of guiapp, wherever the parent found it.
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        command = [sys.executable, "-m", "guiapp.demo", "--host", self._host, "--stdin-lifeline"]
        try:
            if os.name == "posix":
                command += ["--fd", str(sock.fileno())]
                self._process = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    pass_fds=(sock.fileno(),),
                    env=env,
                )
            else:  # no socket inheritance by number: the child binds the port itself
                sock.close()
                command += ["--port", str(self._bound_port)]
                self._process = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env
                )
        finally:
            sock.close()  # the child holds its own copy
        return self

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop the child (it closes every connection) and wait up to ``timeout`` seconds;
        killed if it has not ended by then. True if it ended in time. Safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return True
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()  # the lifeline: the child stops when it closes
        try:
            process.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            # The demo keeps nothing: killing it (busy writing a large body, say) loses nothing.
            _log.info("demo API process %d did not stop in %.1f s: killed", process.pid, timeout)
            process.kill()
            try:
                process.wait(1.0)
            except subprocess.TimeoutExpired:
                _log.warning("demo API process %d is still running after a kill", process.pid)
            return False

    def __enter__(self) -> DemoProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._process is not None else "stopped"
        return f"DemoProcess({where})"
