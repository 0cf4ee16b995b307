"""Import a Postman collection (format v2.1, and v2.0's object-style auth) into a collection.

Folders become folders; each request becomes one TOML file. URLs may be strings or Postman's
URL objects (query entries become params, ``:id`` path variables become ``{{id}}``). Entries
marked ``"disabled": true`` (headers, query params, urlencoded and form-data fields, variables)
are kept as disabled rows: shown unticked, never sent.
Bodies: ``raw`` (JSON when the language or Content-Type says so), ``urlencoded``, ``formdata``
(text and file fields), ``file`` and ``graphql``. Auth: basic, digest, bearer, API keys (as a
header or a query param) and an OAuth 2 access token (as bearer). Auth set on the collection or
a folder stays there, and requests without their own auth inherit it, as in Postman (an API
key set on a folder is copied into each request below it instead: this app has no API-key
auth). The collection's ``variable`` array becomes the collection's
own variables (``type: "secret"`` ones go to the keyring); an active environment overrides them,
as in Postman. Anything else (scripts, other auth types) is listed in ``ImportResult.warnings``.

Bodies that name local files (``file`` mode, file fields of ``formdata``) stay file
references: nothing is read while importing, each one is listed in the warnings, and the app
asks before the first send of a request whose files lie outside its collection. The import is
all-or-nothing (:mod:`~guiapp.core.importers._staging`) and bounded by
:class:`~guiapp.core.importers.ImportLimits` (folder depth, request count, document size).

Example::

    >>> import tempfile
    >>> doc = {"info": {"name": "Demo"}, "variable": [{"key": "base", "value": "http://h"}],
    ...        "item": [{"name": "Ping", "request": {"method": "GET", "url": "{{base}}/ping"}}]}
    >>> result = import_postman(doc, tempfile.mkdtemp() + "/demo")
    >>> result.collection.load_request(result.request_ids[0]).url
    '{{base}}/ping'
    >>> result.collection.load_variables().values(), result.environments
    ({'base': 'http://h'}, [])
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from guiapp.core.auth_inherit import NO_AUTH, AuthSetting
from guiapp.core.collections import Collection
from guiapp.core.importers._common import ImportResult, load_document
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.importers._limits import DEFAULT_LIMITS, ImportLimits
from guiapp.core.importers._staging import build_collection
from guiapp.core.request import (
    Auth,
    BasicAuth,
    BearerAuth,
    Body,
    DigestAuth,
    DisabledPart,
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    Pairs,
    RequestSpec,
    TextBody,
    TextPart,
    split_rows,
)
from guiapp.core.secrets import SecretStore
from guiapp.core.variables import Variable, variable_name_problem

__all__ = ["import_postman"]

_PATH_VAR = re.compile(r"(?<=/):([A-Za-z_][\w-]*)")


def import_postman(
    source: str | os.PathLike[str] | Mapping[str, Any],
    dest: str | os.PathLike[str],
    *,
    secrets: SecretStore | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Create a collection at ``dest`` from a Postman collection file, JSON text or dict.

    All or nothing: on :class:`ImportFailed` (or any error) nothing is left at ``dest``.
    """
    doc = load_document(source, limits)
    info = doc.get("info")
    if not isinstance(info, Mapping) or not isinstance(doc.get("item"), list):
        raise ImportFailed("not a Postman collection: expected 'info' and 'item'")
    name = str(info.get("name") or Path(dest).name)

    def build(result: ImportResult) -> None:
        col = result.collection
        importer = _Importer(col, result, limits)
        importer.items(doc["item"], "", importer.folder_auth("", doc.get("auth"), name))
        variables = _variables(doc.get("variable"), result.warnings)
        if variables:
            # Collection variables, not an environment: in Postman an environment overrides
            # them, so an environment made from them would shadow every later edit.
            col.save_variables(variables)
            result.collection_variables = col.load_variables()
        if doc.get("event"):
            result.warnings.append("collection scripts (pre-request/test) are not imported")

    return build_collection(dest, name, secrets, build)


def _variables(raw: Any, warnings: list[str]) -> tuple[Variable, ...]:
    """The collection's ``variable`` array; a name that cannot be a ``{{name}}`` is skipped (and
    said so), and a repeated one keeps its last value, as Postman resolves it."""
    found: dict[str, Variable] = {}
    for v in raw if isinstance(raw, list) else []:
        if not isinstance(v, Mapping) or not v.get("key"):
            continue
        key = str(v["key"])
        problem = variable_name_problem(key)
        if problem:
            warnings.append(f"collection variable skipped: {problem}")
            continue
        found.pop(key, None)
        found[key] = Variable(
            key,
            _text(v.get("value")),
            secret=v.get("type") == "secret",
            enabled=not v.get("disabled", False),
        )
    return tuple(found.values())


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _entries(entries: Any) -> list[tuple[Mapping[str, Any], bool]]:
    """Postman's key/value entries, in order, with whether each is enabled."""
    if not isinstance(entries, list):
        return []
    return [(e, not e.get("disabled", False)) for e in entries if isinstance(e, Mapping)]


