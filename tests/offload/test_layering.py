"""The offload library sits at the bottom: importing it loads neither the HTTP stack nor Qt."""

from __future__ import annotations

import subprocess
import sys

import guiapp.core.jobs
import guiapp.core.stats
import guiapp.offload
from guiapp.offload import jobs, stats


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}; import sys; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return set(out.split())


def test_importing_offload_loads_no_http_stack_and_no_qt() -> None:
    loaded = _modules_after("import guiapp.offload")
    assert not {"requests", "urllib3", "PySide6", "qasync"} & loaded
    assert not any(name.startswith("guiapp.core") for name in loaded)


def test_the_process_worker_entry_point_loads_no_http_stack() -> None:
    loaded = _modules_after("import guiapp.offload._child")
    assert "requests" not in loaded
    assert "urllib3" not in loaded


def test_core_names_are_aliases_of_the_offload_hooks() -> None:
    assert guiapp.core.jobs.checkpoint is jobs.checkpoint
    assert guiapp.core.jobs.JobControl is jobs.JobControl is guiapp.offload.JobControl
    assert guiapp.core.jobs.Cancelled is guiapp.offload.Cancelled
    assert guiapp.core.stats.summarize is stats.summarize
    assert guiapp.core.stats.LagStats is stats.LagStats


def test_wait_cancelled_wakes_on_cancel_from_another_thread() -> None:
    import threading

    control = jobs.JobControl()
    assert control.wait_cancelled(0.01) is False
    threading.Timer(0.05, control.cancel).start()
    assert control.wait_cancelled(10.0) is True
    assert control.wait_cancelled(0) is True


def test_the_app_uses_only_the_public_names_of_offload() -> None:
    # The rest of guiapp goes through guiapp.offload, .jobs, .qt, .stats, .freeze: a private
    # module (guiapp.offload._items, say) may change shape without notice.
    import ast
    from pathlib import Path

    root = Path(guiapp.offload.__file__).resolve().parents[1]
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if root / "offload" in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[:2] == ["guiapp", "offload"] and any(p.startswith("_") for p in parts[2:]):
                    offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}: {name}")
    assert offenders == []
