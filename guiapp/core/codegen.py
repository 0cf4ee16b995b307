"""Turn a :class:`~guiapp.core.request.RequestSpec` into code: curl, ``requests``, or async Python.

``to_curl`` is the inverse of :func:`guiapp.core.parse_curl`: ``parse_curl(to_curl(spec)) ==
spec`` for every spec curl can express (docs/workspace.md lists the few that it cannot, e.g. a
``Content-Type`` header next to a body, whose type lives in the body). Every word is shell-quoted
(single quotes; ``$'...'`` when the text has control characters), so the output pastes safely
into bash or zsh. The Python generators write code that compiles and runs as is; they keep
secrets exactly as given, so generate from ``spec.redacted()`` when sharing.

Example::

    >>> from guiapp.core.request import FormBody, RequestSpec
    >>> print(to_curl(RequestSpec(url="https://api.example.com/items", method="POST",
    ...                           params=[("q", "a b")],
    ...                           headers=[("Accept", "application/json")],
    ...                           body=FormBody([("name", "Ada")]), follow_redirects=False)))
    curl 'https://api.example.com/items?q=a+b' \\
      -H 'Accept: application/json' \\
      -d name=Ada
"""

from __future__ import annotations

import shlex

from guiapp.core._curl_data import encode_pairs, form_option
from guiapp.core.request import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOTAL_TIMEOUT,
    BasicAuth,
    BearerAuth,
    Body,
    DigestAuth,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
)

__all__ = ["shell_quote", "to_curl", "to_python_make_async", "to_python_requests"]

_DEFAULT_TIMEOUT = 30.0
_DEFAULT_MAX_REDIRECTS = 30


def shell_quote(text: str) -> str:
    """Quote ``text`` as one POSIX shell word.

    >>> shell_quote("it's"), shell_quote("plain"), shell_quote("a\\x1bb")
    ('\\'it\\'"\\'"\\'s\\'', 'plain', "$'a\\\\x1bb'")
    """
    if "\0" in text:
        raise ValueError("a shell word cannot contain a NUL character")
    if not any((ord(c) < 0x20 and c not in "\n\t") or c == "\x7f" for c in text):
        return shlex.quote(text)
    out = []
    for c in text:
        if c in "\\'":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or c == "\x7f":
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return "$'" + "".join(out) + "'"


def _number(value: float) -> str:
    return repr(float(value))


def _full_url(spec: RequestSpec) -> str:
    if not spec.params:
        return spec.url
    return spec.url + ("&" if "?" in spec.url else "?") + encode_pairs(spec.params)


def _body_args(body: Body | None) -> list[tuple[str, str]]:
    if body is None:
        return []
    if isinstance(body, FormBody):
        if not body.fields:
            return [("-d", "")]
        return [("-d", encode_pairs(((k, v),))) for k, v in body.fields]
    if isinstance(body, TextBody):
        # --data-binary keeps text verbatim, but reads a file when the text starts with "@".
        flag = "--data-raw" if body.text.startswith("@") else "--data-binary"
        return [("-H", f"Content-Type: {body.content_type}"), (flag, body.text)]
    if isinstance(body, JsonBody):
        return [("-H", f"Content-Type: {body.content_type}"), ("--data-raw", body.text)]
    if isinstance(body, FileBody):
        args = [("-H", f"Content-Type: {body.content_type}")] if body.content_type else []
        return [*args, ("--data-binary", "@" + body.path)]
    return [form_option(part) for part in body.parts]


def _timeout_args(spec: RequestSpec) -> list[tuple[str, str]]:
    """``--connect-timeout`` and ``-m`` (curl's limit on the whole transfer: ``total_timeout``).

    curl has no read or headers timeout, and ``parse_curl`` reads ``-m N`` back as all three
    limits (and as the connect timeout when ``--connect-timeout`` is absent). A read timeout
    other than the default is exported as the total limit that bounds it.
    """
    total, connect = spec.total_timeout, spec.connect_timeout
    if total is not None and (
        total != DEFAULT_TOTAL_TIMEOUT or spec.read_timeout != _DEFAULT_TIMEOUT
    ):
        implied_connect, max_time = total, [("-m", _number(total))]
    else:
        implied_connect, max_time = _DEFAULT_TIMEOUT, []
    if connect == implied_connect:
        return max_time
    return [("--connect-timeout", _number(connect)), *max_time]


def to_curl(spec: RequestSpec) -> str:
    """A multi-line curl command (backslash continuations) that sends ``spec``."""
    url = _full_url(spec)
    first = ["curl"]
    implied = "POST" if spec.body is not None else "GET"
    if spec.method != implied:
        first += ["-X", shell_quote(spec.method)]
    if any(c in url for c in "{}[]"):
        first.append("-g")  # curl would expand {a,b} and [1-9] as URL globs
    first += ["--url", shell_quote(url)] if url.startswith("-") else [shell_quote(url)]
    args: list[tuple[str, str]] = []
    for name, value in spec.headers:
        args.append(("-H", f"{name}: {value}" if value else f"{name};"))
    args += _body_args(spec.body)
    auth = spec.auth
    if isinstance(auth, BearerAuth):
        args.append(("--oauth2-bearer", auth.token))
    elif isinstance(auth, BasicAuth | DigestAuth):
        if isinstance(auth, DigestAuth):
            args.append(("--digest", ""))
        args.append(("-u", f"{auth.username}:{auth.password}"))
    args += _timeout_args(spec)
    if spec.follow_redirects:
        args.append(("-L", ""))
    if spec.max_redirects != _DEFAULT_MAX_REDIRECTS:
        args.append(("--max-redirs", str(spec.max_redirects)))
    if spec.verify is False:
        args.append(("-k", ""))
    elif isinstance(spec.verify, str):
        args.append(("--cacert", spec.verify))
    if spec.cert is not None:
        cert, key = spec.cert if isinstance(spec.cert, tuple) else (spec.cert, None)
        args.append(("--cert", cert))
        if key is not None:
            args.append(("--key", key))
    if spec.proxy is not None:
        args.append(("-x", spec.proxy))
    if spec.max_body_bytes != DEFAULT_MAX_BODY_BYTES:
        # curl's --max-filesize 0 means no limit, as None does here.
        args.append(("--max-filesize", str(spec.max_body_bytes or 0)))
    lines = [" ".join(first)]
    for flag, value in args:
        no_value = flag in ("-L", "-k", "--digest")
        lines.append(f"  {flag}" if no_value else f"  {flag} {shell_quote(value)}")
    return " \\\n".join(lines)


