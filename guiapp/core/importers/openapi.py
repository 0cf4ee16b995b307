"""Import an OpenAPI 3 document (JSON or YAML) as a collection.

Each operation becomes a request in a folder named after its first tag: URL
``{{baseUrl}}/pets/{{petId}}`` (``servers[0]`` becomes the ``baseUrl`` variable, with server
variables at their defaults), required and exemplified query and header parameters, an example
body (the media type's ``example``/``examples``, else the schema's, else one built from the
schema), and auth from the security schemes (``{{username}}``/``{{password}}``,
``{{bearerToken}}``, API keys). An environment named after the API holds ``baseUrl``, example
path parameter values and the credentials (secret, empty).

Hostile documents are bounded (:class:`~guiapp.core.importers.ImportLimits`): YAML alias
expansion and document size are checked before loading, ``$ref`` resolutions are counted over
the whole import, and a generated example stops growing at ``max_example_values`` values (the
warning says which request's example was cut). The import is all-or-nothing.

Example::

    >>> import tempfile
    >>> doc = {"openapi": "3.0.3", "info": {"title": "Pets", "version": "1"},
    ...        "servers": [{"url": "https://api.example.com/v1"}],
    ...        "paths": {"/pets/{petId}": {"get": {"summary": "Get a pet", "parameters": [
    ...            {"name": "petId", "in": "path", "required": True, "example": 7}]}}}}
    >>> result = import_openapi(doc, tempfile.mkdtemp() + "/pets")
    >>> result.collection.load_request(result.request_ids[0]).url
    '{{baseUrl}}/pets/{{petId}}'
    >>> result.environments[0].values()
    {'baseUrl': 'https://api.example.com/v1', 'petId': '7'}
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any

from guiapp.core.importers._common import ImportResult, load_document
from guiapp.core.importers._errors import ImportFailed
from guiapp.core.importers._limits import DEFAULT_LIMITS, ImportLimits
from guiapp.core.importers._staging import build_collection
from guiapp.core.request import (
    Auth,
    BasicAuth,
    BearerAuth,
    Body,
    FilePart,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from guiapp.core.secrets import SecretStore
from guiapp.core.variables import Environment, Variable

__all__ = ["import_openapi"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def import_openapi(
    source: str | os.PathLike[str] | Mapping[str, Any],
    dest: str | os.PathLike[str],
    *,
    secrets: SecretStore | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Create a collection at ``dest`` from an OpenAPI 3 file, text or dict.

    All or nothing: on :class:`ImportFailed` (or any error) nothing is left at ``dest``.
    """
    doc = load_document(source, limits)
    if not str(doc.get("openapi", "")).startswith("3"):
        raise ImportFailed("not an OpenAPI 3 document: the 'openapi: 3.x' key is missing")
    if not isinstance(doc.get("paths"), Mapping):
        raise ImportFailed("the OpenAPI document has no 'paths'")
    info = doc.get("info")
    title = str((info.get("title") if isinstance(info, Mapping) else None) or "API")

    def build(result: ImportResult) -> None:
        col = result.collection
        builder = _Builder(doc, result, limits)
        folders: dict[str, str] = {}
        for path, item in doc["paths"].items():
            item = builder.deref(item)
            if not isinstance(item, Mapping):
                continue
            for method in _METHODS:
                op = item.get(method)
                if not isinstance(op, Mapping):
                    continue
                name = str(op.get("summary") or op.get("operationId") or f"{method.upper()} {path}")
                builder.current = name
                spec = builder.request(str(path), method, op, item.get("parameters", []))
                tags = op.get("tags") or []
                folder = ""
                if isinstance(tags, list) and tags:
                    tag = str(tags[0])
                    if tag not in folders:
                        folders[tag] = col.create_folder("", tag)
                    folder = folders[tag]
                if len(result.request_ids) >= limits.max_requests:
                    raise ImportFailed(
                        f"the document has more than {limits.max_requests} operations "
                        "(setting: import/max_requests)"
                    )
                result.request_ids.append(col.new_request(folder, name, spec))
        env = Environment(title, tuple(builder.variables.values()))
        col.save_environment(env)
        result.environments.append(env)

    return build_collection(dest, title, secrets, build)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


class _ExampleFull(Exception):
    """The example being generated reached ``max_example_values``."""


