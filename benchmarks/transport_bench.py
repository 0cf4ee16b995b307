"""Benchmark of guiapp.core.send: throughput, streaming, cancel latency (a script, not a test).

Run from the repository root::

    .venv/bin/python benchmarks/transport_bench.py [--quick] [--json PATH]

1. Throughput: small GETs through ``send`` run by ``guiapp.offload.make_async`` on an asyncio
   loop, versus a plain ThreadPoolExecutor + requests.Session loop with the same worker count.
   The server runs in its own process; its capacity alone is measured with raw http.client
   keep-alive connections, to show it is not the bottleneck.
2. Streaming: a 1 GiB download through ``send`` (progress reported to a JobControl, body
   spooled to a temporary file) versus a raw ``iter_content`` loop with the same chunk size;
   peak RSS growth of this process is sampled every 5 ms.
3. Cancel latency for a request blocked in connect, waiting for headers, and mid-body: time
   from ``JobControl.cancel()`` until the worker thread has ended.
4. GUI heartbeat during the download: the 5 ms ``LagMonitor`` on a qasync loop (offscreen Qt),
   idle for 2 s, then while ``make_async(send)`` downloads the body with progress delivered to
   the loop; p50/p99/max of the lag for both, from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psutil
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # the servers live in tests/faultserver.py, shared with the tests

from guiapp.core._http_adapter import make_session  # noqa: E402
from guiapp.core.jobs import Cancelled, JobControl, bind_job  # noqa: E402
from guiapp.core.request import RequestSpec  # noqa: E402
from guiapp.core.transport import DEFAULT_CHUNK_SIZE, send  # noqa: E402
from guiapp.offload import Offloader, make_async  # noqa: E402
from tests.faultserver import FaultServer, FullBacklog, KeepAliveServer  # noqa: E402

MB = 1024 * 1024


# -- the server, in its own process ---------------------------------------------------------------
def _serve(port_queue: Any, stop: Any) -> None:
    with KeepAliveServer() as server:
        port_queue.put(server.port)
        stop.wait(600)  # bounded: the benchmark never runs this long


@contextmanager
def server_process() -> Iterator[str]:
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(ports, stop), daemon=True)
    proc.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=30)}"
    finally:
        stop.set()
        proc.join(10)
        if proc.is_alive():
            proc.kill()


# -- 1. throughput --------------------------------------------------------------------------------
def raw_capacity(base: str, n: int, workers: int) -> float:
    host, port = base.removeprefix("http://").split(":")

    def loop(count: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        for _ in range(count):
            conn.request("GET", "/small")
            conn.getresponse().read()
        conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(loop, [n // workers] * workers))
    return (n // workers * workers) / (time.perf_counter() - start)


def requests_pool(base: str, n: int, workers: int) -> float:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=workers, pool_maxsize=workers)
    session.mount("http://", adapter)
    url = base + "/small"

    def one(_: int) -> int:
        return len(session.get(url, timeout=10).content)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        sizes = list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - start
    session.close()
    assert all(sizes)
    return n / elapsed


def send_pool(base: str, n: int, workers: int) -> float:
    """send() in the same plain ThreadPoolExecutor: the transport's own cost, without offload."""
    session = make_session(pool_maxsize=workers)
    spec = RequestSpec(url=base + "/small", timeout=10)
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        codes = list(pool.map(lambda _: send(spec, session=session).status_code, range(n)))
    elapsed = time.perf_counter() - start
    session.close()
    assert set(codes) == {200}
    return n / elapsed


def guiapp_offload(base: str, n: int, workers: int) -> float:
    session = make_session(pool_maxsize=workers)
    spec = RequestSpec(url=base + "/small", timeout=10)

    async def main() -> float:
        offloader = Offloader(max_workers=workers, name="bench")
        fetch = make_async(send, offloader=offloader)
        start = time.perf_counter()
        responses = await asyncio.gather(*(fetch(spec, session=session) for _ in range(n)))
        elapsed = time.perf_counter() - start
        await offloader.aclose()
        assert all(r.status_code == 200 for r in responses)
        return n / elapsed

    try:
        return asyncio.run(main())
    finally:
        session.close()


