"""Drafts across restarts: which tab shows which saved request, and the drafts themselves.

:func:`session_tabs` describes the bound tabs for :class:`~guiapp.ui.workspace.state.
WorkspaceState` (a draft as written, ``{{variables}}`` kept, every secret value masked, as the
window's own session does); :func:`restore_tabs` binds the restored tabs to their files again,
puts each draft back (still a draft: nothing is written) and turns a file changed on disk since
the draft was taken into a conflict for the user to resolve.

Example::

    state.tabs = session_tabs(window, drafts, secret_values(window))
    ...                                           # next start, after the window restored its tabs
    await restore_tabs(controller, state)
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import mask_template
from guiapp.core.serialize import spec_from_dict, spec_to_dict
from guiapp.ui.reenter_marks import mark_reenter
from guiapp.ui.workspace.drafts import Drafts
from guiapp.ui.workspace.state import WorkspaceState

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.workspace.controller import WorkspaceController
    from guiapp.ui.workspace.ids import IdTracker

__all__ = ["digest", "restore_tabs", "session_tabs"]

_log = logging.getLogger(__name__)


def digest(spec: RequestSpec) -> str:
    """A short fingerprint of ``spec`` (tells whether a file changed, reveals nothing).

    >>> digest(RequestSpec(url="http://h/")) == digest(RequestSpec(url="http://h/"))
    True
    """
    text = json.dumps(spec_to_dict(spec), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def session_tabs(window: MainWindow, drafts: Drafts, secrets: set[str]) -> list[dict[str, Any]]:
    """One entry per tab bound to a saved request, with its draft if it holds one."""
    entries: list[dict[str, Any]] = []
    for index, tab in enumerate(window.request_tabs()):
        col, rid = drafts.collection_of(tab), drafts.request_id(tab)
        if col is None or rid is None:
            continue
        entry: dict[str, Any] = {"index": index, "collection": str(col.root), "request": rid}
        if drafts.is_dirty(tab):
            try:
                entry["draft"] = spec_to_dict(mask_template(tab.editor.to_spec(), secrets))
            except Exception:  # a half-typed draft that cannot form a spec: the tab keeps it
                _log.exception("could not keep the draft of %s", rid)
                continue
            base = drafts.conflict(tab) or drafts.disk_spec(tab)
            if drafts.conflict(tab) is None and base is not None:
                entry["base"] = digest(base)
        entries.append(entry)
    return entries


async def restore_tabs(controller: WorkspaceController, state: WorkspaceState) -> int:
    """Bind the window's restored tabs to their files again, with their drafts; returns how
    many drafts came back. A tab whose file is gone stays open as a scratch tab (its text,
    draft included, is not lost)."""
    window, drafts = controller.window, controller.drafts
    tabs = window.request_tabs()
    # The window restored the same tabs (``--demo`` may have added examples after them).
    same_tabs = 0 < state.tab_count <= len(tabs)
    restored = 0
    for entry in state.tabs:
        col = await controller.collection_at(str(entry.get("collection", "")))
        rid = entry.get("request")
        if col is None or not isinstance(rid, str):
            continue
        tracker = drafts.tracker(col)

        def load(c: Collection, r: str = rid, t: IdTracker = tracker) -> tuple[RequestSpec, int]:
            return c.load_request(r), t.latest

        try:
            disk, seq = await controller.service.call(load, col)
        except Exception as exc:
            _log.warning("not restoring %s: %s", rid, exc)
            continue
        draft = _draft(entry)
        index = entry.get("index")
        if same_tabs and isinstance(index, int) and 0 <= index < len(tabs):
            tab = tabs[index]
        else:
            tab = window.open_tab(draft or disk)
        _bind(drafts, tab, rid, seq, col, disk, draft)
        if draft is not None:
            restored += 1
            base = entry.get("base")
            if isinstance(base, str) and base != digest(disk):
                drafts.set_conflict(tab, disk)  # changed on disk while the app was closed
    return restored


def _draft(entry: dict[str, Any]) -> RequestSpec | None:
    data = entry.get("draft")
    if not isinstance(data, dict):
        return None
    try:
        return spec_from_dict(data)
    except (ValueError, TypeError, KeyError):
        _log.warning("ignoring an unreadable draft of %s", entry.get("request"))
        return None


def _bind(
    drafts: Drafts,
    tab: RequestTab,
    rid: str,
    seq: int,
    col: Collection,
    disk: RequestSpec,
    draft: RequestSpec | None,
) -> None:
    editor = tab.editor
    editor.load_spec(disk)
    saved = editor.to_spec()  # the file's version in the editor's form
    if draft is not None:
        editor.load_spec(draft)
        mark_reenter(editor)  # masked secrets (***) must be typed again
    drafts.bind(tab, rid, seq, col, disk=disk, saved=saved)
