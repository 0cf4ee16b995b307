"""Benchmark of freeze forensics (FreezeWatch): its cost, and how often it names the right code.

Run from the repository root::

    .venv/bin/python benchmarks/freeze_bench.py [--trials 20] [--seconds 2] [--rounds 2]
                                                [--native-dumps] [--json PATH] [--quick]

Offscreen Qt, one qasync loop, a 5 ms heartbeat (``LagMonitor``) on the GUI thread.

* **Overhead**: heartbeat lag (p50 / p99 / max) without and with a running
  ``FreezeWatch(threshold_ms=50)``, idle and with 100 concurrent blocking calls (0.5 s sleeps
  through an ``Offloader`` of 100 warm threads, started again as they finish). The two
  conditions alternate order over ``--rounds`` rounds of ``--seconds`` each, and the samples of
  all rounds are pooled; the ratio with/without is the figure (target: p99 within 0.1 ms).
* **Attribution**: ``--trials`` freezes of each kind, each judged from the longest report of
  its trial: ``json.loads`` of a ~4 MB document on the GUI thread (busy), the same in a worker
  thread while the GUI thread waits in its loop (starved of the GIL), a blocking
  ``requests.get`` to a local server that answers after 0.3 s (blocked in a call, in its own
  process so that it does not compete for this process's GIL), and ``time.sleep(0.25)`` on
  the GUI thread (blocked in a call). "Named" means the culprit names the called function
  (``json.loads(``, ``requests.get(``, ``time.sleep(``); "verdict" that the kind is right.
  The watch runs as in the app (no faulthandler dumps); ``--native-dumps`` measures the
  diagnostic setting instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import PySide6  # noqa: E402
import qasync  # noqa: E402
import requests  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from guiapp.offload import Offloader  # noqa: E402
from guiapp.offload.qt import FreezeWatch, LagMonitor  # noqa: E402
from guiapp.offload.stats import summarize  # noqa: E402

_SERVER = """
import http.server, time
class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.3)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

#: (expected verdict kind, text the culprit must contain)
EXPECTED = {
    "json.loads on the GUI thread": ("busy", "json.loads("),
    "json.loads in a worker thread": ("starved", "json.loads("),
    "requests.get on the GUI thread": ("blocked", "requests.get("),
    "time.sleep on the GUI thread": ("blocked", "time.sleep("),
}

DOCUMENT = json.dumps(
    [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"], "ratio": i / 7} for i in range(60_000)]
)


def parse_document(text: str) -> int:
    return len(json.loads(text))


def fetch(url: str) -> int:
    return len(requests.get(url, timeout=10).content)


async def _lag(seconds: float, *, watch: bool, load: int, pool: Offloader) -> list[float]:
    monitor = LagMonitor(window=1_000_000)
    freeze_watch = FreezeWatch(threshold_ms=50) if watch else None
    monitor.start()
    if freeze_watch is not None:
        freeze_watch.start()
    await asyncio.sleep(0.2)  # settle
    monitor.reset()
    deadline = time.perf_counter() + seconds
    if load:
        running: set[Any] = set()
        while time.perf_counter() < deadline:
            while len(running) < load:
                running.add(asyncio.ensure_future(pool.submit(time.sleep, 0.5)))
            _, running = await asyncio.wait(running, timeout=0.05)
        await asyncio.gather(*running)
    else:
        await asyncio.sleep(seconds)
    samples = monitor.samples()
    monitor.stop()
    if freeze_watch is not None:
        freeze_watch.stop()
    monitor.deleteLater()
    return samples


async def overhead(seconds: float, rounds: int) -> list[dict[str, Any]]:
    pool = Offloader(max_workers=100, name="bench-load")
    await asyncio.gather(*(pool.submit(time.sleep, 0.05) for _ in range(100)))  # warm threads
    rows = []
    try:
        for load in (0, 100):
            pooled: dict[bool, list[float]] = {False: [], True: []}
            for index in range(rounds):
                for watch in (False, True) if index % 2 == 0 else (True, False):
                    pooled[watch] += await _lag(seconds, watch=watch, load=load, pool=pool)
            for watch in (False, True):
                stats = summarize(pooled[watch])
                rows.append({"load": load, "freeze_watch": watch, **stats.to_dict()})
    finally:
        await pool.aclose()
    return rows


async def attribution(trials: int, url: str, native_dumps: bool) -> dict[str, dict[str, Any]]:
    worker = Offloader(max_workers=1, name="json-worker")
    await worker.submit(time.sleep, 0)
    # The default setting (as in the app); --native-dumps adds faulthandler's dumps (the
    # diagnostic setting: they can crash the interpreter).
    watch = FreezeWatch(threshold_ms=50, native_dumps=native_dumps)
    watch.start()
    results: dict[str, dict[str, Any]] = {}

    async def freeze(name: str) -> None:
        if name == "json.loads on the GUI thread":
            parse_document(DOCUMENT)
        elif name == "json.loads in a worker thread":
            await worker.submit(parse_document, DOCUMENT)
        elif name == "requests.get on the GUI thread":
            fetch(url)
        else:
            time.sleep(0.25)  # noqa: ASYNC251 - the freeze being measured

    try:
        for name, (kind, called) in EXPECTED.items():
            named = right = 0
            culprits: dict[str, int] = {}
            verdicts: dict[str, int] = {}
            for _ in range(trials):
                await asyncio.sleep(0.1)
                watch.clear()
                await freeze(name)
                # The next tick ends the freeze and the report follows: wait for it (at most
                # 2 s), then a little longer for a second stall of the same trial.
                deadline = time.perf_counter() + 2.0
                while not watch.reports() and time.perf_counter() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.1)
                reports = watch.reports()
                worst = max(reports, key=lambda r: r.duration_ms) if reports else None
                culprit = worst.culprit if worst is not None else "(no report)"
                culprits[culprit] = culprits.get(culprit, 0) + 1
                verdict = worst.verdict if worst is not None else "(no report)"
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
                named += worst is not None and called in worst.culprit
                right += worst is not None and worst.kind == kind
            results[name] = {
                "trials": trials,
                "named": named,
                "right_verdict": right,
                "named_share": named / trials,
                "culprits": culprits,
                "verdicts": verdicts,
            }
    finally:
        watch.stop()
        await worker.aclose()
    return results


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1m": os.getloadavg()[0],
    }


