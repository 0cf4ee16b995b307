"""All-or-nothing imports: build the collection in a hidden folder next to its destination,
then move it into place with one rename.

An import that fails half-way (a bad item, a limit, a killed worker process) leaves nothing
behind at the destination, and no half-written collection is ever opened. Secret values are
staged in memory and written to the real secret store only once the collection is in place,
so they are keyed to the final collection, never to the staging folder.

Example::

    >>> import tempfile
    >>> from pathlib import Path
    >>> from guiapp.core.request import RequestSpec
    >>> dest = Path(tempfile.mkdtemp()) / "api"
    >>> def build(result: ImportResult) -> None:
    ...     rid = result.collection.new_request("", "Ping", RequestSpec(url="/"))
    ...     result.request_ids.append(rid)
    >>> build_collection(dest, "API", None, build).collection.root == dest.resolve()
    True
    >>> def broken(result: ImportResult) -> None:
    ...     result.collection.new_request("", "Ping", RequestSpec(url="/"))
    ...     raise ImportFailed("the third item is broken")
    >>> build_collection(dest.parent / "other", "API", None, broken)
    Traceback (most recent call last):
    ...
    guiapp.core.importers._errors.ImportFailed: the third item is broken
    >>> sorted(p.name for p in dest.parent.iterdir())
    ['api']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from guiapp.core.collections import Collection
from guiapp.core.importers._common import ImportResult
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.secrets import MemoryKeyring, SecretStore

__all__ = ["STAGING_MARK", "build_collection", "remove_staging"]

#: Part of the name of every staging folder (``.<dest>.importing-<random>``).
STAGING_MARK = ".importing-"


def _staging_prefix(dest: Path) -> str:
    return f".{dest.name[:40]}{STAGING_MARK}"


def remove_staging(dest: str | os.PathLike[str]) -> None:
    """Delete staging folders left for ``dest`` by an import that was killed."""
    dest = Path(dest)
    if dest.parent.is_dir():
        for leftover in dest.parent.glob(_staging_prefix(dest) + "*"):
            shutil.rmtree(leftover, ignore_errors=True)


def build_collection(
    dest: str | os.PathLike[str],
    name: str,
    secrets: SecretStore | None,
    build: Callable[[ImportResult], None],
) -> ImportResult:
    """Create a collection named ``name``, let ``build`` fill it, then move it to ``dest``.

    ``build`` receives an :class:`ImportResult` whose collection lives in the staging folder;
    any exception it raises removes that folder and propagates. ``dest`` must not exist or be
    an empty folder.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ImportFailed(f"{dest} is not empty: choose a new folder for the collection")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(dest), dir=dest.parent))
    try:
        staged = SecretStore(service="guiapp-import-staging", backend=MemoryKeyring())
        result = ImportResult(Collection.create(staging, name=name, secrets=staged))
        build(result)
        # Folder and collection auth secrets live in the staged store: carry them over.
        result.folder_auth = {
            folder: setting
            for folder, (_name, setting) in result.collection.auth_settings().items()
            if not setting.inherit and setting.auth is not None
        }
        if dest.exists():
            dest.rmdir()  # empty (checked above); a rename onto it is not portable
        os.rename(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return reopen(result, dest, secrets)


def reopen(result: ImportResult, dest: Path, secrets: SecretStore | None) -> ImportResult:
    """``result`` with its collection opened at ``dest`` and its secret values stored in
    ``secrets`` (the values travel in ``result.environments`` / ``collection_variables``)."""
    col = Collection.open(dest, secrets=secrets)
    for env in result.environments:
        if any(v.secret for v in env.variables):
            col.save_environment(env)
    variables = result.collection_variables
    if variables is not None and any(v.secret for v in variables.variables):
        col.save_variables(variables)
    for folder, setting in result.folder_auth.items():
        col.save_auth(folder, setting)  # the secret goes to the real store, keyed to ``dest``
    result.collection = col
    return result
