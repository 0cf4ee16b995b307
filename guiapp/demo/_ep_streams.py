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
_SLICE = 0.005  # paced streams write what is due every 5 ms: a few syscalls, not one per event
_TEXT = (
    "Streaming responses arrive token by token, so the window shows each event as soon as "
    "it is read, keeps every one of them, and stays responsive however fast they come."
)
_WORDS = _TEXT.split(" ")
_SSE_HEADERS = [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]


def _paced(h: DemoHandler, n: int, rate: float, render: Callable[[int], list[bytes]]) -> None:
    """Write events 0..n-1 at ``rate`` per second (``render(i)`` gives its TCP writes)."""
    started = time.monotonic()
    i = 0
    while i < n:
        due = n if rate <= 0 else min(n, int((time.monotonic() - started) * rate) + 1)
        pending: list[bytes] = []
        while i < due:
            parts = render(i)
            if len(parts) > 1:  # a split event: its first part goes out on its own write
                h.write(b"".join([*pending, parts[0]]))
                pending = list(parts[1:])
            else:
                pending.extend(parts)
            i += 1
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

    def render(i: int) -> list[bytes]:
        stamp = f"{time.time():.6f}"
        if i % 5 == 4:  # multi-line data
            event = f"id: {i}\nevent: multi\ndata: line 1 of event {i}\ndata: sent {stamp}\n\n"
        else:
            event = f'id: {i}\nevent: tick\ndata: {{"n": {i}, "sent": {stamp}}}\n\n'
        raw = event.encode()
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

    def render(i: int) -> list[bytes]:
        if bad and i % bad == bad - 1:
            return [b'{"n": ' + str(i).encode() + b", oops\n"]
        return [b'{"n": %d, "sent": %.6f}\n' % (i, time.time())]

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
