"""{{variables}}: substitution everywhere in a request, nesting, loops, and what is missing."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import (
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from guiapp.core.serialize import spec_to_dict
from guiapp.core.variables import (
    Environment,
    Variable,
    VariableScope,
    expand,
    find_unresolved,
    resolve,
    variable_name_problem,
)
from tests.strategies import request_specs

ENV = Environment(
    "dev",
    [
        Variable("scheme", "https"),
        Variable("host", "api.example.com"),
        Variable("base", "{{scheme}}://{{host}}/v1"),
        Variable("token", "s3cret", secret=True),
        Variable("user", "ada"),
        Variable("dir", "/tmp/up"),
        Variable("off", "nope", enabled=False),
    ],
)


def test_substitutes_in_every_part_of_a_request() -> None:
    spec = RequestSpec(
        url="{{base}}/users/{{user}}",
        params=[("{{user}}", "{{ host }}")],
        headers=[("X-User", "{{user}}"), ("Authorization", "Bearer {{token}}")],
        body=MultipartBody(
            [TextPart("{{user}}", "hi {{user}}"), FilePart("f", "{{dir}}/a.png", "{{user}}.png")]
        ),
        auth=BasicAuth("{{user}}", "{{token}}"),
        proxy="http://{{host}}:3128",
        verify="{{dir}}/ca.pem",
        cert=("{{dir}}/c.pem", "{{dir}}/k.pem"),
    )
    out = resolve(spec, ENV)
    assert out.url == "https://api.example.com/v1/users/ada"
    assert out.params == (("ada", "api.example.com"),)
    assert out.headers == (("X-User", "ada"), ("Authorization", "Bearer s3cret"))
    assert out.body == MultipartBody(
        [TextPart("ada", "hi ada"), FilePart("f", "/tmp/up/a.png", "ada.png")]
    )
    assert out.auth == BasicAuth("ada", "s3cret")
    assert (out.proxy, out.verify, out.cert) == (
        "http://api.example.com:3128",
        "/tmp/up/ca.pem",
        ("/tmp/up/c.pem", "/tmp/up/k.pem"),
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (TextBody("{{user}}", "text/{{user}}"), TextBody("ada", "text/ada")),
        (JsonBody('{"u": "{{user}}"}'), JsonBody('{"u": "ada"}')),
        (FormBody([("{{user}}", "{{host}}")]), FormBody([("ada", "api.example.com")])),
        (FileBody("{{dir}}/x.bin", None), FileBody("/tmp/up/x.bin", None)),
    ],
)
def test_every_body_kind(body: object, expected: object) -> None:
    spec = RequestSpec(url="http://h/", method="POST", body=body)  # type: ignore[arg-type]
    assert resolve(spec, ENV).body == expected


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (DigestAuth("{{user}}", "{{token}}"), DigestAuth("ada", "s3cret")),
        (BearerAuth("{{token}}"), BearerAuth("s3cret")),
    ],
)
def test_auth_kinds(auth: object, expected: object) -> None:
    spec = RequestSpec(url="http://h/", auth=auth)  # type: ignore[arg-type]
    assert resolve(spec, ENV).auth == expected


def test_find_unresolved_names_missing_variables_in_order_including_nested() -> None:
    env = ENV.with_value("base", "{{scheme}}://{{missing_host}}")
    spec = RequestSpec(url="{{base}}/{{path}}", headers=[("A", "{{off}}"), ("B", "{{path}}")])
    assert find_unresolved(spec, env) == ["missing_host", "path", "off"]


def test_resolve_names_every_unresolved_variable() -> None:
    spec = RequestSpec(url="{{base}}/{{a}}", body=JsonBody('{"b": "{{b}}"}'))
    with pytest.raises(InvalidRequest, match=r"\{\{a\}\}, \{\{b\}\}.*environment 'dev'") as info:
        resolve(spec, ENV)
    assert info.value.field == "variables"


def test_cycles_are_reported_with_their_chain() -> None:
    env = {"a": "{{b}}", "b": "x{{c}}", "c": "{{a}}"}
    with pytest.raises(InvalidRequest, match="loop: a → b → c → a"):
        resolve(RequestSpec(url="http://h/{{a}}"), env)
    with pytest.raises(InvalidRequest, match="loop: self → self"):
        expand("{{self}}", {"self": "again {{self}}"})
    # find_unresolved does not raise: nothing is missing, the loop is resolve's to report.
    assert find_unresolved(RequestSpec(url="{{a}}"), env) == []


def test_dynamic_variables() -> None:
    spec = RequestSpec(
        url="http://h/{{$uuid}}", headers=[("X-Id", "{{$uuid}}"), ("X-T", "{{$timestamp}}")]
    )
    out = resolve(spec, {})
    uid = out.url.rsplit("/", 1)[1]
    assert str(uuid.UUID(uid)) == uid
    assert out.headers[0] == ("X-Id", uid)  # one value per resolve
    assert re.fullmatch(r"\d{10}", out.headers[1][1])
    assert resolve(spec, {}).url != out.url
    assert find_unresolved(RequestSpec(url="{{$nope}}"), {}) == ["$nope"]


def test_environment_edits_are_copies() -> None:
    env = Environment("e", [Variable("a", "1")])
    env2 = env.with_value("a", "2").with_value("b", "3", secret=True)
    assert env.values() == {"a": "1"}
    assert env2.values() == {"a": "2", "b": "3"}
    assert env2.variables[1].secret
    assert "3" not in repr(env2)
    assert env2.without("a").values() == {"b": "3"}
    assert env2.layered_over({"a": "0", "z": "9"}) == {"a": "2", "z": "9", "b": "3"}


@settings(max_examples=100, deadline=None)
@given(request_specs())
def test_spec_without_references_is_unchanged(spec: RequestSpec) -> None:
    assume("{{" not in json.dumps(spec_to_dict(spec)))
    assert resolve(spec, ENV) == spec


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="{}"), max_size=20))
def test_values_are_inserted_literally(value: str) -> None:
    assert expand("<{{v}}>", {"v": value}) == f"<{value}>"


COLLECTION_VARS = Environment(
    "Shop API",
    [
        Variable("base", "http://collection"),
        Variable("version", "v1"),
        Variable("off", "x", enabled=False),
    ],
)


def test_the_environment_overrides_collection_variables() -> None:
    prod = Environment("Prod", [Variable("base", "https://prod"), Variable("extra", "{{version}}")])
    scope = VariableScope(COLLECTION_VARS, prod)
    spec = RequestSpec(url="{{base}}/{{version}}/{{extra}}")
    assert resolve(spec, scope).url == "https://prod/v1/v1"  # env value may use collection's
    only_collection = VariableScope(COLLECTION_VARS)
    assert resolve(RequestSpec(url="{{base}}/{{version}}"), only_collection).url == (
        "http://collection/v1"
    )
    assert scope.values() == {"base": "https://prod", "version": "v1", "extra": "{{version}}"}
    assert (scope.origin("base"), scope.origin("version"), scope.origin("off")) == (
        "environment",
        "collection",
        None,
    )
    # A disabled environment variable does not hide the collection's value.
    muted = Environment("Prod", [Variable("base", "https://prod", enabled=False)])
    assert VariableScope(COLLECTION_VARS, muted).values()["base"] == "http://collection"
    assert VariableScope().values() == {}


def test_a_scope_reports_what_is_missing_and_where_to_define_it() -> None:
    spec = RequestSpec(url="{{base}}/{{id}}", headers=[("Authorization", "Bearer {{off}}")])
    scope = VariableScope(COLLECTION_VARS, Environment("Prod"))
    assert find_unresolved(spec, scope) == ["id", "off"]
    with pytest.raises(InvalidRequest) as caught:
        resolve(spec, scope)
    message = str(caught.value)
    assert "{{id}}, {{off}}" in message
    assert "environment 'Prod' or the collection variables" in message
    with pytest.raises(InvalidRequest, match="define them in the collection variables before"):
        resolve(spec, VariableScope(COLLECTION_VARS))
    with pytest.raises(InvalidRequest, match="define it before"):
        resolve(RequestSpec(url="{{x}}"), VariableScope())


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "needs a name"),
        ("my token", "contains a space"),
        ("a{b", "contains a brace"),
        ("a}", "contains a brace"),
        ("tab\there", "white space"),
        ("$uuid", "built in"),
    ],
)
def test_names_that_cannot_be_used_as_references_are_explained(name: str, problem: str) -> None:
    found = variable_name_problem(name)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("name", ["base", "base_url", "api-key", "ns.token", "é", "x$"])
def test_usable_names_have_no_problem(name: str) -> None:
    assert variable_name_problem(name) is None
    assert expand("{{" + name + "}}", {name: "ok"}) == "ok"


def test_headers_filled_from_secret_variables_are_marked_sensitive() -> None:
    scope = VariableScope(
        Environment("C", [Variable("key", "k3y-9", secret=True), Variable("trace", "t1")])
    )
    spec = RequestSpec(
        url="http://h/",
        headers=[("X-Api-Key", "{{key}}"), ("X-Trace", "{{trace}}"), ("X-Fixed", "k3y-9")],
    )
    # X-Fixed holds the same text but was written by hand: not from a variable.
    assert resolve(spec, scope).sensitive_headers == ("x-api-key",)
    assert resolve(spec, scope.values()).sensitive_headers == ()
    assert resolve(spec, scope.values(), secrets={"t1"}).sensitive_headers == ("x-trace",)


def test_every_documented_dynamic_variable() -> None:
    spec = RequestSpec(
        url="http://h/{{$guid}}",
        headers=[
            ("X-G", "{{$guid}}"),
            ("X-T", "{{$timestamp}}"),
            ("X-I", "{{$isoTimestamp}}"),
            ("X-R", "{{$randomInt}}"),
        ],
    )
    before = int(time.time())
    out = resolve(spec, {})
    guid = out.url.rsplit("/", 1)[1]
    assert str(uuid.UUID(guid)) == guid
    assert out.headers[0][1] == guid
    assert before <= int(out.headers[1][1]) <= int(time.time())
    iso = datetime.fromisoformat(out.headers[2][1])
    assert iso.utcoffset() == timedelta(0)
    assert abs(iso.timestamp() - time.time()) < 60
    assert 0 <= int(out.headers[3][1]) <= 1000
    # A variable of the scope with the same name cannot exist: "$" names are refused.
    assert variable_name_problem("$guid") is not None


def test_runtime_values_win_over_environment_and_collection() -> None:
    scope = VariableScope(
        Environment("API", [Variable("token", "from-collection"), Variable("base", "http://a")]),
        Environment("Dev", [Variable("token", "from-env")]),
        Environment("runtime", [Variable("token", "captured-123", secret=True)]),
    )
    assert scope.values() == {"token": "captured-123", "base": "http://a"}
    assert scope.origin("token") == "runtime"
    assert scope.origin("base") == "collection"
    assert scope.secret_values() == {"captured-123"}
    assert resolve(RequestSpec(url="{{base}}/?t={{token}}"), scope).url == (
        "http://a/?t=captured-123"
    )
    # Without runtime values the environment's value is back.
    assert VariableScope(scope.collection, scope.environment).values()["token"] == "from-env"
    assert [layer.name for layer in scope.layers()] == ["API", "Dev", "runtime"]
