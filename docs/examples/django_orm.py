"""Django's ORM from an asyncio (or qasync) app, through a guiapp.offload SerialLane.

The "large old sync codebase" below is plain Django: ``create_post`` and ``post_stats`` know
nothing about asyncio. The app runs every ORM call through one ``SerialLane``: the same thread
(hence the same database connection) for every call, in submission order -- what Django's
``sync_to_async(func, thread_sensitive=True)`` gives, without routing every other
thread-sensitive call of the process through that same thread. Cancelling a queued call means
it never runs; a running query is interrupted at once through ``on_cancel`` (sqlite3's
``Connection.interrupt()``), and the lane is free for the next call.

Run it (Django and asgiref come with ``pip install -e '.[test]'``)::

    python docs/examples/django_orm.py            # prints a JSON summary

It configures Django in code (a sqlite file in a temporary directory, one model, its table
created with the schema editor) and prints what it measured as JSON; the project's tests run
it and check each line of that summary.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import django
from django.conf import settings

from guiapp.offload import Offloader, SerialLane, on_cancel


def configure(db_path: Path) -> type[Any]:
    """Configure Django in code and define the one model; return the model class."""
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db_path)}},
        INSTALLED_APPS=[],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    from django.db import models

    class Post(models.Model):
        title = models.CharField(max_length=200)
        body = models.TextField()

        class Meta:
            app_label = "blog"

    return Post


# -- the legacy, synchronous code: unchanged -------------------------------------------------
Post: type[Any]


def create_table() -> None:
    from django.db import connection

    with connection.schema_editor() as editor:
        editor.create_model(Post)


def create_post(title: str, body: str) -> dict[str, Any]:
    from django.db import connection

    post = Post.objects.create(title=title, body=body)
    return {
        "id": post.pk,
        "thread": threading.current_thread().name,
        "connection": id(connection.connection),
    }


def post_stats() -> dict[str, Any]:
    return {"count": Post.objects.count(), "first": Post.objects.order_by("pk").first().title}


def slow_report() -> int:
    """A long query (a big recursive count) that only an interrupt stops early."""
    from django.db import connection

    # The running query is interrupted on cancel: sqlite3 raises "interrupted" at once.
    with on_cancel(connection.connection.interrupt), connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300000000)"
            " SELECT count(*) FROM n"
        )
        return int(cursor.fetchone()[0])


def close_connection() -> None:
    from django.db import connection

    connection.close()


def thread_name() -> str:
    return threading.current_thread().name


# -- the async app ----------------------------------------------------------------------------
async def main() -> dict[str, Any]:
    from asgiref.sync import sync_to_async

    lane = SerialLane(name="orm")
    summary: dict[str, Any] = {}
    await lane.submit(create_table)
    posts = await asyncio.gather(*(lane.submit(create_post, f"post {i}", "…") for i in range(50)))
    summary["rows"] = (await lane.submit(post_stats))["count"]
    summary["lane_threads"] = sorted({p["thread"] for p in posts})
    summary["lane_connections"] = len({p["connection"] for p in posts})
    summary["in_order"] = [p["id"] for p in posts] == sorted(p["id"] for p in posts)

    # asgiref's thread-sensitive mode: one thread too, shared by every such call of the process.
    names = await asyncio.gather(
        *(sync_to_async(thread_name, thread_sensitive=True)() for _ in range(10))
    )
    summary["sync_to_async_threads"] = len(set(names))

    # A plain thread pool: every thread opens its own connection (Django's are per thread).
    with Offloader(max_workers=4, name="orm-pool") as pool:
        pool_posts = await asyncio.gather(
            *(pool.submit(create_post, f"pooled {i}", "…") for i in range(8))
        )
        await asyncio.gather(*(pool.submit(close_connection) for _ in range(8)))
    summary["pool_connections"] = len({p["connection"] for p in pool_posts})

    # Cancel: a running query is interrupted, a queued call never runs.
    report = lane.submit(slow_report)
    queued = lane.submit(create_post, "never written", "…")
    await asyncio.sleep(0.3)
    cancelled_at = time.perf_counter()
    report.cancel()
    queued.cancel()
    await lane.submit(thread_name)  # runs once the interrupted query has given the lane back
    summary["cancel_freed_lane_ms"] = round(1000 * (time.perf_counter() - cancelled_at), 1)
    summary["queued_cancelled_never_ran"] = (await lane.submit(post_stats))["count"] == 58

    # At exit: drain, so queued writes land; the connection is closed on its own thread.
    lane.submit(create_post, "written at exit", "…")
    lane.submit(close_connection)
    summary["drained"] = lane.close(5.0, drain=True)
    return summary


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(sys.argv[1] if len(sys.argv) > 1 else tmp) / "blog.sqlite3"
        Post = configure(db)
        result = asyncio.run(main())
        import sqlite3

        with sqlite3.connect(db) as check:
            result["rows_at_exit"] = check.execute("select count(*) from blog_post").fetchone()[0]
        check.close()
    print(json.dumps(result))
