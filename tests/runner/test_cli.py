"""``guiapp run`` end to end against the demo API on 127.0.0.1: exit codes, reports, secrets."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from guiapp.core.captures import Capture
from guiapp.core.checks import Check
from guiapp.core.collections import Collection
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import RequestTests
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.variables import Environment, Variable
from guiapp.demo import DemoServer

REPO = Path(__file__).resolve().parents[2]
OK = RequestTests(checks=(Check("status", "==", 200),))
NULL_KEYRING = "keyring.backends.null.Keyring"  # no OS keyring, as on a CI machine


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def _collection(root: Path, base: str) -> Collection:
    """Sidebar order: folder Extra (Ping), then 1 Echo (captures {{who}}), then 2 Bearer."""
    col = Collection.create(root, name="Demo", secrets=SecretStore(backend=MemoryKeyring()))
    echo = col.new_request("", "1 Echo", RequestSpec(url="{{base}}/get?name=ann"))
    col.save_tests(
        echo,
        RequestTests(
            checks=(Check("status", "==", 200), Check("body", "==", "ann", path="$.args.name")),
            captures=(Capture("who", "body", "$.args.name"),),
        ),
    )
    bearer = col.new_request(
        "",
        "2 Bearer",
        RequestSpec(url="{{base}}/bearer", headers=(("Authorization", "Bearer {{who}}"),)),
    )
    col.save_tests(bearer, OK)
    folder = col.create_folder("", "Extra")
    col.save_tests(col.new_request(folder, "Ping", RequestSpec(url="{{base}}/get")), OK)
    col.save_environment(Environment("Local", (Variable("base", base),)))
    return col


def _guiapp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guiapp", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_all_passing_exits_0_and_writes_one_testcase_per_request_per_iteration(
    demo: DemoServer, tmp_path: Path
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    done = _guiapp(
        "run", str(col.root), "--env", "Local", "--iterations", "2", "--concurrency", "4",
        "--junit", str(junit), "--json", str(report),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "all 6 checked requests passed" in done.stdout
    assert "✓ #2 GET 2 Bearer" in done.stdout
    root = ET.parse(junit).getroot()
    cases = root.findall(".//testcase")
    assert len(root.findall("testsuite")) == 2
    assert [c.get("name") for c in cases] == ["Ping", "1 Echo", "2 Bearer"] * 2
    assert {c.get("classname") for c in cases} == {"Demo", "Demo.Extra"}
    assert not root.findall(".//failure")
    data = json.loads(report.read_text())
    assert data["summary"]["requests"] == 6
    assert data["summary"]["passed"] is True


def test_a_failed_check_exits_1_with_a_failure_element_per_failure(
    demo: DemoServer, tmp_path: Path
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    bad = col.new_request("", "Missing", RequestSpec(url="{{base}}/status/404"))
    col.save_tests(
        bad, RequestTests(checks=(Check("status", "==", 200), Check("body", "exists", path="$.a")))
    )
    junit = tmp_path / "junit.xml"
    done = _guiapp("run", str(col.root), "--env", "Local", "--junit", str(junit))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "status == 200: got 404" in done.stdout
    failures = ET.parse(junit).getroot().findall(".//testcase[@name='Missing']/failure")
    assert failures[0].get("message") == "status == 200: got 404"
    assert len(failures) == 2


def test_a_request_that_cannot_connect_is_a_failure(tmp_path: Path) -> None:
    col = Collection.create(tmp_path / "api", name="Down")
    col.new_request("", "Nowhere", RequestSpec(url="http://127.0.0.1:9/"))
    done = _guiapp("run", str(col.root), "--timeout-ms", "2000")
    assert done.returncode == 1
    assert "not sent" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "/nonexistent/api"], "does not exist"),
        (["run", "{tmp}"], "is not in a collection"),
        (["run", "{col}", "--env", "Nope"], "unknown environment 'Nope' (environments: Local)"),
        (["run", "{col}", "--folder", "nope"], "no folder 'nope' in Demo"),
        (["run", "{col}", "--concurrency", "0"], "must be 1 or more"),
        (["run", "{col}", "--data", "{tmp}/missing.csv"], "cannot read the data file"),
        (["run"], "the following arguments are required: path"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(
    demo: DemoServer, tmp_path: Path, args: list[str], message: str
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    (tmp_path / "plain").mkdir()
    words = [a.format(tmp=tmp_path / "plain", col=col.root) for a in args]
    words = [
        w.replace(str(tmp_path / "plain") + "/missing", str(tmp_path) + "/missing") for w in words
    ]
    done = _guiapp(*words)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_data_file_with_a_bad_row_names_the_line(demo: DemoServer, tmp_path: Path) -> None:
    col = _collection(tmp_path / "api", demo.url)
    data = tmp_path / "rows.csv"
    data.write_text("name,age\nann,3\nbob\n")
    done = _guiapp("run", str(col.root), "--env", "Local", "--data", str(data))
    assert done.returncode == 2
    assert "line 3 has 1 values, the header has 2" in done.stderr


def test_data_rows_drive_iterations(demo: DemoServer, tmp_path: Path) -> None:
    col = Collection.create(tmp_path / "api", name="Rows")
    rel = col.new_request("", "Echo", RequestSpec(url=demo.url + "/get?name={{name}}"))
    col.save_tests(
        rel, RequestTests(checks=(Check("body", "matches", "^(ann|bob)$", path="$.args.name"),))
    )
    data = tmp_path / "rows.json"
    data.write_text('[{"name": "ann"}, {"name": "bob"}]')
    report = tmp_path / "run.json"
    done = _guiapp("run", str(col.root), "--data", str(data), "--json", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    urls = [r["url"] for r in json.loads(report.read_text())["results"]]
    assert urls == [demo.url + "/get?name=ann", demo.url + "/get?name=bob"]


def test_secrets_come_from_guiapp_var_and_never_reach_the_reports(
    demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(
        tmp_path / "api", name="Secret", secrets=SecretStore(backend=MemoryKeyring())
    )
    rel = col.new_request("", "Key", RequestSpec(url=demo.url + "/get?key={{apiKey}}"))
    col.save_tests(rel, RequestTests(checks=(Check("body", "==", "nope", path="$.args.key"),)))
    col.save_environment(Environment("CI", (Variable("apiKey", "", secret=True),)))
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    done = _guiapp(
        "run", str(col.root), "--env", "CI", "--junit", str(junit), "--json", str(report),
        env={"GUIAPP_VAR_apiKey": "k-9f8e7d", "PYTHON_KEYRING_BACKEND": NULL_KEYRING},
    )  # fmt: skip
    assert done.returncode == 1  # the check fails on purpose: its message shows the value
    for text in (done.stdout, done.stderr, junit.read_text(), report.read_text()):
        assert "k-9f8e7d" not in text
    assert '"actual": "•••"' in report.read_text()


def test_bail_stops_at_the_first_failure(demo: DemoServer, tmp_path: Path) -> None:
    col = Collection.create(tmp_path / "api", name="Bail")
    for i, code in enumerate([200, 500, 200]):
        rel = col.new_request("", f"r{i}", RequestSpec(url=f"{demo.url}/status/{code}"))
        col.save_tests(rel, OK)
    report = tmp_path / "run.json"
    done = _guiapp("run", str(col.root), "--bail", "--json", str(report))
    assert done.returncode == 1
    data = json.loads(report.read_text())
    assert [(r["name"], r["outcome"]) for r in data["results"]] == [
        ("r0", "passed"),
        ("r1", "failed"),
        ("r2", "not run"),
    ]
    assert data["summary"]["bailed"] is True
    assert data["summary"]["not_run"] == 1
    assert "1 of 3 failed (stopped at the first failure: --bail; 1 not run)" in done.stdout


def test_a_request_without_checks_is_not_a_pass_and_its_error_status_stands_out(
    demo: DemoServer, tmp_path: Path
) -> None:
    col = Collection.create(tmp_path / "api", name="Unchecked")
    col.save_tests(col.new_request("", "Checked", RequestSpec(url=f"{demo.url}/get")), OK)
    col.new_request("", "Broken", RequestSpec(url=f"{demo.url}/status/500"))
    col.new_request("", "Fine", RequestSpec(url=f"{demo.url}/get"))
    report, junit = tmp_path / "run.json", tmp_path / "junit.xml"
    done = _guiapp("run", str(col.root), "--json", str(report), "--junit", str(junit))
    # only a failed check or a failed send fails a run (the exit-code contract)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "– #1 GET Broken → 500 Internal Server Error" in done.stdout
    assert "(no checks)" in done.stdout
    assert "the 1 checked request passed; 2 without checks (1 with an HTTP error status)" in (
        done.stdout
    )
    summary = json.loads(report.read_text())["summary"]
    assert (summary["passed_requests"], summary["no_checks"]) == (1, 2)
    assert summary["unchecked_http_errors"] == 1
    broken = ET.parse(junit).getroot().find(".//testcase[@name='Broken']")
    assert broken is not None
    assert "(no checks)" in (broken.findtext("system-out") or "")


def test_the_junit_report_follows_the_common_schema(demo: DemoServer, tmp_path: Path) -> None:
    """What JUnit consumers (Jenkins, GitLab, the junit-10 schema) expect: counts that add up,
    an ISO 8601 timestamp per suite (the iteration's start), suite time = the iteration's wall
    time, root time = the run's; one testcase per request per iteration; a failure for each
    failed check; skipped for what never ran."""
    col = Collection.create(tmp_path / "api", name="Schema")
    for i, code in enumerate([200, 404, 200]):
        rel = col.new_request("", f"r{i}", RequestSpec(url=f"{demo.url}/delay/0.2?c={code}"))
        # the body check fails for r1 only: its c is "404"
        checks = (Check("status", "==", 200), Check("body", "==", "200", path="$.args.c"))
        col.save_tests(rel, RequestTests(checks=checks))
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    done = _guiapp(
        "run", str(col.root), "--iterations", "2", "--concurrency", "3", "--bail",
        "--junit", str(junit), "--json", str(report),
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 2
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
    allowed = {"skipped", "failure", "error", "system-out", "system-err"}
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases) == 3
        assert int(suite.get("failures", "")) == sum(bool(c.findall("failure")) for c in cases)
        assert int(suite.get("skipped", "")) == len(suite.findall("testcase/skipped"))
        assert suite.get("errors") == "0"
        assert stamp.match(suite.get("timestamp", "")), suite.get("timestamp")
        for case in cases:
            assert {child.tag for child in case} <= allowed
            assert float(case.get("time", "")) >= 0
    first, second = suites
    # iteration 1 sent its three requests at once: its wall time, not their sum
    case_times = [float(c.get("time", "")) for c in first.findall("testcase")]
    suite_time = float(first.get("time", ""))
    assert min(case_times) >= 0.19
    assert max(case_times) <= suite_time < sum(case_times)
    assert float(root.get("time", "")) >= suite_time
    assert first.get("timestamp", "") <= second.get("timestamp", "")
    # bail: r1 failed (its body check); iteration 2 never ran
    r1 = first.find("testcase[@name='r1']")
    assert r1 is not None
    assert [f.get("message") for f in r1.findall("failure")] == ["$.args.c == 200: got 404"]
    assert first.get("failures") == "1"
    assert second.get("skipped") == "3"
    assert [c.find("skipped").get("message") for c in second.findall("testcase")] == ["not run"] * 3
    assert root.get("tests") == "6"
    assert root.get("skipped") == "3"
    started = json.loads(report.read_text())["summary"]["started_at"]
    assert started.startswith(first.get("timestamp", ""))


def test_the_command_line_runner_never_imports_qt(demo: DemoServer, tmp_path: Path) -> None:
    col = _collection(tmp_path / "api", demo.url)
    code = (
        "import sys\n"
        "from guiapp.cli import main\n"
        f"rc = main(['run', {str(col.root)!r}, '--env', 'Local'])\n"
        "assert 'PySide6' not in sys.modules, 'Qt was imported'\n"
        "raise SystemExit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_inherited_auth_is_sent_by_the_runner(demo: DemoServer, tmp_path: Path) -> None:
    from guiapp.core.auth_inherit import AuthSetting
    from guiapp.core.request import BearerAuth

    col = Collection.create(tmp_path / "api", name="Auth")
    folder = col.create_folder("", "Private")
    col.save_auth(folder, AuthSetting(BearerAuth("{{token}}"), inherit=False))
    rel = col.new_request(
        folder, "Bearer", RequestSpec(url=demo.url + "/bearer", inherit_auth=True)
    )
    col.save_tests(rel, OK)
    done = _guiapp("run", str(col.root), env={"GUIAPP_VAR_token": "t-1"})
    assert done.returncode == 0, done.stdout + done.stderr


def test_secrets_kept_by_the_app_are_used_with_its_data_dir(
    demo: DemoServer, tmp_path: Path
) -> None:
    from guiapp.core.secret_files import save_choice, secret_store_for

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    save_choice(data_dir, "file")  # the user's explicit choice where no OS keyring exists
    store = secret_store_for(data_dir)
    col = Collection.create(tmp_path / "api", name="Kept", secrets=store)
    rel = col.new_request("", "Key", RequestSpec(url=demo.url + "/get?key={{apiKey}}"))
    col.save_tests(rel, RequestTests(checks=(Check("body", "==", "kept", path="$.args.key"),)))
    col.save_environment(Environment("Dev", (Variable("apiKey", "kept", secret=True),)))
    done = _guiapp("run", str(col.root), "--env", "Dev", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    # without the app's data dir the secret is not found, and the run says how to supply it
    bare = _guiapp("run", str(col.root), "--env", "Dev", "--data-dir", str(tmp_path / "none"))
    assert bare.returncode == 1
    assert "set GUIAPP_VAR_apiKey" in bare.stderr
    assert not (tmp_path / "none").exists()  # nothing written


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_cancels_and_still_writes_the_reports(
    demo: DemoServer, tmp_path: Path, signum: int, code: int
) -> None:
    col = Collection.create(tmp_path / "api", name="Slow")
    col.save_tests(col.new_request("", "1 Quick", RequestSpec(url=f"{demo.url}/get")), OK)
    col.save_tests(col.new_request("", "2 Slow", RequestSpec(url=f"{demo.url}/delay/30")), OK)
    col.save_tests(col.new_request("", "3 Later", RequestSpec(url=f"{demo.url}/get")), OK)
    junit, report = tmp_path / "junit.xml", tmp_path / "run.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "guiapp", "run", str(col.root), "--junit", str(junit),
         "--json", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # printed once "1 Quick" is done: "2 Slow" is in flight
        assert "1 Quick" in first
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, out + err
    assert "Traceback" not in err
    assert "cancelled — 1 of 3 run" in out
    results = json.loads(report.read_text())["results"]
    assert [r["outcome"] for r in results] == ["passed", "cancelled", "not run"]
    skipped = ET.parse(junit).getroot().findall(".//testcase/skipped")
    assert [s.get("message", "")[:9] for s in skipped] == ["cancelled", "not run"]


def test_the_summary_table_is_not_cut_when_the_output_is_a_pipe(
    demo: DemoServer, tmp_path: Path
) -> None:
    col = _collection(tmp_path / "api", demo.url)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run(
        [sys.executable, "-m", "guiapp", "run", str(col.root), "--env", "Local"],
        capture_output=True, text=True, timeout=60, cwd=REPO, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "…" not in done.stdout
    header = next(line for line in done.stdout.splitlines() if "requests" in line)
    for column in ("requests", "passed", "failed", "no checks", "not run", "failed checks"):
        assert column in header
