"""One request's editor: URL text and method plus the Params / Headers / Body / Auth / Options /
Tests tabs.

The method combo and URL field live in the shared :class:`~guiapp.ui.request_bar.RequestBar`
(one instance bound to the current tab); this editor holds their *values* for its tab and keeps
the query-params table in sync with the URL text both ways.

Example::

    editor = RequestEditor()
    editor.set_url_text("http://127.0.0.1:8000/get?a=1")   # params table now shows a=1
    editor.params.set_pairs([("a", "1"), ("b", "2")])       # URL becomes ...?a=1&b=2
    spec = editor.to_spec()        # RequestSpec(url='http://127.0.0.1:8000/get', params=...)
    editor.load_spec(spec)         # and back
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

from guiapp.core.auth_inherit import apply_parent_auth
from guiapp.core.request import JsonBody, RequestSpec
from guiapp.ui.auth_editor import AuthEditor
from guiapp.ui.kv_table import KeyValueTable
from guiapp.ui.options_editor import OptionsEditor
from guiapp.ui.request_body import RequestBodyEditor
from guiapp.ui.request_tests_editor import RequestTestsEditor
from guiapp.ui.url_params import join_url, split_url

__all__ = ["RequestEditor"]

_TAB_TIPS = (
    "Query parameters (kept in sync with the URL)",
    "Request headers",
    "Request body: JSON, form, multipart, raw text or a file",
    "Authentication: Basic, Bearer token or Digest",
    "Timeouts, redirects, TLS, proxy and the response size limit",
    "Checks on the response and captures into variables, saved with the request",
)


def _scrollable(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


class RequestEditor(QTabWidget):
    """Sections of one request; :meth:`to_spec` / :meth:`load_spec` round-trip a RequestSpec."""

    #: The URL text changed because the params table was edited (the bar shows the new text).
    urlTextChanged = Signal(str)
    #: Anything in the request changed (used to persist the draft).
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestSections")
        self.setDocumentMode(True)
        self.method = "GET"
        self.url_text = ""
        self.params = KeyValueTable("Parameter", "Value")
        self.params.setObjectName("paramsTable")
        self.headers = KeyValueTable("Header", "Value")
        self.headers.setObjectName("headersTable")
        self.body = RequestBodyEditor()
        self.auth = AuthEditor()
        self.options = OptionsEditor()
        self.tests = RequestTestsEditor()
        self.addTab(self.params, "Params")
        self.addTab(self.headers, "Headers")
        self.addTab(self.body, "Body")
        # The forms scroll: their full height must not become the editor's minimum height,
        # or the splitter cannot give the response most of the window.
        self.addTab(_scrollable(self.auth), "Auth")
        self.addTab(_scrollable(self.options), "Options")
        self.addTab(self.tests, "Tests")
        for index, tip in enumerate(_TAB_TIPS):
            self.setTabToolTip(index, tip)

        self.params.edited.connect(self._on_params_edited)
        for widget in (self.headers, self.body, self.auth, self.options, self.tests):
            widget.edited.connect(self.edited)
            widget.edited.connect(self._update_tab_counts)

    # -- URL <-> params ------------------------------------------------------------------------
    def set_url_text(self, text: str) -> None:
        """The user typed ``text`` in the URL field: refresh the params table from it.

        Disabled rows are not part of the URL: they keep their places in the table.
        """
        self.url_text = text
        _, pairs = split_url(text)
        _, disabled = self.params.split_rows()
        self.params.set_split_rows(pairs, disabled)
        self._update_tab_counts()
        self.edited.emit()

    def set_method(self, method: str) -> None:
        """The user picked or typed a method."""
        self.method = (method or "GET").strip().upper()
        self.edited.emit()

    def _on_params_edited(self) -> None:
        base, _ = split_url(self.url_text)
        self.url_text = join_url(base, self.params.pairs())
        self._update_tab_counts()
        self.urlTextChanged.emit(self.url_text)
        self.edited.emit()

    def _update_tab_counts(self) -> None:
        # "Headers (2)" tells at a glance which sections are in use.
        for index, (label, count) in enumerate(
            (("Params", len(self.params.pairs())), ("Headers", len(self.headers.pairs())))
        ):
            self.setTabText(index, f"{label} ({count})" if count else label)
        body_mode = self.body.mode_combo.currentText() if self.body.mode() != "none" else ""
        self.setTabText(2, f"Body · {body_mode}" if body_mode else "Body")
        auth = self.auth.kind_combo.currentText() if self.auth.kind() != "none" else ""
        if self.auth.inherits_auth():
            auth = "inherited"
        self.setTabText(3, f"Auth · {auth}" if auth else "Auth")
        # The checks and captures that run: "Tests (2 checks, 1 capture)" here, "Tests 2/2"
        # on the response (checks passed / checks run).
        self.setTabText(5, self.tests.tab_title())

    # -- spec ----------------------------------------------------------------------------------
    def validation_error(self) -> str | None:
        """A message for input that cannot be sent, checked before anything leaves the GUI."""
        base, _ = split_url(self.url_text.strip())
        if not base:
            return "Enter a URL to send the request to."
        return self.body.validation_error()

    def to_spec(self) -> RequestSpec:
        """The request as edited, exactly (query split into params; unticked rows kept apart,
        in ``disabled_params``, ``disabled_headers`` and the body's, never sent).

        ``editor.load_spec(spec); editor.to_spec() == spec`` for any spec the editor can show
        (docs/ui.md, "What the editor cannot show"). Drafts, collections and history store this.
        """
        base, _ = split_url(self.url_text)
        params, disabled_params = self.params.split_rows()
        headers, disabled_headers = self.headers.split_rows()
        return RequestSpec(
            url=base,
            method=self.method,
            params=params,
            headers=headers,
            disabled_params=disabled_params,
            disabled_headers=disabled_headers,
            body=self.body.to_body(),
            auth=self.auth.to_auth(),
            inherit_auth=self.auth.inherits_auth(),
            tests=self.tests.to_tests(),
            **self.options.options(),
        )

    def spec_to_send(self) -> RequestSpec:
        """:meth:`to_spec` as it goes on the wire: the URL trimmed, and a URL typed without a
        scheme (``localhost:8000/get``) gets ``http://``, as browsers do, unless it starts with
        a ``{{variable}}`` (which may hold the scheme); JSON mode with no text sends no body;
        an inherited auth is the folder's or collection's as it is now.
        """
        spec = apply_parent_auth(self.to_spec(), self.auth.parent_auth())
        url = spec.url.strip()
        if url and "://" not in url and not url.startswith("{{"):
            url = "http://" + url
        body = spec.body
        if isinstance(body, JsonBody) and not body.text.strip():
            body = None
        return replace(spec, url=url, body=body)

    def load_spec(self, spec: RequestSpec) -> None:
        """Show ``spec``; a query already in ``spec.url`` joins ``spec.params`` in the table."""
        base, url_pairs = split_url(spec.url)
        pairs = url_pairs + list(spec.params)
        self.method = spec.method
        self.url_text = join_url(base, pairs)
        with QSignalBlocker(self):
            self.params.set_split_rows(pairs, spec.disabled_params)
            self.headers.set_split_rows(spec.headers, spec.disabled_headers)
            self.body.load_body(spec.body)
            self.auth.load_auth(spec.auth, inherit=spec.inherit_auth)
            self.options.load_options(spec)
            self.tests.load_tests(spec.tests)
        self._update_tab_counts()
        self.urlTextChanged.emit(self.url_text)
        self.edited.emit()

    def title(self) -> str:
        """A short tab title: method and the path of the URL (its host when the path is "/")."""
        base, _ = split_url(self.url_text)
        rest = base.split("://", 1)[-1]
        path = rest[rest.find("/") :] if "/" in rest else rest
        if path in ("", "/"):  # "GET /" says nothing: name the host instead
            path = rest
        return f"{self.method} {path or 'New request'}"
