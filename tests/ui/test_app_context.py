"""The application context: what create_window builds once, and what the window reads from it."""

from __future__ import annotations

import dataclasses
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from guiapp.core.request import RequestSpec
from guiapp.ui.context import AppContext, session_send
from guiapp.ui.main_window import MainWindow
from guiapp.ui.services import Services


def test_the_window_reads_its_services_paths_and_send_from_the_context(
    window: MainWindow, tmp_path: Path
) -> None:
    context = window.context
    assert context.data_dir == tmp_path
    assert window.data_dir == tmp_path
    assert window.services is context.services
    assert window.send_function is context.send
    assert context.window_state is not None
    assert context.window_state.path == tmp_path / "settings.ini"
    # The components create_window attaches are the window's declared attributes.
    assert window.history is not None
    assert window.cookies is not None
    assert window.cookies.session is window.services.http_session
    assert window.lab is not None
    assert window.lab_action is window.lab.action
    assert window.lab_action.objectName() == "action-lab"
    assert window.runner is not None
    assert window.runner.windows == []
    assert window.response_checks is not None
    assert window.runtime_variables is window.response_checks.runtime
    assert window.workspace is None  # create_window(workspace=False): no secret store either
    assert context.secrets is None


def test_the_context_is_immutable_once_built() -> None:
    services = Services()
    try:
        context = AppContext(services, session_send(services))
        with pytest.raises(dataclasses.FrozenInstanceError):
            context.data_dir = Path("elsewhere")  # type: ignore[misc]
    finally:
        services.shutdown(0.5)


class _CookieHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (self.headers.get("Cookie") or "").encode()
        self.send_response(200)
        if self.path == "/set":
            self.send_header("Set-Cookie", "flavour=oat; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


def test_session_send_sends_back_the_cookies_a_server_set() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    services = Services()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        send = session_send(services)
        assert send(RequestSpec(url=base + "/set")).body_bytes() == b""
        assert send(RequestSpec(url=base + "/echo")).body_bytes() == b"flavour=oat"
    finally:
        services.shutdown(0.5)
        server.shutdown()
        server.server_close()
        thread.join(5)
