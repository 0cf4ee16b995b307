"""``python -m guiapp.core._history_bench [N]``: time HistoryStore adds and searches.

Prints the numbers quoted in docs/demo.md; uses a temporary directory, leaves nothing behind.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import BearerAuth, JsonBody, RequestSpec


def _specs(n: int) -> list[RequestSpec]:
    return [
        RequestSpec(
            url=f"http://api.example.com/items/{i}?page={i % 7}",
            method="POST" if i % 3 else "GET",
            headers=(("Accept", "application/json"), ("Authorization", "Bearer t")),
            body=JsonBody(f'{{"name": "item {i}", "tags": ["a", "b"]}}'),
            auth=BearerAuth("t"),
        )
        for i in range(n)
    ]


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10_000
    specs = _specs(n)
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("add", "add_many"):
            with HistoryStore(Path(tmp) / f"{mode}.db") as store:
                start = time.perf_counter()
                if mode == "add":
                    for i, spec in enumerate(specs):
                        store.add(spec, ResponseSummary(404 if i % 10 == 0 else 200))
                else:
                    store.add_many((s, ResponseSummary(200)) for s in specs)
                took = time.perf_counter() - start
                print(f"{n} x {mode}(): {took:.2f} s ({took / n * 1e6:.0f} us/entry)")
                if mode == "add":
                    for query in ("items/9999", "404", "item 12", "no-such-thing", "GET", "a"):
                        start = time.perf_counter()
                        page = store.list(limit=100, search=query)
                        total = store.count(search=query)
                        ms = (time.perf_counter() - start) * 1e3
                        print(f"  search {query!r}: first {len(page)} of {total} in {ms:.1f} ms")
                    start = time.perf_counter()
                    store.list(limit=100)
                    print(f"  list newest 100: {(time.perf_counter() - start) * 1e3:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
