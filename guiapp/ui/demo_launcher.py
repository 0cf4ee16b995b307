"""Start the demo API for the app: on a fixed port, whenever the open tabs need it.

The demo examples only work while the demo API answers at the address they were opened with.
So the API listens on a fixed port (:data:`DEFAULT_PORT`, or a free one if that is taken; the
port used is remembered in ``settings.ini`` as ``demo/port``), and a launch starts it again
whenever a restored tab points at the remembered ``demo/url``, not only on the first run or
with ``--demo``. ``--demo`` adds the examples to the open tabs (skipping those already open);
it never closes the user's tabs.

The server runs in its own process (:class:`~guiapp.demo.DemoProcess`): a flood of clients
cannot starve the GUI thread. ``window.demo_server`` is the running server (its ``url``), and
it is stopped when the window shuts down.

Example::

    settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
    if demo_requested or first_run or tabs_use_demo(window, settings):
        start_demo(window, settings, add_examples=demo_requested or first_run)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from guiapp.demo import DemoProcess, sample_requests

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow

__all__ = ["DEFAULT_PORT", "EXAMPLE_COUNT", "remembered_url", "start_demo", "tabs_use_demo"]

_log = logging.getLogger(__name__)

#: The demo API's port unless the user's settings remember another one.
DEFAULT_PORT = 8765
#: How many example requests a first run or ``--demo`` opens.
EXAMPLE_COUNT = 3
_PORT_KEY = "demo/port"
_URL_KEY = "demo/url"


def remembered_url(settings: QSettings) -> str | None:
    """The demo API's address on the previous run (``demo/url``), if there was one."""
    value = settings.value(_URL_KEY)
    return str(value) if value else None


def _tab_urls(window: MainWindow) -> list[str]:
    return [tab.editor.url_text for tab in window.request_tabs()]


def tabs_use_demo(window: MainWindow, settings: QSettings) -> bool:
    """True if an open tab's URL starts with the remembered demo address."""
    url = remembered_url(settings)
    if not url:
        return False
    return any(_points_at(text, url) for text in _tab_urls(window))


def _points_at(text: str, base: str) -> bool:
    text = text.strip()
    return text == base or text.startswith((base + "/", base + "?"))


def _preferred_port(settings: QSettings) -> int:
    try:
        port = int(str(settings.value(_PORT_KEY, DEFAULT_PORT)))
    except ValueError:
        return DEFAULT_PORT
    return port if 0 < port < 65536 else DEFAULT_PORT


def start_demo(window: MainWindow, settings: QSettings, *, add_examples: bool) -> DemoProcess:
    """Start the demo API (in its own process), remember its port and URL, and with
    ``add_examples`` add the example requests to the tabs (replacing only a lone empty tab)."""
    wanted = _preferred_port(settings)
    server = DemoProcess(port=wanted).start()
    window.demo_server = server
    window.shutDown.connect(lambda: server.stop(0.5))
    previous = remembered_url(settings)
    settings.setValue(_PORT_KEY, server.port)
    settings.setValue(_URL_KEY, server.url)
    settings.sync()
    message = f"Demo API running at {server.url}"
    if server.port != wanted:
        message += f" (port {wanted} is in use by another program)"
        if previous and any(_points_at(t, previous) for t in _tab_urls(window)):
            message += f"; tabs opened with {previous} need the new address"
    window.statusBar().showMessage(message, 15_000)
    if add_examples:
        _add_examples(window, server.url)
    return server


def _add_examples(window: MainWindow, url: str) -> None:
    examples = [example.spec for example in sample_requests(url)[:EXAMPLE_COUNT]]
    tabs = window.request_tabs()
    if len(tabs) == 1 and not tabs[0].editor.url_text.strip():
        window.replace_tabs(examples, 0)  # only the blank tab a fresh window starts with
        return
    # Running --demo again must not pile up copies: an example already open is not re-added.
    open_now = {(tab.editor.method, _base(tab.editor.url_text)) for tab in tabs}
    added = None
    for spec in examples:
        if (spec.method, _base(spec.url)) not in open_now:
            tab = window.open_tab(spec)
            added = added or tab
    if added is not None:
        window.tabs.setCurrentWidget(added)


def _base(url: str) -> str:
    return url.strip().split("?", 1)[0].split("#", 1)[0]
