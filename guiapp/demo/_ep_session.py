"""A cookie-session login, the way many web APIs authenticate: log in, then the cookie is the key.

``POST /session/login`` with ``user=demo`` and ``password=secret`` (a form or a JSON object)
sets an HttpOnly ``demo_session`` cookie, signed and valid for an hour; ``GET /session/me``
answers who is logged in (401 without a valid cookie); ``POST /session/logout`` expires it.
A client that keeps cookies (the app does) stays logged in between requests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl

from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import BadRequest, RouteTable

routes = RouteTable()

COOKIE = "demo_session"
USER, PASSWORD = "demo", "secret"
LIFETIME = 3600
_KEY = secrets.token_bytes(16)  # per process: a restarted demo server forgets every session


def make_token(user: str, expires: float) -> str:
    payload = f"{user}:{int(expires)}"
    signature = hmac.new(_KEY, payload.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{payload}:{signature}"


def check_token(token: str, now: float | None = None) -> tuple[str, float] | None:
    """``(user, expires)`` for a valid, unexpired token, else None."""
    user, _, rest = token.partition(":")
    stamp = rest.partition(":")[0]
    if not stamp.isdigit() or not hmac.compare_digest(make_token(user, int(stamp)), token):
        return None
    expires = float(stamp)
    if expires <= (time.time() if now is None else now):
        return None
    return user, expires


def _credentials(h: DemoHandler) -> dict[str, str]:
    kind = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    text = h.body.decode("utf-8", "replace")
    if kind == "application/json":
        try:
            data = json.loads(text or "null")
        except ValueError as exc:
            raise BadRequest(f"body: not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise BadRequest('body: expected a JSON object like {"user": ..., "password": ...}')
        return {str(k): str(v) for k, v in data.items()}
    return dict(parse_qsl(text, keep_blank_values=True))


def _session(h: DemoHandler) -> tuple[str, float] | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(h.headers.get("Cookie") or "")
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return None if morsel is None else check_token(morsel.value)


@routes.add(
    "/session/login",
    "Log in with user=demo & password=secret (form or JSON): sets a session cookie.",
    methods=("POST",),
)
def login(h: DemoHandler, _: dict[str, str]) -> None:
    given = _credentials(h)
    if given.get("user") != USER or given.get("password") != PASSWORD:
        h.send_json({"logged_in": False, "error": "wrong user or password"}, status=401)
        return
    expires = time.time() + LIFETIME
    cookie = f"{COOKIE}={make_token(USER, expires)}; Path=/; Max-Age={LIFETIME}; HttpOnly"
    h.send_json(
        {"logged_in": True, "user": USER, "expires_in": LIFETIME},
        headers=[("Set-Cookie", cookie + "; SameSite=Lax")],
    )


@routes.add("/session/me", "Who is logged in: needs the cookie from /session/login (else 401).")
def me(h: DemoHandler, _: dict[str, str]) -> None:
    session = _session(h)
    if session is None:
        h.send_json(
            {"logged_in": False, "error": "no valid session cookie: POST /session/login first"},
            status=401,
        )
        return
    user, expires = session
    h.send_json({"logged_in": True, "user": user, "expires_in": int(expires - time.time())})


@routes.add("/session/logout", "Ends the session: the cookie is expired.", methods=("POST",))
def logout(h: DemoHandler, _: dict[str, str]) -> None:
    expired = f"{COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly"
    h.send_json({"logged_in": False}, headers=[("Set-Cookie", expired)])
