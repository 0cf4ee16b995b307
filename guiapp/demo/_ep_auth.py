"""Authentication endpoints: Basic, Bearer and Digest (RFC 7616, qop=auth)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from urllib.request import parse_http_list, parse_keqv_list

from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import BadRequest, RouteTable

routes = RouteTable()

REALM = "guiapp-demo"
# Stateless nonces: a timestamp signed with a per-process key, valid for NONCE_TTL seconds.
_KEY = secrets.token_bytes(16)
NONCE_TTL = 300.0
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _unauthorized(h: DemoHandler, challenge: str) -> None:
    h.send_json({"authenticated": False}, status=401, headers=[("WWW-Authenticate", challenge)])


@routes.add(
    "/basic-auth/{user}/{passwd}",
    "Needs HTTP Basic auth with this user and password.",
    "/basic-auth/demo/secret",
)
def basic_auth(h: DemoHandler, args: dict[str, str]) -> None:
    scheme, _, value = (h.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            user = password = ""
        if user == args["user"] and password == args["passwd"]:
            h.send_json({"authenticated": True, "user": user})
            return
    _unauthorized(h, f'Basic realm="{REALM}"')


@routes.add("/bearer", "Needs an 'Authorization: Bearer <any token>' header.")
def bearer(h: DemoHandler, _args: dict[str, str]) -> None:
    scheme, _, token = (h.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        h.send_json({"authenticated": True, "token": token.strip()})
        return
    _unauthorized(h, f'Bearer realm="{REALM}"')


def make_nonce(now: float | None = None) -> str:
    stamp = f"{now if now is not None else time.time():.3f}"
    sig = hmac.new(_KEY, stamp.encode(), hashlib.sha256).hexdigest()[:24]
    return base64.b64encode(f"{stamp}:{sig}".encode()).decode()


def nonce_valid(nonce: str) -> bool:
    try:
        stamp, _, sig = base64.b64decode(nonce).decode().partition(":")
        age = time.time() - float(stamp)
    except (ValueError, UnicodeDecodeError):
        return False
    expected = hmac.new(_KEY, stamp.encode(), hashlib.sha256).hexdigest()[:24]
    return (
        hmac.compare_digest(sig, expected) and -1.0 <= age <= NONCE_TTL
    )  # -1: the stamp is rounded


def digest_response(
    fields: dict[str, str], password: str, method: str, algorithm: str = "MD5"
) -> str:
    """The ``response`` value RFC 7616 §3.4.1 defines for qop=auth."""

    def hash_(text: str) -> str:
        return _HASHES[algorithm](text.encode("utf-8")).hexdigest()

    ha1 = hash_(f"{fields['username']}:{fields['realm']}:{password}")
    ha2 = hash_(f"{method}:{fields['uri']}")
    return hash_(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}")


@routes.add(
    "/digest-auth/{user}/{passwd}",
    "Needs HTTP Digest auth (RFC 7616, qop=auth; ?algorithm=MD5 or SHA-256).",
    "/digest-auth/demo/secret",
)
def digest_auth(h: DemoHandler, args: dict[str, str]) -> None:
    algorithm = (h.arg("algorithm") or "MD5").upper()
    if algorithm not in _HASHES:
        raise BadRequest(f"algorithm: expected MD5 or SHA-256, got {algorithm!r}")
    challenge = (
        f'Digest realm="{REALM}", qop="auth", algorithm={algorithm}, '
        f'nonce="{make_nonce()}", opaque="{secrets.token_hex(8)}"'
    )
    scheme, _, value = (h.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "digest":
        _unauthorized(h, challenge)
        return
    fields = parse_keqv_list(parse_http_list(value))
    required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    ok = (
        all(k in fields for k in required)
        and fields["username"] == args["user"]
        and fields["realm"] == REALM
        and fields["uri"] == h.path
        and fields["qop"] == "auth"
        and fields.get("algorithm", "MD5").upper() == algorithm
        and nonce_valid(fields["nonce"])
        and hmac.compare_digest(
            fields["response"], digest_response(fields, args["passwd"], h.command, algorithm)
        )
    )
    if ok:
        h.send_json({"authenticated": True, "user": fields["username"]})
    else:
        _unauthorized(h, challenge)
