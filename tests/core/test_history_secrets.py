"""History keeps the request as written and masks every secret value, on disk and in search;
its files are private and its WAL is merged on close."""

from __future__ import annotations

import json
import sqlite3
import stat
import warnings
from pathlib import Path

import pytest

from guiapp.core._history_schema import _MIGRATIONS
from guiapp.core.history import HistoryStore, ResponseSummary
from guiapp.core.request import BearerAuth, FormBody, JsonBody, RequestSpec
from guiapp.core.serialize import spec_to_dict

pytestmark = pytest.mark.hostile("storage")

KEY = "k3y-SECRET-9f8e7d"
TOKEN = "tok-SECRET-1a2b3c"


def _written() -> RequestSpec:
    return RequestSpec(
        url="http://127.0.0.1:8000/users/{{key}}/items?api_key={{key}}",
        method="POST",
        headers=[("X-API-Key", "{{key}}"), ("Authorization", "Bearer {{token}}")],
        body=JsonBody('{"key": "{{key}}"}'),
    )


def _sent() -> RequestSpec:
    return RequestSpec(
        url=f"http://127.0.0.1:8000/users/{KEY}/items?api_key={KEY}",
        method="POST",
        headers=[("X-API-Key", KEY), ("Authorization", f"Bearer {TOKEN}")],
        body=JsonBody(f'{{"key": "{KEY}"}}'),
    )


def _raw(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.is_file())


def test_secret_values_are_masked_everywhere_on_disk_and_in_search(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    error = ResponseSummary.failed(f"Connection refused for /users/{KEY}/items")
    first = store.add(_written(), error, sent=_sent(), secrets={KEY, TOKEN})
    form = RequestSpec(url="http://h/login", body=FormBody([("password", KEY)]))
    store.add(form, ResponseSummary(200), secrets={KEY})
    raw = _raw(tmp_path)  # database, -wal and -shm
    assert b"127.0.0.1:8000/users" in raw  # plaintext is visible to this check
    assert KEY.encode() not in raw
    assert TOKEN.encode() not in raw
    assert store.list(search=KEY[:8]) == []  # the search index holds no secret either
    entry = store.get(first)
    assert entry.spec == _written()  # the {{references}} come back
    assert entry.reenter == []
    assert entry.sent is not None
    assert entry.sent.url == "http://127.0.0.1:8000/users/***/items?api_key=***"
    assert entry.sent.header("X-API-Key") == "***"
    assert entry.url == entry.sent.url
    assert entry.summary.error == "Connection refused for /users/***/items"
    store.close()


def test_a_literal_credential_is_not_kept_and_must_be_reentered(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    spec = RequestSpec(
        url="http://h/a", headers=[("X-Trace", TOKEN)], auth=BearerAuth(TOKEN)
    )  # the token typed as is, and repeated in another header
    entry = store.get(store.add(spec, ResponseSummary(200)))
    assert entry.spec.auth == BearerAuth("***")
    assert entry.spec.header("X-Trace") == "***"
    assert entry.reenter == ["header X-Trace", "auth token"]
    assert TOKEN.encode() not in _raw(tmp_path)
    store.close()


@pytest.mark.skipif(not hasattr(stat, "S_IMODE"), reason="POSIX modes")
def test_files_are_private_and_close_merges_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    store.add(RequestSpec(url="http://h/"), ResponseSummary(200))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["history.sqlite3", "history.sqlite3-shm", "history.sqlite3-wal"]
    for p in tmp_path.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ResourceWarning: unclosed database would fail here
        store.close()
        store.close()  # twice is harmless
    wal = tmp_path / "history.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    # The entry is in the main file: a reader that ignores the WAL still sees it.
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM entry").fetchone()[0] == 1
    finally:
        conn.close()


def test_entries_of_version_1_restore_with_the_masked_fields_to_reenter(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    old = RequestSpec(url="http://h/", headers=[("Authorization", "Bearer x")]).redacted()
    conn.execute(
        "INSERT INTO entry (created_at, method, url, spec_json) VALUES (1, 'GET', ?, ?)",
        (old.url, json.dumps(spec_to_dict(old))),
    )
    conn.close()
    store = HistoryStore(path)
    (entry,) = store.list()
    assert entry.sent is None
    assert entry.spec.header("Authorization") == "***"
    assert entry.reenter == ["header Authorization"]
    store.close()


def test_a_very_short_credential_does_not_garble_the_rest(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    spec = RequestSpec(
        url="http://api.test/items/12", headers=[("Authorization", "Bearer t")], auth=None
    )
    entry = store.get(store.add(spec, ResponseSummary(200), secrets={"t", "42"}))
    assert entry.spec.url == "http://api.test/items/12"  # not "h***p://..."
    assert entry.spec.header("Authorization") == "Bearer ***"  # its own field is still masked
    assert [e.id for e in store.list(search="items/12")] == [entry.id]
    store.close()
