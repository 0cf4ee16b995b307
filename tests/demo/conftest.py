"""One demo server per test module; tests that stop servers start their own."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from guiapp.demo import DemoServer


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture
def url(demo: DemoServer) -> str:
    return demo.url


def server_threads(server_name: str) -> list[threading.Thread]:
    """Live threads that belong to the server whose thread prefix is ``server_name``."""
    return [
        t
        for t in threading.enumerate()
        if t.name == server_name or t.name.startswith(server_name + "-")
    ]
