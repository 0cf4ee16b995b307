"""atomic_write_*: a writer killed at any moment leaves the old file or the new one, never a mix."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guiapp.core.atomic import atomic_write_text, remove_stale_temp_files

pytestmark = pytest.mark.hostile("storage")

# The child rewrites one file forever; every version is self-checking: a header line with the
# SHA-256 of the rest, and a size large enough (~1 MB) that a write takes several syscalls.
_WRITER = """
import hashlib, sys
from guiapp.core.atomic import atomic_write_text
path = sys.argv[1]
i = 0
print("ready", flush=True)
while True:
    i += 1
    body = (f"version {i}\\n" + ("x" * 63 + "\\n") * 16000)
    digest = hashlib.sha256(body.encode()).hexdigest()
    atomic_write_text(path, digest + "\\n" + body)
"""


def _intact(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    digest, _, body = text.partition("\n")
    return hashlib.sha256(body.encode()).hexdigest() == digest


def test_basic_write_replaces_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "r.toml"
    atomic_write_text(target, "a = 1\n")
    target.chmod(0o640)
    atomic_write_text(target, "a = 2\n")
    assert target.read_text() == "a = 2\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.toml"]


def test_failed_write_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "r.toml"
    atomic_write_text(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "\udc80")  # cannot be encoded: fails before the rename
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.toml"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_writer_killed_mid_write_never_leaves_a_broken_file(tmp_path: Path) -> None:
    target = tmp_path / "request.toml"
    atomic_write_text(target, hashlib.sha256(b"seed").hexdigest() + "\nseed")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    kills = 0
    for round_ in range(25):
        child = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        # Let it complete a varying number of writes, then kill it wherever it is.
        time.sleep(0.02 + 0.013 * (round_ % 7))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        kills += 1
        assert _intact(target), f"broken file after kill #{kills}"
    assert kills == 25
    # Interrupted writes leave hidden temp files behind; the cleanup removes them all.
    remove_stale_temp_files(tmp_path, older_than=0)
    assert [p.name for p in tmp_path.iterdir()] == ["request.toml"]
    assert _intact(target)


_COLLECTION_WRITER = """
import sys
from guiapp.core.collections import Collection
from guiapp.core.request import JsonBody, RequestSpec
from guiapp.core.secrets import MemoryKeyring, SecretStore
col = Collection.open(sys.argv[1], secrets=SecretStore(backend=MemoryKeyring()))
print("ready", flush=True)
i = 0
while True:
    i += 1
    body = JsonBody('{"version": %d, "pad": "%s"}' % (i, "x" * 200_000))
    col.save_request("r.toml", RequestSpec(url=f"http://h/{i}", method="POST", body=body))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_collection_saves_killed_mid_write_always_load(tmp_path: Path) -> None:
    from guiapp.core.collections import Collection
    from guiapp.core.request import RequestSpec
    from guiapp.core.secrets import MemoryKeyring, SecretStore

    store = SecretStore(backend=MemoryKeyring())
    col = Collection.create(tmp_path / "c", name="c", secrets=store)
    col.save_request("r.toml", RequestSpec(url="http://h/0"))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    for round_ in range(10):
        child = subprocess.Popen(
            [sys.executable, "-c", _COLLECTION_WRITER, str(col.root)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + 0.017 * round_)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        spec = Collection.open(col.root, secrets=store).load_request("r.toml")
        assert spec.url.startswith("http://h/")
        version = int(spec.url.rsplit("/", 1)[1])
        assert version == 0 or f'"version": {version},' in str(getattr(spec.body, "text", ""))
