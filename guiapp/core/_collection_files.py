"""The TOML files of a collection: requests, folder metadata and environments.

Reading uses the standard library's fast ``tomllib``; saving merges the new values into the
existing ``tomlkit`` document, so comments, key order and keys this version does not know about
survive a save (a hand-edited or newer file is not flattened). Multi-line text (bodies) is
written as TOML multi-line strings, so a changed body diffs line by line.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import tomlkit
import tomlkit.items

from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import TestsFormatError, parse_tests, tests_to_document
from guiapp.core.serialize import DISABLED_KEYS, SpecFormatError, spec_from_dict, spec_to_dict
from guiapp.core.variables import Environment, Variable

__all__ = [
    "SCHEMA",
    "TESTS_KEYS",
    "CollectionError",
    "dump_merged",
    "dump_request",
    "dump_without",
    "environment_document",
    "parse_environment",
    "parse_request",
    "parse_variables",
    "quick_summary",
    "read_toml",
    "request_document",
    "slugify",
    "variable_entries",
]

#: Version of the collection file layout; files with a newer one are refused, not half-read.
SCHEMA = 1
#: Top-level arrays of a request file holding its checks and captures.
TESTS_KEYS = ("checks", "captures")


class CollectionError(ValueError):
    """A collection file or operation failed; the message names the file and the problem."""


# Stems a request or folder file must not take: ``collection.toml`` is the collection's own
# file, and Windows refuses these device names whatever the extension (``con.toml``).
_RESERVED_STEMS = frozenset(
    {"collection", "con", "prn", "aux", "nul"}
    | {f"{dev}{n}" for dev in ("com", "lpt") for n in "0123456789¹²³"}
)
#: Longest stem in characters, and in UTF-8 bytes (file systems limit names to 255 bytes, and
#: a deep folder tree adds every level's name to the path).
MAX_STEM_CHARS = 60
MAX_STEM_BYTES = 100


def slugify(name: str, default: str = "request") -> str:
    """A portable, bounded file name stem for ``name``.

    Case-folded (so that two names differing only in case collide on every file system, and
    :func:`~guiapp.core._collection_ops.unique_path` numbers them), at most 60 characters and
    100 UTF-8 bytes, never a reserved name (``collection``, Windows' ``con``, ``com1``...).

    >>> slugify("Get user #42 (v2)"), slugify("Café ☕"), slugify("..")
    ('get-user-42-v2', 'café', 'request')
    >>> slugify("Collection"), slugify("CON"), slugify("Straße") == slugify("STRASSE")
    ('collection-request', 'con-request', True)
    """
    text = unicodedata.normalize("NFC", name).casefold()
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    text = text[:MAX_STEM_CHARS]
    while len(text.encode("utf-8")) > MAX_STEM_BYTES:
        text = text[:-1]
    text = text.rstrip("-_") or default
    return f"{text}-{default}" if text in _RESERVED_STEMS else text


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path``, refusing a newer schema; raise CollectionError naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CollectionError(f"{path}: {exc}") from exc
    schema = data.get("schema", SCHEMA)
    if not isinstance(schema, int) or schema > SCHEMA:
        raise CollectionError(
            f"{path}: schema {schema!r} is newer than this app understands ({SCHEMA}); update it"
        )
    return data


_HEAD_NAME = re.compile(r'^name = ("(?:[^"\\\n]|\\.)*")$', re.MULTILINE)
_HEAD_SCHEMA = re.compile(r"^schema = (\d+)$", re.MULTILINE)
_REQUEST_METHOD = re.compile(r'^method = "([A-Za-z]+)"$', re.MULTILINE)


def quick_summary(text: str) -> tuple[str, str] | None:
    """(name, method) read from a request file as this module writes it, without a full parse.

    Listing 5,000 requests is dominated by TOML parsing; files in the usual layout (``schema``
    and ``name`` first, then ``[request]`` with a plain ``method`` line) are read with three
    regular expressions instead. Anything unusual returns None: the caller parses it properly.
    """
    head, sep, rest = text.partition("\n[request]\n")
    if not sep or "\n[" in head:
        return None
    schema, name = _HEAD_SCHEMA.search(head), _HEAD_NAME.search(head)
    method = _REQUEST_METHOD.search(rest.split("\n[", 1)[0])
    if not (schema and name and method) or int(schema.group(1)) > SCHEMA:
        return None
    try:
        decoded = tomllib.loads("n = " + name.group(1))["n"]
    except tomllib.TOMLDecodeError:
        return None
    return str(decoded), method.group(1).upper()


def parse_request(path: Path, data: Mapping[str, Any]) -> RequestSpec:
    """The RequestSpec of a parsed request file."""
    request = data.get("request")
    if not isinstance(request, Mapping):
        raise CollectionError(f"{path}: missing the [request] table")
    try:
        spec = spec_from_dict(request)
    except SpecFormatError as exc:
        raise CollectionError(f"{path}: request.{exc}") from exc
    try:  # [[checks]] and [[captures]] sit next to [request], not in it
        return replace(spec, tests=parse_tests(data))
    except TestsFormatError as exc:
        raise CollectionError(f"{path}: {exc}") from None


def _drop_none(value: Any) -> Any:
    # TOML has no null: an absent key means None (spec_from_dict reads it back that way).
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _item(value: Any) -> Any:
    """A tomlkit item for ``value``: multi-line strings and one-pair-per-line arrays."""
    if isinstance(value, str) and "\n" in value:
        candidate = tomlkit.string(value, multiline=True)
        try:  # only when it reads back exactly (tomlkit trims a leading newline, for one)
            if tomllib.loads(f"x = {candidate.as_string()}")["x"] == value:
                return candidate
        except tomllib.TOMLDecodeError:
            pass
        return tomlkit.string(value)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        aot = tomlkit.aot()  # [[name]] tables: one block per multipart part or variable
        for v in value:
            aot.append(_table(v))
        return aot
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        array = tomlkit.array()  # one [name, value] pair per line
        for v in value:
            array.append(_item(v))
        array.multiline(True)
        return array
    if isinstance(value, dict):
        return _table(value)
    return value


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _merge(table: Any, new: Mapping[str, Any], managed: frozenset[str] | None) -> None:
    """Write ``new`` into ``table`` in place: changed keys replaced, others left untouched.

    Keys in ``managed`` that ``new`` lacks are removed (e.g. a body that was deleted); any other
    key already in the table is kept, with its comments.
    """
    for key, value in new.items():
        current = table.get(key)
        if current is not None and _plain(current) == value:
            continue
        if isinstance(value, dict) and isinstance(current, tomlkit.items.Table):
            _merge(current, value, frozenset(k for k in current if k not in value))
        else:
            table[key] = _item(value)
    for key in list(table.keys()):
        if key not in new and (managed is None or key in managed):
            del table[key]


# Keys a save may remove from [request]; the disabled rows are written only when there are some.
_SPEC_KEYS = frozenset(spec_to_dict(RequestSpec(url="")).keys()) | frozenset(DISABLED_KEYS)


def dump_merged(existing: str | None, content: Mapping[str, Any]) -> str:
    """TOML text for ``content`` (top-level keys and tables), merged into ``existing`` text."""
    doc = tomlkit.parse(existing) if existing else tomlkit.document()
    for key, value in content.items():
        current = doc.get(key)
        if isinstance(value, dict) and isinstance(current, tomlkit.items.Table):
            managed = _SPEC_KEYS if key == "request" else frozenset(value)
            _merge(current, value, managed | frozenset(k for k in current if k in _SPEC_KEYS))
        elif current is None or _plain(current) != value:
            doc[key] = _item(value) if not isinstance(value, dict) else _table(value)
    return tomlkit.dumps(doc)


def dump_without(text: str, key: str) -> str:
    """``text`` (a TOML document) without its top-level ``key``; everything else kept."""
    doc = tomlkit.parse(text)
    if key in doc:
        del doc[key]
    return tomlkit.dumps(doc)


def _table(value: Mapping[str, Any]) -> tomlkit.items.Table:
    table = tomlkit.table()
    for k, v in value.items():
        table[k] = _item(v)
    return table


def request_document(name: str, spec: RequestSpec) -> dict[str, Any]:
    """The content of a request file: ``schema``, ``name``, the ``[request]`` table and the
    request's ``[[checks]]`` and ``[[captures]]`` (only when it has some)."""
    table = _drop_none(spec_to_dict(replace(spec, tests=None)))
    tests = tests_to_document(spec.tests) if spec.tests else {}
    return {"schema": SCHEMA, "name": name, "request": table, **tests}


def dump_request(existing: str | None, name: str, spec: RequestSpec) -> str:
    """The text of a request file holding ``spec``, merged into ``existing`` (comments and
    unknown keys kept); checks or captures the request no longer has are removed."""
    document = request_document(name, spec)
    text = dump_merged(existing, document)
    for key in TESTS_KEYS:
        if key not in document and existing is not None:
            text = dump_without(text, key)
    return text


# -- environments and collection variables ------------------------------------------------------
_VARIABLE_KEYS = frozenset({"name", "value", "secret", "enabled"})


def parse_variables(path: Path, raw: Any) -> tuple[list[Variable], list[str]]:
    """The ``[[variables]]`` of a file (secret values empty) and the names of the secret ones."""
    if not isinstance(raw, list):
        raise CollectionError(f"{path}: expected [[variables]] tables")
    variables, secrets = [], []
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise CollectionError(f"{path}: variables[{i}] needs a name")
        secret = bool(entry.get("secret", False))
        value = entry.get("value", "")
        if not isinstance(value, str):
            value = str(value)  # a hand-written `port = 8080` is still a usable value
        variables.append(
            Variable(
                entry["name"], "" if secret else value, secret, bool(entry.get("enabled", True))
            )
        )
        if secret:
            secrets.append(entry["name"])
    return variables, secrets


def parse_environment(path: Path, data: Mapping[str, Any]) -> tuple[Environment, list[str]]:
    """The environment in ``data`` with secret values empty, and the names of the secret ones."""
    name = data.get("name", path.stem)
    if not isinstance(name, str):
        raise CollectionError(f'{path}: expected name = "..." and [[variables]] tables')
    variables, secrets = parse_variables(path, data.get("variables", []))
    return Environment(name, tuple(variables)), secrets


def variable_entries(variables: tuple[Variable, ...], existing: Any = None) -> list[dict[str, Any]]:
    """``[[variables]]`` tables for ``variables``; secret values are left out (they go to the
    keyring). Keys this version does not know (e.g. a hand-written ``description``) are kept
    from the ``existing`` entry of the same name."""
    known: dict[str, Mapping[str, Any]] = {}
    if isinstance(existing, list):
        for old in existing:
            if isinstance(old, Mapping) and isinstance(old.get("name"), str):
                known.setdefault(old["name"], old)
    entries = []
    for v in variables:
        entry: dict[str, Any] = {"name": v.name}
        if v.secret:
            entry["secret"] = True
        else:
            entry["value"] = v.value
        if not v.enabled:
            entry["enabled"] = False
        extra = known.get(v.name, {})
        entry.update({k: x for k, x in extra.items() if k not in _VARIABLE_KEYS})
        entries.append(entry)
    return entries


def environment_document(env: Environment, existing: Any = None) -> dict[str, Any]:
    """The content of an environment file; ``existing`` is its current ``variables`` array."""
    return {
        "schema": SCHEMA,
        "name": env.name,
        "variables": variable_entries(env.variables, existing),
    }
