"""What a run sends: the requests of a collection or folder, in tree order, and data rows.

Example::

    >>> import tempfile
    >>> from guiapp.core.collections import Collection
    >>> from guiapp.core.request import RequestSpec
    >>> col = Collection.create(tempfile.mkdtemp() + "/api", name="API")
    >>> _ = col.new_request("", "Login", RequestSpec(url="{{base}}/login", method="POST"))
    >>> _ = col.new_request("", "Me", RequestSpec(url="{{base}}/me"))
    >>> [(p.name, sorted(p.uses)) for p in plan_collection(col)]
    [('Login', ['base']), ('Me', ['base'])]
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from guiapp.core.auth_inherit import apply_parent_auth, parent_auth_of
from guiapp.core.collections import Collection, CollectionError, FolderNode, RequestNode
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.core.serialize import spec_to_dict
from guiapp.core.variables import VARIABLE_REF

__all__ = ["DataFileError", "PlannedRequest", "RunSetupError", "load_data_file", "plan_collection"]

#: Data files larger than this are refused (a run keeps every row in memory).
MAX_DATA_BYTES = 64 * 1024 * 1024


class RunSetupError(ValueError):
    """The run cannot start as asked (unknown folder, unreadable request file...)."""


class DataFileError(RunSetupError):
    """A data file (CSV or JSON) that cannot be used; the message names the row."""


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """One request of a run: where it is stored, its spec (with ``{{variables}}``), its tests,
    the variables it uses and the display names of the folders above it."""

    rel: str
    name: str
    spec: RequestSpec
    tests: RequestTests
    uses: frozenset[str]
    folder: tuple[str, ...] = ()


def plan_collection(collection: Collection, folder: str = "") -> list[PlannedRequest]:
    """The requests below ``folder`` (``""``: the whole collection) in the order the sidebar
    shows them: depth first, a folder's subfolders before its own requests. Requests that
    inherit their auth get their folder's or collection's auth here."""
    root = collection.tree()
    found = (root, ()) if not folder else _find_folder(root, folder.strip("/"), ())
    if found is None:
        known = ", ".join(sorted(_folder_ids(root))) or "none"
        raise RunSetupError(f"no folder {folder!r} in {collection.name} (folders: {known})")
    planned = []
    try:
        auth_settings = collection.auth_settings()
    except CollectionError as exc:
        raise RunSetupError(f"cannot read the collection's auth settings: {exc}") from None
    node, above = found
    for request, names in _walk(node, above):
        try:
            spec = collection.load_request(request.id)
            tests = collection.load_tests(request.id)
        except CollectionError as exc:
            raise RunSetupError(str(exc)) from None
        # "Inherit from parent": the folder's or the collection's auth, as the editor sends.
        spec = apply_parent_auth(spec, parent_auth_of(request.id, auth_settings))
        uses = _references(spec)
        planned.append(PlannedRequest(request.id, request.name, spec, tests, uses, names))
    return planned


def _walk(node: FolderNode, names: tuple[str, ...]) -> list[tuple[RequestNode, tuple[str, ...]]]:
    out: list[tuple[RequestNode, tuple[str, ...]]] = []
    for folder in node.folders:
        out += _walk(folder, (*names, folder.name))
    out += [(request, names) for request in node.requests]
    return out


def _references(spec: RequestSpec) -> frozenset[str]:
    text = json.dumps(spec_to_dict(spec))
    return frozenset(m.group(1) for m in VARIABLE_REF.finditer(text))


def _find_folder(
    node: FolderNode, wanted: str, names: tuple[str, ...]
) -> tuple[FolderNode, tuple[str, ...]] | None:
    """The folder ``wanted`` and the display names from the root down to it."""
    if node.id.strip("/") == wanted:
        return node, names
    for child in node.folders:
        found = _find_folder(child, wanted, (*names, child.name))
        if found is not None:
            return found
    return None


def _folder_ids(node: FolderNode) -> list[str]:
    out = [node.id.strip("/")] if node.id else []
    for child in node.folders:
        out += _folder_ids(child)
    return out


def load_data_file(path: str | Path) -> list[dict[str, str]]:
    """Rows of a CSV (header row = variable names) or JSON (an array of objects) data file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp(), "users.csv")
    >>> _ = p.write_text("id,name\\n1,Ann\\n2,Bob\\n")
    >>> load_data_file(p)
    [{'id': '1', 'name': 'Ann'}, {'id': '2', 'name': 'Bob'}]
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DATA_BYTES:
            raise DataFileError(f"{path}: {size} bytes is over the data file limit of 64 MiB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot read the data file {path}: {exc}") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        return _json_rows(path, text)
    return _csv_rows(path, text)


def _json_rows(path: Path, text: str) -> list[dict[str, str]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DataFileError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise DataFileError(f"{path}: expected an array of objects, one per iteration")
    rows = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            kind = type(item).__name__
            raise DataFileError(f"{path}: row {number} is a {kind}, expected an object")
        rows.append({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in item.items()})
    return rows


def _csv_rows(path: Path, text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFileError(f"{path}: the file is empty (expected a header row)") from None
    except csv.Error as exc:
        raise DataFileError(f"{path}: line 1: {exc}") from None
    names = [h.strip() for h in header]
    if not all(names) or len(set(names)) != len(names):
        raise DataFileError(f"{path}: the header row needs distinct, non-empty column names")
    rows = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                raise DataFileError(
                    f"{path}: line {reader.line_num} has {len(cells)} values, "
                    f"the header has {len(names)}"
                )
            rows.append(dict(zip(names, cells, strict=True)))
    except csv.Error as exc:
        raise DataFileError(f"{path}: line {reader.line_num}: {exc}") from None
    return rows
