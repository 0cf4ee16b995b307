"""``python -m guiapp.demo --port N``: run the demo API in the foreground.

Stops on Ctrl+C (SIGINT) or SIGTERM, closing every connection before it exits.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from guiapp.demo._server import DemoServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m guiapp.demo", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # SIGTERM explicitly: a process started in the background inherits SIGINT ignored, and
    # then Ctrl+C semantics cannot be relied on to stop it.
    signal.signal(signal.SIGTERM, on_signal)
    server = DemoServer(args.host, args.port).start()
    print(f"guiapp demo API on {server.url}  (index: {server.url}/)", flush=True)
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
