"""Where the app keeps its per-user data, shared by the desktop app and ``guiapp run``.

Example::

    >>> default_data_dir().name
    'guiapp'
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

__all__ = ["default_data_dir"]


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), e.g. ``~/.local/share/guiapp``."""
    return Path(user_data_dir("guiapp", appauthor=False))
