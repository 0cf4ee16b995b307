"""Run one import in a separate process with a time and memory budget.

A hostile document must not take the app down with it: the import runs in a fresh ``spawn``
process (never ``fork``: the parent runs Qt) whose address space is capped with
``RLIMIT_AS`` (Linux and other POSIX systems), and which is killed when it runs past its time
limit. Whatever stops it, the message names the limit, and the staging folder it was building
is removed: nothing is left at the destination.

The worker stages secret values in memory; they come back over the pipe (never through a file)
and are written to the caller's secret store once the collection is in place.

Example::

    result = run_import(Path("shop.postman_collection.json"), Path("collections/shop"),
                        secrets=SecretStore(), limits=ImportLimits(time_limit_s=30))
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from guiapp.core.collections import Collection
from guiapp.core.importers._common import ImportResult
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.importers._limits import DEFAULT_LIMITS, ImportLimits
from guiapp.core.importers._staging import remove_staging, reopen
from guiapp.core.importers.openapi import import_openapi
from guiapp.core.importers.postman import import_postman
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import Environment

__all__ = ["import_any", "run_import"]


def import_any(
    source: Path, dest: Path, *, secrets: SecretStore | None = None, limits: ImportLimits
) -> ImportResult:
    """Import ``source`` as OpenAPI 3 or as a Postman collection, whichever it is (recognised
    from the content, not the file name)."""
    try:
        return import_openapi(source, dest, secrets=secrets, limits=limits)
    except ImportFailed as openapi_error:
        if "not an OpenAPI 3 document" not in str(openapi_error):
            raise
    try:
        return import_postman(source, dest, secrets=secrets, limits=limits)
    except ImportFailed as postman_error:
        if "not a Postman collection" in str(postman_error):
            raise ImportFailed(
                f"{source.name} is neither a Postman collection (v2.1) nor an OpenAPI 3 document"
            ) from None
        raise


@dataclass(frozen=True)
class _Outcome:
    """What the worker sends back: plain data, secret values included (over the pipe only)."""

    request_ids: list[str]
    warnings: list[str]
    environments: list[Environment]
    collection_variables: Environment | None


def run_import(
    source: Path,
    dest: Path,
    *,
    secrets: SecretStore | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import ``source`` into ``dest`` in a worker process (blocks until it is done).

    Raises :class:`ImportFailed` for a bad document, a limit reached (time, memory or any of
    ``limits``) or a worker that died; ``dest`` is then untouched.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_worker,
        args=(sender, str(source), str(dest), limits),
        name="guiapp-import",
        daemon=True,
    )
    process.start()
    sender.close()  # else the parent never sees EOF when the worker dies
    try:
        message: tuple[str, Any] | None = None
        if receiver.poll(limits.time_limit_s):
            try:
                message = receiver.recv()
            except EOFError:
                message = None
        else:
            process.kill()
            raise ImportFailed(
                f"the import of {source.name} took longer than {limits.time_limit_s:g} s and "
                "was stopped (setting: import/time_limit_s)"
            )
        process.join(5.0)
        if message is None:
            raise ImportFailed(
                f"the import of {source.name} stopped unexpectedly (worker exit code "
                f"{process.exitcode}; the usual cause is its memory limit of "
                f"{limits.memory_limit_bytes // (1024 * 1024)} MB, setting: "
                "import/memory_limit_mb); nothing was imported"
            )
    except BaseException:
        if process.is_alive():
            process.kill()
        process.join(5.0)
        remove_staging(dest)
        raise
    finally:
        receiver.close()
    kind, payload = message
    if kind != "ok":
        raise ImportFailed(str(payload))
    assert isinstance(payload, _Outcome)
    result = ImportResult(
        Collection.open(dest, secrets=secrets),
        environments=payload.environments,
        collection_variables=payload.collection_variables,
        request_ids=payload.request_ids,
        warnings=payload.warnings,
    )
    return reopen(result, dest, secrets)


def _limit_memory(budget: int) -> None:
    """Cap the address space at what the worker uses now plus ``budget`` bytes."""
    try:
        import resource
    except ImportError:  # Windows: the time limit still applies
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 0
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = used + budget
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _worker(conn: Connection, source: str, dest: str, limits: ImportLimits) -> None:
    _limit_memory(limits.memory_limit_bytes)
    staged = SecretStore(service="guiapp-import-worker", backend=MemoryKeyring())
    message: tuple[str, Any]
    try:
        result = import_any(Path(source), Path(dest), secrets=staged, limits=limits)
        message = (
            "ok",
            _Outcome(
                result.request_ids,
                result.warnings,
                result.environments,
                result.collection_variables,
            ),
        )
    except ImportFailed as exc:
        message = ("failed", str(exc))
    except MemoryError:
        message = (
            "failed",
            f"the import of {Path(source).name} needed more than "
            f"{limits.memory_limit_bytes // (1024 * 1024)} MB of memory and was stopped "
            "(setting: import/memory_limit_mb)",
        )
    except RecursionError:
        message = ("failed", f"{Path(source).name} is nested too deeply to import")
    except Exception as exc:  # a bug: say what failed, keep the details in the message
        detail = traceback.format_exception_only(exc)[-1].strip()
        message = ("failed", f"the import of {Path(source).name} failed: {detail}")
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("failed", "the import result did not fit in memory"))
    finally:
        conn.close()
