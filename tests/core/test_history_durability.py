"""Crash safety (SIGKILL mid-writes) and the 10,000-entry performance budget."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import JsonBody, RequestSpec

_WRITER = """
import sys
from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import JsonBody, RequestSpec
store = HistoryStore(sys.argv[1])
body = JsonBody('{"payload": "' + 'x' * 2000 + '"}')
i = 0
while True:
    i += 1
    spec = RequestSpec(url=f"http://h/item/{i}", method="POST", body=body)
    entry_id = store.add(spec, ResponseSummary(200, "OK", 0.1, 10, "application/json"))
    print(entry_id, flush=True)  # printed only after the commit returned
"""


@pytest.mark.hostile("storage")
def test_sigkill_mid_writes_leaves_a_sound_database(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    committed: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        try:
            while len(committed) < 300:
                line = proc.stdout.readline()
                assert line, "writer died early"
                committed.append(int(line))
        finally:
            os.kill(proc.pid, signal.SIGKILL)  # while it is still writing
            proc.wait(timeout=10)
        committed += [int(line) for line in proc.stdout.read().split()]
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with HistoryStore(path) as store:
        for entry_id in committed:
            assert store.get(entry_id).url == f"http://h/item/{entry_id}"
        assert store.count() >= len(committed)
        assert store.count(search="item/150") >= 1  # the search index survived too
        store.add(RequestSpec(url="http://h/after"), ResponseSummary(200))


def test_ten_thousand_entries_add_and_search_quickly(tmp_path: Path) -> None:
    specs = [
        RequestSpec(
            url=f"http://api.example.com/items/{i}?page={i % 7}",
            method="POST" if i % 3 else "GET",
            headers=[("Accept", "application/json")],
            body=JsonBody(f'{{"name": "item {i}"}}'),
        )
        for i in range(10_000)
    ]
    with HistoryStore(tmp_path / "h.db") as store:
        start = time.monotonic()
        store.add_many(
            (s, ResponseSummary(404 if i % 10 == 0 else 200)) for i, s in enumerate(specs)
        )
        added = time.monotonic() - start
        start = time.monotonic()
        for query in ("items/9999", "404", "item 12", "no-such-thing", "GET", "a"):
            store.list(limit=100, search=query)
        searched = time.monotonic() - start
        assert store.count() == 10_000
        assert [e.url for e in store.list(search="items/9999")] == [specs[9999].url]
        expected = sum(
            i % 10 == 0 or "404" in s.url or "404" in s.body.text  # type: ignore[union-attr]
            for i, s in enumerate(specs)
        )
        assert store.count(search="404") == expected
    # Generous bounds (measured ~1-2 s and ~0.1 s alone on 2 cores): other tests share the CPU.
    assert added < 30, f"adding 10,000 entries took {added:.1f} s"
    assert searched < 5, f"six searches over 10,000 entries took {searched:.2f} s"
