"""The active environment and the collection's variables: switching, editing, ``{{name}}``
resolution and the URL check.

Requests see the collection's own variables overridden by the active environment's
(:class:`~guiapp.core.variables.VariableScope`); sending, the unresolved-variable check, the
URL field's marker and "Export … fill in variables" all resolve through :meth:`scope`.

Loading and saving environments touch the collection's files and the OS keyring, so they run
on the collection's lane; :meth:`EnvironmentController.resolve` is pure and runs wherever the
window calls it (the GUI thread, right before sending).

Example::

    envs = EnvironmentController(service, bar, marker, notify=window.show_message)
    await envs.reload("Dev")                   # after a collection was opened
    envs.resolve(spec)                         # RequestSpec with {{…}} filled in, or InvalidRequest
    envs.edit_collection_variables()           # the dialog; saving it is undoable
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.variables import Environment, Variable, VariableScope, find_unresolved, resolve
from guiapp.offload import OffloaderClosed
from guiapp.offload.qt import async_slot
from guiapp.ui.secret_notice import show_secret_notice
from guiapp.ui.variables.lookup import VariableLookup
from guiapp.ui.variables.unresolved import UnresolvedMarker
from guiapp.ui.workspace.collection_variables import (
    CollectionVariablesEditor,
    EditVariablesCommand,
)
from guiapp.ui.workspace.environments import EnvironmentBar, EnvironmentEditor
from guiapp.ui.workspace.service import CollectionService

__all__ = ["EnvironmentController"]

_log = logging.getLogger(__name__)
_REF = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
Notify = Callable[[str, str], object]


class EnvironmentController(QObject):
    """Owns the active :class:`Environment` and the UI that picks and edits it."""

    #: The active environment changed: its name (``""`` for none).
    activeChanged = Signal(str)
    #: What :meth:`scope` returns changed (environment switched or reloaded, variables edited).
    scopeChanged = Signal()

    def __init__(
        self,
        service: CollectionService,
        bar: EnvironmentBar,
        marker: UnresolvedMarker,
        *,
        notify: Notify,
        dialog_parent: QWidget | None = None,
        current_spec: Callable[[], RequestSpec | None] = lambda: None,
        undo_stack: QUndoStack | None = None,
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
        #: The open collection's own variables (secret values included), or None.
        self.collection_variables: Environment | None = None
        #: Where saving the collection variables goes (undoable), if anywhere.
        self.undo_stack = undo_stack
        #: The Collection Variables dialog opened last, or None: public, for scripts and tests
        #: that fill it in (docs/workspace-ui.md, "Driving the dialogs"); deleted once closed.
        self.variables_editor: CollectionVariablesEditor | None = None
        self.secret_note: str | None = None
        #: The environment editor opened last, or None: public, for scripts and tests that fill
        #: it in (docs/workspace-ui.md, "Driving the dialogs"); deleted once closed.
        self.editor: EnvironmentEditor | None = None
        #: The values captured from responses in this session (see :meth:`set_runtime`).
        self.runtime: Environment | None = None
        self._secret_note_shown = False
        self._generation = 0
        self._check_timer = QTimer(self, singleShot=True, interval=120)
        self._check_timer.timeout.connect(self.check_now)
        bar.environmentSelected.connect(self.activate)
        bar.editRequested.connect(self.edit_active)
        bar.newRequested.connect(self.create)
        bar.deleteRequested.connect(self.delete_active)
        bar.collectionVariablesRequested.connect(self.edit_collection_variables)

    # -- resolution ----------------------------------------------------------------------------
    def scope(self) -> VariableScope:
        """The variables requests see: the collection's, overridden by the active environment,
        overridden by the runtime values captured in this session."""
        return VariableScope(self.collection_variables, self.environment, self.runtime)

    def set_runtime(self, runtime: Environment | None) -> None:
        """Use ``runtime`` (captured values, never saved) as the top layer of :meth:`scope`."""
        self.runtime = runtime
        self.scopeChanged.emit()
        self.schedule_check()

    def resolve(self, spec: RequestSpec) -> RequestSpec:
        """``spec`` with ``{{name}}`` filled in from :meth:`scope`.

        Raises :class:`~guiapp.core.errors.InvalidRequest` naming every unresolved variable.
        """
        return resolve(spec, self.scope())

    def schedule_check(self) -> None:
        """Re-check the current request for unresolved variables shortly (debounced)."""
        self._check_timer.start()

    def check_now(self) -> list[str]:
        """Mark the URL field if the current request uses undefined variables; their names."""
        spec = self.current_spec()
        if spec is None:
            self.marker.show_missing([], [])
            self.marker.show_variables([])
            return []
        missing = find_unresolved(spec, self.scope())
        in_url = set(_REF.findall(spec.url)) | {
            name for pair in spec.params for part in pair for name in _REF.findall(part)
        }
        url_names = [n for n in missing if n in in_url]
        self.marker.show_missing(url_names, [n for n in missing if n not in in_url])
        self.marker.show_variables(
            VariableLookup(self.scope()).describe_text(self.marker.edit.text())
        )
        return missing

    # -- switching -----------------------------------------------------------------------------
    async def reload(self, active: str) -> None:
        """List the open collection's environments and activate ``active`` if it exists."""
        if self.secret_note is None:
            store = self.service.secrets
            self.secret_note = await self.service.run(lambda: store.unavailable_reason) or ""
        if self.service.collection is None:
            self.collection_variables = None  # _load below emits scopeChanged
            self.bar.set_environments([], "")
            self.bar.setEnabled(False)
            await self._load("")
            return
        await self.reload_collection_variables(check=False)
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
        self.scopeChanged.emit()
        self.check_now()
        self.activeChanged.emit(env.name if env else "")

    def _warn_secrets_once(self, env: Environment | None) -> None:
        if self._secret_note_shown or not self.secret_note:
            return
        if any(v.secret for e in (env, self.collection_variables) if e for v in e.variables):
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
        show_secret_notice(dialog.note, self.service.secrets)  # persistent, with the choices
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
        try:
            await self.reload(env.name)
        except OffloaderClosed:
            return  # saved; the window closed meanwhile: nothing left to show it in

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

    # -- collection variables ------------------------------------------------------------------
    async def reload_collection_variables(self, *, check: bool = True) -> None:
        """Read the open collection's variables again (after opening it or an external edit)."""
        col = self.service.collection
        if col is None:
            self.collection_variables = None
            return
        try:
            variables = await self.service.call(lambda c: c.load_variables(), col)
        except Exception as exc:
            self.notify(f"Could not read the collection variables: {exc}", "error")
            variables = None
        if col is not self.service.collection:
            return  # another collection was opened meanwhile
        self.collection_variables = variables
        if check:
            self.scopeChanged.emit()
            self._warn_secrets_once(self.environment)
            self.check_now()

    @async_slot
    async def edit_collection_variables(self) -> None:
        """Open the collection variables dialog (values read fresh, secrets included)."""
        col = self.service.collection
        if col is None:
            self.notify("Open or create a collection first.", "error")
            return
        try:
            current = await self.service.call(lambda c: c.load_variables(), col)
        except Exception as exc:
            self.notify(f"Could not read the collection variables: {exc}", "error")
            return
        dialog = CollectionVariablesEditor(
            current, secret_note=self.secret_note or None, parent=self.dialog_parent
        )
        show_secret_notice(dialog.note, self.service.secrets)
        dialog.accepted.connect(lambda: self._on_variables_accepted(current, dialog.variables()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()  # not exec(): see _open_editor
        self.variables_editor = dialog

    def _on_variables_accepted(self, old: Environment, new: tuple[Variable, ...]) -> None:
        if new == old.variables:
            return  # nothing changed: no undo step
        command = EditVariablesCommand(self.apply_collection_variables, old.variables, new)
        if self.undo_stack is not None:
            self.undo_stack.push(command)  # runs redo(): the save
        else:
            command.redo()

    @async_slot
    async def apply_collection_variables(self, variables: tuple[Variable, ...]) -> None:
        """Save ``variables`` as the open collection's (on the lane), then use them."""
        col = self.service.collection
        if col is None:
            return
        try:
            await self.service.call(lambda c: c.save_variables(variables), col)
        except Exception as exc:
            self.notify(f"Could not save the collection variables: {exc}", "error")
        else:
            self.notify(f"Saved the variables of “{col.name}”", "ok")
        await self.reload_collection_variables()
