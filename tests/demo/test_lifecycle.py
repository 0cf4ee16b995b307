"""Starting, stopping and load: concurrency, keep-alive, stop with requests in flight."""

from __future__ import annotations

import http.client
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from guiapp.demo import DemoServer
from tests.demo.conftest import server_threads


def test_fifty_concurrent_one_second_delays_overlap(url: str) -> None:
    def call(_: int) -> int:
        return requests.get(url + "/delay/1", timeout=10).status_code

    start = time.monotonic()
    with ThreadPoolExecutor(50) as pool:
        codes = list(pool.map(call, range(50)))
    elapsed = time.monotonic() - start
    assert codes == [200] * 50
    # A sanity bound: in turn they take 50 s; concurrently ~1 s here.
    assert elapsed < 25.0, f"50 concurrent 1 s delays took {elapsed:.2f} s"


def test_keep_alive_reuses_one_connection(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        for path in ("/get", "/stream/3", "/drip?numbytes=3&duration=0", "/status/204", "/xml"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 204)
            assert not response.will_close
        conn.request("HEAD", "/json/sample")  # HEAD sends headers only, connection survives
        head = conn.getresponse()
        assert head.read() == b""
        assert int(head.headers["Content-Length"]) > 0
        conn.request("GET", "/get")
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_stop_with_requests_in_flight_is_prompt_and_leaves_no_thread() -> None:
    server = DemoServer().start()
    name, url = server.name, server.url
    errors: list[BaseException] = []

    def call(path: str) -> None:
        try:
            requests.get(server.url + path, timeout=30)
        except requests.RequestException as exc:
            errors.append(exc)

    clients = [
        threading.Thread(target=call, args=(p,), daemon=True)
        for p in ["/never"] * 5
        + ["/delay/20"] * 5
        + ["/download?mb=2000"]
        + ["/slow-headers?delay=20", "/drip?numbytes=100&duration=20"]
    ]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 10
    while len(server_threads(name)) < 1 + len(clients) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition, not sleeping for it to happen
    assert len(server_threads(name)) == 1 + len(clients)

    start = time.monotonic()
    assert server.stop(timeout=1.0) is True
    assert time.monotonic() - start < 1.0
    assert server_threads(name) == []
    for client in clients:
        client.join(5)
        assert not client.is_alive()
    assert len(errors) == len(clients)  # every client saw its connection end, none hung
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/get", timeout=1)


def test_stop_is_idempotent_and_context_manager_stops() -> None:
    with DemoServer() as server:
        url = server.url
        assert requests.get(url + "/get", timeout=5).ok
        name = server.name
    assert not server.running
    assert server_threads(name) == []
    assert server.stop() is True
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/get", timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.url


def test_start_twice_is_an_error() -> None:
    with DemoServer() as server, pytest.raises(RuntimeError, match="already"):
        server.start()


def test_client_disconnect_ends_a_never_request(url: str, demo: DemoServer) -> None:
    before = len(server_threads(demo.name))
    with pytest.raises(requests.ReadTimeout):
        requests.get(url + "/never", timeout=(2, 0.2))  # closes its socket on timeout
    deadline = time.monotonic() + 5
    while len(server_threads(demo.name)) > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(server_threads(demo.name)) <= before


def test_many_small_gets_are_fast(url: str) -> None:
    session = requests.Session()
    start = time.monotonic()
    for _ in range(500):
        session.get(url + "/get", timeout=5).raise_for_status()
    elapsed = time.monotonic() - start
    assert elapsed < 10, f"500 keep-alive GETs took {elapsed:.2f} s"


def test_module_runs_standalone() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "guiapp.demo", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            base = line.split(" on ", 1)[1].split()[0]
            assert requests.get(base + "/status/418", timeout=5).status_code == 418
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()


def test_stop_interrupts_a_large_json_build() -> None:
    server = DemoServer().start()
    name = server.name
    failures: list[BaseException] = []

    def call() -> None:
        try:
            requests.get(server.url + "/json/large?mb=200&seed=99", timeout=60)
        except requests.RequestException as exc:
            failures.append(exc)

    client = threading.Thread(target=call, daemon=True)
    client.start()
    deadline = time.monotonic() + 10
    while len(server_threads(name)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition: the connection thread exists
    time.sleep(0.3)  # let the build get going (a faster stop only makes the test easier)
    start = time.monotonic()
    assert server.stop(timeout=1.0) is True
    assert time.monotonic() - start < 1.0
    assert server_threads(name) == []
    client.join(5)
    assert len(failures) == 1


@pytest.mark.skipif(os.name != "posix", reason="SIGSTOP freezes the child")
def test_a_demo_process_that_does_not_stop_in_time_is_killed_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from guiapp.demo import DemoProcess

    demo = DemoProcess().start()
    requests.get(demo.url + "/status/200", timeout=10)  # it serves: its pid is its own
    process = demo._process
    assert process is not None
    os.kill(process.pid, signal.SIGSTOP)  # it cannot react to its lifeline any more
    try:
        with caplog.at_level(logging.DEBUG, logger="guiapp.demo"):
            assert demo.stop(0.2) is False
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(5)
    assert process.returncode == -signal.SIGKILL
    killed = [r for r in caplog.records if "killed" in r.getMessage()]
    assert [r.levelno for r in killed] == [logging.INFO]  # the app's quit prints nothing
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("level", [logging.WARNING, logging.DEBUG])
def test_stop_names_abandoned_threads_at_the_level_asked(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, level: int
) -> None:
    server = DemoServer().start()
    httpd = server._httpd
    assert httpd is not None
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, args=(10,), name="stuck-handler", daemon=True)
    stuck.start()
    monkeypatch.setattr(httpd, "close_connections", lambda: [stuck])
    try:
        with caplog.at_level(logging.DEBUG, logger="guiapp.demo"):
            assert server.stop(0.05, abandoned_level=level) is False
    finally:
        release.set()
        stuck.join(5)
    abandoned = [r for r in caplog.records if "abandoned" in r.getMessage()]
    assert [r.levelno for r in abandoned] == [level]
    assert "stuck-handler" in abandoned[0].getMessage()
