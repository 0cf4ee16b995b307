"""Crash-safe file writes: readers (and the next start) see the old file or the new one, not half.

The new content goes to a temporary file in the same directory (so the final rename never
crosses file systems), is flushed and fsynced, then ``os.replace`` swaps it in atomically; the
directory is fsynced too so that the rename itself survives a power cut. If the writer dies
mid-way, only a hidden ``.<name>.<random>.tmp`` file is left behind, which
:func:`remove_stale_temp_files` cleans up.

Example::

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_text(d / "a.toml", "x = 1\\n")
    >>> (d / "a.toml").read_text()
    'x = 1\\n'
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from pathlib import Path

__all__ = ["TEMP_SUFFIX", "atomic_write_bytes", "atomic_write_text", "remove_stale_temp_files"]

TEMP_SUFFIX = ".tmp"


def _fsync_dir(directory: Path) -> None:
    # Directories cannot be opened for fsync on Windows; there the rename is durable enough.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(
    path: str | os.PathLike[str], data: bytes, *, mode: int | None = None
) -> None:
    """Replace the file at ``path`` with ``data`` atomically (see the module docstring).

    ``mode`` (e.g. ``0o600`` for a file holding credentials) is applied before the file
    appears under its name; without it an existing file keeps its permissions and a new one
    gets the usual ``0o666`` minus the umask.
    """
    target = Path(path)
    directory = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        elif target.exists():
            # Keep the permissions a user gave the file; mkstemp creates it 0600.
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(directory)


def atomic_write_text(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *, mode: int | None = None
) -> None:
    """Replace the file at ``path`` with ``text`` atomically. Newlines are written as given."""
    atomic_write_bytes(path, text.encode(encoding), mode=mode)


@functools.cache
def _umask() -> int:
    # os.umask can only be read by setting it, which races with other threads creating files:
    # prefer Linux's /proc, and read it at most once either way.
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temp_files(directory: str | os.PathLike[str], older_than: float = 60.0) -> int:
    """Delete leftover temp files of interrupted writes under ``directory``; return how many.

    Only files older than ``older_than`` seconds are removed, so a write in progress in another
    process is left alone.
    """
    removed = 0
    cutoff = time.time() - older_than
    for root, _dirs, files in os.walk(directory):
        for name in files:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                path = os.path.join(root, name)
                with contextlib.suppress(OSError):
                    if os.stat(path).st_mtime < cutoff:
                        os.unlink(path)
                        removed += 1
    return removed
