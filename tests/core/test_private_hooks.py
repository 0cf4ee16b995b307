"""The private members of requests/urllib3/http.client the transport still relies on.

Each has a test here that fails loudly if the pinned versions (``requests>=2.32,<3``,
``urllib3>=2,<3``) move it, and a test that the transport degrades gracefully without it:
requests still complete, a cancel still unblocks them, timings say unavailable.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import threading
import time

import pytest
import urllib3
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.response import HTTPResponse

from guiapp.core import RequestSpec, send
from guiapp.core import _http_adapter as adapter
from guiapp.core._http_direct import DirectReader
from guiapp.core.jobs import Cancelled, JobControl, bind_job
from tests.faultserver import FaultServer


def test_pinned_versions() -> None:
    import requests

    assert int(urllib3.__version__.split(".")[0]) == 2
    assert int(requests.__version__.split(".")[0]) == 2


def test_urllib3_connection_hooks_exist() -> None:
    # _new_conn: the socket is seen before it connects; _dns_host: the name it resolves.
    assert callable(HTTPConnection._new_conn)
    assert HTTPConnection("example.com.", 80)._dns_host == "example.com."
    assert callable(http.client.HTTPConnection._tunnel)  # type: ignore[attr-defined]
    assert callable(HTTPSConnectionPool._validate_conn)
    assert http.client.HTTPConnection.response_class is http.client.HTTPResponse


def test_urllib3_response_hooks_exist(faultserver: FaultServer) -> None:
    with adapter.make_session() as session:
        raw = session.get(faultserver.url("/bytes?n=10"), stream=True).raw
        assert isinstance(raw, HTTPResponse)
        assert isinstance(raw._fp, adapter.GuardedHTTPResponse)
        assert raw._fp_bytes_read == 0
        assert raw.length_remaining == 10
        assert callable(raw.shutdown)  # public since urllib3 2.3
        assert DirectReader.attach(raw, 1024) is not None
        raw.close()


def test_cookiejar_lock_exists() -> None:
    assert hasattr(http.cookiejar.CookieJar(), "_cookies_lock")


def test_our_connection_hook_runs_and_is_audited(faultserver: FaultServer) -> None:
    seen: list[tuple[object, ...]] = []
    listening = threading.Event()

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "http.client.connect" and listening.is_set():
            seen.append(args)

    import sys

    sys.addaudithook(hook)  # cannot be removed: it only listens while the event is set
    listening.set()
    try:
        with send(RequestSpec(url=faultserver.url("/ok"), timeout=5)) as response:
            timings = response.timings
    finally:
        listening.clear()
    assert timings is not None
    assert not timings.reused
    assert any(isinstance(args[0], adapter.TrackedHTTPConnection) for args in seen)


# -- graceful fallbacks ---------------------------------------------------------------------------
def test_without_the_direct_reader_bodies_are_read_through_urllib3(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DirectReader, "attach", classmethod(lambda cls, raw, size: None))
    with send(RequestSpec(url=faultserver.url("/bytes?n=300000"), timeout=5)) as response:
        assert response.size == 300000


def test_without_our_connect_hook_timings_are_unavailable_and_cancel_still_works(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(adapter._TrackedMixin, "_new_conn")  # as if urllib3 had renamed it
    with send(RequestSpec(url=faultserver.url("/ok"), timeout=5)) as response:
        assert response.timings is None  # shown as "unavailable", never as wrong phases
    _assert_cancel_unblocks(faultserver)


def test_without_socket_tracking_cancel_falls_back_on_response_shutdown(
    faultserver: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adapter.SocketTracker, "attach", lambda self, sock: None)
    _assert_cancel_unblocks(faultserver)


def _assert_cancel_unblocks(faultserver: FaultServer) -> None:
    control = JobControl()
    outcome: list[BaseException] = []

    def run() -> None:
        with bind_job(control):
            try:
                send(RequestSpec(url=faultserver.url("/stall-mid-body"), timeout=20))
            except BaseException as exc:
                outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    deadline = time.monotonic() + 5
    while len(faultserver.requests) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the worker is now blocked reading the stalled body
    started = time.monotonic()
    control.cancel()
    worker.join(5)
    assert not worker.is_alive()
    assert time.monotonic() - started < 2
    assert outcome
    assert isinstance(outcome[0], Cancelled)
