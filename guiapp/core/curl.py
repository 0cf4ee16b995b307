"""Import a curl command line as a :class:`~guiapp.core.request.RequestSpec`.

Mapping rules follow curl's own behaviour, so that the request sent is the one curl would send:

* no ``-L`` means ``follow_redirects=False`` (curl's default); ``-m``/``--max-time`` limits the
  whole transfer as in curl: it is the ``total_timeout``, and no shorter limit applies inside it
  (the read and headers timeouts take its value too); ``--connect-timeout`` is the connect
  timeout (``timeout=(connect, read)``);
* ``-d``/``--data-raw``/``--data-urlencode`` imply POST and a form body: :class:`FormBody` when the
  data is cleanly ``k=v&...``, else :class:`TextBody` typed ``application/x-www-form-urlencoded``.
  An explicit ``Content-Type`` header moves into the body (JSON types give a :class:`JsonBody`);
  ``--data-binary`` text is kept verbatim as a :class:`TextBody`; a lone ``@file`` is a
  :class:`FileBody`. ``--json`` gives a JSON body and ``Accept: application/json``;
* ``-F``/``--form-string`` give a :class:`MultipartBody` (``@file`` a :class:`FilePart`);
  ``-G`` moves the data into the query;
* parsing never reads a local file: a file stays a reference (``-d @file`` alone, ``-T file``,
  ``-F name=@file``), sent only when the user sends the request; options that would put a
  file's content into the request text now (``-F name=<file``, ``--data-urlencode name@file``,
  ``--url-query @file``, ``-d @file`` mixed with other data or with ``-G``) are refused with a
  message saying what to write instead;
* ``-u`` is :class:`BasicAuth` (:class:`DigestAuth` with ``--digest``); ``--oauth2-bearer`` is
  :class:`BearerAuth`; an ``Authorization`` header stays a header, exactly as written;
* the URL's query string becomes ``params`` when it is cleanly ``k=v&...``;
* ``$VAR`` and ``${VAR}`` outside single quotes become ``{{VAR}}`` variables.

Output-only options (``-s``, ``-v``, ``-i``, ``-o FILE``...) are accepted and ignored; any other
unknown option raises :class:`~guiapp.core.errors.InvalidRequest` naming it.

Example::

    >>> spec = parse_curl("curl -sS https://api.example.com/v1/items?page=2 "
    ...                   "-H 'Accept: application/json' -u key: -d name=Ada -L")
    >>> spec.method, spec.url, spec.params, spec.follow_redirects
    ('POST', 'https://api.example.com/v1/items', (('page', '2'),), True)
    >>> spec.body, spec.auth
    (FormBody(fields=(('name', 'Ada'),)), BasicAuth(username='key', password='***'))
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guiapp.core import _curl_options as opts
from guiapp.core._curl_data import (
    FORM_TYPE,
    DataPiece,
    file_not_read,
    form_fields,
    is_json_type,
)
from guiapp.core._curl_lex import split_command
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import (
    DEFAULT_HEADERS_TIMEOUT,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOTAL_TIMEOUT,
    Auth,
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
    TextPart,
    Timeout,
)

__all__ = ["parse_curl"]

_DEFAULT_READ_TIMEOUT = 30.0  # RequestSpec's default timeout


@dataclass
class _Parsed:
    """Everything the options said, before curl's implications are applied."""

    cwd: str | None
    urls: list[str] = field(default_factory=list)
    method: str | None = None
    head: bool = False
    get: bool = False
    headers: list[tuple[str, str]] = field(default_factory=list)
    data: list[DataPiece] = field(default_factory=list)
    json: bool = False
    parts: list[TextPart | FilePart] = field(default_factory=list)
    upload: str | None = None
    query: list[str] = field(default_factory=list)
    user: str | None = None
    digest: bool = False
    bearer: str | None = None
    follow: bool = False
    max_redirs: int | None = None
    max_time: float | None = None
    connect_timeout: float | None = None
    insecure: bool = False
    cacert: str | None = None
    cert: str | None = None
    key: str | None = None
    proxy: str | None = None
    max_filesize: int | None = None


def parse_curl(command: str, *, cwd: str | None = None) -> RequestSpec:
    """Parse a curl command line (see the module docstring for the rules).

    No file is read: file bodies and file parts keep their path and are read when the request
    is sent. ``cwd`` is accepted for compatibility and unused.
    """
    words = split_command(command.strip().removeprefix("$ "))
    if not words or words[0].rsplit("/", 1)[-1].lower() not in ("curl", "curl.exe"):
        raise InvalidRequest("not a curl command: it must start with 'curl'", field="curl")
    parsed = _Parsed(cwd=cwd)
    _read_options(words[1:], parsed)
    return _build(parsed)


def _read_options(args: list[str], parsed: _Parsed) -> None:
    i = 0
    only_urls = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_urls or not arg.startswith("-") or arg == "-":
            parsed.urls.append(arg)
        elif arg == "--":
            only_urls = True
        elif arg.startswith("--"):
            name, eq, inline = arg[2:].partition("=")
            option = opts.long_option(name)
            if option is None:
                raise _unsupported(arg.split("=", 1)[0])
            if option.takes_value:
                if not eq:
                    if i >= len(args):
                        raise _missing_value("--" + name)
                    inline = args[i]
                    i += 1
                opts.apply(option, inline, parsed)
            else:
                if eq:
                    raise InvalidRequest(f"--{name} takes no value", field="curl")
                opts.apply(option, None, parsed)
        else:
            i = _read_short(arg, args, i, parsed)


