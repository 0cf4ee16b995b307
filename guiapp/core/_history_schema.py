"""History database schema: versioned migrations (PRAGMA user_version) and the optional FTS index.

Each migration runs in one transaction with its version bump, so a crash mid-migration leaves the
previous version intact. The full-text index is not part of the versioned schema: it is created
when this SQLite build has FTS5 with the trigram tokenizer (substring search, like LIKE, but
indexed) and rebuilt from the table if it was missing.
"""

from __future__ import annotations

import sqlite3

__all__ = ["SCHEMA_VERSION", "SchemaError", "ensure_fts", "fts_available", "migrate"]

# One tuple of statements per version; append, never edit a released one.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # AUTOINCREMENT: ids are never reused after a delete, so an id held by the UI can only
        # ever mean one entry.
        """CREATE TABLE entry (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at REAL NOT NULL,
            method TEXT NOT NULL,
            url TEXT NOT NULL,
            status_code INTEGER,
            reason TEXT NOT NULL DEFAULT '',
            elapsed REAL NOT NULL DEFAULT 0,
            size INTEGER NOT NULL DEFAULT 0,
            content_type TEXT NOT NULL DEFAULT '',
            error TEXT,
            body_text TEXT NOT NULL DEFAULT '',
            spec_json TEXT NOT NULL
        )""",
        "CREATE INDEX entry_newest ON entry (created_at DESC, id DESC)",
    ),
    (
        # Version 2: spec_json holds the request as the user wrote it ({{variables}} kept,
        # secrets masked) and sent_json what was sent, secret values masked. NULL in entries
        # written by version 1, whose spec_json is the (redacted) request that was sent.
        "ALTER TABLE entry ADD COLUMN sent_json TEXT",
    ),
    (
        # Version 3: for a streamed response, its summary ("400 events (SSE), 31,120 bytes in
        # 0.21 s"); NULL otherwise and in older entries.
        "ALTER TABLE entry ADD COLUMN stream TEXT",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)

#: Columns the search looks in, for both FTS and the LIKE fallback.
SEARCH_COLUMNS = ("method", "url", "status_code", "reason", "error", "body_text")

_FTS_STATEMENTS = (
    f"""CREATE VIRTUAL TABLE entry_fts USING fts5 ({", ".join(SEARCH_COLUMNS)},
        content='entry', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER entry_fts_insert AFTER INSERT ON entry BEGIN
        INSERT INTO entry_fts (rowid, {", ".join(SEARCH_COLUMNS)})
        VALUES (new.id, {", ".join("new." + c for c in SEARCH_COLUMNS)});
    END""",
    f"""CREATE TRIGGER entry_fts_delete AFTER DELETE ON entry BEGIN
        INSERT INTO entry_fts (entry_fts, rowid, {", ".join(SEARCH_COLUMNS)})
        VALUES ('delete', old.id, {", ".join("old." + c for c in SEARCH_COLUMNS)});
    END""",
    "INSERT INTO entry_fts (entry_fts) VALUES ('rebuild')",
)


class SchemaError(Exception):
    """The database was written by a newer version of the app, or is not a history database."""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION. ``conn`` must be in autocommit mode."""
    # The version is read inside the write transaction: two processes opening a new database
    # at once must not both run the same migration.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise SchemaError(
                f"history database schema {version} is newer than this app supports "
                f"({SCHEMA_VERSION}); update the app or choose another data directory"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def fts_available(conn: sqlite3.Connection) -> bool:
    """True if this SQLite build has FTS5 with the trigram tokenizer (SQLite >= 3.34)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp._probe USING fts5 (x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp._probe")
    return True


def ensure_fts(conn: sqlite3.Connection) -> bool:
    """Create (and fill) the full-text index if possible; True if searches can use it."""
    if not fts_available(conn):
        # An index made by a build with FTS5 would break inserts here (its triggers need fts5).
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entry_fts'"
        ).fetchone()
        if not exists:
            for statement in _FTS_STATEMENTS:
                conn.execute(statement)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True
