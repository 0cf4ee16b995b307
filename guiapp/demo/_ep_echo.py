"""Echo, status, redirect and cookie endpoints (httpbin-compatible shapes)."""

from __future__ import annotations

import base64
import json
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote

from guiapp.demo._handler import DemoHandler
from guiapp.demo._headers import cookie_name, safe_location
from guiapp.demo._routing import ALL_METHODS, BadRequest, RouteTable

routes = RouteTable()
MAX_REDIRECTS = 50


def multi_dict(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    """httpbin's shape: a repeated key maps to a list of its values, a single key to a string."""
    out: dict[str, str | list[str]] = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
        else:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
    return out


def _text(data: bytes, content_type: str = "application/octet-stream") -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def _parse_multipart(h: DemoHandler) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    head = f"Content-Type: {h.headers.get('Content-Type')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + h.body)
    form: list[tuple[str, str]] = []
    files: list[tuple[str, str]] = []
    if not message.is_multipart():
        raise BadRequest("malformed multipart body")
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if not isinstance(name, str):
            continue
        if part.get_filename() is not None:
            files.append((name, _text(data, part.get_content_type())))
        else:
            form.append((name, data.decode("utf-8", "replace")))
    return form, multi_dict(files)


def echo(h: DemoHandler) -> dict[str, Any]:
    """What httpbin's /anything returns: everything about the request."""
    content_type = (h.headers.get("Content-Type") or "").lower()
    form: dict[str, Any] = {}
    files: dict[str, Any] = {}
    data = ""
    parsed_json: Any = None
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = multi_dict(parse_qsl(h.body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        pairs, files = _parse_multipart(h)
        form = multi_dict(pairs)
    else:
        data = _text(h.body)
        try:
            parsed_json = json.loads(h.body) if h.body else None
        except ValueError:
            parsed_json = None
    return {
        "method": h.command,
        "url": h.base_url() + h.path,
        "args": multi_dict(h.query),
        "headers": h.header_dict(),
        "origin": h.client_address[0],
        "data": data,
        "form": form,
        "files": files,
        "json": parsed_json,
    }


@routes.add(
    "/anything",
    "Echoes any request: method, args, headers, body, form, files, json.",
    "/anything?x=1&x=2",
    methods=ALL_METHODS,
    tail=True,
)
def anything(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json(echo(h))


@routes.add("/get", "Echoes the query args, headers and origin of a GET.", "/get?name=demo")
def get(h: DemoHandler, _: dict[str, str]) -> None:
    full = echo(h)
    h.send_json({key: full[key] for key in ("args", "headers", "origin", "url")})


def _method_echo(method: str) -> None:
    @routes.add(
        f"/{method.lower()}",
        f"Echoes a {method} request (405 for other methods).",
        methods=(method,),
    )
    def endpoint(h: DemoHandler, _: dict[str, str]) -> None:
        h.send_json(echo(h))


for _method in ("POST", "PUT", "PATCH", "DELETE"):
    _method_echo(_method)


@routes.add("/headers", "Echoes the request headers.")
def headers(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json({"headers": h.header_dict()})


@routes.add("/ip", "The client's address.")
def ip(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json({"origin": h.client_address[0]})


@routes.add("/user-agent", "The client's User-Agent header.")
def user_agent(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json({"user-agent": h.headers.get("User-Agent")})


@routes.add(
    "/status/{code}",
    "Answers with the given status code (3xx redirect to /get).",
    "/status/404",
    methods=ALL_METHODS,
)
def status(h: DemoHandler, args: dict[str, str]) -> None:
    try:
        code = int(args["code"])
    except ValueError:
        raise BadRequest(f"code: expected an integer, got {args['code']!r}") from None
    if not 200 <= code <= 599:
        raise BadRequest("code: must be between 200 and 599")
    extra: list[tuple[str, str]] = []
    if code in (204, 304):
        h.start(code)
        return
    if 300 <= code < 400:
        extra.append(("Location", "/get"))
    elif code == 401:
        extra.append(("WWW-Authenticate", 'Basic realm="guiapp-demo"'))
    elif code == 407:
        extra.append(("Proxy-Authenticate", 'Basic realm="guiapp-demo"'))
    elif code == 429 or code == 503:
        extra.append(("Retry-After", "1"))
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = ""
    h.send_json({"status": code, "reason": reason}, status=code, headers=extra)


@routes.add("/redirect/{n}", "Redirects n times (302), then lands on /get.", "/redirect/3")
def redirect(h: DemoHandler, args: dict[str, str]) -> None:
    n = int(h.number(args["n"], "n", 1, 1, MAX_REDIRECTS))
    target = f"/redirect/{n - 1}" if n > 1 else "/get"
    if h.arg("absolute", "false").lower() in ("1", "true"):  # type: ignore[union-attr]
        target = h.base_url() + target + ("?absolute=true" if n > 1 else "")
    h.send(b"", "text/plain", 302, [("Location", safe_location(target))])


@routes.add(
    "/redirect-to",
    "Redirects to ?url= with ?status_code= (default 302).",
    "/redirect-to?url=/get&status_code=307",
    methods=ALL_METHODS,
)
def redirect_to(h: DemoHandler, _: dict[str, str]) -> None:
    url = h.arg("url")
    if not url:
        raise BadRequest("url: missing")
    code = int(h.number(h.arg("status_code"), "status_code", 302, 300, 399))
    h.send(b"", "text/plain", code, [("Location", safe_location(url))])


@routes.add("/cookies", "The cookies the client sent.")
def cookies(h: DemoHandler, _: dict[str, str]) -> None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(h.headers.get("Cookie") or "")
    except Exception:
        jar = SimpleCookie()
    h.send_json({"cookies": {key: morsel.value for key, morsel in jar.items()}})


@routes.add(
    "/cookies/set",
    "Sets the query args as cookies, then redirects to /cookies.",
    "/cookies/set?session=abc&theme=dark",
)
def cookies_set(h: DemoHandler, _: dict[str, str]) -> None:
    extra = [("Set-Cookie", f"{cookie_name(k)}={quote(v)}; Path=/") for k, v in h.query]
    h.send(b"", "text/plain", 302, [*extra, ("Location", "/cookies")])


@routes.add(
    "/cookies/delete",
    "Deletes the named cookies, then redirects to /cookies.",
    "/cookies/delete?session",
)
def cookies_delete(h: DemoHandler, _: dict[str, str]) -> None:
    expired = "Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"
    extra = [("Set-Cookie", f"{cookie_name(k)}=; {expired}") for k, _v in h.query]
    h.send(b"", "text/plain", 302, [*extra, ("Location", "/cookies")])
