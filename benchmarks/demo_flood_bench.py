"""GUI lag while a flood of connections hits the app's demo API (a script, not a test).

Run from the repository root::

    .venv/bin/python benchmarks/demo_flood_bench.py [--quick] [--connections N] [--json PATH]

The 5 ms :class:`~guiapp.offload.qt.LagMonitor` heartbeat runs on a Qt event loop (offscreen)
in this process, as in the app. Each round measures, in this order:

1. ``idle``: no server activity (the baseline, same run);
2. ``own process`` (what the app runs): :class:`~guiapp.demo.DemoProcess`;
3. ``in-process, bounded``: the server in the GUI process with today's limits (256
   connections, 15 s idle timeout);
4. ``in-process, unbounded``: the demo server as the app embedded it before (a thread per
   connection in the GUI process, no connection limit, 120 s idle timeout). Last, because its
   thousands of threads take a while to wind down.

The flood comes from another process: it opens N connections (default 3,000) at once, sends one
keep-alive ``GET /get`` on each, holds them 2 s, closes them all, then times one fresh
``GET /get`` (how long the server takes to answer again) and keeps the phase open 2 s more, so
the lag after the close is measured too. Per phase: p50 / p99 / max lag, stalls over 50 ms,
and the flood's own counts (answered 200, refused 503, failed). Rounds are pooled per phase.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

_HOLD_S = 2.0
_AFTER_S = 2.0


# -- the flood (runs in a child: python demo_flood_bench.py --flood PORT N) -----------------------
def flood(port: int, connections: int) -> dict[str, Any]:
    """Open ``connections`` sockets, one GET each, hold, close all; then time a fresh GET."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, connections + 100)), hard))
    socks: list[socket.socket] = []
    failed = 0
    for _ in range(connections):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /get HTTP/1.1\r\nHost: flood\r\n\r\n")
            socks.append(sock)
        except OSError:
            failed += 1
    answered = refused = 0
    deadline = time.monotonic() + _HOLD_S
    for sock in socks:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            head = sock.recv(12)
        except OSError:
            continue  # not answered within the hold time
        if head.startswith(b"HTTP/1.1 200"):
            answered += 1
        elif head.startswith(b"HTTP/1.1 503"):
            refused += 1
    time.sleep(max(0.0, deadline - time.monotonic()))
    for sock in socks:
        sock.close()
    started = time.perf_counter()
    recovery = None
    while time.perf_counter() - started < 30 and recovery is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"GET /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/1.1 200"):
                    recovery = time.perf_counter() - started
        except OSError:
            pass
        if recovery is None:
            time.sleep(0.05)
    time.sleep(_AFTER_S)
    return {
        "connections": connections,
        "answered_200": answered,
        "refused_503": refused,
        "unanswered": len(socks) - answered - refused,
        "connect_failed": failed,
        "first_answer_after_close_s": recovery,
    }


# -- the GUI side ---------------------------------------------------------------------------------
def _run_phase(app: Any, monitor: Any, port: int | None, connections: int) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QTimer

    if port is None:
        command = [sys.executable, "-c", f"import time; time.sleep({_HOLD_S + _AFTER_S + 1})"]
    else:
        command = [sys.executable, __file__, "--flood", str(port), str(connections)]
    loop = QEventLoop()
    # Restarted, not just reset: the time spent between phases (starting and stopping servers,
    # with no event loop running) must not count as the first lag of this phase.
    monitor.stop()
    monitor.reset()
    monitor.start()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(lambda: proc.poll() is not None and loop.quit())
    poll.start()
    loop.exec()
    poll.stop()
    stats = monitor.snapshot().to_dict()
    out, _ = proc.communicate()
    flood_result = json.loads(out) if port is not None and out.strip() else {}
    return {"lag": stats, "flood": flood_result}


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(b"GET /get HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the demo server on port {port} did not answer within 30 s")


def _pool(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "p50_ms_median": sorted(r["lag"]["p50_ms"] for r in rounds)[len(rounds) // 2],
        "p99_ms_max": max(r["lag"]["p99_ms"] for r in rounds),
        "max_ms": max(r["lag"]["max_ms"] for r in rounds),
        "stalls": sum(r["lag"]["stalls"] for r in rounds),
        "rounds": rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round and 300 connections")
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--flood", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.flood:
        print(json.dumps(flood(*args.flood)), flush=True)
        return 0
    if args.quick:
        args.rounds, args.connections = 1, 300

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    from guiapp.demo import DemoProcess, DemoServer, ServerLimits
    from guiapp.offload.qt import LagMonitor

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the in-process servers need fds
    wanted = max(soft, args.connections + 500)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted), hard))
    app = QApplication.instance() or QApplication([])
    monitor = LagMonitor()
    monitor.start()
    unbounded = ServerLimits(max_connections=1_000_000, idle_timeout=120.0)
    phases: dict[str, list[dict[str, Any]]] = {
        "idle": [],
        "own process": [],
        "in-process, bounded": [],
        "in-process, unbounded": [],
    }
    for _ in range(args.rounds):
        phases["idle"].append(_run_phase(app, monitor, None, 0))
        for name, server in (
            ("own process", DemoProcess()),
            ("in-process, bounded", DemoServer()),
            ("in-process, unbounded", DemoServer(limits=unbounded)),
        ):
            server.start()
            _wait_ready(server.port)  # the child's start-up is not part of the flood
            try:
                phases[name].append(_run_phase(app, monitor, server.port, args.connections))
            finally:
                server.stop(5.0)
    monitor.stop()
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "pyside6": pyside_version,
            "platform": platform.platform(),
        },
        "connections": args.connections,
        "rounds": args.rounds,
        "phases": {name: _pool(rounds) for name, rounds in phases.items()},
    }
    idle_max = results["phases"]["idle"]["max_ms"]
    print(f"GUI lag (5 ms heartbeat), {args.connections} connections, {args.rounds} round(s)")
    print(
        f"{'phase':<24}{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'stalls':>8}"
        f"{'max/idle':>10}{'200':>7}{'503':>7}{'recover s':>11}"
    )
    for name, pooled in results["phases"].items():
        floods = [r["flood"] for r in pooled["rounds"] if r["flood"]]
        ok = sum(f["answered_200"] for f in floods)
        busy = sum(f["refused_503"] for f in floods)
        recover = max((f["first_answer_after_close_s"] or 99.0 for f in floods), default=0.0)
        ratio = pooled["max_ms"] / idle_max if idle_max else float("nan")
        print(
            f"{name:<24}{pooled['p50_ms_median']:>8.2f}{pooled['p99_ms_max']:>9.2f}"
            f"{pooled['max_ms']:>9.1f}{pooled['stalls']:>8}{ratio:>10.1f}"
            f"{ok if floods else '':>7}{busy if floods else '':>7}"
            f"{(f'{recover:.2f}' if floods else ''):>11}"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
