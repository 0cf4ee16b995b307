"""Summary statistics for event-loop lag samples (pure Python, no Qt).

The responsiveness heartbeat (:class:`guiapp.offload.qt.LagMonitor`) records one lag value per
tick: how much later than scheduled the GUI thread got round to it. This module turns such
samples into the numbers we report: median, 99th percentile, worst case and the count of stalls
over the RAIL "long task" budget of 50 ms.

Example::

    >>> stats = summarize([0.1, 0.2, 0.3, 80.0], stall_threshold_ms=50.0)
    >>> stats.samples, stats.max_ms, stats.stalls
    (4, 80.0, 1)
    >>> round(stats.p50_ms, 2)
    0.25
    >>> stats.to_dict()["stalls"]
    1
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

__all__ = ["DEFAULT_STALL_MS", "LagStats", "percentile", "summarize"]

#: The RAIL "long task" budget: a GUI thread busy this long is a stall the user notices.
DEFAULT_STALL_MS = 50.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, linearly interpolated between ranks.

    This is the "linear" method (numpy's default), so results match ``numpy.percentile``.
    ``values`` need not be sorted. Raises :class:`ValueError` for an empty sequence or a ``q``
    outside [0, 100].

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    >>> percentile([5.0], 99)
    5.0
    >>> percentile(range(101), 99)
    99.0
    """
    if not 0.0 <= q <= 100.0 or math.isnan(q):
        raise ValueError(f"percentile must be within 0..100, got {q}")
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    weight = rank - low
    return float(ordered[low] + (ordered[high] - ordered[low]) * weight)


@dataclass(frozen=True, slots=True)
class LagStats:
    """Lag summary in milliseconds. ``samples == 0`` means nothing was measured (all zeros)."""

    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    stalls: int
    stall_threshold_ms: float = DEFAULT_STALL_MS

    def to_dict(self) -> dict[str, float | int]:
        """A JSON-ready mapping of the fields.

        >>> LagStats(0, 0.0, 0.0, 0.0, 0.0, 0).to_dict()["samples"]
        0
        """
        return asdict(self)


def summarize(lags_ms: Iterable[float], stall_threshold_ms: float = DEFAULT_STALL_MS) -> LagStats:
    """Summarise lag samples (ms). Negative samples (a timer that fired early) count as 0.

    >>> summarize([]).samples
    0
    >>> summarize([-1.0, 1.0]).p50_ms
    0.5
    """
    values = [max(0.0, float(v)) for v in lags_ms]
    if not values:
        return LagStats(0, 0.0, 0.0, 0.0, 0.0, 0, stall_threshold_ms)
    return LagStats(
        samples=len(values),
        p50_ms=percentile(values, 50),
        p99_ms=percentile(values, 99),
        max_ms=max(values),
        mean_ms=math.fsum(values) / len(values),
        stalls=sum(1 for v in values if v > stall_threshold_ms),
        stall_threshold_ms=stall_threshold_ms,
    )
