"""Hostile import documents: alias bombs, $ref fan-out, names that clash with the collection's
own files, deep trees, local files, and imports that fail half-way (nothing may be left)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guiapp.core._collection_files import slugify
from guiapp.core.collections import Collection
from guiapp.core.importers import (
    ImportFailed,
    ImportLimits,
    import_openapi,
    import_postman,
    run_import,
)
from guiapp.core.request import FileBody, FilePart, MultipartBody
from guiapp.core.secrets import MemoryKeyring, SecretStore

pytestmark = pytest.mark.hostile("importers")


@pytest.fixture
def store() -> SecretStore:
    return SecretStore(service="guiapp-test", backend=MemoryKeyring())


def _alias_bomb(levels: int = 9) -> str:
    """The ~600-byte "billion laughs" document of the red-team report, as OpenAPI YAML."""
    lines = ["openapi: 3.0.0", "info: {title: bomb}", "paths: {}", "x0: &x0 [lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]")
    lines.append(f"components: {{examples: {{a: {{value: *x{levels - 1}}}}}}}")
    return "\n".join(lines) + "\n"


def _fan_out(width: int = 10, levels: int = 8) -> dict[str, Any]:
    """Schemas that each refer to the next one ``width`` times: width**levels values."""
    schemas: dict[str, Any] = {f"S{levels}": {"type": "string"}}
    for i in range(levels):
        schemas[f"S{i}"] = {
            "type": "object",
            "properties": {
                f"p{j}": {"$ref": f"#/components/schemas/S{i + 1}"} for j in range(width)
            },
        }
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Fan"},
        "paths": {f"/p{k}": {"post": {"requestBody": body}} for k in range(3)},
        "components": {"schemas": schemas},
    }


def test_yaml_alias_bomb_is_refused_quickly_naming_the_limit(tmp_path: Path) -> None:
    doc = tmp_path / "bomb.yaml"
    doc.write_text(_alias_bomb())
    assert doc.stat().st_size < 700
    with pytest.raises(ImportFailed, match=r"aliases.*import/max_yaml_values"):
        import_openapi(doc, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_yaml_with_a_few_aliases_still_imports(tmp_path: Path, store: SecretStore) -> None:
    text = (
        "openapi: 3.0.0\ninfo: {title: Shared}\n"
        "x-params: &page {name: page, in: query, required: true, example: 2}\n"
        "paths:\n  /a: {get: {summary: A, parameters: [*page]}}\n"
        "  /b: {get: {summary: B, parameters: [*page]}}\n"
    )
    result = import_openapi(text, tmp_path / "shared", secrets=store)
    specs = [result.collection.load_request(r) for r in result.request_ids]
    assert [s.params for s in specs] == [(("page", "2"),), (("page", "2"),)]


def test_ref_fan_out_example_is_bounded_and_said(tmp_path: Path, store: SecretStore) -> None:
    limits = ImportLimits(max_example_values=5_000)
    result = import_openapi(_fan_out(), tmp_path / "fan", secrets=store, limits=limits)
    assert len(result.request_ids) == 3
    total = sum(p.stat().st_size for p in (tmp_path / "fan").rglob("*.toml"))
    assert total < 200_000, total
    assert sum("import/max_example_values" in w for w in result.warnings) == 3


def test_ref_resolutions_over_the_import_are_bounded(tmp_path: Path) -> None:
    limits = ImportLimits(max_ref_resolutions=500)
    with pytest.raises(ImportFailed, match=r"more than 500 \$ref.*import/max_ref_resolutions"):
        import_openapi(_fan_out(), tmp_path / "fan", limits=limits)
    assert list(tmp_path.iterdir()) == []


def test_shared_large_example_is_bounded_in_total(tmp_path: Path) -> None:
    big = {"value": {"blob": "x" * 200_000}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Big"},
        "components": {"examples": {"big": big}},
        "paths": {
            f"/p{k}": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "examples": {"e": {"$ref": "#/components/examples/big"}}
                            }
                        }
                    }
                }
            }
            for k in range(30)
        },
    }
    limits = ImportLimits(max_total_example_bytes=1_000_000)
    with pytest.raises(ImportFailed, match="import/max_total_example_mb"):
        import_openapi(doc, tmp_path / "big", limits=limits)
    small = ImportLimits(max_example_bytes=100_000)
    result = import_openapi(doc, tmp_path / "big2", limits=small)
    assert sum("import/max_example_kb" in w for w in result.warnings) == 30


def test_document_size_is_bounded_before_reading(tmp_path: Path) -> None:
    doc = tmp_path / "huge.json"
    doc.write_text(json.dumps({"info": {"name": "x"}, "item": [], "pad": "x" * 5000}))
    with pytest.raises(ImportFailed, match=r"huge.json is \d+ bytes.*import/max_document_mb"):
        import_postman(doc, tmp_path / "out", limits=ImportLimits(max_document_bytes=1000))


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "a:\n" + "- " * 50_000 + "x"])
def test_deeply_nested_documents_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(ImportFailed, match="nested too deeply"):
        import_postman(text, tmp_path / "deep")


def _postman(items: list[Any]) -> dict[str, Any]:
    return {"info": {"name": "P"}, "item": items}


def _req(name: str, url: str = "http://127.0.0.1/") -> dict[str, Any]:
    return {"name": name, "request": {"method": "GET", "url": url}}


def test_request_named_collection_in_a_folder_imports(tmp_path: Path, store: SecretStore) -> None:
    doc = _postman(
        [
            _req("Collection"),
            {"name": "F", "item": [_req("Collection"), _req("COLLECTION"), _req("_folder")]},
            {"name": "CON", "item": [_req("nul"), _req("Com1")]},
        ]
    )
    result = import_postman(doc, tmp_path / "p", secrets=store)
    col = Collection.open(tmp_path / "p", secrets=store)
    names = sorted(node.name for node in col.tree().walk_requests())
    assert names == sorted(["Collection", "Collection", "COLLECTION", "_folder", "nul", "Com1"])
    assert len(result.request_ids) == 6
    own = {"collection.toml", "_folder.toml"}
    stems = {p.stem.casefold() for p in (tmp_path / "p").rglob("*") if p.name not in own}
    assert not stems & {"collection", "con", "nul", "com1", "_folder"}


def test_names_differing_only_in_case_get_distinct_files(tmp_path: Path) -> None:
    result = import_postman(_postman([_req("Users"), _req("USERS"), _req("users")]), tmp_path / "p")
    files = [r.casefold() for r in result.request_ids]
    assert len(set(files)) == 3


def test_long_names_are_bounded_in_bytes() -> None:
    assert len(slugify("日本語" * 100).encode()) <= 100
    assert len(slugify("a" * 1000)) <= 60


def test_too_deep_folders_refused_and_nothing_left(tmp_path: Path) -> None:
    tree: dict[str, Any] = _req("leaf")
    for depth in range(66):
        tree = {"name": f"level {depth} " + "x" * 200, "item": [tree]}
    with pytest.raises(ImportFailed, match=r"nested 17 levels deep.*import/max_folder_depth"):
        import_postman(_postman([tree]), tmp_path / "deep")
    assert list(tmp_path.iterdir()) == []


def test_failure_half_way_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = Collection.new_request

    def failing(self: Collection, folder: str, name: str, spec: Any) -> str:
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, folder, name, spec)

    monkeypatch.setattr(Collection, "new_request", failing)
    with pytest.raises(OSError, match="disk full"):
        import_postman(_postman([_req(f"r{i}") for i in range(5)]), tmp_path / "half")
    assert list(tmp_path.iterdir()) == []


def test_existing_destination_is_never_overwritten(tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    dest.mkdir()
    (dest / "notes.txt").write_text("keep")
    with pytest.raises(ImportFailed, match="not empty"):
        import_postman(_postman([_req("a")]), dest)
    assert (dest / "notes.txt").read_text() == "keep"


def test_postman_file_bodies_stay_references_and_are_listed(tmp_path: Path) -> None:
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    doc = _postman(
        [
            {
                "name": "Upload key",
                "request": {
                    "method": "POST",
                    "url": "http://127.0.0.1/",
                    "body": {"mode": "file", "file": {"src": str(secret)}},
                },
            },
            {
                "name": "Form",
                "request": {
                    "method": "POST",
                    "url": "http://127.0.0.1/",
                    "body": {
                        "mode": "formdata",
                        "formdata": [{"key": "k", "type": "file", "src": "~/.ssh/id_rsa"}],
                    },
                },
            },
        ]
    )
    result = import_postman(doc, tmp_path / "p")
    specs = [result.collection.load_request(r) for r in result.request_ids]
    assert specs[0].body == FileBody(str(secret), None)
    assert isinstance(specs[1].body, MultipartBody)
    assert specs[1].body.parts == (FilePart("k", "~/.ssh/id_rsa"),)
    texts = "".join(p.read_text() for p in (tmp_path / "p").rglob("*.toml"))
    assert "PRIVATE KEY" not in texts
    assert any(str(secret) in w and "asked" in w for w in result.warnings)
    assert any("~/.ssh/id_rsa" in w for w in result.warnings)


# -- the worker process ----------------------------------------------------------------------
@pytest.mark.timeout(60)
def test_run_import_in_worker_keeps_secrets_in_the_callers_store(
    tmp_path: Path, store: SecretStore
) -> None:
    doc = tmp_path / "c.json"
    doc.write_text(
        json.dumps(
            {
                **_postman([_req("Ping", "{{base}}/ping")]),
                "variable": [
                    {"key": "base", "value": "http://127.0.0.1:1"},
                    {"key": "token", "value": "s3cret", "type": "secret"},
                ],
            }
        )
    )
    result = run_import(doc, tmp_path / "out", secrets=store)
    assert result.collection.load_request(result.request_ids[0]).url == "{{base}}/ping"
    reopened = Collection.open(tmp_path / "out", secrets=store)
    assert reopened.load_variables().values() == {"base": "http://127.0.0.1:1", "token": "s3cret"}
    assert "s3cret" not in (tmp_path / "out" / "collection.toml").read_text()


@pytest.mark.timeout(60)
def test_run_import_memory_limit_stops_the_worker(tmp_path: Path) -> None:
    # Big enough to exceed a tiny memory budget while parsing, far below the size limit.
    doc = tmp_path / "wide.json"
    doc.write_text(json.dumps({"info": {"name": "w"}, "item": [], "pad": ["x" * 64] * 400_000}))
    limits = ImportLimits(memory_limit_bytes=16 * 1024 * 1024)
    with pytest.raises(ImportFailed, match="import/memory_limit_mb"):
        run_import(doc, tmp_path / "out", limits=limits)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.json"]


@pytest.mark.timeout(60)
def test_run_import_time_limit_kills_the_worker(tmp_path: Path) -> None:
    doc = tmp_path / "fan.json"
    doc.write_text(json.dumps(_fan_out(width=10, levels=9)))  # 10**9 values if unbounded
    limits = ImportLimits(
        time_limit_s=5, max_example_values=10**10, max_ref_resolutions=10**10, max_ref_depth=20
    )
    with pytest.raises(ImportFailed, match=r"longer than 5 s.*import/time_limit_s"):
        run_import(doc, tmp_path / "out", limits=limits)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fan.json"]


@pytest.mark.timeout(60)
def test_run_import_reports_a_bad_document(tmp_path: Path) -> None:
    doc = tmp_path / "x.json"
    doc.write_text('{"hello": 1}')
    with pytest.raises(ImportFailed, match="neither a Postman collection"):
        run_import(doc, tmp_path / "out")