def _rows(entries: Any, decode: Any = None) -> tuple[Pairs, Any]:
    """Enabled pairs and disabled rows of Postman key/value entries."""
    f = decode or (lambda text: text)
    return split_rows(
        ((f(str(e.get("key", ""))), f(_text(e.get("value")))), on) for e, on in _entries(entries)
    )


#: Postman auth kinds this app can keep on a folder or the collection.
_FOLDER_KINDS = frozenset({"noauth", "basic", "digest", "bearer", "oauth2"})


def _values(auth: Mapping[str, Any]) -> dict[str, str]:
    """The fields of a Postman auth object."""
    raw = auth.get(str(auth.get("type", "noauth")), {})
    # v2.1: [{"key": "username", "value": "..."}]; v2.0: {"username": "..."}
    if isinstance(raw, list):
        return {str(e.get("key")): _text(e.get("value")) for e in raw if isinstance(e, Mapping)}
    if isinstance(raw, Mapping):
        return {str(k): _text(v) for k, v in raw.items()}
    return {}


def _file_paths(spec: RequestSpec) -> list[str]:
    body = spec.body
    if isinstance(body, FileBody):
        return [body.path] if body.path else []
    if isinstance(body, MultipartBody):
        return [p.path for p in body.parts if isinstance(p, FilePart) and p.path]
    return []


