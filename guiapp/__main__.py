"""``python -m guiapp`` is the ``guiapp`` command: the desktop app, or ``run`` (headless)."""

from guiapp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
