"""``python -m guiapp.demo --port N``: run the demo API in the foreground.

Stops on Ctrl+C (SIGINT) or SIGTERM, closing every connection before it exits. The app starts
it with ``--fd`` (a listening socket it bound) and ``--stdin-lifeline`` (stop when standard
input closes, so the server never outlives the app).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from types import FrameType

from guiapp.demo._server import DemoServer, ServerLimits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m guiapp.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)  # an inherited listening socket
    parser.add_argument("--stdin-lifeline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--max-connections",
        type=int,
        default=ServerLimits().max_connections,
        help="connections served at once; more get 503 (default %(default)s)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=ServerLimits().idle_timeout,
        help="seconds before an idle connection is closed (default %(default)s)",
    )
    args = parser.parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGTERM explicitly: a process started in the background inherits SIGINT ignored, and
    # then Ctrl+C semantics cannot be relied on to stop it.
    signal.signal(signal.SIGTERM, on_signal)
    if args.stdin_lifeline:  # started by the app
        # A background helper: under a flood, the app's GUI thread gets the CPU first.
        with contextlib.suppress(AttributeError, OSError):
            os.nice(10)
        threading.Thread(target=_watch_stdin, args=(stop,), name="lifeline", daemon=True).start()
    limits = ServerLimits(max_connections=args.max_connections, idle_timeout=args.idle_timeout)
    sock = socket.socket(fileno=args.fd) if args.fd is not None else None
    server = DemoServer(args.host, args.port, limits=limits, sock=sock).start()
    print(f"guiapp demo API on {server.url}  (index: {server.url}/)", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # The process ends next, and its daemon threads with it: a handler still writing a
        # large body is not worth a message. Started by the app, stop before it kills us.
        server.stop(0.3 if args.stdin_lifeline else 2.0, abandoned_level=logging.DEBUG)
    return 0


def _watch_stdin(stop: threading.Event) -> None:
    """Set ``stop`` once standard input reaches end of file (the parent closed it, or died)."""
    try:
        while sys.stdin.buffer.read(1024):
            pass
    finally:
        stop.set()


if __name__ == "__main__":
    raise SystemExit(main())
