"""Environments of named variables and ``{{name}}`` substitution in a request.

Every text of a :class:`~guiapp.core.request.RequestSpec` may use ``{{name}}``: the URL, params
and headers (names and values), every body kind (text, JSON, form fields, multipart names,
values and file paths, file bodies), auth fields, the proxy and the certificate paths. Values may
refer to other variables (``base = "{{scheme}}://{{host}}"``); a loop is reported with the
chain that forms it. Built-in dynamic variables: ``{{$uuid}}`` (also ``$guid``,
``$randomUUID``), ``{{$timestamp}}`` (Unix seconds), ``{{$isoTimestamp}}`` (UTC) and
``{{$randomInt}}`` (0-1000); each has one value per :func:`resolve` call, so the same
``{{$uuid}}`` in a header and the body agree.

Example::

    >>> from guiapp.core.request import RequestSpec
    >>> env = Environment("dev", [Variable("host", "localhost:8000"),
    ...                           Variable("base", "http://{{host}}/api")])
    >>> spec = RequestSpec(url="{{base}}/users/{{id}}", headers=[("X-Req", "{{$uuid}}")])
    >>> find_unresolved(spec, env)
    ['id']
    >>> resolve(spec, env.with_value("id", "7")).url
    'http://localhost:8000/api/users/7'
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from guiapp.core.errors import InvalidRequest
from guiapp.core.request import (
    Auth,
    BasicAuth,
    BearerAuth,
    Body,
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

__all__ = [
    "DYNAMIC_VARIABLES",
    "Environment",
    "Variable",
    "expand",
    "find_unresolved",
    "map_spec_text",
    "resolve",
]

_REF = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
_MAX_DEPTH = 32

DYNAMIC_VARIABLES: dict[str, Callable[[], str]] = {
    "$uuid": lambda: str(uuid.uuid4()),
    "$guid": lambda: str(uuid.uuid4()),
    "$randomUUID": lambda: str(uuid.uuid4()),
    "$timestamp": lambda: str(int(time.time())),
    "$isoTimestamp": lambda: datetime.now(UTC).isoformat(timespec="milliseconds"),
    "$randomInt": lambda: str(random.randint(0, 1000)),  # test data, not crypto
}


@dataclass(frozen=True, slots=True)
class Variable:
    """One variable. ``secret`` ones are kept in the OS keyring, never in collection files."""

    name: str
    value: str = field(default="", repr=False)
    secret: bool = False
    enabled: bool = True

    def __repr__(self) -> str:
        shown = "***" if self.secret else repr(self.value)
        return f"Variable({self.name!r}, {shown}, secret={self.secret}, enabled={self.enabled})"


@dataclass(frozen=True, slots=True)
class Environment:
    """A named set of variables; later definitions of a name win. Immutable: edit by copy."""

    name: str
    variables: tuple[Variable, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", tuple(self.variables))

    def values(self) -> dict[str, str]:
        """Name -> value of the enabled variables."""
        return {v.name: v.value for v in self.variables if v.enabled}

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of the enabled variable ``name``, or ``default``."""
        return self.values().get(name, default)

    def with_value(self, name: str, value: str, *, secret: bool | None = None) -> Environment:
        """A copy where ``name`` is set (kept in place if it exists, appended otherwise)."""
        out, found = [], False
        for v in self.variables:
            if v.name == name:
                keep = v.secret if secret is None else secret
                out.append(replace(v, value=value, secret=keep, enabled=True))
                found = True
            else:
                out.append(v)
        if not found:
            out.append(Variable(name, value, bool(secret)))
        return Environment(self.name, tuple(out))

    def without(self, name: str) -> Environment:
        """A copy without the variable ``name``."""
        return Environment(self.name, tuple(v for v in self.variables if v.name != name))

    def layered_over(self, *base: Environment | Mapping[str, str]) -> dict[str, str]:
        """Values of ``base`` layers (e.g. collection variables) overridden by this environment."""
        merged: dict[str, str] = {}
        for layer in base:
            merged.update(_values(layer))
        merged.update(self.values())
        return merged


def _values(env: Environment | Mapping[str, str] | None) -> Mapping[str, str]:
    if env is None:
        return {}
    return env.values() if isinstance(env, Environment) else env


