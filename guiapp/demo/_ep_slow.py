"""Slow, streaming and large endpoints. Each one is capped in time and size."""

from __future__ import annotations

import json
import random

from guiapp.demo._content import large_json
from guiapp.demo._ep_echo import echo
from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import ALL_METHODS, RouteTable

routes = RouteTable()

MAX_DELAY = 30.0
MAX_NEVER = 600.0
MAX_BYTES = 16 * 1024 * 1024
MAX_DOWNLOAD_MB = 2048.0
MAX_JSON_MB = 256.0
MAX_STREAM_LINES = 10_000
_MB = 1024 * 1024
_BLOCK = 64 * 1024


@routes.add(
    "/delay/{seconds}",
    f"Answers after the given seconds (max {MAX_DELAY:g}).",
    "/delay/2",
    methods=ALL_METHODS,
)
def delay(h: DemoHandler, args: dict[str, str]) -> None:
    seconds = h.number(args["seconds"], "seconds", 1, 0, MAX_DELAY)
    if h.wait(seconds):
        h.send_json({**echo(h), "delay": seconds})


@routes.add(
    "/slow-headers",
    "Accepts the request, waits ?delay= seconds, then sends headers.",
    "/slow-headers?delay=3",
)
def slow_headers(h: DemoHandler, _: dict[str, str]) -> None:
    seconds = h.number(h.arg("delay"), "delay", 3, 0, MAX_DELAY)
    if h.wait(seconds):
        h.send_json({"delayed_headers": seconds})


@routes.add(
    "/never",
    "Accepts and never answers, until the client closes or the server stops "
    f"(or {MAX_NEVER:g} s pass, then the connection is closed without a response).",
    methods=ALL_METHODS,
)
def never(h: DemoHandler, _: dict[str, str]) -> None:
    h.wait(MAX_NEVER)
    h.close_connection = True


@routes.add(
    "/drip",
    "Sends ?numbytes= bytes spread over ?duration= s, after ?delay= s, with status ?code=.",
    "/drip?numbytes=20&duration=4&delay=1",
)
def drip(h: DemoHandler, _: dict[str, str]) -> None:
    numbytes = int(h.number(h.arg("numbytes"), "numbytes", 10, 1, MAX_BYTES))
    duration = h.number(h.arg("duration"), "duration", 2, 0, MAX_DELAY)
    initial = h.number(h.arg("delay"), "delay", 0, 0, MAX_DELAY)
    code = int(h.number(h.arg("code"), "code", 200, 200, 599))
    if not h.wait(initial):
        return
    # At most ~50 writes a second however many bytes: the point is pace, not syscall count.
    steps = max(1, min(numbytes, int(duration * 50)))
    h.start(code, [("Content-Type", "application/octet-stream")], numbytes)
    sent = 0
    for step in range(1, steps + 1):
        upto = numbytes * step // steps
        h.write(b"*" * (upto - sent))
        sent = upto
        if step < steps and not h.wait(duration / steps):
            return


@routes.add(
    "/stream/{n}",
    f"Streams n JSON lines, chunked (max {MAX_STREAM_LINES}); ?delay= seconds between lines.",
    "/stream/20?delay=0.1",
)
def stream(h: DemoHandler, args: dict[str, str]) -> None:
    n = int(h.number(args["n"], "n", 10, 0, MAX_STREAM_LINES))
    pause = h.number(h.arg("delay"), "delay", 0, 0, MAX_DELAY / max(n, 1))
    base = echo(h)
    h.start(200, [("Content-Type", "application/x-ndjson")])
    for i in range(n):
        line = {"id": i, "url": base["url"], "args": base["args"], "headers": base["headers"]}
        h.write(json.dumps(line).encode() + b"\n")
        if pause and i < n - 1 and not h.wait(pause):
            return


@routes.add(
    "/bytes/{n}",
    f"n random bytes (max {MAX_BYTES}), reproducible with ?seed=.",
    "/bytes/1024?seed=42",
)
def random_bytes(h: DemoHandler, args: dict[str, str]) -> None:
    n = int(h.number(args["n"], "n", 1024, 0, MAX_BYTES))
    seed = int(h.number(h.arg("seed"), "seed", 0, 0, 2**32))
    h.send(random.Random(seed).randbytes(n), "application/octet-stream")


def download_block() -> bytes:
    """The 64 KiB block /download repeats: fixed pseudo-random bytes."""
    return random.Random(1234).randbytes(_BLOCK)


@routes.add(
    "/download",
    f"A large binary body of ?mb= MiB (max {MAX_DOWNLOAD_MB:g}), streamed "
    "with a Content-Length; ?chunked=1 sends it chunked, with no length.",
    "/download?mb=100",
)
def download(h: DemoHandler, _: dict[str, str]) -> None:
    total = int(h.number(h.arg("mb"), "mb", 10, 0, MAX_DOWNLOAD_MB) * _MB)
    chunked = (h.arg("chunked") or "").lower() in ("1", "true", "yes")
    headers = [
        ("Content-Type", "application/octet-stream"),
        ("Content-Disposition", f'attachment; filename="download-{total}.bin"'),
    ]
    h.start(200, headers, None if chunked else total)
    block = download_block()
    sent = 0
    while sent < total:
        if h.server.stopping.is_set():
            h.abort()
            return
        piece = block[: total - sent]
        h.write(piece)
        sent += len(piece)


@routes.add(
    "/json/large",
    f"A realistic nested JSON document of about ?mb= MiB (max "
    f"{MAX_JSON_MB:g}), deterministic (?seed=), with a Content-Length.",
    "/json/large?mb=50",
)
def json_large(h: DemoHandler, _: dict[str, str]) -> None:
    mb = h.number(h.arg("mb"), "mb", 5, 0, MAX_JSON_MB)
    seed = int(h.number(h.arg("seed"), "seed", 0, 0, 2**32))
    body = large_json(int(mb * _MB), seed, h.server.stopping.is_set)
    h.start(200, [("Content-Type", "application/json")], len(body))
    view = memoryview(body)
    for offset in range(0, len(body), 1024 * 1024):
        if h.server.stopping.is_set():
            h.abort()
            return
        h.write(view[offset : offset + 1024 * 1024])
