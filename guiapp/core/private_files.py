"""Files only the user can read, and setting aside a file that could not be read.

The data directory holds history, cookies, settings and the per-install secret: it is created
``0700`` and every file in it ``0600`` (on POSIX; elsewhere the OS's per-user profile ACLs
apply and these calls change nothing). A state file that cannot be read is never overwritten:
:func:`set_aside` renames it ``<name>.corrupt-YYYYmmdd-HHMMSS`` (``-2``, ``-3``... if that name
is taken) so that the user can look at it, and the app starts afresh beside it.

Example::

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "data"
    >>> ensure_private_dir(d)
    >>> oct(d.stat().st_mode & 0o777)
    '0o700'
    >>> _ = (d / "settings.ini").write_text("[broken")
    >>> kept = set_aside(d / "settings.ini")
    >>> kept.name.startswith("settings.ini.corrupt-"), (d / "settings.ini").exists()
    (True, False)
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

__all__ = [
    "CORRUPT_MARK",
    "DIR_MODE",
    "FILE_MODE",
    "ensure_private_dir",
    "make_private",
    "make_private_tree",
    "set_aside",
    "touch_private",
]

DIR_MODE = 0o700
FILE_MODE = 0o600
#: What :func:`set_aside` inserts between a file's name and its timestamp.
CORRUPT_MARK = ".corrupt-"


def ensure_private_dir(path: str | os.PathLike[str]) -> None:
    """Create ``path`` (and parents) if needed and make it ``0700``."""
    target = Path(path)
    target.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if os.name == "posix":
        os.chmod(target, DIR_MODE)


def make_private(path: str | os.PathLike[str]) -> None:
    """Make the file at ``path`` readable by its owner only; a missing file is not an error."""
    if os.name != "posix":
        return
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)


def make_private_tree(path: str | os.PathLike[str]) -> None:
    """``0700`` on ``path``, ``0600`` on each regular file directly in it (fixes data dirs
    written by earlier versions, which left them ``0755``/``0644``)."""
    ensure_private_dir(path)
    if os.name != "posix":
        return
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                make_private(entry.path)


def touch_private(path: str | os.PathLike[str]) -> None:
    """Create ``path`` empty with mode ``0600`` if it does not exist (so that a library that
    creates it later, e.g. SQLite, cannot create it readable by others first)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    make_private(path)


def set_aside(path: str | os.PathLike[str], *, now: float | None = None) -> Path:
    """Rename the unreadable file ``path`` to ``<name>.corrupt-YYYYmmdd-HHMMSS`` and return the
    new path. Never replaces an earlier set-aside file: a second one the same second gets
    ``-2``. Raises OSError if the rename fails (the caller must then not write ``path``)."""
    source = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base = source.with_name(f"{source.name}{CORRUPT_MARK}{stamp}")
    target, n = base, 1
    while True:
        try:
            # link + unlink instead of replace: an existing target makes link fail, so an
            # earlier set-aside file can never be overwritten, even by a racing process.
            os.link(source, target)
        except FileExistsError:
            n += 1
            target = base.with_name(f"{base.name}-{n}")
            continue
        except OSError:
            if target.exists():
                n += 1
                target = base.with_name(f"{base.name}-{n}")
                continue
            os.rename(source, target)  # file systems without hard links
            return target
        os.unlink(source)
        return target
