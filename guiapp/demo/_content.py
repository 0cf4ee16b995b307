"""Generated documents: a PNG (zlib + struct, no Pillow), SVG, XML, HTML and JSON samples, and a
large realistic JSON document built deterministically and cached."""

from __future__ import annotations

import json
import random
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["HTML", "SAMPLE_JSON", "SVG", "UTF8_HTML", "XML", "large_json", "png"]


def png(width: int = 96, height: int = 64) -> bytes:
    """An RGB gradient PNG, built by hand: signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type "None" for each scanline
        for x in range(width):
            rows += bytes((x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), 160))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120">
  <rect x="4" y="4" width="112" height="112" rx="16" fill="#2b6cb0"/>
  <circle cx="60" cy="60" r="30" fill="#f6e05e"/>
  <text x="60" y="66" font-family="sans-serif" font-size="16" text-anchor="middle">demo</text>
</svg>
"""

XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- a sample catalogue from the guiapp demo server -->
<catalog updated="2024-01-01T00:00:00Z">
  <book id="bk101" available="true">
    <author>Gambardella, Matthew</author>
    <title>XML Developer's Guide</title>
    <genre>Computer</genre>
    <price currency="EUR">44.95</price>
    <tags><tag>xml</tag><tag>reference</tag></tags>
  </book>
  <book id="bk102" available="false">
    <author>Ralls, Kim</author>
    <title>Midnight Rain</title>
    <genre>Fantasy</genre>
    <price currency="EUR">5.95</price>
    <tags/>
  </book>
</catalog>
"""

HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>guiapp demo page</title>
<style>body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }</style></head>
<body>
  <h1>guiapp demo page</h1>
  <p>This page comes from the <em>local</em> demo server. Try <a href="/json/sample">a JSON
  sample</a>, <a href="/xml">some XML</a> or <a href="/image/png">a PNG image</a>.</p>
  <ul><li>Fast responses</li><li>Slow responses: <code>/delay/3</code></li>
  <li>Large responses: <code>/json/large?mb=50</code></li></ul>
</body>
</html>
"""

UTF8_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>UTF-8 demo</title></head><body>
<h1>Unicode Demo</h1>
<p>Ελληνικά · Русский · 日本語 · 한국어 · العربية · עברית · हिन्दी · ไทย</p>
<p>Math: ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋ · α ∧ ¬β → γ ≡ ∑ᵢ aᵢ</p>
<p>Emoji: 🚀 ✅ 🐍 · Box drawing: ┌─┬─┐ │ │ │ └─┴─┘</p>
</body></html>
"""

SAMPLE_JSON: dict[str, Any] = {
    "slideshow": {
        "author": "Yours Truly",
        "date": "2024-01-01",
        "title": "Sample Slide Show",
        "published": True,
        "rating": 4.5,
        "slides": [
            {"title": "Wake up to WonderWidgets!", "type": "all", "items": []},
            {
                "title": "Overview",
                "type": "all",
                "items": ["Why <em>WonderWidgets</em> are great", "Who <em>buys</em> them"],
            },
        ],
        "notes": None,
    }
}

# -- large JSON ----------------------------------------------------------------------------------
_FIRST = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Guido",
    "Barbara",
    "Ken",
    "Dennis",
    "Margaret",
    "Edsger",
    "Donald",
    "Frances",
]
_LAST = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Rossum",
    "Liskov",
    "Thompson",
    "Ritchie",
    "Hamilton",
    "Dijkstra",
]
_CITIES = [
    "Amsterdam",
    "Berlin",
    "Lisbon",
    "Oslo",
    "Prague",
    "Vienna",
    "Zurich",
    "Dublin",
    "Tallinn",
    "Ghent",
]
_TAGS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "new",
    "vip",
    "trial",
    "churned",
    "beta-tester",
    "enterprise",
]
_EVENTS = ("login", "purchase", "refund", "logout", "upgrade", "support-ticket")
_CACHE_LIMIT = 512 * 1024 * 1024  # bytes of generated documents kept across requests
_cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
_cache_lock = threading.Lock()


def _record(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    return {
        "id": i,
        "guid": f"{rng.getrandbits(128):032x}",
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}{i}@example.com",
        "active": rng.random() < 0.8,
        "balance": round(rng.uniform(-500, 10_000), 2),
        "tags": rng.sample(_TAGS, 3),
        "address": {
            "street": f"{rng.randint(1, 999)} Main Street",
            "city": rng.choice(_CITIES),
            "geo": {"lat": round(rng.uniform(-90, 90), 6), "lng": round(rng.uniform(-180, 180), 6)},
        },
        "history": [
            {
                "at": 1_700_000_000 + rng.randint(0, 10**7),
                "event": rng.choice(_EVENTS),
                "amount": round(rng.uniform(0, 300), 2),
            }
            for _ in range(3)
        ],
        "bio": None if i % 7 else "Enjoys long walks through large JSON documents.",
    }


def _build(size: int, seed: int, should_stop: Callable[[], bool]) -> bytes:
    rng = random.Random(seed)
    parts: list[bytes] = []
    total = 0
    i = 0
    while total < size or i == 0:
        if i % 2048 == 0 and should_stop():
            raise ConnectionAbortedError("server stopping")
        text = json.dumps(_record(rng, i)).encode()
        parts.append(text)
        total += len(text) + 2
        i += 1
    meta = {"generator": "guiapp-demo", "seed": seed, "count": i, "requested_bytes": size}
    head = b'{"meta": ' + json.dumps(meta).encode() + b', "items": ['
    return head + b", ".join(parts) + b"]}\n"


def large_json(size: int, seed: int = 0, should_stop: Callable[[], bool] = lambda: False) -> bytes:
    """A valid JSON document of at least ``size`` bytes (just over), same bytes every call.

    Building 50 MB takes ~2 s, so documents are cached; ``should_stop`` is polled while building
    (or waiting for another thread's build) and ends it with ConnectionAbortedError.
    """
    key = (size, seed)
    # One builder at a time: concurrent callers wait for the cached copy instead of building it
    # again, but keep checking should_stop so that a server stop is never held up.
    while not _cache_lock.acquire(timeout=0.05):
        if should_stop():
            raise ConnectionAbortedError("server stopping")
    try:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
        body = _build(size, seed, should_stop)
        _cache[key] = body
        while sum(len(v) for v in _cache.values()) > _CACHE_LIMIT and len(_cache) > 1:
            _cache.popitem(last=False)
        return body
    finally:
        _cache_lock.release()
