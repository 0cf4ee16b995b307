"""Start the demo API for the app: on a fixed port, whenever the open tabs need it.

The demo examples only work while the demo API answers at the address they were opened with.
So the API listens on a fixed port, and a launch starts it again whenever a restored tab points
at a demo address (the remembered ``demo/url``, or :data:`DEFAULT_PORT` on 127.0.0.1), not only
on the first run or with ``--demo``.

The port is chosen at each launch, first free one wins: the port most open tabs point at, then
the home port (:data:`DEFAULT_PORT`, or a port the user set as ``demo/port``), then the
remembered one, then any free port. A port taken once is not taken for good: a fallback is
remembered as such (``demo/fallback``, the home port as ``demo/home``), so the next launch tries
the home port again, and tabs opened with it work once it is free. ``demo/port`` and
``demo/url`` are the port and address of the last run.

``--demo`` adds the examples to the open tabs (skipping those already open); it never closes
the user's tabs.

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

__all__ = [
    "DEFAULT_PORT",
    "EXAMPLE_COUNT",
    "candidate_ports",
    "remembered_url",
    "start_demo",
    "tabs_use_demo",
]

_log = logging.getLogger(__name__)

#: The demo API's port unless the user's settings remember another one.
DEFAULT_PORT = 8765
#: How many example requests a first run or ``--demo`` opens.
EXAMPLE_COUNT = 3
_PORT_KEY = "demo/port"
_URL_KEY = "demo/url"
_FALLBACK_KEY = "demo/fallback"
_HOME_KEY = "demo/home"
_HOST = "127.0.0.1"


def remembered_url(settings: QSettings) -> str | None:
    """The demo API's address on the previous run (``demo/url``), if there was one."""
    value = settings.value(_URL_KEY)
    return str(value) if value else None


def _tab_urls(window: MainWindow) -> list[str]:
    return [tab.editor.url_text for tab in window.request_tabs()]


def tabs_use_demo(window: MainWindow, settings: QSettings) -> bool:
    """True if an open tab's URL starts with a demo address: the remembered one (if any), or
    the home port's."""
    bases = {_address(_home_port(settings))}
    url = remembered_url(settings)
    if url:
        bases.add(url)
    return any(_points_at(text, base) for text in _tab_urls(window) for base in bases)


def _address(port: int) -> str:
    return f"http://{_HOST}:{port}"


def _points_at(text: str, base: str) -> bool:
    text = text.strip()
    return text == base or text.startswith((base + "/", base + "?"))


def _port(value: object) -> int | None:
    try:
        port = int(str(value))
    except ValueError:
        return None
    return port if 0 < port < 65536 else None


def _remembered_port(settings: QSettings) -> int | None:
    return _port(settings.value(_PORT_KEY, ""))


def _home_port(settings: QSettings) -> int:
    """The port the demo API should have: ``demo/home`` once known; before that ``demo/port``
    unless it was a fallback; else :data:`DEFAULT_PORT`."""
    home = _port(settings.value(_HOME_KEY, ""))
    if home is not None:
        return home
    remembered = _remembered_port(settings)
    fallback = str(settings.value(_FALLBACK_KEY, "false")).lower() == "true"
    return remembered if remembered is not None and not fallback else DEFAULT_PORT


def candidate_ports(home: int, remembered: int | None, tab_urls: list[str]) -> list[int]:
    """The ports to try, best first: those the tabs point at (most tabs first; a tie goes to
    ``home``), the ``home`` port, the ``remembered`` one.

    >>> urls = ["http://127.0.0.1:8765/get", "http://127.0.0.1:50123/get"]
    >>> candidate_ports(8765, 50123, urls)
    [8765, 50123]
    >>> candidate_ports(8765, 50123, urls + ["http://127.0.0.1:50123/delay/3"])
    [50123, 8765]
    >>> candidate_ports(8765, None, [])
    [8765]
    """
    known = {home, DEFAULT_PORT} | ({remembered} if remembered is not None else set())
    counts: dict[int, int] = {}
    for text in tab_urls:
        for port in known:
            if _points_at(text, _address(port)):
                counts[port] = counts.get(port, 0) + 1
    # Ties go to the home port: it is where saved requests of earlier runs point too.
    by_tabs = sorted(counts, key=lambda p: (-counts[p], p != home))
    ordered = [*by_tabs, home, *([remembered] if remembered is not None else [])]
    return list(dict.fromkeys(ordered))


def _start_server(candidates: list[int]) -> DemoProcess:
    for port in candidates:
        try:
            return DemoProcess(_HOST, port, fallback=False).start()
        except OSError as exc:
            _log.info("demo API: port %d is not available (%s)", port, exc)
    return DemoProcess(_HOST, 0).start()


def start_demo(window: MainWindow, settings: QSettings, *, add_examples: bool) -> DemoProcess:
    """Start the demo API (in its own process), remember its port and URL, and with
    ``add_examples`` add the example requests to the tabs (replacing only a lone empty tab)."""
    urls = _tab_urls(window)
    candidates = candidate_ports(_home_port(settings), _remembered_port(settings), urls)
    wanted, home = candidates[0], _home_port(settings)
    server = _start_server(candidates)
    window.demo_server = server
    window.shutDown.connect(lambda: server.stop(0.5))
    previous = remembered_url(settings)
    settings.setValue(_PORT_KEY, server.port)
    settings.setValue(_URL_KEY, server.url)
    settings.setValue(_HOME_KEY, home)  # the next launch tries it again, even after a fallback
    settings.setValue(_FALLBACK_KEY, server.port != home)
    settings.sync()
    message = f"Demo API running at {server.url}"
    if server.port != wanted:
        message += f" (port {wanted} is in use by another program)"
        if previous and any(_points_at(t, previous) for t in urls):
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
