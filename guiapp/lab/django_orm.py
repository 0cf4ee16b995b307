"""Django's ORM in the Lab: a real Django project configured in code, and a legacy ETL.

The "Django ORM ETL" workload (``django_etl``) runs :func:`etl`, a function of a "large old
synchronous codebase" (a transaction that looks up a customer and writes its orders, then a
report query), through each strategy. :func:`prepare` configures Django once per process (a
sqlite file in a temporary directory, the app :mod:`guiapp.lab.django_app`, its migration
applied; every connection in WAL mode without fsync: a throwaway database) and empties the
tables before each run; :data:`TRACKER` records which threads ran queries and how many calls
overlapped, which the run's ``detail`` column reports.

Django and asgiref are an optional extra (``pip install 'guiapp[django]'``): this module
imports them only when the workload runs, and :func:`prepare` raises
:class:`DjangoUnavailable` with that advice when they are missing.

Example (no running event loop in this thread: Django refuses ORM calls in one)::

    prepare()
    print(etl(0, 10), TRACKER.summary())   # 1 call; 13 queries on 1 thread (...)
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from guiapp.offload.jobs import checkpoint

__all__ = [
    "APP",
    "INSTALL_HINT",
    "TRACKER",
    "DjangoUnavailable",
    "QueryTracker",
    "close_connection",
    "etl",
    "etl_async",
    "prepare",
]

APP = "guiapp.lab.django_app"
INSTALL_HINT = "the Django ORM ETL workload needs Django and asgiref: pip install 'guiapp[django]'"
_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
#: Set on every connection of the Lab's throwaway database, whatever the route, before any
#: query is counted: without them every commit waits for an fsync (20 ms and more on a busy
#: disk), which is what a commit-per-insert route (the async ORM) would measure instead of
#: its own cost. A lost write is harmless here: the database is emptied before each run.
_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=OFF")


class DjangoUnavailable(RuntimeError):
    """Django cannot run here: not installed, or configured by the host without our app."""


class QueryTracker:
    """Counts the ETL calls in flight and the threads that ran queries (any thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.calls = 0
            self.calls_active = 0
            self.calls_peak = 0
            self.queries = 0
            self.queries_active = 0
            self.queries_peak = 0
            self.threads: set[str] = set()
            self.failures: dict[str, int] = {}
            self.rows = 0
            self._first_start: float | None = None
            self._last_end = 0.0

    def call_started(self) -> None:
        with self._lock:
            if self._first_start is None:
                self._first_start = time.perf_counter()
            self.calls += 1
            self.calls_active += 1
            self.calls_peak = max(self.calls_peak, self.calls_active)

    def rows_written(self, rows: int) -> None:
        """A call has written ``rows`` orders (counted once the call has written them all)."""
        with self._lock:
            self.rows += rows

    def call_ended(self, error: BaseException | None = None) -> None:
        with self._lock:
            self._last_end = time.perf_counter()
            self.calls_active -= 1
            if error is not None:
                what = f"{type(error).__name__}: {error}"
                self.failures[what] = self.failures.get(what, 0) + 1

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        """A Django execute wrapper (``connection.execute_wrappers``)."""
        with self._lock:
            self.queries += 1
            self.queries_active += 1
            self.queries_peak = max(self.queries_peak, self.queries_active)
            self.threads.add(threading.current_thread().name)
        try:
            return execute(sql, params, many, context)
        finally:
            with self._lock:
                self.queries_active -= 1

    def summary(self) -> str:
        """One line: how the calls overlapped, and on how many threads the queries ran.

        No final full stop (it is a table cell, and sentences end with it).

        >>> tracker = QueryTracker()
        >>> tracker.call_started(); tracker.call_ended(RuntimeError("refused."))
        >>> tracker.summary()
        '1 call; no query ran; 1 failed with RuntimeError: refused'
        """
        with self._lock:
            threads = sorted(self.threads)
            text = _count(self.calls, "call")
            if self.calls > 1:
                text += f": {self.calls_peak} at a time"
            if self.queries:
                shown = ", ".join(threads[:3]) + (", …" if len(threads) > 3 else "")
                text += f"; {_count(self.queries, 'query', 'queries')} on "
                text += f"{_count(len(threads), 'thread')} ({shown})"
                if self.queries > 1:
                    text += f", {self.queries_peak} at a time"
            else:
                text += "; no query ran"
            span = self._last_end - (self._first_start or self._last_end)
            if self.rows and span > 0:
                text += f"; {_count(self.rows, 'row')} written, {self.rows / span:,.0f} rows/s"
            for what, count in sorted(self.failures.items()):
                text += f"; {count} failed with {what.rstrip('. ')}"
            return text


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


#: What the running workload did; reset by :func:`prepare`.
TRACKER = QueryTracker()

_setup_lock = threading.Lock()
_our_unsafe_flag = False


def _configure() -> None:
    try:
        import asgiref  # noqa: F401  # Django's async ORM and sync_to_async need it
        import django
        from django.conf import settings
    except ImportError as exc:
        raise DjangoUnavailable(INSTALL_HINT) from exc
    if settings.configured:
        if APP not in settings.INSTALLED_APPS:
            raise DjangoUnavailable(
                "Django is already configured in this process without the Lab's app "
                f"({APP}): the Django ORM ETL workload cannot run here"
            )
        return
    directory = tempfile.mkdtemp(prefix="guiapp-django-")
    atexit.register(shutil.rmtree, directory, True)
    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.path.join(directory, "lab.sqlite3"),
            }
        },
        INSTALLED_APPS=[APP],
        USE_TZ=True,
    )
    django.setup()
    from django.db.backends.signals import connection_created

    connection_created.connect(_on_connection_created, weak=False)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in _PRAGMAS:
                cursor.execute(pragma)
    connection.execute_wrappers.append(TRACKER)


