"""How curl's data and form options become a request body, and back (shared by import/export).

Kept apart from the option parser: these rules decide what a body *is* (form fields, JSON, raw
text, a file), which both :func:`guiapp.core.curl.parse_curl` and :func:`guiapp.core.to_curl`
must agree on for ``parse_curl(to_curl(spec)) == spec`` to hold.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import FilePart, TextPart

__all__ = [
    "FORM_TYPE",
    "DataPiece",
    "encode_pairs",
    "form_fields",
    "form_option",
    "is_json_type",
    "parse_form_option",
    "read_text_file",
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


def read_text_file(path: str, cwd: str | None, *, option: str) -> str:
    """Read a file named in a curl option, or raise InvalidRequest saying which and why."""
    if path == "-":
        raise InvalidRequest(
            f"{option}: reading from standard input is not supported", field="curl"
        )
    full = Path(cwd or ".") / Path(path).expanduser()
    try:
        return full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"{option}: cannot read {path!r}: {exc}", field="curl") from exc


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


def urlencode_option(value: str, cwd: str | None) -> str:
    """The text curl sends for one ``--data-urlencode`` argument."""
    # Forms: "content", "=content", "name=content", "@file", "name@file".
    eq, at = value.find("="), value.find("@")
    if at >= 0 and (eq < 0 or at < eq):
        name, path = value[:at], value[at + 1 :]
        content = read_text_file(path, cwd, option="--data-urlencode")
        return f"{name}={quote(content, safe='')}" if name else quote(content, safe="")
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


def parse_form_option(value: str, cwd: str | None) -> TextPart | FilePart:
    """One ``-F name=content[;type=...][;filename=...]`` argument as a multipart part.

    >>> parse_form_option('file=@"my photo.jpg";type=image/jpeg', None)
    FilePart(name='file', path='my photo.jpg', filename=None, content_type='image/jpeg')
    >>> parse_form_option("name=Ada", None)
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
        return TextPart(name, read_text_file(word, cwd, option="-F"))
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
