"""Import a Postman collection (format v2.1, and v2.0's object-style auth) into a collection.

Folders become folders; each request becomes one TOML file. URLs may be strings or Postman's
URL objects (enabled query entries become params, ``:id`` path variables become ``{{id}}``).
Bodies: ``raw`` (JSON when the language or Content-Type says so), ``urlencoded``, ``formdata``
(text and file fields), ``file`` and ``graphql``. Auth: basic, digest, bearer, API keys (as a
header or a query param) and an OAuth 2 access token (as bearer); an item without auth inherits
its folder's or the collection's. The collection's ``variable`` array becomes the collection's
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
    FileBody,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
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
        _Importer(col, result, limits).items(doc["item"], "", doc.get("auth"))
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


def _file_paths(spec: RequestSpec) -> list[str]:
    body = spec.body
    if isinstance(body, FileBody):
        return [body.path] if body.path else []
    if isinstance(body, MultipartBody):
        return [p.path for p in body.parts if isinstance(p, FilePart) and p.path]
    return []


def _enabled(entries: Any) -> list[Mapping[str, Any]]:
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, Mapping) and not e.get("disabled", False)]


class _Importer:
    def __init__(self, col: Collection, result: ImportResult, limits: ImportLimits) -> None:
        self.col = col
        self.result = result
        self.limits = limits

    def items(self, items: list[Any], folder: str, inherited_auth: Any, depth: int = 0) -> None:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            name = str(item.get("name") or "Untitled")
            auth = item.get("auth", inherited_auth)
            if isinstance(item.get("item"), list):
                if depth >= self.limits.max_folder_depth:
                    raise ImportFailed(
                        f"the folder “{name[:80]}” is nested {depth + 1} levels deep, more than "
                        f"the limit of {self.limits.max_folder_depth} "
                        "(setting: import/max_folder_depth)"
                    )
                sub = self.col.create_folder(folder, name)
                self.items(item["item"], sub, auth, depth + 1)
            elif isinstance(item.get("request"), Mapping | str):
                try:
                    spec = self.request(item["request"], auth, name)
                except (ValueError, TypeError) as exc:
                    self.result.warnings.append(f"{name}: skipped ({exc})")
                    continue
                if len(self.result.request_ids) >= self.limits.max_requests:
                    raise ImportFailed(
                        f"the collection has more than {self.limits.max_requests} requests "
                        "(setting: import/max_requests)"
                    )
                self.result.request_ids.append(self.col.new_request(folder, name, spec))
                for path in _file_paths(spec):
                    self.result.warnings.append(
                        f"{name}: sends the local file {path} (not read now; "
                        "you will be asked before the first send)"
                    )
                if item.get("event"):
                    self.result.warnings.append(f"{name}: scripts are not imported")

    def request(
        self, request: Mapping[str, Any] | str, inherited_auth: Any, name: str
    ) -> RequestSpec:
        if isinstance(request, str):  # v2 shorthand: the request is just a URL
            return RequestSpec(url=request)
        url, params = self.url(request.get("url", ""))
        headers = [
            (str(h.get("key", "")), _text(h.get("value"))) for h in _enabled(request.get("header"))
        ]
        body, headers = self.body(request.get("body"), headers, name)
        auth, headers, params = self.auth(
            request.get("auth", inherited_auth), headers, params, name
        )
        return RequestSpec(
            url=url,
            method=str(request.get("method") or "GET"),
            params=tuple(params),
            headers=tuple(headers),
            body=body,
            auth=auth,
        )

    def url(self, url: Any) -> tuple[str, list[tuple[str, str]]]:
        if isinstance(url, str):
            base, _, query = url.partition("?")
            pieces = (p.partition("=") for p in query.split("&") if p)
            params = [(unquote_plus(k), unquote_plus(v)) for k, _, v in pieces]
            return _PATH_VAR.sub(r"{{\1}}", base), params
        if not isinstance(url, Mapping):
            return "", []
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
        params = [
            (unquote_plus(str(q.get("key", ""))), unquote_plus(_text(q.get("value"))))
            for q in _enabled(url.get("query"))
        ]
        if "query" not in url and "?" in raw:
            params = self.url(raw)[1]
        return _PATH_VAR.sub(r"{{\1}}", base), params

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
            fields = [
                (str(f.get("key", "")), _text(f.get("value")))
                for f in _enabled(body.get("urlencoded"))
            ]
            return FormBody(tuple(fields)), headers
        if mode == "formdata":
            parts: list[TextPart | FilePart] = []
            for f in _enabled(body.get("formdata")):
                key = str(f.get("key", ""))
                if f.get("type") == "file":
                    src = f.get("src")
                    src = src[0] if isinstance(src, list) and src else src
                    parts.append(
                        FilePart(key, _text(src), content_type=f.get("contentType") or None)
                    )
                else:
                    parts.append(TextPart(key, _text(f.get("value"))))
            return MultipartBody(tuple(parts)), headers
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
        raw = auth.get(kind, {})
        # v2.1: [{"key": "username", "value": "..."}]; v2.0: {"username": "..."}
        values = (
            {str(e.get("key")): _text(e.get("value")) for e in raw if isinstance(e, Mapping)}
            if isinstance(raw, list)
            else {str(k): _text(v) for k, v in raw.items()}
            if isinstance(raw, Mapping)
            else {}
        )
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
