"""What the Lab's "stream" workload measures where the events are consumed: on the GUI thread.

Every strategy hands the events its tasks parse to :class:`StreamTally` on the GUI thread (the
engine's item channel, a QThread's ``itemsEmitted``, the GUI-thread strategy's held batch after
its call returned, or the native-async parser on the loop itself). The tally counts them,
notes when the first one arrived and how long each took from the server's write (the demo
stamps each event with ``sent``) to the GUI thread. A strategy that parses every event but
delivers it late, or only once the stream has ended, shows it here, not in a worker's count.

>>> from guiapp.core.streams import StreamEvent
>>> tally = StreamTally(expected=2, clock=lambda: 100.5, wall_clock=lambda: 1000.25)
>>> tally.start()
>>> tally([StreamEvent(0, 0.1, "sse", "tick", '{"n": 0, "sent": 1000.0}'),
...        StreamEvent(1, 0.1, "sse", "multi", "line 1 of event 1\\nsent 1000.2")])
>>> tally.lost, round(tally.latency_ms(50)), tally.describe(wall_s=1.0)
(0, 150, 'events on the GUI thread: 2 of 2, 0 lost, 2/s, first after 0 ms, \
server → GUI latency p50 150 ms, p99 248 ms')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from guiapp.offload.stats import percentile

__all__ = ["StreamTally", "sent_stamp"]

_MAX_SAMPLES = 200_000  # latencies kept: enough for a p99, bounded for a long run


def sent_stamp(data: str) -> float | None:
    """The server's ``sent`` time stamped in a demo event's data (its last word), or None.

    >>> sent_stamp('{"n": 3, "sent": 1764689000.5}'), sent_stamp("no stamp")
    (1764689000.5, None)
    """
    word = data.rpartition(" ")[2].rstrip("}")
    try:
        return float(word)
    except ValueError:
        return None


class StreamTally:
    """Counts events on the GUI thread; call it with each batch (a list of stream events)."""

    def __init__(
        self,
        expected: int,
        *,
        clock: Callable[[], float] = time.perf_counter,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.expected = expected
        self.received = 0
        self.batches = 0
        self.first_after: float | None = None  # seconds from start() to the first event
        self._clock = clock
        self._wall = wall_clock
        self._started = clock()
        self._latencies: list[float] = []

    def start(self) -> None:
        """The run starts now (the clock of :attr:`first_after`)."""
        self._started = self._clock()

    def __call__(self, batch: Sequence[Any]) -> None:
        if not batch:
            return
        if self.first_after is None:
            self.first_after = self._clock() - self._started
        self.received += len(batch)
        self.batches += 1
        if len(self._latencies) < _MAX_SAMPLES:
            now = self._wall()
            for event in batch:
                sent = sent_stamp(getattr(event, "data", ""))
                if sent is not None:
                    self._latencies.append((now - sent) * 1000)

    @property
    def lost(self) -> int:
        return max(0, self.expected - self.received)

    def latency_ms(self, pct: float) -> float | None:
        """The ``pct`` percentile of the server → GUI thread latency (ms), None without data."""
        return percentile(self._latencies, pct) if self._latencies else None

    def describe(self, wall_s: float) -> str:
        """One line for the result's detail column."""
        rate = self.received / wall_s if wall_s > 0 else 0.0
        parts = [
            f"events on the GUI thread: {self.received:,} of {self.expected:,}",
            f"{self.lost:,} lost",
            f"{rate:,.0f}/s",
        ]
        if self.first_after is not None:
            parts.append(f"first after {self.first_after * 1000:,.0f} ms")
        p50, p99 = self.latency_ms(50), self.latency_ms(99)
        if p50 is not None and p99 is not None:
            parts.append(f"server → GUI latency p50 {p50:,.0f} ms, p99 {p99:,.0f} ms")
        return ", ".join(parts)
