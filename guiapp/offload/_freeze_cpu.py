"""Per-thread CPU time, read by the watchdog without touching other threads' state.

While a thread holds the GIL inside one long C call (``json.loads`` of a large document), no
other thread runs Python, the watchdog included: nothing can sample that thread's stack while
it happens. What the watchdog can do, once it gets the GIL back, is ask the kernel how much CPU
time each thread used meanwhile: the thread whose CPU time grew by about the stall's length
held the GIL. The GUI thread's own CPU time tells a GUI thread busy in Qt's C++ code (painting,
building a menu) from one that waited.

On Linux each thread has a CPU-time clock whose id the kernel derives from the thread's id
(``MAKE_THREAD_CPUCLOCK``, the encoding glibc's ``pthread_getcpuclockid`` uses too). The id is
computed from :attr:`threading.Thread.native_id` here rather than with
:func:`time.pthread_getcpuclockid`, which dereferences the thread's ``pthread_t`` and may read
freed memory for a thread that has just ended; a clock of a thread that has ended is refused by
the kernel (``EINVAL``) and skipped. The encoding is checked against
:func:`time.pthread_getcpuclockid` for the calling thread before it is trusted. Elsewhere
:class:`ThreadClocks` is disabled and reports carry no CPU times.

>>> clocks = ThreadClocks()
>>> used = clocks.read({threading.get_ident(): threading.get_native_id()})
>>> clocks.enabled == bool(used)
True
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Mapping

__all__ = ["ThreadClocks", "cpu_used_ms", "thread_clocks_available"]

_CPUCLOCK_PERTHREAD = 4
_CPUCLOCK_SCHED = 2


def _clock_id(native_id: int) -> int:
    return ((~native_id) << 3) | _CPUCLOCK_PERTHREAD | _CPUCLOCK_SCHED


def thread_clocks_available() -> bool:
    """Whether other threads' CPU time can be read here (Linux, with the kernel's encoding)."""
    if not sys.platform.startswith("linux"):
        return False
    getcpuclockid = getattr(time, "pthread_getcpuclockid", None)
    if getcpuclockid is None:
        return False
    try:
        own = getcpuclockid(threading.get_ident())
        time.clock_gettime(own)
    except (OSError, OverflowError, ValueError):
        return False
    return bool(own == _clock_id(threading.get_native_id()))


class ThreadClocks:
    """Reads the CPU time (seconds) of threads given by ``{ident: native_id}``."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = thread_clocks_available() if enabled is None else enabled

    def read(self, native_ids: Mapping[int, int]) -> dict[int, float]:
        """``{ident: CPU seconds}`` for the threads still running; ``{}`` when disabled."""
        if not self.enabled:
            return {}
        out: dict[int, float] = {}
        for ident, native_id in native_ids.items():
            try:
                out[ident] = time.clock_gettime(_clock_id(native_id))
            except (OSError, OverflowError):  # ended (the kernel refuses its clock)
                continue
        return out


def cpu_used_ms(before: Mapping[int, float], after: Mapping[int, float]) -> dict[int, float]:
    """CPU milliseconds each thread of ``after`` used since ``before`` (all of it for a thread
    that started in between).

    >>> cpu_used_ms({1: 2.0, 2: 5.0}, {1: 2.5, 3: 0.25})
    {1: 500.0, 3: 250.0}
    """
    return {ident: (now - before.get(ident, 0.0)) * 1000.0 for ident, now in after.items()}
