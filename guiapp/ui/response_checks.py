"""Checks and captures of editor sends, evaluated off the GUI thread.

After every send from a request tab whose request has checks or captures (its Tests tab,
``RequestSpec.tests``), :class:`ResponseChecks` evaluates them with
:func:`~guiapp.core.request_tests.run_tests` in the window's worker *processes*, as the JSON
filter does: a check reads the body as JSON, and parsing a large body is GIL-bound work that
would stall the GUI in a thread. A spooled body goes to the worker as its file's path, never
as bytes. The results go to the response panel's Tests tab (kept per response, so switching
tabs shows each one's), and the values the captures found become runtime variables
(:class:`~guiapp.ui.runtime_variables.RuntimeVariables`) that later requests resolve with
``{{name}}``. When evaluations of two sends finish out of order, the newer send's value of a
variable wins.

:func:`install_response_checks` wires it into a main window: ``window.runtime_variables``,
``window.response_checks``, View → Runtime Variables… (``action-runtime-variables``) and
View → Clear Runtime Variables (``action-clear-runtime-variables``); :func:`bind_runtime` puts
the runtime values on top of a workspace's variable scope and adds both actions to its
environment bar's ⋯ menu.

Example::

    checks = install_response_checks(window)
    checks.evaluated.connect(lambda response, outcome: print(outcome.summary()))
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import TestOutcome, run_tests
from guiapp.core.response import Response
from guiapp.ui.background_tasks import BackgroundTasks
from guiapp.ui.body_viewer import ProcessSubmitter
from guiapp.ui.response_tests import ResponseTests
from guiapp.ui.runtime_variables import RuntimeVariables, RuntimeVariablesDialog
from guiapp.ui.sent_secrets import secret_values

if TYPE_CHECKING:
    from guiapp.ui.main_window import MainWindow
    from guiapp.ui.workspace.env_control import EnvironmentController

__all__ = ["ResponseChecks", "bind_runtime", "install_response_checks"]

_log = logging.getLogger(__name__)


class ResponseChecks(QObject):
    """Evaluates each response's checks in a worker process; applies its captures."""

    #: A response's checks and captures were evaluated: (response, TestOutcome).
    evaluated = Signal(object, object)

    def __init__(
        self,
        processes: ProcessSubmitter,
        view: ResponseTests,
        runtime: RuntimeVariables,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        #: Where checks run: the window's worker processes.
        self.processes = processes
        self._view = view
        self.runtime = runtime
        #: Secret values to mask in what the Tests tab shows (the window sets it).
        self.secret_values: Callable[[], Iterable[str]] = frozenset
        self._tasks = BackgroundTasks(lambda exc: None, "evaluating checks")
        self._sends = itertools.count(1)
        self._latest: dict[str, int] = {}  # variable -> the send that set it
        #: Show / Clear Runtime Variables (set by :func:`install_response_checks`).
        self.actions: list[QAction] = []
        self._dialog: RuntimeVariablesDialog | None = None

    def show_runtime_variables(self) -> RuntimeVariablesDialog:
        """View → Runtime Variables…: the captured values (secrets masked), one dialog."""
        if self._dialog is None:
            parent = self.parent()
            owner = parent if isinstance(parent, QWidget) else None
            self._dialog = RuntimeVariablesDialog(self.runtime, owner)
        self._dialog.show()
        self._dialog.raise_()
        return self._dialog

    def evaluate(self, spec: RequestSpec, response: Response) -> None:
        """Evaluate ``spec.tests`` on ``response`` (nothing to do without tests)."""
        tests = spec.tests
        if not tests:
            return
        count = sum(c.enabled for c in tests.checks) + sum(c.enabled for c in tests.captures)
        if not count:
            return
        self._view.expect(response, count)
        self._tasks.spawn(self._evaluate(spec, response, next(self._sends)))

    async def _evaluate(self, spec: RequestSpec, response: Response, send: int) -> None:
        assert spec.tests is not None
        try:
            outcome: TestOutcome = await self.processes.submit(run_tests, spec.tests, response)
        except Exception as exc:  # a worker that died, a spool file already gone...
            _log.warning("evaluating the checks of %s failed: %s", spec.url, exc)
            self._view.record(response, f"Could not run the checks: {exc}")
            return
        # The tab shows a copy with the secrets masked (those of the environment, earlier
        # captures, and the ones this response's secret captures found).
        self._view.record(response, outcome.masked(self.secret_values()))
        newest = [c for c in outcome.captures if send >= self._latest.get(c.capture.variable, 0)]
        for name in self.runtime.set_captured(newest, _source(spec)):
            self._latest[name] = send
        self.evaluated.emit(response, outcome)

    def pending(self) -> int:
        """How many evaluations are running."""
        return len(self._tasks)

    def close(self) -> None:
        """Stop every evaluation (the window is closing)."""
        self._tasks.cancel_all()


def _source(spec: RequestSpec) -> str:
    # Method and path only: a query may hold a secret.
    try:
        path = urlsplit(spec.url).path or "/"
    except ValueError:
        path = spec.url
    return f"{spec.method} {path}"


def bind_runtime(checks: ResponseChecks, environments: EnvironmentController) -> None:
    """Make ``checks``' runtime variables the top layer of ``environments``' scope (a
    workspace's :class:`~guiapp.ui.workspace.env_control.EnvironmentController`), now and on
    each change, and list Runtime Variables… / Clear Runtime Variables in its bar's ⋯ menu."""
    runtime = checks.runtime
    environments.set_runtime(runtime.environment())
    runtime.changed.connect(lambda: environments.set_runtime(runtime.environment()))
    menu = environments.bar.menu_button.menu()
    if menu is not None and checks.actions:
        menu.addSeparator()
        menu.addActions(checks.actions)


def install_response_checks(window: MainWindow) -> ResponseChecks:
    """Evaluate the checks of ``window``'s sends, keep their captures as runtime variables,
    mask secret values in the status line and the response summary, and add View → Runtime
    Variables… / Clear Runtime Variables."""
    runtime = RuntimeVariables(window)
    view: ResponseTests = window.response_area.display.panel.tests
    checks = ResponseChecks(window.services.processes, view, runtime, window)
    window.responseReceived.connect(checks.evaluate)
    window.runtime_variables = runtime
    window.response_checks = checks
    window.shutDown.connect(checks.close)
    # Secret values (the environment's, and captured ones) never show in the status line or the
    # response summary and request headers.
    window.response_area.secret_values = lambda: secret_values(window)
    window.response_area.display.panel.secret_values = lambda: secret_values(window)
    checks.secret_values = lambda: secret_values(window)
    show = QAction("Runtime Variables…", window)
    show.setObjectName("action-runtime-variables")
    show.setToolTip("The values captured from responses in this window (never saved)")
    show.triggered.connect(checks.show_runtime_variables)
    clear = QAction("Clear Runtime Variables", window)
    clear.setObjectName("action-clear-runtime-variables")
    clear.triggered.connect(runtime.clear)
    window.menus.view_menu.addSeparator()
    window.menus.view_menu.addAction(show)
    window.menus.view_menu.addAction(clear)
    checks.actions = [show, clear]
    return checks
