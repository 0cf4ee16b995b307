"""Event streams: Server-Sent Events (an LLM-like chat, a counter, a stream that never ends) and
NDJSON at a chosen rate. Each one is capped in count, rate and time, and stops as soon as the
client leaves or the server stops."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import RouteTable

routes = RouteTable()

MAX_EVENTS = 1_000_000
MAX_RATE = 100_000.0
MAX_TOKENS = 10_000
MAX_TOKEN_DELAY_MS = 2_000.0
MAX_STREAM_SECONDS = 600.0
_WRITE_SIZE = 64 * 1024
_SLICE = 0.005  # paced streams write what is due every 5 ms: a few syscalls, not one per event
_TEXT = (
    "Streaming responses arrive token by token, so the window shows each event as soon as "
    "it is read, keeps every one of them, and stays responsive however fast they come."
)
_WORDS = _TEXT.split(" ")
_SSE_HEADERS = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]


def _paced(
    h: DemoHandler, n: int, rate: float, render: Callable[[int, bytes], list[bytes]]
) -> None:
    """Write events 0..n-1 at ``rate`` per second (``render(i, stamp)`` gives its TCP writes;
    ``stamp`` is the wall-clock time of this slice's writes, as ``b"%.6f"``).

    What is due goes out in writes of up to 64 KB; the first event that ``render`` splits in
    each write really ends it (its second part opens the next write), later ones in the same
    write are joined: a fast stream costs a few writes per slice, not one per split event.
    """
    started = time.monotonic()
    i = 0
    while i < n:
        due = n if rate <= 0 else min(n, int((time.monotonic() - started) * rate) + 1)
        pending: list[bytes] = []
        size = 0
        split = False  # this write already ends mid-event
        stamp = b"%.6f" % time.time()
        while i < due:
            parts = render(i, stamp)
            if len(parts) > 1 and not split:  # its first part ends this write
                h.write(b"".join([*pending, parts[0]]))
                pending = list(parts[1:])
                size = sum(map(len, pending))
                split = True
            else:
                pending.extend(parts)
                size += sum(map(len, parts))
            i += 1
            if size >= _WRITE_SIZE:
                h.write(b"".join(pending))
                pending, size, split = [], 0, False
        if pending:
            h.write(b"".join(pending))
        if i < n:
            if time.monotonic() - started > MAX_STREAM_SECONDS or h.server.stopping.is_set():
                h.abort()
                return
            if not h.wait(min(_SLICE, max(0.0, (i / rate) - (time.monotonic() - started)))):
                return


@routes.add(
    "/sse/chat",
    f"An LLM-like chat completion as Server-Sent Events: ?tokens= words (max {MAX_TOKENS}), "
    "?delay= ms between them, OpenAI-style chunks and a final [DONE] "
    "(?style=anthropic: Anthropic-style content_block_delta events).",
    "/sse/chat?tokens=40&delay=50",
)
def sse_chat(h: DemoHandler, _: dict[str, str]) -> None:
    tokens = int(h.number(h.arg("tokens"), "tokens", 40, 0, MAX_TOKENS))
    delay = h.number(h.arg("delay"), "delay", 50, 0, MAX_TOKEN_DELAY_MS) / 1000.0
    delay = min(delay, MAX_STREAM_SECONDS / max(tokens, 1))
    anthropic = (h.arg("style") or "").lower() == "anthropic"
    h.start(200, _SSE_HEADERS)
    if anthropic:
        h.write(_sse({"type": "message_start", "message": {"role": "assistant"}}, "message_start"))
    for i in range(tokens):
        word = _WORDS[i % len(_WORDS)] + ("" if i == tokens - 1 else " ")
        if anthropic:
            delta = {"type": "text_delta", "text": word}
            payload = {"type": "content_block_delta", "index": 0, "delta": delta}
            h.write(_sse(payload, "content_block_delta"))
        else:
            choice = {"index": 0, "delta": {"content": word}, "finish_reason": None}
            chunk = {"id": "chatcmpl-demo", "object": "chat.completion.chunk", "choices": [choice]}
            h.write(_sse(chunk))
        if delay and i < tokens - 1 and not h.wait(delay):
            return
    if anthropic:
        h.write(_sse({"type": "message_stop"}, "message_stop"))
    else:
        h.write(b"data: [DONE]\n\n")


@routes.add(
    "/sse/counter",
    f"?n= Server-Sent Events (max {MAX_EVENTS:,}) at ?rate= per second (max {MAX_RATE:,.0f}; "
    "0: as fast as possible), with ids, a retry, comments, multi-line data, and events split "
    "across TCP writes.",
    "/sse/counter?n=100&rate=20",
)
def sse_counter(h: DemoHandler, _: dict[str, str]) -> None:
    n = int(h.number(h.arg("n"), "n", 100, 0, MAX_EVENTS))
    rate = h.number(h.arg("rate"), "rate", 20, 0, MAX_RATE)
    h.start(200, _SSE_HEADERS)
    h.write(b": guiapp demo counter\n")

    def render(i: int, stamp: bytes) -> list[bytes]:
        if i % 5 == 4:  # multi-line data
            raw = b"id: %d\nevent: multi\ndata: line 1 of event %d\ndata: sent %s\n\n" % (
                i,
                i,
                stamp,
            )
        else:
            raw = b'id: %d\nevent: tick\ndata: {"n": %d, "sent": %s}\n\n' % (i, i, stamp)
        if i == 0:
            raw = b"retry: 2000\n" + raw
        if i % 10 == 9:
            raw = b": keep-alive\n" + raw
        if i % 3 == 2:  # split mid-event, on two writes
            cut = len(raw) // 2
            return [raw[:cut], raw[cut:]]
        return [raw]

    _paced(h, n, rate, render)


@routes.add(
    "/ndjson",
    f"?n= JSON lines (max {MAX_EVENTS:,}) at ?rate= per second (max {MAX_RATE:,.0f}; 0: as "
    "fast as possible) as application/x-ndjson; ?bad=K makes every K-th line invalid JSON.",
    "/ndjson?n=100&rate=20",
)
def ndjson(h: DemoHandler, _: dict[str, str]) -> None:
    n = int(h.number(h.arg("n"), "n", 100, 0, MAX_EVENTS))
    rate = h.number(h.arg("rate"), "rate", 20, 0, MAX_RATE)
    bad = int(h.number(h.arg("bad"), "bad", 0, 0, MAX_EVENTS))
    h.start(200, [("Content-Type", "application/x-ndjson")])

    def render(i: int, stamp: bytes) -> list[bytes]:
        if bad and i % bad == bad - 1:
            return [b'{"n": %d, oops\n' % i]
        return [b'{"n": %d, "sent": %s}\n' % (i, stamp)]

    _paced(h, n, rate, render)


@routes.add(
    "/sse/forever",
    "A Server-Sent Event every ?interval= seconds (default 1) and a keep-alive comment in "
    f"between, until the client cancels (or {MAX_STREAM_SECONDS:g} s pass).",
    "/sse/forever?interval=0.5",
)
def sse_forever(h: DemoHandler, _: dict[str, str]) -> None:
    interval = h.number(h.arg("interval"), "interval", 1, 0.01, 60)
    h.start(200, _SSE_HEADERS)
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        h.write(f'id: {i}\ndata: {{"n": {i}, "sent": {time.time():.6f}}}\n\n'.encode())
        i += 1
        if not h.wait(interval / 2):
            return
        h.write(b": keep-alive\n\n")
        if not h.wait(interval / 2):
            return
    h.abort()


def _sse(payload: object, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(payload)}\n\n".encode()
