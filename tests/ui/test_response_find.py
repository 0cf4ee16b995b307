"""Find (Ctrl+F) marks its matches in the virtualised body view: every visible one, the
current one more strongly, also when the view is scrolled sideways."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QColor, QImage

from guiapp.ui.body_lines import BodyLineView, _find_colours
from guiapp.ui.body_sources import ListLineSource
from tests.ui import test_response_filter
from tests.ui.test_response_filter import DOC, _response
from tests.ui.test_response_panel import run_loop, show

panel = test_response_filter.panel  # the fixtures
processes = test_response_filter.processes


def _pixel(view: BodyLineView, line_row: int, col: int, dx: float = 1.0) -> QColor:
    """The colour painted at the left edge of column ``col`` of the ``line_row``-th visible
    line (column 0 being the first column of the line, whatever the horizontal scroll)."""
    image: QImage = view.viewport().grab().toImage()
    x0 = view._gutter_width() + 8.0 - view.horizontalScrollBar().value()
    x = int(x0 + col * view._char_width + dx)
    y = int(line_row * view._line_height + 1)
    return image.pixelColor(x, y)


def test_typing_marks_every_visible_match_and_find_marks_the_current_one(
    qloop: Any, panel: Any
) -> None:
    show(qloop, panel, _response(json.dumps(DOC).encode()))
    view = panel.body.view
    panel.body.find_edit.setText('"price"')  # as the user types: no search yet, marks at once
    first, stop = view.visible_range()
    marked = [i for i in range(first, stop) if view.find_marks(i)]
    assert marked
    assert all(view.source.line(i).count('"price"') == len(view.find_marks(i)) for i in marked)
    assert not any(current for i in marked for _, _, current in view.find_marks(i))

    line = run_loop(qloop, panel.body.find_text('"price"'))
    assert line is not None
    col = view.source.line(line).index('"price"')
    assert view.find_marks(line) == [(col, 7, True)]
    others = [m for i in marked if i != line for m in view.find_marks(i)]
    assert others
    assert not any(current for _, _, current in others)

    # What is painted: the current match orange, another match yellow, plain text not marked.
    match, current = _find_colours(view.palette())
    row = line - view.verticalScrollBar().value()
    assert _pixel(view, row, col) == current
    other = next(i for i in range(line + 1, view.visible_range()[1]) if view.find_marks(i))
    other_col = view.find_marks(other)[0][0]
    assert _pixel(view, other - view.verticalScrollBar().value(), other_col) == match
    assert _pixel(view, row, 0) not in (match, current)

    panel.body.find_edit.clear()
    assert view.find_marks(line) == []


def test_marks_follow_a_sideways_scroll(qtbot: Any) -> None:
    view = BodyLineView()
    qtbot.addWidget(view)
    view.resize(400, 200)
    view.show()
    long_line = "x" * 150 + "needle" + "y" * 150
    view.set_source(ListLineSource([long_line, "needle at the start"]))
    view.set_find("needle", current_line=0)
    assert view.find_marks(0) == [(150, 6, True)]
    assert view.find_marks(1) == [(0, 6, False)]
    assert view.find_marks(0, first_col=0, cols=40) == []  # off screen: not searched
    view.horizontalScrollBar().setValue(int(140 * view._char_width))
    _, current = _find_colours(view.palette())
    assert _pixel(view, 0, 150) == current
    # The text is drawn where its columns are: the mark's column shows "n", not "x".
    assert _pixel(view, 0, 149, dx=view._char_width / 2) != current
