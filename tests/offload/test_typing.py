"""make_async & co. keep the signature for type checkers: mypy accepts good calls, rejects bad."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mypy import api

SNIPPET = textwrap.dedent(
    """
    from guiapp.offload import Job, Offloader, SerialLane, make_async, run_blocking

    def fetch(url: str, *, timeout: float = 1.0) -> bytes:
        return b""

    async def good(pool: Offloader, lane: SerialLane) -> None:
        a: bytes = await make_async(fetch)("u", timeout=2.0)
        b: bytes = await make_async(offloader=lane)(fetch)("u")
        c: bytes = await pool.make_async(fetch)("u")
        job: Job[bytes] = pool.submit(fetch, "u", timeout=3)
        d: bytes = await job
        e: bytes = await run_blocking(fetch, "u", timeout=1.5)

    async def bad(pool: Offloader) -> None:
        await make_async(fetch)(42)  # BAD-1
        await make_async(fetch)("u", timeot=2.0)  # BAD-2
        x: str = await make_async(fetch)("u")  # BAD-3
        pool.submit(fetch, 1)  # BAD-4
        await run_blocking(fetch)  # BAD-5
    """
)


def test_mypy_sees_through_make_async_submit_and_run_blocking(tmp_path: Path) -> None:
    source = tmp_path / "typing_snippet.py"
    source.write_text(SNIPPET)
    repo = Path(__file__).resolve().parents[2]
    stdout, _stderr, _status = api.run(
        [
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--config-file",
            str(repo / "pyproject.toml"),
            str(source),
        ]
    )
    error_lines = {
        SNIPPET.splitlines()[int(line.split(":")[1]) - 1].split("# ")[-1]
        for line in stdout.splitlines()
        if line.startswith(str(source)) and ": error:" in line
    }
    assert error_lines == {f"BAD-{i}" for i in range(1, 6)}, stdout
