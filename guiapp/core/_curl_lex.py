r"""Split a pasted curl command line into words, the way the shell it was written for would.

Three dialects are recognised: POSIX shells (the default: single, double and ``$'...'`` quoting,
backslash-newline continuations, ``#`` comments), Windows ``cmd`` (``^`` escapes and
continuations, double quotes) and PowerShell (backtick escapes and continuations, ``''`` inside
single quotes). Shell variables in POSIX double-quoted or unquoted text (``$TOKEN``,
``${TOKEN}``) become ``{{TOKEN}}`` templates, so API docs that say ``-H "Authorization: Bearer
$TOKEN"`` paste as a request that asks for that variable. The words of the first command only
are returned: a pipe (``| jq .``), ``;``, ``&&`` or ``||`` ends it.

Example::

    >>> split_command("curl -H 'A: b' \\\n  \"https://h/$PATH_PART\"")
    ['curl', '-H', 'A: b', 'https://h/{{PATH_PART}}']
"""

from __future__ import annotations

import re

from guiapp.core.errors import InvalidRequest

__all__ = ["split_command"]

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_ANSI_SIMPLE = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
    "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip
_HEX_RUN = {"x": "[0-9a-fA-F]{1,2}", "u": "[0-9a-fA-F]{1,4}", "U": "[0-9a-fA-F]{1,8}"}
_TERMINATORS = ("|", ";", "&&", "||")


def split_command(command: str) -> list[str]:
    """Return the words of the first command in ``command`` (see the module docstring)."""
    # Only continuations become plain newlines: a CR inside quotes is data and must survive.
    text = re.sub(r"([\\^`])\r\n", "\\1\n", command)
    first_line = text.lstrip().split("\n", 1)[0].rstrip()
    if first_line.endswith("^"):
        return _split_cmd(text)
    if first_line.endswith("`"):
        return _split_powershell(text)
    return _split_posix(text)


def _error(message: str) -> InvalidRequest:
    return InvalidRequest(message, field="curl")


def _vars(text: str) -> str:
    return _VAR.sub(lambda m: "{{" + (m.group(1) or m.group(2)) + "}}", text)


def _split_posix(text: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
        elif c == "\\":
            if i + 1 < n and text[i + 1] == "\n":
                i += 2  # line continuation
                continue
            if i + 1 < n:
                word.append(text[i + 1])
            in_word = True
            i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise _error("unterminated single quote in the curl command")
            word.append(text[i + 1 : end])
            in_word = True
            i = end + 1
        elif c == "$" and i + 1 < n and text[i + 1] == "'":
            chunk, i = _ansi_c(text, i + 2)
            word.append(chunk)
            in_word = True
        elif c == '"':
            chunk, i = _double_quoted(text, i + 1)
            word.append(chunk)
            in_word = True
        elif c == "#" and not in_word:
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in ";|" or text.startswith("&&", i):
            break  # the end of the curl command: "; echo", "| jq .", "&& ..."
        else:
            j = i
            while (
                j < n and text[j] not in " \t\n\r\\'\";|" and not text.startswith(("$'", "&&"), j)
            ):
                j += 1
            word.append(_vars(text[i:j]))
            in_word = True
            i = j
    if in_word:
        words.append("".join(word))
    return words


def _double_quoted(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    plain: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            out.append(_vars("".join(plain)))
            return "".join(out), i + 1
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            out.append(_vars("".join(plain)))
            plain = []
            if text[i + 1] != "\n":
                out.append(text[i + 1])
            i += 2
            continue
        plain.append(c)
        i += 1
    raise _error("unterminated double quote in the curl command")


def _ansi_c(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = text[i + 1]
        if e in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[e])
            i += 2
        elif e in "xuU":
            m = re.match(_HEX_RUN[e], text[i + 2 :])
            if not m:
                out.append("\\" + e)
                i += 2
            else:
                out.append(chr(int(m.group(), 16)))
                i += 2 + len(m.group())
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", text[i + 1 :])
            assert m is not None
            out.append(chr(int(m.group(), 8)))
            i += 1 + len(m.group())
        elif e == "c" and i + 2 < n:
            out.append(chr(ord(text[i + 2]) & 0x1F))
            i += 3
        else:
            out.append("\\" + e)
            i += 2
    raise _error("unterminated $'...' quote in the curl command")


def _split_cmd(text: str) -> list[str]:
    # cmd.exe first removes its ^ escapes (and ^-newline continuations); curl.exe then splits the
    # rest with the Microsoft C runtime rules: double quotes group, \" is a literal quote.
    unescaped: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "^" and i + 1 < len(text):
            if text[i + 1] != "\n":
                unescaped.append(text[i + 1])
            i += 2
        else:
            unescaped.append(text[i])
            i += 1
    return _split_msvcrt("".join(unescaped))


def _split_msvcrt(text: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    in_word = in_quotes = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            j = i
            while j < n and text[j] == "\\":
                j += 1
            count = j - i
            if j < n and text[j] == '"':
                word.append("\\" * (count // 2))
                if count % 2:
                    word.append('"')
                    j += 1
                i = j
            else:
                word.append("\\" * count)
                i = j
            in_word = True
        elif c == '"':
            in_quotes = not in_quotes
            in_word = True
            i += 1
        elif c in " \t\n" and not in_quotes:
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
        elif not in_word and not in_quotes and any(text.startswith(t, i) for t in _TERMINATORS):
            break
        else:
            word.append(c)
            in_word = True
            i += 1
    if in_quotes:
        raise _error("unterminated double quote in the curl command")
    if in_word:
        words.append("".join(word))
    return words


def _split_powershell(text: str) -> list[str]:
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)
    escapes = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "`": "`", '"': '"', "$": "$"}
    while i < n:
        c = text[i]
        if c == "`" and i + 1 < n:
            if text[i + 1] != "\n":
                word.append(text[i + 1])
                in_word = True
            i += 2
        elif c in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
        elif c == "'":
            j = i + 1
            while True:
                end = text.find("'", j)
                if end < 0:
                    raise _error("unterminated single quote in the curl command")
                if text.startswith("''", end):
                    word.append(text[j:end] + "'")
                    j = end + 2
                    continue
                word.append(text[j:end])
                i = end + 1
                break
            in_word = True
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "`" and j + 1 < n:
                    word.append(escapes.get(text[j + 1], text[j + 1]))
                    j += 2
                else:
                    word.append(text[j])
                    j += 1
            if j >= n:
                raise _error("unterminated double quote in the curl command")
            i = j + 1
            in_word = True
        elif not in_word and any(text.startswith(t, i) for t in _TERMINATORS):
            break
        else:
            word.append(c)
            in_word = True
            i += 1
    if in_word:
        words.append("".join(word))
    return words
