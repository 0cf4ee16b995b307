"""Secret variable values in the OS keyring, with a session-only fallback when there is none.

Collections never write secret values to disk: the file holds a marker and the value lives in
the keyring (macOS Keychain, Windows Credential Locker, Secret Service/KWallet on Linux) under
``service`` and a key such as ``"<collection id>/<environment>/<variable>"``.

When no keyring backend is usable (a headless Linux box has only ``keyring``'s *fail* backend,
or the backend raises, e.g. a locked wallet) the store keeps values in memory for this session
only, and says so: :attr:`SecretStore.available` is False and
:attr:`SecretStore.unavailable_reason` is a message the UI can show as is.

Example::

    >>> store = SecretStore(backend=MemoryKeyring())
    >>> store.set("col/dev/token", "s3cret")
    >>> store.get("col/dev/token"), store.available
    ('s3cret', True)
    >>> store.delete("col/dev/token"); store.get("col/dev/token") is None
    True
"""

from __future__ import annotations

import threading

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors

__all__ = ["MemoryKeyring", "SecretStore"]

_NO_BACKEND = (
    "No system keyring is available ({detail}). Secret values are kept for this session only "
    "and must be entered again after a restart. Install and unlock a keyring service "
    "(e.g. GNOME Keyring or KWallet) to keep them."
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend in a dict: for tests, and as an explicit opt-out of the OS keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring is untyped here
        self._values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self._values[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


class SecretStore:
    """get/set/delete secret strings by key; thread-safe.

    ``backend`` defaults to ``keyring.get_keyring()`` (looked up on first use, not at import).
    """

    def __init__(
        self, service: str = "guiapp", *, backend: keyring.backend.KeyringBackend | None = None
    ) -> None:
        self.service = service
        self._backend = backend
        self._resolved = backend is not None
        self._memory: dict[str, str] = {}
        self._reason: str | None = None
        self._lock = threading.Lock()

    def _keyring(self) -> keyring.backend.KeyringBackend | None:
        # Called with the lock held.
        if not self._resolved:
            self._resolved = True
            try:
                self._backend = keyring.get_keyring()
            except Exception as exc:  # a broken keyring config must not stop the app
                self._fail(f"{type(exc).__name__}: {exc}")
        backend = self._backend
        if isinstance(backend, keyring.backends.fail.Keyring) and self._reason is None:
            self._fail("no keyring backend is installed")
        return None if self._reason is not None else backend

    def _fail(self, detail: str) -> None:
        self._backend = None
        self._reason = _NO_BACKEND.format(detail=detail)

    @property
    def available(self) -> bool:
        """True when values go to the OS keyring (and so survive a restart)."""
        with self._lock:
            return self._keyring() is not None

    @property
    def unavailable_reason(self) -> str | None:
        """Why values are kept in memory only, or None when the keyring works."""
        with self._lock:
            self._keyring()
            return self._reason

    def get(self, key: str) -> str | None:
        """The secret stored under ``key``, or None."""
        with self._lock:
            backend = self._keyring()
            if backend is not None:
                try:
                    return backend.get_password(self.service, key)
                except keyring.errors.KeyringError as exc:
                    self._fail(f"reading failed: {exc}")
            return self._memory.get(key)

    def set(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` (in memory if the keyring is unavailable)."""
        with self._lock:
            backend = self._keyring()
            if backend is not None:
                try:
                    backend.set_password(self.service, key, value)
                    return
                except keyring.errors.KeyringError as exc:
                    self._fail(f"saving failed: {exc}")
            self._memory[key] = value

    def delete(self, key: str) -> None:
        """Forget ``key``; deleting a missing key is not an error."""
        with self._lock:
            self._memory.pop(key, None)
            backend = self._keyring()
            if backend is not None:
                try:
                    backend.delete_password(self.service, key)
                except keyring.errors.PasswordDeleteError:
                    pass
                except keyring.errors.KeyringError as exc:
                    self._fail(f"deleting failed: {exc}")
