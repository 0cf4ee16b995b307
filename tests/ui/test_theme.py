"""Every part of the window follows the theme: the custom-painted body viewer, the rich-text
response summary, the syntax colours (a Pygments style per theme)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette

from guiapp.core.formatting import STYLE_NAMES
from guiapp.core.request import RequestSpec
from guiapp.ui.main_window import MainWindow
from guiapp.ui.syntax_theme import SYNTAX_STYLES, contrast_ratio, syntax_colours
from tests.ui.conftest import wait_until


def _lightness(colour: QColor) -> int:
    return colour.lightness()


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_body_viewer_and_summary_follow_the_theme(
    qtbot: Any, window: MainWindow, ui_loop: asyncio.AbstractEventLoop, mode: str
) -> None:
    window.themes.set_mode(mode)
    window.load_into_current(RequestSpec(url=window.demo_server.url + "/json/sample"))
    window.send_current()
    panel = window.response.panel
    wait_until(ui_loop, lambda: panel.body_text() is not None)
    view = panel.body.view
    image = view.viewport().grab().toImage()
    # Far right of the first line: background, not text or the line-number gutter.
    background = image.pixelColor(image.width() - 20, 5)
    summary_text = panel.summary.palette().color(QPalette.ColorRole.WindowText)
    window_colour = window.palette().color(QPalette.ColorRole.Window)
    if mode == "dark":
        assert _lightness(background) < 80, background.name()
    else:
        assert _lightness(background) > 230, background.name()
    # Readable summary text (WCAG AA for normal text: 4.5), dark on light or light on dark.
    assert contrast_ratio(summary_text.name(), window_colour.name()) >= 4.5
    assert view.palette().color(QPalette.ColorRole.Base) == background
    assert [c.name() for c in view._colours()[1:]] == list(syntax_colours(mode == "dark"))[1:]


@pytest.mark.parametrize("dark", [False, True])
def test_syntax_colours_come_from_a_pygments_style_and_are_readable(dark: bool) -> None:
    from pygments.styles import get_style_by_name
    from pygments.token import Token

    colours = syntax_colours(dark)
    assert len(colours) == len(STYLE_NAMES)
    background = "#262a31" if dark else "#ffffff"
    for colour in colours[1:]:
        assert contrast_ratio(colour, background) >= 3.0, colour
    style = get_style_by_name(SYNTAX_STYLES[dark])
    assert colours[2] == "#" + style.style_for_token(Token.Literal.String)["color"].lower()
    assert syntax_colours(True) != syntax_colours(False)


def test_new_tab_button_icon_is_retinted_with_the_theme(window: MainWindow) -> None:
    from PySide6.QtWidgets import QToolButton

    button = window.findChild(QToolButton, "newTabButton")
    window.themes.set_mode("light")
    light = button.icon().pixmap(16, 16).toImage()
    window.themes.set_mode("dark")
    dark = button.icon().pixmap(16, 16).toImage()
    assert light != dark


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_a_disabled_checked_toggle_does_not_look_active(window: MainWindow, mode: str) -> None:
    window.themes.set_mode(mode)
    window.open_tab()  # no response: Pretty is off but stays checked (the user's preference)
    pretty = window.response.panel.body.pretty_button
    assert pretty.isChecked()
    assert not pretty.isEnabled()
    image = pretty.grab().toImage()
    border = image.pixelColor(image.width() // 2, 0)
    accent = QColor("#2f6fed")
    assert abs(border.blue() - accent.blue()) + abs(border.red() - accent.red()) > 60, border.name()
