"""Streaming response bodies: bounded content decoding and memory-then-file spooling.

:class:`CappedDecoder` inflates gzip/deflate incrementally with ``max_length`` so that a
decompression bomb is stopped at the cap instead of being inflated in memory. :class:`BodySink`
keeps a body in memory up to a threshold and moves it to a temporary file beyond it.

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
import os
import tempfile
import zlib

__all__ = ["DEFAULT_SPOOL_THRESHOLD", "BodySink", "CappedDecoder", "DecodedTooLarge"]

#: Bodies up to this size stay in memory; larger ones are spooled to a temporary file.
DEFAULT_SPOOL_THRESHOLD = 8 * 1024 * 1024
_DECODE_STEP = 1 << 16  # inflate at most this much per step: memory stays bounded


class DecodedTooLarge(Exception):
    """The decoded body went past the cap (the argument is how many bytes were produced)."""


class ContentDecodingFailed(Exception):
    """The body is not valid data for its Content-Encoding."""


class CappedDecoder:
    """Incremental gzip/deflate decoder that never produces more than ``limit`` bytes.

    ``encoding`` is the Content-Encoding (``identity``/empty means pass-through). Unknown
    encodings are passed through undecoded (``decodes`` is then False).
    """

    def __init__(self, encoding: str, limit: int | None) -> None:
        self.encoding = encoding.strip().lower()
        self.limit = limit
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
        out = bytearray()
        pending = data
        try:
            while pending:
                budget = _DECODE_STEP
                if self.limit is not None:
                    # One byte past the cap is enough to know the cap was crossed.
                    budget = max(1, min(budget, self.limit - self.produced - len(out) + 1))
                out += self._obj.decompress(pending, budget)
                pending = self._obj.unconsumed_tail
                if self.limit is not None and self.produced + len(out) > self.limit:
                    break
                if not pending and self._obj.eof and self._obj.unused_data:
                    # Concatenated gzip members (allowed by RFC 1952): start the next one.
                    pending = self._obj.unused_data
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as exc:
            raise ContentDecodingFailed(str(exc)) from None
        return self._count(bytes(out))

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


class BodySink:
    """Collects body chunks in memory, then in a temporary file past ``threshold`` bytes."""

    def __init__(self, threshold: int = DEFAULT_SPOOL_THRESHOLD, spool_dir: str | None = None):
        self.threshold = threshold
        self.spool_dir = spool_dir
        self.size = 0
        self._memory = bytearray()
        self._fd: int | None = None
        self.path: str | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data`` (copied: the caller may reuse its buffer)."""
        if not data:
            return
        self.size += len(data)
        if self._fd is None and len(self._memory) + len(data) > self.threshold:
            self._fd, self.path = tempfile.mkstemp(prefix="guiapp-body-", dir=self.spool_dir)
            _write_all(self._fd, self._memory)
            self._memory = bytearray()
        if self._fd is not None:
            _write_all(self._fd, data)  # unbuffered: chunks are large, a buffer only copies
        else:
            self._memory += data

    def finish(self) -> tuple[bytes, str | None]:
        """Close the spool file; return ``(in-memory bytes, spool path or None)``."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            return b"", self.path
        data, self._memory = bytes(self._memory), bytearray()
        return data, None

    def discard(self) -> None:
        """Drop everything, deleting the spool file if one was made."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None
        self._memory = bytearray()


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:  # os.write may write less than asked (a full disk, a signal)
        view = view[os.write(fd, view) :]
