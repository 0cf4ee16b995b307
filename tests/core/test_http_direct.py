"""The identity-body fast path (``DirectReader``) and the sink it writes into."""

from __future__ import annotations

import http.client
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from guiapp.core._http_adapter import make_session
from guiapp.core._http_body import BodySink
from guiapp.core._http_direct import DirectReader
from guiapp.core.errors import BodyTooLarge
from guiapp.core.jobs import JobControl, Progress, bind_job
from guiapp.core.request import RequestSpec
from guiapp.core.transport import send
from tests.faultserver import FaultServer, KeepAliveServer

MB = 1024 * 1024


def test_reads_whole_body_and_keeps_urllib3_accounting() -> None:
    session = make_session()
    with KeepAliveServer() as server:
        size = 3 * MB + 123
        raw = session.get(server.url(f"/bytes?n={size}"), stream=True, timeout=10)
        reader = DirectReader.attach(raw.raw, 1 << 16)
        assert reader is not None
        got = reads = 0
        while chunk := reader.read():
            assert len(chunk) <= 1 << 16
            assert not any(chunk[:16])  # the server sends zero bytes
            got += len(chunk)
            reads += 1
        reader.finish()
        assert got == size
        assert reads >= size // (1 << 16)
        assert raw.raw.tell() == size  # urllib3's own count, as if it had read the body
        assert raw.raw.length_remaining == 0
        assert raw.raw._fp.isclosed()  # http.client is done: the connection can be reused
        raw.raw.release_conn()
        assert session.get(server.url("/small"), timeout=10).json() == {"ok": True}
        assert server.connections == 1
    session.close()


def test_send_uses_it_and_the_pooled_connection_is_reused(
    tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    attached: list[DirectReader | None] = []
    real_attach = DirectReader.attach

    def attach(response: object, size: int) -> DirectReader | None:
        attached.append(real_attach(response, size))
        return attached[-1]

    monkeypatch.setattr(DirectReader, "attach", attach)
    session = make_session()
    seen: list[Progress] = []
    with KeepAliveServer() as server:
        for _ in range(2):
            with bind_job(JobControl(progress_sink=seen.append)):
                response = send(
                    RequestSpec(url=server.url(f"/bytes?n={20 * MB}")),
                    session=session,
                    spool_dir=os.fspath(tmp_path),
                )
            with response:
                assert response.is_spooled
                assert response.size == response.wire_size == 20 * MB
                with response.open() as body:
                    assert body.read(1 << 20) == bytes(1 << 20)
        assert send(RequestSpec(url=server.url("/small")), session=session).status_code == 200
        assert server.connections == 1
    session.close()
    assert len(attached) == 3
    assert all(attached)  # the fast path served all three bodies
    downloads = [p for p in seen if p.info.get("phase") == "download"]
    assert len(downloads) >= 40  # progress after every read of at most 1 MiB, not at the end
    assert all(p.info["speed"] > 0 for p in downloads)


def test_early_eof_raises_incomplete_read(faultserver: FaultServer) -> None:
    session = make_session()
    raw = session.get(faultserver.url("/close-mid-body"), stream=True, timeout=5)
    reader = DirectReader.attach(raw.raw, 1 << 16)
    assert reader is not None
    got: list[int] = []

    def drain() -> None:
        while chunk := reader.read():
            got.append(len(chunk))

    with pytest.raises(http.client.IncompleteRead):
        drain()
    assert sum(got) == 3000  # every byte that arrived was handed out before the error
    raw.close()
    session.close()


def test_not_used_for_chunked_bodies(faultserver: FaultServer) -> None:
    session = make_session()
    raw = session.get(faultserver.url("/bogus-chunked"), stream=True, timeout=5)
    assert DirectReader.attach(raw.raw, 1 << 16) is None
    raw.close()
    session.close()


def test_not_used_once_urllib3_has_read() -> None:
    session = make_session()
    with KeepAliveServer() as server:
        raw = session.get(server.url("/bytes?n=1000"), stream=True, timeout=10)
        assert raw.raw.read(10) == bytes(10)
        assert DirectReader.attach(raw.raw, 1 << 16) is None
        raw.close()
    session.close()


@pytest.mark.parametrize("threshold", [1 << 20, 6])
def test_sink_copies_a_reused_buffer(tmp_path: os.PathLike[str], threshold: int) -> None:
    sink = BodySink(threshold, os.fspath(tmp_path))
    buffer = bytearray(b"first")
    view = memoryview(buffer)
    sink.write(view)
    buffer[:] = b"later"  # the reader reuses its buffer for the next read
    sink.write(view[:3])
    sink.write(b"")  # empty writes are ignored
    body, path = sink.finish()
    if path is None:
        assert body == b"firstlat"
    else:
        with open(path, "rb") as f:
            assert f.read() == b"firstlat"
        os.unlink(path)


@contextmanager
def close_delimited_server(body: bytes) -> Iterator[str]:
    """One connection: an identity body without Content-Length, ended by closing."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
            with suppress(OSError):  # the client may stop reading
                conn.sendall(body)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        thread.join(10)
        listener.close()


def test_close_delimited_body_and_its_cap() -> None:
    body = os.urandom(3 * MB)
    with close_delimited_server(body) as url:
        response = send(RequestSpec(url=url, timeout=10))
    with response:
        assert response.body_bytes() == body
        assert response.wire_size == len(body)
    with close_delimited_server(body) as url, pytest.raises(BodyTooLarge):
        send(RequestSpec(url=url, timeout=10, max_body_bytes=MB))
