"""Persistent request history in SQLite: synchronous, Qt-free, one thread per store.

The app runs every call through the offload engine's single-thread SerialLane, so a store is used
from one thread only. The connection is opened lazily on first use, in that thread: a store may
be *built* on the GUI thread and used from the lane. Using it from a second thread raises
:class:`HistoryError` (we do not pass ``check_same_thread=False``: one owner is the design).

Durability: WAL journal with ``synchronous=NORMAL`` — a committed entry survives a crash or
SIGKILL of the process (only an OS crash or power loss can lose the last commits), and the file
is never left corrupt. Every ``add`` is its own transaction; ``add_many`` batches.

Privacy: each entry keeps the request as the user wrote it (``{{variables}}`` and all) and what
was sent, with every secret *value* masked wherever it appears: the values passed as
``secrets`` (those of the secret variables the send used), the request's own credentials (auth
password or token, URL password, ``Authorization``/``Cookie`` values), in the URL, headers,
params, body and error text, and so in the search index too
(:mod:`guiapp.core.secret_mask`). A literal credential in the request as written cannot be
kept: it is stored as ``***`` and :attr:`HistoryEntry.reenter` names it. ``secure_delete`` is
on so that deleted entries are overwritten on disk; the file (and its ``-wal``/``-shm``) is
created ``0600``. :meth:`HistoryStore.close` checkpoints the WAL into the database.

Search: case-insensitive substring match of every whitespace-separated term (AND) against the
method, URL, status code, reason, error text and request body text. Terms of three or more
characters use an FTS5 trigram index when the SQLite build has one; shorter terms (and builds
without FTS5) use LIKE, with the same meaning.

Measured with ``python -m guiapp.core._history_bench`` (2 cores, load ~4 from parallel test
runs): 10,000 ``add`` calls, one transaction each, 2.5 s (~250 us each, most of it updating the
trigram index); ``add_many`` of 10,000 in 0.85 s; a search over 10,000 entries returning the
first page plus its total count 0.2-20 ms; ``list`` of the newest 100 in 2 ms.

Example::

    >>> store = HistoryStore(":memory:")
    >>> written = RequestSpec(url="http://h/items", headers=[("X-API-Key", "{{key}}")])
    >>> sent = RequestSpec(url="http://h/items", headers=[("X-API-Key", "k3y-9")])
    >>> entry_id = store.add(written, ResponseSummary(200, "OK", elapsed=0.12, size=42),
    ...                      sent=sent, secrets={"k3y-9"})
    >>> entry = store.get(entry_id)
    >>> entry.spec.header("X-API-Key"), entry.sent.header("X-API-Key"), entry.summary.status_code
    ('{{key}}', '***', 200)
    >>> [e.id for e in store.list(search="items")] == [entry_id]
    True
    >>> store.close()
"""

from __future__ import annotations

import builtins
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from guiapp.core._history_schema import SEARCH_COLUMNS, SchemaError, ensure_fts, migrate
from guiapp.core.private_files import touch_private
from guiapp.core.request import (
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
)
from guiapp.core.secret_mask import credentials_of, fields_to_reenter, mask_spec, mask_template
from guiapp.core.secret_mask import mask_text as _mask_text
from guiapp.core.serialize import SpecFormatError, spec_from_dict, spec_to_dict

__all__ = ["HistoryEntry", "HistoryError", "HistoryStore", "ResponseSummary"]

#: Only this much of a request body is indexed for search (the whole body is still stored).
SEARCH_TEXT_LIMIT = 8 * 1024
_COLUMNS = (
    "id, created_at, status_code, reason, elapsed, size, content_type, error, spec_json, sent_json,"
    " stream"
)


class HistoryError(Exception):
    """The history database cannot be used: wrong thread, closed, corrupt, or too new."""


