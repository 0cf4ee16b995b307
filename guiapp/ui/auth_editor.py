"""The Auth tab: inherit from parent, none, Basic, Bearer token or Digest.

"Inherit from parent" uses the auth of the folder or collection holding the request; the tab
says where it comes from (``Inherited from folder Users: Bearer token``), asking a lookup the
workspace installs (:meth:`AuthEditor.set_parent_lookup`) each time, so a changed folder auth
shows (and is sent) at once.

Example::

    editor = AuthEditor()
    editor.load_auth(BasicAuth("ada", "s3cret"))
    editor.to_auth()          # BasicAuth(username='ada', password='***')  (repr masks it)
    editor.load_auth(None, inherit=True)
    editor.inherits_auth(), editor.to_auth()     # (True, None)
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.auth_inherit import ParentAuth
from guiapp.core.request import Auth, BasicAuth, BearerAuth, DigestAuth
from guiapp.ui.qt_helpers import named
from guiapp.ui.secret_reveal import add_reveal_button

__all__ = ["AUTH_KINDS", "AuthEditor", "ParentLookup"]

#: Returns the auth the request inherits now (None: the request is not in a collection).
ParentLookup = Callable[[], ParentAuth | None]

AUTH_KINDS = (
    ("inherit", "Inherit from parent"),
    ("none", "No auth"),
    ("basic", "Basic"),
    ("bearer", "Bearer token"),
    ("digest", "Digest"),
)


class AuthEditor(QWidget):
    """Auth kind combo plus the fields that kind needs (secrets shown as dots, each with an eye
    button that shows the value)."""

    edited = Signal()
    #: The user asked to edit the auth the request inherits ("Edit…" beside the description).
    parentEditRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = named(QComboBox(), "authKindCombo")
        for kind, label in AUTH_KINDS:
            self.kind_combo.addItem(label, kind)
        self.username = named(QLineEdit(placeholderText="User name"), "authUsername")
        self.password = named(QLineEdit(placeholderText="Password"), "authPassword")
        self.token = named(QLineEdit(placeholderText="Token"), "authToken")
        # Dots, and an eye that shows the value (actions authPasswordReveal, authTokenReveal).
        self.password_reveal = add_reveal_button(self.password)
        self.token_reveal = add_reveal_button(self.token)
        self.inherited_label = named(QLabel(), "authInheritedLabel")
        self.inherited_label.setWordWrap(True)
        self.edit_button = named(QPushButton("Edit…"), "authEditParentButton")
        self.edit_button.setToolTip("Edit the auth of the folder or collection it comes from")
        self.edit_button.clicked.connect(self.parentEditRequested)
        self._inherited_row = QWidget()
        row = QHBoxLayout(self._inherited_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.inherited_label, 1)
        row.addWidget(self.edit_button)
        self._lookup: ParentLookup | None = None
        #: Who installed the lookup (lets the workspace install it once per editor).
        self.lookup_owner: object | None = None
        self._parent_editable = True

        self._form = QFormLayout()
        self._form.addRow("Type", self.kind_combo)
        self._form.addRow("", self._inherited_row)
        self._form.addRow("User name", self.username)
        self._form.addRow("Password", self.password)
        self._form.addRow("Token", self.token)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addStretch(1)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        for edit in (self.username, self.password, self.token):
            edit.textChanged.connect(self.edited)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData("none"))
        self._on_kind_changed()

    def kind(self) -> str:
        """``inherit``, ``none``, ``basic``, ``bearer`` or ``digest``."""
        return str(self.kind_combo.currentData())

    def inherits_auth(self) -> bool:
        """True if the request uses the auth of its folder or collection."""
        return self.kind() == "inherit"

    # -- inheritance ---------------------------------------------------------------------------
    def set_parent_lookup(self, lookup: ParentLookup | None, owner: object | None = None) -> None:
        """Where :meth:`parent_auth` asks for the inherited auth (set by the workspace)."""
        self._lookup = lookup
        self.lookup_owner = owner
        self.refresh_inherited()

    def set_parent_editable(self, editable: bool) -> None:
        """Offer "Edit…" for the parent's auth (not in the dialog that edits that very auth)."""
        self._parent_editable = editable
        self.edit_button.setVisible(editable and self.parent_auth() is not None)

    def parent_auth(self) -> ParentAuth | None:
        """The auth inherited now; None when the request belongs to no collection."""
        return self._lookup() if self._lookup is not None else None

    def refresh_inherited(self) -> None:
        """Update the "Inherited from …" line (the parent's auth may have changed)."""
        if not self.inherits_auth():
            return
        parent = self.parent_auth()
        self.edit_button.setVisible(self._parent_editable and parent is not None)
        self.inherited_label.setText(
            parent.describe()
            if parent is not None
            else "Not in a collection: nothing to inherit, the request is sent without auth"
        )

    def showEvent(self, event: QShowEvent) -> None:
        """Refresh the inherited auth's description whenever the tab is shown."""
        super().showEvent(event)
        self.refresh_inherited()

    # -- value ---------------------------------------------------------------------------------
    def to_auth(self) -> Auth | None:
        """The request's own auth as a core value, or ``None`` (no auth, or inherited)."""
        kind = self.kind()
        if kind == "basic":
            return BasicAuth(self.username.text(), self.password.text())
        if kind == "digest":
            return DigestAuth(self.username.text(), self.password.text())
        if kind == "bearer":
            return BearerAuth(self.token.text())  # as typed: a token is opaque
        return None

    def load_auth(self, auth: Auth | None, *, inherit: bool = False) -> None:
        """Show ``auth`` (``None`` selects No auth, or Inherit from parent if ``inherit``)."""
        kind = "inherit" if inherit else "none"
        if isinstance(auth, BasicAuth | DigestAuth):
            kind = "basic" if isinstance(auth, BasicAuth) else "digest"
            self.username.setText(auth.username)
            self.password.setText(auth.password)
        elif isinstance(auth, BearerAuth):
            kind = "bearer"
            self.token.setText(auth.token)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def _on_kind_changed(self) -> None:
        kind = self.kind()
        user_pass = kind in ("basic", "digest")
        self._form.setRowVisible(self.username, user_pass)
        self._form.setRowVisible(self.password, user_pass)
        self._form.setRowVisible(self.token, kind == "bearer")
        self._form.setRowVisible(self._inherited_row, kind == "inherit")
        self.refresh_inherited()
        self.edited.emit()
