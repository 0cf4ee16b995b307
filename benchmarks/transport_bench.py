"""Benchmark of guiapp.core.send: throughput, streaming, cancel latency (a script, not a test).

Run from the repository root::

    .venv/bin/python benchmarks/transport_bench.py [--quick] [--json PATH]

1. Throughput: small GETs through ``send`` run by ``guiapp.offload.make_async`` on an asyncio
   loop, versus a plain ThreadPoolExecutor + requests.Session loop with the same worker count.
   The server runs in its own process; its capacity alone is measured with raw http.client
   keep-alive connections, to show it is not the bottleneck.
2. Streaming: a 1 GiB download through ``send`` (progress reported to a JobControl, body
   spooled to a temporary file) versus raw ``iter_content`` loops: with the same 64 KiB chunk
   size and with ``send``'s largest read (1 MiB), both keeping the body the way ``send`` does
   (memory up to the spool threshold, then a temporary file), and one that discards it. Also
   measured: writing 1 GiB from memory to a temporary file with no network, which bounds any
   download that keeps its body. Variants are interleaved round by round; peak RSS growth of
   this process is sampled every 5 ms.
3. Cancel latency for a request blocked in connect, waiting for headers, and mid-body: time
   from ``JobControl.cancel()`` until the worker thread has ended.
4. GUI heartbeat during the download: the 5 ms ``LagMonitor`` on a qasync loop (offscreen Qt);
   5 rounds (1 in ``--quick``) of 1 s idle, one ``make_async(send)`` download with progress
   delivered to the loop, and a raw ``iter_content`` loop in a plain thread as the baseline of
   what any download at that speed costs here; p50/p99/max of the pooled samples, per-round Δp99.
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
from guiapp.core._http_read import _DIRECT_READ_SIZE  # noqa: E402
from guiapp.core.jobs import Cancelled, JobControl, bind_job  # noqa: E402
from guiapp.core.request import RequestSpec  # noqa: E402
from guiapp.core.transport import (  # noqa: E402
    DEFAULT_CHUNK_SIZE,
    DEFAULT_SPOOL_THRESHOLD,
    send,
)
from guiapp.offload import Offloader, make_async  # noqa: E402
from tests.faultserver import FaultServer, FullBacklog, KeepAliveServer  # noqa: E402

MB = 1024 * 1024


# -- the server, in its own process ---------------------------------------------------------------
def _serve(port_queue: Any, stop: Any) -> None:
    with KeepAliveServer() as server:
        port_queue.put(server.port)
        stop.wait(600)  # bounded: the benchmark never runs this long


class ServerURL(str):
    """The server's base URL, with the ``pid`` of its process (for CPU accounting)."""

    pid: int


@contextmanager
def server_process() -> Iterator[ServerURL]:
    ctx = mp.get_context("spawn")
    ports = ctx.Queue()
    stop = ctx.Event()
    proc = ctx.Process(target=_serve, args=(ports, stop), daemon=True)
    proc.start()
    try:
        url = ServerURL(f"http://127.0.0.1:{ports.get(timeout=30)}")
        url.pid = proc.pid or 0
        yield url
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


def stream_raw(
    url: str, size: int, chunk_size: int, keep: bool, spool_dir: str | None = None
) -> tuple[float, float]:
    """A raw ``iter_content`` loop; ``keep`` stores the body the way ``send`` does (memory up
    to the spool threshold, then a temporary file), otherwise every chunk is thrown away."""
    session = requests.Session()
    with (
        RssSampler() as rss,
        tempfile.SpooledTemporaryFile(max_size=DEFAULT_SPOOL_THRESHOLD, dir=spool_dir) as sink,
    ):
        start = time.perf_counter()
        got = 0
        with session.get(url, stream=True, timeout=30) as r:
            for chunk in r.iter_content(chunk_size):
                got += len(chunk)
                if keep:
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


def store_only(size: int, spool_dir: str | None = None) -> float:
    """MB/s of writing ``size`` bytes from memory into a fresh temporary file, no network: an
    upper bound for any download that keeps its body on this machine."""
    block = memoryview(bytes(_DIRECT_READ_SIZE))
    fd, path = tempfile.mkstemp(prefix="guiapp-bench-", dir=spool_dir)
    try:
        start = time.perf_counter()
        left = size
        while left:
            left -= os.write(fd, block[: min(left, len(block))])
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
        os.unlink(path)
    return size / elapsed / MB


def _rss_child(url: str, size: int, result: Any) -> None:
    requests.get(url.replace(f"n={size}", "n=1"), timeout=30).close()  # imports, first use
    result.put(stream_send(url, size)[1])


def send_rss_in_fresh_process(url: str, size: int) -> float:
    """Peak RSS growth (MB) of one ``send`` of ``size`` bytes in a new process: in this one,
    memory freed by the earlier variants is reused and would hide ``send``'s own growth."""
    ctx = mp.get_context("spawn")
    result = ctx.Queue()
    proc = ctx.Process(target=_rss_child, args=(url, size, result), daemon=True)
    proc.start()
    try:
        growth: float = result.get(timeout=300)
    finally:
        proc.join(30)
    return growth


