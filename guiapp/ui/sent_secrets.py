"""Which secret values a send used, and the request as the user wrote it.

History and the saved session must mask secret *values* wherever they appear, so they need
the values of the secret variables in effect (the active environment's and the open
collection's) and the request as written (``{{variables}}`` kept). This module reads both from
the window, so the workspace needs no knowledge of history.

The secret values are taken when the request is resolved (:func:`capturing_resolver`) *and*
when it finishes, so switching environments while a request is in flight cannot let the
first environment's secrets through unmasked.

Example::

    window.set_request_resolver(capturing_resolver(window, workspace.resolve))
    written, secrets = sent_context(window, sent_spec)
    store.add(written, summary, sent=sent_spec, secrets=secrets)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from guiapp.core.request import RequestSpec

__all__ = ["capturing_resolver", "secret_values", "sent_context"]

#: How many recent sends remember the secrets in effect when they were resolved.
_REMEMBERED = 256


def secret_values(window: Any) -> set[str]:
    """The values of every secret variable in effect in ``window`` (its workspace's active
    environment and collection variables, and the runtime values captured as secret)."""
    runtime = getattr(window, "runtime_variables", None)
    found: set[str] = set(runtime.secret_values()) if runtime is not None else set()
    environments = getattr(getattr(window, "workspace", None), "environments", None)
    for env in (
        getattr(environments, "environment", None),
        getattr(environments, "collection_variables", None),
    ):
        for var in getattr(env, "variables", ()):
            if getattr(var, "secret", False) and var.value:
                found.add(var.value)
    return found


def sent_context(window: Any, sent: RequestSpec) -> tuple[RequestSpec, set[str]]:
    """(the request as written that became ``sent``, the secret values in effect). The tab
    that sent ``sent`` remembers what it was written as; ``sent`` itself when none does."""
    written = sent
    tabs = window.request_tabs() if hasattr(window, "request_tabs") else []
    for tab in tabs:
        if getattr(tab, "last_sent", None) is sent:
            written = tab.last_written or sent
            break
    secrets = secret_values(window)
    for resolved, at_send in getattr(window, "_sent_secrets", ()):
        if resolved is sent:
            secrets |= at_send
    return written, secrets


def capturing_resolver(
    window: Any, resolve: Callable[[RequestSpec], RequestSpec]
) -> Callable[[RequestSpec], RequestSpec]:
    """``resolve``, remembering for each resolved request the secret values in effect then
    (read back by :func:`sent_context`)."""
    remembered: deque[tuple[RequestSpec, set[str]]] = deque(maxlen=_REMEMBERED)
    window._sent_secrets = remembered

    def resolve_and_remember(spec: RequestSpec) -> RequestSpec:
        resolved = resolve(spec)
        remembered.append((resolved, secret_values(window)))
        return resolved

    return resolve_and_remember
