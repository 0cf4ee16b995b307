"""URL masking hides the userinfo password and never changes where a URL points."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guiapp.core.request import RequestSpec
from guiapp.core.url_mask import MASK, mask_url_password, url_password

_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
_PATHCHARS = _SAFE + "!$&'()*+,;=:@%"
_segment = st.text(_PATHCHARS, max_size=12)


def _hosts() -> st.SearchStrategy[str]:
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    names = st.lists(label, min_size=1, max_size=3).map(".".join)
    ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
    ipv6 = st.sampled_from(["[::1]", "[2001:db8::7]", "[fe80::1%25eth0]", "[::ffff:127.0.0.1]"])
    # IDNA: a Unicode name and its punycode form (urlsplit keeps either as written).
    idna = st.sampled_from(["bücher.example", "xn--bcher-kva.example", "例え.テスト", "münchen.de"])
    return st.one_of(names, ipv4, ipv6, idna)


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str | None]:
    """(url, password or None): ports, "@" in path/query/fragment, IPv6 and IDNA hosts."""
    scheme = draw(st.sampled_from(["http", "https", "ws", "git+ssh"]))
    user = draw(st.none() | st.text(_SAFE + "!$&'()*+,;=%", max_size=8))
    password = draw(st.none() | st.text(_SAFE + "!$&'()*+,;=:@%", max_size=10))
    userinfo = ""
    if user is not None:
        userinfo = user + (f":{password}" if password is not None else "") + "@"
    else:
        password = None
    host = draw(_hosts())
    port = draw(st.none() | st.integers(0, 65535))
    path = "".join("/" + s for s in draw(st.lists(_segment, max_size=4)))
    query = draw(st.none() | st.text(_PATHCHARS + "/?", max_size=15))
    fragment = draw(st.none() | st.text(_PATHCHARS + "/?#", max_size=10))
    url = f"{scheme}://{userinfo}{host}{'' if port is None else f':{port}'}{path}"
    url += "" if query is None else f"?{query}"
    url += "" if fragment is None else f"#{fragment}"
    return url, password


@settings(max_examples=400, deadline=None)
@given(urls())
def test_masking_keeps_scheme_host_port_path_query_fragment(case: tuple[str, str | None]) -> None:
    url, password = case
    masked = mask_url_password(url)
    before, after = urlsplit(url), urlsplit(masked)
    assert (after.scheme, after.hostname, after.path, after.query, after.fragment) == (
        before.scheme,
        before.hostname,
        before.path,
        before.query,
        before.fragment,
    )
    assert after.port == before.port
    assert after.username == before.username
    assert url_password(url) == password
    if password is None:
        assert masked == url  # nothing to hide: not one character changes
    else:
        assert after.password == MASK
        # unmask(mask(u)) == u: putting the password back gives the original URL.
        assert masked.replace(f":{MASK}@", f":{password}@", 1) == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://127.0.0.1:8000/users/@alice/profile",
            "http://127.0.0.1:8000/users/@alice/profile",
        ),
        ("http://h/search?q=a:b@c", "http://h/search?q=a:b@c"),
        ("http://h#x:y@z", "http://h#x:y@z"),
        ("http://u:p@ss@h:81/a@b", "http://u:***@h:81/a@b"),
        ("http://u:pw@[::1]:8080/x?y=@", "http://u:***@[::1]:8080/x?y=@"),
        ("http://u@h/", "http://u@h/"),
        ("not a url @ all", "not a url @ all"),
    ],
)
def test_masking_examples(url: str, expected: str) -> None:
    assert mask_url_password(url) == expected


def test_request_repr_and_redaction_keep_an_at_in_the_path() -> None:
    spec = RequestSpec(url="http://127.0.0.1:8000/users/@alice/profile")
    assert spec.redacted().url == spec.url
    assert "127.0.0.1:8000/users/@alice/profile" in repr(spec)
    secret = RequestSpec(url="http://bob:hunter2@127.0.0.1:8000/users/@alice")
    assert secret.redacted().url == "http://bob:***@127.0.0.1:8000/users/@alice"