def throughput(base: str, n: int, workers: int, rounds: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {
        "raw http.client": [],
        "requests pool": [],
        "send pool": [],
        "send+offload": [],
    }
    for _ in range(rounds):  # interleaved, so that background load hits all alike
        runs["raw http.client"].append(raw_capacity(base, n, workers))
        runs["requests pool"].append(requests_pool(base, n, workers))
        runs["send pool"].append(send_pool(base, n, workers))
        runs["send+offload"].append(guiapp_offload(base, n, workers))
    best = {k: max(v) for k, v in runs.items()}
    median = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "requests": n,
        "workers": workers,
        "rounds": rounds,
        "req_per_s_best": best,
        "req_per_s_median": median,
        "ratio_best": best["send+offload"] / best["requests pool"],
        "ratio_median": median["send+offload"] / median["requests pool"],
        "ratio_send_pool_median": median["send pool"] / median["requests pool"],
    }


# -- 2. streaming ---------------------------------------------------------------------------------
class RssSampler:
    def __init__(self) -> None:
        self._proc = psutil.Process()
        self.baseline = self._proc.memory_info().rss
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.baseline) / MB


def stream_raw(url: str, size: int, to_file: bool) -> tuple[float, float]:
    session = requests.Session()
    with RssSampler() as rss, tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        got = 0
        with session.get(url, stream=True, timeout=30) as r:
            for chunk in r.iter_content(DEFAULT_CHUNK_SIZE):
                got += len(chunk)
                if to_file:
                    sink.write(chunk)
        elapsed = time.perf_counter() - start
    session.close()
    assert got == size
    return size / elapsed / MB, rss.growth_mb


def stream_send(url: str, size: int, spool_dir: str | None = None) -> tuple[float, float, int]:
    reports = [0]

    def sink(_: object) -> None:
        reports[0] += 1  # what an executor's coalescing sink costs at least

    with RssSampler() as rss, bind_job(JobControl(progress_sink=sink)):
        start = time.perf_counter()
        response = send(RequestSpec(url=url, timeout=30), spool_dir=spool_dir)
        elapsed = time.perf_counter() - start
    with response:
        assert response.size == size
        assert response.is_spooled
    return size / elapsed / MB, rss.growth_mb, reports[0]


def streaming(base: str, size: int, rounds: int) -> dict[str, Any]:
    url = f"{base}/bytes?n={size}"
    raw, raw_file, ours, ours_shm, growth, raw_growth = [], [], [], [], [], []
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    reports = 0
    for _ in range(rounds):
        speed, g = stream_raw(url, size, to_file=False)
        raw.append(speed)
        raw_growth.append(g)
        raw_file.append(stream_raw(url, size, to_file=True)[0])
        speed, g, reports = stream_send(url, size)
        ours.append(speed)
        growth.append(g)
        if shm:  # the same, spooled to tmpfs: transport overhead without the disk's noise
            ours_shm.append(stream_send(url, size, spool_dir=shm)[0])
    return {
        "bytes": size,
        "chunk_size": DEFAULT_CHUNK_SIZE,
        "rounds": rounds,
        "mb_per_s_median": {
            "iter_content (discard)": statistics.median(raw),
            "iter_content (write file)": statistics.median(raw_file),
            "send (progress + spool)": statistics.median(ours),
            "send (progress + spool on tmpfs)": statistics.median(ours_shm) if ours_shm else None,
        },
        "ratio_tmpfs_vs_discard": (
            statistics.median(ours_shm) / statistics.median(raw) if ours_shm else None
        ),
        "ratio_vs_discard": statistics.median(ours) / statistics.median(raw),
        "ratio_vs_write_file": statistics.median(ours) / statistics.median(raw_file),
        "peak_rss_growth_mb_send": max(growth),
        "peak_rss_growth_mb_iter_content": max(raw_growth),
        "progress_reports": reports,
    }


