"""Lag statistics, under their historical name: an alias of :mod:`guiapp.offload.stats`.

>>> from guiapp.core.stats import summarize
>>> summarize([1.0, 3.0]).max_ms
3.0
"""

from guiapp.offload.stats import DEFAULT_STALL_MS, LagStats, percentile, summarize

__all__ = ["DEFAULT_STALL_MS", "LagStats", "percentile", "summarize"]
