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
from typing import TypeAlias

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
    "VARIABLE_REF",
    "Environment",
    "Variable",
    "VariableScope",
    "expand",
    "find_unresolved",
    "map_spec_text",
    "resolve",
    "variable_name_problem",
]

#: A ``{{name}}`` reference (spaces inside the braces allowed); group 1 is the name.
VARIABLE_REF = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
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

    def secret_values(self) -> set[str]:
        """The non-empty values of the secret variables (what masking must hide)."""
        return {v.value for v in self.variables if v.secret and v.value}

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


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a variable name (a sentence for the user), or None if it can.

    A name must be usable as ``{{name}}``: not empty, no spaces or braces, and not starting
    with ``$`` (reserved for the built-in dynamic variables).

    >>> variable_name_problem("base_url") is None, variable_name_problem("my token")
    (True, '“my token” cannot be a variable name: it contains a space')
    """
    if not name:
        return "A variable needs a name."
    if name.startswith("$"):
        return f"“{name}” cannot be a variable name: names starting with $ are built in"
    for char, what in ((" ", "a space"), ("{", "a brace"), ("}", "a brace")):
        if char in name:
            return f"“{name}” cannot be a variable name: it contains {what}"
    if any(c.isspace() for c in name):
        return f"“{name}” cannot be a variable name: it contains white space"
    return None


@dataclass(frozen=True, slots=True)
class VariableScope:
    """The variables a request sees: the collection's own, overridden by the active environment,
    overridden by the runtime values captured from earlier responses of this session.

    Postman's order is globals < collection < environment; this app has no globals, so an
    environment variable wins over a collection variable of the same name, and a value a
    capture set (``runtime``, never saved) wins over both, as the runner's captures do. Pass a
    scope wherever an environment is accepted (:func:`resolve`, :func:`find_unresolved`).

    >>> scope = VariableScope(Environment("API", [Variable("base", "http://a"),
    ...                                           Variable("v", "1")]),
    ...                       Environment("Prod", [Variable("base", "https://b")]))
    >>> scope.values(), scope.origin("v"), scope.origin("base")
    ({'base': 'https://b', 'v': '1'}, 'collection', 'environment')
    >>> run = VariableScope(None, None, Environment("runtime", [Variable("token", "t1")]))
    >>> run.values(), run.origin("token")
    ({'token': 't1'}, 'runtime')
    """

    collection: Environment | None = None
    environment: Environment | None = None
    runtime: Environment | None = None

    def layers(self) -> tuple[Environment, ...]:
        """The layers present, lowest first (later ones win)."""
        return tuple(
            layer
            for layer in (self.collection, self.environment, self.runtime)
            if layer is not None
        )

    def values(self) -> dict[str, str]:
        """Name -> value of every enabled variable, the later layers winning."""
        merged: dict[str, str] = {}
        for layer in self.layers():
            merged.update(layer.values())
        return merged

    def secret_values(self) -> set[str]:
        """The non-empty values of the secret variables of every layer."""
        found: set[str] = set()
        for layer in self.layers():
            found |= layer.secret_values()
        return found

    def origin(self, name: str) -> str | None:
        """``"runtime"``, ``"environment"`` or ``"collection"``: where the value of ``name``
        comes from."""
        if self.runtime is not None and name in self.runtime.values():
            return "runtime"
        if self.environment is not None and name in self.environment.values():
            return "environment"
        if self.collection is not None and name in self.collection.values():
            return "collection"
        return None

    def where(self) -> str:
        """Where a missing variable can be defined, for messages (``""`` if nowhere is open)."""
        places = []
        if self.environment is not None:
            places.append(f"environment {self.environment.name!r}")
        if self.collection is not None:
            places.append("the collection variables")
        return " or ".join(places)


#: Anything variables can come from.
Values: TypeAlias = Environment | VariableScope | Mapping[str, str] | None


def _values(env: Values) -> Mapping[str, str]:
    if env is None:
        return {}
    return env.values() if isinstance(env, Environment | VariableScope) else env


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
        return VARIABLE_REF.sub(lambda m: self._name(m.group(1), m.group(0), chain), text)

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


def expand(text: str, env: Values) -> str:
    """``text`` with every known ``{{name}}`` replaced; unknown ones are left as written.

    >>> expand("{{greeting}}, {{who}}!", {"greeting": "Hello", "who": "{{name}}", "name": "Ada"})
    'Hello, Ada!'
    """
    return _Expander(_values(env), strict_cycles=True).text(text)


def map_spec_text(spec: RequestSpec, f: Callable[[str], str]) -> RequestSpec:
    """A copy of ``spec`` with ``f`` applied to every text that may hold variables.

    Disabled rows are not sent, so they are left as written (their variables need no value).
    """

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
    if isinstance(body, FormBody):  # disabled rows are not sent: left as written
        return replace(body, fields=pairs(body.fields))
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
        return replace(body, parts=tuple(parts))
    return body


def _map_auth(auth: Auth | None, f: Callable[[str], str]) -> Auth | None:
    if isinstance(auth, BasicAuth):
        return BasicAuth(f(auth.username), f(auth.password))
    if isinstance(auth, DigestAuth):
        return DigestAuth(f(auth.username), f(auth.password))
    if isinstance(auth, BearerAuth):
        return BearerAuth(f(auth.token))
    return auth


def find_unresolved(spec: RequestSpec, env: Values) -> list[str]:
    """Names used by ``spec`` (directly or through other variables) that ``env`` lacks.

    In order of first use. Variables caught in a loop are not listed: :func:`resolve` reports
    the loop. Nothing is sent.
    """
    expander = _Expander(_values(env), strict_cycles=False)
    map_spec_text(spec, expander.text)
    return list(expander.missing)


def resolve(spec: RequestSpec, env: Values, *, secrets: Iterable[str] | None = None) -> RequestSpec:
    """``spec`` with every ``{{name}}`` substituted.

    Raises :class:`~guiapp.core.errors.InvalidRequest` (``field="variables"``) naming every
    unresolved variable, or the chain of a loop. A header whose value took a secret variable's
    value is listed in ``sensitive_headers``: the transport drops it on a redirect to another
    host, as it does ``Authorization``. The secret values are those of ``env`` (an
    :class:`Environment` or :class:`VariableScope`), or ``secrets`` when given.

    >>> env = Environment("p", [Variable("key", "k3y-9", secret=True)])
    >>> resolve(RequestSpec(url="http://h/", headers=[("X-Api-Key", "{{key}}")]),
    ...         env).sensitive_headers
    ('x-api-key',)
    """
    expander = _Expander(_values(env), strict_cycles=True)
    resolved = map_spec_text(spec, expander.text)
    if expander.missing:
        names = ", ".join("{{" + n + "}}" for n in expander.missing)
        if isinstance(env, Environment):
            where = f" in environment {env.name!r}"
        elif isinstance(env, VariableScope) and env.where():
            where = f" in {env.where()}"
        else:
            where = ""
        plural = "s" if len(expander.missing) > 1 else ""
        raise InvalidRequest(
            f"Unresolved variable{plural} {names}: define {'them' if plural else 'it'}{where} "
            "before sending",
            field="variables",
            url=spec.url,
        )
    if secrets is None:
        secrets = env.secret_values() if isinstance(env, Environment | VariableScope) else ()
    secrets = [secret for secret in secrets if secret]
    sensitive = [
        name
        for (_, written), (name, value) in zip(spec.headers, resolved.headers, strict=True)
        if written != value and any(secret in value for secret in secrets)
    ]
    if sensitive:
        resolved = replace(resolved, sensitive_headers=(*resolved.sensitive_headers, *sensitive))
    return resolved