def _read_short(arg: str, args: list[str], i: int, parsed: _Parsed) -> int:
    # Combined flags: -sSL, -XPOST, -sX POST, -H'Accept: x'.
    j = 1
    while j < len(arg):
        option = opts.short_option(arg[j])
        if option is None:
            raise _unsupported("-" + arg[j])
        if option.takes_value:
            value = arg[j + 1 :]
            if not value:
                if i >= len(args):
                    raise _missing_value("-" + arg[j])
                value = args[i]
                i += 1
            opts.apply(option, value, parsed)
            return i
        opts.apply(option, None, parsed)
        j += 1
    return i


def _unsupported(option: str) -> InvalidRequest:
    return InvalidRequest(f"curl option {option} is not supported", field="curl")


def _missing_value(option: str) -> InvalidRequest:
    return InvalidRequest(f"curl option {option} needs a value", field="curl")


# -- applying curl's implications ----------------------------------------------------------------
def _build(p: _Parsed) -> RequestSpec:
    if not p.urls:
        raise InvalidRequest("the curl command has no URL", field="url")
    if len(p.urls) > 1:
        raise InvalidRequest(
            f"the curl command has {len(p.urls)} URLs; import one request at "
            f"a time: {', '.join(p.urls)}",
            field="url",
        )
    url = p.urls[0]
    if "://" not in url and not url.startswith("{{"):
        url = "http://" + url  # curl's guess for a bare host name
    headers = list(p.headers)
    query = list(p.query)
    body: Body | None = None
    if p.parts and (p.data or p.upload):
        raise InvalidRequest("curl cannot mix -F with -d/-T; pick one kind of body", field="body")
    if p.get:
        query.extend(_piece_text(piece, "with -G") for piece in p.data)
    elif p.data:
        body, headers = _data_body(p, headers)
    if p.parts:
        body = MultipartBody(tuple(p.parts))
    if p.upload is not None:
        body, headers = FileBody(p.upload, _pop_content_type(headers)), headers
    if query:
        sep = "&" if "?" in url else "?"
        url = url + sep + "&".join(query)
    url, params = _split_query(url)
    return RequestSpec(
        url=url,
        method=_method(p, body),
        params=params,
        headers=tuple(headers),
        body=body,
        auth=_auth(p),
        timeout=_timeout(p),
        total_timeout=DEFAULT_TOTAL_TIMEOUT if p.max_time is None else p.max_time,
        headers_timeout=DEFAULT_HEADERS_TIMEOUT if p.max_time is None else p.max_time,
        follow_redirects=p.follow,
        max_redirects=30 if p.max_redirs is None else p.max_redirs,
        verify=False if p.insecure else (p.cacert if p.cacert is not None else True),
        cert=_cert(p),
        proxy=p.proxy,
        max_body_bytes=_max_filesize(p.max_filesize),
    )


def _max_filesize(value: int | None) -> int | None:
    # Absent: this app's default cap. 0 is curl's "no limit".
    if value is None:
        return DEFAULT_MAX_BODY_BYTES
    return value or None


def _method(p: _Parsed, body: Body | None) -> str:
    if p.method:
        return p.method
    if p.head:
        return "HEAD"
    if p.upload is not None:
        return "PUT"
    if body is not None and not p.get:
        return "POST"
    return "GET"


def _piece_text(piece: DataPiece, context: str) -> str:
    if piece.text is not None:
        return piece.text
    assert piece.file is not None
    hint = (
        "paste the data instead, or drop -G and send the file as the body with a single -d @file"
        if context == "with -G"
        else "send the file alone as the body (a single -d @file) or paste the data"
    )
    raise file_not_read(f"-d @{piece.file} {context}", piece.file, hint)


def _pop_content_type(headers: list[tuple[str, str]]) -> str | None:
    found = [v for k, v in headers if k.lower() == "content-type"]
    headers[:] = [(k, v) for k, v in headers if k.lower() != "content-type"]
    return found[-1] if found else None


def _data_body(p: _Parsed, headers: list[tuple[str, str]]) -> tuple[Body, list[tuple[str, str]]]:
    content_type = _pop_content_type(headers)
    if p.json:
        content_type = content_type or "application/json"
        if not any(k.lower() == "accept" for k, _ in headers):
            headers.append(("Accept", "application/json"))
    if len(p.data) == 1 and p.data[0].file is not None:
        return FileBody(p.data[0].file, content_type), headers
    text = "&".join(_piece_text(piece, "with other -d data") for piece in p.data)
    opaque = any(piece.opaque for piece in p.data)
    if content_type is not None and is_json_type(content_type) and not opaque:
        return JsonBody(text, content_type), headers
    if not opaque and (content_type or FORM_TYPE).strip().lower() == FORM_TYPE:
        fields = form_fields(text)
        if fields is not None:
            return FormBody(fields), headers
    return TextBody(text, content_type or FORM_TYPE), headers


def _split_query(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    base, mark, query = url.partition("?")
    if not mark or not query or "#" in query:
        return url, ()
    fields = form_fields(query)
    return (base, fields) if fields else (url, ())


def _auth(p: _Parsed) -> Auth | None:
    if p.bearer is not None:
        return BearerAuth(p.bearer)
    if p.user is None:
        return None
    username, _, password = p.user.partition(":")
    return DigestAuth(username, password) if p.digest else BasicAuth(username, password)


def _timeout(p: _Parsed) -> Timeout:
    # curl has no read timeout: within -m's total, a quiet server is waited for.
    read = _DEFAULT_READ_TIMEOUT if p.max_time is None else p.max_time
    connect = read if p.connect_timeout is None else p.connect_timeout
    return read if connect == read else (connect, read)


def _cert(p: _Parsed) -> str | tuple[str, str] | None:
    if p.key is not None and p.cert is None:
        raise InvalidRequest("--key needs --cert (the client certificate)", field="cert")
    return (p.cert, p.key) if p.cert is not None and p.key is not None else p.cert
