"""``guiapp run``: run a collection (or a folder of it) headless, for CI.

Exit codes: 0 when every request was sent and every check passed (a request without checks is
neither a pass nor a failure), 1 when any check or request failed, 2 for usage errors (a bad
path, an unknown environment or folder, an unreadable data file: one line on stderr, no
traceback), 130 when interrupted with Ctrl+C (SIGINT) and 143 when stopped with SIGTERM (what CI
systems send on a timeout): either cancels the run and still writes the reports, the requests
in flight marked cancelled and the rest not run.

Variables: the collection's variables, overridden by the environment (``--env``), overridden
by environment variables ``GUIAPP_VAR_<NAME>`` (how CI passes secrets when no keyring is
available), overridden by the data file's row, overridden by values captured during the run.

Example::

    $ guiapp run ./my-api --env CI --concurrency 8 --junit junit.xml --json run.json
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TextIO

from guiapp.core.app_dirs import default_data_dir
from guiapp.core.collections import Collection, CollectionError
from guiapp.core.secret_files import INSTALL_KEY_FILE, secret_store_for
from guiapp.core.secrets import SecretStore
from guiapp.core.transport import make_session, send
from guiapp.core.variables import Environment
from guiapp.offload import Offloader
from guiapp.runner.engine import CollectionRun, RunOptions, RunSummary
from guiapp.runner.plan import PlannedRequest, RunSetupError, load_data_file, plan_collection
from guiapp.runner.progress import RunDisplay
from guiapp.runner.reports import write_json, write_junit

__all__ = ["ENV_PREFIX", "build_parser", "run_command"]

#: ``GUIAPP_VAR_token=...`` sets ``{{token}}`` for the run.
ENV_PREFIX = "GUIAPP_VAR_"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: The exit code after a signal cancelled the run: 128 + its number, as a shell reports it.
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
_STOP_SIGNALS = {signal.SIGINT: EXIT_INTERRUPTED, signal.SIGTERM: EXIT_TERMINATED}


class UsageError(Exception):
    """A problem with the command line or its files: exit 2 with one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guiapp run",
        description="Run the requests of a collection, check the responses, write reports.",
    )
    parser.add_argument("path", type=Path, help="the collection folder (holds collection.toml)")
    parser.add_argument("--env", metavar="NAME", help="the environment to use")
    parser.add_argument("--folder", metavar="REL", default="", help="run only this folder")
    parser.add_argument("--iterations", type=_positive, metavar="K", help="how many times")
    parser.add_argument(
        "--data", type=Path, metavar="FILE", help="CSV or JSON rows, one per iteration"
    )
    parser.add_argument(
        "--concurrency",
        type=_positive,
        default=1,
        metavar="N",
        help="independent requests in flight at once (default 1)",
    )
    parser.add_argument(
        "--delay-ms", type=_non_negative, default=0, metavar="MS", help="pause between requests"
    )
    parser.add_argument("--bail", action="store_true", help="stop after the first failure")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    parser.add_argument(
        "--timeout-ms",
        type=_positive,
        metavar="MS",
        help="per-request timeout (overrides each request's own)",
    )
    parser.add_argument("--insecure", action="store_true", help="skip TLS certificate checks")
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="PATH",
        help="the app's data directory, for secrets kept by the app (default: the app's own)",
    )
    return parser


