"""The active environment: switching, editing, ``{{name}}`` resolution and the URL check.

Loading and saving environments touch the collection's files and the OS keyring, so they run
on the collection's lane; :meth:`EnvironmentController.resolve` is pure and runs wherever the
window calls it (the GUI thread, right before sending).

Example::

    envs = EnvironmentController(service, bar, marker, notify=window.show_message)
    await envs.reload("Dev")                   # after a collection was opened
    envs.resolve(spec)                         # RequestSpec with {{…}} filled in, or InvalidRequest
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.variables import Environment, find_unresolved, resolve
from guiapp.offload.qt import async_slot
from guiapp.ui.workspace.environments import EnvironmentBar, EnvironmentEditor
from guiapp.ui.workspace.service import CollectionService
from guiapp.ui.workspace.unresolved import UnresolvedMarker

__all__ = ["EnvironmentController"]

_log = logging.getLogger(__name__)
_REF = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
Notify = Callable[[str, str], object]


class EnvironmentController(QObject):
    """Owns the active :class:`Environment` and the UI that picks and edits it."""

    #: The active environment changed: its name (``""`` for none).
    activeChanged = Signal(str)

    def __init__(
        self,
        service: CollectionService,
        bar: EnvironmentBar,
        marker: UnresolvedMarker,
        *,
        notify: Notify,
        dialog_parent: QWidget | None = None,
        current_spec: Callable[[], RequestSpec | None] = lambda: None,
    ) -> None:
        super().__init__(bar)
        self.service = service
        self.bar = bar
        self.marker = marker
        self.notify = notify
        self.dialog_parent = dialog_parent
        self.current_spec = current_spec
        #: The active environment with its secret values, or None.
        self.environment: Environment | None = None
        self.secret_note: str | None = None
        #: The editor dialog opened last (tests drive it).
        self.editor: EnvironmentEditor | None = None
        self._secret_note_shown = False
        self._generation = 0
        self._check_timer = QTimer(self, singleShot=True, interval=120)
        self._check_timer.timeout.connect(self.check_now)
        bar.environmentSelected.connect(self.activate)
        bar.editRequested.connect(self.edit_active)
        bar.newRequested.connect(self.create)
        bar.deleteRequested.connect(self.delete_active)

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, spec: RequestSpec) -> RequestSpec:
        """``spec`` with ``{{name}}`` filled in from the active environment.

        Raises :class:`~guiapp.core.errors.InvalidRequest` naming every unresolved variable.
        """
        return resolve(spec, self.environment)

    def schedule_check(self) -> None:
        """Re-check the current request for unresolved variables shortly (debounced)."""
        self._check_timer.start()

    def check_now(self) -> list[str]:
        """Mark the URL field if the current request uses undefined variables; their names."""
        spec = self.current_spec()
        if spec is None:
            self.marker.show_missing([], [])
            return []
        missing = find_unresolved(spec, self.environment)
        in_url = set(_REF.findall(spec.url)) | {
            name for pair in spec.params for part in pair for name in _REF.findall(part)
        }
        url_names = [n for n in missing if n in in_url]
        self.marker.show_missing(url_names, [n for n in missing if n not in in_url])
        return missing

    # -- switching -----------------------------------------------------------------------------
    async def reload(self, active: str) -> None:
        """List the open collection's environments and activate ``active`` if it exists."""
        if self.secret_note is None:
            store = self.service.secrets
            self.secret_note = await self.service.run(lambda: store.unavailable_reason) or ""
        if self.service.collection is None:
            self.bar.set_environments([], "")
            self.bar.setEnabled(False)
            await self._load("")
            return
        names = await self.service.call(lambda col: col.environment_names())
        active = active if active in names else ""
        self.bar.set_environments(names, active)
        self.bar.setEnabled(True)
        await self._load(active)

    @async_slot(cancel_previous=True)
    async def activate(self, name: str) -> None:
        """Make ``name`` the active environment (``""``: none)."""
        await self._load(name)

    async def _load(self, name: str) -> None:
        self._generation += 1
        generation = self._generation
        env = None
        if name:
            try:
                env = await self.service.call(lambda col: col.load_environment(name))
            except Exception as exc:
                self.notify(f"Could not load environment “{name}”: {exc}", "error")
        if generation != self._generation:
            return  # a newer switch won
        self.environment = env
        self._warn_secrets_once(env)
        self.check_now()
        self.activeChanged.emit(env.name if env else "")

    def _warn_secrets_once(self, env: Environment | None) -> None:
        if self._secret_note_shown or not self.secret_note:
            return
        if env is not None and any(v.secret for v in env.variables):
            self._secret_note_shown = True
            self.notify(self.secret_note, "error")

    # -- editing -------------------------------------------------------------------------------
    @async_slot
    async def edit_active(self) -> None:
        """Open the editor on the active environment (values loaded fresh, secrets included)."""
        name = self.bar.active()
        if not name:
            return
        env = await self.service.call(lambda col: col.load_environment(name))
        self._open_editor(env)

    def create(self) -> None:
        """Open the editor on a new, empty environment."""
        if self.service.collection is None:
            self.notify("Open or create a collection first.", "error")
            return
        self._open_editor(None)

    def _open_editor(self, env: Environment | None) -> EnvironmentEditor:
        names = [self.bar.combo.itemData(i) for i in range(1, self.bar.combo.count())]
        dialog = EnvironmentEditor(
            env, secret_note=self.secret_note or None, taken_names=names, parent=self.dialog_parent
        )
        dialog.accepted.connect(lambda: self.save(dialog.environment(), dialog.original_name()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # not exec(): this may run inside a coroutine (qasync #59)
        self.editor = dialog
        return dialog

    @async_slot
    async def save(self, env: Environment, original: str = "") -> None:
        """Save ``env`` (replacing ``original`` if it was renamed) and make it active."""

        def write(col: Collection) -> None:
            col.save_environment(env)
            if original and original != env.name:
                col.delete_environment(original)

        try:
            await self.service.call(write)
        except Exception as exc:
            self.notify(f"Could not save environment “{env.name}”: {exc}", "error")
            return
        self.notify(f"Saved environment “{env.name}”", "ok")
        await self.reload(env.name)

    def delete_active(self) -> QMessageBox | None:
        """Ask, then delete the active environment and its secret values."""
        name = self.bar.active()
        if not name:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete environment",
            f"Delete the environment “{name}” and its secret values?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.dialog_parent,
        )
        box.setObjectName("confirmDeleteEnvironment")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("Delete")
        yes.clicked.connect(lambda: self._delete(name))
        box.open()  # not exec(): see _open_editor
        return box

    @async_slot
    async def _delete(self, name: str) -> None:
        try:
            await self.service.call(lambda col: col.delete_environment(name))
        except Exception as exc:
            self.notify(f"Could not delete environment “{name}”: {exc}", "error")
            return
        self.notify(f"Deleted environment “{name}”", "ok")
        await self.reload("")
