"""What each Lab strategy does, when to use it, its measured cost, and the code for it.

Pure data plus :func:`explain_html`, which renders one strategy's panel (with the figures of
its last run, when there is one) and :func:`side_by_side_html`, the same feature written three
ways.

Example::

    browser.setHtml(explain_html("make_async", last_row))
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from guiapp.lab.workloads import WORKLOAD_NAMES

__all__ = ["DJANGO_NOTE", "EXPLANATIONS", "SIDE_BY_SIDE", "explain_html", "side_by_side_html"]

# strategy -> (what it does, when to use it, minimal code)
EXPLANATIONS: dict[str, tuple[str, str, str]] = {
    "gui_thread": (
        "Calls the blocking function right in the slot. Nothing else runs on the GUI thread "
        "until it returns: no repaint, no input, no timers.",
        "Only for work that is always under a few milliseconds. Never for I/O: a 100 ms "
        "request is a visible freeze, a timeout a dead window.",
        """def on_send_clicked(self):
    response = send(spec)            # the window freezes here
    self.show_response(response)""",
    ),
    "make_async": (
        "Turns the blocking function into a coroutine: each call runs in a thread of our own "
        "bounded Offloader, the result comes back through loop.call_soon_threadsafe. Keyword "
        "arguments and contextvars pass through; cancelling the task cancels the job, and "
        "core.send's on_cancel shuts the socket.",
        "The default for blocking I/O you cannot rewrite (requests, sqlite3, SDKs): one line "
        "per function, the call path stays synchronous and testable. Size the pool for the "
        "concurrency you want; it does not help GIL-holding work.",
        """fetch = make_async(send)             # or @make_async on your function

@async_slot(cancel_previous=True)
async def on_send_clicked(self):
    response = await fetch(spec)     # GUI keeps running; cancel reaches the socket
    self.show_response(response)""",
    ),
    "qasync_default": (
        "loop.run_in_executor(None, func) on the qasync loop: a QThreadExecutor with 10 "
        "QThreads, started eagerly. Call 11 waits for a free thread.",
        "Rarely: it queues beyond 10 concurrent calls, close() waits for running calls without "
        "limit, kwargs and contextvars are not passed, and cancelling the future leaves the "
        "thread running its call to the end.",
        """loop = asyncio.get_running_loop()