# -- Python --------------------------------------------------------------------------------------
def _requests_kwargs(spec: RequestSpec) -> tuple[list[str], list[str]]:
    """(imports, keyword argument lines) for ``requests.request(method, url, ...)``."""
    imports = ["import requests"]
    kw: list[str] = []
    if spec.params:
        kw.append(f"params={list(spec.params)!r},")
    headers = list(spec.headers)
    body = spec.body
    if isinstance(body, TextBody | JsonBody):
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", body.content_type))
        kw.append(f"data={body.text!r}.encode('utf-8'),")
    elif isinstance(body, FormBody):
        kw.append(f"data={list(body.fields)!r},")
    elif isinstance(body, FileBody):
        if body.content_type and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", body.content_type))
        imports.insert(0, "from pathlib import Path")
        kw.append(f"data=Path({body.path!r}).read_bytes(),")
    elif isinstance(body, MultipartBody):
        files = []
        if any(isinstance(part, FilePart) for part in body.parts):
            imports.insert(0, "from pathlib import Path")
        for part in body.parts:
            if isinstance(part, FilePart):
                name = part.filename if part.filename is not None else part.path
                files.append(
                    f"({part.name!r}, ({name!r}, Path({part.path!r}).read_bytes(), "
                    f"{part.content_type!r})),"
                )
            else:
                files.append(f"({part.name!r}, (None, {part.value!r})),")
        kw.append("files=[" + "".join(f"\n        {f}" for f in files) + "\n    ],")
    if isinstance(spec.auth, BearerAuth):
        headers.append(("Authorization", f"Bearer {spec.auth.token}"))
    if headers:
        # requests takes a dict: repeated names are joined with ", " as HTTP allows.
        merged: dict[str, str] = {}
        for k, v in headers:
            merged[k] = f"{merged[k]}, {v}" if k in merged else v
        kw.append(f"headers={merged!r},")
    if isinstance(spec.auth, BasicAuth):
        kw.append(f"auth=({spec.auth.username!r}, {spec.auth.password!r}),")
    elif isinstance(spec.auth, DigestAuth):
        imports.append("from requests.auth import HTTPDigestAuth")
        kw.append(f"auth=HTTPDigestAuth({spec.auth.username!r}, {spec.auth.password!r}),")
    kw.append(f"timeout={spec.timeout!r},")
    kw.append(f"allow_redirects={spec.follow_redirects!r},")
    if spec.verify is not True:
        kw.append(f"verify={spec.verify!r},")
    if spec.cert is not None:
        kw.append(f"cert={spec.cert!r},")
    if spec.proxy is not None:
        kw.append(f"proxies={{'http': {spec.proxy!r}, 'https': {spec.proxy!r}}},")
    return imports, kw


def _call(spec: RequestSpec, function: str, indent: str) -> str:
    imports, kw = _requests_kwargs(spec)
    del imports
    inner = indent + "    "
    lines = [f"{function}(", f"{inner}{spec.method!r},", f"{inner}{spec.url!r},"]
    lines += [inner + line.replace("\n    ", "\n" + inner) for line in kw]
    return "\n".join(lines) + f"\n{indent})"


def to_python_requests(spec: RequestSpec) -> str:
    """A Python script that sends ``spec`` with ``requests`` and prints the response.

    >>> code = to_python_requests(RequestSpec(url="http://h/"))
    >>> compile(code, "<generated>", "exec") is not None
    True
    """
    imports, _ = _requests_kwargs(spec)
    return "\n".join([
        *imports, "", f"response = {_call(spec, 'requests.request', '')}",
        "print(response.status_code, response.reason)", "print(response.text)", "",
    ])  # fmt: skip


def to_python_make_async(spec: RequestSpec) -> str:
    """Async Python that awaits ``requests`` through :func:`guiapp.offload.make_async`.

    The blocking call runs in a worker thread, so the event loop (and a GUI driven by it) keeps
    running while the request is in flight.
    """
    imports, _ = _requests_kwargs(spec)
    return "\n".join([
        "import asyncio", "", *imports, "", "from guiapp.offload import make_async", "",
        "send = make_async(requests.request)", "", "",
        "async def main() -> None:",
        f"    response = await {_call(spec, 'send', '    ')}",
        "    print(response.status_code, response.reason)", "    print(response.text)", "", "",
        'if __name__ == "__main__":', "    asyncio.run(main())", "",
    ])  # fmt: skip
