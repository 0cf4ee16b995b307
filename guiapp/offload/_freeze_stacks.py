"""Thread stacks as plain values: live frames, faulthandler dumps, and their source text.

Sampling must be cheap (it runs while the GUI is frozen and competes for the GIL), so a live
sample keeps only ``(code, lasti, lineno)`` per frame; the readable :class:`StackFrame` (with the
exact call expression being executed, from ``co_positions``) is made later, once per distinct
frame, when the report is built.
"""

from __future__ import annotations

import functools
import linecache
import os
import re
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import CodeType, FrameType

__all__ = [
    "RawFrame",
    "RawStack",
    "StackFrame",
    "capture_stack",
    "current_frames",
    "is_library",
    "is_waiting",
    "parse_dumps",
    "resolve_stack",
    "short_path",
    "stack_key",
    "thread_names",
]

#: At most this many frames per thread are kept (faulthandler's own limit is 100).
MAX_DEPTH = 100

#: One frame as sampled: ``(code or None, lasti or -1, filename, lineno, function)``.
RawFrame = tuple[CodeType | None, int, str, int, str]
#: A thread's frames, innermost first.
RawStack = tuple[RawFrame, ...]


@dataclass(frozen=True, slots=True)
class StackFrame:
    """One frame of a sampled stack.

    ``code`` is the call or expression the frame was executing (``json.loads(body)``), or the
    stripped source line when only the line number is known.

    >>> StackFrame("app/main.py", 42, "on_click", "json.loads(body)").describe()
    'json.loads(body) in on_click (app/main.py:42)'
    """

    filename: str
    lineno: int
    function: str
    code: str = ""

    @property
    def location(self) -> str:
        """``file:line`` with the file shortened (relative to the working directory, or to
        the standard library / site-packages)."""
        return f"{short_path(self.filename)}:{self.lineno}"

    def describe(self) -> str:
        """``code in function (file:line)``, or ``function (file:line)`` without code."""
        where = f"{self.function} ({self.location})"
        return f"{self.code} in {where}" if self.code else where

    def line(self) -> str:
        """The frame as one line of a stack listing."""
        where = f"{self.function} ({self.location})"
        return f"  {where}  {self.code}" if self.code else f"  {where}"


def capture_stack(frame: FrameType | None) -> RawStack:
    """The frames from ``frame`` outwards, innermost first (at most :data:`MAX_DEPTH`)."""
    out: list[RawFrame] = []
    while frame is not None and len(out) < MAX_DEPTH:
        code, lasti, lineno = frame.f_code, frame.f_lasti, frame.f_lineno
        if lineno is None:  # an instruction without a line (a loop's jump back): the one before
            lineno = _line_before(code, lasti)
        out.append((code, lasti, code.co_filename, lineno, code.co_name))
        frame = frame.f_back
    return tuple(out)


def _line_before(code: CodeType, lasti: int) -> int:
    positions = _positions(code)
    for index in range(min(lasti // 2, len(positions) - 1), -1, -1):
        line = positions[index][0]
        if line is not None:
            return line
    return code.co_firstlineno


def stack_key(stack: Iterable[RawFrame]) -> tuple[tuple[str, int, str], ...]:
    """What identifies a stack across live samples and dumps: file, line and function."""
    return tuple((f[2], f[3], f[4]) for f in stack)


@functools.lru_cache(maxsize=4096)
def _positions(code: CodeType) -> tuple[tuple[int | None, int | None, int | None, int | None], ...]:
    return tuple(code.co_positions())


def _source_text(raw: RawFrame) -> str:
    code, lasti, filename, lineno, _ = raw
    line = linecache.getline(filename, lineno).rstrip("\n")
    if code is not None and lasti >= 0:
        positions = _positions(code)
        index = lasti // 2
        if index < len(positions):
            start, end, col, end_col = positions[index]
            if start == end == lineno and col is not None and end_col is not None:
                # Columns are UTF-8 byte offsets.
                segment = line.encode()[col:end_col].decode(errors="replace").strip()
                if "(" in segment:  # a call: exactly the one being made, not the whole line
                    return segment
    return line.strip()


def resolve_stack(stack: RawStack, memo: dict[RawFrame, StackFrame]) -> tuple[StackFrame, ...]:
    """Readable frames for ``stack``; ``memo`` shares the work between samples."""
    out = []
    for raw in stack:
        frame = memo.get(raw)
        if frame is None:
            frame = memo[raw] = StackFrame(raw[2], raw[3], raw[4], _source_text(raw))
        out.append(frame)
    return tuple(out)


# -- libraries and waits -------------------------------------------------------------------------
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths.get(key, "") for key in ("stdlib", "purelib", "platlib")}
    roots.add(os.path.dirname(os.__file__))
    return tuple(sorted(os.path.join(os.path.abspath(r), "") for r in roots if r))


_LIBRARY_ROOTS = _library_roots()
_OWN_MODULES = ("_freeze_stacks.py", "_freeze_verdict.py", "freeze.py", "_qt_freeze.py")
_OWN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "")


