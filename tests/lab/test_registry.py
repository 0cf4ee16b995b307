"""One strategy registry: the Lab's strategies, three of them the window's Send strategies;
the Lab's engine loads no widgets, and the registry none of the Lab's heavy libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from guiapp.lab.strategies import SEND_STRATEGIES, SEND_STRATEGY_IDS, STRATEGIES, start_request
from guiapp.offload import Offloader
from guiapp.ui.request_bar import STRATEGIES as COMBO_ITEMS


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return set(out.split())


def test_the_send_strategies_are_lab_strategies_with_the_combo_ids() -> None:
    # The combo's item data is a public contract (settings, UI tests, docs).
    assert SEND_STRATEGY_IDS == ("asyncio-executor", "qthread", "gui-thread")
    assert [cls.name for cls in SEND_STRATEGIES.values()] == ["make_async", "qthread", "gui_thread"]
    assert all(STRATEGIES[cls.name] is cls for cls in SEND_STRATEGIES.values())
    assert [data for data, _label, _tip in COMBO_ITEMS] == list(SEND_STRATEGY_IDS)
    assert all(label and tip for _data, label, tip in COMBO_ITEMS)


def test_an_unknown_send_strategy_is_refused_by_name() -> None:
    pool = Offloader(max_workers=1, name="registry-test")
    try:
        with pytest.raises(ValueError, match=r"unknown strategy 'fast'; expected one of"):
            start_request("fast", object(), offloader=pool, on_progress=print)  # type: ignore[arg-type]
    finally:
        pool.close()


def test_the_lab_package_and_its_qt_free_modules_load_no_qt() -> None:
    loaded = _modules_after(
        "import guiapp.lab, guiapp.lab.workloads, guiapp.lab.server, guiapp.lab.report"
    )
    assert not {"PySide6", "qasync", "pyqtgraph", "httpx"} & loaded
    assert not any(name.startswith(("guiapp.ui", "guiapp.bench")) for name in loaded)


def test_the_registry_loads_no_plots_probe_or_async_http_client() -> None:
    # The main window imports the registry at start-up: the Lab's heavy libraries wait.
    loaded = _modules_after("import guiapp.lab.strategies")
    assert not {"pyqtgraph", "numpy", "httpx", "anyio", "psutil"} & loaded
