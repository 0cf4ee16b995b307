"""Postman v2.1 and OpenAPI 3 imports into collections, from realistic sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guiapp.core.auth_inherit import AuthSetting, apply_parent_auth
from guiapp.core.collections import Collection
from guiapp.core.importers import ImportFailed, import_openapi, import_postman
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    DisabledPart,
    DisabledRow,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from guiapp.core.secrets import MemoryKeyring, SecretStore

DATA = Path(__file__).parent.parent / "data" / "import"


@pytest.fixture
def store() -> SecretStore:
    return SecretStore(service="guiapp-test", backend=MemoryKeyring())


def _by_name(col: Collection) -> dict[str, RequestSpec]:
    return {node.name: col.load_request(node.id) for node in col.tree().walk_requests()}


def _as_sent(col: Collection) -> dict[str, RequestSpec]:
    """Each request with the auth it inherits filled in, as it is sent."""
    return {
        node.name: apply_parent_auth(col.load_request(node.id), col.parent_auth(node.id))
        for node in col.tree().walk_requests()
    }


def test_postman_collection(tmp_path: Path, store: SecretStore) -> None:
    result = import_postman(DATA / "shop.postman_collection.json", tmp_path / "shop", secrets=store)
    col = result.collection
    assert col.name == "Shop API"
    tree = col.tree()
    assert [f.name for f in tree.folders] == ["Customers", "Orders", "Uploads"]
    stored = _by_name(col)
    specs = _as_sent(col)
    assert len(specs) == len(result.request_ids) == 10
    bearer = BearerAuth("{{accessToken}}")  # the collection's auth, inherited
    # Auth stays where Postman had it: on the collection and the Customers folder.
    assert col.load_auth("") == AuthSetting(bearer, inherit=False)
    assert col.load_auth("customers") == AuthSetting(
        BasicAuth("admin", "{{adminPassword}}"), inherit=False
    )
    assert col.load_auth("orders").inherit
    # `"disabled": true` entries are kept as disabled rows, at their positions.
    assert stored["List orders"] == RequestSpec(
        url="{{baseUrl}}/orders",
        params=[("status", "open"), ("limit", "20")],
        headers=[("Accept", "application/json")],
        disabled_params=[DisabledRow(2, "page", "")],
        disabled_headers=[DisabledRow(1, "X-Debug", "1")],
        inherit_auth=True,
    )
    assert specs["List orders"].auth == bearer
    assert stored["Search customers"].inherit_auth
    assert not stored["Delete customer (digest)"].inherit_auth
    assert specs["Get order"].url == "{{baseUrl}}/orders/{{orderId}}"
    create = specs["Create order"]
    assert (create.method, create.headers, create.auth) == ("POST", (), bearer)
    assert isinstance(create.body, JsonBody)
    assert json.loads(create.body.text.replace("{{customerId}}", "c1"))["items"][0]["qty"] == 2

    search = specs["Search customers"]
    assert search.body == FormBody(
        [("q", "ada lovelace"), ("country", "GB")], [DisabledRow(2, "debug", "1")]
    )
    assert search.auth == BasicAuth("admin", "{{adminPassword}}")  # the folder's auth
    delete = specs["Delete customer (digest)"]
    assert (delete.method, delete.auth) == ("DELETE", DigestAuth("ops", "{{opsPassword}}"))
    assert delete.url == "{{baseUrl}}/customers/{{customerId}}"

    assert specs["Upload invoice"].body == MultipartBody(
        [
            TextPart("orderId", "1001"),
            FilePart("invoice", "/home/ada/invoices/1001.pdf", content_type="application/pdf"),
        ],
        [DisabledPart(2, TextPart("note", "skip me"))],
    )
    assert specs["Upload raw image"].body == FileBody("/home/ada/logo.png", "image/png")
    assert specs["Upload raw image"].headers == ()

    gql = specs["GraphQL products"]
    assert gql.headers == (("X-Shop-Key", "{{shopKey}}"),)
    assert gql.auth is None
    assert isinstance(gql.body, JsonBody)
    assert json.loads(gql.body.text) == {
        "query": "query ($n: Int) { products(first: $n) { id name } }",
        "variables": {"n": 5},
    }
    assert specs["Health (no auth)"].auth is None
    assert not stored["Health (no auth)"].inherit_auth  # its own "noauth" is kept as such
    assert specs["Signed webhook"].body == TextBody("ping", "text/plain")

    # The `variable` array becomes the collection's own variables, not an environment (changed
    # with collection variables: an environment would override, i.e. shadow, them as in Postman).
    variables = col.load_variables()
    assert variables.values() == {"baseUrl": "https://shop.example.com/api/v2", "accessToken": ""}
    assert [v.name for v in variables.variables if not v.enabled] == ["legacy"]
    assert result.collection_variables == variables
    assert result.environments == []
    assert col.environment_names() == []
    warnings = "\n".join(result.warnings)
    assert "collection scripts" in warnings
    assert "Create order: scripts" in warnings
    assert "Signed webhook: auth type 'hawk'" in warnings


def test_postman_v20_object_auth_and_string_urls(tmp_path: Path, store: SecretStore) -> None:
    doc = {
        "info": {"name": "Old"},
        "item": [
            {
                "name": "Login",
                "request": {
                    "method": "post",
                    "url": "http://h/login/:user?next=%2Fhome",
                    "auth": {"type": "basic", "basic": {"username": "u", "password": "p"}},
                },
            },
            {"name": "Bare", "request": "http://h/bare"},
        ],
    }
    specs = _by_name(import_postman(doc, tmp_path / "old", secrets=store).collection)
    assert specs["Login"] == RequestSpec(
        url="http://h/login/{{user}}",
        method="POST",
        params=[("next", "/home")],
        auth=BasicAuth("u", "p"),
    )
    assert specs["Bare"] == RequestSpec(url="http://h/bare", inherit_auth=True)


def test_postman_collection_variables_secrets_and_unusable_names(
    tmp_path: Path, store: SecretStore
) -> None:
    doc = {
        "info": {"name": "Vars"},
        "variable": [
            {"key": "base", "value": "http://h"},
            {"key": "apiKey", "value": "k-123", "type": "secret"},
            {"key": "port", "value": 8080},
            {"key": "my var", "value": "x"},
            {"key": "base", "value": "http://later"},
            {"value": "no key"},
        ],
        "item": [{"name": "Ping", "request": {"url": "{{base}}:{{port}}/?k={{apiKey}}"}}],
    }
    result = import_postman(doc, tmp_path / "vars", secrets=store)
    col = result.collection
    assert col.load_variables().values() == {
        "apiKey": "k-123",
        "port": "8080",
        "base": "http://later",  # a repeated key: the last one wins, as in Postman
    }
    assert "k-123" not in (col.root / "collection.toml").read_text()
    assert store.get(f"{store.scope(col.root)}:collection/apiKey") == "k-123"
    assert any("my var" in w and "space" in w for w in result.warnings)


def test_openapi_document(tmp_path: Path, store: SecretStore) -> None:
    result = import_openapi(DATA / "petstore.openapi.json", tmp_path / "pets", secrets=store)
    col = result.collection
    assert col.name == "Swagger Petstore"
    tree = col.tree()
    assert [f.name for f in tree.folders] == ["pet", "store", "user"]
    assert [r.name for r in tree.requests] == ["Returns pet inventories by status"]
    specs = _by_name(col)
    assert len(specs) == 9

    add = specs["Add a new pet to the store"]
    assert (add.method, add.url) == ("POST", "{{baseUrl}}/pet")
    assert add.auth == BearerAuth("{{bearerToken}}")  # oauth2, the document's default
    assert isinstance(add.body, JsonBody)
    pet = json.loads(add.body.text)
    assert pet["name"] == "doggie"
    assert pet["category"] == {"id": 1, "name": "Dogs"}
    assert pet["status"] == "available"
    assert pet["tags"] == [{"id": 0, "name": "string"}]

    find = specs["Finds Pets by status"]
    assert find.params == (("status", "available"),)  # optional without example: left out
    assert find.headers == (("X-Request-ID", "req-123"),)

    get = specs["Find pet by ID"]
    assert get.url == "{{baseUrl}}/pet/{{petId}}"
    assert get.headers == (("api_key", "{{apiKey}}"),)
    assert get.auth is None
    assert specs["Updates a pet in the store with form data"].body == FormBody(
        [("name", "doggie"), ("status", "available")]
    )
    assert specs["deletePet"].method == "DELETE"
    upload = specs["uploads an image"]
    assert upload.params == (("additionalMetadata", "front view"),)
    assert upload.body == MultipartBody(
        [TextPart("caption", "Rex at the beach"), FilePart("file", "{{fileFile}}")]
    )
    order = specs["Place an order for a pet"]
    assert order.auth is None  # security: [] switches auth off
    assert isinstance(order.body, JsonBody)
    assert json.loads(order.body.text)["quantity"] == 7
    assert json.loads(order.body.text)["shipDate"] == "2024-05-01T10:00:00Z"
    login = specs["Logs user into the system"]
    assert login.auth == BasicAuth("{{username}}", "{{password}}")
    assert login.params == (("username", ""), ("password", ""))  # required: kept, empty
    assert specs["Returns pet inventories by status"].params == (("key", "{{apiKey}}"),)

    env = result.environments[0]
    assert env.values()["baseUrl"] == "https://staging.petstore.example.com/api/v3"
    assert env.values()["petId"] == "10"
    assert {v.name for v in env.variables if v.secret} == {"bearerToken", "apiKey", "password"}
    assert col.load_environment("Swagger Petstore") == env


def test_import_errors_are_clear(tmp_path: Path, store: SecretStore) -> None:
    with pytest.raises(ImportFailed, match="not a Postman collection"):
        import_postman({"openapi": "3.0.0"}, tmp_path / "a", secrets=store)
    with pytest.raises(ImportFailed, match="not an OpenAPI 3 document"):
        import_openapi({"swagger": "2.0", "paths": {}}, tmp_path / "b", secrets=store)
    with pytest.raises(ImportFailed, match="got a list"):
        import_openapi("- 1\n- 2\n", tmp_path / "c", secrets=store)


def test_openapi_yaml_imports_like_its_json_form(tmp_path: Path, store: SecretStore) -> None:
    from_json = import_openapi(DATA / "petstore.openapi.json", tmp_path / "j", secrets=store)
    from_yaml = import_openapi(DATA / "petstore.openapi.yaml", tmp_path / "y", secrets=store)
    assert _by_name(from_yaml.collection) == _by_name(from_json.collection)
    assert from_yaml.environments == from_json.environments
    order = _by_name(from_yaml.collection)["Place an order for a pet"]
    assert isinstance(order.body, JsonBody)
    # An unquoted YAML timestamp stays the text it is in the document, not a datetime.
    assert json.loads(order.body.text)["shipDate"] == "2024-05-01T10:00:00Z"


def test_yaml_text_and_its_errors(tmp_path: Path, store: SecretStore) -> None:
    text = "openapi: 3.0.3\ninfo:\n  title: Tiny\npaths:\n  /ping:\n    get:\n      summary: Ping\n"
    result = import_openapi(text, tmp_path / "t", secrets=store)
    assert result.collection.name == "Tiny"
    assert list(_by_name(result.collection)) == ["Ping"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\npaths:\n  /a: [get\n")
    with pytest.raises(ImportFailed, match=r"nor valid YAML \(.* at line 4, column 1\)"):
        import_openapi(broken, tmp_path / "b", secrets=store)


def test_a_literal_folder_token_reaches_the_real_secret_store(
    tmp_path: Path, store: SecretStore
) -> None:
    """Imports are built in a staging folder with a staged secret store; the collection's and
    folders' own secrets must end in ``store``, keyed to the final location."""
    doc = {
        "info": {"name": "Tok", "schema": "v2.1"},
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "s3cr3t-tok"}]},
        "item": [{"name": "F", "item": [{"name": "Me", "request": {"url": "http://h/me"}}]}],
    }
    result = import_postman(doc, tmp_path / "tok", secrets=store)
    reopened = Collection.open(tmp_path / "tok", secrets=store)
    assert reopened.load_auth("") == AuthSetting(BearerAuth("s3cr3t-tok"), inherit=False)
    assert "s3cr3t-tok" not in (tmp_path / "tok" / "collection.toml").read_text()
    assert result.collection.root == (tmp_path / "tok").resolve()
