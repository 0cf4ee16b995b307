"""Streaming response bodies: bounded content decoding and memory-then-file spooling.

:class:`CappedDecoder` inflates gzip/deflate incrementally with ``max_length`` so that a
decompression bomb is stopped at the cap instead of being inflated in memory. :class:`BodySink`
keeps a body in memory up to a threshold and moves it to a temporary file beyond it; a full
disk while writing that file raises :class:`SpoolFull` (how many bytes were written), never a
bare ``OSError``.

Example::

    >>> import gzip
    >>> dec = CappedDecoder("gzip", limit=10)
    >>> dec.feed(gzip.compress(b"abc"))
    b'abc'
    >>> CappedDecoder("gzip", limit=10).feed(gzip.compress(bytes(100)))
    Traceback (most recent call last):
    ...
    guiapp.core._http_body.DecodedTooLarge: 11
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import zlib
from typing import BinaryIO

__all__ = [
    "DEFAULT_SPOOL_THRESHOLD",
    "BodySink",
    "CappedDecoder",
    "DecodedTooLarge",
    "RatioExceeded",
    "SpoolFull",
    "sweep_stale_spool_files",
]

#: Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
DEFAULT_SPOOL_THRESHOLD = 8 * 1024 * 1024
_DECODE_STEP = 1 << 16  # inflate at most this much per step: memory stays bounded


#: The decompression ratio is judged only past this many decoded bytes: small, very repetitive
#: bodies (a JSON array of identical objects) legitimately compress more than 100x.
RATIO_FLOOR = 16 << 20


class DecodedTooLarge(Exception):
    """The decoded body went past the cap (the argument is how many bytes were produced)."""


class RatioExceeded(Exception):
    """The decoded body outgrew ``ratio`` times the compressed bytes fed (past the floor);
    ``kept`` is the decoded output of the last chunk up to the ceiling (part of the body)."""

    def __init__(self, produced: int, kept: bytes) -> None:
        super().__init__(produced)
        self.kept = kept


class SpoolFull(Exception):
    """The spool file's disk is full (or the user's quota is used up).

    ``written`` is how many body bytes had reached the file.
    """

    def __init__(self, written: int) -> None:
        super().__init__(written)
        self.written = written


_FULL = {errno.ENOSPC, errno.EDQUOT}


class ContentDecodingFailed(Exception):
    """The body is not valid data for its Content-Encoding."""


class CappedDecoder:
    """Incremental gzip/deflate decoder that never produces more than ``limit`` bytes, nor more
    than ``ratio`` times the compressed bytes fed once past ``ratio_floor`` decoded bytes.

    ``encoding`` is the Content-Encoding (``identity``/empty means pass-through). Unknown
    encodings are passed through undecoded (``decodes`` is then False). Memory stays bounded
    by the ceilings: a bomb is stopped inside the chunk that crosses one.
    """

    def __init__(
        self,
        encoding: str,
        limit: int | None,
        *,
        ratio: float | None = None,
        ratio_floor: int = RATIO_FLOOR,
    ) -> None:
        self.encoding = encoding.strip().lower()
        self.limit = limit
        self.ratio = ratio
        self.ratio_floor = ratio_floor
        self.consumed = 0
        self.produced = 0
        self._obj: zlib._Decompress | None = None
        self.decodes = self.encoding in ("gzip", "x-gzip", "deflate")
        if self.encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if not self.decodes:
            return self._count(data)
        if self.encoding == "deflate" and self._obj is None:
            # "deflate" is zlib-wrapped by the RFC but raw deflate in the wild: sniff it.
            wbits = zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
            self._obj = zlib.decompressobj(wbits)
        assert self._obj is not None
        self.consumed += len(data)
        ceiling = self._ceiling()
        out = bytearray()
        pending = data
        try:
            while pending:
                budget = _DECODE_STEP
                if ceiling is not None:
                    # One byte past the ceiling is enough to know it was crossed.
                    budget = max(1, min(budget, ceiling - self.produced - len(out) + 1))
                out += self._obj.decompress(pending, budget)
                pending = self._obj.unconsumed_tail
                if ceiling is not None and self.produced + len(out) > ceiling:
                    break
                if not pending and self._obj.eof and self._obj.unused_data:
                    # Concatenated gzip members (allowed by RFC 1952): start the next one.
                    pending = self._obj.unused_data
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise ContentDecodingFailed(str(exc)) from None
        if ceiling is not None and self.produced + len(out) > ceiling and ceiling != self.limit:
            kept = bytes(out[: max(0, ceiling - self.produced)])
            self.produced += len(kept)
            raise RatioExceeded(self.produced, kept)
        return self._count(bytes(out))

    def _ceiling(self) -> int | None:
        ceiling = self.limit
        if self.ratio is not None:
            by_ratio = max(self.ratio_floor, int(self.ratio * self.consumed))
            ceiling = by_ratio if ceiling is None else min(ceiling, by_ratio)
        return ceiling

    def flush(self) -> bytes:
        if not self.decodes or self._obj is None:
            return b""
        try:
            return self._count(self._obj.flush(_DECODE_STEP))
        except zlib.error as exc:
            raise ContentDecodingFailed(str(exc)) from None

    def count(self, size: int) -> None:
        """Account for ``size`` bytes passed through without :meth:`feed` (identity bodies)."""
        self.produced += size
        if self.limit is not None and self.produced > self.limit:
            raise DecodedTooLarge(self.produced)

    def _count(self, data: bytes) -> bytes:
        self.count(len(data))
        return data


_SPOOL_PREFIX = "guiapp-body-"


def _open_spool(spool_dir: str | None) -> tuple[BinaryIO, str]:
    """A new private temporary file (unbuffered: chunks are large, a buffer only copies).

    Its name carries this process's id, so that a later start can tell a file left by a
    process that crashed (see :func:`sweep_stale_spool_files`) from one still in use.
    """
    fd, path = tempfile.mkstemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-", dir=spool_dir)
    return os.fdopen(fd, "wb", buffering=0), path


def sweep_stale_spool_files(spool_dir: str | None = None) -> int:
    """Delete body spool files whose process has ended (a crash, a kill); return how many.

    A spooled response deletes its file on ``close()`` or when it is garbage-collected; only a
    process that died before either leaves one behind. Files of a running process (this one
    included) are kept. Errors are ignored: the sweep is a courtesy, never a failure.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> open(os.path.join(folder, "guiapp-body-999999999-x"), "wb").close()   # no such process
    >>> open(os.path.join(folder, f"guiapp-body-{os.getpid()}-y"), "wb").close()
    >>> sweep_stale_spool_files(folder), sorted(os.listdir(folder))
    (1, ['guiapp-body-...-y'])
    >>> import shutil; shutil.rmtree(folder)
    """
    folder = spool_dir or tempfile.gettempdir()
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(_SPOOL_PREFIX):
            continue
        pid_text = name[len(_SPOOL_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
            removed += 1
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # someone else's process, or unknowable: keep its files
    return True


class BodySink:
    """Collects body chunks in memory, then in a temporary file past ``threshold`` bytes.

    >>> sink = BodySink(threshold=4)
    >>> sink.write(b"abc"); sink.finish()
    (b'abc', None)
    """

    def __init__(self, threshold: int = DEFAULT_SPOOL_THRESHOLD, spool_dir: str | None = None):
        self.threshold = threshold
        self.spool_dir = spool_dir
        self.size = 0
        #: Bytes that reached the spool file (all of them once past the threshold).
        self.written = 0
        self._memory = bytearray()
        self._file: BinaryIO | None = None
        self.path: str | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data`` (copied: the caller may reuse its buffer). Raises :class:`SpoolFull`
        when the disk is full; the bytes that fitted stay in the file."""
        if not data:
            return
        self.size += len(data)
        if self._file is None and len(self._memory) + len(data) > self.threshold:
            self._file, self.path = _open_spool(self.spool_dir)
            memory, self._memory = self._memory, bytearray()
            self._write_all(memory)
        if self._file is not None:
            self._write_all(data)
        else:
            self._memory += data

    def _write_all(self, data: bytes | bytearray | memoryview) -> None:
        assert self._file is not None
        view = memoryview(data)
        try:
            while view:  # a raw write may write less than asked (a full disk, a signal)
                count = self._file.write(view) or 0
                self.written += count
                view = view[count:]
        except OSError as exc:
            if exc.errno in _FULL:
                raise SpoolFull(self.written) from exc
            raise

    def finish(self) -> tuple[bytes, str | None]:
        """Close the spool file; return ``(in-memory bytes, spool path or None)``."""
        if self._file is not None:
            self._close()
            return b"", self.path
        data, self._memory = bytes(self._memory), bytearray()
        return data, None

    def discard(self) -> None:
        """Drop everything, deleting the spool file if one was made."""
        self._close()
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None
        self._memory = bytearray()

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):  # a full disk may fail the close too
                file.close()
