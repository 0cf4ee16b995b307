"""Ask once before a request uploads local files from outside its collection.

An imported collection (or a pasted curl command) can name any file as a body or a multipart
part: a Postman collection whose body is ``~/.ssh/id_rsa`` would upload the key on Send.
Importing never reads such files; the first send of a request that names files outside its
collection's folder asks, naming every file, and the answer "Send" is remembered for that
request and those files (``settings.ini``, group ``file_consent``). A changed file list asks
again. Files inside the collection's own folder (fixtures kept next to the requests) never ask.

:func:`confirm_file_upload` is awaited at the start of the send path (one line in
:meth:`MainWindow._send`); it returns False when the user declined, and the tab then says why.

Example::

    if not await confirm_file_upload(window, tab, resolver):
        return
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import FileBody, FilePart, MultipartBody, RequestSpec

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab

__all__ = ["confirm_file_upload", "file_references", "files_outside"]

_GROUP = "file_consent"


def file_references(spec: RequestSpec) -> list[str]:
    """The local files ``spec`` would upload, as written (body file, multipart file parts).

    >>> file_references(RequestSpec(url="/", body=FileBody("~/.ssh/id_rsa")))
    ['~/.ssh/id_rsa']
    """
    body = spec.body
    if isinstance(body, FileBody):
        return [body.path] if body.path else []
    if isinstance(body, MultipartBody):
        return [p.path for p in body.parts if isinstance(p, FilePart) and p.path]
    return []


def files_outside(paths: list[str], root: Path | None) -> list[str]:
    """The ``paths`` that do not lie inside ``root`` (all of them without a root).

    >>> files_outside(["/c/data.bin", "/etc/passwd"], Path("/c"))
    ['/etc/passwd']
    """
    if root is None:
        return list(paths)
    base = Path(os.path.realpath(root))
    outside = []
    for path in paths:
        full = Path(os.path.realpath(Path(path).expanduser()))
        if not full.is_relative_to(base):
            outside.append(path)
    return outside


def _collection_of(window: MainWindow, tab: RequestTab) -> tuple[Path | None, str | None]:
    """(collection folder, request id) of ``tab`` if the workspace knows them.

    The workspace is optional (``create_window`` attaches it only with ``workspace=True``).
    """
    workspace = window.workspace
    found = workspace.location(tab) if workspace is not None else None
    if found is None:
        return None, None
    root, rel = found
    return Path(root), str(rel)


def _key(request: str, files: list[str]) -> str:
    text = "\n".join([request, *sorted(files)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _settings(window: MainWindow) -> QSettings | None:
    data_dir = window.data_dir
    if data_dir is None:
        return None
    return QSettings(str(Path(data_dir) / "settings.ini"), QSettings.Format.IniFormat)


async def confirm_file_upload(
    window: MainWindow,
    tab: RequestTab,
    resolver: Callable[[RequestSpec], RequestSpec] | None = None,
) -> bool:
    """True if ``tab``'s request may be sent: it uploads no file from outside its collection,
    the user allowed these files for this request before, or allows them now. ``resolver``
    fills in ``{{variables}}`` (file paths may hold some: the files really sent are named)."""
    spec = tab.editor.spec_to_send()
    if resolver is not None:
        try:
            spec = resolver(spec)
        except InvalidRequest:
            return True  # the send itself reports the problem; nothing is uploaded
    root, rel = _collection_of(window, tab)
    outside = files_outside(file_references(spec), root)
    if not outside:
        return True
    request = f"{root}/{rel}" if rel is not None else f"{spec.method} {spec.url}"
    key = f"{_GROUP}/{_key(request, outside)}"
    remembered: set[str] = getattr(tab, "_file_consents", set())
    settings = _settings(window)
    if key in remembered or (settings is not None and settings.value(key)):
        return True
    if not await _ask(window, outside):
        tab.fail_before_send(
            "Not sent: uploading " + ", ".join(outside) + " was not allowed.", "body"
        )
        return False
    remembered.add(key)
    tab._file_consents = remembered  # type: ignore[attr-defined]  # per tab, for unsaved tabs
    if settings is not None:
        settings.setValue(key, "\n".join(outside))
        settings.sync()
    return True


async def _ask(window: MainWindow, files: list[str]) -> bool:
    box = QMessageBox(window)
    box.setObjectName("fileUploadConsent")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Upload local files?")
    box.setText("This request uploads files from your computer:")
    box.setInformativeText(
        "\n".join(f"• {path}" for path in files)
        + "\n\nThey are outside the request's collection. Send them? "
        "(You will not be asked again for this request and these files.)"
    )
    send = box.addButton("Send", QMessageBox.ButtonRole.AcceptRole)
    send.setObjectName("fileUploadSend")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)  # Enter must not upload a private key by accident
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_finished(_result: int) -> None:
        if not done.done():
            done.set_result(None)

    box.finished.connect(on_finished)
    box.open()  # not exec(): we are inside a coroutine (qasync #59)
    try:
        await done
    finally:
        box.deleteLater()
    return box.clickedButton() is send
