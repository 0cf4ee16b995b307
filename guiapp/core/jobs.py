"""The job hooks, under their historical name: an alias of :mod:`guiapp.offload.jobs`.

The hooks live at the bottom of :mod:`guiapp.offload` so that the offload library imports
nothing from the app; the transport and the rest of ``guiapp.core`` use them from there.

>>> from guiapp.core.jobs import checkpoint
>>> from guiapp.offload import jobs
>>> checkpoint is jobs.checkpoint
True
"""

from guiapp.offload.jobs import (
    Cancelled,
    CancelRegistration,
    ItemSink,
    JobControl,
    Progress,
    bind_job,
    checkpoint,
    current_job,
    emit,
    emit_many,
    on_cancel,
    report_progress,
)

__all__ = [
    "CancelRegistration",
    "Cancelled",
    "ItemSink",
    "JobControl",
    "Progress",
    "bind_job",
    "checkpoint",
    "current_job",
    "emit",
    "emit_many",
    "on_cancel",
    "report_progress",
]
