"""Deadlines of one request and the shared watchdog thread behind them."""

from __future__ import annotations

import threading
import time

from guiapp.core import _http_deadline
from guiapp.core._http_deadline import Deadlines


def _wait_for(condition: threading.Event, seconds: float = 3.0) -> bool:
    return condition.wait(seconds)


def test_the_total_deadline_fires_once_with_its_name(no_thread_leak: None) -> None:
    fired = threading.Event()
    calls: list[str] = []

    def expire() -> None:
        calls.append("shut")
        fired.set()

    deadlines = Deadlines(total=0.05, headers=None, on_expiry=expire)
    try:
        assert _wait_for(fired)
        assert deadlines.expired == "total_timeout"
        assert deadlines.seconds("total_timeout") == 0.05
    finally:
        deadlines.close()
    time.sleep(0.1)
    assert calls == ["shut"]


def test_headers_in_disarms_the_headers_deadline(no_thread_leak: None) -> None:
    fired = threading.Event()
    deadlines = Deadlines(total=None, headers=0.1, on_expiry=fired.set)
    try:
        deadlines.hop_started()
        deadlines.headers_in()
        assert not fired.wait(0.3)
        assert deadlines.expired is None
        deadlines.hop_started()  # the next hop of a redirect chain has its own
        assert _wait_for(fired)
        assert deadlines.expired == "headers_timeout"
    finally:
        deadlines.close()


def test_closed_deadlines_never_fire_and_the_heap_stays_small(no_thread_leak: None) -> None:
    fired = threading.Event()
    for _ in range(2000):  # a request each, all finished long before their deadlines
        deadlines = Deadlines(total=300.0, headers=60.0, on_expiry=fired.set)
        deadlines.hop_started()
        deadlines.headers_in()
        deadlines.close()
    assert len(_http_deadline._WATCHDOG._heap) <= 200  # cancelled alarms are compacted away
    assert not fired.is_set()


def test_a_lifted_total_deadline_can_be_set_again_for_a_stream(no_thread_leak: None) -> None:
    """A stream lifts the default total deadline; a stream's own limit is then set again."""
    fired = threading.Event()
    deadlines = Deadlines(total=300.0, headers=None, on_expiry=fired.set)
    try:
        deadlines.lift_total()
        deadlines.set_total(0.05)
        assert _wait_for(fired)
        assert deadlines.expired == "total_timeout"
        assert deadlines.seconds("total_timeout") == 0.05
    finally:
        deadlines.close()
