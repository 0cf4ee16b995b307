"""Secret storage: never an in-memory store by accident, explicit choices, entries bound to the
collection's location and the install, and the one-time move of id-named entries."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from guiapp.core.collections import Collection
from guiapp.core.secret_files import (
    INSTALL_KEY_FILE,
    SECRETS_FILE,
    FileKeyring,
    install_key,
    load_choice,
    save_choice,
    secret_store_for,
)
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import Environment, Variable

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_stores_does_not_make_keyring_choose_them() -> None:
    # keyring picks its backend at first use; a backend class with priority > 0 that is merely
    # imported gets picked. Ours must not be: check in a fresh interpreter.
    code = (
        "import guiapp.core.secrets, guiapp.core.secret_files, keyring, keyring.backends.fail\n"
        "from guiapp.core.secrets import SecretStore\n"
        "ring = keyring.get_keyring()\n"
        "fail = isinstance(ring, keyring.backends.fail.Keyring)\n"
        "print(type(ring).__name__, fail, SecretStore().available)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON_KEYRING")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    name, fail, available = out.stdout.split()
    assert name not in ("MemoryKeyring", "FileKeyring")
    if fail == "True":  # no OS keyring on this machine: the contract says unavailable
        assert available == "False"


def test_no_keyring_means_unavailable_until_the_user_chooses() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        store = SecretStore()
        assert not store.available
        assert store.storage == "memory"
        store.set("k", "typed before choosing")
        assert store.use(MemoryKeyring()) == 1  # the explicit choice: session only
        assert store.available
        assert store.storage == "session"
        assert store.unavailable_reason is None
        assert store.get("k") == "typed before choosing"  # nothing lost on the way
    finally:
        keyring.set_keyring(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_choice_is_private_and_survives_a_restart(tmp_path: Path) -> None:
    assert load_choice(tmp_path) == "keyring"
    save_choice(tmp_path, "file")
    store = secret_store_for(tmp_path, service="guiapp-test")
    assert (store.storage, store.available) == ("file", True)
    store.set("c/dev/token", "s3cret")
    for name in (SECRETS_FILE, INSTALL_KEY_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    again = secret_store_for(tmp_path, service="guiapp-test")  # the next start
    assert again.get("c/dev/token") == "s3cret"
    assert again.scope(tmp_path) == store.scope(tmp_path)
    with pytest.raises(ValueError, match="unknown secret storage"):
        save_choice(tmp_path, "cloud")


def test_an_unreadable_secrets_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / SECRETS_FILE
    path.write_text("{not json")
    store = SecretStore("guiapp-test", backend=FileKeyring(path))
    store.set("k", "v")
    assert not store.available
    assert "cannot read" in (store.unavailable_reason or "")
    assert path.read_text() == "{not json"
    assert store.get("k") == "v"  # kept in memory for this session


def test_a_copied_collection_cannot_read_the_originals_secrets(tmp_path: Path) -> None:
    store = SecretStore(backend=MemoryKeyring(), install_key=install_key(tmp_path / "data"))
    original = Collection.create(tmp_path / "api", name="API", secrets=store)
    original.save_environment(Environment("Prod", [Variable("token", "prod-s3cret", True)]))
    original.save_variables((Variable("key", "col-s3cret", True),))
    shutil.copytree(original.root, tmp_path / "lookalike")  # same id in collection.toml
    copy = Collection.open(tmp_path / "lookalike", secrets=store)
    assert copy.id == original.id
    assert copy.load_environment("Prod").get("token") == ""
    assert copy.load_variables().get("key") == ""
    reopened = Collection.open(tmp_path / "api", secrets=store)
    assert reopened.load_environment("Prod").get("token") == "prod-s3cret"
    # Another install (another per-install key) names other entries.
    other = SecretStore(backend=MemoryKeyring(), install_key=b"x" * 32)
    assert other.scope(original.root) != store.scope(original.root)


def test_entries_named_after_the_id_move_once_to_the_first_location(tmp_path: Path) -> None:
    store = SecretStore(backend=MemoryKeyring(), install_key=b"k" * 32)
    col = Collection.create(tmp_path / "api", name="API", secrets=store)
    col.save_environment(Environment("Prod", [Variable("token", "", True)]))
    # What an older version left in the keyring: entries named after the collection id.
    store.delete(f"{store.scope(col.root)}/Prod/token")
    store.set(f"{col.id}/Prod/token", "old-s3cret")
    store.set(f"{col.id}:collection/key", "old-key")
    (col.root / "collection.toml").write_text(
        (col.root / "collection.toml").read_text()
        + '\n[[variables]]\nname = "key"\nsecret = true\n'
    )
    shutil.copytree(col.root, tmp_path / "lookalike")
    reopened = Collection.open(col.root, secrets=store)
    assert reopened.load_environment("Prod").get("token") == "old-s3cret"
    assert store.get(f"{col.id}/Prod/token") is None  # moved, not copied
    copy = Collection.open(tmp_path / "lookalike", secrets=store)
    assert copy.load_variables().get("key") == ""  # the id is claimed by the original
    assert reopened.load_variables().get("key") == "old-key"
