"""Collections: one TOML file per request, folders, environments with keyring secrets, trash."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from guiapp.core._collection_files import dump_merged, quick_summary, request_document
from guiapp.core.collections import Collection, CollectionError, TrashEntry
from guiapp.core.request import BearerAuth, JsonBody, RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import Environment, Variable
from tests.strategies import request_specs, texts


@pytest.fixture
def store() -> SecretStore:
    return SecretStore(service="guiapp-test", backend=MemoryKeyring())


@pytest.fixture
def col(tmp_path: Path, store: SecretStore) -> Collection:
    return Collection.create(tmp_path / "api", name="My API", secrets=store)


SPEC = RequestSpec(
    url="{{base}}/users",
    method="POST",
    headers=[("Accept", "application/json")],
    body=JsonBody('{\n  "name": "Ada"\n}\n'),
    auth=BearerAuth("{{token}}"),
)


def test_create_open_and_list(col: Collection, store: SecretStore) -> None:
    users = col.create_folder("", "Users & Admins")
    rid = col.new_request(users, "Create user", SPEC)
    col.new_request("", "Health", RequestSpec(url="{{base}}/health"))
    assert (users, rid) == ("users-admins", "users-admins/create-user.toml")
    again = Collection.open(col.root, secrets=store)
    assert (again.name, again.id) == ("My API", col.id)
    tree = again.tree()
    assert [(r.id, r.name, r.method) for r in tree.requests] == [("health.toml", "Health", "GET")]
    assert [(f.id, f.name) for f in tree.folders] == [("users-admins", "Users & Admins")]
    assert tree.folders[0].requests[0].name == "Create user"
    assert again.load_request(rid) == SPEC


def test_files_are_plain_diffable_toml(col: Collection) -> None:
    rid = col.new_request("", "Create user", SPEC)
    text = (col.root / rid).read_text()
    assert text.startswith('schema = 1\nname = "Create user"\n')
    assert 'text = """{\n  "name": "Ada"\n}\n"""' in text  # a body diffs line by line
    assert "[request.auth]" in text


def test_save_keeps_comments_and_unknown_keys(col: Collection) -> None:
    rid = col.new_request("", "R", SPEC)
    path = col.root / rid
    edited = "# Owned by the billing team\n" + path.read_text().replace(
        "[request]\n", "[request]\nx_custom = 'from a newer app'  # keep me\n"
    )
    path.write_text(edited + "\n[extra]\nnote = 'kept'\n")
    col.save_request(rid, RequestSpec(url="http://h/", method="DELETE"))
    text = path.read_text()
    assert "# Owned by the billing team" in text
    assert "x_custom = 'from a newer app'  # keep me" in text
    assert "note = 'kept'" in text
    assert "[request.body]" not in text
    assert "[request.auth]" not in text
    assert col.load_request(rid) == RequestSpec(url="http://h/", method="DELETE")
    assert col.request_name(rid) == "R"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec=request_specs())
def test_any_request_round_trips_through_its_file(
    tmp_path_factory: pytest.TempPathFactory, spec: RequestSpec
) -> None:
    root = tmp_path_factory.mktemp("c")
    col = Collection.create(root / "c", name="c", secrets=SecretStore(backend=MemoryKeyring()))
    rid = col.new_request("", "r", spec)
    assert col.load_request(rid) == spec
    col.save_request(rid, spec)  # a second save over the same file changes nothing
    assert col.load_request(rid) == spec


def test_newer_schema_and_broken_files_are_reported(col: Collection) -> None:
    rid = col.new_request("", "R", SPEC)
    path = col.root / rid
    path.write_text(path.read_text().replace("schema = 1", "schema = 99"))
    with pytest.raises(CollectionError, match="schema 99 is newer"):
        col.load_request(rid)
    path.write_text("name = 'x'\n[request\n")
    with pytest.raises(CollectionError, match=str(path)):
        col.load_request(rid)
    assert col.tree().requests[0].method == "!"  # listed as broken, the tree still loads
    with pytest.raises(CollectionError, match="invalid id"):
        col.load_request("../outside.toml")
    with pytest.raises(CollectionError, match="not a collection"):
        Collection.open(col.root / "nope")


def test_rename_duplicate_move(col: Collection) -> None:
    folder = col.create_folder("", "Users")
    rid = col.new_request("", "Get user", SPEC)
    renamed = col.rename(rid, "Fetch user")
    assert renamed == "fetch-user.toml"
    assert col.request_name(renamed) == "Fetch user"
    copy = col.duplicate(renamed)
    assert col.request_name(copy) == "Fetch user copy"
    assert col.load_request(copy) == SPEC
    moved = col.move(copy, folder)
    assert moved == "users/fetch-user-copy.toml"
    renamed_folder = col.rename(folder, "People")
    assert renamed_folder == "people"
    assert col.tree().folders[0].name == "People"
    assert col.load_request("people/fetch-user-copy.toml") == SPEC
    folder_copy = col.duplicate("people")
    assert col.tree().folders[1].name == "People copy"
    assert col.load_request(f"{folder_copy}/fetch-user-copy.toml") == SPEC
    with pytest.raises(CollectionError, match="into itself"):
        col.move("people", "people")


def test_delete_goes_to_trash_and_restores(col: Collection) -> None:
    folder = col.create_folder("", "Users")
    rid = col.new_request(folder, "Get", SPEC)
    entry = col.delete(rid)
    assert isinstance(entry, TrashEntry)
    assert entry.original == rid
    assert col.tree().folders[0].requests == ()
    folder_entry = col.delete(folder)
    assert col.tree().folders == ()
    assert [e.original for e in col.trash()] == [folder, rid]
    assert col.restore(folder_entry) == folder
    assert col.restore(entry.token) == rid
    assert col.load_request(rid) == SPEC
    assert col.trash() == []
    assert (col.root / ".trash" / ".gitignore").read_text() == "*\n"
    # Restoring over a newer item of the same name keeps both.
    entry = col.delete(rid)
    col.save_request(rid, RequestSpec(url="http://new/"))
    restored = col.restore(entry)
    assert restored != rid
    assert col.load_request(restored) == SPEC


def test_scan_changes_sees_external_edits_only(col: Collection) -> None:
    rid = col.new_request("", "A", SPEC)
    col.new_request("", "B", SPEC)
    assert not col.scan_changes()  # our own writes are not news
    col.save_request(rid, RequestSpec(url="http://changed/"))
    assert not col.scan_changes()
    (col.root / "b.toml").unlink()
    (col.root / "c.toml").write_text('schema = 1\nname = "C"\n[request]\nurl = "http://c/"\n')
    path = col.root / rid
    path.write_text(path.read_text() + "# edited elsewhere\n")
    changes = col.scan_changes()
    assert (changes.added, changes.removed, changes.modified) == (("c.toml",), ("b.toml",), (rid,))
    assert not col.scan_changes()


def test_environments_keep_secrets_out_of_files(col: Collection, store: SecretStore) -> None:
    env = Environment(
        "Dev", [Variable("base", "http://localhost:8000"), Variable("token", "s3cret", True)]
    )
    col.save_environment(env)
    text = (col.root / "_environments" / "dev.toml").read_text()
    assert "s3cret" not in text
    assert "secret = true" in text
    assert col.environment_names() == ["Dev"]
    assert store.get(f"{store.scope(col.root)}/Dev/token") == "s3cret"
    assert col.load_environment("Dev") == env
    # Making it non-secret moves the value to the file and removes it from the keyring.
    col.save_environment(env.with_value("token", "public", secret=False))
    assert store.get(f"{store.scope(col.root)}/Dev/token") is None
    assert col.load_environment("Dev").get("token") == "public"
    col.delete_environment("Dev")
    assert col.environment_names() == []
    assert all(f.id != "_environments" for f in col.tree().folders)


def test_collection_variables_round_trip_keeping_unknown_keys(
    col: Collection, store: SecretStore
) -> None:
    meta = col.root / "collection.toml"
    assert col.load_variables() == Environment("My API")  # none yet
    meta.write_text(
        "# Shared by the team\n"
        + meta.read_text()
        + "x_owner = 'billing'  # from a newer app\n\n"
        + '[[variables]]\nname = "base"\nvalue = "http://old"\ndescription = "API root"\n'
        + '\n[[variables]]\nname = "port"\nvalue = 8080\n'
    )
    again = Collection.open(col.root, secrets=store)
    assert again.load_variables().values() == {"base": "http://old", "port": "8080"}
    new = (
        Variable("base", "http://new"),
        Variable("token", "s3cret", secret=True),
        Variable("old", "x", enabled=False),
    )
    again.save_variables(new)
    text = meta.read_text()
    assert text.startswith("# Shared by the team\n")
    assert "x_owner = 'billing'  # from a newer app" in text
    assert 'description = "API root"' in text  # kept with its variable
    assert "port" not in text  # removed from the table: it is not in the new list
    assert "s3cret" not in text
    parsed = tomllib.loads(text)
    assert (parsed["schema"], parsed["name"], parsed["id"]) == (1, "My API", col.id)
    assert store.get(f"{store.scope(col.root)}:collection/token") == "s3cret"
    assert store.get(f"{store.scope(col.root)}/My API/token") is None  # not an environment's key
    assert Collection.open(col.root, secrets=store).load_variables() == Environment("My API", new)
    # Not an external change: the watcher must not report the collection's own write.
    assert again.scan_changes().modified == ()
    # A secret that becomes plain (or goes away) leaves the keyring.
    again.save_variables((Variable("token", "public"),))
    assert store.get(f"{store.scope(col.root)}:collection/token") is None
    again.save_variables(())
    assert "variables" not in meta.read_text()
    assert "x_owner" in meta.read_text()


def test_collection_variables_with_bad_names_are_refused_and_nothing_is_written(
    col: Collection, store: SecretStore
) -> None:
    col.save_variables((Variable("base", "http://a"),))
    before = (col.root / "collection.toml").read_text()
    for bad, why in (
        ((Variable("my token", "x", secret=True),), "contains a space"),
        ((Variable("a", "1"), Variable("a", "2")), "defined twice"),
        ((Variable("$uuid", "1"),), "built in"),
        ((Variable("", "1"),), "needs a name"),
    ):
        with pytest.raises(CollectionError, match=why):
            col.save_variables(bad)
    assert (col.root / "collection.toml").read_text() == before
    assert store.get(f"{store.scope(col.root)}:collection/my token") is None


def test_collection_variables_of_a_newer_schema_are_not_half_read(col: Collection) -> None:
    meta = col.root / "collection.toml"
    meta.write_text(meta.read_text().replace("schema = 1", "schema = 99"))
    with pytest.raises(CollectionError, match="newer"):
        col.load_variables()
    with pytest.raises(CollectionError, match="newer"):
        col.save_variables((Variable("a", "1"),))
    meta.write_text('schema = 1\nname = "x"\nvariables = "oops"\n')
    with pytest.raises(CollectionError, match=r"collection\.toml: expected"):
        col.load_variables()


def test_environment_variables_keep_their_unknown_keys_too(col: Collection) -> None:
    col.save_environment(Environment("Dev", [Variable("base", "http://a")]))
    path = col.root / "_environments" / "dev.toml"
    path.write_text(path.read_text() + 'description = "the API root"\n')
    col.save_environment(Environment("Dev", [Variable("base", "http://b")]))
    assert 'description = "the API root"' in path.read_text()
    assert col.load_environment("Dev").values() == {"base": "http://b"}


def test_five_thousand_requests_open_and_list_fast(tmp_path: Path, store: SecretStore) -> None:
    col = Collection.create(tmp_path / "big", name="big", secrets=store)
    template = (col.root / col.new_request("", "seed", SPEC)).read_text()
    for f in range(50):
        folder = col.root / f"folder-{f:02d}"
        folder.mkdir()
        for r in range(100):
            (folder / f"request-{r:03d}.toml").write_text(
                template.replace('name = "seed"', f'name = "Request {f}-{r}"')
            )
    start = time.perf_counter()
    big = Collection.open(col.root, secrets=store)
    tree = big.tree()
    elapsed = time.perf_counter() - start
    assert len(tree.walk_requests()) == 5001
    start = time.perf_counter()
    big.tree()  # unchanged files come from the summary cache
    relist = time.perf_counter() - start
    print(f"\n5,000 requests: open + tree {elapsed:.3f}s, re-list {relist:.3f}s")
    assert elapsed < 10.0, elapsed  # ~0.5 s here; generous for a loaded 2-core CI box
    assert relist < elapsed


def test_create_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("")
    with pytest.raises(CollectionError, match="not empty"):
        Collection.create(tmp_path / "x", name="x")


@settings(max_examples=150, deadline=None)
@given(spec=request_specs(), name=texts(30))
def test_quick_listing_summary_agrees_with_a_full_parse(spec: RequestSpec, name: str) -> None:
    text = dump_merged(None, request_document(name, spec))
    quick = quick_summary(text)
    if "\n" in name:
        assert quick in (None, (name, spec.method))  # multi-line names take the slow path
    else:
        assert quick == (name, spec.method)
    data = tomllib.loads(text)
    assert (data["name"], data["request"]["method"]) == (name, spec.method)


def test_quick_summary_declines_unusual_layouts() -> None:
    assert quick_summary("name = 'lit'\nschema = 1\n[request]\nmethod = \"GET\"\n") is None
    assert quick_summary('schema = 2\nname = "n"\n[request]\nmethod = "GET"\n') is None
    assert quick_summary('schema = 1\nname = "n"\n[other]\n[request]\nmethod = "GET"\n') is None
