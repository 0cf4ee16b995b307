"""Cookies for the window: one shared session, kept between runs, managed in a dialog.

Every send of the window goes through ``services.http_session`` (the application context's
``send``), so cookies that servers set are sent back to them and connections are reused.
:func:`install_cookies` restores the jar saved in ``cookies.json`` in the data directory,
saves it when it changed (on the background lane, a moment after an exchange, and once more
when the window closes), and adds View → Cookies… (Ctrl+Shift+K) opening
:class:`~guiapp.ui.cookies_dialog.CookiesDialog`.

A cookie file that cannot be read is set aside, renamed ``cookies.json.corrupt-YYYYmmdd-HHMMSS``
(never over an earlier one), so that nothing the user had is overwritten; the status line says
so.

Example::

    keeper = install_cookies(window, data_dir / "cookies.json")
    keeper.open_dialog()
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from guiapp.core.cookies import (
    CookieFileError,
    StoredCookie,
    list_cookies,
    load_cookies,
    save_cookies,
)
from guiapp.core.private_files import set_aside
from guiapp.offload import Job
from guiapp.ui.context import StatusSink
from guiapp.ui.cookies_dialog import CookiesDialog
from guiapp.ui.services import Services

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["COOKIE_FILE", "CookieKeeper", "install_cookies"]

#: The cookie jar's file in the data directory (JSON, mode 0600).
COOKIE_FILE = "cookies.json"
_SAVE_DELAY_MS = 500  # a burst of responses is saved once

_log = logging.getLogger(__name__)


class CookieKeeper(QObject):
    """Owns the window's cookie persistence and its Cookies dialog."""

    def __init__(
        self, services: Services, path: Path | None, *, status: StatusSink, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._status = status
        self._parent = parent
        self.path = path
        self.session = services.http_session
        self.jar = self.session.cookies
        self.dialog: CookiesDialog | None = None
        #: The jar as last written (or read): a save is due only when the jar differs from it.
        self._on_disk: list[StoredCookie] | None = []
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_in_background)
        self.restore()

    # -- persistence ----------------------------------------------------------------------------
    def restore(self) -> int:
        """Load the saved cookies into the jar; return how many (0 when there is no file)."""
        if self.path is None:
            return 0
        try:
            saved = load_cookies(self.path)
        except CookieFileError as exc:
            kept = self._set_aside()
            where = f"; the file was kept as {kept.name}" if kept else ""
            self._status.show_message(f"Saved cookies not restored: {exc}{where}", "error")
            return 0
        for cookie in saved:
            self.jar.set_cookie(cookie)
        self._on_disk = list_cookies(self.jar)
        return len(saved)

    def _set_aside(self) -> Path | None:
        assert self.path is not None
        try:
            # A timestamped name, never an existing one: a second unreadable file must not
            # overwrite the first one set aside.
            target = set_aside(self.path)
        except OSError:
            _log.exception("could not set the unreadable cookie file aside")
            self.path = None  # never overwrite what could not be read
            return None
        return target

    def changed(self) -> None:
        """The jar may have changed (a response arrived, the dialog removed cookies)."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.refresh()
        self._save_timer.start()

    def _unsaved(self) -> list[StoredCookie] | None:
        """The jar's cookies if they differ from the file's (a few µs: jars are small)."""
        if self.path is None:
            return None
        now = list_cookies(self.jar)
        return None if now == self._on_disk else now

    def _save_in_background(self) -> None:
        cookies = self._unsaved()
        if cookies is None or self.path is None or self._services.closed:
            return
        try:
            job = self._services.lane.submit(save_cookies, self.jar, self.path)
        except RuntimeError:  # no running event loop (a test driving Qt alone): save here
            self.save_now()
            return
        self._on_disk = cookies
        job.add_done_callback(self._saved)

    def _saved(self, job: Job[int]) -> None:
        if job.cancelled():
            return
        error = job.exception()
        if error is not None:
            self._on_disk = None  # unknown: the next change saves again
            self._status.show_message(f"Cookies could not be saved: {error}", "error")

    def save_now(self) -> None:
        """Save on the calling thread if the jar changed (the window is closing: the lane is
        about to stop)."""
        self._save_timer.stop()
        cookies = self._unsaved()
        if cookies is None:
            return
        assert self.path is not None
        try:
            save_cookies(self.jar, self.path)
        except OSError:
            _log.exception("saving cookies at exit failed")
            return
        self._on_disk = cookies

    # -- the dialog -----------------------------------------------------------------------------
    def open_dialog(self) -> CookiesDialog:
        """Show the Cookies dialog (one per window, refreshed each time it is opened)."""
        if self.dialog is None:
            self.dialog = CookiesDialog(self.jar, self._parent)
            self.dialog.changed.connect(self.changed)
        self.dialog.refresh()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog


def install_cookies(window: MainWindow, path: Path | None) -> CookieKeeper:
    """Keep the cookies of ``window``'s shared session at ``path`` (None: for this run only);
    add View → Cookies…. Returns the keeper (``window.cookies``)."""
    keeper = CookieKeeper(window.services, path, status=window, parent=window)
    window.exchangeFinished.connect(lambda _spec, _outcome: keeper.changed())
    window.aboutToSave.connect(keeper.save_now)
    action = QAction("Cookies…", window)
    action.setObjectName("action-cookies")
    action.setShortcut("Ctrl+Shift+K")
    action.setToolTip("The cookies servers have set: see, remove, undo")
    action.triggered.connect(lambda _=False: keeper.open_dialog())
    window.add_view_action(action)
    window.cookies = keeper
    return keeper
