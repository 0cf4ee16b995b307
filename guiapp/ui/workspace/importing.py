"""File → Import…: turn a Postman v2.1 collection or an OpenAPI 3 document into a collection.

:func:`import_file` blocks (it waits for the import): the controller runs it on its lane. The
import itself runs in a separate process with a time and memory budget
(:func:`guiapp.core.importers.run_import`), so a hostile document cannot freeze or exhaust the
app; the limits are read from the ``[import]`` group of ``settings.ini`` (docs/workspace.md).
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

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from guiapp.core.importers import ImportLimits, ImportResult, run_import
from guiapp.core.secrets import SecretStore

__all__ = ["import_file", "import_limits", "show_import_result"]

_MB = 1024 * 1024
#: settings.ini key (group ``import``) → ImportLimits field and the unit of the setting.
_SETTINGS: dict[str, tuple[str, int]] = {
    "max_document_mb": ("max_document_bytes", _MB),
    "max_yaml_values": ("max_yaml_values", 1),
    "max_ref_resolutions": ("max_ref_resolutions", 1),
    "max_example_values": ("max_example_values", 1),
    "max_example_kb": ("max_example_bytes", 1024),
    "max_total_example_mb": ("max_total_example_bytes", _MB),
    "max_folder_depth": ("max_folder_depth", 1),
    "max_requests": ("max_requests", 1),
    "time_limit_s": ("time_limit_s", 1),
    "memory_limit_mb": ("memory_limit_bytes", _MB),
}


def import_limits(settings_file: Path) -> ImportLimits:
    """The limits set in the ``[import]`` group of ``settings_file``; defaults for the rest
    (and for a value that is not a positive number)."""
    values: dict[str, Any] = {}
    if settings_file.is_file():
        settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
        for key, (attr, unit) in _SETTINGS.items():
            raw = settings.value(f"import/{key}")
            try:
                number = float(str(raw)) if raw is not None else 0.0
            except ValueError:
                continue
            if number > 0:
                values[attr] = number * unit if attr == "time_limit_s" else int(number * unit)
    return ImportLimits(**values)


def _slug(text: str) -> str:
    stem = re.sub(r"[^\w]+", "-", text.lower()).strip("-_")
    return stem[:60] or "imported"


def _free_folder(root: Path, stem: str) -> Path:
    candidate, n = root / stem, 2
    while candidate.exists():
        candidate, n = root / f"{stem}-{n}", n + 1
    return candidate


def import_file(
    source: Path,
    dest: Path | None,
    root: Path,
    secrets: SecretStore | None = None,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import ``source`` into ``dest`` (default: a new folder under ``root`` named after the
    file) in a worker process. Raises :class:`ImportFailed` with a message for the user;
    nothing is left at ``dest`` then. ``limits`` default to the settings next to ``root``
    (``root`` is ``<data dir>/collections``)."""
    if limits is None:
        limits = import_limits(root.parent / "settings.ini")
    if dest is None:
        stem = source.name
        for suffix in (".postman_collection.json", ".json", ".yaml", ".yml"):
            stem = stem.removesuffix(suffix)
        root.mkdir(parents=True, exist_ok=True)
        dest = _free_folder(root, _slug(stem.removesuffix(".openapi")))
    return run_import(source, dest, secrets=secrets, limits=limits)


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


def show_import_result(parent: QWidget | None, result: ImportResult) -> QMessageBox:
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
