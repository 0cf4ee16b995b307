"""The ``guiapp`` command: ``guiapp run ...`` runs a collection headless; anything else opens the
desktop app.

The dispatch happens before Qt is imported, so ``guiapp run`` works on a CI machine without a
display or Qt's system libraries.

Example::

    $ guiapp                                   # the desktop app
    $ guiapp --version                         # "guiapp 0.1.0", without loading Qt
    $ guiapp run ./my-api --env Staging --junit report.xml

``guiapp-gui`` is the same command installed as a GUI script: on Windows it starts without a
console window (``sys.stdout`` and ``sys.stderr`` are None there, and nothing may assume them).
"""

from __future__ import annotations

import sys

__all__ = ["QUICK_EXITS", "main"]

#: Options that do their job and exit without a window: no display needed.
QUICK_EXITS = frozenset({"-h", "--help", "--install-desktop-entry"})


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``guiapp`` command; returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] == "run":
        from guiapp.cli.run import run_command

        return run_command(args[1:])
    if args == ["--version"]:  # answered before Qt loads: works without Qt's system libraries
        from guiapp import __version__

        print(f"guiapp {__version__}")
        return 0
    if QUICK_EXITS.isdisjoint(args):
        # Before Qt loads: a missing library or display is one line, not Qt's abort.
        from guiapp.desktop.display import NO_DISPLAY_EXIT, display_problem

        problem = display_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return NO_DISPLAY_EXIT
    from guiapp.app import main as app_main

    return app_main(args)