@dataclass(frozen=True, slots=True)
class ResponseSummary:
    """What history keeps of a response. ``status_code`` is None and ``error`` set for a send
    that failed (timeout, refused, cancelled...). ``stream`` summarises a streamed response
    (events, bytes, duration; :meth:`guiapp.core.streams.StreamSummary.describe`)."""

    status_code: int | None
    reason: str = ""
    elapsed: float = 0.0
    size: int = 0
    content_type: str = ""
    error: str | None = None
    created_at: float = field(default_factory=time.time)
    stream: str | None = None

    @classmethod
    def failed(cls, error: str, elapsed: float = 0.0) -> ResponseSummary:
        """A summary for a request that got no response."""
        return cls(None, "", elapsed, 0, "", error)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One stored request and the summary of its response.

    ``spec`` is the request as the user wrote it (what a restore brings back), ``sent`` what
    was sent, secret values masked (None for entries stored by older versions, whose ``spec``
    is the sent request, redacted).
    """

    id: int
    spec: RequestSpec
    summary: ResponseSummary
    sent: RequestSpec | None = None

    @property
    def reenter(self) -> builtins.list[str]:
        """Fields of ``spec`` whose secret was not kept and must be typed again (empty when
        the request can be sent as restored)."""
        return fields_to_reenter(self.spec)

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def url(self) -> str:
        """The URL that was sent (secrets masked), or the one written for old entries."""
        return (self.sent or self.spec).url


class HistoryStore:
    """Request history in the SQLite file at ``path`` (``":memory:"`` for a throwaway store).

    ``max_entries`` keeps only the newest N entries (pruned as entries are added).
    """

    def __init__(self, path: str | os.PathLike[str], *, max_entries: int | None = None) -> None:
        self._path = os.fspath(path)
        self._max_entries = max_entries
        self._conn: sqlite3.Connection | None = None
        self._owner: int | None = None
        self._closed = False
        self._fts = False
        self._adds_since_prune = 0

    @property
    def path(self) -> str:
        return self._path

    # -- connection ------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise HistoryError("history store is closed")
        me = threading.get_ident()
        if self._conn is not None:
            if me != self._owner:
                raise HistoryError(
                    "history store used from a second thread; run every call on one thread "
                    "(the app's SerialLane)"
                )
            return self._conn
        self._owner = me
        self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._path != ":memory:":
            parent = os.path.dirname(os.path.abspath(self._path))
            os.makedirs(parent, exist_ok=True)
            # SQLite gives the -wal and -shm files the database file's mode: create it 0600.
            touch_private(self._path)
        # isolation_level=None: no implicit transactions; _transaction() says where they are.
        conn = sqlite3.connect(self._path, timeout=10.0, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA secure_delete = ON")
            migrate(conn)
            self._fts = ensure_fts(conn)
        except SchemaError as exc:
            conn.close()
            raise HistoryError(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise HistoryError(f"cannot open history database {self._path}: {exc}") from exc
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._db()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Merge the WAL into the database and close the connection (from the thread that
        used it). Later calls raise HistoryError; closing twice is harmless."""
        if self._conn is not None:
            if threading.get_ident() != self._owner:
                raise HistoryError("close() must run on the thread that used the store")
            try:
                # TRUNCATE: the -wal file is emptied, so the data lives in history.sqlite3 alone.
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # another process still reading: SQLite checkpoints on its last close
            finally:
                self._conn.close()
        self._conn = None
        self._closed = True

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------
    def add(
        self,
        spec: RequestSpec,
        summary: ResponseSummary,
        *,
        sent: RequestSpec | None = None,
        secrets: Iterable[str] = (),
    ) -> int:
        """Store one request and its summary; return the new entry id.

        ``spec`` is the request as written, ``sent`` the one sent (default: ``spec``);
        ``secrets`` are the secret values the send used (those of secret variables): they are
        masked wherever they appear, as are the request's own credentials.
        """
        with self._transaction() as conn:
            entry_id = self._insert(conn, spec, summary, sent, secrets)
        self._maybe_prune(1)
        return entry_id

    def add_many(self, items: Iterable[tuple[RequestSpec, ResponseSummary]]) -> builtins.list[int]:
        """Store many entries in one transaction (all or none); return their ids in order."""
        with self._transaction() as conn:
            ids = [self._insert(conn, spec, summary, None, ()) for spec, summary in items]
        self._maybe_prune(len(ids), now=True)
        return ids

    def _insert(
        self,
        conn: sqlite3.Connection,
        spec: RequestSpec,
        summary: ResponseSummary,
        sent: RequestSpec | None,
        secrets: Iterable[str],
    ) -> int:
        sent = spec if sent is None else sent
        values = set(secrets) | credentials_of(sent)
        safe = mask_spec(sent, values)
        written = mask_template(spec, values)
        row = (
            summary.created_at,
            _clean(safe.method),
            _clean(safe.url),
            summary.status_code,
            _clean(summary.reason),
            summary.elapsed,
            summary.size,
            _clean(summary.content_type),
            None if summary.error is None else _clean(_mask_text(summary.error, values)),
            _clean(_body_text(safe)[:SEARCH_TEXT_LIMIT]),
            # ASCII-only JSON: always storable.
            json.dumps(spec_to_dict(written), separators=(",", ":")),
            json.dumps(spec_to_dict(safe), separators=(",", ":")),
            None if summary.stream is None else _clean(summary.stream),
        )
        cursor = conn.execute(
            "INSERT INTO entry (created_at, method, url, status_code, reason, elapsed, size,"
            " content_type, error, body_text, spec_json, sent_json, stream)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            row,
        )
        return int(cursor.lastrowid or 0)

    def delete(self, entry_id: int) -> bool:
        """Delete one entry; False if there was none with that id."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM entry WHERE id = ?", (entry_id,)).rowcount > 0

    def clear(self) -> int:
        """Delete every entry; return how many there were."""
        with self._transaction() as conn:
            removed = conn.execute("DELETE FROM entry").rowcount
        # Give the space back and flush the WAL, so that cleared entries leave the disk too.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        return removed

    def prune(self, keep: int) -> int:
        """Keep only the newest ``keep`` entries; return how many were deleted."""
        with self._transaction() as conn:
            return conn.execute(
                "DELETE FROM entry WHERE id IN (SELECT id FROM entry"
                " ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)",
                (max(keep, 0),),
            ).rowcount

    def _maybe_prune(self, added: int, now: bool = False) -> None:
        if self._max_entries is None:
            return
        # Pruning scans max_entries index rows, so do it every so often rather than per add.
        self._adds_since_prune += added
        if now or self._adds_since_prune >= 64:
            self._adds_since_prune = 0
            self.prune(self._max_entries)

    # -- reading ---------------------------------------------------------------------------------
    def list(
        self, limit: int = 100, offset: int = 0, search: str | None = None
    ) -> builtins.list[HistoryEntry]:
        """Entries newest first, optionally filtered by ``search`` (see the module docstring)."""
        where, args = self._search_clause(search)
        rows = self._db().execute(
            f"SELECT {_COLUMNS} FROM entry {where}"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [_entry(row) for row in rows]

    def count(self, search: str | None = None) -> int:
        """How many entries there are (matching ``search`` if given)."""
        where, args = self._search_clause(search)
        return int(self._db().execute(f"SELECT count(*) FROM entry {where}", args).fetchone()[0])

    def get(self, entry_id: int) -> HistoryEntry:
        """The entry with this id; KeyError if there is none."""
        row = self._db().execute(f"SELECT {_COLUMNS} FROM entry WHERE id = ?", (entry_id,))
        found = row.fetchone()
        if found is None:
            raise KeyError(entry_id)
        return _entry(found)

    def _search_clause(self, search: str | None) -> tuple[str, tuple[Any, ...]]:
        terms = (search or "").split()
        self._db()  # opens the connection, which decides whether FTS is available
        clauses: builtins.list[str] = []
        args: builtins.list[Any] = []
        for term in terms:
            if self._fts and len(term) >= 3:
                clauses.append("id IN (SELECT rowid FROM entry_fts WHERE entry_fts MATCH ?)")
                args.append('"' + term.replace('"', '""') + '"')
            else:
                pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                like = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in SEARCH_COLUMNS)
                clauses.append(f"({like})")
                args.extend([pattern + "%"] * len(SEARCH_COLUMNS))
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    entry_id, created_at, status, reason, elapsed, size, ctype, error, spec_json, sent_json = row[
        :10
    ]
    stream = row[10]
    try:
        spec = spec_from_dict(json.loads(spec_json))
        sent = None if sent_json is None else spec_from_dict(json.loads(sent_json))
    except (ValueError, SpecFormatError) as exc:
        raise HistoryError(f"history entry {entry_id} is unreadable: {exc}") from exc
    summary = ResponseSummary(status, reason, elapsed, size, ctype, error, created_at, stream)
    return HistoryEntry(int(entry_id), spec, summary, sent)


def _body_text(spec: RequestSpec) -> str:
    body = spec.body
    if isinstance(body, TextBody | JsonBody):
        return body.text
    if isinstance(body, FormBody):
        return "\n".join(f"{k}={v}" for k, v in body.fields)
    if isinstance(body, MultipartBody):
        return "\n".join(
            f"{p.name}={p.filename or p.path}" if isinstance(p, FilePart) else f"{p.name}={p.value}"
            for p in body.parts
        )
    if isinstance(body, FileBody):
        return body.path
    return ""


def _clean(text: str) -> str:
    # Lone surrogates (possible in str from a GUI toolkit) cannot be encoded to UTF-8 for SQLite.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
