"""File → Import…: turn a Postman v2.1 collection or an OpenAPI 3 document into a collection.

:func:`import_file` blocks (it parses and writes files): the controller runs it on its lane.
The format is recognised from the content, not the file name: OpenAPI documents carry an
``openapi: 3.x`` key, Postman collections ``info`` and ``item``.

Example::

    result = await service.run(import_file, Path("shop.postman_collection.json"), None,
                               data_dir / "collections", secrets)
    show_import_result(window, result)       # warnings, in a non-blocking message box
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from guiapp.core.importers import ImportFailed, ImportResult, import_openapi, import_postman
from guiapp.core.secrets import SecretStore

__all__ = ["import_file", "show_import_result"]


def _slug(text: str) -> str:
    stem = re.sub(r"[^\w]+", "-", text.lower()).strip("-_")
    return stem[:60] or "imported"


def _free_folder(root: Path, stem: str) -> Path:
    candidate, n = root / stem, 2
    while candidate.exists():
        candidate, n = root / f"{stem}-{n}", n + 1
    return candidate


def import_file(
    source: Path, dest: Path | None, root: Path, secrets: SecretStore | None = None
) -> ImportResult:
    """Import ``source`` into ``dest`` (default: a new folder under ``root`` named after the
    file). Raises :class:`ImportFailed` with a message for the user."""
    if dest is None:
        stem = source.name
        for suffix in (".postman_collection.json", ".json", ".yaml", ".yml"):
            stem = stem.removesuffix(suffix)
        root.mkdir(parents=True, exist_ok=True)
        dest = _free_folder(root, _slug(stem.removesuffix(".openapi")))
    try:
        return import_openapi(source, dest, secrets=secrets)
    except ImportFailed as openapi_error:
        if "not an OpenAPI 3 document" not in str(openapi_error):
            raise
    try:
        return import_postman(source, dest, secrets=secrets)
    except ImportFailed as postman_error:
        if "not a Postman collection" in str(postman_error):
            raise ImportFailed(
                f"{source.name} is neither a Postman collection (v2.1) nor an OpenAPI 3 document"
            ) from None
        raise


def import_summary(result: ImportResult) -> str:
    """One paragraph: what was created, and where."""
    col = result.collection
    envs = ", ".join(f"“{e.name}”" for e in result.environments)
    text = f"Imported {len(result.request_ids)} requests into “{col.name}” ({col.root})."
    if envs:
        text += f" Environment: {envs}."
    variables = result.collection_variables
    if variables is not None and variables.variables:
        names = ", ".join(v.name for v in variables.variables)
        text += f" Collection variables: {names}."
    return text


def show_import_result(parent: Any, result: ImportResult) -> QMessageBox:
    """Tell the user what was imported and list the warnings (a non-modal-blocking box)."""
    box = QMessageBox(parent)
    box.setObjectName("importResult")
    box.setWindowTitle("Import finished")
    box.setText(import_summary(result))
    if result.warnings:
        box.setIcon(QMessageBox.Icon.Warning)
        box.setInformativeText(
            f"{len(result.warnings)} thing(s) could not be carried over (see details)."
        )
        box.setDetailedText("\n".join(f"• {w}" for w in result.warnings))
    else:
        box.setIcon(QMessageBox.Icon.Information)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not exec(): we are inside a coroutine (qasync #59)
    return box
