"""The cookie jar around a shared session: kept, sent back, listed, removed, saved privately."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from guiapp.core._http_adapter import make_session
from guiapp.core.cookies import (
    CookieFileError,
    StoredCookie,
    list_cookies,
    load_cookies,
    remove_cookies,
    save_cookies,
)
from guiapp.core.request import RequestSpec
from guiapp.core.transport import send


def _jar(*cookies: StoredCookie) -> requests.cookies.RequestsCookieJar:
    jar = requests.cookies.RequestsCookieJar()
    for cookie in cookies:
        jar.set_cookie(cookie.to_cookie())
    return jar


def test_a_shared_session_keeps_and_sends_back_what_the_server_set(httpbin: Any) -> None:
    session = make_session()
    try:
        login = send(
            RequestSpec(url=httpbin.url + "/cookies/set?sid=abc123", timeout=10), session=session
        )
        assert login.json() == {"cookies": {"sid": "abc123"}}  # set on the redirect, sent after it
        later = send(RequestSpec(url=httpbin.url + "/cookies", timeout=10), session=session)
        assert later.json() == {"cookies": {"sid": "abc123"}}
        (cookie,) = list_cookies(session.cookies)
        assert (cookie.name, cookie.value, cookie.path) == ("sid", "abc123", "/")
        assert cookie.is_session
        assert remove_cookies(session.cookies, name="sid") == 1
        after = send(RequestSpec(url=httpbin.url + "/cookies", timeout=10), session=session)
        assert after.json() == {"cookies": {}}
    finally:
        session.close()


def test_without_a_session_nothing_is_kept(httpbin: Any) -> None:
    send(RequestSpec(url=httpbin.url + "/cookies/set?sid=abc", timeout=10))
    assert send(RequestSpec(url=httpbin.url + "/cookies", timeout=10)).json() == {"cookies": {}}


def test_repr_hides_the_value() -> None:
    cookie = StoredCookie("api.example.com", "/", "sid", "s3cr3t", secure=True)
    assert "s3cr3t" not in repr(cookie)
    assert "'***'" in repr(cookie)
    assert "s3cr3t" not in repr(list_cookies(_jar(cookie)))


def test_listing_is_sorted_and_drops_expired_cookies() -> None:
    now = time.time()
    jar = _jar(
        StoredCookie("b.example", "/", "z", "1"),
        StoredCookie(".a.example", "/x", "y", "2", expires=now + 3600),
        StoredCookie("a.example", "/", "y", "3", http_only=True),
        StoredCookie("a.example", "/", "gone", "4", expires=now - 1),
    )
    listed = list_cookies(jar, now=now)
    assert [(c.domain, c.path, c.name) for c in listed] == [
        ("a.example", "/", "y"),
        (".a.example", "/x", "y"),
        ("b.example", "/", "z"),
    ]
    assert listed[0].http_only
    assert not listed[1].is_session


def test_remove_by_site_ignores_the_domain_dot() -> None:
    jar = _jar(
        StoredCookie(".a.example", "/", "one", "1"),
        StoredCookie("a.example", "/api", "two", "2"),
        StoredCookie("b.example", "/", "three", "3"),
    )
    assert remove_cookies(jar, domain="a.example") == 2
    assert [c.name for c in list_cookies(jar)] == ["three"]
    assert remove_cookies(jar, domain="nowhere.example") == 0
    assert remove_cookies(jar) == 1
    assert list_cookies(jar) == []


def test_save_and_load_round_trip_privately(tmp_path: Path) -> None:
    now = time.time()
    kept = [
        StoredCookie("a.example", "/", "sid", "s3cr3t", secure=True, http_only=True),
        StoredCookie(".b.example", "/api", "pref", "dark", expires=round(now + 86400)),
    ]
    path = tmp_path / "state" / "cookies.json"
    assert save_cookies(_jar(*kept, StoredCookie("c.example", "/", "old", "x", now - 5)), path) == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # credentials: the owner only
    assert sorted(list_cookies(load_cookies(path)), key=lambda c: c.name) == sorted(
        kept, key=lambda c: c.name
    )
    # A cookie that expires after saving is not loaded back.
    assert [c.name for c in list_cookies(load_cookies(path, now=now + 2 * 86400))] == ["sid"]


def test_loading_a_missing_file_gives_an_empty_jar(tmp_path: Path) -> None:
    assert list_cookies(load_cookies(tmp_path / "none.json")) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"version": 1}', "has no list of cookies"),
        ('{"version": 99, "cookies": []}', "has version 99; this guiapp reads up to 1"),
        ('{"version": 1, "cookies": [3]}', "cookie 1 in .* is not an object"),
        (
            '{"version": 1, "cookies": [{"domain": "a", "path": "/", "name": "n"}]}',
            "no text 'value'",
        ),
        (
            '{"version": 1, "cookies": [{"domain": "a", "path": "/", "name": "n", "value": "v", '
            '"expires": "soon"}]}',
            "'expires' that is not a number",
        ),
    ],
)
def test_a_broken_file_is_refused_with_a_reason(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cookies.json"
    path.write_text(content)
    with pytest.raises(CookieFileError, match=message):
        load_cookies(path)


def test_the_file_is_plain_json(tmp_path: Path) -> None:
    path = tmp_path / "cookies.json"
    save_cookies(_jar(StoredCookie("a.example", "/", "sid", "v")), path)
    document = json.loads(path.read_text())
    assert document["version"] == 1
    assert document["cookies"] == [
        {
            "domain": "a.example",
            "path": "/",
            "name": "sid",
            "value": "v",
            "expires": None,
            "secure": False,
            "http_only": False,
        }
    ]
