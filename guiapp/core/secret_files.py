"""Secret storage the user chooses explicitly, and the per-install key that binds secrets.

Without an OS keyring the app offers two explicit choices (never picked silently):

* ``"session"`` — values live in memory and are gone when the app quits;
* ``"file"`` — values are written to ``secrets-unencrypted.json`` in the data directory,
  ``0600`` (readable by the user only; **not encrypted**: anyone who can read the user's files
  can read them).

The choice is kept in ``secret-storage.json`` in the data directory. :func:`secret_store_for`
builds the :class:`~guiapp.core.secrets.SecretStore` a data directory calls for.

The per-install key (``install-key``, 32 random bytes, ``0600``) is mixed with a collection's
resolved location to name its keyring entries (:meth:`SecretStore.scope`), so a folder that
copies another collection's id cannot read that collection's secrets.

Example::

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> save_choice(d, "file")
    >>> store = secret_store_for(d, service="guiapp-doc")
    >>> store.storage, store.available
    ('file', True)
    >>> store.set("k", "v"); FileKeyring(d / SECRETS_FILE).get_password("guiapp-doc", "k")
    'v'
"""

from __future__ import annotations

import json
import os
import secrets as _random
import threading
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors

from guiapp.core.atomic import atomic_write_text
from guiapp.core.private_files import FILE_MODE, make_private
from guiapp.core.secrets import ExplicitOnly, MemoryKeyring, SecretStore

__all__ = [
    "CHOICES",
    "CHOICE_FILE",
    "INSTALL_KEY_FILE",
    "SECRETS_FILE",
    "FileKeyring",
    "backend_for",
    "choose_storage",
    "install_key",
    "load_choice",
    "save_choice",
    "secret_store_for",
]

CHOICE_FILE = "secret-storage.json"
SECRETS_FILE = "secrets-unencrypted.json"
INSTALL_KEY_FILE = "install-key"
#: What the user may choose: the OS keyring, this session only, or the 0600 file.
CHOICES = ("keyring", "session", "file")


class FileKeyring(keyring.backend.KeyringBackend):
    """Secrets in a JSON file readable only by the user (``0600``, written atomically).

    Not encrypted: used only when the user chose it. Never auto-selected by ``keyring``
    (its priority raises, which makes it "not viable" to keyring's discovery).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring is untyped here
        self.path = Path(path)
        self._lock = threading.Lock()

    priority = ExplicitOnly()
    storage_kind = "file"

    def __str__(self) -> str:
        return f"secrets file {self.path} (chosen explicitly)"

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise keyring.errors.KeyringError(f"cannot read {self.path}: {exc}") from exc
        if not isinstance(data, dict):
            raise keyring.errors.KeyringError(f"cannot read {self.path}: not a JSON object")
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        try:
            atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True), mode=FILE_MODE)
        except OSError as exc:
            raise keyring.errors.PasswordSetError(f"cannot write {self.path}: {exc}") from exc

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._read()
            if username not in data.get(service, {}):
                raise keyring.errors.PasswordDeleteError(username)
            del data[service][username]
            self._write(data)


def load_choice(data_dir: str | os.PathLike[str]) -> str:
    """The user's secret storage choice for ``data_dir`` (``"keyring"`` when none was made or
    the file cannot be read)."""
    try:
        data: Any = json.loads((Path(data_dir) / CHOICE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "keyring"
    choice = data.get("store") if isinstance(data, dict) else None
    return choice if choice in CHOICES else "keyring"


def save_choice(data_dir: str | os.PathLike[str], choice: str) -> None:
    """Remember ``choice`` (one of :data:`CHOICES`) for ``data_dir``."""
    if choice not in CHOICES:
        raise ValueError(f"unknown secret storage {choice!r}: expected one of {CHOICES}")
    atomic_write_text(Path(data_dir) / CHOICE_FILE, json.dumps({"store": choice}), mode=FILE_MODE)


def install_key(data_dir: str | os.PathLike[str]) -> bytes:
    """This install's random key (created on first use, ``0600``)."""
    path = Path(data_dir) / INSTALL_KEY_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) == 64:
            return bytes.fromhex(text)
    except (OSError, ValueError):
        pass
    key = _random.token_bytes(32)
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, key.hex() + "\n", mode=FILE_MODE)
    make_private(path)
    return key


def backend_for(data_dir: str | os.PathLike[str], choice: str) -> keyring.backend.KeyringBackend:
    """The backend of an explicit non-keyring ``choice`` ("session" or "file")."""
    if choice == "session":
        return MemoryKeyring()
    if choice == "file":
        return FileKeyring(Path(data_dir) / SECRETS_FILE)
    raise ValueError(f"{choice!r} is not an explicit alternative to the keyring")


def secret_store_for(data_dir: str | os.PathLike[str], service: str = "guiapp") -> SecretStore:
    """The secret store ``data_dir`` calls for: the OS keyring unless the user chose another
    store; bound to this install's key (see :meth:`SecretStore.scope`)."""
    choice = load_choice(data_dir)
    backend = None if choice == "keyring" else backend_for(data_dir, choice)
    store = SecretStore(service, backend=backend, install_key=install_key(data_dir))
    store.home = Path(data_dir)
    return store


def choose_storage(store: SecretStore, choice: str) -> int:
    """Apply the user's explicit ``choice`` ("session" or "file") to ``store`` now and, when
    the store follows a data directory, remember it there; return how many values kept in
    memory so far moved into the chosen store."""
    home = store.home
    if choice == "file" and home is None:
        raise ValueError("this secret store has no data directory to keep a file in")
    moved = store.use(backend_for(home or Path("."), choice))
    if home is not None:
        save_choice(home, choice)
    return moved
