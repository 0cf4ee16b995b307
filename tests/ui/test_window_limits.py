"""The transport's limits in the window: edited in the Options tab, and what a hostile server
stopped by one of them leaves on screen (what arrived, marked incomplete, the limit named)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox

from guiapp.core.request import RequestSpec
from guiapp.ui.main_window import MainWindow
from guiapp.ui.options_editor import OptionsEditor
from tests.faultserver import FaultServer
from tests.ui.conftest import wait_until
from tests.ui.test_window_send import send_url, w_status


def test_options_show_the_limits_and_their_defaults(qapp: Any) -> None:
    editor = OptionsEditor()
    for name, shown in (
        ("totalTimeout", 300.0),
        ("headersTimeout", 60.0),
        ("maxDecompressionRatio", 100.0),
    ):
        assert editor.findChild(QCheckBox, f"{name}Limit").isChecked()
        assert editor.findChild(QDoubleSpinBox, name).value() == shown
    assert editor.findChild(QCheckBox, "useSystemProxy").isChecked()
    options = editor.options()
    assert (options["total_timeout"], options["headers_timeout"]) == (300.0, 60.0)
    assert options["max_decompression_ratio"] == 100.0
    assert options["use_system_proxy"] is True


def test_unticked_limits_are_off_and_round_trip(qapp: Any) -> None:
    editor = OptionsEditor()
    spec = RequestSpec(
        url="http://h/",
        total_timeout=None,
        headers_timeout=2.5,
        max_decompression_ratio=None,
        use_system_proxy=False,
    )
    editor.load_options(spec)
    assert not editor.findChild(QCheckBox, "totalTimeoutLimit").isChecked()
    assert not editor.findChild(QDoubleSpinBox, "totalTimeout").isEnabled()
    options = editor.options()
    assert options["total_timeout"] is None
    assert options["headers_timeout"] == 2.5
    assert options["max_decompression_ratio"] is None
    assert options["use_system_proxy"] is False
    editor.findChild(QCheckBox, "totalTimeoutLimit").setChecked(True)
    assert editor.options()["total_timeout"] == 300.0  # ticking it again offers the default


@pytest.mark.hostile("transport")
def test_a_dripping_server_stopped_by_the_total_deadline_leaves_what_arrived(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop
) -> None:
    options = window.current_tab().editor.options
    options.total_timeout.set_value(1.5)
    with FaultServer(lifetime=15) as server:
        summary = send_url(qtbot, window, ui_loop, server.url("/drip?bytes=100"))
    outcome = window.current_tab().outcome
    assert outcome.kind == "response"
    assert outcome.value.partial
    assert "within 1.5 s (total deadline)" in outcome.message
    assert "incomplete: stopped by the total deadline after" in summary
    wait_until(ui_loop, lambda: (window.response.panel.body_text() or "").startswith("d"))
    assert "body incomplete" in w_status(window)
