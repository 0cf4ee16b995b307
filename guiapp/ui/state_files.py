"""Check the data directory's state files at start-up; set aside the unreadable ones.

A state file that cannot be read (``settings.ini``, ``workspace.json``, ``cookies.json``, the
history database) is never overwritten by a fresh one: it is renamed
``<name>.corrupt-YYYYmmdd-HHMMSS`` (:func:`~guiapp.core.private_files.set_aside`) before
anything opens it, the app starts afresh for that file, and :func:`report` tells the user once,
naming what was kept where. The data directory is made ``0700`` and its files ``0600`` on the
way (earlier versions left them readable by others).

Example::

    kept = set_aside_unreadable(data_dir)      # before the window's parts open their files
    ...
    if kept:
        window.show_message(report(kept), "error")
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings

from guiapp.core.cookies import CookieFileError, load_cookies
from guiapp.core.private_files import make_private_tree, set_aside

__all__ = ["SetAside", "report", "set_aside_unreadable"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SetAside:
    """One unreadable file: where it was, where it is now, and why."""

    original: Path
    kept_as: Path | None  # None: it could not even be renamed (then it is left untouched)
    reason: str


def _settings_problem(path: Path) -> str | None:
    raw = path.read_bytes()
    if not raw.strip():
        return None
    if b"\x00" in raw:
        return "it contains binary data"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    if settings.status() != QSettings.Status.NoError:
        return "it is not a valid settings file"
    if not settings.allKeys():
        return "it holds no settings"
    requests = settings.value("session/requests", "")
    if requests:
        try:
            if not isinstance(json.loads(str(requests)), list):
                return "its saved tabs are not a list"
        except ValueError:
            return "its saved tabs are not valid JSON"
    return None


def _json_problem(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"it is not valid JSON ({exc})"
    return None if isinstance(data, dict) else "it is not a JSON object"


def _cookies_problem(path: Path) -> str | None:
    try:
        load_cookies(path)
    except CookieFileError as exc:
        return str(exc)
    return None


def _history_problem(path: Path) -> str | None:
    if path.stat().st_size == 0:
        return None  # created empty (0600) by a start that stopped before the first write
    conn = sqlite3.connect(path, timeout=1.0)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        # Only "not a database" / "malformed" mean unreadable. Anything else (busy, locked,
        # read-only, cannot open) is not the file's fault: the history panel reports it, and a
        # good database is never set aside.
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_NOTADB" or name.startswith("SQLITE_CORRUPT"):
            return f"it is not a readable database ({exc})"
        return None
    finally:
        conn.close()
    return None


#: File name -> check; a check returns why the file is unreadable, or None.
_CHECKS = {
    "settings.ini": _settings_problem,
    "workspace.json": _json_problem,
    "cookies.json": _cookies_problem,
    "history.sqlite3": _history_problem,
}


def set_aside_unreadable(data_dir: Path) -> list[SetAside]:
    """Make ``data_dir`` private, then set aside each state file that cannot be read."""
    make_private_tree(data_dir)
    kept: list[SetAside] = []
    for name, check in _CHECKS.items():
        path = data_dir / name
        if not path.is_file():
            continue
        try:
            reason = check(path)
        except OSError as exc:
            reason = f"it cannot be read ({exc})"
        if reason is None:
            continue
        _log.warning("setting aside %s: %s", path, reason)
        try:
            target: Path | None = set_aside(path)
        except OSError:
            _log.exception("could not set %s aside", path)
            target = None
        if target is not None and name == "history.sqlite3":
            for suffix in ("-wal", "-shm"):  # they belong to the set-aside database
                side = path.with_name(name + suffix)
                if side.exists():
                    side.rename(target.with_name(target.name + suffix))
        kept.append(SetAside(path, target, reason))
    return kept


def report(kept: list[SetAside]) -> str:
    """One status line naming every file set aside (and where it is now)."""
    parts = [
        f"{k.original.name} ({k.reason}) kept as {k.kept_as.name}"
        if k.kept_as is not None
        else f"{k.original.name} ({k.reason}) could not be renamed and was left as it is"
        for k in kept
    ]
    return (
        "Some saved files could not be read and were set aside; nothing was overwritten: "
        + "; ".join(parts)
        + f". They are in {kept[0].original.parent}."
    )
