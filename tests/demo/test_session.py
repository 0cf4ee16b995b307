"""The demo's cookie-session login: log in, the cookie is the key, log out."""

from __future__ import annotations

import requests

from guiapp.demo._ep_session import COOKIE, check_token, make_token


def test_login_me_logout_with_a_client_that_keeps_cookies(url: str) -> None:
    with requests.Session() as session:
        before = session.get(url + "/session/me", timeout=10)
        assert before.status_code == 401
        assert "POST /session/login first" in before.json()["error"]

        login = session.post(
            url + "/session/login", data={"user": "demo", "password": "secret"}, timeout=10
        )
        assert login.status_code == 200
        assert login.json() == {"logged_in": True, "user": "demo", "expires_in": 3600}
        set_cookie = login.headers["Set-Cookie"]
        assert set_cookie.startswith(COOKIE + "=")
        assert "HttpOnly" in set_cookie
        assert "Max-Age=3600" in set_cookie

        me = session.get(url + "/session/me", timeout=10)
        assert me.status_code == 200
        assert me.json()["user"] == "demo"
        assert 3590 <= me.json()["expires_in"] <= 3600

        assert session.post(url + "/session/logout", timeout=10).json() == {"logged_in": False}
        assert COOKIE not in session.cookies
        assert session.get(url + "/session/me", timeout=10).status_code == 401


def test_login_takes_json_and_refuses_wrong_credentials(url: str) -> None:
    good = requests.post(
        url + "/session/login", json={"user": "demo", "password": "secret"}, timeout=10
    )
    assert good.status_code == 200
    bad = requests.post(url + "/session/login", json={"user": "demo", "password": "x"}, timeout=10)
    assert bad.status_code == 401
    assert bad.json()["error"] == "wrong user or password"
    assert "Set-Cookie" not in bad.headers
    broken = requests.post(
        url + "/session/login",
        data="{oops",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert broken.status_code == 400
    assert broken.json()["error"].startswith("body: not valid JSON")


def test_a_forged_or_expired_cookie_is_refused(url: str) -> None:
    token = make_token("demo", 2_000_000_000)
    assert check_token(token, now=1_000_000_000) == ("demo", 2_000_000_000.0)
    assert check_token(token, now=2_000_000_001) is None  # expired
    assert check_token(token.replace("demo", "root"), now=0) is None  # signature no longer fits
    assert check_token("garbage", now=0) is None
    forged = requests.get(url + "/session/me", cookies={COOKIE: make_token("demo", 1)}, timeout=10)
    assert forged.status_code == 401
