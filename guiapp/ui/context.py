"""The application context and the ports components receive instead of the whole window.

:class:`AppContext` gathers what the composition root (:func:`guiapp.app.create_window`)
builds once, before the window: where the data lives, the executors and the shared HTTP
session, the send every request goes through, the saved window state and the secret store.
The window holds it (``window.context``) and reads its documented attributes from it
(``window.services``, ``window.data_dir``, ``window.send_function``); tests get one on
``tmp_path`` through ``create_window(tmp_path)``.

Components get *ports*, small :class:`~typing.Protocol` classes naming exactly what they use
of the window, instead of the window itself: a :class:`StatusSink` to say something in the
status line, a :class:`ViewMenuHost` to add a View menu action, a :class:`TabHost` to open and
find tabs. The main window satisfies all of them; a test can pass a small fake.

Example::

    services = Services()
    context = AppContext(services, session_send(services), data_dir=tmp_path)
    window = MainWindow(context=context, response_panel=ResponsePanel(services.processes))
    context.send(RequestSpec(url="http://127.0.0.1:8765/get"))   # in a worker thread
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTabWidget

from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.core.secrets import SecretStore
from guiapp.core.transport import send as transport_send
from guiapp.ui.services import Services

if TYPE_CHECKING:
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.window_state import WindowState

__all__ = [
    "AppContext",
    "SendFunction",
    "StatusSink",
    "TabHost",
    "ViewMenuHost",
    "session_send",
]

#: What sends one request (blocking; called in a worker thread).
SendFunction = Callable[[RequestSpec], Response]


def session_send(services: Services) -> SendFunction:
    """``guiapp.core.transport.send`` through ``services.http_session``: cookies that servers
    set are sent back to them and connections are reused. The session is made here, on the
    GUI thread, not lazily by the first worker thread that sends."""
    return functools.partial(transport_send, session=services.http_session)


@dataclass(frozen=True, eq=False)
class AppContext:
    """What the composition root builds once per window (immutable once built)."""

    #: The executors (HTTP sends, the history lane, worker processes) and the HTTP session.
    services: Services
    #: What sends a request (:func:`session_send`: through the services' shared session).
    send: SendFunction
    #: Where settings, history, cookies and logs live (None: nothing is kept on disk).
    data_dir: Path | None = None
    #: The saved window state (settings.ini): geometry, theme, the open tabs.
    window_state: WindowState | None = None
    #: Where secret variable values live (the OS keyring unless the user chose otherwise).
    secrets: SecretStore | None = None


class StatusSink(Protocol):
    """Says something to the user in one line (the main window's status line)."""

    def show_message(self, text: str, state: str = "ok") -> None:
        """Show ``text``, coloured by ``state`` (``ok``, ``error``, ``busy``...)."""


class ViewMenuHost(Protocol):
    """Offers a place in the View menu (the hook the Lab and the Cookies dialog plug into)."""

    def add_view_action(self, action: QAction) -> None:
        """Add ``action`` to the View menu (its shortcut works even with the menu hidden)."""


class TabHost(StatusSink, Protocol):
    """The request tabs of a window: the current one, all of them, opening new ones."""

    @property
    def tabs(self) -> QTabWidget:
        """The tab widget (its index order is the order the user sees)."""

    def current_tab(self) -> RequestTab:
        """The tab shown."""

    def request_tabs(self) -> list[RequestTab]:
        """Every request tab, in order."""

    def open_tab(self, spec: RequestSpec | None = None) -> RequestTab:
        """Open a new tab showing ``spec`` (blank without one) and make it current."""

    def load_into_current(self, spec: RequestSpec) -> None:
        """Show ``spec`` in the current tab (a busy tab keeps its request: use a new one)."""
