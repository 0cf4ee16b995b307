"""A collection: a folder tree of plain, diffable TOML files, one per request.

Layout (docs/workspace.md has the full format)::

    my-api/
      collection.toml          schema = 1, id, name
      users/                   a folder; _folder.toml (optional) holds its display name
        _folder.toml
        get-user.toml          one request: schema, name, [request] table
      _environments/dev.toml   an environment; secret values live in the OS keyring
      .trash/                  deleted items, restorable (ignored by git via its .gitignore)

Request ids are paths relative to the root (``"users/get-user.toml"``), stable while the file
stays where it is. Every write is atomic (:mod:`guiapp.core.atomic`). All methods block on disk
I/O: the UI calls them through the offload layer, never on the GUI thread.

Example::

    >>> import tempfile
    >>> from guiapp.core.request import RequestSpec
    >>> col = Collection.create(tempfile.mkdtemp() + "/api", name="My API")
    >>> rid = col.new_request("", "List users", RequestSpec(url="{{base}}/users"))
    >>> rid, col.load_request(rid).url
    ('list-users.toml', '{{base}}/users')
    >>> col.tree().requests[0].name
    'List users'
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path, PurePosixPath

from guiapp.core import _collection_ops
from guiapp.core._collection_auth import auth_table, parse_auth_table, secret_of, with_secret
from guiapp.core._collection_files import (
    SCHEMA,
    TESTS_KEYS,
    CollectionError,
    dump_merged,
    dump_request,
    dump_without,
    environment_document,
    parse_environment,
    parse_request,
    parse_variables,
    read_toml,
    slugify,
    variable_entries,
)
from guiapp.core._collection_ops import (
    COLLECTION_FILE,
    ENV_DIR,
    FOLDER_FILE,
    Changes,
    FolderNode,
    RequestNode,
    TrashEntry,
)
from guiapp.core.atomic import atomic_write_text, remove_stale_temp_files
from guiapp.core.auth_inherit import INHERIT, NO_AUTH, AuthSetting, ParentAuth, parent_auth_of
from guiapp.core.request import RequestSpec
from guiapp.core.request_tests import (
    RequestTests,
    TestsFormatError,
    parse_tests,
    tests_to_document,
)
from guiapp.core.secrets import SecretStore
from guiapp.core.variables import Environment, Variable, variable_name_problem

__all__ = [
    "COLLECTION_FILE",
    "Changes",
    "Collection",
    "CollectionError",
    "FolderNode",
    "RequestNode",
    "TrashEntry",
]


class Collection(_collection_ops.TreeOps):
    """An open collection rooted at ``root``. Create with :meth:`open` or :meth:`create`."""

    def __init__(self, root: Path, meta: dict[str, object], secrets: SecretStore) -> None:
        super().__init__(root)
        self.id = str(meta.get("id") or root.name)
        self.name = str(meta.get("name") or root.name)
        self.secrets = secrets
        # Secrets are bound to where the collection is, not to the id in its own files: a
        # folder that copies the id must not read them (see SecretStore.scope).
        self._scope = secrets.scope(root)

    # -- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, secrets: SecretStore | None = None
    ) -> Collection:
        """Open the collection at ``path`` (a folder holding ``collection.toml``)."""
        root = Path(path).resolve()
        meta_path = root / COLLECTION_FILE
        if not meta_path.is_file():
            raise CollectionError(f"{root} is not a collection: {COLLECTION_FILE} is missing")
        col = cls(root, read_toml(meta_path), secrets or SecretStore())
        remove_stale_temp_files(root)
        col._snapshot = col._stat_all()
        return col

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], *, name: str, secrets: SecretStore | None = None
    ) -> Collection:
        """Create an empty collection at ``path`` (a new or empty folder) and open it."""
        root = Path(path)
        if root.exists() and any(root.iterdir()):
            raise CollectionError(f"{root} is not empty: choose a new folder for a collection")
        root.mkdir(parents=True, exist_ok=True)
        meta = {"schema": SCHEMA, "id": str(uuid.uuid4()), "name": name}
        atomic_write_text(root / COLLECTION_FILE, dump_merged(None, meta))
        return cls.open(root, secrets=secrets)

    # -- requests --------------------------------------------------------------------------------
    def load_request(self, rel: str) -> RequestSpec:
        """The request stored at ``rel``."""
        path = self.path_of(rel)
        return parse_request(path, read_toml(path))

    def request_name(self, rel: str) -> str:
        """The display name of the request at ``rel``."""
        data = read_toml(self.path_of(rel))
        return str(data.get("name") or PurePosixPath(rel).stem)

    def request_texts(self, rel: str, spec: RequestSpec) -> tuple[str, str]:
        """The text of the request file ``rel`` as it is on disk, and the text that saving
        ``spec`` there would write (comments and unknown keys kept): the two sides of a diff."""
        path = self.path_of(rel)
        existing = path.read_text(encoding="utf-8")
        return existing, dump_request(existing, self.request_name(rel), spec)

    def save_request(self, rel: str, spec: RequestSpec, *, name: str | None = None) -> str:
        """Write ``spec`` to ``rel`` (created if new), keeping comments and unknown keys; its
        checks and captures (``spec.tests``) are written next to it, or removed when it has
        none."""
        if not rel.endswith(".toml") or PurePosixPath(rel).name in (FOLDER_FILE, COLLECTION_FILE):
            raise CollectionError(f"invalid request id {rel!r}: expected a name ending in .toml")
        path = self.path_of(rel)
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        if name is None:
            name = self.request_name(rel) if existing is not None else path.stem
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write(path, dump_request(existing, name, spec))
        return rel

    def new_request(self, folder: str, name: str, spec: RequestSpec) -> str:
        """Save ``spec`` as a new request named ``name`` in ``folder``; return its id."""
        directory = self.path_of(folder) if folder else self.root
        target = _collection_ops.unique_path(directory, slugify(name), ".toml")
        return self.save_request(self.rel_of(target), spec, name=name)

    def create_folder(self, parent: str, name: str) -> str:
        """Create a folder named ``name`` in ``parent`` (``""`` is the root); return its id."""
        directory = self.path_of(parent) if parent else self.root
        target = _collection_ops.unique_path(directory, slugify(name, "folder"), "")
        target.mkdir(parents=True)
        self._write(target / FOLDER_FILE, dump_merged(None, {"schema": SCHEMA, "name": name}))
        return self.rel_of(target)

    # -- environments ----------------------------------------------------------------------------
    def environment_names(self) -> list[str]:
        """Names of the environments, sorted."""
        directory = self.root / ENV_DIR
        if not directory.is_dir():
            return []
        names = [parse_environment(p, read_toml(p))[0].name for p in directory.glob("*.toml")]
        return sorted(names, key=str.casefold)

    def _env_path(self, name: str) -> Path:
        directory = self.root / ENV_DIR
        if directory.is_dir():
            for p in directory.glob("*.toml"):
                if parse_environment(p, read_toml(p))[0].name == name:
                    return p
        return directory / f"{slugify(name, 'environment')}.toml"

    def _secret_key(self, env: str, variable: str) -> str:
        return f"{self._scope}/{env}/{variable}"

    def _read_secret(self, key: str, legacy: str) -> str | None:
        # Entries of older versions were named after the id: moved to the new name once, for
        # the first location that claims the id, and for no other.
        value = self.secrets.get(key)
        if value is None and self.secrets.claim_legacy(self.id, self._scope):
            value = self.secrets.take_legacy(legacy, key)
        return value

    def load_environment(self, name: str) -> Environment:
        """The environment ``name``, secret values filled in from the secret store."""
        path = self._env_path(name)
        if not path.exists():
            raise CollectionError(f"no environment named {name!r} in {self.name}")
        env, secret_names = parse_environment(path, read_toml(path))
        for var in secret_names:
            key, legacy = self._secret_key(env.name, var), f"{self.id}/{env.name}/{var}"
            env = env.with_value(var, self._read_secret(key, legacy) or "")
        return env

    def save_environment(self, env: Environment) -> None:
        """Write ``env``: plain values to its TOML file, secret values to the secret store."""
        path = self._env_path(env.name)
        old_secrets: list[str] = []
        existing = old_entries = None
        if path.exists():
            existing = path.read_text(encoding="utf-8")
            data = read_toml(path)
            old_secrets = parse_environment(path, data)[1]
            old_entries = data.get("variables")
        for var in env.variables:
            if var.secret:
                self.secrets.set(self._secret_key(env.name, var.name), var.value)
        for name in old_secrets:
            if not any(v.name == name and v.secret for v in env.variables):
                self.secrets.delete(self._secret_key(env.name, name))
        path.parent.mkdir(exist_ok=True)
        self._write(path, dump_merged(existing, environment_document(env, old_entries)))

    def delete_environment(self, name: str) -> None:
        """Delete the environment ``name`` and its secrets."""
        path = self._env_path(name)
        if path.exists():
            for var in parse_environment(path, read_toml(path))[1]:
                self.secrets.delete(self._secret_key(name, var))
            path.unlink()
            self._snapshot.pop(self.rel_of(path), None)

    # -- collection variables --------------------------------------------------------------------
    def _variable_key(self, variable: str) -> str:
        # ":" never follows the id in an environment's key ("<id>/<env>/<name>"): no clash.
        return f"{self._scope}:collection/{variable}"

    def load_variables(self) -> Environment:
        """The collection's own variables (``[[variables]]`` in ``collection.toml``) as an
        environment named after the collection, secret values from the secret store.

        Environments override them: see :class:`~guiapp.core.variables.VariableScope`.
        """
        path = self.root / COLLECTION_FILE
        variables, secret_names = parse_variables(path, read_toml(path).get("variables", []))
        env = Environment(self.name, tuple(variables))
        for var in secret_names:
            legacy = f"{self.id}:collection/{var}"
            env = env.with_value(var, self._read_secret(self._variable_key(var), legacy) or "")
        return env

    def save_variables(self, variables: Environment | tuple[Variable, ...]) -> None:
        """Replace the collection's variables: plain values in ``collection.toml`` (its other
        keys, comments and unknown keys of each variable kept), secret values in the secret
        store. Raises CollectionError for a name that cannot be used as ``{{name}}`` or a
        name given twice; nothing is written then."""
        new = variables.variables if isinstance(variables, Environment) else tuple(variables)
        seen: set[str] = set()
        for var in new:
            problem = variable_name_problem(var.name)
            if problem:
                raise CollectionError(problem)
            if var.name in seen:
                raise CollectionError(f"the variable “{var.name}” is defined twice")
            seen.add(var.name)
        path = self.root / COLLECTION_FILE
        existing = path.read_text(encoding="utf-8")
        data = read_toml(path)
        old_entries = data.get("variables", [])
        _, old_secrets = parse_variables(path, old_entries)
        for var in new:
            if var.secret:
                self.secrets.set(self._variable_key(var.name), var.value)
        for name in old_secrets:
            if not any(v.name == name and v.secret for v in new):
                self.secrets.delete(self._variable_key(name))
        text = dump_merged(existing, {"variables": variable_entries(new, old_entries)})
        if not new:  # no empty `variables = []` left behind in a hand-kept file
            text = dump_without(text, "variables")
        self._write(path, text)

    # -- auth of the collection and its folders --------------------------------------------------
    def _auth_file(self, folder: str) -> Path:
        if not folder:
            return self.root / COLLECTION_FILE
        directory = self.path_of(folder)
        if not directory.is_dir():
            raise CollectionError(f"no folder {folder!r} in {self.name}")
        return directory / FOLDER_FILE

    def _auth_key(self, ref: str) -> str:
        # Made by the collection variables' key function with a name no variable can have (it
        # holds a space): derived like every other secret of the collection, never clashing.
        return self._variable_key(f"auth {ref}")

    def load_auth(self, folder: str = "") -> AuthSetting:
        """The auth setting of ``folder`` (``""``: the collection, whose default is no auth;
        a folder's default is to inherit), its secret filled in from the secret store."""
        path = self._auth_file(folder)
        if not path.exists():
            return INHERIT if folder else NO_AUTH
        setting, ref = parse_auth_table(path, read_toml(path).get("auth"))
        if not folder and setting.inherit:
            return NO_AUTH  # nothing above a collection to inherit from
        if ref is not None:
            secret = self.secrets.get(self._auth_key(ref)) or ""
            setting = AuthSetting(with_secret(setting.auth, secret), inherit=False)
        return setting

    def save_auth(self, folder: str, setting: AuthSetting) -> None:
        """Set the auth of ``folder`` (``""``: the collection): the kind and user name in its
        file, a password or token in the secret store (unless it is only ``{{variables}}``).
        The requests below that inherit use it from their next send."""
        path = self._auth_file(folder)
        existing = path.read_text(encoding="utf-8") if path.exists() else None
        old_ref = None
        if existing is not None:
            old_ref = parse_auth_table(path, read_toml(path).get("auth"))[1]
        table, ref = auth_table(setting, old_ref)
        if ref is not None:
            self.secrets.set(self._auth_key(ref), secret_of(setting.auth))
        if old_ref is not None and old_ref != ref:
            self.secrets.delete(self._auth_key(old_ref))
        if existing is None:
            if table is None:
                return  # a folder without a file already inherits
            existing = dump_merged(None, {"schema": SCHEMA, "name": path.parent.name})
        if table is None:
            text = dump_without(existing, "auth")
        else:
            text = dump_merged(existing, {"auth": table})
        self._write(path, text)

    def duplicate(self, rel: str) -> str:
        """Copy the request or folder ``rel`` (see :meth:`TreeOps.duplicate`); a copied folder
        auth gets its own keyring entry, so editing the copy never changes the original."""
        new_rel = super().duplicate(rel)
        copy = self.path_of(new_rel)
        if copy.is_dir():
            for meta in sorted(copy.rglob(FOLDER_FILE)):
                self._own_secret(meta)
        return new_rel

    def _own_secret(self, meta: Path) -> None:
        data = read_toml(meta)
        setting, ref = parse_auth_table(meta, data.get("auth"))
        if ref is None:
            return
        secret = self.secrets.get(self._auth_key(ref)) or ""
        table, new_ref = auth_table(AuthSetting(with_secret(setting.auth, secret), False), None)
        if new_ref is not None:
            self.secrets.set(self._auth_key(new_ref), secret)
        self._write(meta, dump_merged(meta.read_text(encoding="utf-8"), {"auth": table}))

    def auth_settings(self) -> dict[str, tuple[str, AuthSetting]]:
        """Folder id -> (display name, auth setting) for the collection (``""``) and every
        folder: what :func:`~guiapp.core.auth_inherit.parent_auth_of` needs."""
        found: dict[str, tuple[str, AuthSetting]] = {"": (self.name, self.load_auth(""))}
        pending = list(self.tree().folders)
        while pending:
            node = pending.pop()
            found[node.id] = (node.name, self.load_auth(node.id))
            pending.extend(node.folders)
        return found

    def parent_auth(self, rel: str) -> ParentAuth:
        """The auth the request ``rel`` inherits (read from the files now)."""
        return parent_auth_of(rel, self.auth_settings())

    # -- checks and captures ---------------------------------------------------------------------
    def load_tests(self, rel: str) -> RequestTests:
        """The checks and captures stored with the request at ``rel`` (see
        :mod:`guiapp.core.request_tests`); raises CollectionError naming the file and entry."""
        path = self.path_of(rel)
        try:
            return parse_tests(read_toml(path))
        except TestsFormatError as exc:
            raise CollectionError(f"{path}: {exc}") from None

    def save_tests(self, rel: str, tests: RequestTests) -> None:
        """Replace the checks and captures of the request at ``rel``; the rest of the file
        (its request, comments and unknown keys) is kept."""
        path = self.path_of(rel)
        text = path.read_text(encoding="utf-8")
        document = tests_to_document(tests)
        text = dump_merged(text, document)
        for key in TESTS_KEYS:
            if key not in document:
                text = dump_without(text, key)
        self._write(path, text)
