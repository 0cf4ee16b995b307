"""SecretStore: the OS keyring through keyring's API, and the session-only fallback."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from guiapp.core.secrets import ExplicitOnly, MemoryKeyring, SecretStore


@pytest.fixture
def test_keyring() -> Iterator[MemoryKeyring]:
    """A process-wide in-memory keyring, as an installed backend would be; restored after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class BrokenKeyring(keyring.backend.KeyringBackend):
    """A backend that fails like a locked wallet or a missing D-Bus session."""

    priority = ExplicitOnly()  # type: ignore[assignment]  # never picked by keyring itself

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the wallet is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the wallet is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the wallet is locked")


def test_values_go_to_the_installed_keyring(test_keyring: MemoryKeyring) -> None:
    store = SecretStore(service="guiapp-test")
    assert store.available
    assert store.unavailable_reason is None
    store.set("c1/dev/token", "s3cret")
    assert keyring.get_password("guiapp-test", "c1/dev/token") == "s3cret"
    # A second store (the next app start) reads it back.
    assert SecretStore(service="guiapp-test").get("c1/dev/token") == "s3cret"
    store.delete("c1/dev/token")
    store.delete("c1/dev/token")  # idempotent
    assert store.get("c1/dev/token") is None


def test_fail_backend_falls_back_to_memory_with_a_clear_reason() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        store = SecretStore()
        assert not store.available
        assert "session only" in (store.unavailable_reason or "")
        store.set("k", "v")
        assert store.get("k") == "v"
        assert SecretStore().get("k") is None  # not persisted anywhere
        store.delete("k")
        assert store.get("k") is None
    finally:
        keyring.set_keyring(previous)


def test_backend_errors_switch_to_memory() -> None:
    store = SecretStore(backend=BrokenKeyring())
    assert store.available  # nothing has failed yet
    store.set("k", "v")
    assert not store.available
    assert "the wallet is locked" in (store.unavailable_reason or "")
    assert store.get("k") == "v"