class _Builder:
    def __init__(self, doc: Mapping[str, Any], result: ImportResult, limits: ImportLimits) -> None:
        self.doc = doc
        self.result = result
        self.limits = limits
        self.resolutions = 0
        self.written = 0  # bytes of example bodies so far
        self.budget = 0  # values the example being generated may still add
        self.current = ""  # the operation being imported, for warnings
        self.variables: dict[str, Variable] = {"baseUrl": Variable("baseUrl", self._server())}

    def _server(self) -> str:
        servers = self.doc.get("servers") or [{}]
        server = servers[0] if isinstance(servers[0], Mapping) else {}
        url = str(server.get("url") or "http://localhost")
        for name, var in (server.get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(var.get("default", "")))
        return url.rstrip("/")

    def deref(self, node: Any, depth: int = 0) -> Any:
        """Follow local ``$ref`` pointers (``#/components/...``), guarding against loops."""
        while isinstance(node, Mapping) and "$ref" in node and depth < self.limits.max_ref_depth:
            self.resolutions += 1
            if self.resolutions > self.limits.max_ref_resolutions:
                raise ImportFailed(
                    f"the document needs more than {self.limits.max_ref_resolutions} $ref "
                    "resolutions (its schemas refer to each other too many times); refused "
                    "(setting: import/max_ref_resolutions)"
                )
            ref = str(node["$ref"])
            if not ref.startswith("#/"):
                self.result.warnings.append(f"external $ref {ref!r} is not followed")
                return {}
            target: Any = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            node, depth = target, depth + 1
        return node

    def request(self, path: str, method: str, op: Mapping[str, Any], shared: Any) -> RequestSpec:
        url = "{{baseUrl}}" + re.sub(r"\{([^}]+)\}", r"{{\1}}", path)
        params: list[tuple[str, str]] = []
        headers: list[tuple[str, str]] = []
        merged: dict[tuple[str, str], Mapping[str, Any]] = {}
        for p in [*(shared or []), *(op.get("parameters") or [])]:
            p = self.deref(p)
            if isinstance(p, Mapping) and "name" in p:
                merged[(str(p["name"]), str(p.get("in")))] = p  # operation overrides path item
        for (name, where), p in merged.items():
            example = self._param_example(p)
            if where == "path":
                if name not in self.variables:
                    self.variables[name] = Variable(name, "" if example is None else example)
            elif where in ("query", "header") and (p.get("required") or example is not None):
                target = params if where == "query" else headers
                target.append((name, "" if example is None else example))
        body = self._body(op.get("requestBody"))
        auth = self._auth(op.get("security", self.doc.get("security")), headers, params)
        return RequestSpec(
            url=url,
            method=method,
            params=tuple(params),
            headers=tuple(headers),
            body=body,
            auth=auth,
        )

    def _param_example(self, p: Mapping[str, Any]) -> str | None:
        if "example" in p:
            return _scalar(p["example"])
        examples = p.get("examples")
        if isinstance(examples, Mapping) and examples:
            first = self.deref(next(iter(examples.values())))
            if isinstance(first, Mapping) and "value" in first:
                return _scalar(first["value"])
        schema = self.deref(p.get("schema", {}))
        for key in ("example", "default"):
            if isinstance(schema, Mapping) and key in schema:
                return _scalar(schema[key])
        return None

    def _body(self, request_body: Any) -> Body | None:
        request_body = self.deref(request_body)
        if not isinstance(request_body, Mapping):
            return None
        content = request_body.get("content") or {}
        if not content:
            return None
        types = list(content)
        chosen = next((t for t in types if "json" in t), types[0])
        media = self.deref(content[chosen]) or {}
        example = self._media_example(media)
        schema = self.deref(media.get("schema", {}))
        if "json" in chosen:
            return JsonBody(self._bounded(json.dumps(example, indent=2)), chosen)
        if chosen == "application/x-www-form-urlencoded":
            values = example if isinstance(example, Mapping) else {}
            return FormBody(tuple((str(k), _scalar(v)) for k, v in values.items()))
        if chosen == "multipart/form-data":
            parts: list[TextPart | FilePart] = []
            props = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
            for name, prop in props.items():
                prop = self.deref(prop)
                if isinstance(prop, Mapping) and prop.get("format") in ("binary", "base64"):
                    parts.append(FilePart(name, "{{" + name + "File}}"))
                else:
                    value = example.get(name) if isinstance(example, Mapping) else None
                    parts.append(TextPart(name, "" if value is None else _scalar(value)))
            return MultipartBody(tuple(parts))
        return TextBody(self._bounded("" if example is None else _scalar(example)), chosen)

    def _bounded(self, text: str) -> str:
        """``text``, or "" (with a warning) past the per-body limit; the total written by the
        whole import is bounded too: examples shared through ``$ref`` by many operations are
        copied into every request file."""
        size = len(text.encode("utf-8"))
        if size > self.limits.max_example_bytes:
            self.result.warnings.append(
                f"{self.current}: the example body ({size} bytes) was left empty: it is larger "
                f"than {self.limits.max_example_bytes} bytes (setting: import/max_example_kb)"
            )
            return ""
        self.written += size
        if self.written > self.limits.max_total_example_bytes:
            raise ImportFailed(
                f"the example bodies add up to more than {self.limits.max_total_example_bytes} "
                "bytes (many operations share large examples); refused "
                "(setting: import/max_total_example_mb)"
            )
        return text

    def _media_example(self, media: Mapping[str, Any]) -> Any:
        if "example" in media:
            return media["example"]
        examples = media.get("examples")
        if isinstance(examples, Mapping) and examples:
            first = self.deref(next(iter(examples.values())))
            if isinstance(first, Mapping) and "value" in first:
                return first["value"]
        self.budget = self.limits.max_example_values
        try:
            return self._from_schema(media.get("schema", {}), 0)
        except _ExampleFull:
            self.result.warnings.append(
                f"{self.current}: the example body was left empty: generating it from the "
                f"schema took more than {self.limits.max_example_values} values "
                "(setting: import/max_example_values)"
            )
            return None

    def _from_schema(self, schema: Any, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _ExampleFull
        schema = self.deref(schema)
        if not isinstance(schema, Mapping) or depth > self.limits.max_ref_depth:
            return None
        for key in ("example", "default"):
            if key in schema:
                return schema[key]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        for combo in ("allOf", "oneOf", "anyOf"):
            if isinstance(schema.get(combo), list) and schema[combo]:
                parts = [self._from_schema(s, depth + 1) for s in schema[combo]]
                if combo == "allOf" and all(isinstance(p, dict) for p in parts):
                    return {k: v for p in parts for k, v in p.items()}
                return parts[0]
        kind = schema.get("type", "object" if "properties" in schema else None)
        if kind == "object":
            props = schema.get("properties") or {}
            if not isinstance(props, Mapping):
                return {}
            return {str(k): self._from_schema(v, depth + 1) for k, v in props.items()}
        if kind == "array":
            return [self._from_schema(schema.get("items", {}), depth + 1)]
        defaults = {"string": "string", "integer": 0, "number": 0, "boolean": False}
        return defaults.get(str(kind))

    def _auth(
        self, security: Any, headers: list[tuple[str, str]], params: list[tuple[str, str]]
    ) -> Auth | None:
        schemes = self.doc.get("components", {}).get("securitySchemes", {})
        for requirement in security or []:
            for name in requirement or {}:
                scheme = self.deref(schemes.get(name))
                if not isinstance(scheme, Mapping):
                    continue
                kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
                if kind == "http" and http == "basic":
                    self._secret("username", secret=False)
                    self._secret("password")
                    return BasicAuth("{{username}}", "{{password}}")
                if (kind == "http" and http == "bearer") or kind in ("oauth2", "openIdConnect"):
                    self._secret("bearerToken")
                    return BearerAuth("{{bearerToken}}")
                if kind == "apiKey":
                    self._secret("apiKey")
                    pair = (str(scheme.get("name", "X-API-Key")), "{{apiKey}}")
                    if scheme.get("in") == "query":
                        params.append(pair)
                    elif scheme.get("in") == "header":
                        headers.append(pair)
                    else:
                        self.result.warnings.append(
                            f"API key in {scheme.get('in')!r} not supported"
                        )
                    return None
        return None

    def _secret(self, name: str, *, secret: bool = True) -> None:
        self.variables.setdefault(name, Variable(name, "", secret=secret))
