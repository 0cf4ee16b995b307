"""How curl's data and form options become a request body, and back (shared by import/export).

Kept apart from the option parser: these rules decide what a body *is* (form fields, JSON, raw
text, a file), which both :func:`guiapp.core.curl.parse_curl` and :func:`guiapp.core.to_curl`
must agree on for ``parse_curl(to_curl(spec)) == spec`` to hold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote_plus

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import FilePart, TextPart

__all__ = [
    "FORM_TYPE",
    "DataPiece",
    "encode_pairs",
    "file_not_read",
    "form_fields",
    "form_option",
    "is_json_type",
    "parse_form_option",
]

FORM_TYPE = "application/x-www-form-urlencoded"
# Kept readable in exported keys/values: they mean nothing special to a form decoder.
_KEY_SAFE = "[]{}"
_VALUE_SAFE = "[]{}:/@,;!*()$"
_FORM_KEY = re.compile(r"[^\s\"'<>]*")
_JSON_TYPE = re.compile(r"[/+]json\b", re.IGNORECASE)
_PART_PARAM_START = re.compile(r";\s*(?:type|filename|headers|encoder)=")


@dataclass(frozen=True, slots=True)
class DataPiece:
    """One ``-d``-style argument: inline ``text`` or a ``file`` reference.

    ``opaque`` pieces (``--data-binary``) are never reinterpreted as form fields or JSON.
    ``strip_newlines`` is curl's ``-d @file`` behaviour (CR and LF removed from the file).
    """

    text: str | None = None
    file: str | None = None
    opaque: bool = False
    strip_newlines: bool = False


def is_json_type(content_type: str) -> bool:
    """True for ``application/json``, ``application/vnd.api+json; charset=utf-8``..."""
    return bool(_JSON_TYPE.search(content_type))


def file_not_read(option: str, path: str, hint: str) -> InvalidRequest:
    """The error for a curl option that would read a local file while the command is parsed.

    Parsing never reads files: a pasted command must not pull ``~/.ssh/id_rsa`` into a request
    unseen. Options whose file stays a reference (``-d @file`` alone, ``-F name=@file``,
    ``-T file``) are imported as file bodies and parts; the others are refused with a way out.

    >>> str(file_not_read("-F", "~/.ssh/id_rsa", "attach it as a file part: -F 'name=@path'"))
    "-F reads '~/.ssh/id_rsa' into the request text: guiapp never reads local files while \
importing a command; attach it as a file part: -F 'name=@path'"
    """
    if path == "-":
        return InvalidRequest(
            f"{option}: reading from standard input is not supported", field="curl"
        )
    return InvalidRequest(
        f"{option} reads {path!r} into the request text: guiapp never reads local files while "
        f"importing a command; {hint}",
        field="curl",
    )


def form_fields(text: str) -> tuple[tuple[str, str], ...] | None:
    """Decode ``a=1&b=x+y`` into fields, or ``None`` when ``text`` is not cleanly a form.

    Clean means: every ``&``-separated segment is ``name=value`` with a name free of spaces,
    quotes and angle brackets, and the text is neither JSON nor a file reference (``@...``).

    >>> form_fields("amount=2000&currency=usd&metadata[id]=a%20b")
    (('amount', '2000'), ('currency', 'usd'), ('metadata[id]', 'a b'))
    >>> form_fields('{"a": "b=c"}') is None
    True
    """
    if text == "":
        return ()
    if text.startswith("@") or _is_json(text):
        return None
    fields = []
    for segment in text.split("&"):
        key, eq, value = segment.partition("=")
        if not eq or not _FORM_KEY.fullmatch(key):
            return None
        fields.append((unquote_plus(key), unquote_plus(value)))
    return tuple(fields)


def _is_json(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def encode_pair(key: str, value: str) -> str:
    """``key=value`` form-encoded so that :func:`form_fields` decodes it back exactly."""
    return f"{quote_plus(key, safe=_KEY_SAFE)}={quote_plus(value, safe=_VALUE_SAFE)}"


def encode_pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    """``a=1&b=2`` for a query string or a form body."""
    return "&".join(encode_pair(k, v) for k, v in pairs)


def urlencode_option(value: str, option: str = "--data-urlencode") -> str:
    """The text curl sends for one ``--data-urlencode`` (or ``--url-query``) argument.

    The ``name@file`` forms would read the file now: refused (see :func:`file_not_read`).
    """
    # Forms: "content", "=content", "name=content", "@file", "name@file".
    eq, at = value.find("="), value.find("@")
    if at >= 0 and (eq < 0 or at < eq):
        name, path = value[:at], value[at + 1 :]
        raise file_not_read(
            option, path, f"paste the text instead: {option} '{name or 'name'}=text'"
        )
    if eq >= 0:
        name, content = value[:eq], value[eq + 1 :]
        return f"{name}={quote(content, safe='')}" if name else quote(content, safe="")
    return quote(value, safe="")


# -- multipart (-F) ------------------------------------------------------------------------------
def _param_word(text: str, i: int) -> tuple[str, int]:
    """curl's get_param_word: a double-quoted word (\\" and \\\\ escapes) or text up to ``;``."""
    if i < len(text) and text[i] == '"':
        out: list[str] = []
        j = i + 1
        while j < len(text) and text[j] != '"':
            if text[j] == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
                j += 1
            out.append(text[j])
            j += 1
        if j < len(text):
            return "".join(out), j + 1
        # No closing quote: curl takes the word literally, quote included.
    end = text.find(";", i)
    end = len(text) if end < 0 else end
    return text[i:end], end


def parse_form_option(value: str) -> TextPart | FilePart:
    """One ``-F name=content[;type=...][;filename=...]`` argument as a multipart part.

    ``name=<file`` (the file's text as a field) would read the file now: refused.

    >>> parse_form_option('file=@"my photo.jpg";type=image/jpeg')
    FilePart(name='file', path='my photo.jpg', filename=None, content_type='image/jpeg')
    >>> parse_form_option("name=Ada")
    TextPart(name='name', value='Ada')
    """
    name, eq, content = value.partition("=")
    if not eq:
        raise InvalidRequest(f"-F {value!r}: expected name=content", field="curl")
    kind = content[:1] if content[:1] in ("@", "<") else ""
    if kind:
        word, i = _param_word(content, 1)
    elif content.startswith('"'):
        word, i = _param_word(content, 0)
    else:
        # Plain text: only a ";" that starts a known parameter ends the value.
        m = _PART_PARAM_START.search(content)
        i = m.start() if m else len(content)
        word = content[:i]
    params: dict[str, str] = {}
    while i < len(content) and content[i] == ";":
        i += 1
        while i < len(content) and content[i] == " ":
            i += 1
        key, eq2, _ = content[i:].partition("=")
        if not eq2:
            break
        params[key.strip().lower()], i = _param_word(content, i + len(key) + 1)
    if kind == "@":
        return FilePart(name, word, params.get("filename"), params.get("type"))
    if kind == "<":
        raise file_not_read(
            "-F", word, f"attach it as a file part (-F '{name}=@{word}') or paste the text"
        )
    return TextPart(name, word)


def _quoted_word(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def form_option(part: TextPart | FilePart) -> tuple[str, str]:
    """The curl option and argument that :func:`parse_form_option` reads back as ``part``."""
    if isinstance(part, TextPart):
        return "--form-string", f"{part.name}={part.value}"
    arg = f"{part.name}=@{_quoted_word(part.path)}"
    if part.content_type is not None:
        arg += f";type={_quoted_word(part.content_type)}"
    if part.filename is not None:
        arg += f";filename={_quoted_word(part.filename)}"
    return "-F", arg
