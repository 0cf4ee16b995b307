"""GuiThreadGarbageCollector: cyclic garbage is collected on the GUI thread, never in a worker."""

from __future__ import annotations

import gc
import threading

from guiapp.offload.qt import GuiThreadGarbageCollector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_collections_happen_on_the_gui_thread_only(qtbot: object, qapp: object) -> None:
    threads: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    was_enabled = gc.isenabled()
    collector = GuiThreadGarbageCollector(interval_ms=10)
    gc.callbacks.append(record)
    try:
        assert not gc.isenabled()

        def churn() -> None:  # far past the generation-0 threshold
            for _ in range(50_000):
                _Node()

        worker = threading.Thread(target=churn, name="churn-worker")
        worker.start()
        worker.join()
        assert "churn-worker" not in threads

        # Fresh garbage just before waiting, so the counts are past the threshold whatever
        # another thread of the suite collected meanwhile; the timer must collect it here.
        for _ in range(5_000):
            _Node()
        qtbot.waitUntil(lambda: threading.main_thread().name in threads, timeout=5000)  # type: ignore[attr-defined]
        assert "churn-worker" not in threads
    finally:
        gc.callbacks.remove(record)
        collector.uninstall()
        collector.deleteLater()
    assert gc.isenabled() == was_enabled  # (the suite keeps it off: tests/conftest.py)


def test_nothing_is_collected_before_the_threshold(qapp: object) -> None:
    collector = GuiThreadGarbageCollector(interval_ms=10_000)
    try:
        gc.collect()
        assert collector.collect_if_due() == 0
    finally:
        collector.uninstall()
