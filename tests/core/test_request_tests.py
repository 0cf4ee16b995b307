"""The TOML form of checks and captures, stored in the request's own file."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.collections import Collection, CollectionError
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests, TestsFormatError, parse_tests
from guiapp.core.request_tests import tests_to_document as to_document
from guiapp.core.secrets import MemoryKeyring, SecretStore

TESTS = RequestTests(
    checks=(
        Check("status", "in range", [200, 299]),
        Check("header", "contains", "json", name="Content-Type"),
        Check("body", "length >=", 1, path="$.items", enabled=False),
        Check("time", "<", 800),
    ),
    captures=(
        Capture("token", "body", "$.access_token", secret=True),
        Capture("loc", "header", "Location", enabled=False),
    ),
)


@pytest.fixture
def collection(tmp_path: Path) -> Collection:
    return Collection.create(
        tmp_path / "api", name="API", secrets=SecretStore(backend=MemoryKeyring())
    )


def test_round_trip_through_the_request_file(collection: Collection) -> None:
    rel = collection.new_request("", "Login", RequestSpec(url="{{base}}/login", method="POST"))
    collection.save_tests(rel, TESTS)
    assert collection.load_tests(rel) == TESTS
    assert collection.load_request(rel).url == "{{base}}/login"
    text = collection.path_of(rel).read_text()
    assert '[[checks]]\nsubject = "status"\nop = "in range"\nvalue = [200, 299]' in text
    assert 'variable = "token"' in text
    assert "secret = true" in text


def test_saving_the_request_keeps_its_tests_and_comments(collection: Collection) -> None:
    rel = collection.new_request("", "Login", RequestSpec(url="http://a/login"))
    collection.save_tests(rel, TESTS)
    path = collection.path_of(rel)
    path.write_text("# kept\n" + path.read_text())
    loaded = collection.load_request(rel)
    assert loaded.tests == TESTS  # the request as loaded carries its tests...
    collection.save_request(rel, replace(loaded, url="http://b/login"))  # ...and saves them
    assert collection.load_tests(rel) == TESTS
    assert path.read_text().startswith("# kept\n")
    assert collection.load_request(rel).url == "http://b/login"


def test_the_request_is_saved_with_its_tests(collection: Collection) -> None:
    spec = RequestSpec(url="http://a/login", tests=TESTS)
    rel = collection.new_request("", "Login", spec)
    assert collection.load_request(rel) == spec
    text = collection.path_of(rel).read_text()
    assert text.index("[request]") < text.index("[[checks]]")  # next to [request], not in it
    collection.save_request(rel, replace(spec, tests=RequestTests()))  # all removed in the editor
    assert "checks" not in collection.path_of(rel).read_text()
    assert collection.load_request(rel).tests is None


def test_empty_tests_leave_no_empty_arrays(collection: Collection) -> None:
    rel = collection.new_request("", "Ping", RequestSpec(url="http://a/"))
    collection.save_tests(rel, TESTS)
    collection.save_tests(rel, RequestTests())
    text = collection.path_of(rel).read_text()
    assert "checks" not in text
    assert "captures" not in text
    assert not collection.load_tests(rel)


def test_a_bad_entry_names_its_file_and_place(collection: Collection) -> None:
    rel = collection.new_request("", "Ping", RequestSpec(url="http://a/"))
    path = collection.path_of(rel)
    path.write_text(
        path.read_text()
        + '\n[[checks]]\nsubject = "status"\nop = "=="\nvalue = 200\n'
        + '\n[[checks]]\nsubject = "status"\nop = "=~"\nvalue = 1\n'
    )
    with pytest.raises(CollectionError) as info:
        collection.load_tests(rel)
    assert str(path) in str(info.value)
    assert "checks[1]: unknown operator '=~'" in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"checks": {"subject": "status"}}, "expected an array of tables"),
        ({"checks": ["status == 200"]}, "checks[0]: expected a table"),
        ({"checks": [{"subject": "status", "op": "==", "value": 1, "x": 1}]}, "unknown key 'x'"),
        ({"checks": [{"subject": 3, "op": "==", "value": 1}]}, "'subject' must be text"),
        ({"captures": [{"variable": "t", "source": "body"}]}, "needs a body path"),
        ({"captures": [{"variable": "t", "source": "status", "secret": "y"}]}, "true or false"),
    ],
)
def test_format_errors(data: dict, message: str) -> None:
    with pytest.raises(TestsFormatError, match=re.escape(message)):
        parse_tests(data)


def test_a_request_with_tests_stays_hashable() -> None:
    spec = RequestSpec(url="http://a/", tests=TESTS)  # "in range" holds a list
    same = RequestSpec(url="http://a/", tests=parse_tests(to_document(TESTS)))
    assert same == spec
    assert hash(same) == hash(spec)
    assert len({spec, same, RequestSpec(url="http://a/")}) == 2
