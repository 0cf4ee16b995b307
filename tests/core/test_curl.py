"""parse_curl: curl's mapping rules, quoting dialects, and the errors a user sees."""

from __future__ import annotations

import pytest

from guiapp.core.curl import parse_curl
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


def test_plain_get_uses_curl_defaults() -> None:
    assert parse_curl("curl https://example.com/x") == RequestSpec(
        url="https://example.com/x", follow_redirects=False
    )


def test_data_implies_post_and_a_form_body() -> None:
    spec = parse_curl("curl -d a=1 -d 'b=x y' --data-urlencode 'c=1&2' http://h/")
    assert spec.method == "POST"
    assert spec.body == FormBody([("a", "1"), ("b", "x y"), ("c", "1&2")])


def test_data_that_is_not_a_clean_form_stays_text_typed_as_a_form() -> None:
    spec = parse_curl("curl -d 'just some text' http://h/")
    assert spec.body == TextBody("just some text", "application/x-www-form-urlencoded")


def test_json_data_without_content_type_is_sent_as_curl_would() -> None:
    spec = parse_curl("""curl -d '{"a": "b=c"}' http://h/""")
    assert spec.body == TextBody('{"a": "b=c"}', "application/x-www-form-urlencoded")


def test_content_type_header_moves_into_the_body() -> None:
    spec = parse_curl(
        """curl -X PUT -H 'Content-Type: application/json' -H 'X-A: 1' -d '{"a":1}' http://h/"""
    )
    assert spec.method == "PUT"
    assert spec.headers == (("X-A", "1"),)
    assert spec.body == JsonBody('{"a":1}', "application/json")


def test_json_option_sets_body_and_accept() -> None:
    spec = parse_curl("""curl --json '{"x": 1}' http://h/""")
    assert spec.method == "POST"
    assert spec.body == JsonBody('{"x": 1}')
    assert spec.headers == (("Accept", "application/json"),)


def test_data_binary_is_kept_verbatim() -> None:
    spec = parse_curl("curl --data-binary 'a=1&b=2' -H 'Content-Type: text/csv' http://h/")
    assert spec.body == TextBody("a=1&b=2", "text/csv")


def test_lone_file_reference_is_a_file_body() -> None:
    spec = parse_curl("curl --data-binary @/tmp/payload.bin -H 'Content-Type: image/png' http://h")
    assert spec.body == FileBody("/tmp/payload.bin", "image/png")
    assert parse_curl("curl -T ./big.iso http://h/up").method == "PUT"


def test_form_parts() -> None:
    spec = parse_curl(
        "curl -F 'img=@pic.png;type=image/png;filename=p.png' "
        "-F 'title=Hi there;type=text/plain' http://h/",
    )
    assert spec.method == "POST"
    assert spec.body == MultipartBody(
        [
            FilePart("img", "pic.png", "p.png", "image/png"),
            TextPart("title", "Hi there"),
        ]
    )


def test_get_moves_data_to_the_query() -> None:
    spec = parse_curl("curl -G https://h/s?x=1 -d q=cats --data-urlencode 'tag=a b'")
    assert (spec.method, spec.body) == ("GET", None)
    assert spec.params == (("x", "1"), ("q", "cats"), ("tag", "a b"))


def test_auth_options() -> None:
    assert parse_curl("curl -u bob:pw http://h").auth == BasicAuth("bob", "pw")
    assert parse_curl("curl --digest -u bob:pw http://h").auth == DigestAuth("bob", "pw")
    assert parse_curl("curl --oauth2-bearer t0k http://h").auth == BearerAuth("t0k")
    bearer_header = parse_curl("curl -H 'Authorization: Bearer abc' http://h")
    assert bearer_header.auth is None
    assert bearer_header.headers == (("Authorization", "Bearer abc"),)


def test_max_time_is_the_total_time_limit_and_connect_timeout_the_connect_timeout() -> None:
    # curl's -m limits the whole transfer (not each read): the total timeout. No shorter
    # limit applies inside it, as in curl (which has no read timeout).
    for option in ("-m 120", "--max-time 120", "-m120"):
        spec = parse_curl(f"curl {option} http://h")
        assert spec.total_timeout == 120.0, option
        assert (spec.connect_timeout, spec.read_timeout, spec.headers_timeout) == (120.0,) * 3
    only_connect = parse_curl("curl --connect-timeout 2.5 http://h")
    assert (only_connect.connect_timeout, only_connect.read_timeout) == (2.5, 30.0)
    assert only_connect.total_timeout == RequestSpec(url="http://h").total_timeout
    assert only_connect.headers_timeout == RequestSpec(url="http://h").headers_timeout
    neither = parse_curl("curl http://h")
    assert neither == RequestSpec(url="http://h", follow_redirects=False)


