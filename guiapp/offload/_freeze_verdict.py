"""From stack samples taken during a freeze to a :class:`FreezeReport` with a verdict.

Three situations, told apart by where the GUI thread is and how easily the watchdog got the GIL:

- **busy**: the GUI thread runs its own code (its stack is deeper than the event loop's) and
  holds the GIL: the watchdog woke late (it waited for the GIL) or could only read the stacks
  through faulthandler, which needs no GIL.
- **blocked in a call**: the GUI thread sits in one call (its innermost frame does not move)
  while the watchdog gets the GIL on time: a sleep, a socket read, a lock.
- **starved of the GIL**: the GUI thread is back in the event loop (the frame that runs it,
  recorded by the heartbeat) but cannot run Python: another thread holds the GIL; it is named
  with what it was running. Where the platform gives per-thread CPU time, the holder is the
  thread whose CPU time grew by about the stall's length (a thread in one long C call cannot be
  sampled while it holds the GIL; its stack is read the moment the watchdog gets the GIL back).
- **busy in Qt**: the GUI thread is in the event loop with no Python frame of its own, and the
  watchdog got the GIL on time: Qt's C++ code (painting, building a menu) ran; its own CPU time,
  when known, says whether it worked or waited.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guiapp.offload._freeze_stacks import (
    RawFrame,
    RawStack,
    StackFrame,
    is_library,
    is_waiting,
    resolve_stack,
    stack_key,
)

__all__ = ["FreezeReport", "FreezeSample", "RawSample", "build_report", "culprit_of"]

#: The share of samples in which the GUI thread's innermost frame must be the same for
#: "blocked in a call" (a busy thread moves between samples).
_STATIC_SHARE = 0.8
#: Frames listed in :attr:`FreezeReport.stack` (the samples keep them all).
_MAX_LINES = 30
#: A thread that used at least this share of the stall in CPU time worked through it (not
#: all of it: on a loaded machine the process itself waits for a core).
_CPU_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class RawSample:
    """One sample as taken: ``at_ms`` since the last heartbeat before the freeze; ``native``
    for a faulthandler dump (taken without the GIL); ``wake_lag_ms``: how late the watchdog
    woke for it (None for dumps)."""

    at_ms: float
    native: bool
    stacks: Mapping[int, RawStack]
    wake_lag_ms: float | None = None


@dataclass(frozen=True, slots=True)
class FreezeSample:
    """One look at the threads during a freeze.

    ``source`` is ``"frames"`` (``sys._current_frames()``, by the watchdog holding the GIL) or
    ``"native"`` (a faulthandler dump, read while another thread held the GIL). ``gui`` is the
    GUI thread's stack, ``threads`` the other threads' stacks by name; innermost frame first.
    """

    at_ms: float
    source: str
    gui: tuple[StackFrame, ...]
    threads: Mapping[str, tuple[StackFrame, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FreezeReport:
    """What froze the GUI thread, and where.

    - ``start``: wall-clock time (``time.time()``) of the last heartbeat before the freeze.
    - ``duration_ms``: how long the GUI thread did not serve its heartbeat.
    - ``kind``: ``"busy"``, ``"qt"`` (busy in Qt's C++ code, no Python code of its own),
      ``"blocked"``, ``"starved"`` or ``"unknown"`` (over before the first sample);
      ``verdict``: the sentence for people.
    - ``culprit``: the frame to blame, ``code in function (file:line)``; when that is your
      code calling into a library, ``your frame → the library's innermost frame``.
    - ``stack``: the most frequent stack of ``thread`` (the GUI thread, or the thread that held
      the GIL), innermost frame first, one ``function (file:line)  code`` per line.
    - ``samples``: every :class:`FreezeSample`, oldest first.
    - ``cpu_ms``: CPU time each thread used over the freeze (by name, milliseconds; the busiest
      first); empty where the platform does not give per-thread CPU time.

    Example::

        >>> report = FreezeReport(0.0, 180.0, "busy", "GUI thread busy in x", "x", "  f (a.py:1)",
        ...                       "MainThread", 50.0)
        >>> report.summary()
        '180 ms · GUI thread busy in x'
    """

    start: float
    duration_ms: float
    kind: str
    verdict: str
    culprit: str
    stack: str
    thread: str
    threshold_ms: float
    samples: tuple[FreezeSample, ...] = ()
    cpu_ms: Mapping[str, float] = field(default_factory=dict)

    @property
    def cause(self) -> str:
        """The verdict without the culprit: ``busy``, ``busy in Qt``, ``blocked in a call``,
        ``starved of the GIL by <thread>`` or ``stalled``.

        >>> FreezeReport(0.0, 80.0, "starved", "v", "c", "", "offload-1", 50.0).cause
        'starved of the GIL by offload-1'
        """
        if self.kind == "starved":
            return f"starved of the GIL by {self.thread}"
        causes = {"busy": "busy", "qt": "busy in Qt", "blocked": "blocked in a call"}
        return causes.get(self.kind, "stalled")

    def summary(self) -> str:
        """One line: duration and verdict."""
        return f"{self.duration_ms:.0f} ms · {self.verdict}"

    def as_text(self) -> str:
        """The report as plain text (what "Copy as text" and the pytest plugin show)."""
        lines = [
            f"GUI thread frozen for {self.duration_ms:.0f} ms "
            f"(threshold {self.threshold_ms:.0f} ms)",
            self.verdict,
        ]
        if self.stack:
            lines += ["", f"Stack of {self.thread} (innermost first):", self.stack]
        if self.cpu_ms:
            busiest = ", ".join(f"{name} {ms:.0f} ms" for name, ms in list(self.cpu_ms.items())[:4])
            lines += ["", f"CPU time during the freeze: {busiest}"]
        lines.append(f"({len(self.samples)} samples)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (without the samples).

        >>> sorted(FreezeReport(0.0, 80.0, "unknown", "v", "", "", "", 50.0).to_dict())[:3]
        ['cpu_ms', 'culprit', 'duration_ms']
        """
        return {
            "start": self.start,
            "duration_ms": round(self.duration_ms, 1),
            "kind": self.kind,
            "verdict": self.verdict,
            "culprit": self.culprit,
            "thread": self.thread,
            "stack": self.stack,
            "samples": len(self.samples),
            "cpu_ms": {name: round(ms, 1) for name, ms in self.cpu_ms.items()},
        }


def culprit_of(stack: Sequence[StackFrame]) -> str:
    """The frame to blame: the innermost frame of your own code, and the library frame it was
    in when that is deeper.

    >>> own = StackFrame("main.py", 42, "on_click", "json.loads(body)")
    >>> lib = StackFrame(__import__("json").decoder.__file__, 353, "raw_decode", "scan(s)")
    >>> for part in culprit_of([lib, own]).split(" → "):
    ...     print(part)
    json.loads(body) in on_click (main.py:42)
    scan(s) in raw_decode (json/decoder.py:353)
    """
    if not stack:
        return ""
    innermost = stack[0]
    own = next((f for f in stack if not is_library(f.filename)), None)
    if own is None or own is innermost:
        return innermost.describe()
    return f"{own.describe()} → {innermost.describe()}"


def _most_common(stacks: Iterable[RawStack]) -> RawStack:
    stacks = list(stacks)
    counts = Counter(stack_key(s) for s in stacks)
    best = counts.most_common(1)[0][0]
    # Prefer a live sample of that stack: it has the exact call expression of each frame.
    matching = [s for s in stacks if stack_key(s) == best]
    return next((s for s in matching if s and s[0][0] is not None), matching[0])


def _name(ident: int, names: Mapping[int, str]) -> str:
    return names.get(ident, f"0x{ident:x} (ended)")


def build_report(
    *,
    start: float,
    duration_ms: float,
    threshold_ms: float,
    gui_ident: int,
    loop_frame: tuple[str, int, str] | None,
    samples: Sequence[RawSample],
    names: Mapping[int, str],
    switch_interval_ms: float,
    cpu_ms: Mapping[int, float] | None = None,
) -> FreezeReport:
    """Judge ``samples`` (oldest first) and build the report.

    ``cpu_ms``: the CPU time (ms) each thread used over a window that covers the freeze (from
    shortly before it began), by thread ident; None where the platform does not say.
    """
    memo: dict[RawFrame, StackFrame] = {}
    cpu = dict(cpu_ms or {})
    gui_name = _name(gui_ident, names)
    resolved = tuple(
        FreezeSample(
            sample.at_ms,
            "native" if sample.native else "frames",
            resolve_stack(sample.stacks.get(gui_ident, ()), memo),
            {
                _name(ident, names): resolve_stack(stack, memo)
                for ident, stack in sample.stacks.items()
                if ident != gui_ident
            },
        )
        for sample in samples
    )
    cpu_by_name = {
        _name(ident, names): ms for ident, ms in sorted(cpu.items(), key=lambda kv: -kv[1])
    }

    def report(kind: str, verdict: str, culprit: str, stack: RawStack, thread: str) -> FreezeReport:
        lines = [f.line() for f in resolve_stack(stack, memo)]
        if len(lines) > _MAX_LINES:  # the outer frames (test runner, main) say little
            lines[_MAX_LINES:] = [f"  … {len(lines) - _MAX_LINES} outer frames"]
        text = "\n".join(lines)
        return FreezeReport(
            start,
            duration_ms,
            kind,
            verdict,
            culprit,
            text,
            thread,
            threshold_ms,
            resolved,
            cpu_by_name,
        )

    def ran_through(ident: int | None) -> bool:
        used = cpu.get(ident, 0.0) if ident is not None else 0.0
        return used >= _CPU_SHARE * duration_ms and used >= threshold_ms / 2

    def running(stack: RawStack) -> bool:
        return bool(stack) and not is_waiting(resolve_stack(stack[:1], memo)[0])

    # The thread (not the GUI thread) that used by far the most CPU during the freeze: while
    # the GUI thread waited for the GIL, that thread held it. Not a share of the freeze: on a
    # loaded machine the holder itself waits for a core.
    others = sorted((ident for ident in cpu if ident != gui_ident), key=lambda i: -cpu[i])
    by_cpu = others[0] if others and cpu[others[0]] >= threshold_ms / 2 else None
    if by_cpu is not None and len(others) > 1 and cpu[others[1]] * 2 > cpu[by_cpu]:
        by_cpu = None  # two threads worked alike: the CPU times do not tell which held the GIL

    def starved(holder: int) -> FreezeReport:
        name = _name(holder, names)
        seen = [s.stacks[holder] for s in samples if holder in s.stacks]
        busy = [stack for stack in seen if running(stack)]
        if busy:
            stack = _most_common(busy)
            culprit = culprit_of(resolve_stack(stack, memo))
            verdict = f"GUI thread starved of the GIL by thread {name} in {culprit}"
            return report("starved", verdict, culprit, stack, name)
        verdict = (
            f"GUI thread starved of the GIL by thread {name} ({cpu.get(holder, 0.0):.0f} ms of "
            "CPU during the freeze; its call had returned before its stack could be sampled)"
        )
        return report("starved", verdict, "", seen[0] if seen else (), name)

    def blocked_or_busy(stack: RawStack) -> FreezeReport:
        """One call, the GIL free meanwhile: a wait, unless the GUI thread used the CPU (C++
        code that releases the GIL, such as a Qt call laying out a large document)."""
        culprit = culprit_of(resolve_stack(stack, memo))
        if ran_through(gui_ident):
            verdict = (
                f"GUI thread busy in a call that runs without the GIL ({cpu[gui_ident]:.0f} ms "
                f"of CPU): {culprit}"
            )
            return report("busy", verdict, culprit, stack, gui_name)
        verdict = f"GUI thread blocked in a call: {culprit}"
        return report("blocked", verdict, culprit, stack, gui_name)

    gui_stacks = [s.stacks.get(gui_ident, ()) for s in samples]
    outworked = by_cpu is not None and cpu[by_cpu] >= 2 * cpu.get(gui_ident, 0.0)
    if not samples:
        if by_cpu is not None and outworked:
            return starved(by_cpu)
        if ran_through(gui_ident):
            verdict = (
                f"GUI thread busy ({cpu[gui_ident]:.0f} ms of CPU) in one call that held the "
                "GIL; it had returned before the first sample"
            )
            return report("busy", verdict, "", (), gui_name)
        verdict = "GUI thread stalled; it was running again before the first sample"
        return report("unknown", verdict, "", (), gui_name)

    def in_loop(stack: RawStack) -> bool:
        return not stack or (loop_frame is not None and stack_key(stack[:1])[0] == loop_frame)

    def idle(stack: RawStack) -> bool:
        return in_loop(stack) or is_waiting(resolve_stack(stack[:1], memo)[0])

    lags = [s.wake_lag_ms for s in samples if s.wake_lag_ms is not None]
    # The watchdog itself waited for the GIL far longer than a switch interval: some thread
    # held it through a long call, and used CPU meanwhile (a share: on a loaded machine it
    # waits for a core too). If it used much more than the GUI thread, the GUI thread was
    # starved, even while in code of its own (that needs the GIL too); not while it sat in a
    # call that frees the GIL (a socket read is the culprit then, whoever ran meanwhile).
    max_lag = max(lags, default=0.0)
    stall_ms = max(threshold_ms / 2, 4 * switch_interval_ms)
    stalled = max_lag >= stall_ms
    cpu_holder = None
    if stalled and by_cpu is not None and outworked and cpu[by_cpu] >= 0.3 * max_lag:
        cpu_holder = by_cpu
    in_a_call = [not in_loop(s) and is_waiting(resolve_stack(s[:1], memo)[0]) for s in gui_stacks]
    if cpu_holder is not None and sum(in_a_call) * 2 <= len(samples):
        return starved(cpu_holder)
    native = sum(s.native for s in samples)
    # The GIL was hard to get: the watchdog could often only read faulthandler's dumps, or it
    # woke late (it waited for the GIL for about a switch interval).
    mostly_native = native * 2 >= len(samples)
    contended = mostly_native or (bool(lags) and statistics.median(lags) >= switch_interval_ms / 2)
    looping = [in_loop(s) for s in gui_stacks]
    waiting = [idle(s) for s in gui_stacks]
    if sum(waiting) * 2 > len(samples):
        # Waiting in a call that frees the GIL (or in the loop): starved if a dump shows the
        # GIL held meanwhile (dumps happen only then); else, from live samples, if the
        # watchdog mostly woke late: the holder is the thread that used the CPU meanwhile, or
        # the one the samples show running. Live samples after the holder let go only dilute.
        dumps = [s for s in samples if s.native]
        if dumps:
            holder = _gil_holder(dumps, gui_ident, memo)
        elif cpu_holder is not None:
            holder = cpu_holder
        elif contended and cpu:
            # The CPU times say who worked; a thread merely seen outside a wait (entering a
            # lock) did not hold the GIL through the freeze. Of several that worked alike,
            # the stacks pick.
            worked = {i for i, ms in cpu.items() if i != gui_ident and ms >= threshold_ms / 2}
            holder = by_cpu if by_cpu is not None else _gil_holder(samples, gui_ident, memo, worked)
        elif contended:
            holder = _gil_holder(samples, gui_ident, memo)
        else:
            holder = None
        if holder is not None:
            return starved(holder)
        stack = _most_common(gui_stacks)
        if sum(looping) * 2 > len(samples):
            gui_held = not outworked and (gui_ident not in cpu or ran_through(gui_ident))
            if stalled and max_lag >= duration_ms / 2 and gui_held:
                # The watchdog waited for the GIL through most of the freeze and no other
                # thread worked: the GUI thread held it (Qt's C++ code would have let it go),
                # in a call that was over by the time the samples show it back in its loop.
                used = f"{cpu[gui_ident]:.0f} ms of CPU, " if gui_ident in cpu else ""
                verdict = (
                    f"GUI thread busy ({used}holding the GIL) in one call that had returned "
                    "before its stack could be sampled"
                )
                return report("busy", verdict, "", stack, gui_name)
            frames = resolve_stack(stack, memo)
            return _in_qt(report, frames, stack, gui_name, cpu.get(gui_ident), duration_ms)
        return blocked_or_busy(stack)

    own = [s for s, idle in zip(gui_stacks, looping, strict=True) if not idle]
    # Read the moment the watchdog got the GIL back from a long wait: the GUI thread had just
    # let it go, still in the frames of the call that held it; later samples show where it
    # went next, however many there are.
    held = [
        stack
        for stack, sample in zip(gui_stacks, samples, strict=True)
        if (sample.wake_lag_ms or 0.0) >= stall_ms and not in_loop(stack)
    ]
    stack = _most_common(held if stalled and held and not outworked else own)
    culprit = culprit_of(resolve_stack(stack, memo))
    innermost = Counter(stack_key(s[:1]) for s in own).most_common(1)[0][1]
    # The watchdog waited long for the GIL and no other thread did the work: the GUI thread
    # held it (its CPU time agrees where known), busy rather than blocked.
    held_by_gui = stalled and not outworked and (gui_ident not in cpu or ran_through(gui_ident))
    if not (contended or held_by_gui) and innermost >= _STATIC_SHARE * len(own):
        return blocked_or_busy(stack)
    return report("busy", f"GUI thread busy in {culprit}", culprit, stack, gui_name)


def _in_qt(
    report: Callable[[str, str, str, RawStack, str], FreezeReport],
    frames: Sequence[StackFrame],
    stack: RawStack,
    gui_name: str,
    cpu: float | None,
    duration_ms: float,
) -> FreezeReport:
    """The GUI thread sat in the event loop's frame (no Python code of its own) and the GIL
    was free: Qt's C++ code ran (painting, building a menu), or waited (its CPU time says
    which, where known). The innermost Python frame is shown, not blamed."""
    where = frames[0].describe() if frames else "the event loop"
    culprit = f"Qt (no Python frame) under {where}"
    if cpu is not None and cpu < _CPU_SHARE * duration_ms:
        verdict = (
            f"GUI thread waiting inside Qt ({cpu:.0f} ms of CPU, no Python code running; "
            f"innermost Python frame: {where})"
        )
        return report("blocked", verdict, culprit, stack, gui_name)
    used = f"{cpu:.0f} ms of CPU, " if cpu is not None else ""
    verdict = (
        f"GUI thread busy in Qt ({used}no Python code running; innermost Python frame: {where})"
    )
    return report("qt", verdict, culprit, stack, gui_name)


def _gil_holder(
    samples: Sequence[RawSample],
    gui_ident: int,
    memo: dict[RawFrame, StackFrame],
    among: set[int] | None = None,
) -> int | None:
    """The thread (of ``among``, if given) most often seen running (not waiting) while the GUI
    thread could not."""
    running: Counter[int] = Counter()
    for sample in samples:
        for ident, stack in sample.stacks.items():
            if among is not None and ident not in among:
                continue
            if ident != gui_ident and stack and not is_waiting(resolve_stack(stack[:1], memo)[0]):
                running[ident] += 2 if sample.native else 1  # a dump shows the GIL holder
    if not running:
        return None
    return running.most_common(1)[0][0]
