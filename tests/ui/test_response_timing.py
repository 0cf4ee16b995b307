"""The response panel's Timing tab: phases with bars, reused connections, redirect hops, the
empty/error states and both themes, read from the widgets' texts."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from guiapp.core.errors import ConnectionRefused
from guiapp.core.request import RequestSpec
from guiapp.core.response import Response
from guiapp.core.timings import PHASE_LABELS, PHASE_NAMES, Timings
from guiapp.core.transport import make_session, send
from guiapp.demo import DemoServer
from guiapp.offload import ProcessOffloader
from guiapp.ui.response_panel import ResponsePanel
from guiapp.ui.response_timing import EMPTY_TEXT, ResponseTiming, format_phase, phase_colour
from guiapp.ui.syntax_theme import contrast_ratio
from guiapp.ui.theme import ThemeManager


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def processes() -> Iterator[ProcessOffloader]:
    pool = ProcessOffloader(max_workers=1, name="test-timing")
    yield pool
    pool.close()


@pytest.fixture
def panel(qtbot: Any, processes: ProcessOffloader) -> Iterator[ResponsePanel]:
    widget = ResponsePanel(processes)
    widget.resize(900, 600)
    widget.show()
    yield widget
    widget.close()
    shiboken6.delete(widget)  # on the GUI thread, never by a worker's garbage collection
    gc.collect()


@pytest.fixture
def timing(qtbot: Any) -> ResponseTiming:
    widget = ResponseTiming()
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    widget.show()
    return widget


def _show(loop: asyncio.AbstractEventLoop, panel: ResponsePanel, response: Response) -> None:
    loop.run_until_complete(panel.show_response(response))


def _labels(widget: QWidget, prefix: str) -> dict[str, str]:
    return {
        label.objectName()[len(prefix) :]: label.text()
        for label in widget.findChildren(QLabel)
        if label.objectName().startswith(prefix)
    }


def _texts(widget: QWidget, name: str) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel, name)]


def test_the_tab_is_next_to_the_headers_and_starts_empty(panel: ResponsePanel) -> None:
    # The Stream tab exists but shows only for streamed responses.
    tabs = panel.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]
    assert titles[:4] == ["Body", "Headers", "Request headers", "Timing"]  # then Tests
    assert "Stream" not in titles
    timing = panel.findChild(ResponseTiming, "responseTiming")
    assert timing is panel.timing
    assert _texts(timing, "timingMessage") == [EMPTY_TEXT]
    assert not _labels(timing, "timingPhase_")


def test_a_response_shows_every_phase_with_its_duration_and_bar(
    panel: ResponsePanel, qloop: asyncio.AbstractEventLoop, demo: DemoServer
) -> None:
    response = send(RequestSpec(url=demo.url + "/delay/1", timeout=10))
    _show(qloop, panel, response)
    panel.tabs.setCurrentWidget(panel.timing)
    timing = panel.timing
    assert response.timings is not None
    assert _labels(timing, "timingPhase_") == {n: PHASE_LABELS[n] for n in PHASE_NAMES}
    durations = _labels(timing, "timingDuration_")
    assert durations == {n: format_phase(s) for n, s in response.timings.phases()}
    assert durations["wait"].endswith(" s") or float(durations["wait"].split()[0]) >= 800
    assert durations["tls"] == "—"  # plain http: no handshake
    assert _texts(timing, "timingTotal") == [format_phase(response.timings.total)]
    assert not _texts(timing, "timingReused")
    assert not _texts(timing, "timingMessage")
    # The wait bar is the longest, and starts where the earlier phases end.
    wait = timing.findChild(QWidget, "timingBar_wait")
    dns = timing.findChild(QWidget, "timingBar_dns")
    assert wait.length > 0.5
    assert wait.start == pytest.approx(
        sum(s for n, s in response.timings.phases()[:5]) / (response.timings.total)
    )
    assert dns.length < wait.length
    text = timing.plain_text()
    assert text.count(f"GET {response.url}  200 OK") == 1  # a title spans columns: once
    assert "Waiting (TTFB)" in text


def test_a_reused_connection_says_so(
    panel: ResponsePanel, qloop: asyncio.AbstractEventLoop, demo: DemoServer
) -> None:
    session = make_session()
    try:
        send(RequestSpec(url=demo.url + "/get", timeout=10), session=session).close()
        response = send(RequestSpec(url=demo.url + "/get", timeout=10), session=session)
    finally:
        session.close()
    _show(qloop, panel, response)
    assert _texts(panel.timing, "timingReused") == [
        "reused connection (no DNS lookup, connect or TLS handshake)"
    ]
    durations = _labels(panel.timing, "timingDuration_")
    assert (durations["dns"], durations["connect"], durations["tls"]) == ("—", "—", "—")


def test_one_section_per_redirect_hop(
    panel: ResponsePanel, qloop: asyncio.AbstractEventLoop, demo: DemoServer
) -> None:
    response = send(RequestSpec(url=demo.url + "/redirect/2", timeout=10))
    _show(qloop, panel, response)
    hops = _texts(panel.timing, "timingHop")
    assert len(hops) == 3
    assert hops[0].startswith("Redirect 1 of 2: GET ")
    assert hops[0].endswith("302 Found")
    assert hops[1].startswith("Redirect 2 of 2: ")
    assert hops[2].startswith("Final: GET ")
    assert hops[2].endswith("200 OK")
    assert len(_texts(panel.timing, "timingTotal")) == 3
    assert len(panel.timing.findChildren(QLabel, "timingPhase_wait")) == 3


def test_errors_and_cancels_show_no_timing(
    panel: ResponsePanel, qloop: asyncio.AbstractEventLoop, demo: DemoServer
) -> None:
    _show(qloop, panel, send(RequestSpec(url=demo.url + "/get", timeout=10)))
    assert _labels(panel.timing, "timingPhase_")
    panel.show_error(ConnectionRefused("Connection refused by 127.0.0.1:9", url="http://x/"))
    assert not _labels(panel.timing, "timingPhase_")  # the last response's bars are gone
    assert _texts(panel.timing, "timingMessage") == [
        "No timing: the request failed before a response arrived."
    ]
    panel.show_sending(RequestSpec(url=demo.url + "/get"))
    assert _texts(panel.timing, "timingMessage") == ["Waiting for the response…"]
    panel.show_cancelled()
    assert _texts(panel.timing, "timingMessage") == ["No timing: the request was cancelled."]
    panel.clear()
    assert _texts(panel.timing, "timingMessage") == [EMPTY_TEXT]


def test_a_response_without_timings_says_so(timing: ResponseTiming) -> None:
    timing.show_response(
        Response(status_code=200, reason="OK", http_version="HTTP/1.1", headers=[], url="http://h/")
    )
    assert _texts(timing, "timingMessage") == [
        "Timings unavailable: no timing was recorded for this response."
    ]


def test_each_hop_says_which_proxy_it_went_through(timing: ResponseTiming) -> None:
    t = Timings(prepare=0.001, dns=0.001, connect=0.001, send=0.001, wait=0.01, download=0.01)

    def hop(**proxy: Any) -> Response:
        return Response(
            status_code=200,
            reason="OK",
            http_version="HTTP/1.1",
            headers=[],
            url="http://h/",
            timings=Timings(**{**_fields(t), "total": 0.024}),
            **proxy,
        )

    timing.show_response(hop(proxy="http://u:***@p:3128", proxy_source="environment"))
    assert _texts(timing, "timingProxy") == [
        "Proxy: http://u:***@p:3128 (system proxy, from the environment)"
    ]
    timing.show_response(hop())
    assert _texts(timing, "timingProxy") == ["Direct connection (no proxy)"]


def test_a_partial_body_is_marked(timing: ResponseTiming) -> None:
    t = Timings(prepare=0.001, dns=0.001, connect=0.001, send=0.001, wait=0.01, download=0.5)
    timing.show_response(
        Response(
            status_code=200,
            reason="OK",
            http_version="HTTP/1.1",
            headers=[],
            url="http://h/",
            partial=True,
            timings=Timings(**{**_fields(t), "total": 0.514}),
        )
    )
    assert "body is incomplete" in timing.plain_text()
    assert _labels(timing, "timingDuration_")["download"] == "500 ms"


def _fields(t: Timings) -> dict[str, Any]:
    return {name: getattr(t, name) for name in (*PHASE_NAMES, "reused")}


@pytest.mark.parametrize("dark", [False, True])
def test_bar_colours_are_readable_in_both_themes(dark: bool) -> None:
    # The pane the bars are painted on (QTabWidget::pane) and the window behind it.
    backgrounds = ["#ffffff", "#f6f7f9"] if not dark else ["#262a31", "#1e2127"]
    for name in PHASE_NAMES:
        for background in backgrounds:
            assert contrast_ratio(phase_colour(name, dark), background) >= 3, (name, background)


def test_dark_theme_paints_light_text_and_dark_track(qtbot: Any, timing: ResponseTiming) -> None:
    saved = QGuiApplication.palette()
    host = QWidget()
    qtbot.addWidget(host)
    timing.setParent(host)
    themes = ThemeManager(host, mode="dark")
    try:
        host.resize(700, 500)
        host.show()
        t = Timings(prepare=0.001, dns=0.002, connect=0.003, send=0.001, wait=0.2, download=0.05)
        timing.show_response(
            Response(
                status_code=200,
                reason="OK",
                http_version="HTTP/1.1",
                headers=[],
                url="http://h/",
                timings=Timings(**{**_fields(t), "total": 0.257}),
            )
        )
        qtbot.waitUntil(lambda: timing.findChild(QWidget, "timingBar_wait").isVisible())
        label = timing.findChild(QLabel, "timingPhase_wait")
        assert label.palette().color(QPalette.ColorRole.WindowText).lightness() > 180
        bar = timing.findChild(QWidget, "timingBar_wait")
        assert bar.dark()
        image = bar.grab().toImage()
        # Far right of the track: past the wait segment (which ends at ~80 % of the scale).
        track = image.pixelColor(image.width() - 3, image.height() // 2)
        assert track.lightness() < 90, track.name()
        inside = image.pixelColor(int(image.width() * 0.5), image.height() // 2)
        assert inside.name() == phase_colour("wait", dark=True)
    finally:
        themes.set_mode("light")
        QGuiApplication.setPalette(saved)


def test_docstring_examples() -> None:
    import doctest

    import guiapp.ui.response_timing as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