_KEEP_64K = "iter_content 64 KiB, body kept"
_KEEP_1M = "iter_content 1 MiB, body kept"
_DISCARD = "iter_content 64 KiB, body discarded"
_SEND = "send"
_SEND_TMP = "send, spooled to the default temp dir"
_STORE = "store only: write 1 GiB from memory, no network"


class CpuClock:
    """Wall time and CPU seconds (user + system) of this process and of the server process."""

    def __init__(self, server_pid: int) -> None:
        self._server = psutil.Process(server_pid)

    def _now(self) -> tuple[float, float, float]:
        mine, theirs = os.times(), self._server.cpu_times()
        return time.perf_counter(), mine.user + mine.system, theirs.user + theirs.system

    @contextmanager
    def measure(self, out: list[dict[str, float]]) -> Iterator[None]:
        wall, client, server = self._now()
        yield
        wall2, client2, server2 = self._now()
        out.append({"wall": wall2 - wall, "client": client2 - client, "server": server2 - server})


def streaming(base: ServerURL, size: int, rounds: int) -> dict[str, Any]:
    """Every variant once per round, interleaved, so that a noisy moment hits all of them; the
    ratios are the medians of the per-round ratios.

    Kept bodies spool to tmpfs (``/dev/shm``) when there is one: writing gigabytes per round to
    the disk makes the kernel throttle writers at random moments (``store only`` on ext4 ranged
    from 560 to 2,950 MB/s in one run). ``send`` to the default temp dir is measured as well.
    """
    url = f"{base}/bytes?n={size}"
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    speeds: dict[str, list[float]] = {}
    growth: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {"vs_kept_64k": [], "vs_kept_1m": [], "vs_discard": []}
    ceiling: list[float] = []
    reports = 0

    def record(name: str, speed: float, grew: float | None = None) -> float:
        speeds.setdefault(name, []).append(speed)
        if grew is not None:
            growth.setdefault(name, []).append(grew)
        return speed

    clock = CpuClock(base.pid)
    cpu: dict[str, list[dict[str, float]]] = {_DISCARD: [], _SEND: []}
    cpu_bound: list[float] = []
    cores = os.cpu_count() or 1
    for _ in range(rounds):
        with clock.measure(cpu[_DISCARD]):
            discard = record(_DISCARD, *stream_raw(url, size, DEFAULT_CHUNK_SIZE, keep=False))
        kept_64k = record(_KEEP_64K, *stream_raw(url, size, DEFAULT_CHUNK_SIZE, True, shm))
        kept_1m = record(_KEEP_1M, *stream_raw(url, size, _DIRECT_READ_SIZE, True, shm))
        with clock.measure(cpu[_SEND]):
            speed, grew, reports = stream_send(url, size, spool_dir=shm)
        ours = record(_SEND, speed, grew)
        store = record(_STORE, store_only(size, shm))
        record(_SEND_TMP, stream_send(url, size)[0])
        ratios["vs_kept_64k"].append(ours / kept_64k)
        ratios["vs_kept_1m"].append(ours / kept_1m)
        ratios["vs_discard"].append(ours / discard)
        ceiling.append(store / discard)
        # The CPU that send and the server need, spread perfectly over every core, against the
        # discarding loop's wall time: the best ratio any parallelisation of send could reach.
        spent = cpu[_SEND][-1]
        cpu_bound.append(cpu[_DISCARD][-1]["wall"] * cores / (spent["client"] + spent["server"]))
    return {
        "bytes": size,
        "chunk_size": DEFAULT_CHUNK_SIZE,
        "largest_read": _DIRECT_READ_SIZE,
        "spool_dir": shm or tempfile.gettempdir(),
        "rounds": rounds,
        "cpus": cores,
        "mb_per_s_median": {name: statistics.median(v) for name, v in speeds.items()},
        "mb_per_s_all": speeds,
        "send_ratio_median": {name: statistics.median(v) for name, v in ratios.items()},
        "send_ratio_all": ratios,
        # Any download that keeps its body must at least store it: store / discard is the best
        # ratio to the discarding loop that keeping the body allows on this machine.
        "store_only_vs_discard_median": statistics.median(ceiling),
        "cpu_seconds_median": {
            name: {
                key: statistics.median(run[key] for run in runs)
                for key in ("wall", "client", "server")
            }
            for name, runs in cpu.items()
        },
        "cores_busy_median": {
            name: statistics.median((run["client"] + run["server"]) / run["wall"] for run in runs)
            for name, runs in cpu.items()
        },
        "send_best_ratio_vs_discard_by_cpu_median": statistics.median(cpu_bound),
        "peak_rss_growth_mb": {name: max(v) for name, v in growth.items()},
        "send_peak_rss_growth_mb_fresh_process": send_rss_in_fresh_process(url, size),
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
def _raw_download(url: str) -> None:
    with requests.get(url, stream=True, timeout=30) as r:
        for _chunk in r.iter_content(DEFAULT_CHUNK_SIZE):
            pass


def gui_lag_during_download(url: str, size: int, rounds: int = 5) -> dict[str, Any]:
    """``rounds`` times: 1 s idle, one download of ``size`` bytes through ``make_async(send)``,
    and, as the baseline of what any download at that speed costs the GUI thread on this
    machine, the same bytes read by a raw ``iter_content`` loop in a plain thread
    (``asyncio.to_thread``, body discarded, no progress). The lag samples of the idle windows
    and of each kind of download are pooled (one 1 GiB download is ~100 ticks, too few for a
    steady p99), and each round's own Δp99 is kept to show the spread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from guiapp.core.stats import summarize
    from guiapp.offload.qt import LagMonitor

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    offloader = Offloader(max_workers=2, name="bench-download")
    monitor = LagMonitor()
    deliveries = [0]

    async def run() -> dict[str, Any]:
        monitor.start()
        await asyncio.sleep(0.5)  # the timer settles
        idle_all: list[float] = []
        busy_all: list[float] = []
        raw_all: list[float] = []
        per_round: list[float] = []
        raw_per_round: list[float] = []
        elapsed_all = raw_elapsed = 0.0
        for _ in range(rounds):
            monitor.reset()
            await asyncio.sleep(1.0)
            idle = monitor.samples()
            monitor.reset()
            job = offloader.submit(send, RequestSpec(url=url, timeout=30))
            job.add_progress_callback(lambda _p: deliveries.__setitem__(0, deliveries[0] + 1))
            start = time.perf_counter()
            response = await job
            elapsed_all += time.perf_counter() - start
            await asyncio.sleep(0.1)  # the tick that ends a last stall is recorded
            busy = monitor.samples()
            with response:
                assert response.size == size
            monitor.reset()
            start = time.perf_counter()
            await asyncio.to_thread(_raw_download, url)
            raw_elapsed += time.perf_counter() - start
            await asyncio.sleep(0.1)
            raw = monitor.samples()
            idle_all += idle
            busy_all += busy
            raw_all += raw
            per_round.append(summarize(busy).p99_ms - summarize(idle).p99_ms)
            raw_per_round.append(summarize(raw).p99_ms - summarize(idle).p99_ms)
        monitor.stop()
        idle_stats, busy_stats = summarize(idle_all), summarize(busy_all)
        raw_stats = summarize(raw_all)
        return {
            "bytes": size,
            "rounds": rounds,
            "mb_per_s": size * rounds / elapsed_all / MB,
            "idle": idle_stats.to_dict(),
            "download": busy_stats.to_dict(),
            "delta_p99_ms": busy_stats.p99_ms - idle_stats.p99_ms,
            "delta_p99_ms_per_round": per_round,
            "raw_thread_baseline": {
                "mb_per_s": size * rounds / raw_elapsed / MB,
                "download": raw_stats.to_dict(),
                "delta_p99_ms": raw_stats.p99_ms - idle_stats.p99_ms,
                "delta_p99_ms_per_round": raw_per_round,
            },
            "progress_deliveries": deliveries[0],
            "progress_deliveries_per_s": deliveries[0] / elapsed_all,
        }

    try:
        return loop.run_until_complete(run())
    finally:
        offloader.close(1.0)
        loop.close()
        asyncio.set_event_loop(None)


SECTIONS = ("throughput", "streaming", "gui", "cancel")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only these sections (repeatable)"
    )
    args = parser.parse_args()
    sections = set(args.only or SECTIONS)
    n, size, rounds, stream_rounds, repeats = (
        (300, 128 * MB, 1, 1, 5) if args.quick else (2000, 1024 * MB, 3, 5, 20)
    )
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "quick": args.quick,
    }
    if sections & {"throughput", "streaming", "gui"}:
        with server_process() as base:
            requests_pool(base, 50, args.workers)  # warm-up: imports, first connections
            if "throughput" in sections:
                results["throughput"] = throughput(base, n, args.workers, rounds)
                print(json.dumps(results["throughput"], indent=2), flush=True)
            # The GUI section before streaming: the many GiB that streaming writes are flushed
            # to disk by kernel threads for a while afterwards, which would take CPU from it.
            if "gui" in sections:
                url = f"{base}/bytes?n={size}"
                results["gui_lag_download"] = gui_lag_during_download(url, size, stream_rounds)
                print(json.dumps(results["gui_lag_download"], indent=2), flush=True)
            if "streaming" in sections:
                results["streaming"] = streaming(base, size, stream_rounds)
                print(json.dumps(results["streaming"], indent=2), flush=True)
    if "cancel" in sections:
        results["cancel_latency"] = cancel_latency(repeats)
        print(json.dumps(results["cancel_latency"], indent=2), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
