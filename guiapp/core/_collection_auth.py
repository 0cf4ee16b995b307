"""The ``[auth]`` table of ``collection.toml`` and of a folder's ``_folder.toml``.

::

    [auth]
    type = "bearer"          # "basic", "digest", "bearer" or "none"; no table: inherit
    secret = "5f0c…"         # the token (or password) is in the OS keyring under this reference
    # token = "{{token}}"    # instead of `secret`: a value made only of {{variable}} references

A password or token is a secret: it goes to the keyring, like a secret variable. A value that
is only ``{{variable}}`` references holds no secret and stays in the file, so a collection
shared through git keeps working. The keyring reference is random and kept in the file, so
renaming or moving the folder keeps its secret.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guiapp.core._collection_files import CollectionError
from guiapp.core.auth_inherit import INHERIT, NO_AUTH, AuthSetting
from guiapp.core.request import Auth, BasicAuth, BearerAuth, DigestAuth

__all__ = ["auth_table", "needs_keyring", "parse_auth_table", "secret_of", "with_secret"]

_ONLY_REFERENCES = re.compile(r"(\s*\{\{\s*[^{}\s]+\s*\}\}\s*)*")
_KINDS: dict[str, type[BasicAuth] | type[DigestAuth]] = {"basic": BasicAuth, "digest": DigestAuth}


def secret_of(auth: Auth | None) -> str:
    """The secret field of ``auth`` (password or token); ``""`` for none."""
    if isinstance(auth, BasicAuth | DigestAuth):
        return auth.password
    if isinstance(auth, BearerAuth):
        return auth.token
    return ""


def with_secret(auth: Auth | None, value: str) -> Auth | None:
    """``auth`` with its secret field set to ``value``."""
    if isinstance(auth, BasicAuth):
        return BasicAuth(auth.username, value)
    if isinstance(auth, DigestAuth):
        return DigestAuth(auth.username, value)
    if isinstance(auth, BearerAuth):
        return BearerAuth(value)
    return auth


def needs_keyring(value: str) -> bool:
    """True if ``value`` holds more than ``{{variable}}`` references (and blanks)."""
    return bool(value) and _ONLY_REFERENCES.fullmatch(value) is None


def auth_table(setting: AuthSetting, ref: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The ``[auth]`` table for ``setting`` (None: no table, i.e. inherit) and the keyring
    reference its secret goes under (None: nothing for the keyring). ``ref`` is the file's
    current reference, reused so the keyring entry stays the same."""
    if setting.inherit:
        return None, None
    auth = setting.auth
    if auth is None:
        return {"type": "none"}, None
    table: dict[str, Any] = {}
    if isinstance(auth, BasicAuth | DigestAuth):
        table = {"type": "basic" if isinstance(auth, BasicAuth) else "digest"}
        table["username"] = auth.username
        field = "password"
    else:
        table, field = {"type": "bearer"}, "token"
    value = secret_of(auth)
    if needs_keyring(value):
        ref = ref or uuid.uuid4().hex
        table["secret"] = ref
        return table, ref
    table[field] = value
    return table, None


def parse_auth_table(path: Path, raw: Any) -> tuple[AuthSetting, str | None]:
    """The setting in an ``[auth]`` table (its secret empty when it is in the keyring) and the
    keyring reference of that secret, if any. Raises CollectionError naming the file."""
    if raw is None:
        return INHERIT, None
    if not isinstance(raw, Mapping):
        raise CollectionError(f"{path}: [auth] must be a table")
    kind = raw.get("type")
    ref = raw.get("secret")
    if ref is not None and not isinstance(ref, str):
        raise CollectionError(f"{path}: auth.secret must be a text reference")
    if kind == "inherit":
        return INHERIT, None
    if kind == "none":
        return NO_AUTH, None
    username = raw.get("username", "")
    if not isinstance(username, str):
        raise CollectionError(f"{path}: auth.username must be text")
    if kind in _KINDS:
        password = _text(path, raw, "password")
        return AuthSetting(_KINDS[kind](username, password), inherit=False), ref
    if kind == "bearer":
        return AuthSetting(BearerAuth(_text(path, raw, "token")), inherit=False), ref
    raise CollectionError(
        f"{path}: unknown auth type {kind!r} (expected none, basic, digest or bearer)"
    )


def _text(path: Path, raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise CollectionError(f"{path}: auth.{key} must be text")
    return value