class _Expander:
    """Expands references against one set of values, remembering results and what was missing."""

    def __init__(self, values: Mapping[str, str], *, strict_cycles: bool) -> None:
        self.values = values
        self.strict_cycles = strict_cycles
        self.missing: dict[str, None] = {}  # insertion-ordered set
        self._done: dict[str, str] = {}

    def text(self, text: str, chain: tuple[str, ...] = ()) -> str:
        if "{{" not in text:
            return text
        return _REF.sub(lambda m: self._name(m.group(1), m.group(0), chain), text)

    def _name(self, name: str, original: str, chain: tuple[str, ...]) -> str:
        if name in self._done:
            return self._done[name]
        if name in chain or len(chain) > _MAX_DEPTH:
            if self.strict_cycles:
                loop = " → ".join((*chain[chain.index(name) :], name)) if name in chain else ""
                raise InvalidRequest(
                    f"Variables refer to each other in a loop: {loop or ' → '.join(chain)}",
                    field="variables",
                )
            return original
        if name in self.values:
            value = self.text(self.values[name], (*chain, name))
        elif name in DYNAMIC_VARIABLES:
            value = DYNAMIC_VARIABLES[name]()
        else:
            self.missing[name] = None
            return original
        self._done[name] = value
        return value


def expand(text: str, env: Environment | Mapping[str, str] | None) -> str:
    """``text`` with every known ``{{name}}`` replaced; unknown ones are left as written.

    >>> expand("{{greeting}}, {{who}}!", {"greeting": "Hello", "who": "{{name}}", "name": "Ada"})
    'Hello, Ada!'
    """
    return _Expander(_values(env), strict_cycles=True).text(text)


def map_spec_text(spec: RequestSpec, f: Callable[[str], str]) -> RequestSpec:
    """A copy of ``spec`` with ``f`` applied to every text that may hold variables."""

    def pairs(items: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        return tuple((f(k), f(v)) for k, v in items)

    cert = spec.cert
    if cert is not None:
        cert = (f(cert[0]), f(cert[1])) if isinstance(cert, tuple) else f(cert)
    return replace(
        spec,
        url=f(spec.url),
        params=pairs(spec.params),
        headers=pairs(spec.headers),
        body=_map_body(spec.body, f, pairs),
        auth=_map_auth(spec.auth, f),
        verify=f(spec.verify) if isinstance(spec.verify, str) else spec.verify,
        cert=cert,
        proxy=None if spec.proxy is None else f(spec.proxy),
    )


def _map_body(
    body: Body | None,
    f: Callable[[str], str],
    pairs: Callable[[Iterable[tuple[str, str]]], tuple[tuple[str, str], ...]],
) -> Body | None:
    if isinstance(body, TextBody | JsonBody):
        return replace(body, text=f(body.text), content_type=f(body.content_type))
    if isinstance(body, FormBody):
        return FormBody(pairs(body.fields))
    if isinstance(body, FileBody):
        ct = body.content_type
        return FileBody(f(body.path), None if ct is None else f(ct))
    if isinstance(body, MultipartBody):
        parts: list[TextPart | FilePart] = []
        for p in body.parts:
            if isinstance(p, TextPart):
                parts.append(TextPart(f(p.name), f(p.value)))
            else:
                fn, ct = p.filename, p.content_type
                parts.append(FilePart(f(p.name), f(p.path), fn and f(fn), ct and f(ct)))
        return MultipartBody(tuple(parts))
    return body


def _map_auth(auth: Auth | None, f: Callable[[str], str]) -> Auth | None:
    if isinstance(auth, BasicAuth):
        return BasicAuth(f(auth.username), f(auth.password))
    if isinstance(auth, DigestAuth):
        return DigestAuth(f(auth.username), f(auth.password))
    if isinstance(auth, BearerAuth):
        return BearerAuth(f(auth.token))
    return auth


def find_unresolved(spec: RequestSpec, env: Environment | Mapping[str, str] | None) -> list[str]:
    """Names used by ``spec`` (directly or through other variables) that ``env`` lacks.

    In order of first use. Variables caught in a loop are not listed: :func:`resolve` reports
    the loop. Nothing is sent.
    """
    expander = _Expander(_values(env), strict_cycles=False)
    map_spec_text(spec, expander.text)
    return list(expander.missing)


def resolve(spec: RequestSpec, env: Environment | Mapping[str, str] | None) -> RequestSpec:
    """``spec`` with every ``{{name}}`` substituted.

    Raises :class:`~guiapp.core.errors.InvalidRequest` (``field="variables"``) naming every
    unresolved variable, or the chain of a loop.
    """
    expander = _Expander(_values(env), strict_cycles=True)
    resolved = map_spec_text(spec, expander.text)
    if expander.missing:
        names = ", ".join("{{" + n + "}}" for n in expander.missing)
        where = f" in environment {env.name!r}" if isinstance(env, Environment) else ""
        plural = "s" if len(expander.missing) > 1 else ""
        raise InvalidRequest(
            f"Unresolved variable{plural} {names}: define {'them' if plural else 'it'}{where} "
            "before sending",
            field="variables",
            url=spec.url,
        )
    return resolved