def test_transport_options() -> None:
    spec = parse_curl(
        "curl -k -L --max-redirs 3 -m 12.5 --connect-timeout 2 -x http://proxy:3128 "
        "--compressed -A agent/1 -e https://ref/ -b 'a=1; b=2' --max-filesize 1000 http://h"
    )
    assert spec.verify is False
    assert (spec.follow_redirects, spec.max_redirects) == (True, 3)
    assert spec.timeout == (2.0, 12.5)
    assert (spec.total_timeout, spec.headers_timeout) == (12.5, 12.5)
    assert spec.proxy == "http://proxy:3128"
    assert spec.max_body_bytes == 1000
    assert spec.headers == (
        ("User-Agent", "agent/1"),
        ("Referer", "https://ref/"),
        ("Cookie", "a=1; b=2"),
    )


def test_short_flag_forms_and_equals_forms() -> None:
    spec = parse_curl("curl -sSLXPATCH -H'X: 1' --data=a=1 --url=http://h/p")
    assert (spec.method, spec.follow_redirects, spec.url) == ("PATCH", True, "http://h/p")
    assert spec.headers == (("X", "1"),)
    assert spec.body == FormBody([("a", "1")])


def test_ignored_output_flags() -> None:
    spec = parse_curl("curl -s -S -v -i --fail -o /dev/null -w '%{http_code}' --silent http://h")
    assert spec == RequestSpec(url="http://h", follow_redirects=False)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("curl \\\n  -H 'A: 1' \\\n  http://h", "http://h"),
        ('curl ^\n  -H "A: 1" ^\n  "http://h"', "http://h"),
        ('curl `\n  -H "A: 1" `\n  "http://h"', "http://h"),
        ('curl ^"http://h^" ^\r\n  -H ^"A: 1^"', "http://h"),
    ],
    ids=["posix", "cmd", "powershell", "cmd-chrome-style"],
)
def test_line_continuation_dialects(command: str, expected: str) -> None:
    spec = parse_curl(command)
    assert spec.url == expected
    assert spec.headers == (("A", "1"),)


def test_quoting() -> None:
    spec = parse_curl(
        """curl "http://h/a b" -H $'X: tab\\there' -H 'Y: it'"'"'s' -d "k=\\"v\\"" """
    )
    assert spec.url == "http://h/a b"
    assert spec.headers == (("X", "tab\there"), ("Y", "it's"))
    assert spec.body == FormBody([("k", '"v"')])


def test_shell_variables_become_template_variables() -> None:
    spec = parse_curl('curl -H "Authorization: Bearer $TOKEN" "${BASE}/x" -u \'$NOT:a\'')
    assert spec.headers == (("Authorization", "Bearer {{TOKEN}}"),)
    assert spec.url == "{{BASE}}/x"
    assert spec.auth == BasicAuth("$NOT", "a")


def test_pipes_and_comments_end_the_command() -> None:
    spec = parse_curl("# list things\ncurl -s http://h/items | jq '.[0]'")
    assert spec.url == "http://h/items"


def test_bare_host_gets_http() -> None:
    assert parse_curl("curl example.com/x").url == "http://example.com/x"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("curl --ntlm -u a:b http://h", "--ntlm"),
        ("curl -K config.txt http://h", "-K"),
        ("curl --frobnicate=3 http://h", "--frobnicate"),
        ("curl -H", "-H needs a value"),
        ("curl -s", "no URL"),
        ("wget http://h", "not a curl command"),
        ("curl 'http://h", "unterminated single quote"),
        ("curl -b cookies.txt http://h", "cookies from a file"),
        ("curl -m soon http://h", "expected a number"),
        ("curl http://a http://b", "2 URLs"),
        ("curl -d @missing-file.txt -d x=1 http://h", "never reads local files"),
    ],
)
def test_errors_name_the_problem(command: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message.replace("-", "\\-")) as info:
        parse_curl(command)
    assert info.value.field in ("curl", "url", "headers", "body", "cert")
