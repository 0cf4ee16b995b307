"""Module-level (picklable) functions that the ProcessOffloader tests run in child processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from guiapp.offload import report_progress


def power(base: int, exponent: int = 2, *, modulo: int | None = None) -> int:
    return pow(base, exponent, modulo)


def pid() -> int:
    return os.getpid()


def explode(message: str) -> None:
    raise ValueError(message)


def hang(seconds: float = 30.0) -> None:
    time.sleep(seconds)


def touch(path: str) -> None:
    Path(path).write_text("ran")


def die(code: int) -> None:
    os._exit(code)


def count_with_progress(n: int) -> int:
    for i in range(1, n + 1):
        report_progress(i, n)
    return n


def unpicklable_result() -> object:
    return lambda: None


class Unrebuildable(Exception):
    """An exception whose constructor needs two arguments: it cannot be unpickled."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a}/{b}")


def raise_unrebuildable() -> None:
    raise Unrebuildable(1, 2)


def progress_with_unpicklable_info() -> str:
    report_progress(1, 2, callback=lambda: None)  # the lambda cannot cross the pipe
    return "fine"


def emit_numbers(n: int) -> str:
    from guiapp.offload import emit, emit_many

    emit_many(range(n // 2))
    for i in range(n // 2, n):
        emit(i)
    return "sent"


def emit_unpicklable() -> None:
    import threading

    from guiapp.offload import emit

    emit(threading.Lock())
