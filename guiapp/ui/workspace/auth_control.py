"""Auth inheritance in the window: what each tab inherits, and the folder/collection auth dialog.

:class:`AuthInheritance` keeps the auth settings of the open collection's folders in memory
(read on the collection's lane when the collection opens, when its tree or a folder file
changes, and after the dialog saves). Every tab's Auth tab asks it, through the lookup
installed on the tab's :class:`~guiapp.ui.auth_editor.AuthEditor`, what the tab's request
inherits *now*: its file's folder chain, so a changed folder auth or a moved request is picked
up at the next send without reopening anything. :class:`AuthSettingsDialog` edits the auth of
a folder or of the collection (tree context menu → "Auth…", or the Auth tab's "Edit…" button).

Example::

    auth = AuthInheritance(controller)          # the workspace controller creates one
    auth.edit("users")                          # the dialog for folder "users" ("" = collection)
    auth.parent_auth_for(tab)                   # ParentAuth(BearerAuth(...), "folder", "Users")
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from guiapp.core.auth_inherit import AuthSetting, ParentAuth, parent_auth_of
from guiapp.core.collections import Changes, Collection
from guiapp.core.errors import InvalidRequest
from guiapp.core.request import RequestSpec
from guiapp.offload.qt import async_slot
from guiapp.ui.auth_editor import AuthEditor
from guiapp.ui.qt_helpers import named

if TYPE_CHECKING:
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.workspace.controller import WorkspaceController

__all__ = ["AuthInheritance", "AuthSettingsDialog"]

_log = logging.getLogger(__name__)
Settings = dict[str, tuple[str, AuthSetting]]
_META_FILES = ("collection.toml", "_folder.toml")


class AuthSettingsDialog(QDialog):
    """The auth of one folder (inherit, none or its own) or of the collection (none or its
    own): the request Auth tab's editor, without "inherit" for the collection."""

    def __init__(
        self,
        title: str,
        setting: AuthSetting,
        *,
        is_collection: bool,
        parent_auth: ParentAuth | None = None,
        secret_note: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("authSettingsDialog")
        self.setWindowTitle(f"Auth — {title}")
        self.editor = AuthEditor()
        self.editor.set_parent_editable(False)  # this dialog is where the parent is edited
        if is_collection:
            self.editor.kind_combo.removeItem(self.editor.kind_combo.findData("inherit"))
        else:
            self.editor.set_parent_lookup(lambda: parent_auth)
        self.editor.load_auth(setting.auth, inherit=setting.inherit and not is_collection)
        hint = QLabel(
            f"Requests in {title} whose Auth is “Inherit from parent” use this. Passwords and "
            "tokens are kept in the system keyring, not in the collection's files (a value "
            "made only of {{variables}} stays in the file)."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        if secret_note:
            layout.addWidget(named(QLabel(secret_note, wordWrap=True), "authSecretNote"))
        layout.addWidget(self.editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 300)

    def setting(self) -> AuthSetting:
        """The setting as edited."""
        if self.editor.inherits_auth():
            return AuthSetting()
        return AuthSetting(self.editor.to_auth(), inherit=False)


class AuthInheritance(QObject):
    """The open collection's folder auth settings, and every tab's inherited auth."""

    #: The settings were read again (after a change on disk or a save from the dialog).
    settingsChanged = Signal()
    #: A save from the dialog failed: (message).
    saveFailed = Signal(str)

    def __init__(self, controller: WorkspaceController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.window = controller.window
        self.settings: Settings = {}
        self._settings_of: Collection | None = None
        # Settings of the other open collections (by folder): a tab keeps inheriting from its
        # own collection while another one is shown in the sidebar.
        self._others: dict[str, tuple[Collection, Settings]] = {}
        self._reading: set[str] = set()
        #: Why the settings of the open collection are not known (empty once they are read).
        self.problem = ""
        #: The Auth settings dialog opened last, or None: public, for scripts and tests that
        #: fill it in (docs/workspace-ui.md, "Driving the dialogs").
        self.dialog: AuthSettingsDialog | None = None
        self._refresh_timer = QTimer(self, singleShot=True, interval=0)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        model = controller.model
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
            signal.connect(self._on_model_changed)
        controller.watcher.changed.connect(self._on_watcher_changed)
        self.window.tabs.currentChanged.connect(self._on_tabs_current_changed)
        panel_signal = getattr(controller.panel, "authRequested", None)
        if panel_signal is not None:
            panel_signal.connect(self.edit)
        self.install_all()

    # -- what a tab inherits ---------------------------------------------------------------------
    def install_all(self) -> None:
        """Give every open tab its lookup (tabs become current when opened, see below)."""
        for tab in self.window.request_tabs():
            self._install(tab)

    def _install(self, tab: RequestTab) -> None:
        auth = tab.editor.auth
        if auth.lookup_owner is self:
            auth.refresh_inherited()
            return
        ref = weakref.ref(tab)  # no reference cycle through the lookup
        auth.set_parent_lookup(lambda: self._lookup(ref), owner=self)
        auth.parentEditRequested.connect(lambda: self._on_auth_edit_requested(ref))

    def _lookup(self, ref: weakref.ref[Any]) -> ParentAuth | None:
        tab = ref()
        return None if tab is None else self.parent_auth_for(tab)

    def request_id(self, tab: RequestTab) -> str | None:
        """The collection request ``tab`` shows (None: a scratch tab)."""
        rid = self.controller.drafts.request_id(tab)
        return rid if isinstance(rid, str) else None

    def parent_auth_for(self, tab: RequestTab) -> ParentAuth | None:
        """What ``tab``'s request inherits now, from *its own* collection (whichever is shown);
        None for a tab outside any collection."""
        rid = self.request_id(tab)
        col = self.controller.drafts.collection_of(tab)
        if rid is None or col is None:
            return None
        if col is self.controller.service.collection:
            if self._settings_of is not col:
                problem = self.problem or "The collection's auth settings are still being read."
                return ParentAuth(None, problem=problem)
            return parent_auth_of(rid, self.settings)
        known = self._others.get(str(col.root))
        if known is None or known[0] is not col:
            self._read_other(col)
            return ParentAuth(None, problem="The collection's auth settings are still being read.")
        return parent_auth_of(rid, known[1])

    @async_slot
    async def _read_other(self, col: Collection) -> None:
        key = str(col.root)
        if key in self._reading:
            return
        self._reading.add(key)
        try:
            settings = await self.controller.service.call(Collection.auth_settings, col)
        except Exception as exc:
            _log.warning("reading the auth settings of %s failed: %s", col.name, exc)
            return
        finally:
            self._reading.discard(key)
        self._others[key] = (col, settings)
        self.install_all()

    def check(self, spec: RequestSpec) -> RequestSpec:
        """``spec``, if its auth is settled: a request still inheriting here (its parent's auth
        could not be read) is refused with the reason, never sent without auth."""
        if spec.inherit_auth and self.controller.service.collection is not None:
            problem = self.problem or "The collection's auth settings are still being read."
            raise InvalidRequest(
                f"Not sent: this request inherits its auth, which is not known. {problem}",
                field="auth",
            )
        return spec

    # -- keeping the settings fresh --------------------------------------------------------------
    def schedule_refresh(self) -> None:
        """Read the settings again soon (coalesces bursts of tree changes)."""
        self._refresh_timer.start()

    def _on_refresh_timer_timeout(self) -> None:
        # The model also changes while the window closes, after the event loop stopped: there
        # is nothing left to refresh then (and no loop to run the lane's answer).
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self.refresh()

    @async_slot
    async def refresh(self) -> None:
        """Read every folder's auth setting on the lane, then update the tabs."""
        col = self.controller.service.collection
        if col is None:
            self.settings, self._settings_of = {}, None
            return
        try:
            settings = await self.controller.service.call(Collection.auth_settings, col)
        except Exception as exc:  # a hand-edited file with a bad [auth] table
            _log.warning("reading the auth settings failed: %s", exc)
            if col is self.controller.service.collection:
                self.problem = f"Could not read the collection's auth: {exc}"
                self.settings, self._settings_of = {}, None
                self.window.show_message(self.problem, "error")
                self.install_all()
            return
        if col is not self.controller.service.collection:
            return  # another collection was opened meanwhile
        self.settings, self._settings_of, self.problem = settings, col, ""
        self._others[str(col.root)] = (col, settings)
        self.install_all()
        self.settingsChanged.emit()

    def _on_model_changed(self, *_args: object) -> None:
        self.schedule_refresh()

    def _on_watcher_changed(self, changes: Changes) -> None:
        touched = (*changes.added, *changes.removed, *changes.modified)
        if any(rel.rsplit("/", 1)[-1] in _META_FILES for rel in touched):
            self.schedule_refresh()

    def _on_tabs_current_changed(self, _index: int) -> None:
        # Every new tab is made current when it opens: it gets its lookup right away, and its
        # description once the workspace has bound it to its file (right after it opened).
        self.install_all()
        QTimer.singleShot(0, self, self.install_all)

    # -- the dialog --------------------------------------------------------------------------------
    def _on_auth_edit_requested(self, ref: weakref.ref[Any]) -> None:
        tab = ref()
        rid = self.request_id(tab) if tab is not None else None
        parent = self.parent_auth_for(tab) if tab is not None else None
        if rid is None:
            self.window.show_message(
                "This request is not in a collection: save it to one to inherit an auth.", "error"
            )
            return
        # Edit where the auth comes from; with nothing set yet, the request's own folder.
        folder = rid.rsplit("/", 1)[0] if "/" in rid else ""
        if parent is not None and parent.kind:
            folder = self._source_folder(rid)
        self.edit(folder)

    def _source_folder(self, rid: str) -> str:
        """The nearest folder above ``rid`` with its own setting (``""``: the collection)."""
        parts = rid.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            folder = "/".join(parts[:depth])
            if not self.settings.get(folder, ("", AuthSetting()))[1].inherit:
                return folder
        return ""

    def edit(self, folder: str) -> None:
        """Open the auth dialog of ``folder`` (``""``: the collection); saving writes it."""
        col = self.controller.service.collection
        if col is None:
            self.window.show_message("Open or create a collection first.", "error")
            return
        self._edit(col, folder)

    @async_slot
    async def _edit(self, col: Collection, folder: str) -> None:
        try:
            setting = await self.controller.service.call(lambda c: c.load_auth(folder), col)
        except Exception as exc:
            message = f"Could not read the auth of {folder or col.name}: {exc}"
            self.window.show_message(message, "error")
            return
        is_collection = folder == ""
        name = self.settings.get(folder, (folder.rsplit("/", 1)[-1], setting))[0]
        title = f"collection {col.name}" if is_collection else f"folder {name}"
        secrets = self.controller.service.secrets
        dialog = AuthSettingsDialog(
            title,
            setting,
            is_collection=is_collection,
            parent_auth=None if is_collection else parent_auth_of(folder, self.settings),
            secret_note=None if secrets.available else secrets.unavailable_reason,
            parent=self.window,
        )
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._save(col, folder, dialog.setting(), title))
        dialog.open()  # never exec() inside a coroutine

    @async_slot
    async def _save(self, col: Collection, folder: str, setting: AuthSetting, title: str) -> None:
        try:
            await self.controller.service.call(lambda c: c.save_auth(folder, setting), col)
        except Exception as exc:
            message = f"Could not save the auth of {title}: {exc}"
            self.window.show_message(message, "error")
            self.saveFailed.emit(message)
            return
        await self.refresh()
        self.window.show_message(f"Saved the auth of {title}", "ok")
