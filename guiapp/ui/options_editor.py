"""The Options tab: timeouts and deadlines, redirects, TLS verification, CA bundle, client
certificate, proxy (and whether the system proxy applies) and the response body limits.

Every :class:`RequestSpec` option round-trips exactly: timeouts keep their precision and their
form (one value or a ``(connect, read)`` pair) until edited, and the body cap is in bytes (shown
in the largest unit that divides it). An empty text field means "not set".

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
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from guiapp.core.request import (
    DEFAULT_HEADERS_TIMEOUT,
    DEFAULT_MAX_DECOMPRESSION_RATIO,
    DEFAULT_TOTAL_TIMEOUT,
    RequestSpec,
    Timeout,
)
from guiapp.ui.exact_inputs import ByteSizeEdit, OptionalNumber, SecondsBox
from guiapp.ui.qt_helpers import named

__all__ = ["OptionsEditor"]


class OptionsEditor(QWidget):
    """Transport options of one request; :meth:`options` returns RequestSpec keyword args."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connect_timeout = named(SecondsBox(30.0), "connectTimeout")
        self.connect_timeout.setToolTip("Seconds allowed to connect to the server")
        self.read_timeout = named(SecondsBox(30.0), "readTimeout")
        self.read_timeout.setToolTip("Seconds allowed between two reads once connected")
        self.total_timeout = OptionalNumber(DEFAULT_TOTAL_TIMEOUT, " s", "totalTimeout")
        self.total_timeout.setToolTip(
            "Seconds allowed for the whole exchange, redirects and body included, however "
            "slowly the server keeps sending (untick for an endless stream)"
        )
        self.headers_timeout = OptionalNumber(DEFAULT_HEADERS_TIMEOUT, " s", "headersTimeout")
        self.headers_timeout.setToolTip("Seconds allowed until the response headers are complete")
        self.follow_redirects = named(QCheckBox("Follow redirects"), "followRedirects")
        self.max_redirects = named(QSpinBox(minimum=0, maximum=100, value=30), "maxRedirects")
        self.verify_tls = named(QCheckBox("Verify TLS certificates"), "verifyTls")
        self.ca_bundle = named(QLineEdit(), "caBundle")
        self.ca_bundle.setPlaceholderText("Default CA bundle (path to a PEM file to override)")
        self.client_cert = named(QLineEdit(), "clientCert")
        self.client_cert.setPlaceholderText("None (path to a PEM client certificate)")
        self.client_key = named(QLineEdit(), "clientKey")
        self.client_key.setPlaceholderText("In the certificate file (or path to its key)")
        self.proxy = named(QLineEdit(placeholderText="http://proxy:3128"), "proxyEdit")
        self.use_system_proxy = named(QCheckBox("Use system proxy"), "useSystemProxy")
        self.use_system_proxy.setToolTip(
            "Without a proxy above, go through HTTP_PROXY/HTTPS_PROXY (minus NO_PROXY) like "
            "curl; loopback addresses always connect directly"
        )
        # "maxBodyMb" kept as the row's name (docs/ui.md contract); the cap is now exact.
        self.max_body = named(ByteSizeEdit(), "maxBodyMb")
        self.max_ratio = OptionalNumber(
            DEFAULT_MAX_DECOMPRESSION_RATIO, " ×", "maxDecompressionRatio"
        )
        self.max_ratio.setToolTip(
            "Stop a gzip/deflate body that decompresses to more than this many times the bytes "
            "received (judged past 16 MiB)"
        )
        self.stream = named(QCheckBox("Stream the response as it arrives"), "streamResponse")
        self.stream.setToolTip(
            "Show any body line by line in the Stream tab as it arrives (event streams and "
            "NDJSON are always streamed). Streams have no read timeout."
        )
        self.stream_idle = named(QCheckBox("Stop a stream idle for"), "streamIdleLimit")
        self.stream_idle_seconds = named(SecondsBox(60.0), "streamIdleTimeout")
        self.stream_idle_seconds.setToolTip("Seconds without a byte after which a stream ends")
        self._timeout: tuple[Timeout, float, float] = (30.0, 30.0, 30.0)

        form = QFormLayout()
        # Numbers keep their natural width; paths and the proxy URL take the rest.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Connect timeout", self.connect_timeout)
        form.addRow("Read timeout", self.read_timeout)
        form.addRow("Total deadline", self.total_timeout)
        form.addRow("Headers deadline", self.headers_timeout)
        form.addRow("", self.follow_redirects)
        form.addRow("Max redirects", self.max_redirects)
        form.addRow("", self.verify_tls)
        form.addRow("CA bundle", self.ca_bundle)
        form.addRow("Client certificate", self.client_cert)
        form.addRow("Client key", self.client_key)
        form.addRow("Proxy", self.proxy)
        form.addRow("", self.use_system_proxy)
        form.addRow("Max response body", self.max_body)
        form.addRow("Max decompression ratio", self.max_ratio)
        form.addRow("", self.stream)
        idle_row = QHBoxLayout()
        idle_row.addWidget(self.stream_idle)
        idle_row.addWidget(self.stream_idle_seconds)
        idle_row.addStretch(1)
        form.addRow("", idle_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

        self.follow_redirects.toggled.connect(self.max_redirects.setEnabled)
        self.verify_tls.toggled.connect(self.ca_bundle.setEnabled)
        for box in (self.connect_timeout, self.read_timeout):
            box.valueChanged.connect(self.edited)
        self.max_redirects.valueChanged.connect(self.edited)
        for limit in (self.max_body, self.total_timeout, self.headers_timeout, self.max_ratio):
            limit.edited.connect(self.edited)
        self.stream_idle.toggled.connect(self.stream_idle_seconds.setEnabled)
        self.stream_idle_seconds.valueChanged.connect(self.edited)
        for check in (
            self.follow_redirects,
            self.verify_tls,
            self.use_system_proxy,
            self.stream,
            self.stream_idle,
        ):
            check.toggled.connect(self.edited)
        for edit in (self.ca_bundle, self.client_cert, self.client_key, self.proxy):
            edit.textChanged.connect(self.edited)
        self.load_options(RequestSpec(url=""))

    def options(self) -> dict[str, Any]:
        """The options as :class:`RequestSpec` keyword arguments."""
        connect = self.connect_timeout.exact_value()
        read = self.read_timeout.exact_value()
        loaded, loaded_connect, loaded_read = self._timeout
        if (connect, read) == (loaded_connect, loaded_read):
            timeout = loaded  # unchanged: keep its form, one value or a pair
        else:
            timeout = connect if connect == read else (connect, read)
        verify: bool | str = self.verify_tls.isChecked()
        if verify and self.ca_bundle.text():
            verify = self.ca_bundle.text()
        cert_path, key_path = self.client_cert.text(), self.client_key.text()
        cert: str | tuple[str, str] | None = None
        if cert_path:
            cert = (cert_path, key_path) if key_path else cert_path
        return {
            "timeout": timeout,
            "follow_redirects": self.follow_redirects.isChecked(),
            "max_redirects": self.max_redirects.value(),
            "verify": verify,
            "cert": cert,
            "proxy": self.proxy.text() or None,
            "max_body_bytes": self.max_body.bytes(),
            "total_timeout": self.total_timeout.value(),
            "headers_timeout": self.headers_timeout.value(),
            "max_decompression_ratio": self.max_ratio.value(),
            "use_system_proxy": self.use_system_proxy.isChecked(),
            "stream": self.stream.isChecked(),
            "stream_idle_timeout": (
                self.stream_idle_seconds.exact_value() if self.stream_idle.isChecked() else None
            ),
        }

    def load_options(self, spec: RequestSpec) -> None:
        """Show the options of ``spec``."""
        self.connect_timeout.set_exact(spec.connect_timeout)
        self.read_timeout.set_exact(spec.read_timeout)
        self._timeout = (spec.timeout, spec.connect_timeout, spec.read_timeout)
        self.follow_redirects.setChecked(spec.follow_redirects)
        self.max_redirects.setValue(spec.max_redirects)
        self.max_redirects.setEnabled(spec.follow_redirects)
        self.verify_tls.setChecked(spec.verify is not False)
        self.ca_bundle.setText(spec.verify if isinstance(spec.verify, str) else "")
        self.ca_bundle.setEnabled(spec.verify is not False)
        cert, key = spec.cert if isinstance(spec.cert, tuple) else (spec.cert or "", "")
        self.client_cert.setText(cert)
        self.client_key.setText(key)
        self.proxy.setText(spec.proxy or "")
        self.max_body.set_bytes(spec.max_body_bytes)
        self.total_timeout.set_value(spec.total_timeout)
        self.headers_timeout.set_value(spec.headers_timeout)
        self.max_ratio.set_value(spec.max_decompression_ratio)
        self.use_system_proxy.setChecked(spec.use_system_proxy)
        self.stream.setChecked(spec.stream)
        idle = spec.stream_idle_timeout
        self.stream_idle.setChecked(idle is not None)
        self.stream_idle_seconds.set_exact(idle if idle is not None else 60.0)
        self.stream_idle_seconds.setEnabled(idle is not None)
