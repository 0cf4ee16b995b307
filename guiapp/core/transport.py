"""The blocking HTTP transport: :func:`send` a :class:`RequestSpec`, get a :class:`Response`.

``send`` is plain blocking code built on ``requests``. It cooperates with whoever runs it
through the job hooks of :mod:`guiapp.core.jobs`: it calls ``checkpoint()`` between body chunks,
``report_progress(done, total, phase=..., speed=...)`` as bytes arrive, and registers an
``on_cancel`` callback that shuts the request's own sockets, so a cancel unblocks a request stuck
in connect, waiting for headers or mid-body at once (the job then raises ``Cancelled``).

Any HTTP status is a successful send. Failures raise :class:`~guiapp.core.errors.RequestError`
subclasses: :class:`~guiapp.core.errors.InvalidRequest` before any I/O, and
:class:`~guiapp.core.errors.TransportError` subclasses after. A response that stopped before its
end (:class:`~guiapp.core.errors.TruncatedTransfer`: connection lost, a deadline, a size limit)
carries what arrived in ``partial_response``.

Limits, each a :class:`RequestSpec` field with a default (``None`` turns it off): the whole
exchange within ``total_timeout`` seconds and each response's headers within
``headers_timeout`` (a server dripping a byte at a time is stopped: the read timeout only
bounds the silence between two reads), at most ``max_body_bytes`` of decoded body, and at most
``max_decompression_ratio`` decoded bytes per byte received once the decoded body passes
16 MiB. A full disk while spooling raises :class:`~guiapp.core.errors.DiskFull`.

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
    RatioExceeded,
    SpoolFull,
)
from guiapp.core._http_deadline import Deadlines
from guiapp.core._http_direct import DirectReader
from guiapp.core._http_errors import host_of, is_bad_chunking, is_timeout, translate
from guiapp.core._http_prepare import PreparedFiles, build_request, mask_url, validate
from guiapp.core._http_proxy import ProxyChoice, choose_proxy
from guiapp.core._http_stream import StreamSink, stream_sink
from guiapp.core.errors import (
    BodyTooLarge,
    ConnectionLost,
    DeadlineExceeded,
    DiskFull,
    MalformedResponse,
    ReadTimeout,
    RequestError,
    TooManyRedirects,
)
from guiapp.core.jobs import Cancelled, checkpoint, current_job, on_cancel, report_progress
from guiapp.core.request import DEFAULT_TOTAL_TIMEOUT, RequestSpec
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
_DEADLINE_NAMES = {"total_timeout": "total deadline", "headers_timeout": "headers deadline"}


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
    session is made and closed. A caller's session lends its settings where the request keeps
    the defaults: its ``verify`` when ``spec.verify`` is True, its ``cert`` when ``spec.cert``
    is None, its ``proxies`` when ``spec.proxy`` is unset (before the environment's).

    Bodies over ``spool_threshold`` bytes go to a temporary file in ``spool_dir``; close the
    response (or use ``with``) to delete it. ``chunk_size`` is the read size for bodies that are
    decoded (gzip/deflate) or chunked; other bodies are read straight into a reused buffer of up
    to ``max(chunk_size, 1 MiB)``, one ``recv`` at a time.
    """
    checkpoint()
    validate(spec)
    _log.debug("sending %s %s", spec.method, mask_url(spec.url))
    own_session = session is None
    sess = make_session() if session is None else session
    if not own_session:
        install_tracking(sess)
    tracker = SocketTracker()
    deadlines = Deadlines(
        total=spec.total_timeout, headers=spec.headers_timeout, on_expiry=tracker.shutdown_all
    )
    try:
        with PreparedFiles() as files, tracker.bound(), on_cancel(tracker.shutdown_all):
            response = _send(
                spec,
                _Exchange(sess, None if own_session else sess, tracker, deadlines),
                files,
                spool_threshold,
                spool_dir,
                chunk_size,
            )
    except RequestError as exc:
        _log.debug("%s %s failed: %s", spec.method, mask_url(spec.url), exc)
        raise
    finally:
        deadlines.close()
        if own_session:
            sess.close()
    _log.debug("received %r in %.3f s (ttfb %.3f s)", response, response.elapsed, response.ttfb)
    return response


class _Exchange:
    """What one ``send`` works with: the session, the caller's session (or None), the socket
    tracker (with its phase clock) and the deadlines."""

    def __init__(
        self,
        sess: requests.Session,
        caller_session: requests.Session | None,
        tracker: SocketTracker,
        deadlines: Deadlines,
    ) -> None:
        self.sess = sess
        self.caller_session = caller_session
        self.tracker = tracker
        self.clock = tracker.clock
        self.deadlines = deadlines
        self.proxy = ProxyChoice()

    def deadline_error(
        self, url: str, *, received: int = 0, partial: Response | None = None
    ) -> DeadlineExceeded:
        name = self.deadlines.expired or "total_timeout"
        seconds = self.deadlines.seconds(name)
        what = "response headers" if name == "headers_timeout" else "response"
        kept = "; the part of the body that arrived is kept" if partial is not None else ""
        return DeadlineExceeded(
            f"No complete {what} from {host_of(url)} within {seconds:g} s "
            f"({_DEADLINE_NAMES[name]}){kept}.",
            limit_name=name,
            seconds=seconds,
            bytes_received=received,
            partial_response=partial,
            url=url,
        )


