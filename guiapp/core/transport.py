"""The blocking HTTP transport: :func:`send` a :class:`RequestSpec`, get a :class:`Response`.

``send`` is plain blocking code built on ``requests``. It cooperates with whoever runs it
through the job hooks of :mod:`guiapp.core.jobs`: it calls ``checkpoint()`` between body chunks,
``report_progress(done, total, phase=..., speed=...)`` as bytes arrive, and registers an
``on_cancel`` callback that shuts the request's own sockets, so a cancel unblocks a request stuck
in connect, waiting for headers or mid-body at once (the job then raises ``Cancelled``).

Any HTTP status is a successful send. Failures raise :class:`~guiapp.core.errors.RequestError`
subclasses: :class:`~guiapp.core.errors.InvalidRequest` before any I/O, and
:class:`~guiapp.core.errors.TransportError` subclasses after.

Example::

    from guiapp.core import RequestSpec, send

    with send(RequestSpec(url="http://127.0.0.1:8000/get", params=[("q", "1")])) as response:
        print(response.status_code, response.headers["content-type"], response.text())
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import Any

import requests
from requests.cookies import extract_cookies_to_jar
from requests.hooks import dispatch_hook

from guiapp.core._http_adapter import (
    SocketTracker,
    forget_tracked_sockets,
    install_tracking,
    make_session,
)
from guiapp.core._http_body import (
    DEFAULT_SPOOL_THRESHOLD,
    CappedDecoder,
    ContentDecodingFailed,
    DecodedTooLarge,
)
from guiapp.core._http_direct import DirectReader
from guiapp.core._http_errors import host_of, is_bad_chunking, is_timeout, translate
from guiapp.core._http_prepare import PreparedFiles, build_request, mask_url, validate
from guiapp.core._http_stream import StreamSink, stream_sink
from guiapp.core._http_timing import PhaseClock
from guiapp.core.errors import (
    BodyTooLarge,
    ConnectionLost,
    MalformedResponse,
    ReadTimeout,
    RequestError,
    TooManyRedirects,
)
from guiapp.core.jobs import Cancelled, checkpoint, current_job, on_cancel, report_progress
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_SPOOL_THRESHOLD", "make_session", "send"]

_log = logging.getLogger(__name__)
DEFAULT_CHUNK_SIZE = 1 << 16
_DIRECT_READ_SIZE = 1 << 20  # largest read of an identity (not decoded) body
_REDIRECT_BODY_KEEP = 1 << 16  # bytes of a redirect's own body kept for display
#: After each body read, give the CPU to any thread waiting for one (the GUI thread woken for
#: its next frame): with every core busy (a fast download, a local server) it would otherwise
#: wait up to a scheduler slice. About 1 µs per read; no-op where the OS lacks it.
_yield_cpu = getattr(os, "sched_yield", lambda: None)
_VERSIONS = {9: "HTTP/0.9", 10: "HTTP/1.0", 11: "HTTP/1.1", 20: "HTTP/2", 30: "HTTP/3"}


def send(
    spec: RequestSpec,
    *,
    session: requests.Session | None = None,
    spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    spool_dir: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Response:
    """Send ``spec`` and return the complete :class:`Response` (body in memory or spooled).

    ``session`` may be shared between calls (and threads) for connection pooling; tracking
    adapters are mounted on it if needed (see :func:`make_session`). Without one, a private
    session is made and closed. Bodies over ``spool_threshold`` bytes go to a temporary file in
    ``spool_dir``; close the response (or use ``with``) to delete it. ``chunk_size`` is the
    read size for bodies that are decoded (gzip/deflate) or chunked; other bodies are read
    straight into a reused buffer of up to ``max(chunk_size, 1 MiB)``, one ``recv`` at a time.
    """
    checkpoint()
    validate(spec)
    _log.debug("sending %s %s", spec.method, mask_url(spec.url))
    own_session = session is None
    sess = make_session() if session is None else session
    if not own_session:
        install_tracking(sess)
    tracker = SocketTracker()
    try:
        with PreparedFiles() as files, tracker.bound(), on_cancel(tracker.shutdown_all):
            response = _send(
                spec, sess, files, spool_threshold, spool_dir, chunk_size, tracker.clock
            )
    except RequestError as exc:
        _log.debug("%s %s failed: %s", spec.method, mask_url(spec.url), exc)
        raise
    finally:
        if own_session:
            sess.close()
    _log.debug("received %r in %.3f s (ttfb %.3f s)", response, response.elapsed, response.ttfb)
    return response


def _send(
    spec: RequestSpec,
    sess: requests.Session,
    files: PreparedFiles,
    spool_threshold: int,
    spool_dir: str | None,
    chunk_size: int,
    clock: PhaseClock,
) -> Response:
    started = time.perf_counter()
    url = spec.url
    raw_response: requests.Response | None = None
    try:
        prep = sess.prepare_request(build_request(spec, files))
        proxies = {"http": spec.proxy, "https": spec.proxy} if spec.proxy else {}
        kwargs: dict[str, Any] = {
            "stream": True,
            "timeout": (spec.connect_timeout, spec.read_timeout),
            "verify": spec.verify,
            "cert": spec.cert,
            "proxies": proxies,
        }
        history: list[Response] = []
        while True:
            checkpoint()
            url = prep.url or url
            report_progress(0, None, phase="connecting", url=url)
            hop_started = time.perf_counter()
            clock.start(hop_started)
            raw_response = _send_once(sess, prep, kwargs)
            ttfb = time.perf_counter() - hop_started
            target = sess.get_redirect_target(raw_response) if spec.follow_redirects else None
            if target is None:
                break
            if len(history) >= spec.max_redirects:
                raw_response.raw.close()
                chain = (*(h.url for h in history), raw_response.url)
                raise TooManyRedirects(
                    f"Stopped after {spec.max_redirects} redirects (last to {target!r}): "
                    "the server may be redirecting in a loop.",
                    history=chain,
                    url=spec.url,
                )
            history.append(_redirect_hop(raw_response, ttfb, started, clock))
            forget_tracked_sockets()  # resolve_redirects hands the connection back to the pool
            prep = next(sess.resolve_redirects(raw_response, prep, yield_requests=True, **kwargs))
        response = _read_body(
            spec, raw_response, prep, ttfb, started, spool_threshold, spool_dir, chunk_size, clock
        )
        response.history = tuple(history)
        return response
    except BaseException as exc:
        if raw_response is not None:
            raw_response.raw.close()  # never hand a half-read connection back to the pool
        control = current_job()
        if control is not None and control.cancelled:
            if isinstance(exc, Cancelled):
                raise
            raise Cancelled(f"the request to {url} was cancelled") from exc
        if isinstance(exc, RequestError | Cancelled) or not isinstance(exc, Exception):
            raise
        raise translate(
            exc, url, read_timeout=spec.read_timeout, connect_timeout=spec.connect_timeout
        ) from exc


def _send_once(
    sess: requests.Session, prep: requests.PreparedRequest, kwargs: dict[str, Any]
) -> requests.Response:
    # Session.send minus its redirect handling, which reads redirect bodies without any cap
    # and cannot be cancelled between hops.
    adapter = sess.get_adapter(url=prep.url or "")
    response = adapter.send(prep, **kwargs)
    hooked: requests.Response = dispatch_hook(  # type: ignore[no-untyped-call]
        "response", prep.hooks, response, **kwargs
    )  # digest auth answers its 401 challenge here
    for earlier in hooked.history:
        extract_cookies_to_jar(sess.cookies, earlier.request, earlier.raw)  # type: ignore[no-untyped-call]
    extract_cookies_to_jar(sess.cookies, prep, hooked.raw)  # type: ignore[no-untyped-call]
    return hooked


def _meta(raw: requests.Response) -> dict[str, Any]:
    return {
        "status_code": raw.status_code,
        "reason": raw.reason or "",
        "http_version": _VERSIONS.get(getattr(raw.raw, "version", 11), "HTTP/1.1"),
        "headers": list(raw.raw.headers.items()),
        "url": raw.url,
        "method": raw.request.method or "GET",
        "request_headers": list(raw.request.headers.items()),
    }


def _redirect_hop(
    raw: requests.Response, ttfb: float, started: float, clock: PhaseClock
) -> Response:
    data = raw.raw.read(_REDIRECT_BODY_KEEP, decode_content=False) or b""
    if raw.raw.read(1, decode_content=False):
        raw.raw.close()  # a huge redirect body: drop the connection rather than read it all
    # resolve_redirects() reads .content to free the connection: it has been read already.
    raw._content = data
    raw._content_consumed = True  # type: ignore[attr-defined]
    end = time.perf_counter()
    return Response(
        **_meta(raw), body=data, ttfb=ttfb, elapsed=end - started, timings=clock.finish(end)
    )


def _read_body(
    spec: RequestSpec,
    raw: requests.Response,
    prep: requests.PreparedRequest,
    ttfb: float,
    started: float,
    spool_threshold: int,
    spool_dir: str | None,
    chunk_size: int,
    clock: PhaseClock,
) -> Response:
    meta = _meta(raw)
    url = prep.url or spec.url
    host = host_of(url)
    cap = spec.max_body_bytes
    total = _content_length(raw)
    encoding = raw.headers.get("content-encoding", "")
    decoder = CappedDecoder(encoding, cap)
    if cap is not None and total is not None and not decoder.decodes and total > cap:
        raise BodyTooLarge(
            f"The response body is {total:,} bytes, over the limit of {cap:,} bytes.",
            limit=cap,
            url=url,
        )
    sink = stream_sink(spec, raw, started, spool_threshold, spool_dir)
    received = 0
    # Identity bodies: one recv per read, so a slow server's bytes still come as they arrive,
    # but up to 1 MiB when the socket has that much (fewer Python iterations and syscalls).
    # The buffer is sized by Content-Length so a small response does not allocate 1 MiB.
    read_size = max(chunk_size, _DIRECT_READ_SIZE)
    if total is not None:
        read_size = max(1, min(read_size, total))
    body_started = time.perf_counter()
    try:
        direct = None if decoder.decodes else DirectReader.attach(raw.raw, read_size)
        if direct is not None:  # identity body: no urllib3 layers, no bytes object per read
            while True:
                checkpoint()
                view = direct.read()
                if not view:
                    break
                received += len(view)
                decoder.count(len(view))
                sink.write(view)
                speed = received / max(time.perf_counter() - body_started, 1e-9)
                report_progress(received, total, phase="download", speed=speed)
                _yield_cpu()
            direct.finish()
        while direct is None:
            checkpoint()
            chunk = raw.raw.read1(chunk_size, decode_content=False)
            if not chunk:
                break
            received += len(chunk)
            sink.write(decoder.feed(chunk))
            speed = received / max(time.perf_counter() - body_started, 1e-9)
            report_progress(received, total, phase="download", speed=speed)
            _yield_cpu()
        sink.write(decoder.flush())
        checkpoint()  # a cancel's shutdown reads as EOF on a body without Content-Length
    except (DecodedTooLarge, ContentDecodingFailed) as exc:
        sink.discard()
        if isinstance(exc, ContentDecodingFailed):
            raise MalformedResponse(
                f"The {encoding} body from {host} is corrupt: {exc}.", url=url
            ) from None
        assert cap is not None
        raise BodyTooLarge(
            f"The response body is larger than the limit of {cap:,} bytes"
            f"{' once decompressed' if decoder.decodes else ''}; reading stopped.",
            limit=cap,
            url=url,
        ) from None
    except Exception as exc:
        control = current_job()
        if control is not None and control.cancelled:
            sink.discard()
            raise
        if is_bad_chunking(exc):
            sink.discard()
            raise MalformedResponse(
                f"{host} sent invalid chunked encoding after {received:,} bytes.", url=url
            ) from exc
        if is_timeout(exc):
            sink.discard()
            idle = isinstance(sink, StreamSink)
            limit = spec.stream_idle_timeout if idle else spec.read_timeout
            raise ReadTimeout(
                f"{host} sent nothing for {limit:g} s "
                f"({'the stream idle limit' if idle else 'read timeout'}) after "
                f"{received:,} bytes of the body.",
                url=url,
            ) from exc
        summary = sink.end() if isinstance(sink, StreamSink) else None
        body, path = sink.finish()
        end = time.perf_counter()
        partial = Response(
            **meta,
            body=body,
            spool_path=path,
            size=sink.size,
            wire_size=received,
            ttfb=ttfb,
            elapsed=end - started,
            partial=True,
            timings=clock.finish(end),  # the download phase ends where the connection did
        )
        partial.stream = summary
        of_total = f" of {total:,}" if total is not None else ""
        raise ConnectionLost(
            f"The connection to {host} was lost after {received:,}{of_total} bytes of the body; "
            "the partial body is kept.",
            bytes_received=received,
            partial_response=partial,
            url=url,
        ) from exc
    except BaseException:
        sink.discard()
        raise
    summary = sink.end() if isinstance(sink, StreamSink) else None
    forget_tracked_sockets()  # from here on the socket may serve another thread's request
    with contextlib.suppress(Exception):
        raw.raw.release_conn()  # fully read: the connection may serve the next request
    body, path = sink.finish()
    report_progress(received, total if total is not None else received, phase="done")
    end = time.perf_counter()  # where elapsed always ended: the hop's total ends there too
    response = Response(
        **meta,
        body=body,
        spool_path=path,
        size=sink.size,
        wire_size=received,
        ttfb=ttfb,
        elapsed=end - started,
        timings=clock.finish(end),
    )
    response.stream = summary
    return response


def _content_length(raw: requests.Response) -> int | None:
    value = raw.headers.get("content-length")
    if value is None or raw.request.method == "HEAD" or raw.status_code in (204, 304):
        return None
    try:
        length = int(value.split(",")[0])
    except ValueError:
        return None
    return length if length >= 0 else None
