"""Composition root: build the main window and its collaborators; run the app.

``create_window`` wires everything without running an event loop (tests build it with qtbot);
``main`` adds the QApplication, the qasync loop and an orderly exit.

Example::

    window = create_window(tmp_path)            # first run in tmp_path: demo server + examples
    window.show()

    $ guiapp --demo                              # or: python -m guiapp --data-dir /tmp/g
    $ guiapp --install-desktop-entry             # launcher, icons, metainfo for this user

Exit codes of ``main``: 0 done, 1 another instance owns the data directory and did not answer,
2 an unusable data or log directory (or the desktop entry could not be written). The ``guiapp``
command (:mod:`guiapp.cli`) checks first that a window can open at all (exit code 3).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import qasync
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from guiapp import __version__
from guiapp.core.app_dirs import default_data_dir
from guiapp.core.curl import parse_curl
from guiapp.core.history import HistoryStore
from guiapp.core.private_files import ensure_private_dir, make_private_tree
from guiapp.core.response import sweep_stale_spool_files
from guiapp.core.secret_files import secret_store_for
from guiapp.desktop.entry import APP_ID, install_desktop_entry
from guiapp.desktop.icon import app_icon
from guiapp.desktop.logs import LogFiles, default_log_dir, start_logging
from guiapp.offload.qt import (
    GuiThreadGarbageCollector,
    set_slot_error_handler,
    shutdown_qthreads,
)
from guiapp.ui.context import AppContext, session_send
from guiapp.ui.cookie_keeper import COOKIE_FILE, install_cookies
from guiapp.ui.demo_launcher import start_demo, tabs_use_demo
from guiapp.ui.error_dialog import ErrorReporter
from guiapp.ui.exit_signals import ExitSignals
from guiapp.ui.history_model import AsyncHistory
from guiapp.ui.history_panel import HistoryPanel
from guiapp.ui.history_recorder import HistoryRecorder
from guiapp.ui.history_restore import HistoryRestorer
from guiapp.ui.lab import install_lab
from guiapp.ui.main_window import MainWindow
from guiapp.ui.response_checks import bind_runtime, install_response_checks
from guiapp.ui.response_panel import ResponsePanel
from guiapp.ui.runner import install_runner
from guiapp.ui.sent_secrets import capturing_resolver, sent_context
from guiapp.ui.services import Services
from guiapp.ui.single_instance import SingleInstance
from guiapp.ui.state_files import report as report_set_aside
from guiapp.ui.state_files import set_aside_unreadable
from guiapp.ui.window_state import WindowState
from guiapp.ui.workspace import WorkspaceController

__all__ = ["create_window", "default_data_dir", "main"]

_log = logging.getLogger("guiapp")
SETTINGS_FILE = "settings.ini"
HISTORY_FILE = "history.sqlite3"


def create_window(
    data_dir: Path | None = None, *, demo: bool = False, workspace: bool = False
) -> MainWindow:
    """Build the main window (no event loop is run here).

    ``data_dir`` holds settings.ini, the history database and cookies.json (default:
    :func:`default_data_dir`).
    With ``demo=True``, or on a first run (no settings yet), the demo API starts (in its own
    process, on port 8765 or the one remembered) and its example requests are added to the
    tabs; a later launch restarts it whenever a restored tab points at it.
    ``window.demo_server`` is then set and stopped on shutdown (:mod:`guiapp.ui.demo_launcher`).
    ``workspace=True`` attaches the collections sidebar and environments
    (:class:`~guiapp.ui.workspace.WorkspaceController`, then ``window.workspace``); ``main``
    does, tests attach their own.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    # 0700/0600, and unreadable state files renamed *.corrupt-<time> before anything opens them.
    set_aside = set_aside_unreadable(data_dir)
    first_run = not (data_dir / SETTINGS_FILE).exists()
    services = Services()
    state = WindowState(data_dir / SETTINGS_FILE)
    context = AppContext(
        services,
        session_send(services),  # one session: cookies kept, connections reused
        data_dir=data_dir,
        window_state=state,
        # the OS keyring, or the user's explicit choice
        secrets=secret_store_for(data_dir) if workspace else None,
    )
    store = HistoryStore(data_dir / HISTORY_FILE)
    history_panel = HistoryPanel(AsyncHistory(store, services.lane))
    window = MainWindow(
        context=context,
        response_panel=ResponsePanel(services.processes),
        history_panel=history_panel,
        curl_parser=parse_curl,
    )
    window.setWindowIcon(app_icon())
    recorder = HistoryRecorder(
        store, services.lane, window, context=lambda spec: sent_context(window, spec)
    )
    window.history = recorder
    window.exchangeFinished.connect(recorder.record)
    recorder.recorded.connect(history_panel.entry_added)
    # A failed background action on the history says so in the status line (and the log).
    recorder.recordFailed.connect(lambda text: window.show_message(text, "error"))
    history_panel.actionFailed.connect(lambda text: window.show_message(text, "error"))
    # A restore opens a new tab unless the current one is blank: it never overwrites work.
    history_panel.entryRestored.connect(HistoryRestorer(window).restore)
    # The first page loads once the event loop runs (store calls need the running loop).
    QTimer.singleShot(0, history_panel.refresh)

    state.restore(window)
    if demo or first_run or tabs_use_demo(window, state.settings):
        start_demo(window, state.settings, add_examples=demo or first_run)
    window.aboutToSave.connect(lambda: state.save(window))
    window.aboutToSave.connect(recorder.close)
    # Files written during the run (by other parts too) end readable by the user only.
    window.shutDown.connect(lambda: make_private_tree(data_dir))
    window.lab = install_lab(window)  # View → Responsiveness Lab
    install_cookies(window, data_dir / COOKIE_FILE)  # shared session, View → Cookies…
    install_runner(window)  # Run → Run Collection… / Run Folder…
    checks = install_response_checks(window)  # Tests tab results, captures → runtime variables
    if set_aside:
        window.show_message(report_set_aside(set_aside), "error")
    if context.secrets is not None:
        controller = WorkspaceController(window, data_dir, secrets=context.secrets).attach()
        window.workspace = controller
        controller.open_demo_on_start = demo or first_run  # the read-only Demo API
        bind_runtime(checks, controller.environments)
        # History masks the secrets in effect when each request was resolved, too.
        window.set_request_resolver(capturing_resolver(window, controller.resolve))
    return window


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="guiapp", description="A desktop HTTP API client.")
    parser.add_argument("--version", action="version", version=f"guiapp {__version__}")
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add guiapp to the desktop's application menu (Linux: launcher, icons, metainfo "
        "in the user's XDG data directory) and exit",
    )
    parser.add_argument(
        "--demo", action="store_true", help="start the demo API and add its example requests"
    )
    parser.add_argument("--data-dir", type=Path, help="where settings and history live")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, hard_exit: bool = True) -> int:
    """Run the app; returns the process exit code (only with ``hard_exit=False``).

    With ``hard_exit`` (the default for the ``guiapp`` command), once the orderly teardown is
    done (settings saved, requests cancelled, executors, QThreads and the loop closed, atexit
    handlers run, streams flushed) the process ends with ``os._exit``: the interpreter's own
    finalization, tearing down hundreds of modules and Qt wrappers, took 0.3-1.2 s here and is
    where PySide/qasync teardown crashes happen (qasync #154). Nothing is left to clean up by then.
    """
    args = _parse_args(argv)
    if args.install_desktop_entry:
        return _install_desktop_entry()
    existing = QApplication.instance()
    # Before the app exists: Wayland takes the window's app ID from it (the launcher match).
    QGuiApplication.setDesktopFileName(APP_ID)
    app = existing or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("guiapp")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("guiapp")
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    # Cyclic GC only on the GUI thread: a collection that happens to run in a worker thread
    # must never destroy Qt objects there.
    collector = GuiThreadGarbageCollector(app)
    # Large response bodies spooled by a process that crashed are deleted; this one's are
    # deleted as each response is closed or dropped.
    sweep_stale_spool_files()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    data_dir = args.data_dir if args.data_dir is not None else default_data_dir()
    try:
        ensure_private_dir(data_dir)
        instance = SingleInstance(data_dir)
        if not instance.acquire():  # another instance owns this data dir: hand over, write nothing
            message = instance.hand_over()
            print(f"guiapp: {message}", file=sys.stdout if instance.handed_over else sys.stderr)
            loop.close()
            asyncio.set_event_loop(None)
            return _finish(0 if instance.handed_over else 1, hard_exit)
        log_dir = default_log_dir(args.data_dir)
        try:
            logs = start_logging(log_dir)
        except OSError as exc:
            instance.release()
            print(f"guiapp: cannot write the log folder {log_dir}: {exc}", file=sys.stderr)
            loop.close()
            asyncio.set_event_loop(None)
            return 2
        _log.info("guiapp %s started, data in %s", __version__, data_dir)
        window = create_window(data_dir, demo=args.demo, workspace=True)
    except OSError as exc:  # an unusable --data-dir: say so, no traceback
        print(f"guiapp: cannot use the data directory: {exc}", file=sys.stderr)
        loop.close()
        asyncio.set_event_loop(None)
        return 2
    if logs.previous_crash is not None:
        window.show_message(
            f"guiapp stopped unexpectedly last time; the crash report is {logs.previous_crash}",
            "error",
        )
    # SIGTERM / Ctrl+C close the window in order; installed before the app serves later
    # launches, which is when a supervisor (or a test) sees it as started and may signal it.
    exits = ExitSignals(window)
    instance.serve(window)  # later launches on this data dir bring this window to the front
    # Start-up objects (modules, Qt wrappers, the window) live as long as the app: move them out
    # of the collector's way, so a full collection scans only what came since (150-250 ms for
    # ~120k objects here otherwise, on the GUI thread).
    gc.freeze()
    reporter = ErrorReporter(window, logs.directory)  # a dialog offering the report
    set_slot_error_handler(reporter.report)
    previous_hook = sys.excepthook
    sys.excepthook = _reporting_excepthook(reporter.report)
    # Closing the main window ends the app even if a secondary window (the Lab) is open.
    window.shutDown.connect(app.quit)
    window.show()

    try:
        loop.run_forever()  # returns when the last window closes (QApplication quits)
    finally:
        # Fixed teardown order (qasync #154): window services, tasks, QThreads, loop, app.
        window.shutdown()
        exits.uninstall()
        _cancel_leftover_tasks(loop)
        shutdown_qthreads(0.5)
        loop.close()
        asyncio.set_event_loop(None)
        sys.excepthook = previous_hook
        set_slot_error_handler(None)
        window.deleteLater()
        app.processEvents()
        collector.uninstall()
        instance.release()
        _log.info("guiapp closed")
        _close_logs(logs, hard_exit)
    return _finish(0, hard_exit)