response = await loop.run_in_executor(None, send, spec)   # 10 threads, then a queue""",
    ),
    "qthread": (
        "One QThread per call (run_in_qthread): results arrive as Qt signals on the GUI "
        "thread. run_in_qthread keeps the thread referenced until it ends and never "
        "terminates it.",
        "When the rest of the code is signal/slot based, or the worker needs a Qt event loop "
        "of its own. A thread per call costs ~100 KB of stack and a start-up each time.",
        """job = run_in_qthread(send, spec)
job.succeeded.connect(self.show_response)
job.failed.connect(self.show_error)
self.cancel_button.clicked.connect(job.cancel)""",
    ),
    "qthreadpool": (
        "QRunnables on a QThreadPool, whose default size is QThread.idealThreadCount() (the "
        "number of cores). Results are handed back with loop.call_soon_threadsafe here (or a "
        "signal).",
        "Short CPU-light tasks in a Qt-only code base. For I/O its core-count default queues "
        "badly: I/O waits do not need cores. There is no cancel for a running runnable.",
        """class Fetch(QRunnable):
    def run(self):
        self.signals.done.emit(send(spec))

QThreadPool.globalInstance().start(Fetch())   # idealThreadCount() threads""",
    ),
    "process": (
        "ProcessOffloader: the call and its arguments are pickled to a spawned worker process; "
        "the GUI process keeps its GIL. Cancelling kills the worker process.",
        "GIL-holding work: parsing and pretty-printing big bodies, highlighting, pure-Python "
        "loops. Arguments and results cross a pipe, so pass paths or sizes, not 100 MB "
        "strings; a process costs ~0.2 s to spawn, so keep the pool alive.",
        """pool = ProcessOffloader(max_workers=2)
pretty = await pool.submit(format_body_file, path, "utf-8", "json", out_dir)""",
    ),
    "native_async": (
        "httpx.AsyncClient on the qasync loop: sockets are watched by the event loop itself, "
        "so 1,000 waiting requests cost 1,000 sockets and no threads.",
        "Many concurrent slow calls, streaming, websockets. The cost is the rewrite: every "
        "function on the call path becomes async, and requests-based code (auth plugins, "
        "SDKs) does not come along.",
        """async with httpx.AsyncClient() as client:
    response = await client.get(url)   # no thread; cancel closes the connection""",
    ),
    "sync_to_async": (
        "asgiref's sync_to_async(func, thread_sensitive=True), what Django recommends for ORM "
        "calls from async code. Every thread-sensitive call of the whole process runs on one "
        "shared thread, one after the other: the ORM calls of every window, plus any other "
        "library's thread-sensitive calls, queue behind each other.",
        "Inside an ASGI Django project, where Django's request handling expects it. In a "
        "desktop app it serialises unrelated work; a SerialLane gives the same one-connection "
        "guarantee for its own calls only. A running call cannot be cancelled.",
        """from asgiref.sync import sync_to_async

rows = await sync_to_async(import_orders, thread_sensitive=True)(batch, 200)""",
    ),
    "serial_lane": (
        "A guiapp.offload SerialLane: one dedicated thread runs the ORM calls routed to it, in "
        "submission order, so they share one database connection (Django's connections belong "
        "to the thread that opened them) — and nothing else waits behind them.",
        "Thread-affine resources: Django's ORM, sqlite3 connections, COM objects. Close the "
        "connection with a last submit on the lane, and close the lane with drain=True so "
        "queued writes land.",
        """orm = SerialLane(name="orm")
rows = await orm.submit(import_orders, batch, 200)   # legacy code, unchanged
orm.submit(connection.close)                          # on the lane's thread
await orm.aclose(2.0, drain=True)""",
    ),
    "django_async": (
        "Django's async ORM (aget_or_create, acreate, aaggregate). Each call is the sync ORM "
        "wrapped in sync_to_async(thread_sensitive=True): one thread for all of them, a hop "
        "to that thread and back to the event loop for every query, and no async "
        "transaction.atomic, so every insert commits on its own. Its per-row cost is the "
        "hop: expect a few times the wall time of the routes that run the whole function in "
        "one call (compare the rows/s in the detail column); with a database that waits for "
        "the disk at each commit it is far slower still.",
        "New async code in a Django project. It is a rewrite of the legacy function, not a "
        "wrapper, and without transactions many small writes are slower, not faster.",
        """customer, _ = await Customer.objects.aget_or_create(name=name)
for row in rows:
    await Order.objects.acreate(customer=customer, **row)   # one commit each""",
    ),
}

#: Shown with every strategy's panel after a run of the Django ORM ETL workload.
DJANGO_NOTE = (
    "Django ORM ETL: a legacy synchronous function (get_or_create, then inserts, in one "
    "transaction; then a report) against a sqlite file. Django refuses ORM calls on a thread "
    "that runs an event loop — the GUI thread under qasync — with SynchronousOnlyOperation "
    "(async_unsafe=1 sets DJANGO_ALLOW_ASYNC_UNSAFE to show the freeze instead). In a plain "
    "thread pool each thread opens its own connection, and concurrent transactions that read "
    "then write fail at once with sqlite's 'database is locked'. The detail column says how "
    "many calls overlapped and on how many threads the queries ran."
)

#: The same feature (fetch, then show the status) three ways: make_async, QThread, native.
SIDE_BY_SIDE: tuple[tuple[str, str], ...] = (
    (
        "make_async",
        """@make_async
def fetch(url):
    with send(RequestSpec(url=url)) as r:
        return r.status_code

@async_slot(cancel_previous=True)
async def on_click(self):
    code = await fetch(self.url)
    self.label.setText(str(code))""",
    ),
    (
        "QThread worker",
        """def fetch(url):
    with send(RequestSpec(url=url)) as r:
        return r.status_code

def on_click(self):
    self.job = run_in_qthread(fetch, self.url)
    self.job.succeeded.connect(
        lambda code: self.label.setText(str(code)))
    self.job.failed.connect(self.show_error)""",
    ),
    (
        "native async",
        """async def fetch(client, url):
    r = await client.get(url)
    return r.status_code

@async_slot(cancel_previous=True)
async def on_click(self):
    code = await fetch(self.client, self.url)
    self.label.setText(str(code))""",
    ),
)


