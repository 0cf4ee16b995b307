"""What every importer shares: reading the source document and reporting the result."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from guiapp.core.collections import Collection
from guiapp.core.variables import Environment

__all__ = ["ImportFailed", "ImportResult", "load_document"]


class ImportFailed(ValueError):
    """The source could not be imported; the message says what is wrong with it."""


@dataclass
class ImportResult:
    """The new collection, the environments created in it, and what could not be carried over."""

    collection: Collection
    environments: list[Environment] = field(default_factory=list)
    request_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_document(source: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """A parsed JSON (or, when PyYAML is installed, YAML) document from a path, text or dict."""
    if isinstance(source, Mapping):
        return dict(source)
    text = str(source)
    if isinstance(source, os.PathLike) or (
        not text.lstrip().startswith(("{", "[")) and "\n" not in text and Path(text).is_file()
    ):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(f"cannot read {source}: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as json_error:
        try:
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise ImportFailed(
                f"not valid JSON ({json_error}); YAML documents need the optional PyYAML "
                "package (pip install pyyaml), or convert the file to JSON"
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ImportFailed(f"neither valid JSON nor valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ImportFailed(f"expected a JSON object at the top level, got {type(data).__name__}")
    return data
