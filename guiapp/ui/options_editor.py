"""The Options tab: timeouts, redirects, TLS verification, CA bundle, proxy and body cap.

Example::

    editor = OptionsEditor()
    editor.load_options(RequestSpec(url="http://h/", timeout=(3.0, 20.0), verify="/ca.pem"))
    editor.options()   # {"timeout": (3.0, 20.0), "verify": "/ca.pem", ...}: RequestSpec fields
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import RequestSpec
from guiapp.ui.qt_helpers import named

__all__ = ["OptionsEditor"]

_MB = 1024 * 1024


def _seconds(value: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox(decimals=1, minimum=0.1, maximum=3600.0, suffix=" s", value=value)
    box.setSingleStep(1.0)
    return box


class OptionsEditor(QWidget):
    """Transport options of one request; :meth:`options` returns RequestSpec keyword args."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connect_timeout = _seconds(30.0)
        self.connect_timeout.setObjectName("connectTimeout")
        self.read_timeout = _seconds(30.0)
        self.read_timeout.setObjectName("readTimeout")
        self.follow_redirects = named(QCheckBox("Follow redirects"), "followRedirects")
        self.max_redirects = named(QSpinBox(minimum=0, maximum=100, value=30), "maxRedirects")
        self.verify_tls = named(QCheckBox("Verify TLS certificates"), "verifyTls")
        self.ca_bundle = named(QLineEdit(), "caBundle")
        self.ca_bundle.setPlaceholderText("Default CA bundle (path to a PEM file to override)")
        self.proxy = named(QLineEdit(placeholderText="http://proxy:3128"), "proxyEdit")
        self.max_body = named(QSpinBox(minimum=0, maximum=100_000, value=0), "maxBodyMb")
        self.max_body.setSuffix(" MB")
        self.max_body.setSpecialValueText("No limit")

        form = QFormLayout()
        form.addRow("Connect timeout", self.connect_timeout)
        form.addRow("Read timeout", self.read_timeout)
        form.addRow("", self.follow_redirects)
        form.addRow("Max redirects", self.max_redirects)
        form.addRow("", self.verify_tls)
        form.addRow("CA bundle", self.ca_bundle)
        form.addRow("Proxy", self.proxy)
        form.addRow("Max response body", self.max_body)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

        self.follow_redirects.toggled.connect(self.max_redirects.setEnabled)
        self.verify_tls.toggled.connect(self.ca_bundle.setEnabled)
        for box in (self.connect_timeout, self.read_timeout):
            box.valueChanged.connect(self.edited)
        self.max_redirects.valueChanged.connect(self.edited)
        self.max_body.valueChanged.connect(self.edited)
        for check in (self.follow_redirects, self.verify_tls):
            check.toggled.connect(self.edited)
        for edit in (self.ca_bundle, self.proxy):
            edit.textChanged.connect(self.edited)
        self.load_options(RequestSpec(url=""))

    def options(self) -> dict[str, Any]:
        """The options as :class:`RequestSpec` keyword arguments."""
        connect, read = self.connect_timeout.value(), self.read_timeout.value()
        verify: bool | str = self.verify_tls.isChecked()
        if verify and self.ca_bundle.text().strip():
            verify = self.ca_bundle.text().strip()
        return {
            "timeout": connect if connect == read else (connect, read),
            "follow_redirects": self.follow_redirects.isChecked(),
            "max_redirects": self.max_redirects.value(),
            "verify": verify,
            "proxy": self.proxy.text().strip() or None,
            "max_body_bytes": self.max_body.value() * _MB or None,
        }

    def load_options(self, spec: RequestSpec) -> None:
        """Show the options of ``spec``."""
        self.connect_timeout.setValue(spec.connect_timeout)
        self.read_timeout.setValue(spec.read_timeout)
        self.follow_redirects.setChecked(spec.follow_redirects)
        self.max_redirects.setValue(spec.max_redirects)
        self.max_redirects.setEnabled(spec.follow_redirects)
        self.verify_tls.setChecked(spec.verify is not False)
        self.ca_bundle.setText(spec.verify if isinstance(spec.verify, str) else "")
        self.ca_bundle.setEnabled(spec.verify is not False)
        self.proxy.setText(spec.proxy or "")
        body_mb = -(-spec.max_body_bytes // _MB) if spec.max_body_bytes else 0
        self.max_body.setValue(body_mb)