def _send(
    spec: RequestSpec,
    ex: _Exchange,
    files: PreparedFiles,
    spool_threshold: int,
    spool_dir: str | None,
    chunk_size: int,
) -> Response:
    started = time.perf_counter()
    url = spec.url
    sess = ex.sess
    raw_response: requests.Response | None = None
    try:
        prep = sess.prepare_request(build_request(spec, files))
        caller = ex.caller_session
        kwargs: dict[str, Any] = {
            "stream": True,
            "timeout": (spec.connect_timeout, spec.read_timeout),
            # A caller's session lends what the request leaves at its default.
            "verify": caller.verify if caller is not None and spec.verify is True else spec.verify,
            "cert": caller.cert if caller is not None and spec.cert is None else spec.cert,
        }
        history: list[Response] = []
        while True:
            checkpoint()
            url = prep.url or url
            ex.proxy = choose_proxy(spec, caller, url)
            kwargs["proxies"] = ex.proxy.proxies
            report_progress(0, None, phase="connecting", url=url)
            hop_started = time.perf_counter()
            ex.clock.start(hop_started)
            ex.deadlines.hop_started()
            raw_response = _send_once(sess, prep, kwargs)
            ex.deadlines.headers_in()
            shutdown = getattr(raw_response.raw, "shutdown", None)
            if shutdown is not None:  # urllib3 >= 2.3: cancel even if tracking failed
                ex.tracker.add_fallback(shutdown)
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
            history.append(_redirect_hop(raw_response, ttfb, started, ex))
            forget_tracked_sockets()  # resolve_redirects hands the connection back to the pool
            previous = prep.url or url
            prep = next(sess.resolve_redirects(raw_response, prep, yield_requests=True, **kwargs))
            _strip_sensitive(spec, sess, previous, prep)
        response = _read_body(
            spec, raw_response, prep, ttfb, started, spool_threshold, spool_dir, chunk_size, ex
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
        if ex.deadlines.expired is not None:
            raise ex.deadline_error(url) from exc
        raise translate(
            exc, url, read_timeout=spec.read_timeout, connect_timeout=spec.connect_timeout
        ) from exc


def _strip_sensitive(
    spec: RequestSpec, sess: requests.Session, previous: str, prep: requests.PreparedRequest
) -> None:
    # Headers filled from secret variables get Authorization's treatment: dropped when the
    # redirect goes to another host or from https down to http (requests' own rule).
    strip = sess.should_strip_auth(previous, prep.url or "")  # type: ignore[no-untyped-call]
    if spec.sensitive_headers and strip:
        for name in spec.sensitive_headers:
            prep.headers.pop(name, None)


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


def _redirect_hop(raw: requests.Response, ttfb: float, started: float, ex: _Exchange) -> Response:
    data = raw.raw.read(_REDIRECT_BODY_KEEP, decode_content=False) or b""
    if raw.raw.read(1, decode_content=False):
        raw.raw.close()  # a huge redirect body: drop the connection rather than read it all
    # resolve_redirects() then reads .content to free the connection: nothing is left to read.
    end = time.perf_counter()
    return Response(
        **_meta(raw),
        body=data,
        ttfb=ttfb,
        elapsed=end - started,
        timings=ex.clock.finish(end),
        proxy=ex.proxy.shown,
        proxy_source=ex.proxy.source,
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
    ex: _Exchange,
) -> Response:
    meta = _meta(raw)
    url = prep.url or spec.url
    host = host_of(url)
    cap = spec.max_body_bytes
    ratio = spec.max_decompression_ratio
    total = _content_length(raw)
    encoding = raw.headers.get("content-encoding", "")
    decoder = CappedDecoder(encoding, cap, ratio=ratio)
    if cap is not None and total is not None and not decoder.decodes and total > cap:
        raise BodyTooLarge(
            f"The response body is {total:,} bytes, over the limit of {cap:,} bytes "
            "(limit: max body size); nothing was read.",
            limit=cap,
            url=url,
        )
    sink = stream_sink(spec, raw, started, spool_threshold, spool_dir)
    received = 0
    deadlines = ex.deadlines
    if isinstance(sink, StreamSink) and spec.total_timeout == DEFAULT_TOTAL_TIMEOUT:
        # The default total deadline is for ordinary requests: an event stream may rightly
        # last for hours. A total deadline the user set by hand still applies.
        deadlines.lift_total()
    # Identity bodies: one recv per read, so a slow server's bytes still come as they arrive,
    # but up to 1 MiB when the socket has that much (fewer Python iterations and syscalls).
    # The buffer is sized by Content-Length so a small response does not allocate 1 MiB.
    read_size = max(chunk_size, _DIRECT_READ_SIZE)
    if total is not None:
        read_size = max(1, min(read_size, total))
    body_started = time.perf_counter()

    def partial(stopped_by: str = "") -> Response:
        summary = sink.end() if isinstance(sink, StreamSink) else None
        body, path = sink.finish()
        end = time.perf_counter()
        response = Response(
            **meta,
            body=body,
            spool_path=path,
            size=sink.size,
            wire_size=received,
            ttfb=ttfb,
            elapsed=end - started,
            partial=True,
            timings=ex.clock.finish(end),  # the download phase ends where the transfer did
            proxy=ex.proxy.shown,
            proxy_source=ex.proxy.source,
            stopped_by=stopped_by,
        )
        response.stream = summary
        return response

    try:
        direct = None if decoder.decodes else DirectReader.attach(raw.raw, read_size)
        if direct is not None:  # identity body: no urllib3 layers, no bytes object per read
            while deadlines.expired is None:
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
        while direct is None and deadlines.expired is None:
            checkpoint()
            chunk = raw.raw.read1(chunk_size, decode_content=False)
            if not chunk:
                break
            received += len(chunk)
            sink.write(decoder.feed(chunk))
            speed = received / max(time.perf_counter() - body_started, 1e-9)
            report_progress(received, total, phase="download", speed=speed)
            _yield_cpu()
        if deadlines.expired is None:
            sink.write(decoder.flush())
        checkpoint()  # a cancel's shutdown reads as EOF on a body without Content-Length
        if deadlines.expired is not None:  # so does the deadline's
            raise ex.deadline_error(url, received=received, partial=partial("total deadline"))
    except DeadlineExceeded:
        raise
    except (DecodedTooLarge, RatioExceeded) as exc:
        if isinstance(exc, RatioExceeded):
            assert ratio is not None
            with contextlib.suppress(SpoolFull):
                sink.write(exc.kept)  # decoded within the limit: part of what arrived
            message = (
                f"The decompressed body exceeds {ratio:g}x its compressed size (limit: max "
                f"decompression ratio): reading stopped after {received:,} bytes received, "
                f"{decoder.produced:,} decoded; the part that arrived is kept."
            )
            limit, name, stopped_by = ratio, "max_decompression_ratio", "max decompression ratio"
        else:
            assert cap is not None
            decoded = " once decompressed" if decoder.decodes else ""
            message = (
                f"The response body is larger than the limit of {cap:,} bytes{decoded} (limit: "
                "max body size); reading stopped, the part that arrived is kept."
            )
            limit, name, stopped_by = cap, "max_body_bytes", "max body size"
        raise BodyTooLarge(
            message,
            limit=limit,
            limit_name=name,
            bytes_received=received,
            partial_response=partial(stopped_by),
            url=url,
        ) from None
    except SpoolFull as exc:
        sink.discard()  # free the space the partial file took
        raise DiskFull(
            f"Disk full while saving the response ({exc.written:,} bytes written); the partial "
            "file was deleted to free the space. Free some disk space and send again.",
            bytes_written=exc.written,
            bytes_received=received,
            url=url,
        ) from None
    except ContentDecodingFailed as exc:
        sink.discard()
        raise MalformedResponse(
            f"The {encoding} body from {host} is corrupt: {exc}.", url=url
        ) from None
    except Exception as exc:
        control = current_job()
        if control is not None and control.cancelled:
            sink.discard()
            raise
        if deadlines.expired is not None:
            partial_response = partial("total deadline")
            raise ex.deadline_error(url, received=received, partial=partial_response) from exc
        if is_bad_chunking(exc):
            sink.discard()
            raise MalformedResponse(
                f"{host} sent invalid chunked encoding after {received:,} bytes.", url=url
            ) from exc
        if is_timeout(exc):
            sink.discard()
            idle = isinstance(sink, StreamSink)
            quiet = spec.stream_idle_timeout if idle else spec.read_timeout
            raise ReadTimeout(
                f"{host} sent nothing for {quiet:g} s "
                f"({'the stream idle limit' if idle else 'read timeout'}) after "
                f"{received:,} bytes of the body.",
                url=url,
            ) from exc
        of_total = f" of {total:,}" if total is not None else ""
        raise ConnectionLost(
            f"The connection to {host} was lost after {received:,}{of_total} bytes of the body; "
            "the partial body is kept.",
            bytes_received=received,
            partial_response=partial(),
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
        timings=ex.clock.finish(end),
        proxy=ex.proxy.shown,
        proxy_source=ex.proxy.source,
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