def _print(result: dict[str, Any]) -> None:
    print(f"\nHeartbeat lag (ms), 5 ms heartbeat; {result['machine']}")
    print(f"{'load':>5} {'FreezeWatch':>11} {'samples':>8} {'p50':>7} {'p99':>7} {'max':>8}")
    for row in result["overhead"]:
        print(
            f"{row['load']:>5} {'on' if row['freeze_watch'] else 'off':>11} {row['samples']:>8} "
            f"{row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['max_ms']:>8.2f}"
        )
    for key, ratio in result["ratios"].items():
        print(f"  {key}: {ratio}")
    dumps = "with faulthandler's dumps" if result["native_dumps"] else "default: no dumps"
    trials = "/".join(str(v["trials"]) for v in result["attribution"].values())
    print(f"\nAttribution ({trials} trials; {dumps})")
    for name, row in result["attribution"].items():
        print(
            f"  {name:<32} named {row['named']:>2}/{row['trials']}  "
            f"verdict {row['right_verdict']:>2}/{row['trials']}"
        )
        for culprit, count in sorted(row["culprits"].items(), key=lambda kv: -kv[1])[:2]:
            print(f"      {count:>2}x {culprit}")


def measure(
    loop: asyncio.AbstractEventLoop,
    *,
    trials: int,
    seconds: float,
    rounds: int,
    native_dumps: bool = False,
) -> dict[str, Any]:
    """Run both parts on ``loop`` (a qasync loop, not running) and return the results."""
    server = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}/"
        rows = loop.run_until_complete(overhead(seconds, rounds))
        named = loop.run_until_complete(attribution(trials, url, native_dumps))
    finally:
        server.terminate()
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()
    by = {(r["load"], r["freeze_watch"]): r for r in rows}
    ratios = {}
    for load in (0, 100):
        off, on = by[(load, False)], by[(load, True)]
        ratios[f"load {load}: p99 with/without"] = round(on["p99_ms"] / max(off["p99_ms"], 1e-9), 2)
        ratios[f"load {load}: p99 difference ms"] = round(on["p99_ms"] - off["p99_ms"], 3)
        ratios[f"load {load}: max with/without"] = round(on["max_ms"] / max(off["max_ms"], 1e-9), 2)
    return {
        "machine": machine(),
        "native_dumps": native_dumps,
        "overhead": rows,
        "ratios": ratios,
        "attribution": named,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="5 trials, 1 s windows, 2 rounds")
    parser.add_argument(
        "--native-dumps",
        action="store_true",
        help="attribution with faulthandler's stack dumps on (off by default, as in the app)",
    )
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    if args.quick:
        args.trials, args.seconds, args.rounds = 5, 1.0, 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        result = measure(
            loop,
            trials=args.trials,
            seconds=args.seconds,
            rounds=args.rounds,
            native_dumps=args.native_dumps,
        )
    finally:
        loop.close()
    _print(result)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
