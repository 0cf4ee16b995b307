"""guiapp: a PySide6 desktop API client that never freezes, and the offloading library under it."""

__version__ = "0.1.0"
