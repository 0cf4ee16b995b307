"""The limits an import runs under, and the checks that enforce them before any work is done.

A hostile document can be tiny and still expand without bound: YAML aliases that refer to
aliases (a 600-byte "billion laughs" document), or OpenAPI ``$ref`` schemas that fan out into
each other. Each limit below stops one of these, and the message names the limit, so that a user
with a genuinely large document knows which setting to raise.

Example::

    >>> limits = ImportLimits(max_document_bytes=10)
    >>> check_size(11, limits, "shop.json")
    Traceback (most recent call last):
    ...
    guiapp.core.importers._errors.ImportFailed: shop.json is 11 bytes, more than the import \
limit of 10 bytes (setting: import/max_document_mb)
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from guiapp.core.importers._errors import ImportFailed

__all__ = ["DEFAULT_LIMITS", "ImportLimits", "check_size", "check_yaml_expansion"]


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds for one import; the defaults fit real collections and specs many times over.

    The ``setting`` names in messages are the keys of ``settings.ini`` (docs/workspace.md).
    """

    #: The source file, in bytes (setting ``import/max_document_mb``).
    max_document_bytes: int = 50 * 1024 * 1024
    #: Values of the YAML document once its aliases are expanded (``import/max_yaml_values``).
    max_yaml_values: int = 2_000_000
    #: ``$ref`` resolutions over the whole import (``import/max_ref_resolutions``).
    max_ref_resolutions: int = 200_000
    #: Nesting of ``$ref`` inside ``$ref`` (and of schemas) when building examples.
    max_ref_depth: int = 8
    #: Values in one generated example body (``import/max_example_values``).
    max_example_values: int = 10_000
    #: Bytes of one example body (``import/max_example_kb``).
    max_example_bytes: int = 1024 * 1024
    #: Bytes of all example bodies of one import (``import/max_total_example_mb``).
    max_total_example_bytes: int = 64 * 1024 * 1024
    #: Folder nesting (``import/max_folder_depth``).
    max_folder_depth: int = 16
    #: Requests in one import (``import/max_requests``).
    max_requests: int = 20_000
    #: Wall-clock time of the worker process, in seconds (``import/time_limit_s``).
    time_limit_s: float = 60.0
    #: Address space of the worker process, in bytes (``import/memory_limit_mb``).
    memory_limit_bytes: int = 1024 * 1024 * 1024


DEFAULT_LIMITS = ImportLimits()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def check_size(size: int, limits: ImportLimits, what: str) -> None:
    """Refuse a document of ``size`` bytes if larger than ``limits.max_document_bytes``."""
    if size > limits.max_document_bytes:
        raise ImportFailed(
            f"{what} is {size} bytes, more than the import limit of "
            f"{_mb(limits.max_document_bytes)} (setting: import/max_document_mb)"
        )


def check_yaml_expansion(text: str, limits: ImportLimits) -> None:
    """Refuse YAML whose aliases expand it beyond ``limits.max_yaml_values`` values.

    Works on PyYAML's event stream (:func:`yaml.parse`), so nothing is built: each anchor's
    expanded size is counted once, and an alias adds that size again, exactly as a consumer
    walking the loaded data would see it.

    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\\n"
    ...     for i in range(8))
    >>> check_yaml_expansion(bomb, ImportLimits(max_yaml_values=1000))
    Traceback (most recent call last):
    ...
    guiapp.core.importers._errors.ImportFailed: the YAML document expands to more than 1000 \
values through its aliases (&anchor / *alias); refused (setting: import/max_yaml_values)
    """
    limit = limits.max_yaml_values
    anchors: dict[str, int] = {}
    open_anchors: list[str | None] = []  # anchor of each open sequence/mapping
    open_sizes: list[int] = []  # values counted so far in each
    total = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                open_anchors.append(event.anchor)
                open_sizes.append(1)
                total += 1
                continue
            if isinstance(event, yaml.ScalarEvent):
                size = 1
                total += 1
                if event.anchor:
                    anchors[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                size = anchors.get(str(event.anchor), 1)
                total += size
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent) and open_sizes:
                anchor, size = open_anchors.pop(), open_sizes.pop()
                if anchor:
                    anchors[anchor] = size
            else:
                continue
            if open_sizes:
                open_sizes[-1] += size
            if total > limit:
                raise ImportFailed(
                    f"the YAML document expands to more than {limit} values through its "
                    "aliases (&anchor / *alias); refused (setting: import/max_yaml_values)"
                )
    except yaml.YAMLError:
        return  # not YAML at all: the loader reports the syntax error with its position
