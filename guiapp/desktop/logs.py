"""The app's log file and crash file (Qt-free).

``guiapp.log`` rotates at 1 MB, keeping three old files (``guiapp.log.1`` ...). ``crash.log``
receives :mod:`faulthandler`'s report when the process dies of a native crash (a segfault in Qt,
an abort): Python cannot log those itself. A crash file left non-empty by the previous run is
renamed ``crash-<date>-<time>.log`` at the next start (the five newest are kept) and reported as
:attr:`LogFiles.previous_crash`.

The folder is the platform's user log directory (``~/.local/state/guiapp/log`` on Linux,
``%LOCALAPPDATA%\\guiapp\\Logs`` on Windows, ``~/Library/Logs/guiapp`` on macOS), or
``<data dir>/logs`` when the app was started with an explicit ``--data-dir``.

Example::

    files = start_logging(default_log_dir())
    logging.getLogger("guiapp").info("written to %s", files.log_file)
    ...
    files.close()
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import time
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from platformdirs import user_log_path

from guiapp.core.private_files import ensure_private_dir

__all__ = ["CRASH_FILE", "LOG_FILE", "LogFiles", "default_log_dir", "start_logging"]

LOG_FILE = "guiapp.log"
CRASH_FILE = "crash.log"
_MAX_BYTES = 1_000_000
_BACKUPS = 3
_KEPT_CRASHES = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def default_log_dir(data_dir: Path | None = None) -> Path:
    """The log folder: ``data_dir / "logs"`` for an explicit data directory, else the
    platform's user log directory."""
    if data_dir is not None:
        return Path(data_dir) / "logs"
    return user_log_path("guiapp", appauthor=False)


@dataclass
class LogFiles:
    """What :func:`start_logging` set up; :meth:`close` undoes it."""

    directory: Path
    log_file: Path
    crash_file: Path
    #: The report of the previous run's native crash, if it had one.
    previous_crash: Path | None = None
    _handlers: list[logging.Handler] = field(default_factory=list, repr=False)
    _crash_stream: TextIO | None = field(default=None, repr=False)
    _faulthandler_was_on: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Stop writing: detach the handlers, disable faulthandler, close the files."""
        root = logging.getLogger()
        for handler in self._handlers:
            root.removeHandler(handler)
            handler.close()
        self._handlers.clear()
        if self._crash_stream is not None:
            faulthandler.disable()
            self._crash_stream.close()
            self._crash_stream = None
            if self._faulthandler_was_on and sys.__stderr__ is not None:
                faulthandler.enable(sys.__stderr__)  # as it was before (a test runner's)


def start_logging(directory: Path, *, level: int = logging.INFO) -> LogFiles:
    """Log records of ``guiapp.*`` at ``level`` and above (and everything at WARNING and above)
    to the rotating log file in ``directory``, warnings also to stderr when there is one, and
    native crashes to the crash file. Raises OSError when the folder cannot be created.
    """
    ensure_private_dir(directory)
    crash_file = directory / CRASH_FILE
    files = LogFiles(directory, directory / LOG_FILE, crash_file, _set_aside_crash(crash_file))

    handler = RotatingFileHandler(
        files.log_file, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    files._handlers.append(handler)
    if sys.stderr is not None:  # None under pythonw (Windows, no console)
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        console.setFormatter(_BriefFormatter())
        files._handlers.append(console)
    root = logging.getLogger()
    for each in files._handlers:
        root.addHandler(each)
    logging.getLogger("guiapp").setLevel(level)

    files._faulthandler_was_on = faulthandler.is_enabled()
    files._crash_stream = open(crash_file, "w", encoding="utf-8")  # noqa: SIM115 (kept open)
    faulthandler.enable(files._crash_stream, all_threads=True)
    return files


class _BriefFormatter(logging.Formatter):
    """One line per record on the console: the traceback goes to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"guiapp: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line += f" ({type(exc).__name__}: {exc}; details in the log file)"
        return line


def _set_aside_crash(crash_file: Path) -> Path | None:
    try:
        stat = crash_file.stat()
    except FileNotFoundError:
        return None
    if stat.st_size == 0:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(stat.st_mtime))
    kept = crash_file.with_name(f"crash-{stamp}.log")
    crash_file.replace(kept)
    old = sorted(crash_file.parent.glob("crash-*.log"))
    for extra in old[:-_KEPT_CRASHES]:
        extra.unlink(missing_ok=True)
    return kept
