"""Secret variable values in the OS keyring, with a session-only fallback when there is none.

Collections never write secret values to disk: the file holds a marker and the value lives in
the keyring (macOS Keychain, Windows Credential Locker, Secret Service/KWallet on Linux) under
``service`` and a key such as ``"<collection id>/<environment>/<variable>"``.

When no keyring backend is usable (a headless Linux box has only ``keyring``'s *fail* backend,
or the backend raises, e.g. a locked wallet) the store keeps values in memory for this session
only, and says so: :attr:`SecretStore.available` is False and
:attr:`SecretStore.unavailable_reason` is a message the UI can show as is. The user may then
opt into another store explicitly (:meth:`SecretStore.use`; see
:mod:`guiapp.core.secret_files`): session only, or a file readable only by the user. Such a
store is never chosen silently: :class:`MemoryKeyring` cannot be auto-selected by ``keyring``
(merely importing a backend class with a positive priority would make ``keyring`` pick it).

Entries are named after the collection's location and a per-install key
(:meth:`SecretStore.scope`), not after the id written in the collection's own files.

Example::

    >>> store = SecretStore(backend=MemoryKeyring())   # an explicit choice
    >>> store.set("col/dev/token", "s3cret")
    >>> store.get("col/dev/token"), store.available, store.storage
    ('s3cret', True, 'session')
    >>> store.delete("col/dev/token"); store.get("col/dev/token") is None
    True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors

__all__ = ["ExplicitOnly", "MemoryKeyring", "SecretStore"]

_NO_BACKEND = (
    "No system keyring is available ({detail}). Secret values are kept for this session only "
    "and must be entered again after a restart. Install and unlock a keyring service "
    "(e.g. GNOME Keyring or KWallet) to keep them, or choose where to keep them."
)
#: Legacy entries (named after a collection id) are handed to the first location that claims
#: the id; the claim is kept in the store itself under this prefix.
_CLAIM = "location-of/"


class ExplicitOnly:
    """A ``priority`` that raises: ``keyring`` then treats the backend as not viable, so it is
    used only when set explicitly (``keyring.set_keyring`` or ``SecretStore(backend=...)``)."""

    def __get__(self, obj: object, owner: type | None = None) -> float:
        raise RuntimeError("this keyring backend is used only when chosen explicitly")


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend in a dict: for tests, and the explicit "this session only" choice."""

    priority = ExplicitOnly()
    #: What :attr:`SecretStore.storage` reports for this backend.
    storage_kind = "session"

    def __str__(self) -> str:
        return "in-memory keyring (this session only)"

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

    ``backend`` defaults to ``keyring.get_keyring()`` (looked up on first use, not at import);
    passing one is an explicit choice. ``install_key`` (see
    :func:`guiapp.core.secret_files.install_key`) makes :meth:`scope` unguessable.
    """

    def __init__(
        self,
        service: str = "guiapp",
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        install_key: bytes | None = None,
    ) -> None:
        self.service = service
        self._backend = backend
        self._resolved = backend is not None
        self._memory: dict[str, str] = {}
        self._reason: str | None = None
        self._lock = threading.Lock()
        self._install_key = install_key or b""
        #: The data directory whose choices this store follows (set by ``secret_store_for``);
        #: None for a store built by hand.
        self.home: Path | None = None

    # -- where entries live ----------------------------------------------------------------------
    def scope(self, location: str | os.PathLike[str]) -> str:
        """The key prefix of the collection at ``location``: derived from its resolved path
        and the per-install key, so a copied collection (same id, other place) or another
        install cannot name the same entries."""
        where = os.fsencode(Path(location).resolve())
        return hmac.new(self._install_key, where, hashlib.sha256).hexdigest()[:32]

    def claim_legacy(self, legacy_id: str, scope: str) -> bool:
        """True if entries named after ``legacy_id`` (written by versions that keyed secrets
        by collection id) may move to ``scope``: the first location that asks claims the id;
        any other location is refused from then on."""
        owner = self.get(_CLAIM + legacy_id)
        if owner is None:
            self.set(_CLAIM + legacy_id, scope)
            return True
        return owner == scope

    def take_legacy(self, legacy_key: str, new_key: str) -> str | None:
        """Move the value at ``legacy_key`` to ``new_key`` (if there is one) and return it."""
        value = self.get(legacy_key)
        if value is not None:
            self.set(new_key, value)
            self.delete(legacy_key)
        return value

    @property
    def storage(self) -> str:
        """Where values go: ``"keyring"`` (the OS keyring), ``"session"`` or ``"file"`` (an
        explicit choice), or ``"memory"`` (no keyring and no choice: this session only)."""
        with self._lock:
            backend = self._keyring()
            if backend is None:
                return "memory"
            return str(getattr(backend, "storage_kind", "keyring"))

    def use(self, backend: keyring.backend.KeyringBackend) -> int:
        """Switch to ``backend`` (the user's explicit choice) and move the values kept in
        memory so far into it; return how many moved."""
        with self._lock:
            self._backend = backend
            self._resolved = True
            self._reason = None
            moved = dict(self._memory)
            self._memory.clear()
        for key, value in moved.items():
            self.set(key, value)
        return len(moved)

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
        """True when values go to a usable OS keyring backend, or to a store the user chose
        explicitly; False when they are only held in memory for lack of one."""
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