def _positive(text: str) -> int:
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _non_negative(text: str) -> int:
    value = _integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def run_command(argv: list[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Parse ``argv`` (the words after ``run``), run, report; return the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage line and the problem
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        setup = _setup(args, err)
    except (UsageError, RunSetupError) as exc:
        print(f"guiapp run: {exc}", file=err)
        return EXIT_USAGE
    collection, plan, variables, secrets, options = setup
    if not plan:
        print(f"guiapp run: no requests to run in {collection.name}", file=err)
        return EXIT_USAGE
    display = RunDisplay(out, total=len(plan) * options.iteration_count())
    stopped_by: list[int] = []  # the exit code of the signal that cancelled the run
    summary = asyncio.run(_run(plan, variables, secrets, options, display, stopped_by))
    display.finish(summary)
    for writer, path in ((write_junit, args.junit), (write_json, args.json)):
        if path is not None:
            try:
                writer(str(path), summary, collection.name)
            except OSError as exc:
                print(f"guiapp run: cannot write {path}: {exc}", file=err)
                return EXIT_USAGE
    if summary.cancelled:
        return stopped_by[0] if stopped_by else EXIT_INTERRUPTED
    return EXIT_OK if summary.passed else EXIT_FAILED


def _setup(
    args: argparse.Namespace, err: TextIO
) -> tuple[Collection, list[PlannedRequest], dict[str, str], set[str], RunOptions]:
    path: Path = args.path
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    folder = args.folder
    root = _collection_root(path)
    if root is None:
        raise UsageError(f"{path} is not in a collection (no collection.toml found)")
    if root != path.resolve() and not folder:
        folder = path.resolve().relative_to(root).as_posix()
    try:
        collection = Collection.open(root, secrets=_secret_store(args.data_dir))
        layers = [collection.load_variables()]
        if args.env:
            names = collection.environment_names()
            if args.env not in names:
                known = ", ".join(names) or "none"
                raise UsageError(f"unknown environment {args.env!r} (environments: {known})")
            layers.append(collection.load_environment(args.env))
    except CollectionError as exc:
        raise UsageError(str(exc)) from None
    plan = plan_collection(collection, folder)
    variables, secrets = _variables(layers, os.environ)
    _warn_empty_secrets(layers, variables, err)
    data = tuple(load_data_file(args.data)) if args.data else ()
    if args.data and not data:
        raise UsageError(f"the data file {args.data} has no rows")
    options = RunOptions(
        iterations=args.iterations,
        data=data,
        delay_ms=args.delay_ms,
        bail=args.bail,
        concurrency=args.concurrency,
        timeout_ms=args.timeout_ms,
        insecure=args.insecure,
    )
    return collection, plan, variables, secrets, options


def _secret_store(data_dir: Path | None) -> SecretStore:
    """The secrets the desktop app keeps for this user (keyring entries are bound to its
    install key); without that data directory (a CI machine), an unbound store whose lookups
    find nothing, so ``GUIAPP_VAR_<NAME>`` supplies the values. Nothing is written."""
    home = data_dir if data_dir is not None else default_data_dir()
    if (home / INSTALL_KEY_FILE).is_file():
        return secret_store_for(home)
    return SecretStore()


def _collection_root(path: Path) -> Path | None:
    current = path.resolve()
    if current.is_file():
        current = current.parent
    for candidate in (current, *current.parents):
        if (candidate / "collection.toml").is_file():
            return candidate
    return None


def _variables(
    layers: list[Environment], environ: Mapping[str, str]
) -> tuple[dict[str, str], set[str]]:
    values: dict[str, str] = {}
    secrets: set[str] = set()
    for layer in layers:
        values.update(layer.values())
        secrets |= layer.secret_values()
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :]
            values[name] = value
            if any(v.name == name and v.secret for layer in layers for v in layer.variables):
                secrets.add(value)
    return values, secrets


def _warn_empty_secrets(layers: list[Environment], values: Mapping[str, str], err: TextIO) -> None:
    for layer in layers:
        for var in layer.variables:
            if var.secret and var.enabled and not values.get(var.name):
                print(
                    f"guiapp run: warning: the secret {{{{{var.name}}}}} has no value here "
                    f"(no keyring entry); set {ENV_PREFIX}{var.name}",
                    file=err,
                )


async def _run(
    plan: list[PlannedRequest],
    variables: dict[str, str],
    secrets: set[str],
    options: RunOptions,
    display: RunDisplay,
    stopped_by: list[int],
) -> RunSummary:
    loop = asyncio.get_running_loop()
    offloader = Offloader(max_workers=max(1, options.concurrency), name="run")
    session = make_session()
    run = CollectionRun(
        plan,
        variables,
        options,
        call=lambda fn: offloader.submit(fn),
        send=partial(send, session=session),
        secrets=secrets,
    )
    installed = _install_stop_signals(loop, run, stopped_by)
    try:
        return await run.run(display.add)
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
        offloader.close(1.0)
        session.close()


def _install_stop_signals(
    loop: asyncio.AbstractEventLoop, run: CollectionRun, stopped_by: list[int]
) -> list[int]:
    """SIGINT (Ctrl+C) and SIGTERM (a CI job's timeout) cancel the run, so that the reports
    are written with what ran; returns the signals handled."""

    def stop(code: int) -> None:
        stopped_by.append(code)
        run.cancel()

    installed: list[int] = []
    for signum, code in _STOP_SIGNALS.items():
        try:
            loop.add_signal_handler(signum, stop, code)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        installed.append(signum)
    return installed
