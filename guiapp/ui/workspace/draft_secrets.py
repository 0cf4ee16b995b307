"""The secret parts of drafts: kept across a restart, never written to ``workspace.json``.

A draft is kept in the session with every secret masked (``***``, as
:func:`~guiapp.core.secret_mask.mask_template` does). Each text the mask changed is a *slot*
(its position among the texts :func:`~guiapp.core.variables.map_spec_text` visits), and the
session records where its real value comes back from:

* ``"base"``: the user did not touch it: the value is the one of the saved file the draft was
  based on (``base_at``: its slot there). It is taken from the file at the next start, no
  keyring needed, as long as the file is still the one the draft was based on; a file changed
  meanwhile is not guessed from: the field is marked to re-enter and the user is told why.
* ``"keyring"``: the user typed it (or the file is in a conflict): the value goes to the
  workspace's secret store (the OS keyring, or the store the user chose), under
  ``"<scope>:draft/<request id>"``, with the same scope as the collection's own secrets
  (:meth:`~guiapp.core.secrets.SecretStore.scope`). With no keyring the value lasts only for
  this session, and the next start says so and marks the field: a masked ``***`` is never
  silently taken for the value.

Example::

    kept = DraftSecrets(store)
    slots, key = kept.keep(col, rid, draft, masked, base)  # into the session entry
    state.secret_ops = kept.plan()     # keyring writes, run on the lane with the state file
    ...                                # next start
    spec, problems = restore_slots(masked, slots, saved, kept.values(key), base_same=True)
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.secrets import SecretStore
from guiapp.core.variables import map_spec_text

__all__ = ["DraftSecrets", "KeyringOps", "keys_of", "restore_slots", "texts", "with_texts"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyringOps:
    """Store writes for the drafts' secrets, run with the state file on the lane: ``sets``
    before the file is written (it refers to them), ``deletes`` after."""

    store: SecretStore
    sets: tuple[tuple[str, str], ...]
    deletes: tuple[str, ...]

    def store_values(self) -> None:
        """Write the values (blocks). A failing store loses only these values: the next
        start says so."""
        for key, value in self.sets:
            try:
                self.store.set(key, value)
            except Exception:
                _log.exception("could not keep the secrets of a draft")

    def delete_old(self) -> None:
        """Delete the entries no draft uses any more (blocks)."""
        for key in self.deletes:
            try:
                self.store.delete(key)
            except Exception:
                _log.exception("could not delete the secrets of a draft")


def texts(spec: RequestSpec) -> list[str]:
    """Every text of ``spec`` that masking may change, in a fixed order (its slots).

    >>> texts(RequestSpec(url="http://h/", headers=[("A", "b")]))
    ['http://h/', 'A', 'b']
    """
    found: list[str] = []

    def record(text: str) -> str:
        found.append(text)
        return text

    map_spec_text(spec, record)
    return found


def with_texts(spec: RequestSpec, values: Mapping[int, str]) -> RequestSpec:
    """``spec`` with the texts at the given slots replaced.

    >>> with_texts(RequestSpec(url="http://h/", headers=[("A", "***")]), {2: "b"}).headers
    (('A', 'b'),)
    """
    counter = itertools.count()

    def put(text: str) -> str:
        return values.get(next(counter), text)

    return map_spec_text(spec, put)


class DraftSecrets:
    """Decides, for each draft, where its masked values come back from, and keeps the ones
    the user typed in ``store``. Keyring writes are planned on the GUI thread (only what
    changed) and run on the lane with the state file (:meth:`plan`)."""

    def __init__(self, store: SecretStore) -> None:
        self.store = store
        self._written: dict[str, str] = {}  # what the store holds now, as far as we know
        self._wanted: dict[str, str] = {}  # gathered by keep() since the last plan()

    def key(self, col: Collection, request_id: str) -> str:
        """The store key of the secret values of a draft of ``request_id`` in ``col``."""
        return f"{self.store.scope(col.root)}:draft/{request_id}"

    def keep(
        self,
        col: Collection,
        request_id: str,
        draft: RequestSpec,
        masked: RequestSpec,
        base: RequestSpec | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Where each value masked in ``masked`` (the session's copy of ``draft``) comes back
        from; ``base`` is the saved file's version (editor form), None when it cannot be
        relied on (an open conflict). Returns the slots and the store key (None if unused)."""
        clear, hidden = texts(draft), texts(masked)
        if len(clear) != len(hidden):  # cannot happen: masking maps text to text
            _log.warning("the secrets of the draft of %s cannot be kept", request_id)
            return [], None
        base_texts = texts(base) if base is not None else []
        slots: list[dict[str, Any]] = []
        typed: dict[str, str] = {}
        for at, (value, shown) in enumerate(zip(clear, hidden, strict=True)):
            if value == shown:
                continue
            same = _slot_of(value, at, base_texts)
            if same is not None:
                slots.append({"at": at, "kept": "base", "base_at": same})
            else:
                slots.append({"at": at, "kept": "keyring"})
                typed[str(at)] = value
        if not typed:
            return slots, None
        key = self.key(col, request_id)
        self._wanted[key] = json.dumps(typed, sort_keys=True)
        return slots, key

    def plan(self) -> KeyringOps | None:
        """The store writes that bring it to the drafts gathered since the last call (nothing
        for values already there; entries of drafts that are gone are deleted); None if there
        is nothing to do."""
        wanted, self._wanted = self._wanted, {}
        sets = tuple((k, v) for k, v in wanted.items() if self._written.get(k) != v)
        deletes = tuple(k for k in self._written if k not in wanted)
        self._written = wanted
        return KeyringOps(self.store, sets, deletes) if sets or deletes else None

    def forget_on_start(self, keys: list[str]) -> None:
        """The previous run's entries (read back at start): deleted by the next
        :meth:`plan` unless a draft still uses them."""
        for key in keys:
            self._written.setdefault(key, "")

    def values(self, key: str) -> dict[int, str]:
        """The values kept under ``key`` by a previous run (blocks: call it on the lane)."""
        raw = self.store.get(key)
        if not raw:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:
            _log.warning("ignoring an unreadable keyring entry for a draft")
            return {}
        if not isinstance(data, dict):
            return {}
        return {int(k): v for k, v in data.items() if str(k).isdigit() and isinstance(v, str)}

    def lost_reason(self) -> str:
        """Why values typed in a draft may not have been kept, for the user."""
        reason = self.store.unavailable_reason
        if reason:
            return reason
        if self.store.storage == "session":
            return "secrets are kept for one session only (your choice)"
        return "the keyring no longer holds it"


