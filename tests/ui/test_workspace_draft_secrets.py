"""Drafts kept across a restart come back exactly as the user had them, and their secrets never
reach workspace.json in clear: untouched secrets come from the saved file, typed ones from the
keyring; without a keyring the next start says which field to re-enter and marks it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QLineEdit

from guiapp.app import create_window
from guiapp.core.collections import Collection
from guiapp.core.request import BasicAuth, BearerAuth, RequestSpec, TextBody
from guiapp.core.secret_mask import fields_to_reenter, mask_template
from guiapp.core.secrets import MemoryKeyring, SecretStore
from guiapp.core.serialize import spec_from_dict
from guiapp.ui.main_window import MainWindow
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.draft_secrets import restore_slots, texts
from guiapp.ui.workspace.session import session_tabs
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until

workspace = test_workspace_tree.workspace  # the fixture

BEARER = "tok-file-1234"
PASSWORD = "pw-file-5678"
HEADER = "hdr-file-9999"
BODY = "body-text-not-secret"


def _collection(root: Path) -> Path:
    col = Collection.create(root, name="Secret API")
    col.new_request(
        "", "Bearer token", RequestSpec(url="http://127.0.0.1:9/bearer", auth=BearerAuth(BEARER))
    )
    col.new_request(
        "", "Basic", RequestSpec(url="http://127.0.0.1:9/basic", auth=BasicAuth("ada", PASSWORD))
    )
    col.new_request(
        "",
        "Header",
        RequestSpec(
            url="http://127.0.0.1:9/header",
            method="POST",
            headers=[("Authorization", f"Bearer {HEADER}"), ("X-Other", "plain")],
            body=TextBody(BODY),
        ),
    )
    return root


def _store(backend: Any) -> SecretStore:
    return SecretStore(backend=backend)


@pytest.fixture
def session(tmp_path: Path, ui_loop: asyncio.AbstractEventLoop) -> Iterator[dict[str, Any]]:
    """A window + workspace on tmp_path whose keyring survives a restart (shared backend)."""
    made: list[tuple[MainWindow, WorkspaceController]] = []
    info: dict[str, Any] = {"backend": MemoryKeyring(), "made": made, "data": tmp_path}
    yield info
    for win, ws in made:
        ws.ask_on_close = False  # a window with drafts would ask, stay open and keep polling
        win.close()
        win.deleteLater()


def _start(info: dict[str, Any], loop: asyncio.AbstractEventLoop, backend: Any) -> Any:
    win = create_window(info["data"])
    win.show()
    shown: list[str] = []
    info["messages"] = shown
    show = win.show_message

    def record(text: str, state: str = "ok") -> None:
        shown.append(text)
        show(text, state)

    win.show_message = record  # type: ignore[method-assign]  # the status line's notices
    ws = WorkspaceController(
        win, info["data"] / "workspace-data", secrets=_store(backend), poll_ms=100
    ).attach()
    win.workspace = ws
    info["made"].append((win, ws))
    wait_until(loop, lambda: ws.ready)
    return win, ws


def _quit_keeping_drafts(win: MainWindow, ws: Any, loop: asyncio.AbstractEventLoop) -> str:
    ws.ask_on_close = False  # Keep as Drafts without the question (as on SIGTERM)

    async def close() -> None:
        win.close()

    loop.run_until_complete(close())
    wait_until(loop, lambda: not win.isVisible())
    return str((ws.data_dir / "workspace.json").read_text())


def _restore_notice(info: dict[str, Any]) -> str:
    return next(m for m in info["messages"] if "kept from the last session" in m)


def _tab_of(win: MainWindow, ws: Any, rid: str) -> Any:
    return next(t for t in win.request_tabs() if ws.drafts.request_id(t) == rid)


def _open(ws: Any, loop: asyncio.AbstractEventLoop, root: Path, rid: str) -> Any:
    tab = loop.run_until_complete(ws.open_request(root, rid))
    assert tab is not None
    return tab


def _edit(tab: Any, change: Any) -> RequestSpec:
    tab.editor.load_spec(change(tab.editor.to_spec()))  # as if typed: the editor reports it
    spec: RequestSpec = tab.editor.to_spec()
    return spec


def _drafts_in_keyring(backend: MemoryKeyring) -> dict[str, str]:
    return {user: value for (_service, user), value in backend._values.items() if ":draft/" in user}


def test_an_untouched_token_comes_back_from_the_file_and_is_never_in_the_session_file(
    session: dict[str, Any], ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = _collection(tmp_path / "api")
    win, ws = _start(session, ui_loop, session["backend"])
    tab = _open(ws, ui_loop, root, "bearer-token.toml")
    win.bar.url_edit.setText("http://127.0.0.1:9/bearer?edited=yes")  # the URL only
    assert ws.is_dirty(tab)
    saved = _quit_keeping_drafts(win, ws, ui_loop)
    assert BEARER not in saved
    assert '"kept": "base"' in saved
    assert _drafts_in_keyring(session["backend"]) == {}  # nothing typed: nothing kept there

    win2, ws2 = _start(session, ui_loop, session["backend"])
    tab2 = _tab_of(win2, ws2, "bearer-token.toml")
    spec = tab2.editor.to_spec()
    assert spec.auth == BearerAuth(BEARER)
    assert tab2.editor.url_text == "http://127.0.0.1:9/bearer?edited=yes"
    assert ws2.is_dirty(tab2)
    assert win2.tabs.tabText(win2.tabs.indexOf(tab2)) == "• Bearer token"  # its name
    assert fields_to_reenter(spec) == []
    token = tab2.findChild(QLineEdit, "authToken")
    assert not token.property("reenter")
    assert token.echoMode() != QLineEdit.EchoMode.Normal  # not turned into plain text
    assert _restore_notice(session) == "1 unsaved draft was kept from the last session"


def test_secrets_the_user_typed_survive_a_restart_through_the_keyring(
    session: dict[str, Any], ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = _collection(tmp_path / "api")
    win, ws = _start(session, ui_loop, session["backend"])
    bearer = _edit(
        _open(ws, ui_loop, root, "bearer-token.toml"),
        lambda s: replace(s, auth=BearerAuth("typed-token-0001")),
    )
    basic = _edit(
        _open(ws, ui_loop, root, "basic.toml"),
        lambda s: replace(s, auth=BasicAuth("ada", "typed-pass-0002")),
    )
    # The Authorization header edited, the body edited (a body is not a secret).
    header = _edit(
        _open(ws, ui_loop, root, "header.toml"),
        lambda s: replace(
            s,
            headers=[("Authorization", "Bearer typed-hdr-0003"), ("X-Other", "plain")],
            body=TextBody(BODY + " edited"),
        ),
    )
    saved = _quit_keeping_drafts(win, ws, ui_loop)
    for secret in ("typed-token-0001", "typed-pass-0002", "typed-hdr-0003", BEARER, HEADER):
        assert secret not in saved
    assert BODY + " edited" in saved  # the body is kept as written
    kept = _drafts_in_keyring(session["backend"])
    assert len(kept) == 3  # one keyring entry per draft, none in clear on disk

    win2, ws2 = _start(session, ui_loop, session["backend"])
    for rid, expected in (
        ("bearer-token.toml", bearer),
        ("basic.toml", basic),
        ("header.toml", header),
    ):
        tab = _tab_of(win2, ws2, rid)
        assert tab.editor.to_spec() == expected
        assert ws2.is_dirty(tab)
    assert "re-enter" not in _restore_notice(session)
    # Saving one draft and discarding another drops their keyring entries at the next write.
    tab = _tab_of(win2, ws2, "bearer-token.toml")
    win2.tabs.setCurrentWidget(tab)
    assert ui_loop.run_until_complete(ws2.save_current())
    ws2.drafts.revert(_tab_of(win2, ws2, "basic.toml"))
    ws2.save_all()
    assert len(_drafts_in_keyring(session["backend"])) == 1
    assert Collection.open(root).load_request("bearer-token.toml").auth == BearerAuth(
        "typed-token-0001"
    )


def test_without_a_keyring_a_typed_secret_is_marked_and_the_user_told(
    session: dict[str, Any], ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = _collection(tmp_path / "api")
    no_keyring = keyring.backends.fail.Keyring()
    win, ws = _start(session, ui_loop, no_keyring)
    assert not ws.service.secrets.available
    _edit(
        _open(ws, ui_loop, root, "header.toml"),
        lambda s: replace(
            s,
            url=s.url + "?x=1",  # the Authorization header is left as it is in the file
        ),
    )
    _edit(
        _open(ws, ui_loop, root, "bearer-token.toml"),
        lambda s: replace(s, auth=BearerAuth("typed-token-0004")),
    )
    saved = _quit_keeping_drafts(win, ws, ui_loop)
    assert "typed-token-0004" not in saved
    assert HEADER not in saved

    win2, ws2 = _start(session, ui_loop, keyring.backends.fail.Keyring())
    tab = _tab_of(win2, ws2, "bearer-token.toml")
    assert fields_to_reenter(tab.editor.to_spec()) == ["auth token"]
    token = tab.findChild(QLineEdit, "authToken")
    assert token.property("reenter")
    status = _restore_notice(session)
    assert "re-enter the auth token of “Bearer token”" in status
    assert "could not be kept" in status
    assert "No system keyring" in status
    # The untouched header secret needs no keyring: it came back from the file.
    header = _tab_of(win2, ws2, "header.toml")
    assert header.editor.to_spec().header("Authorization") == f"Bearer {HEADER}"


def test_an_untouched_secret_whose_file_changed_meanwhile_is_not_guessed(
    session: dict[str, Any], ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = _collection(tmp_path / "api")
    win, ws = _start(session, ui_loop, session["backend"])
    _edit(_open(ws, ui_loop, root, "basic.toml"), lambda s: replace(s, url=s.url + "?mine=1"))
    _quit_keeping_drafts(win, ws, ui_loop)
    col = Collection.open(root)
    col.save_request(
        "basic.toml",
        RequestSpec(url="http://127.0.0.1:9/theirs", auth=BasicAuth("bob", "their-pass-0005")),
    )

    win2, ws2 = _start(session, ui_loop, session["backend"])
    tab = _tab_of(win2, ws2, "basic.toml")
    assert tab.editor.to_spec().params == (("mine", "1"),)
    assert fields_to_reenter(tab.editor.to_spec()) == ["auth password"]
    assert ws2.conflicts.bar(tab) is not None  # Take Theirs shows their file, password too
    assert "its saved file changed since" in _restore_notice(session)


def test_an_api_key_that_is_a_secret_value_goes_to_the_keyring_not_the_file(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = _collection(tmp_path / "api")
    tab = _open(workspace, ui_loop, root, "header.toml")
    key = "k3y-api-secret-6"  # the value of a secret variable, typed literally
    draft = _edit(tab, lambda s: replace(s, headers=[*s.headers, ("X-API-Key", key)]))
    entries = session_tabs(workspace.window, workspace.drafts, {key})
    (entry,) = [e for e in entries if "draft" in e]
    assert key not in json.dumps(entry)
    assert HEADER not in json.dumps(entry)
    ops = workspace.drafts.kept_secrets.plan()
    assert ops is not None
    assert [k for k, _ in ops.sets] == [entry["keyring"]]
    ops.store_values()
    kept = workspace.drafts.kept_secrets.values(entry["keyring"])
    restored, problems = restore_slots(
        spec_from_dict(entry["draft"]),
        entry["secrets"],
        workspace.drafts.saved_spec(tab),
        kept,
        base_same=True,
    )
    assert problems == set()
    assert restored == draft
    assert len(texts(restored)) == len(texts(mask_template(draft, {key})))