_DJANGO_ONLY = {"sync_to_async", "serial_lane", "django_async"}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _signed_plural(count: int, word: str) -> str:
    """A change in a count: ``+1 thread``, ``+0 threads``, ``-2 threads`` (threads that other
    work started before the run may end during it, so the process can end with fewer).

    >>> _signed_plural(1, "thread"), _signed_plural(0, "thread"), _signed_plural(-2, "thread")
    ('+1 thread', '+0 threads', '-2 threads')
    """
    return f"{count:+d} {word}" if abs(count) == 1 else f"{count:+d} {word}s"


def _workload_name(row: Mapping[str, Any]) -> str:
    name = str(row["workload"])
    return WORKLOAD_NAMES.get(name, name)


def _sentence(text: str) -> str:
    """``text`` escaped, with one full stop at its end (errors often bring their own)."""
    text = text.rstrip()
    return html.escape(text if text.endswith((".", "!", "?", "…")) else text + ".")


def _pre(code: str) -> str:
    return f"<pre style='background:#f4f4f4;padding:6px'>{html.escape(code)}</pre>"


def explain_html(strategy: str, last: Mapping[str, Any] | None = None) -> str:
    """The explain panel of ``strategy`` (a name or label such as ``make_async(64)``)."""
    name = strategy.split("(", 1)[0]
    what, when, code = EXPLANATIONS[name]
    if last:
        cost = (
            f"Last run ({html.escape(_workload_name(last))} {html.escape(str(last['params']))})"
            f": wall {last['wall_s']:.2f} s, {last['throughput_per_s']:.1f} tasks/s, "
            f"lag p50 {last['lag_p50_ms']:.1f} / p99 {last['lag_p99_ms']:.1f} / "
            f"max {last['lag_max_ms']:.0f} ms, {_plural(last['stalls_over_50ms'], 'stall')} "
            "over 50 ms, "
            f"{_signed_plural(last['added_threads'], 'thread')}, "
            f"peak RSS {last['peak_rss_mb']:.0f} MB "
            f"(+{last['rss_added_mb']:.1f} MB during the run)."
        )
        culprit = last.get("worst_freeze_culprit")
        if culprit:
            cost += (
                f" Its worst freeze: the GUI thread {html.escape(str(last['worst_freeze_cause']))}"
                f" in <code>{html.escape(str(culprit))}</code>."
            )
        if last.get("detail"):
            cost += f" {_sentence(str(last['detail']))}"
        if last.get("status", "ok") != "ok":
            cost += f" Status: {_sentence(str(last['status']))}"
    else:
        cost = "Not run yet: run it to see its cost on this machine."
    django = name in _DJANGO_ONLY or bool(last and last.get("workload") == "django_etl")
    note = f"<p><b>Django.</b> {html.escape(DJANGO_NOTE)}</p>" if django else ""
    return (
        f"<h3>{html.escape(name)}</h3>"
        f"<p><b>What it does.</b> {html.escape(what)}</p>"
        f"<p><b>When to use it.</b> {html.escape(when)}</p>"
        f"<p><b>Measured cost.</b> {cost}</p>"
        f"{note}<p><b>Minimal code.</b></p>{_pre(code)}"
        f"<p><b>The same feature three ways.</b></p>{side_by_side_html()}"
    )


def side_by_side_html() -> str:
    """An HTML table with one column per way of writing the feature."""
    heads = "".join(f"<th align='left'>{html.escape(title)}</th>" for title, _ in SIDE_BY_SIDE)
    cells = "".join(f"<td valign='top'>{_pre(code)}</td>" for _, code in SIDE_BY_SIDE)
    return f"<table cellspacing='6'><tr>{heads}</tr><tr>{cells}</tr></table>"
