"""What every importer shares: reading the source document and reporting the result."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guiapp.core.auth_inherit import AuthSetting
from guiapp.core.collections import Collection
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.importers._limits import (
    DEFAULT_LIMITS,
    ImportLimits,
    check_size,
    check_yaml_expansion,
)
from guiapp.core.variables import Environment

__all__ = ["ImportFailed", "ImportResult", "load_document"]


@dataclass
class ImportResult:
    """The new collection, the environments created in it, and what could not be carried over."""

    collection: Collection
    environments: list[Environment] = field(default_factory=list)
    #: The collection's own variables, if the source had any (Postman's ``variable`` array).
    collection_variables: Environment | None = None
    request_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Folder id -> own auth (with its secret) of the collection and folders that set one;
    #: filled when the collection is moved into place, so secrets are keyed to it.
    folder_auth: dict[str, AuthSetting] = field(default_factory=dict)


def load_document(
    source: str | os.PathLike[str] | Mapping[str, Any], limits: ImportLimits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """A parsed JSON or YAML document from a path, text or dict, within ``limits``.

    YAML is loaded with a ``SafeLoader`` (plain data only), after its alias expansion has been
    counted without building anything (:func:`check_yaml_expansion`).
    """
    if isinstance(source, Mapping):
        return dict(source)
    text = str(source)
    what = "the document"
    if isinstance(source, os.PathLike) or (
        not text.lstrip().startswith(("{", "[")) and "\n" not in text and Path(text).is_file()
    ):
        path = Path(source)
        what = path.name
        try:
            # Refused from its size on disk, before it is read into memory.
            check_size(path.stat().st_size, limits, what)
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(f"cannot read {source}: {exc}") from exc
    check_size(len(text.encode("utf-8", "replace")), limits, what)
    try:
        try:
            data = json.loads(text)
        except ValueError as json_error:
            check_yaml_expansion(text, limits)
            try:
                # A SafeLoader subclass: builds plain data only, never arbitrary objects.
                data = yaml.load(text, Loader=_JsonCompatibleLoader)
            except yaml.YAMLError as exc:
                raise ImportFailed(
                    f"neither valid JSON ({json_error}) nor valid YAML ({_yaml_problem(exc)})"
                ) from None
    except RecursionError:
        raise ImportFailed(f"{what} is nested too deeply to be read") from None
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        raise ImportFailed(
            f"expected an object (a JSON object or YAML mapping) at the top level, got {kind}"
        )
    return data


class _JsonCompatibleLoader(yaml.SafeLoader):
    """``SafeLoader`` that keeps timestamps as strings: OpenAPI examples such as
    ``example: 2017-07-21`` must stay text, as they are in the JSON form of the document."""


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """PyYAML's error in one line, with the 1-based line and column where it has one."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return str(problem)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
