"""Drafts across restarts: which tab shows which saved request, and the drafts themselves.

:func:`session_tabs` describes the bound tabs for :class:`~guiapp.ui.workspace.state.
WorkspaceState` (a draft as written, ``{{variables}}`` kept, every secret value masked, as the
window's own session does, with where each masked value comes back from: the saved file for a
value the user did not touch, the keyring for one they typed,
:mod:`~guiapp.ui.workspace.draft_secrets`); :func:`restore_tabs` binds the restored tabs to
their files again, puts each draft back exactly as it was (still a draft: nothing is written)
and turns a file changed on disk since the draft was taken into a conflict for the user to
resolve.

Example::

    state.tabs = session_tabs(window, drafts, secret_values(window))
    ...                                           # next start, after the window restored its tabs
    restored = await restore_tabs(controller, state)   # .count drafts, .message()
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import fields_to_reenter, mask_template
from guiapp.core.serialize import spec_from_dict, spec_to_dict
from guiapp.ui.reenter_marks import mark_reenter
from guiapp.ui.workspace.draft_secrets import keys_of, restore_slots
from guiapp.ui.workspace.drafts import Drafts, tab_name
from guiapp.ui.workspace.state import WorkspaceState

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.request_tab import RequestTab
    from guiapp.ui.workspace.controller import WorkspaceController
    from guiapp.ui.workspace.ids import IdTracker

__all__ = ["RestoredDrafts", "digest", "restore_tabs", "session_tabs"]

_log = logging.getLogger(__name__)


def digest(spec: RequestSpec) -> str:
    """A short fingerprint of ``spec`` (tells whether a file changed, reveals nothing).

    >>> digest(RequestSpec(url="http://h/")) == digest(RequestSpec(url="http://h/"))
    True
    """
    text = json.dumps(spec_to_dict(spec), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def session_tabs(window: MainWindow, drafts: Drafts, secrets: set[str]) -> list[dict[str, Any]]:
    """One entry per tab bound to a saved request, with its draft if it holds one. The
    draft's secrets are masked; where each comes back from is recorded with it
    (:mod:`~guiapp.ui.workspace.draft_secrets`: the saved file, or the keyring)."""
    entries: list[dict[str, Any]] = []
    for index, tab in enumerate(window.request_tabs()):
        col, rid = drafts.collection_of(tab), drafts.request_id(tab)
        if col is None or rid is None:
            continue
        entry: dict[str, Any] = {"index": index, "collection": str(col.root), "request": rid}
        if drafts.is_dirty(tab):
            try:
                draft = tab.editor.to_spec()
                masked = mask_template(draft, secrets)
                entry["draft"] = spec_to_dict(masked)
            except Exception:  # a half-typed draft that cannot form a spec: the tab keeps it
                _log.exception("could not keep the draft of %s", rid)
                continue
            base = drafts.conflict(tab) or drafts.disk_spec(tab)
            if drafts.conflict(tab) is None and base is not None:
                entry["base"] = digest(base)
            if masked != draft:
                # The base can give back untouched values only if it is known at restore.
                saved = drafts.saved_spec(tab) if "base" in entry else None
                slots, key = drafts.kept_secrets.keep(col, rid, draft, masked, saved)
                entry["secrets"] = slots
                if key is not None:
                    entry["keyring"] = key
        entries.append(entry)
    return entries


@dataclass
class RestoredDrafts:
    """What :func:`restore_tabs` brought back: how many drafts, and the secrets that could not
    be put back (one sentence per tab, naming the fields and why)."""

    count: int = 0
    notes: list[str] = field(default_factory=list)

    def message(self) -> str:
        """The notice for the status line ("" when there was no draft)."""
        if not self.count:
            return ""
        kept = "draft was" if self.count == 1 else "drafts were"
        text = f"{self.count} unsaved {kept} kept from the last session"
        return text + ("; " + "; ".join(self.notes) if self.notes else "")


async def restore_tabs(controller: WorkspaceController, state: WorkspaceState) -> RestoredDrafts:
    """Bind the window's restored tabs to their files again, with their drafts (their
    secrets put back); returns what came back. A tab whose file is gone stays open as a
    scratch tab (its text, draft included, is not lost)."""
    window, drafts = controller.window, controller.drafts
    keeper = drafts.kept_secrets
    keeper.forget_on_start(keys_of(state.tabs))  # deleted once no draft uses them
    tabs = window.request_tabs()
    # The window restored the same tabs (``--demo`` may have added examples after them).
    same_tabs = 0 < state.tab_count <= len(tabs)
    restored = RestoredDrafts()
    for entry in state.tabs:
        col = await controller.collection_at(str(entry.get("collection", "")))
        rid = entry.get("request")
        if col is None or not isinstance(rid, str):
            continue
        tracker = drafts.tracker(col)

        def load(
            c: Collection, r: str = rid, t: IdTracker = tracker
        ) -> tuple[RequestSpec, int, str]:
            return c.load_request(r), t.latest, c.request_name(r)

        try:
            disk, seq, name = await controller.service.call(load, col)
        except Exception as exc:
            _log.warning("not restoring %s: %s", rid, exc)
            continue
        draft = _draft(entry)
        key = entry.get("keyring")
        kept = await controller.service.run(keeper.values, key) if isinstance(key, str) else {}
        index = entry.get("index")
        if same_tabs and isinstance(index, int) and 0 <= index < len(tabs):
            tab = tabs[index]
        else:
            tab = window.open_tab(draft or disk)
        base = entry.get("base")
        base_same = isinstance(base, str) and base == digest(disk)
        slots = entry.get("secrets")
        problems = _bind(drafts, tab, (rid, name), seq, col, disk, draft, slots, kept, base_same)
        if draft is not None:
            restored.count += 1
            if problems:
                restored.notes.append(_note(drafts, tab, problems, keeper.lost_reason()))
            if isinstance(base, str) and not base_same:
                drafts.set_conflict(tab, disk)  # changed on disk while the app was closed
    return restored


def _note(drafts: Drafts, tab: RequestTab, problems: set[str], reason: str) -> str:
    fields = fields_to_reenter(tab.editor.to_spec()) or ["secret"]
    names = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
    name = tab_name(drafts, tab)
    why = []
    if "lost" in problems:
        why.append(f"the secret you typed could not be kept ({reason})")
    if "changed" in problems:
        why.append("its saved file changed since, so the saved value was not taken")
    return f"re-enter the {names} of “{name}” (marked ***): " + " and ".join(why)


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
    request: tuple[str, str],
    seq: int,
    col: Collection,
    disk: RequestSpec,
    draft: RequestSpec | None,
    slots: object,
    kept: dict[int, str],
    base_same: bool,
) -> set[str]:
    editor = tab.editor
    editor.load_spec(disk)
    saved = editor.to_spec()  # the file's version in the editor's form
    problems: set[str] = set()
    if draft is not None:
        draft, problems = restore_slots(draft, slots, saved, kept, base_same=base_same)
        editor.load_spec(draft)
        mark_reenter(editor)  # a secret that could not be put back (***) is typed again
    rid, name = request
    drafts.bind(tab, rid, seq, col, disk=disk, saved=saved, name=name)
    return problems
