"""The Auth tab: none, Basic, Bearer token or Digest, round-tripping a core ``Auth``.

Example::

    editor = AuthEditor()
    editor.load_auth(BasicAuth("ada", "s3cret"))
    editor.to_auth()          # BasicAuth(username='ada', password='***')  (repr masks it)
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from guiapp.core.request import Auth, BasicAuth, BearerAuth, DigestAuth
from guiapp.ui.qt_helpers import named

__all__ = ["AUTH_KINDS", "AuthEditor"]

AUTH_KINDS = (
    ("none", "No auth"),
    ("basic", "Basic"),
    ("bearer", "Bearer token"),
    ("digest", "Digest"),
)


class AuthEditor(QWidget):
    """Auth kind combo plus the fields that kind needs (secrets shown as dots)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = named(QComboBox(), "authKindCombo")
        for kind, label in AUTH_KINDS:
            self.kind_combo.addItem(label, kind)
        self.username = named(QLineEdit(placeholderText="User name"), "authUsername")
        self.password = named(QLineEdit(placeholderText="Password"), "authPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.token = named(QLineEdit(placeholderText="Token"), "authToken")
        self.token.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)

        self._form = QFormLayout()
        self._form.addRow("Type", self.kind_combo)
        self._form.addRow("User name", self.username)
        self._form.addRow("Password", self.password)
        self._form.addRow("Token", self.token)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addStretch(1)

        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        for edit in (self.username, self.password, self.token):
            edit.textChanged.connect(self.edited)
        self._on_kind_changed()

    def kind(self) -> str:
        """``none``, ``basic``, ``bearer`` or ``digest``."""
        return str(self.kind_combo.currentData())

    def to_auth(self) -> Auth | None:
        """The auth as a core value, or ``None``."""
        kind = self.kind()
        if kind == "basic":
            return BasicAuth(self.username.text(), self.password.text())
        if kind == "digest":
            return DigestAuth(self.username.text(), self.password.text())
        if kind == "bearer":
            return BearerAuth(self.token.text())  # as typed: a token is opaque
        return None

    def load_auth(self, auth: Auth | None) -> None:
        """Show ``auth`` (``None`` selects No auth)."""
        kind = "none"
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
        self.edited.emit()