def _finish(code: int, hard_exit: bool) -> int:
    if hard_exit:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    import atexit

    atexit._run_exitfuncs()  # what a normal exit would run: logging, multiprocessing, QThreads
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):  # None under pythonw (guiapp-gui on Windows)
        if stream is not None:
            stream.flush()
    os._exit(code)


def _close_logs(logs: LogFiles, hard_exit: bool) -> None:
    if hard_exit:
        # The crash file stays armed until os._exit: atexit handlers still run after this.
        return
    logs.close()


def _install_desktop_entry() -> int:
    if sys.platform in ("win32", "darwin"):
        print(
            "guiapp: --install-desktop-entry is for Linux and other freedesktop systems; "
            "on Windows, guiapp-gui starts the app without a console window",
            file=sys.stderr,
        )
        return 2
    try:
        written = install_desktop_entry()
    except OSError as exc:
        print(f"guiapp: cannot install the desktop entry: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def _reporting_excepthook(
    report: Callable[[BaseException], None],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        # No traceback for the user: the error dialog offers the report, the log keeps it.
        if isinstance(exc, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        report(exc)

    return hook


def _cancel_leftover_tasks(loop: asyncio.AbstractEventLoop, timeout: float = 0.5) -> None:
    """Cancel the loop's unfinished tasks and give them ``timeout`` s to end; never raises.

    A task that outlives the timeout is left (and logged): the rest of the teardown must run.
    """
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if not pending:
        return
    try:
        _done, still = loop.run_until_complete(asyncio.wait(pending, timeout=timeout))
    except Exception:
        _log.exception("cancelling the remaining tasks failed")
        return
    if still:
        _log.warning("%d task(s) still running at exit: %s", len(still), sorted(map(repr, still)))


if __name__ == "__main__":
    raise SystemExit(main())
