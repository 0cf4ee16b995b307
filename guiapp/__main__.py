"""``python -m guiapp`` runs the desktop app."""

from guiapp.app import main

if __name__ == "__main__":
    raise SystemExit(main())
