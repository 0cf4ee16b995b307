"""Auth inherited from a folder or the collection, as in Postman and Bruno.

A request whose ``inherit_auth`` is set uses the auth of the nearest folder above it that has
its own setting, or else the collection's. A folder's setting is "inherit" (the default),
"no auth" (stops the search: requests below send no auth) or an auth. Before a request is
sent, :func:`apply_parent_auth` puts the parent's auth into it; ``{{variables}}`` in that auth
are then resolved like any other text of the request.

Example::

    >>> settings = {"": ("My API", AuthSetting(BearerAuth("{{token}}"), inherit=False)),
    ...             "users": ("Users", AuthSetting(BasicAuth("ada", "pw"), inherit=False)),
    ...             "misc": ("Misc", INHERIT)}
    >>> parent = parent_auth_of("users/get-user.toml", settings)
    >>> parent.describe()
    'Inherited from folder Users: Basic'
    >>> parent_auth_of("misc/ping.toml", settings).describe()
    'Inherited from collection My API: Bearer token'
    >>> spec = RequestSpec(url="http://h/", inherit_auth=True)
    >>> apply_parent_auth(spec, parent).auth
    BasicAuth(username='ada', password='***')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from guiapp.core.request import Auth, BasicAuth, BearerAuth, DigestAuth, RequestSpec

__all__ = [
    "INHERIT",
    "NO_AUTH",
    "AuthSetting",
    "ParentAuth",
    "apply_parent_auth",
    "auth_label",
    "parent_auth_of",
]


@dataclass(frozen=True, slots=True)
class AuthSetting:
    """The auth setting of a collection or folder: ``inherit`` (from the folder above), or
    its own ``auth`` (``None`` with ``inherit=False``: explicitly no auth)."""

    auth: Auth | None = None
    inherit: bool = True

    def __post_init__(self) -> None:
        if self.inherit and self.auth is not None:
            raise ValueError("an auth setting that inherits cannot also have its own auth")


#: A folder's default: use the auth of the folder above.
INHERIT = AuthSetting()
#: Requests below send no auth (stops inheritance).
NO_AUTH = AuthSetting(None, inherit=False)


def auth_label(auth: Auth | None) -> str:
    """A short name of an auth kind for the UI.

    >>> auth_label(BearerAuth("t")), auth_label(None)
    ('Bearer token', 'No auth')
    """
    if isinstance(auth, BasicAuth):
        return "Basic"
    if isinstance(auth, DigestAuth):
        return "Digest"
    if isinstance(auth, BearerAuth):
        return "Bearer token"
    return "No auth"


@dataclass(frozen=True, slots=True)
class ParentAuth:
    """The auth a request inherits and where it comes from.

    ``kind`` is ``"folder"`` or ``"collection"``, or ``""`` when nothing above sets an auth
    (the request is then sent without auth). ``name`` is the folder's or collection's name.
    ``problem`` says why the inherited auth is not known (e.g. a folder file that cannot be
    read): :func:`apply_parent_auth` then leaves the request inheriting, and the sender must
    refuse it rather than send it without auth.
    """

    auth: Auth | None
    kind: str = ""
    name: str = ""
    problem: str = ""

    def describe(self) -> str:
        """What the Auth tab shows, e.g. ``Inherited from folder Users: Bearer token``."""
        if self.problem:
            return self.problem
        if not self.kind:
            return "Nothing to inherit: no folder above and not the collection set an auth"
        return f"Inherited from {self.kind} {self.name}: {auth_label(self.auth)}"


def _folders_above(rel: str) -> list[str]:
    """Folder ids from the request's own folder up to the root (``""``)."""
    parents = [p.as_posix() for p in PurePosixPath(rel).parents]
    return ["" if p == "." else p for p in parents]


def parent_auth_of(rel: str, settings: Mapping[str, tuple[str, AuthSetting]]) -> ParentAuth:
    """The auth the request ``rel`` inherits, given ``settings``: folder id (``""`` is the
    collection) -> (display name, setting). Folders missing from ``settings`` inherit."""
    for folder in _folders_above(rel):
        name, setting = settings.get(folder, (folder, INHERIT))
        if not setting.inherit:
            return ParentAuth(setting.auth, "folder" if folder else "collection", name)
    return ParentAuth(None)


def apply_parent_auth(spec: RequestSpec, parent: ParentAuth | None) -> RequestSpec:
    """``spec`` with an inherited auth filled in (``None`` when there is no parent); a spec
    with its own auth, or whose parent auth has a ``problem``, is returned unchanged."""
    if not spec.inherit_auth or (parent is not None and parent.problem):
        return spec
    return replace(spec, auth=None if parent is None else parent.auth, inherit_auth=False)
