"""``{{variables}}`` coloured in the window's request editor: switching the environment,
editing collection variables, an environment file changed on disk (a ``git pull``) reloaded,
and the URL field's tooltip listing each variable with its value (secrets masked) and origin."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from guiapp.core.collections import Collection
from guiapp.core.request import JsonBody, RequestSpec
from guiapp.core.variables import Environment, Variable
from guiapp.ui.variables.lookup import MASK, variable_format
from guiapp.ui.workspace import WorkspaceController
from guiapp.ui.workspace.tabs_control import ENV_PREFIX
from tests.ui import test_workspace_tree
from tests.ui.conftest import wait_until
from tests.ui.test_workspace_tree import make_collection, open_collection

workspace = test_workspace_tree.workspace  # the fixture

BODY = '{\n  "user": "{{user}}",\n  "token": "{{token}}"\n}'


def _setup(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, root: Path) -> Any:
    col = make_collection(root, workspace.service.secrets)
    col.save_variables((Variable("base", "http://coll"), Variable("user", "ada")))
    col.save_environment(
        Environment("Dev", (Variable("base", "http://dev"), Variable("token", "t0k", True)))
    )
    col.save_environment(Environment("Prod", (Variable("base", "http://prod"),)))
    col.new_request(
        "",
        "Post user",
        RequestSpec(
            url="{{base}}/users",
            method="POST",
            headers=(("Authorization", "Bearer {{token}}"),),
            body=JsonBody(BODY),
        ),
    )
    open_collection(workspace, loop, root)
    tab = loop.run_until_complete(workspace.open_request_async("post-user.toml"))
    assert tab is not None
    return tab


def _body_ranges(workspace: WorkspaceController, tab: Any) -> list[list[tuple[int, int, bool]]]:
    highlighter = workspace.variables.highlighters(tab.editor)[0]  # the JSON editor's
    doc = tab.editor.body.json_edit.document()
    return [highlighter.ranges(doc.findBlockByNumber(n)) for n in (1, 2)]


def _select(workspace: WorkspaceController, loop: asyncio.AbstractEventLoop, name: str) -> None:
    workspace.env_bar.select(name)
    wait_until(loop, lambda: getattr(workspace.environments.environment, "name", "") == name)


def test_switching_environments_recolours_the_body_tables_and_url_tooltip(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    tab = _setup(workspace, ui_loop, tmp_path / "api")
    assert workspace.variables.is_attached(tab.editor)
    assert not workspace.autosaver.is_dirty(tab)
    url_edit = workspace.window.bar.url_edit

    # No environment: {{user}} from the collection, {{token}} nowhere.
    assert _body_ranges(workspace, tab) == [[(11, 8, True)], [(12, 9, False)]]
    headers = tab.editor.headers
    delegate = headers.itemDelegate()
    assert "not defined" in delegate.tooltip(headers.model().index(0, 1))
    wait_until(ui_loop, lambda: "{{base}} = http://coll" in url_edit.toolTip())
    assert "from the collection variables" in url_edit.toolTip()

    _select(workspace, ui_loop, "Dev")
    assert _body_ranges(workspace, tab) == [[(11, 8, True)], [(12, 9, True)]]
    tip = delegate.tooltip(headers.model().index(0, 1))
    assert tip == f"{{{{token}}}} = {MASK} (secret), from environment 'Dev'"
    assert "t0k" not in tip
    wait_until(
        ui_loop, lambda: "{{base}} = http://dev, from environment 'Dev'" in url_edit.toolTip()
    )
    highlighter = workspace.variables.highlighters(tab.editor)[0]
    position = tab.editor.body.json_edit.document().findBlockByNumber(1).position() + 12
    assert highlighter.tooltip_at(position) == "{{user}} = ada, from the collection variables"

    _select(workspace, ui_loop, "Prod")
    assert _body_ranges(workspace, tab) == [[(11, 8, True)], [(12, 9, False)]]
    assert delegate.tooltip(headers.model().index(0, 1)) == (
        "{{token}} is not defined in environment 'Prod' or the collection variables"
    )
    # Colouring never counts as an edit: nothing to autosave.
    assert not workspace.autosaver.is_dirty(tab)

    # Typing a variable in the URL lists it in the tooltip, with the unresolved marker.
    url_edit.setText("{{base}}/users/{{id}}")
    wait_until(ui_loop, lambda: workspace.marker.missing() == ["id", "token"])
    tip = url_edit.toolTip()
    assert "{{id}} is not defined in environment 'Prod'" in tip
    assert "{{base}} = http://prod, from environment 'Prod'" in tip
    assert "Not defined in the active environment" in tip


def test_editing_collection_variables_recolours(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    tab = _setup(workspace, ui_loop, tmp_path / "api")
    assert _body_ranges(workspace, tab)[0] == [(11, 8, True)]
    # Through the undoable command the dialog pushes, then undone.
    env = workspace.environments
    env.apply_collection_variables((Variable("base", "http://coll"),))
    wait_until(ui_loop, lambda: _body_ranges(workspace, tab)[0] == [(11, 8, False)])
    env.apply_collection_variables((Variable("user", "bob"),))
    wait_until(ui_loop, lambda: _body_ranges(workspace, tab)[0] == [(11, 8, True)])
    highlighter = workspace.variables.highlighters(tab.editor)[0]
    position = tab.editor.body.json_edit.document().findBlockByNumber(1).position() + 12
    assert highlighter.tooltip_at(position) == "{{user}} = bob, from the collection variables"


def test_an_environment_file_changed_on_disk_is_reloaded(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    root = tmp_path / "api"
    tab = _setup(workspace, ui_loop, root)
    _select(workspace, ui_loop, "Prod")
    workspace.window.bar.url_edit.setText("{{base}}/{{region}}")
    wait_until(ui_loop, lambda: "region" in workspace.marker.missing())
    assert _body_ranges(workspace, tab)[1] == [(12, 9, False)]

    # Another program (git pull) adds variables to Prod's file.
    env_file = next((root / ENV_PREFIX).glob("prod*.toml"))
    text = env_file.read_text()
    env_file.write_text(
        text + '\n[[variables]]\nname = "region"\nvalue = "eu"\n'
        '\n[[variables]]\nname = "token"\nvalue = "ptok"\n'
    )
    wait_until(ui_loop, lambda: workspace.marker.missing() == [])
    assert workspace.environments.environment is not None
    assert workspace.environments.environment.get("region") == "eu"
    assert _body_ranges(workspace, tab)[1] == [(12, 9, True)]
    assert "{{region}} = eu, from environment 'Prod'" in workspace.window.bar.url_edit.toolTip()
    assert "changed on disk" in workspace.window.status_label.text()
    assert workspace.env_bar.active() == "Prod"

    # A new environment file appears in the combo; a deleted active one falls back to none.
    Collection.open(root).save_environment(Environment("Stage", (Variable("base", "http://s"),)))
    combo = workspace.env_bar.combo
    wait_until(ui_loop, lambda: "Stage" in [combo.itemText(i) for i in range(combo.count())])
    env_file.unlink()
    wait_until(ui_loop, lambda: workspace.environments.environment is None)
    assert workspace.env_bar.active() == ""
    assert [combo.itemText(i) for i in range(combo.count())] == ["No environment", "Dev", "Stage"]
    wait_until(ui_loop, lambda: "base" not in workspace.marker.missing())
    assert _body_ranges(workspace, tab)[1] == [(12, 9, False)]


def test_auth_fields_list_their_variables_masked_in_hidden_fields(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    tab = _setup(workspace, ui_loop, tmp_path / "api")
    auth = tab.editor.auth
    auth.username.setText("{{user}}")
    auth.password.setText("{{base}}")
    assert auth.username.toolTip() == "{{user}} = ada, from the collection variables"
    assert auth.password.toolTip() == f"{{{{base}}}} = {MASK}, from the collection variables"
    _select(workspace, ui_loop, "Dev")
    auth.token.setText("{{token}}")
    assert auth.token.toolTip() == f"{{{{token}}}} = {MASK} (secret), from environment 'Dev'"
    assert auth.password.toolTip() == f"{{{{base}}}} = {MASK}, from environment 'Dev'"
    auth.username.setText("plain")
    assert "{{" not in auth.username.toolTip()


def test_the_dark_theme_recolours_the_body(
    workspace: WorkspaceController, ui_loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    tab = _setup(workspace, ui_loop, tmp_path / "api")
    window = workspace.window
    block = tab.editor.body.json_edit.document().findBlockByNumber(1)

    def colour() -> str:
        formats = block.layout().formats()
        return str(formats[0].format.foreground().color().name())

    for dark in (True, False, True):
        window.themes.set_mode("dark" if dark else "light")
        expected = variable_format(True, dark).foreground().color().name()
        wait_until(ui_loop, lambda e=expected: colour() == e)
    window.themes.set_mode("system")


def test_the_environment_folder_is_the_core_s() -> None:
    from guiapp.core._collection_ops import ENV_DIR

    assert ENV_PREFIX == ENV_DIR + "/"
