"""``async_slot``: connect coroutine functions to Qt signals without losing tasks or errors.

qasync 0.28's ``asyncSlot`` raises TypeError for zero-argument functions and keeps no reference
to the task it creates (the garbage collector may then destroy a running task). This helper
keeps every task referenced until it ends, trims surplus signal arguments the way Qt does,
reports exceptions to a handler (never only a log line), and can cancel the previous run.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
import types
from collections.abc import Callable, Coroutine
from typing import Any, Generic, ParamSpec, TypeVar, overload

__all__ = ["AsyncSlot", "SlotErrorHandler", "async_slot", "set_slot_error_handler"]

P = ParamSpec("P")
R = TypeVar("R")

#: Called on the loop thread with each exception a slot's coroutine raised.
SlotErrorHandler = Callable[[BaseException], object]


def _excepthook_handler(exc: BaseException) -> None:
    # sys.excepthook is what Qt apps (and pytest-qt) already hook to show uncaught errors.
    sys.excepthook(type(exc), exc, exc.__traceback__)


_default_handler: SlotErrorHandler = _excepthook_handler


def set_slot_error_handler(handler: SlotErrorHandler | None) -> SlotErrorHandler:
    """Set the process-wide handler for slot exceptions; return the previous one.

    ``None`` restores the default, which passes the exception to :func:`sys.excepthook`. An app
    typically routes errors to its UI, e.g. through a signal::

        set_slot_error_handler(window.errorRaised.emit)
    """
    global _default_handler
    previous = _default_handler
    _default_handler = handler if handler is not None else _excepthook_handler
    return previous


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _positional_capacity(func: Callable[..., Any]) -> int | None:
    """How many positional arguments ``func`` accepts; ``None`` if unlimited (``*args``)."""
    count = 0
    for param in inspect.signature(func).parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            return None
        if param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return count


class AsyncSlot(Generic[P]):
    """A coroutine function wrapped as a plain callable that Qt signals can call.

    Calling it starts the coroutine as a task on the current asyncio loop and returns the task.
    Created by :func:`async_slot`; also works as a method decorator (each instance then has its
    own "previous run" for ``cancel_previous``).
    """

    def __init__(
        self,
        func: Callable[P, Coroutine[Any, Any, Any]],
        *,
        cancel_previous: bool = False,
        on_error: SlotErrorHandler | None = None,
    ) -> None:
        if not inspect.iscoroutinefunction(func):
            raise TypeError(f"async_slot needs a coroutine function, got {func!r}")
        functools.update_wrapper(self, func)
        self._func = func
        self._capacity = _positional_capacity(func)
        self._cancel_previous = cancel_previous
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()  # strong references until each task ends
        self._latest: dict[int, asyncio.Task[Any]] = {}  # per bound instance (0: unbound)

        def as_function(*args: Any) -> asyncio.Task[Any]:
            return self(*args)

        as_function.__name__ = as_function.__qualname__ = getattr(func, "__name__", "slot")
        self._as_function = as_function

    @property
    def tasks(self) -> frozenset[asyncio.Task[Any]]:
        """The tasks started by this slot that are still running."""
        return frozenset(self._tasks)

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # A real bound method of a real function: PySide6 then treats the instance as the
        # receiver (weak reference, automatic disconnect when it is deleted). PySide6 reads
        # ``__func__.__code__``, so binding this callable object itself would crash it.
        return types.MethodType(self._as_function, instance)

    def __call__(self, *args: Any) -> asyncio.Task[Any]:
        if self._capacity is not None:
            args = args[: self._capacity]  # Qt drops signal arguments a slot does not take
        key = id(args[0]) if args and self._is_method_call(args[0]) else 0
        previous = self._latest.get(key)
        if self._cancel_previous and previous is not None and not previous.done():
            previous.cancel()
        loop = _current_loop()
        task = loop.create_task(self._func(*args))  # type: ignore[call-arg]
        self._tasks.add(task)
        self._latest[key] = task
        task.add_done_callback(functools.partial(self._on_task_done, key))
        return task

    def _is_method_call(self, first: object) -> bool:
        # Methods keep their "previous run" per instance: a decorated method is found on the
        # first argument's type under the same name.
        name = getattr(self, "__name__", None)
        return name is not None and getattr(type(first), name, None) is self

    def _on_task_done(self, key: int, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if self._latest.get(key) is task:
            del self._latest[key]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            handler = self._on_error or _default_handler
            try:
                handler(exc)
            except Exception as handler_exc:  # a broken handler must not hide the original
                _excepthook_handler(handler_exc)
                _excepthook_handler(exc)


def _current_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        # A Qt signal delivered while qasync's loop is set (asyncio.set_event_loop) but not
        # inside run_forever(). The policy API is deprecated (3.14) and goes away (3.16).
        return asyncio.get_event_loop()


@overload
def async_slot(func: Callable[P, Coroutine[Any, Any, Any]], /) -> AsyncSlot[P]: ...


@overload
def async_slot(
    *, cancel_previous: bool = False, on_error: SlotErrorHandler | None = None
) -> Callable[[Callable[P, Coroutine[Any, Any, Any]]], AsyncSlot[P]]: ...


def async_slot(
    func: Callable[P, Coroutine[Any, Any, Any]] | None = None,
    /,
    *,
    cancel_previous: bool = False,
    on_error: SlotErrorHandler | None = None,
) -> AsyncSlot[P] | Callable[[Callable[P, Coroutine[Any, Any, Any]]], AsyncSlot[P]]:
    """Make a coroutine function connectable to Qt signals (use with qasync's ``QEventLoop``).

    - every task is strongly referenced until it ends (``slot.tasks``);
    - zero-argument coroutines work, and surplus signal arguments are dropped (Qt-style);
    - an exception goes to ``on_error`` or the process-wide handler
      (:func:`set_slot_error_handler`; default :func:`sys.excepthook`);
    - ``cancel_previous=True`` cancels the previous run if it is still going (newest wins).

    Example::

        class SearchBox(QLineEdit):
            def __init__(self) -> None:
                super().__init__()
                self.textChanged.connect(self._on_text_changed)

            @async_slot(cancel_previous=True)
            async def _on_text_changed(self, text: str) -> None:
                await asyncio.sleep(0.2)            # debounce: a newer keystroke cancels us
                self.results = await search(text)

        button.clicked.connect(async_slot(refresh))   # clicked(bool): the bool is dropped
    """

    def decorate(f: Callable[P, Coroutine[Any, Any, Any]]) -> AsyncSlot[P]:
        return AsyncSlot(f, cancel_previous=cancel_previous, on_error=on_error)

    if func is not None:
        return decorate(func)
    return decorate
