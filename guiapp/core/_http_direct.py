"""Read an identity body straight from the socket file into one reused buffer.

``urllib3``'s ``read1`` costs a stack of Python calls and context managers per chunk and returns
a new ``bytes`` each time. For a body that needs no decoding and is not chunked (Content-Length
or close-delimited), :class:`DirectReader` reads with ``readinto1`` from the buffered socket file
of the ``http.client`` response that ``urllib3`` wraps, into a ``bytearray`` allocated once, and
keeps the accounting of both layers as their own reads would:

* ``http.client``: ``length`` is decremented and the response is closed at the end of the body,
  so the connection can send its next request (``isclosed()``), as its ``readinto`` does;
* ``urllib3``: ``length_remaining`` and the bytes read (``tell()``) are updated by :meth:`finish`
  and an early EOF raises ``IncompleteRead`` like ``enforce_content_length`` does.

Errors are the raw ones (``TimeoutError``, ``OSError``, ``http.client.IncompleteRead``); the
caller maps them like the ``urllib3`` wrappers around them. ``readinto1`` returns what one
``recv`` gives, so a slow server's bytes are seen as they arrive.

Example::

    reader = DirectReader.attach(requests_response.raw, 1 << 18)
    if reader is not None:
        while chunk := reader.read():   # a memoryview, valid until the next read()
            out.write(chunk)
        reader.finish()
"""

from __future__ import annotations

import http.client
from typing import Any

__all__ = ["DirectReader"]


class DirectReader:
    """``readinto1`` reads of a plain (identity, not chunked) body into one reused buffer."""

    def __init__(self, urllib3_response: Any, source: http.client.HTTPResponse, size: int) -> None:
        self._outer = urllib3_response
        self._source = source
        self._file: Any = source.fp
        self._view = memoryview(bytearray(size))
        self._size = size
        self.received = 0
        self._drained = False

    @classmethod
    def attach(cls, urllib3_response: Any, size: int) -> DirectReader | None:
        """A reader for ``urllib3_response`` (``requests.Response.raw``), or None if its body
        is chunked, already started through ``urllib3`` or not on a buffered socket file."""
        source = getattr(urllib3_response, "_fp", None)
        if not isinstance(source, http.client.HTTPResponse) or source.chunked:
            return None
        if getattr(urllib3_response, "_fp_bytes_read", None) != 0:
            return None
        if source.fp is None or not hasattr(source.fp, "readinto1"):
            return None
        return cls(urllib3_response, source, size)

    def read(self) -> bytes | memoryview:
        """The next bytes (empty at the end of the body); valid until the next call."""
        source = self._source
        if self._file is None or source.fp is None:
            return self._view[:0]
        remaining = source.length
        want = self._size if remaining is None else min(self._size, remaining)
        if want == 0:
            source.close()  # the whole body is read: the connection may serve another request
            return self._view[:0]
        data: bytes | memoryview
        if self._drained:
            count: int = self._file.readinto1(self._view[:want])
            data = self._view[:count]
        else:
            # The header parser may have buffered the first body bytes. readinto1 would copy
            # them and then also recv(), losing them if that recv fails (a reset mid-body);
            # read1 returns buffered bytes alone. Afterwards the buffer stays empty: reads
            # larger than it go straight from the socket into our buffer.
            self._drained = True
            data = self._file.read1(want)
            count = len(data)
        if not count:
            source.close()
            if remaining is not None:
                # Like urllib3's enforce_content_length: EOF before Content-Length is an error.
                raise http.client.IncompleteRead(b"", remaining)
            return self._view[:0]
        if remaining is not None:
            source.length = remaining - count
        self.received += count
        return data

    def finish(self) -> None:
        """Bring ``urllib3``'s counters up to date (what its own reads would have done)."""
        outer = self._outer
        outer._fp_bytes_read += self.received
        if outer.length_remaining is not None:
            outer.length_remaining = max(0, outer.length_remaining - self.received)
        self.received = 0
