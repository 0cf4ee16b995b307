"""BoundedCookieJar and GuardedCookiePolicy: browser limits, no cookies for other sites."""

from __future__ import annotations

import email.message
import pickle
from http.cookiejar import Cookie
from urllib.request import Request

import pytest
from requests.cookies import create_cookie

from guiapp.core.cookie_jar import (
    MAX_COOKIE_SIZE,
    MAX_COOKIES,
    MAX_COOKIES_PER_DOMAIN,
    BoundedCookieJar,
    GuardedCookiePolicy,
)
from guiapp.core.cookies import load_cookies, save_cookies


class _Reply:
    """Just enough of a response for CookieJar.extract_cookies."""

    def __init__(self, *set_cookies: str) -> None:
        self._message = email.message.Message()
        for value in set_cookies:
            self._message["Set-Cookie"] = value

    def info(self) -> email.message.Message:
        return self._message


def _stored(jar: BoundedCookieJar, url: str, *set_cookies: str) -> list[str]:
    jar.extract_cookies(_Reply(*set_cookies), Request(url))  # type: ignore[arg-type]
    return sorted(c.name for c in jar)


@pytest.mark.hostile("transport")
@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("http://shop.co.uk/", ".co.uk"),
        ("http://me.github.io/", ".github.io"),
        ("http://www.example.com/", ".com"),
    ],
)
def test_domain_cookies_on_public_suffixes_are_refused(url: str, domain: str) -> None:
    jar = BoundedCookieJar()
    assert _stored(jar, url, f"wide=1; Domain={domain}", "own=1") == ["own"]


def test_domain_cookies_for_the_site_itself_are_kept() -> None:
    jar = BoundedCookieJar()
    stored = _stored(jar, "http://www.shop.co.uk/", "a=1; Domain=.shop.co.uk", "b=1")
    assert stored == ["a", "b"]


@pytest.mark.hostile("transport")
def test_an_old_jars_ip_domain_cookie_is_not_sent_to_another_ip() -> None:
    jar = BoundedCookieJar()
    old = create_cookie("wide", "1", domain=".0.0.1", path="/")  # type: ignore[no-untyped-call]
    jar.set_cookie(old)
    request = Request("http://10.0.0.1/")
    jar.add_cookie_header(request)
    assert not request.has_header("Cookie")
    same = Request("http://0.0.1/")  # not an IP address: the stored domain still matches it
    jar.add_cookie_header(same)
    assert same.get_header("Cookie") == "wide=1"
    assert isinstance(jar.get_policy(), GuardedCookiePolicy)


def test_the_total_cap_evicts_the_oldest_cookies() -> None:
    jar = BoundedCookieJar(per_domain=5, total=8)
    for site in range(4):
        for n in range(3):
            jar.set("c", "1", domain=f"s{site}-{n}.example.com", path="/")
    kept = sorted(c.domain for c in jar)
    assert len(kept) == 8
    assert "s0-0.example.com" not in kept
    assert "s3-2.example.com" in kept


def test_a_replaced_cookie_keeps_its_age() -> None:
    jar = BoundedCookieJar(per_domain=2)
    jar.set("a", "1", domain="h.example", path="/")
    jar.set("b", "1", domain="h.example", path="/")
    jar.set("a", "2", domain="h.example", path="/")  # replaced, still the oldest
    jar.set("c", "1", domain="h.example", path="/")
    assert sorted(c.name for c in jar) == ["b", "c"]


def test_removed_cookies_no_longer_count() -> None:
    jar = BoundedCookieJar(per_domain=2)
    jar.set("a", "1", domain="h.example", path="/")
    jar.set("b", "1", domain="h.example", path="/")
    jar.clear("h.example", "/", "a")
    jar.set("c", "1", domain="h.example", path="/")
    assert sorted(c.name for c in jar) == ["b", "c"]


def test_limits_are_those_of_browsers() -> None:
    assert (MAX_COOKIES_PER_DOMAIN, MAX_COOKIES, MAX_COOKIE_SIZE) == (180, 3000, 4096)
    jar = BoundedCookieJar()
    jar.set("n", "v" * (MAX_COOKIE_SIZE - 1), domain="h.example", path="/")
    jar.set("m", "v" * MAX_COOKIE_SIZE, domain="h.example", path="/")
    assert [c.name for c in jar] == ["n"]


def test_a_saved_file_over_the_limits_loads_the_newest(tmp_path: object) -> None:
    unbounded = BoundedCookieJar(per_domain=10_000)
    for n in range(MAX_COOKIES_PER_DOMAIN + 20):
        unbounded.set(f"c{n:03d}", "1", domain="h.example", path="/")
    path = f"{tmp_path}/cookies.json"
    save_cookies(unbounded, path)
    jar = load_cookies(path)
    assert isinstance(jar, BoundedCookieJar)
    assert len(list(jar)) == MAX_COOKIES_PER_DOMAIN


def test_the_jar_pickles_and_copies_with_its_limits() -> None:
    jar = BoundedCookieJar(per_domain=2)
    jar.set("a", "1", domain="h.example", path="/")
    for other in (pickle.loads(pickle.dumps(jar)), jar.copy()):
        assert isinstance(other, BoundedCookieJar)
        assert other.per_domain == 2
        other.set("b", "1", domain="h.example", path="/")
        other.set("c", "1", domain="h.example", path="/")
        assert sorted(c.name for c in other) == ["b", "c"]
    assert isinstance(next(iter(jar)), Cookie)