class _Importer:
    def __init__(self, col: Collection, result: ImportResult, limits: ImportLimits) -> None:
        self.col = col
        self.result = result
        self.limits = limits

    def folder_auth(self, folder: str, auth: Any, name: str) -> Any:
        """Keep ``auth`` (Postman's, of the collection or a folder) on ``folder``; return the
        auth its requests must copy instead of inheriting (an API key), else None."""
        if not isinstance(auth, Mapping):
            return None
        kind = str(auth.get("type", "noauth"))
        if kind not in _FOLDER_KINDS or (kind == "oauth2" and not _values(auth).get("accessToken")):
            return auth  # copied into each request below (unsupported kinds warn there)
        own = self.auth(auth, [], [], name)[0]
        self.col.save_auth(folder, NO_AUTH if own is None else AuthSetting(own, inherit=False))
        return None

    def items(self, items: list[Any], folder: str, copied_auth: Any, depth: int = 0) -> None:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            name = str(item.get("name") or "Untitled")
            if isinstance(item.get("item"), list):
                if depth >= self.limits.max_folder_depth:
                    raise ImportFailed(
                        f"the folder “{name[:80]}” is nested {depth + 1} levels deep, more than "
                        f"the limit of {self.limits.max_folder_depth} "
                        "(setting: import/max_folder_depth)"
                    )
                sub = self.col.create_folder(folder, name)
                copied = copied_auth
                if isinstance(item.get("auth"), Mapping):  # null or absent: inherit
                    copied = self.folder_auth(sub, item["auth"], name)
                self.items(item["item"], sub, copied, depth + 1)
            elif isinstance(item.get("request"), Mapping | str):
                if len(self.result.request_ids) >= self.limits.max_requests:
                    raise ImportFailed(
                        f"the collection has more than {self.limits.max_requests} requests "
                        "(setting: import/max_requests)"
                    )
                try:
                    spec = self.request(item["request"], copied_auth, name)
                except (ValueError, TypeError) as exc:
                    self.result.warnings.append(f"{name}: skipped ({exc})")
                    continue
                for path in _file_paths(spec):
                    self.result.warnings.append(
                        f"{name}: sends the local file {path} (not read now; "
                        "you will be asked before the first send)"
                    )
                self.result.request_ids.append(self.col.new_request(folder, name, spec))
                if item.get("event"):
                    self.result.warnings.append(f"{name}: scripts are not imported")

    def request(self, request: Mapping[str, Any] | str, copied_auth: Any, name: str) -> RequestSpec:
        inherit = not isinstance(request, Mapping) or not isinstance(request.get("auth"), Mapping)
        if isinstance(request, str):  # v2 shorthand: the request is just a URL
            return RequestSpec(url=request, inherit_auth=copied_auth is None)
        url, params, disabled_params = self.url(request.get("url", ""))
        enabled_headers, disabled_headers = _rows(request.get("header"))
        body, headers = self.body(request.get("body"), list(enabled_headers), name)
        own = request.get("auth") if not inherit else copied_auth
        auth, headers, params = self.auth(own, headers, params, name)
        return RequestSpec(
            url=url,
            method=str(request.get("method") or "GET"),
            params=tuple(params),
            headers=tuple(headers),
            disabled_params=disabled_params,
            disabled_headers=disabled_headers,
            body=body,
            auth=auth,
            inherit_auth=inherit and copied_auth is None,
        )

    def url(self, url: Any) -> tuple[str, list[tuple[str, str]], Any]:
        if isinstance(url, str):
            base, _, query = url.partition("?")
            pieces = (p.partition("=") for p in query.split("&") if p)
            params = [(unquote_plus(k), unquote_plus(v)) for k, _, v in pieces]
            return _PATH_VAR.sub(r"{{\1}}", base), params, ()
        if not isinstance(url, Mapping):
            return "", [], ()
        raw = str(url.get("raw", ""))
        base = raw.split("?", 1)[0]
        if not base and url.get("host"):
            host = url["host"]
            host = ".".join(host) if isinstance(host, list) else str(host)
            path = url.get("path", [])
            path = "/".join(path) if isinstance(path, list) else str(path)
            protocol = f"{url['protocol']}://" if url.get("protocol") else ""
            port = f":{url['port']}" if url.get("port") else ""
            base = f"{protocol}{host}{port}/{path}" if path else f"{protocol}{host}{port}"
        # Postman keeps query entries as typed in the URL (percent-encoded); params are decoded.
        enabled, disabled = _rows(url.get("query"), unquote_plus)
        params = list(enabled)
        if "query" not in url and "?" in raw:
            params = self.url(raw)[1]
        return _PATH_VAR.sub(r"{{\1}}", base), params, disabled

    def body(
        self, body: Any, headers: list[tuple[str, str]], name: str
    ) -> tuple[Body | None, list[tuple[str, str]]]:
        if not isinstance(body, Mapping) or body.get("disabled"):
            return None, headers
        mode = body.get("mode")
        content_type = next((v for k, v in reversed(headers) if k.lower() == "content-type"), None)
        typed = [(k, v) for k, v in headers if k.lower() != "content-type"]
        if mode == "raw":
            raw = _text(body.get("raw"))
            language = str(body.get("options", {}).get("raw", {}).get("language", "")).lower()
            if language == "json" or (content_type and "json" in content_type.lower()):
                return JsonBody(raw, content_type or "application/json"), typed
            return TextBody(raw, content_type or "text/plain"), typed
        if mode == "urlencoded":
            return FormBody(*_rows(body.get("urlencoded"))), headers
        if mode == "formdata":
            parts: list[TextPart | FilePart] = []
            off: list[DisabledPart] = []
            for index, (f, on) in enumerate(_entries(body.get("formdata"))):
                key = str(f.get("key", ""))
                part: TextPart | FilePart
                if f.get("type") == "file":
                    src = f.get("src")
                    src = src[0] if isinstance(src, list) and src else src
                    part = FilePart(key, _text(src), content_type=f.get("contentType") or None)
                else:
                    part = TextPart(key, _text(f.get("value")))
                if on:
                    parts.append(part)
                else:
                    off.append(DisabledPart(index, part))
            return MultipartBody(tuple(parts), tuple(off)), headers
        if mode == "file":
            src = body.get("file", {}).get("src") if isinstance(body.get("file"), Mapping) else None
            return FileBody(_text(src), content_type), typed
        if mode == "graphql":
            gql = body.get("graphql", {})
            payload: dict[str, Any] = {"query": gql.get("query", "")}
            variables = gql.get("variables")
            if variables:
                try:
                    payload["variables"] = (
                        json.loads(variables) if isinstance(variables, str) else variables
                    )
                except ValueError:
                    self.result.warnings.append(f"{name}: GraphQL variables are not valid JSON")
            return JsonBody(
                json.dumps(payload, indent=2), content_type or "application/json"
            ), typed
        if mode:
            self.result.warnings.append(f"{name}: body mode {mode!r} is not supported")
        return None, headers

    def auth(
        self,
        auth: Any,
        headers: list[tuple[str, str]],
        params: list[tuple[str, str]],
        name: str,
    ) -> tuple[Auth | None, list[tuple[str, str]], list[tuple[str, str]]]:
        if not isinstance(auth, Mapping):
            return None, headers, params
        kind = str(auth.get("type", "noauth"))
        values = _values(auth)
        if kind == "noauth":
            return None, headers, params
        if kind == "basic":
            return (
                BasicAuth(values.get("username", ""), values.get("password", "")),
                headers,
                params,
            )
        if kind == "digest":
            return (
                DigestAuth(values.get("username", ""), values.get("password", "")),
                headers,
                params,
            )
        if kind == "bearer":
            return BearerAuth(values.get("token", "")), headers, params
        if kind == "oauth2" and values.get("accessToken"):
            return BearerAuth(values["accessToken"]), headers, params
        if kind == "apikey":
            key, value = values.get("key", "X-API-Key"), values.get("value", "")
            if values.get("in") == "query":
                return None, headers, [*params, (key, value)]
            return None, [*headers, (key, value)], params
        self.result.warnings.append(f"{name}: auth type {kind!r} is not supported; set it by hand")
        return None, headers, params
