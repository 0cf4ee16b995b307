"""The one exception every importer raises for a document it cannot (or will not) import."""

from __future__ import annotations

__all__ = ["ImportFailed"]


class ImportFailed(ValueError):
    """The source could not be imported; the message says what is wrong with it."""
