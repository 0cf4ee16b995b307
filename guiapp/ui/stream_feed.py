"""Where the items of a started request go, whatever strategy runs it.

The asyncio executor's :class:`~guiapp.offload.Job` hands batches to its items callbacks, the
QThread worker emits ``itemsEmitted(list)``, and the GUI-thread strategy has no live items at
all (its stream is shown from the body once it has ended). :func:`connect_items` hides the
difference from the request tab.

Example::

    run = start_request("qthread", spec, offloader=offloader, on_progress=show)
    connect_items(run, log.append)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guiapp.offload import Job
from guiapp.offload.qt import QtWorkerJob

__all__ = ["connect_items"]


def connect_items(run: object, callback: Callable[[list[Any]], object]) -> bool:
    """Call ``callback(batch)`` on the GUI thread with each batch of items ``run`` emits.

    Call it right after starting ``run`` (same event-loop turn). False if ``run`` delivers no
    items live (the GUI-thread strategy).
    """
    if isinstance(run, Job):
        run.add_items_callback(callback)
        return True
    if isinstance(run, QtWorkerJob):
        run.itemsEmitted.connect(callback)
        return True
    return False