# -- 3. cancel latency ----------------------------------------------------------------------------
def _cancel_once(url: str, ready: Callable[[JobControl, list[Any]], bool]) -> float:
    control = JobControl()
    seen: list[Any] = []
    control = JobControl(progress_sink=seen.append)
    outcome: list[BaseException] = []

    def run() -> None:
        with bind_job(control):
            try:
                send(RequestSpec(url=url, timeout=30))
            except BaseException as exc:
                outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not ready(control, seen):
        if time.monotonic() > deadline:
            raise RuntimeError("the request never reached the state to cancel")
        time.sleep(0.001)
    start = time.perf_counter()
    control.cancel()
    thread.join(5)
    latency = time.perf_counter() - start
    if thread.is_alive() or not outcome or not isinstance(outcome[0], Cancelled):
        raise RuntimeError(f"cancel did not end the request: {outcome!r}")
    return latency


def _phase(name: str) -> Callable[[JobControl, list[Any]], bool]:
    return lambda _c, seen: any(p.info.get("phase") == name for p in list(seen))


def cancel_latency(repeats: int) -> dict[str, dict[str, float]]:
    results: dict[str, list[float]] = {"connect": [], "headers": [], "body": []}
    for _ in range(repeats):
        with FullBacklog() as backlog:
            start = [0.0]

            def in_connect(c: JobControl, seen: list[Any], start: list[float] = start) -> bool:
                if not _phase("connecting")(c, seen):
                    return False
                start[0] = start[0] or time.monotonic()
                return time.monotonic() - start[0] > 0.05  # well inside connect() by then

            results["connect"].append(_cancel_once(backlog.url(), in_connect))
        with FaultServer(lifetime=30) as server:
            count = len(server.requests)

            def on_the_wire(
                _c: JobControl, _s: list[Any], srv: FaultServer = server, before: int = count
            ) -> bool:
                return len(srv.requests) > before

            results["headers"].append(_cancel_once(server.url("/never-answer"), on_the_wire))
            results["body"].append(_cancel_once(server.url("/stall-mid-body"), _phase("download")))
    return {
        state: {
            "median_ms": statistics.median(v) * 1000,
            "max_ms": max(v) * 1000,
            "repeats": len(v),
        }
        for state, v in results.items()
    }


# -- 4. GUI heartbeat while a download streams ------------------------------------------------
def gui_lag_during_download(url: str, size: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from guiapp.offload.qt import LagMonitor

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    offloader = Offloader(max_workers=2, name="bench-download")
    monitor = LagMonitor()
    deliveries = [0]

    async def run() -> dict[str, Any]:
        monitor.start()
        await asyncio.sleep(2.0)
        idle = monitor.snapshot()
        monitor.reset()
        job = offloader.submit(send, RequestSpec(url=url, timeout=30))
        job.add_progress_callback(lambda _p: deliveries.__setitem__(0, deliveries[0] + 1))
        start = time.perf_counter()
        response = await job
        elapsed = time.perf_counter() - start
        await asyncio.sleep(0.1)  # the tick that ends a last stall is recorded
        busy = monitor.snapshot()
        monitor.stop()
        with response:
            assert response.size == size
        return {
            "bytes": size,
            "mb_per_s": size / elapsed / MB,
            "idle": idle.to_dict(),
            "download": busy.to_dict(),
            "delta_p99_ms": busy.p99_ms - idle.p99_ms,
            "progress_deliveries": deliveries[0],
            "progress_deliveries_per_s": deliveries[0] / elapsed,
        }

    try:
        return loop.run_until_complete(run())
    finally:
        offloader.close(1.0)
        loop.close()
        asyncio.set_event_loop(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    n, size, rounds, repeats = (300, 128 * MB, 1, 5) if args.quick else (2000, 1024 * MB, 3, 20)
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "quick": args.quick,
    }
    with server_process() as base:
        requests_pool(base, 50, args.workers)  # warm-up: imports, first connections
        results["throughput"] = throughput(base, n, args.workers, rounds)
        print(json.dumps(results["throughput"], indent=2), flush=True)
        results["streaming"] = streaming(base, size, rounds)
        print(json.dumps(results["streaming"], indent=2), flush=True)
        results["gui_lag_download"] = gui_lag_during_download(f"{base}/bytes?n={size}", size)
        print(json.dumps(results["gui_lag_download"], indent=2), flush=True)
    results["cancel_latency"] = cancel_latency(repeats)
    print(json.dumps(results["cancel_latency"], indent=2), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
