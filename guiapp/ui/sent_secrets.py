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
from collections.abc import Callable, Sequence
from typing import Protocol

from guiapp.core.request import RequestSpec
from guiapp.core.variables import Environment

__all__ = [
    "REMEMBERED",
    "ResolvedSecrets",
    "SecretsHost",
    "SentRequestHost",
    "capturing_resolver",
    "secret_values",
    "sent_context",
]

#: How many recent sends remember the secrets in effect when they were resolved.
REMEMBERED = 256

#: (a resolved request, the secret values in effect when it was resolved), newest last.
ResolvedSecrets = deque[tuple[RequestSpec, set[str]]]


class ActiveVariables(Protocol):
    """The variables in effect in a workspace (its environment controller)."""

    @property
    def environment(self) -> Environment | None:
        """The active environment, secret values included (None: no environment)."""

    @property
    def collection_variables(self) -> Environment | None:
        """The shown collection's own variables (None: no collection)."""


class VariablesWorkspace(Protocol):
    """A workspace, as far as secrets go: where its variables in effect are."""

    @property
    def environments(self) -> ActiveVariables:
        """The active environment and the collection's variables."""


class RuntimeSecrets(Protocol):
    """The values captured from responses while the app runs."""

    def secret_values(self) -> set[str]:
        """The captured values marked secret."""


class SecretsHost(Protocol):
    """Where the secret values in effect come from (the main window): its workspace and its
    runtime variables, each None until attached."""

    @property
    def workspace(self) -> VariablesWorkspace | None:
        """The workspace (None without one)."""

    @property
    def runtime_variables(self) -> RuntimeSecrets | None:
        """The runtime variables captured from responses (None without them)."""


class SentRequestHost(SecretsHost, Protocol):
    """What this module reads of a window: its tabs, the secrets remembered at resolve time
    and where the secrets in effect come from (:class:`SecretsHost`)."""

    resolved_secrets: ResolvedSecrets

    def request_tabs(self) -> Sequence[object]:
        """The request tabs (each may remember ``last_sent`` and ``last_written``)."""


def secret_values(host: SecretsHost) -> set[str]:
    """The values of every secret variable in effect in ``host`` (its workspace's active
    environment and collection variables, and the runtime values captured as secret)."""
    runtime = host.runtime_variables
    found: set[str] = set(runtime.secret_values()) if runtime is not None else set()
    workspace = host.workspace
    if workspace is not None:
        environments = workspace.environments
        for env in (environments.environment, environments.collection_variables):
            if env is not None:
                found |= env.secret_values()
    return found


def sent_context(window: SentRequestHost, sent: RequestSpec) -> tuple[RequestSpec, set[str]]:
    """(the request as written that became ``sent``, the secret values in effect). The tab
    that sent ``sent`` remembers what it was written as; ``sent`` itself when none does."""
    written = sent
    for tab in window.request_tabs():
        if getattr(tab, "last_sent", None) is sent:
            written = getattr(tab, "last_written", None) or sent
            break
    secrets = secret_values(window)
    for resolved, at_send in window.resolved_secrets:
        if resolved is sent:
            secrets |= at_send
    return written, secrets


def capturing_resolver(
    window: SentRequestHost, resolve: Callable[[RequestSpec], RequestSpec]
) -> Callable[[RequestSpec], RequestSpec]:
    """``resolve``, remembering for each resolved request the secret values in effect then
    in ``window.resolved_secrets`` (read back by :func:`sent_context`)."""
    remembered = window.resolved_secrets

    def resolve_and_remember(spec: RequestSpec) -> RequestSpec:
        resolved = resolve(spec)
        remembered.append((resolved, secret_values(window)))
        return resolved

    return resolve_and_remember
