"""Auth set on a collection or folder, inherited by its requests (as in Postman and Bruno)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from guiapp.core.auth_inherit import (
    INHERIT,
    NO_AUTH,
    AuthSetting,
    ParentAuth,
    apply_parent_auth,
    parent_auth_of,
)
from guiapp.core.collections import Collection, CollectionError
from guiapp.core.importers import import_postman
from guiapp.core.request import BasicAuth, BearerAuth, DigestAuth, RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import VariableScope, resolve


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def col(tmp_path: Path, keyring: MemoryKeyring) -> Collection:
    store = SecretStore(service="guiapp-test", backend=keyring)
    col = Collection.create(tmp_path / "api", name="My API", secrets=store)
    users = col.create_folder("", "Users")
    col.create_folder(users, "Admins")
    return col


def _stored(keyring: MemoryKeyring) -> str:
    return repr(keyring.__dict__)


def test_nearest_folder_with_its_own_setting_wins() -> None:
    settings = {
        "": ("API", AuthSetting(BearerAuth("c"), inherit=False)),
        "a": ("A", AuthSetting(BasicAuth("u", "p"), inherit=False)),
        "a/b": ("B", INHERIT),
        "x": ("X", NO_AUTH),
    }
    assert parent_auth_of("a/b/r.toml", settings) == ParentAuth(BasicAuth("u", "p"), "folder", "A")
    assert parent_auth_of("r.toml", settings) == ParentAuth(BearerAuth("c"), "collection", "API")
    no_auth = parent_auth_of("x/r.toml", settings)
    assert no_auth.auth is None
    assert no_auth.describe() == "Inherited from folder X: No auth"
    assert parent_auth_of("r.toml", {}).kind == ""


def test_a_request_with_its_own_auth_ignores_the_parent() -> None:
    own = RequestSpec(url="u", auth=DigestAuth("d", "p"))
    assert apply_parent_auth(own, ParentAuth(BearerAuth("x"), "collection", "C")) == own
    with pytest.raises(ValueError, match="inherits"):
        RequestSpec(url="u", auth=BearerAuth("t"), inherit_auth=True)


def test_folder_auth_secret_goes_to_the_keyring_not_the_file(
    col: Collection, keyring: MemoryKeyring
) -> None:
    col.save_auth("users", AuthSetting(BearerAuth("s3cret-token"), inherit=False))
    text = (col.root / "users" / "_folder.toml").read_text(encoding="utf-8")
    assert "s3cret-token" not in text
    table = tomllib.loads(text)["auth"]
    assert table["type"] == "bearer"
    assert isinstance(table["secret"], str)
    assert "s3cret-token" in _stored(keyring)
    assert col.load_auth("users") == AuthSetting(BearerAuth("s3cret-token"), inherit=False)
    # A value made only of {{variables}} holds no secret: kept in the file, shareable.
    col.save_auth("", AuthSetting(BasicAuth("ada", "{{password}}"), inherit=False))
    meta = tomllib.loads((col.root / "collection.toml").read_text(encoding="utf-8"))
    assert meta["auth"] == {"type": "basic", "username": "ada", "password": "{{password}}"}
    assert meta["name"] == "My API"  # the rest of collection.toml is kept


def test_renaming_the_folder_keeps_its_secret(col: Collection) -> None:
    col.save_auth("users", AuthSetting(BasicAuth("ada", "pw"), inherit=False))
    new_id = col.rename("users", "People")
    assert col.load_auth(new_id) == AuthSetting(BasicAuth("ada", "pw"), inherit=False)


def test_back_to_inherit_removes_the_table_and_the_secret(
    col: Collection, keyring: MemoryKeyring
) -> None:
    col.save_auth("users", AuthSetting(BearerAuth("tok-123"), inherit=False))
    col.save_auth("users", INHERIT)
    assert "auth" not in tomllib.loads((col.root / "users/_folder.toml").read_text("utf-8"))
    assert "tok-123" not in _stored(keyring)
    assert col.load_auth("users") == INHERIT
    assert col.load_auth("") == NO_AUTH  # the collection's default


def test_inherited_auth_changes_are_picked_up_at_the_next_send(col: Collection) -> None:
    rid = col.new_request("users/admins", "List", RequestSpec(url="{{base}}/", inherit_auth=True))
    scope = {"base": "http://h", "token": "T1"}
    col.save_auth("", AuthSetting(BearerAuth("{{token}}"), inherit=False))

    def as_sent() -> RequestSpec:
        spec = apply_parent_auth(col.load_request(rid), col.parent_auth(rid))
        return resolve(spec, scope)  # variables in the inherited auth resolve too

    assert as_sent().auth == BearerAuth("T1")
    assert col.parent_auth(rid).describe() == "Inherited from collection My API: Bearer token"
    col.save_auth("users", AuthSetting(BasicAuth("ada", "pw"), inherit=False))
    assert as_sent().auth == BasicAuth("ada", "pw")
    assert col.parent_auth(rid).describe() == "Inherited from folder Users: Basic"
    col.save_auth("users/admins", NO_AUTH)
    assert as_sent().auth is None
    assert as_sent().inherit_auth is False


def test_a_broken_auth_table_is_reported_with_the_file(col: Collection) -> None:
    path = col.root / "users" / "_folder.toml"
    path.write_text('schema = 1\nname = "Users"\n[auth]\ntype = "hawk"\n', encoding="utf-8")
    with pytest.raises(CollectionError, match=r"_folder.toml: unknown auth type 'hawk'"):
        col.load_auth("users")
    with pytest.raises(CollectionError, match="no folder"):
        col.load_auth("missing")


def test_postman_folder_noauth_and_api_key_folders(tmp_path: Path, keyring: MemoryKeyring) -> None:
    doc = {
        "info": {"name": "P"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "top-secret"}]},
        "item": [
            {"name": "Open", "auth": {"type": "noauth"}, "item": [{"name": "a", "request": {}}]},
            {
                "name": "Keyed",
                "auth": {
                    "type": "apikey",
                    "apikey": [{"key": "key", "value": "X-Key"}, {"key": "value", "value": "k"}],
                },
                "item": [{"name": "b", "request": {"url": "http://h/b"}}],
            },
            {"name": "c", "request": {"url": "http://h/c"}},
        ],
    }
    store = SecretStore(service="guiapp-test", backend=keyring)
    col = import_postman(doc, tmp_path / "p", secrets=store).collection
    assert "top-secret" not in (col.root / "collection.toml").read_text(encoding="utf-8")
    assert col.load_auth("") == AuthSetting(BearerAuth("top-secret"), inherit=False)
    assert col.load_auth("open") == NO_AUTH
    a = col.load_request("open/a.toml")
    assert a.inherit_auth
    assert apply_parent_auth(a, col.parent_auth("open/a.toml")).auth is None
    b = col.load_request("keyed/b.toml")  # no API-key auth kind: copied into the request
    assert b.headers == (("X-Key", "k"),)
    assert not b.inherit_auth
    c = col.load_request("c.toml")
    assert apply_parent_auth(c, col.parent_auth("c.toml")).auth == BearerAuth("top-secret")


def test_scope_resolution_still_works_with_inherit(col: Collection) -> None:
    spec = RequestSpec(url="http://h/", inherit_auth=True)
    assert resolve(spec, VariableScope()).inherit_auth  # no parent applied: sent without auth


def test_a_duplicated_folder_gets_its_own_secret(col: Collection) -> None:
    col.save_auth("users", AuthSetting(BearerAuth("original"), inherit=False))
    col.save_auth("users/admins", AuthSetting(BasicAuth("root", "admin-pw"), inherit=False))
    copy = col.duplicate("users")
    assert col.load_auth(copy) == AuthSetting(BearerAuth("original"), inherit=False)
    assert col.load_auth(f"{copy}/admins") == AuthSetting(
        BasicAuth("root", "admin-pw"), inherit=False
    )
    col.save_auth(copy, AuthSetting(BearerAuth("changed"), inherit=False))
    col.save_auth(f"{copy}/admins", INHERIT)  # removes the copy's keyring entry only
    assert col.load_auth("users") == AuthSetting(BearerAuth("original"), inherit=False)
    assert col.load_auth("users/admins") == AuthSetting(
        BasicAuth("root", "admin-pw"), inherit=False
    )


def test_an_unknown_parent_auth_leaves_the_request_inheriting() -> None:
    spec = RequestSpec(url="u", inherit_auth=True)
    unknown = ParentAuth(None, problem="Could not read the collection's auth: bad file")
    assert apply_parent_auth(spec, unknown) == spec  # still inheriting: the sender refuses it
    assert unknown.describe() == "Could not read the collection's auth: bad file"
    assert apply_parent_auth(spec, None) == RequestSpec(url="u")  # no collection: no auth
