"""Services.shutdown: abandoning work at the deadline is logged at debug level, so that a normal
quit prints nothing on the console; a history write the lane abandons stays a warning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from guiapp.desktop.logs import start_logging
from guiapp.ui.services import Services


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # the abandoned calls end, their daemon threads with them


def stuck_call(started: threading.Event, release: threading.Event) -> None:
    started.set()
    release.wait(30)  # ignores cancellation, as a call deep in a C library would


def start_stuck(submit: Callable[..., object], release: threading.Event) -> None:
    started = threading.Event()
    submit(stuck_call, started, release)
    assert started.wait(10), "the call never started"


def test_an_abandoned_send_is_a_debug_record_in_the_log_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], release: threading.Event
) -> None:
    logs = start_logging(tmp_path)  # the app's handlers: the file, and the console (stderr)
    try:
        services = Services(max_workers=2)
        start_stuck(services.offloader.submit, release)
        assert services.shutdown(0.1) is False  # it was abandoned
    finally:
        logs.close()
    assert "abandoning" not in capsys.readouterr().err
    logged = (tmp_path / "guiapp.log").read_text(encoding="utf-8")
    assert " DEBUG guiapp.offload " in logged
    assert "abandoning thread guiapp-send-" in logged
    assert " WARNING " not in logged


def test_an_abandoned_history_write_stays_a_warning(
    caplog: pytest.LogCaptureFixture, release: threading.Event
) -> None:
    services = Services()
    start_stuck(services.lane.submit, release)
    with caplog.at_level(logging.DEBUG, logger="guiapp.offload"):
        assert services.shutdown(0.1) is False
    abandoned = [r for r in caplog.records if "abandoning thread" in r.getMessage()]
    assert abandoned
    assert {r.levelno for r in abandoned} == {logging.WARNING}


def test_the_demotion_ends_with_the_shutdown(
    caplog: pytest.LogCaptureFixture, release: threading.Event
) -> None:
    services = Services()
    start_stuck(services.offloader.submit, release)
    services.shutdown(0.1)
    assert not logging.getLogger("guiapp.offload").filters
    with caplog.at_level(logging.WARNING, logger="guiapp.offload"):
        logging.getLogger("guiapp.offload").warning("x: abandoning thread y still running z")
    after = [r for r in caplog.records if r.getMessage().startswith("x:")]
    assert [r.levelno for r in after] == [logging.WARNING]
