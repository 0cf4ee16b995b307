"""The Lab's thread count: only the strategy's threads count as added."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtWidgets import QApplication

from guiapp.lab import qt_probe
from guiapp.lab.qt_probe import LoadProbe


@contextmanager
def _running_thread(name: str) -> Iterator[str]:
    """A live OS thread for the duration; yields its id as listed in /proc/self/task."""
    release = threading.Event()
    thread = threading.Thread(target=release.wait, args=(10,), name=name, daemon=True)
    thread.start()
    try:
        assert thread.native_id is not None
        yield str(thread.native_id)
    finally:
        release.set()
        thread.join(10)


@pytest.mark.skipif(qt_probe._thread_ids() is None, reason="needs /proc/self/task (Linux)")
def test_an_ending_process_wide_thread_is_not_counted(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transport's deadline thread, seen alive once, is never the strategy's thread.

    When its Python part ends it leaves ``threading.enumerate()`` while its OS thread may
    still wait for the GIL to exit; the sampler must not count it in that moment (CI saw
    "+1 thread" for a send on the GUI thread).
    """
    real_ids = qt_probe._thread_ids()
    assert real_ids is not None
    listed: dict[str, set[str]] = {"ids": set(real_ids), "wide": set()}
    monkeypatch.setattr(qt_probe, "_thread_ids", lambda: set(listed["ids"]))
    monkeypatch.setattr(qt_probe, "_process_wide_ids", lambda: set(listed["wide"]))
    probe = LoadProbe(lambda: [])
    try:
        probe.start()
        with _running_thread("deadlines-stand-in") as deadline_tid:
            listed["ids"].add(deadline_tid)  # the deadline thread starts during the run...
            listed["wide"].add(deadline_tid)
            probe.sample()
            assert probe.added_threads == 0
            listed["wide"].clear()  # ...its Python part ends, its OS thread is still there
            probe.sample()
            assert probe.added_threads == 0
            with _running_thread("strategy-worker") as worker_tid:
                listed["ids"].add(worker_tid)  # a thread the strategy started does count
                probe.sample()
                assert probe.added_threads == 1
    finally:
        probe.stop()
        probe.deleteLater()
