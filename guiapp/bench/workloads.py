"""Workload definitions for the responsiveness benchmark.

Everything here is plain, picklable, module-level Python with no Qt, so a workload can run on
the GUI thread, in a worker thread, on a QThread or in a spawned worker process alike. The JSON
documents come from the Lab's generator (:func:`guiapp.lab.workloads.make_json_document`).

Example::

    >>> blocking_call(0.0)
    0.0
    >>> data = make_json_document(0.01)
    >>> json_roundtrip(data) > len(data)
    True
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from guiapp.lab.workloads import make_json_document

__all__ = [
    "BenchScale",
    "blocking_call",
    "json_roundtrip",
    "json_roundtrip_generated",
    "make_json_document",
]


@dataclass(frozen=True, slots=True)
class BenchScale:
    """How big each scenario is. ``full()`` is the full offload benchmark; ``quick()`` a fast check.

    >>> BenchScale.full().calls, BenchScale.quick().calls
    (100, 20)
    """

    calls: int = 100  # concurrent blocking calls in scenarios (a) and (b)
    call_seconds: float = 1.0  # duration of each blocking call
    json_mb: float = 30.0  # size of the JSON document in scenario (d)
    idle_seconds: float = 2.0  # length of the idle baseline
    settle_seconds: float = 0.1  # heartbeat time after each workload, to record its last stall

    @classmethod
    def full(cls) -> BenchScale:
        return cls()

    @classmethod
    def quick(cls) -> BenchScale:
        return cls(calls=20, call_seconds=0.5, json_mb=8.0, idle_seconds=1.0)

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def blocking_call(seconds: float) -> float:
    """Blocking I/O stand-in: sleeps ``seconds`` with the GIL released, like a socket read."""
    time.sleep(seconds)
    return seconds


def json_roundtrip(data: bytes) -> int:
    """Parse ``data`` and pretty-print it (``indent=2``), as a response viewer would; GIL-bound.

    Returns the length of the pretty-printed text.
    """
    return len(json.dumps(json.loads(data), indent=2))


def json_roundtrip_generated(size_mb: float) -> int:
    """Build the document *in this process* and round-trip it (for a worker process: nothing
    big crosses the process boundary)."""
    return json_roundtrip(make_json_document(size_mb))
