"""HistoryStore: round trips, redaction on disk, search, paging, schema and threading rules."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guiapp.core._history_schema import SCHEMA_VERSION
from guiapp.core.history import (
    HistoryEntry,
    HistoryError,
    HistoryStore,
    ResponseSummary,
)
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextPart,
)
from guiapp.core.secret_mask import credentials_of, mask_spec, mask_template
from tests.strategies import request_specs

SECRETS = [
    "tok-AAAA-1111",
    "pw-BBBB-2222",
    "sid-CCCC-3333",
    "proxy-DDDD-4444",
    "dig-EEEE-5555",
    "url-FFFF-6666",
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "history.db")
    yield s
    s.close()


def ok(status: int = 200, at: float = 1000.0) -> ResponseSummary:
    return ResponseSummary(status, "OK", 0.25, 123, "application/json", None, at)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request_specs())
def test_get_restores_the_written_spec_exactly(store: HistoryStore, spec: RequestSpec) -> None:
    summary = ResponseSummary(404, "Not Found", 1.5, 9, "text/html", None, 1234.5)
    entry = store.get(store.add(spec, summary))
    secrets = credentials_of(spec)
    assert entry.spec == mask_template(spec, secrets)
    assert entry.sent == mask_spec(spec, secrets)
    if not secrets:  # nothing to hide: the request comes back exactly as written
        assert entry.spec == spec
    assert entry.summary == summary


def test_round_trip_keeps_bodies_and_auth_types(store: HistoryStore) -> None:
    spec = RequestSpec(
        url="http://h/x",
        method="PATCH",
        params=[("a", "1"), ("a", "2")],
        body=MultipartBody((TextPart("k", "v"),)),
        auth=DigestAuth("me", "pw"),
        timeout=(1.0, 2.0),
        verify="/ca.pem",
        cert=("c", "k"),
        max_body_bytes=5,
    )
    back = store.get(store.add(spec, ok())).spec
    assert back == spec.redacted()
    assert isinstance(back.auth, DigestAuth)
    assert back.auth.username == "me"


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    store = HistoryStore(path)
    store.add(
        RequestSpec(
            url="http://h/a",
            headers=[("Authorization", f"Bearer {SECRETS[0]}"), ("Cookie", f"sid={SECRETS[2]}")],
            auth=BasicAuth("user", SECRETS[1]),
            proxy=f"http://p:{SECRETS[3]}@proxy:3128",
        ),
        ok(),
    )
    store.add(
        RequestSpec(url=f"https://bob:{SECRETS[5]}@h/b", auth=DigestAuth("u", SECRETS[4])), ok()
    )
    store.add(RequestSpec(url="http://h/c", auth=BearerAuth(SECRETS[0])), ok())
    url_entry = store.list(search="bob")[0]
    assert url_entry.url == "https://bob:***@h/b"
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # db, -wal and -shm
    assert b"user" in raw  # the check would see plaintext if it were there
    for secret in SECRETS:
        assert secret.encode() not in raw
    store.close()


def test_list_is_newest_first_with_paging(store: HistoryStore) -> None:
    ids = [store.add(RequestSpec(url=f"http://h/{i}"), ok(at=1000.0 + i)) for i in range(25)]
    older = store.add(RequestSpec(url="http://h/old"), ok(at=10.0))  # added last, but oldest
    page = store.list(limit=10)
    assert [e.id for e in page] == ids[::-1][:10]
    assert [e.id for e in store.list(limit=10, offset=20)] == [*ids[::-1][20:], older]
    assert store.count() == 26
    assert isinstance(page[0], HistoryEntry)
    assert page[0].url == "http://h/24"
    assert page[0].method == "GET"


def test_search_fields(store: HistoryStore) -> None:
    a = store.add(
        RequestSpec(
            url="http://api.example.com/users?id=7",
            method="POST",
            body=JsonBody('{"name": "Zaphod"}'),
        ),
        ok(201),
    )
    b = store.add(
        RequestSpec(url="http://other.test/items", body=FormBody([("q", "50%_off")])),
        ResponseSummary.failed("Connection refused"),
    )
    c = store.add(RequestSpec(url="http://other.test/x"), ok(404))

    def found(query: str) -> set[int]:
        return {e.id for e in store.list(search=query)}

    assert found("example.com/us") == {a}
    assert found("zaphod") == {a}  # body text, case-insensitive
    assert found("post") == {a}
    assert found("404") == {c}
    assert found("refused") == {b}
    assert found("50%_") == {b}  # LIKE wildcards are literal
    assert found("%") == {b}
    assert found("other 404") == {c}  # every term must match
    assert found('"quoted"') == set()
    assert found("   ") == {a, b, c}
    assert store.count(search="other") == 2


_ALPHABET = "abcAB12/._-%"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    urls=st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=8),
    query=st.text(_ALPHABET + " ", max_size=8),
    fts=st.booleans(),
)
def test_search_agrees_with_a_substring_reference(
    tmp_path: Path, urls: list[str], query: str, fts: bool
) -> None:
    with HistoryStore(":memory:") as s:
        ids = s.add_many(
            (RequestSpec(url=u, method="GET"), ok(200 + i)) for i, u in enumerate(urls)
        )
        s._fts = s._fts and fts  # exercise the LIKE path too
        expected = {
            i
            for i, u, n in zip(ids, urls, range(len(urls)), strict=True)
            if all(
                any(t.lower() in f.lower() for f in (u, "GET", str(200 + n), "OK"))
                for t in query.split()
            )
        }
        assert {e.id for e in s.list(limit=100, search=query)} == expected


def test_delete_clear_and_missing(store: HistoryStore) -> None:
    first = store.add(RequestSpec(url="http://h/1"), ok())
    second = store.add(RequestSpec(url="http://h/2"), ok())
    assert store.delete(first) is True
    assert store.delete(first) is False
    with pytest.raises(KeyError):
        store.get(first)
    assert store.list(search="h/1") == []
    assert store.clear() == 1
    assert store.count() == 0
    assert store.list(search="h/2") == []
    third = store.add(RequestSpec(url="http://h/3"), ok())
    assert third > second  # ids are never reused


def test_failed_send_is_recorded(store: HistoryStore) -> None:
    entry = store.get(store.add(RequestSpec(url="http://h/"), ResponseSummary.failed("timed out")))
    assert entry.summary.status_code is None
    assert entry.summary.error == "timed out"


def test_max_entries_keeps_the_newest(tmp_path: Path) -> None:
    with HistoryStore(tmp_path / "h.db", max_entries=50) as s:
        for i in range(200):
            s.add(RequestSpec(url=f"http://h/{i}"), ok(at=float(i)))
        assert s.count() <= 50 + 64
        s.add_many([(RequestSpec(url="http://h/last"), ok(at=1e9))])
        assert s.count() == 50
        assert s.list(limit=1)[0].url == "http://h/last"
        assert s.prune(10) == 40


def test_persists_across_reopen_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "h.db"  # parent directories are created
    with HistoryStore(path) as s:
        entry_id = s.add(RequestSpec(url="http://h/kept"), ok())
    with HistoryStore(path) as s:
        assert s.get(entry_id).url == "http://h/kept"
        assert s.list(search="kept")[0].id == entry_id
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(HistoryError, match="newer"):
        HistoryStore(path).count()


def test_not_a_database_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="cannot open"):
        HistoryStore(path).count()


def test_built_on_one_thread_used_on_another(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")  # built here, connection not opened yet
    results: list[object] = []
    used, checked = threading.Event(), threading.Event()

    def worker() -> None:
        entry_id = store.add(RequestSpec(url="http://h/lane"), ok())
        results.append(store.get(entry_id).url)
        used.set()
        checked.wait(30)
        store.close()  # the owning thread closes it (no connection left for the collector)

    lane = threading.Thread(target=worker)
    lane.start()
    assert used.wait(30)
    try:
        assert results == ["http://h/lane"]
        with pytest.raises(HistoryError, match="second thread"):
            store.count()
        with pytest.raises(HistoryError, match="thread"):
            store.close()
    finally:
        checked.set()
        lane.join(30)
    assert not lane.is_alive()


def test_closed_store_refuses_calls(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.db")
    store.add(RequestSpec(url="http://h/"), ok())
    store.close()
    store.close()  # idempotent
    with pytest.raises(HistoryError, match="closed"):
        store.list()


def test_a_streamed_response_is_kept_with_its_stream_summary(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.db")
    try:
        summary = ResponseSummary(
            200, "OK", 1.5, 120, "text/event-stream", stream="3 events (SSE), 120 bytes in 1.50 s"
        )
        entry_id = store.add(RequestSpec(url="http://127.0.0.1:1/sse"), summary)
        assert store.get(entry_id).summary.stream == "3 events (SSE), 120 bytes in 1.50 s"
        plain = store.add(RequestSpec(url="http://127.0.0.1:1/get"), ResponseSummary(200, "OK"))
        assert store.get(plain).summary.stream is None
    finally:
        store.close()
