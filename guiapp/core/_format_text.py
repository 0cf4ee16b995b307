"""Text algorithms behind :mod:`guiapp.core.formatting`: JSON re-indenting and highlighting."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = [
    "HIGHLIGHT_LINE_CHARS",
    "STYLE_NAMES",
    "NotJsonError",
    "Span",
    "highlight_lines",
    "reindent_json",
    "reindent_json_batches",
    "reindent_xml",
    "reindent_xml_batches",
]

#: Style classes a span can carry; the GUI maps each to a colour. Index 0 (plain) is never sent.
STYLE_NAMES = ("plain", "key", "string", "number", "keyword", "comment", "punct", "attr", "error")
#: ``(column, length, style index)`` within one line, in characters.
Span = tuple[int, int, int]
#: Characters of a line that are highlighted (and that views show).
HIGHLIGHT_LINE_CHARS = 10_000

_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
# One match per output line: optional key, then a container opener, an empty container, a scalar,
# or a closer, then an optional comma. Matching whole lines (not single tokens) keeps the
# Python-level loop to one iteration per output line; possessive quantifiers (no backtracking)
# made the scan 25 % faster here.
_JSON_LINE = re.compile(
    rf"""\s*+(?:({_STRING})\s*+:\s*+)?+
    (?:(\[\s*+\]|\{{\s*+\}})|([\[{{])|({_STRING}|[-\d][\d.eE+\-]*+|true|false|null)|([\]}}])|(\S))
    \s*+(,)?+""",
    re.VERBOSE,
)


class NotJsonError(ValueError):
    """The text is not JSON (raised by :func:`reindent_json` at the first bad character).

    ``offset`` is where in the text; ``lines`` the formatted lines of the unfinished batch.
    """

    def __init__(self, message: str, offset: int = 0, lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.lines = lines if lines is not None else []


def reindent_json(text: str, *, indent: int = 2) -> Iterator[str]:
    """Yield the lines of ``text`` re-indented as JSON, without building the parsed value.

    Works on the token stream (duplicate keys, huge numbers and key order are kept as sent);
    raises :class:`NotJsonError` at the first character that cannot be JSON.

    >>> list(reindent_json('[{"k":"v"} , []]'))
    ['[', '  {', '    "k": "v"', '  },', '  []', ']']
    """
    for batch, _ in reindent_json_batches(text, indent=indent):
        yield from batch


def reindent_json_batches(
    text: str, *, indent: int = 2, batch: int = 65536
) -> Iterator[tuple[list[str], int]]:
    """:func:`reindent_json` in lists of ``batch`` lines, each with the input offset reached.

    >>> list(reindent_json_batches('{"a": 1}', batch=2))
    [(['{', '  "a": 1'], 7), (['}'], 8)]
    """
    pad = [" " * (indent * d) for d in range(64)]
    depth = 0
    lines: list[str] = []
    append = lines.append
    end = 0
    for match in _JSON_LINE.finditer(text):
        key, empty, opener, scalar, closer, bad, comma = match.groups()
        if bad is not None:
            where = match.start(6)
            raise NotJsonError(f"not JSON at offset {where}: {bad!r}", where, lines)
        if depth >= len(pad) - 1:
            pad.extend(" " * (indent * d) for d in range(len(pad), 2 * len(pad)))
        if closer is not None:
            depth = max(0, depth - 1)
            append(pad[depth] + closer + (comma or ""))
        else:
            prefix = pad[depth] + (key + ": " if key is not None else "")
            if opener is not None:
                depth += 1
                append(prefix + opener)
            elif empty is not None:
                append(prefix + empty[0] + empty[-1] + (comma or ""))
            else:
                append(prefix + scalar + (comma or ""))
        if len(lines) >= batch:
            end = match.end()
            yield lines, end
            lines = []
            append = lines.append
    if lines:
        yield lines, len(text)


# Markup tokens: comment/CDATA/processing instruction/doctype, closing tag, self-closing tag,
# opening tag, text. Lenient: anything is accepted (a raw view exists for what it mangles).
_XML_TOKEN = re.compile(
    r"(<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>)|(</[^>]*>)|(<[^>]*/>)|(<[^>]*>)|([^<]+|<)",
    re.DOTALL,
)
_NEWLINE_RUN = re.compile(r"\s*\n\s*")


def reindent_xml(text: str, *, indent: int = 2) -> Iterator[str]:
    """Yield the lines of an XML document, one element per line, text kept inline.

    >>> list(reindent_xml('<?xml version="1.0"?><a x="1"><b>hi</b><c/><!-- n --></a>'))
    ['<?xml version="1.0"?>', '<a x="1">', '  <b>hi</b>', '  <c/>', '  <!-- n -->', '</a>']
    """
    for batch, _ in reindent_xml_batches(text, indent=indent):
        yield from batch


def reindent_xml_batches(
    text: str, *, indent: int = 2, batch: int = 65536, final: bool = True
) -> Iterator[tuple[list[str], int]]:
    """:func:`reindent_xml` in batches with the input offset reached (as for JSON).

    ``final=False`` (a document's head) keeps back an element whose end is not known yet, so
    the lines yielded are exactly the first lines of the whole document's.
    """
    pad = [" " * (indent * d) for d in range(256)]
    depth = 0
    lines: list[str] = []
    pending: list[str] | None = None  # [opening tag, inline text or ""]: content still unknown

    # Every token has its newline runs folded to one space first: the line index relies on
    # lines never containing a newline.
    emit = lines.append

    def flush() -> None:
        nonlocal pending, depth
        if pending is not None:
            tag, inline = pending
            pending = None
            emit(pad[min(depth, 255)] + tag)
            depth += 1
            if inline:
                emit(pad[min(depth, 255)] + inline)

    for match in _XML_TOKEN.finditer(text):
        other, closer, empty, opener, chars = match.groups()
        if chars is not None:
            content = chars.strip()
            if content:
                if pending is not None and not pending[1]:
                    pending[1] = _NEWLINE_RUN.sub(" ", content)
                else:
                    flush()
                    emit(pad[min(depth, 255)] + _NEWLINE_RUN.sub(" ", content))
        elif closer is not None:
            closer = _NEWLINE_RUN.sub(" ", closer)
            if pending is not None:
                emit(pad[min(depth, 255)] + pending[0] + pending[1] + closer)
                pending = None
            else:
                depth = max(0, depth - 1)
                emit(pad[min(depth, 255)] + closer)
        else:
            flush()
            if opener is not None:
                pending = [_NEWLINE_RUN.sub(" ", opener), ""]
            else:
                emit(pad[min(depth, 255)] + _NEWLINE_RUN.sub(" ", empty or other))
        if len(lines) >= batch:
            yield lines, match.end()
            lines = []
            emit = lines.append
    if final:
        flush()
    if lines:
        yield lines, len(text)


def _style_of(token_type: Any) -> int:
    from pygments import token as t

    for kind, style in (
        (t.Name.Tag, 1),
        (t.Name.Attribute, 7),
        (t.Comment, 5),
        (t.String, 2),
        (t.Number, 3),
        (t.Keyword, 4),
        (t.Name.Builtin, 4),
        (t.Name.Entity, 4),
        (t.Punctuation, 6),
        (t.Operator, 6),
        (t.Error, 8),
    ):
        if token_type in kind:
            return style
    return 0


def highlight_lines(
    lines: Sequence[str], lexer: str | None, *, max_chars: int = HIGHLIGHT_LINE_CHARS
) -> tuple[tuple[Span, ...], ...]:
    """Highlight consecutive ``lines`` with the Pygments lexer ``lexer``: spans per line.

    Only the first ``max_chars`` of a line are highlighted (views cut longer lines anyway):
    a minified 50 MB document is one line, and lexing it would take minutes.

    >>> highlight_lines(["<a x='1'/>"], "xml")
    (((0, 2, 1), (3, 2, 7), (5, 3, 2), (8, 2, 1)),)
    """
    if lexer is None or not lines:
        return tuple(() for _ in lines)
    if any(len(line) > max_chars for line in lines):
        lines = [line[:max_chars] for line in lines]
    from pygments.lexers import get_lexer_by_name

    lex = get_lexer_by_name(lexer, stripnl=False, ensurenl=False)
    cache: dict[Any, int] = {}
    result: list[list[Span]] = [[] for _ in lines]
    row, col = 0, 0
    for token_type, value in lex.get_tokens("\n".join(lines)):
        style = cache.get(token_type)
        if style is None:
            style = cache[token_type] = _style_of(token_type)
        for i, part in enumerate(value.split("\n")):
            if i:
                row, col = row + 1, 0
            if part and style and row < len(result):
                result[row].append((col, len(part), style))
            col += len(part)
    return tuple(tuple(spans) for spans in result)
