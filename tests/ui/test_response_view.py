"""BodyLineView and its line sources, without worker processes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from guiapp.core.formatting import format_body_file
from guiapp.ui.body_lines import BLOCK_LINES, BodyLineView, _segments
from guiapp.ui.body_sources import MAX_LINE_CHARS, ListLineSource, MappedLineSource


@pytest.fixture
def view(qtbot) -> BodyLineView:
    widget = BodyLineView()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_paints_only_what_is_visible_and_asks_for_colours_once(view, qtbot) -> None:
    lines = [f"line {i}" for i in range(10 * BLOCK_LINES)]
    view.set_source(ListLineSource(lines))
    asked: list[int] = []
    view.highlightNeeded.connect(asked.append)
    view.viewport().repaint()
    qtbot.waitUntil(lambda: asked == [0])
    first, stop = view.visible_range()
    assert first == 0
    assert 5 < stop < 50
    assert view.visible_text().split("\n") == lines[first:stop]
    view.scroll_to_line(5 * BLOCK_LINES + 3)
    view.viewport().repaint()
    qtbot.waitUntil(lambda: asked == [0, 5])
    view.viewport().repaint()
    assert view._pending == []  # requested blocks are not asked for again
    assert view.visible_text().startswith(f"line {5 * BLOCK_LINES + 3}")


def test_growing_source_keeps_position_and_complete_blocks_only(view) -> None:
    lines = [f"l{i}" for i in range(3 * BLOCK_LINES)]
    view.set_source(ListLineSource(lines[: BLOCK_LINES + 50]))
    view.set_block_spans(0, tuple(((0, 1, 2),) for _ in range(BLOCK_LINES)))
    view.set_block_spans(1, tuple(((0, 1, 2),) for _ in range(50)))  # a partial block
    view.scroll_to_line(120)
    epoch = view.content_epoch
    view.set_source(ListLineSource(lines), continues=True)
    assert view.verticalScrollBar().value() == 120
    assert view.content_epoch == epoch
    assert 0 in view._spans
    assert 1 not in view._spans  # to be highlighted again, now that it is whole
    view.set_source(ListLineSource(["other"]))
    assert view.content_epoch == epoch + 1
    assert not view._spans


def test_selection_copy_and_select_all(view, qtbot) -> None:
    view.set_source(ListLineSource(["alpha", "beta", "gamma"]))
    view.select_lines(0, 1)
    assert view.selected_range() == (0, 2)
    assert view.copy_selection()
    assert QGuiApplication.clipboard().text() == "alpha\nbeta"
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "alpha\nbeta\ngamma"


def test_long_lines_are_cut_for_display_only(view) -> None:
    long_line = "x" * (MAX_LINE_CHARS + 500)
    view.set_source(ListLineSource([long_line]))
    shown = view.visible_text()
    assert shown.startswith("x" * MAX_LINE_CHARS)
    assert "line cut for display" in shown
    assert view.source.line(0) == long_line


def test_mapped_source_reads_lines_and_limits_to_reported_count(tmp_path: Path) -> None:
    source = tmp_path / "b.json"
    value = {"a": ["é", 2, {"b": None}]}
    source.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    formatted = format_body_file(str(source), "utf-8", "json", str(tmp_path / "o"))
    full = MappedLineSource(formatted.path, formatted.index_path, formatted.max_line_chars)
    lines = [full.line(i) for i in range(full.line_count)]
    assert lines == json.dumps(value, indent=2, ensure_ascii=False).split("\n")
    partial = MappedLineSource(formatted.path, formatted.index_path, 10, line_count=3)
    assert partial.line_count == 3
    assert partial.line(2) == lines[2]
    full.close()
    partial.close()


def test_segments_split_spans_within_the_visible_slice() -> None:
    assert _segments("abcdef", ((1, 2, 3),), 0) == [(0, "a", 0), (1, "bc", 3), (3, "def", 0)]
    # Scrolled right by 2 columns: the span starting at column 1 is partly off screen.
    assert _segments("cdef", ((1, 2, 3), (4, 1, 5)), 2) == [
        (0, "c", 3), (1, "d", 0), (2, "e", 5), (3, "f", 0),
    ]  # fmt: skip
