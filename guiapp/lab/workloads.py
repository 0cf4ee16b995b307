"""The Lab's workloads: what each task does, with its parameters (Qt-free, picklable).

A :class:`Workload` is a kind of blocking work plus its parameters; :meth:`Workload.units`
expands it into one picklable ``(function, args)`` call per task, so the same call can run on
the GUI thread, in a worker thread, on a QThread or in a spawned process. HTTP workloads also
have a native-async form (:meth:`Workload.async_unit`, httpx on the running loop).

The HTTP workloads talk to the embedded demo API run in a child process
(:class:`guiapp.lab.server.LabServer`), so that its handler threads neither show up in the GUI
process's thread count nor compete with it for the GIL (a real API is remote too).

Example::

    >>> wl = Workload("cpu_loop", tasks=2, iterations=1000)
    >>> [fn(*args) for fn, args in wl.units("http://unused", "/tmp")]
    [1000, 1000]
    >>> wl.label()
    'cpu_loop tasks=2 iterations=1000'
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import RequestSpec
from guiapp.core.streams import SseParser
from guiapp.core.transport import send
from guiapp.offload.jobs import checkpoint

if TYPE_CHECKING:
    import httpx

__all__ = [
    "FLAG_PARAMS",
    "WORKLOADS",
    "WORKLOAD_NAMES",
    "Workload",
    "cpu_loop",
    "format_json",
    "http_download",
    "http_get",
    "http_stream",
    "legacy_history",
    "make_json_document",
]

#: Workload name -> (title, default parameters, is HTTP).
WORKLOADS: dict[str, tuple[str, dict[str, float], bool]] = {
    "http_delay": (
        "N concurrent blocking HTTP calls, delay D s",
        {"tasks": 20, "delay": 0.5},
        True,
    ),
    "download": ("streamed download of S MB per task", {"tasks": 2, "mb": 64}, True),
    "json_format": (
        "parse + pretty-print a J MB JSON body (parse_only=1: json.loads alone)",
        {"tasks": 1, "mb": 8, "parse_only": 0},
        False,
    ),
    "cpu_loop": ("pure-Python CPU loop", {"tasks": 2, "iterations": 2_000_000}, False),
    "stream": (
        "N Server-Sent Events at R/s per task, every one counted (a loss fails the run)",
        {"tasks": 2, "events": 2_000, "rate": 2_000},
        True,
    ),
    "sqlite_legacy": (
        "legacy sync function: history store add() x R",
        {"tasks": 2, "rows": 400},
        False,
    ),
    "django_etl": (
        "Django ORM ETL: legacy sync function, R orders per task in one transaction, then a "
        "report (needs guiapp[django]; async_unsafe=1 lets Django run on the GUI thread)",
        {"tasks": 8, "rows": 200, "async_unsafe": 0},
        False,
    ),
}

#: Workload name -> the name people read (the Lab's combo box, its tables' titles).
WORKLOAD_NAMES: dict[str, str] = {
    "http_delay": "Slow HTTP calls",
    "download": "Large download",
    "json_format": "JSON pretty-print",
    "cpu_loop": "Pure-Python CPU loop",
    "stream": "Server-Sent Events stream",
    "sqlite_legacy": "Legacy sqlite code",
    "django_etl": "Django ORM ETL",
}

#: Parameters that are on/off switches (0 or 1), shown as check boxes.
FLAG_PARAMS = frozenset({"parse_only", "async_unsafe"})

_CHECK_EVERY = 20_000  # cpu_loop iterations between cancellation checkpoints


@dataclass(frozen=True)
class Workload:
    """One workload with its parameters (unknown names fall back to :data:`WORKLOADS`)."""

    name: str
    tasks: int = 0
    params: dict[str, float] = field(default_factory=dict)

    def __init__(self, name: str, tasks: int | None = None, **params: float) -> None:
        if name not in WORKLOADS:
            raise ValueError(f"unknown workload {name!r}; choose from {list(WORKLOADS)}")
        defaults = dict(WORKLOADS[name][1])
        unknown = set(params) - set(defaults)
        if unknown:
            raise ValueError(f"{name}: unknown parameter(s) {sorted(unknown)}")
        count = int(tasks if tasks is not None else defaults.pop("tasks"))
        defaults.pop("tasks", None)
        defaults.update(params)
        if count < 1:
            raise ValueError(f"{name}: tasks must be at least 1")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "tasks", count)
        object.__setattr__(self, "params", defaults)

    @property
    def is_http(self) -> bool:
        return WORKLOADS[self.name][2]

    @property
    def title(self) -> str:
        return WORKLOADS[self.name][0]

    @property
    def display_name(self) -> str:
        """The name people read, e.g. "Django ORM ETL" for ``django_etl``."""
        return WORKLOAD_NAMES[self.name]

    def label(self) -> str:
        """``name tasks=N k=v ...``: how the result tables name this workload."""
        values = " ".join(f"{k}={_fmt(v)}" for k, v in self.params.items())
        return f"{self.name} tasks={self.tasks} {values}"

    def units(self, base_url: str, scratch_dir: str) -> list[tuple[Any, tuple[Any, ...]]]:
        """One picklable ``(function, args)`` blocking call per task.

        ``django_etl`` also sets Django up here (unmeasured; :mod:`guiapp.lab.django_orm`),
        raising :class:`~guiapp.lab.django_orm.DjangoUnavailable` if it is not installed.
        """
        p = self.params
        if self.name == "http_delay":
            return [(http_get, (f"{base_url}/delay/{_fmt(p['delay'])}",))] * self.tasks
        if self.name == "download":
            return [(http_download, (f"{base_url}/download?mb={_fmt(p['mb'])}",))] * self.tasks
        if self.name == "json_format":
            body = make_json_document(p["mb"])  # built once, outside the measurement
            return [(format_json, (body, bool(p["parse_only"])))] * self.tasks
        if self.name == "cpu_loop":
            return [(cpu_loop, (int(p["iterations"]),))] * self.tasks
        if self.name == "stream":
            return [(http_stream, (self._stream_url(base_url), int(p["events"])))] * self.tasks
        if self.name == "django_etl":
            from guiapp.lab import django_orm  # Django itself loads here, only for this one

            django_orm.prepare(async_unsafe=bool(p["async_unsafe"]))
            return [(django_orm.etl, (i, int(p["rows"]))) for i in range(self.tasks)]
        return [
            (legacy_history, (os.path.join(scratch_dir, f"history-{i}.db"), int(p["rows"])))
            for i in range(self.tasks)
        ]

    def detail(self) -> str:
        """What the last run of this workload did beyond the timings ("" for most):
        for ``django_etl``, how many calls overlapped and which threads ran queries."""
        if self.name != "django_etl":
            return ""
        from guiapp.lab.django_orm import TRACKER

        return TRACKER.summary()

    async def async_unit(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        on_items: Callable[[list[Any]], object] | None = None,
    ) -> int:
        """The native-async form of one task (HTTP workloads only); ``on_items`` gets the
        events ``stream`` parses, in batches (here on the loop's own thread)."""
        p = self.params
        if self.name == "http_delay":
            response = await client.get(f"{base_url}/delay/{_fmt(p['delay'])}")
            return response.status_code
        if self.name == "download":
            total = 0
            # Spool to disk like core.send does over its threshold, so the work is comparable.
            with tempfile.TemporaryFile() as sink:
                async with client.stream("GET", f"{base_url}/download?mb={_fmt(p['mb'])}") as r:
                    async for chunk in r.aiter_bytes(1 << 16):
                        sink.write(chunk)
                        total += len(chunk)
            return total
        if self.name == "stream":
            parser = SseParser()
            events = 0
            async with client.stream("GET", self._stream_url(base_url)) as r:
                async for chunk in r.aiter_bytes():
                    batch = parser.feed(chunk)
                    events += len(batch)
                    if batch and on_items is not None:
                        on_items(batch)
            return events
        raise ValueError(f"{self.name} has no native-async form")

    def _stream_url(self, base_url: str) -> str:
        p = self.params
        return f"{base_url}/sse/counter?n={int(p['events'])}&rate={_fmt(p['rate'])}"


def _fmt(value: float) -> str:
    return f"{value:g}"


# -- the blocking calls (module level: picklable for worker processes) ---------------------------
def http_get(url: str) -> int:
    """One blocking request through ``guiapp.core.send`` (cancellable at the socket)."""
    with send(RequestSpec(url=url, timeout=60.0)) as response:
        return response.status_code


def http_stream(url: str, expected: int) -> int:
    """A Server-Sent Events stream through ``guiapp.core.send``, whose events go to the job's
    items (:func:`~guiapp.offload.emit`; the Lab counts them on the GUI thread); returns the
    events parsed here, and raises if the stream ended before the ``expected`` ones."""
    with send(RequestSpec(url=url, timeout=60.0)) as response:
        events = response.stream.events if response.stream is not None else 0
    if events < expected:
        raise RuntimeError(f"the stream ended after {events} of {expected} events")
    return events


def http_download(url: str) -> int:
    """A streamed download through ``guiapp.core.send`` (spooled to disk); returns bytes."""
    with send(RequestSpec(url=url, timeout=60.0)) as response:
        return response.size


@functools.lru_cache(maxsize=2)  # runs of one workload reuse the body (built unmeasured)
def make_json_document(size_mb: float) -> bytes:
    """A deterministic JSON array of API-like records of about ``size_mb`` MB (compact).

    The one JSON generator of the Lab and the benchmarks; cached, so that runs of one size
    reuse the document, built outside any measurement.

    >>> import json
    >>> doc = make_json_document(0.01)
    >>> 9_000 < len(doc) < 11_000, json.loads(doc)[1]["name"]
    (True, 'customer-00001')
    """
    record = (
        '{"id":%d,"name":"customer-%05d","email":"c%05d@example.test","active":true,'
        '"score":%d.5,"tags":["alpha","beta"],"address":{"city":"Localhost","zip":"12700"}}'
    )
    one = len(record % (0, 0, 0, 0)) + 1
    count = max(1, int(size_mb * 1_000_000) // one)
    return ("[" + ",".join(record % (i, i, i, i % 1000) for i in range(count)) + "]").encode()


def format_json(body: bytes, parse_only: bool = False) -> int:
    """``json.loads`` + ``json.dumps(indent=2)``: a response viewer's job.

    ``json.loads`` is one C call that holds the GIL from start to end: no other thread (the GUI
    thread included) runs meanwhile. The indenting ``dumps`` is pure Python and lets other
    threads in every 5 ms (the GIL switch interval).
    """
    import json

    value = json.loads(body)
    return len(body) if parse_only else len(json.dumps(value, indent=2))


def cpu_loop(iterations: int) -> int:
    """Pure-Python arithmetic, checking for cancellation every 20,000 iterations."""
    acc = 0
    for i in range(iterations):
        acc = (acc + i * i) % 1_000_003
        if i % _CHECK_EVERY == 0:
            checkpoint()
    return iterations


def legacy_history(path: str, rows: int) -> int:
    """Legacy-style synchronous code: open the history store, add ``rows`` entries one
    transaction at a time, read a page back, close. Owns its connection (thread-affine)."""
    spec = RequestSpec(url="http://127.0.0.1/lab", headers=(("Accept", "application/json"),))
    with HistoryStore(path) as store:
        for i in range(rows):
            checkpoint()
            store.add(spec, ResponseSummary(200, "OK", elapsed=0.01 * i, size=i))
        store.list(limit=50)
        return store.count()
