"""The demo API in a child process, for the Lab's HTTP workloads (Qt-free).

A child process, not a thread of the GUI process: its handler threads neither count in the
GUI process's threads nor compete with the GUI thread for the GIL (a real API is remote too).
It ends with its parent, even one that crashes.

Example::

    with LabServer() as server:
        http_get(server.url + "/delay/0.1")
"""

from __future__ import annotations

import subprocess
import sys

__all__ = ["LabServer", "serve_demo_until_eof"]

_SERVE = "from guiapp.lab.server import serve_demo_until_eof; serve_demo_until_eof()"


def _close_pipes(process: subprocess.Popen[str]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


def serve_demo_until_eof() -> None:
    """Child process of :class:`LabServer`: serve the demo API until stdin reaches EOF.

    The parent holds the other end of the pipe: whether it closes it or dies (a crash, a
    SIGKILL), the read returns and the server stops, so no orphan outlives the Lab.
    """
    from guiapp.demo import DemoServer

    server = DemoServer().start()
    print(f"guiapp demo API on {server.url}", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop(1.0)


class LabServer:
    """The demo API in a child process that ends with its parent; :attr:`url` once started.

    Example::

        with LabServer() as server:
            http_get(server.url + "/delay/0.1")
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 20.0) -> LabServer:
        if self.running:
            return self
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        line = process.stdout.readline()  # "guiapp demo API on http://127.0.0.1:NNNN  (...)"
        if " on http" not in line:
            process.kill()
            process.wait(timeout)
            _close_pipes(process)
            raise RuntimeError(f"the demo API did not start: {line!r}")
        self._process = process
        self.url = line.split(" on ", 1)[1].split()[0]
        return self

    def stop(self, timeout: float = 2.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # EOF: the child stops its server and exits
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
        _close_pipes(process)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