def _setup(async_unsafe: bool) -> None:
    global _our_unsafe_flag
    with _setup_lock:
        _configure()
        from django.core.management import call_command
        from django.db import connection

        from guiapp.lab.django_app.models import Customer, Order

        call_command("migrate", "lab", verbosity=0)
        Order.objects.all().delete()
        Customer.objects.all().delete()
        connection.close()
        # Django refuses ORM calls on a thread that runs an event loop (the GUI thread under
        # qasync); the flag people set to silence that is set only when asked, and only
        # cleared if we set it.
        if async_unsafe and not os.environ.get(_UNSAFE):
            os.environ[_UNSAFE] = "true"
            _our_unsafe_flag = True
        elif not async_unsafe and _our_unsafe_flag:
            os.environ.pop(_UNSAFE, None)
            _our_unsafe_flag = False
        TRACKER.reset()


def prepare(async_unsafe: bool = False) -> None:
    """Configure Django (once), apply the migration, empty the tables; any thread.

    Runs in a short-lived thread of its own and waits for it, since Django refuses ORM calls
    on a thread that runs an event loop. Raises :class:`DjangoUnavailable` (advice included)
    when Django or asgiref is missing.
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            _setup(async_unsafe)
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)

    thread = threading.Thread(target=target, name="lab-django-setup", daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


# -- the "large old sync codebase" ---------------------------------------------------------------
def etl(batch: int, rows: int) -> int:
    """Import ``rows`` orders of customer ``batch`` in one transaction, then report them.

    Plain synchronous Django, as written before asyncio: ``get_or_create`` reads, the inserts
    write, in one ``transaction.atomic()``; the report reads again. Returns the order count.
    """
    from django.db import transaction
    from django.db.models import Count, Sum

    from guiapp.lab.django_app.models import Customer, Order

    TRACKER.call_started()
    error: BaseException | None = None
    try:
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(name=f"customer-{batch}")
            for i in range(rows):
                checkpoint()
                Order.objects.create(customer=customer, sku=f"SKU-{i % 50}", amount_cents=i)
        TRACKER.rows_written(rows)  # committed
        report = Order.objects.filter(customer=customer).aggregate(
            n=Count("id"), t=Sum("amount_cents")
        )
        return int(report["n"])
    except BaseException as exc:
        error = exc
        raise
    finally:
        TRACKER.call_ended(error)


async def etl_async(batch: int, rows: int) -> int:
    """:func:`etl` rewritten with Django's async ORM (``aget_or_create``, ``acreate``...).

    Django's async ORM has no async transactions, so each insert commits on its own; each
    call goes through ``sync_to_async(thread_sensitive=True)``: one thread for them all.
    """
    from django.db.models import Count, Sum

    from guiapp.lab.django_app.models import Customer, Order

    TRACKER.call_started()
    error: BaseException | None = None
    try:
        customer, _ = await Customer.objects.aget_or_create(name=f"customer-{batch}")
        for i in range(rows):
            await Order.objects.acreate(customer=customer, sku=f"SKU-{i % 50}", amount_cents=i)
        TRACKER.rows_written(rows)
        report = await Order.objects.filter(customer=customer).aaggregate(
            n=Count("id"), t=Sum("amount_cents")
        )
        return int(report["n"])
    except BaseException as exc:
        error = exc
        raise
    finally:
        TRACKER.call_ended(error)


def close_connection() -> None:
    """Close this thread's Django connection (run it on the thread that used it)."""
    from django.db import connection

    connection.close()
