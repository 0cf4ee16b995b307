"""The drag-and-drop payload of the collection tree: which ids a drag carries, where they land.

Ids are paths inside one collection, so a payload is only meaningful to the model that made it:
each carries that model's token, and :func:`decode_ids` refuses any other (another window's
drag, a collection shown earlier, a malformed payload).

Example::

    data = encode_ids(token, ["api/users.json", "api/admin"])
    decode_ids(data, token)                  # ["api/users.json", "api/admin"]
    decode_ids(data, "another-token")        # None
    can_move(["api/admin"], "api/admin/v2")  # False: not into itself
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

__all__ = ["MIME_TYPE", "can_move", "decode_ids", "encode_ids", "moved_ids"]

MIME_TYPE = "application/x-guiapp-collection-ids"


def encode_ids(token: str, ids: list[str]) -> QMimeData:
    """A drag payload carrying ``ids`` for the model identified by ``token``."""
    data = QMimeData()
    data.setData(MIME_TYPE, json.dumps({"source": token, "ids": ids}).encode())
    return data


def decode_ids(data: QMimeData, token: str) -> list[str] | None:
    """The ids ``data`` carries if it was made with ``token``; None for anything else."""
    if not data.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("source") != token:
        return None
    ids = payload.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        return None
    return ids


def moved_ids(ids: list[str], target: str) -> list[str]:
    """The ``ids`` a drop on the folder ``target`` would move (those not already in it)."""
    return [i for i in ids if i.rpartition("/")[0] != target]


def can_move(ids: list[str], target: str) -> bool:
    """True if dropping ``ids`` on the folder ``target`` moves something and is allowed."""
    # A folder cannot go into itself or below itself.
    if any(target == i or target.startswith(i + "/") for i in ids):
        return False
    # Dropping items where they already are moves nothing: say so with the "no" cursor.
    return bool(moved_ids(ids, target))