def restore_slots(
    masked: RequestSpec,
    slots: object,
    saved: RequestSpec,
    kept: Mapping[int, str],
    *,
    base_same: bool,
) -> tuple[RequestSpec, set[str]]:
    """``masked`` with its secrets put back: from ``saved`` (the file's version, editor form)
    where the user had not changed them and the file is the one the draft was based on
    (``base_same``), from ``kept`` (the store) where the user typed them. Returns the spec and
    why some stayed masked (``"changed"``: the file changed meanwhile; ``"lost"``: not in the
    store)."""
    if not isinstance(slots, list):
        return masked, set()
    base_texts = texts(saved)
    values: dict[int, str] = {}
    problems: set[str] = set()
    for slot in slots:
        at = slot.get("at") if isinstance(slot, dict) else None
        if not isinstance(at, int):
            continue
        if slot.get("kept") == "base":
            base_at = slot.get("base_at")
            if base_same and isinstance(base_at, int) and 0 <= base_at < len(base_texts):
                values[at] = base_texts[base_at]
            else:
                problems.add("changed")
        elif at in kept:
            values[at] = kept[at]
        else:
            problems.add("lost")
    return (with_texts(masked, values) if values else masked), problems


def _slot_of(value: str, at: int, base_texts: list[str]) -> int | None:
    # The same slot first; else where the value is in the file (a row moved up or down).
    if at < len(base_texts) and base_texts[at] == value:
        return at
    for index, text in enumerate(base_texts):
        if text == value:
            return index
    return None


def keys_of(entries: list[dict[str, Any]]) -> list[str]:
    """The store keys the session entries refer to."""
    return [k for e in entries if isinstance(k := e.get("keyring"), str)]