def is_library(filename: str) -> bool:
    """True for the standard library, installed packages and this module's own frames.

    >>> is_library(os.__file__), is_library("/home/me/project/main.py")
    (True, False)
    """
    if filename.startswith("<"):
        return True
    path = os.path.abspath(filename)
    if path.startswith(_OWN_DIR) and os.path.basename(path) in _OWN_MODULES:
        return True
    return path.startswith(_LIBRARY_ROOTS)


def short_path(filename: str) -> str:
    """``filename`` relative to the working directory, site-packages or the standard library.

    >>> short_path(os.__file__)
    'os.py'
    """
    if filename.startswith("<"):
        return filename
    path = os.path.abspath(filename)
    for root in (*_LIBRARY_ROOTS, os.path.join(os.getcwd(), "")):
        if path.startswith(root):
            return path[len(root) :]
    return path


# Calls after which a thread sits waiting without holding the GIL (locks, queues, sleeps,
# sockets, selectors, child processes, event loops).
_WAIT_CALL = re.compile(
    r"(?:^|[.\s(=])(?:wait\w*|acquire|sleep|select|poll|get|join|accept|recv\w*|read\w*|"
    r"send\w*|connect\w*|getaddrinfo|communicate|exec_?|run_forever|serve_forever|"
    r"_wait_for_tstate_lock)\s*\("
)
_WAIT_FUNCTIONS = frozenset({"wait", "_wait_for_tstate_lock", "select", "poll", "get", "accept"})


def is_waiting(frame: StackFrame) -> bool:
    """Whether a thread whose innermost frame is ``frame`` is most likely waiting (GIL free).

    >>> is_waiting(StackFrame("threading.py", 320, "wait", "waiter.acquire()"))
    True
    >>> is_waiting(StackFrame("decoder.py", 353, "raw_decode", "self.scan_once(s, idx)"))
    False
    """
    return frame.function in _WAIT_FUNCTIONS or bool(_WAIT_CALL.search(frame.code))


# -- faulthandler dumps ---------------------------------------------------------------------------
_THREAD = re.compile(r"^(?:Current thread|Thread) 0x([0-9a-fA-F]+) \(most recent call first\):")
_FRAME = re.compile(r'^  File "(.*)", line (\d+) in (.*)$')


def parse_dumps(text: str) -> list[tuple[int, dict[int, RawStack]]]:
    """Parse ``faulthandler`` timeout dumps: ``[(offset of the dump in text, {ident: stack})]``.

    >>> dump = ('Timeout (0:00:00.050000)!\\nThread 0x0000000a (most recent call first):\\n'
    ...         '  File "/x/main.py", line 3 in work\\n  File "/x/main.py", line 9 in main\\n')
    >>> [(off, {i: [f[3] for f in s] for i, s in st.items()}) for off, st in parse_dumps(dump)]
    [(0, {10: [3, 9]})]
    """
    dumps: list[tuple[int, dict[int, RawStack]]] = []
    frames: list[RawFrame] | None = None
    ident = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.startswith("Timeout ("):
            dumps.append((offset, {}))
            frames = None
        elif (match := _THREAD.match(line)) and dumps:
            frames = []
            ident = int(match.group(1), 16)
            dumps[-1][1][ident] = ()  # filled below as its frames arrive
        elif frames is not None and (match := _FRAME.match(line)):
            frames.append((None, -1, match.group(1), int(match.group(2)), match.group(3)))
            dumps[-1][1][ident] = tuple(frames[:MAX_DEPTH])
        offset += len(line.encode())
    return dumps


def thread_names(threads: Iterable[object]) -> Mapping[int, str]:
    """``{ident: name}`` for :func:`threading.enumerate`'s threads."""
    return {
        ident: str(getattr(t, "name", ident))
        for t in threads
        if (ident := getattr(t, "ident", None)) is not None
    }


def current_frames() -> dict[int, FrameType]:
    """``sys._current_frames()``: the documented (underscore-named) way to sample threads."""
    return sys._current_frames()
