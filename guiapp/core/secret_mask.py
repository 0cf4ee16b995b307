"""Mask secret *values* wherever they appear in a request, and find fields to re-enter.

Masking by header name (``Authorization``, ``Cookie``) misses a token sent as ``X-API-Key``, in
a query parameter, the path, the body or an error message. What history keeps is therefore
masked by value: every value of a secret variable used by the send, and every credential of the
request itself (auth password or token, URL password, ``Authorization``/``Cookie`` values), is
replaced by ``***`` in every text of the request, longest value first.

The request *as written* (with ``{{variables}}``) is kept too, masked the same way outside its
``{{...}}`` references, so restoring it and sending resolves the references to the real
secrets again. A credential typed literally cannot be kept: it becomes ``***``, and
:func:`fields_to_reenter` lists such fields so that Send can refuse instead of sending ``***``.

Example::

    >>> from guiapp.core.request import BearerAuth, RequestSpec
    >>> sent = RequestSpec(url="http://h/items?key=k3y-9", headers=[("X-API-Key", "k3y-9")],
    ...                    auth=BearerAuth("t0ken"))
    >>> masked = mask_spec(sent, {"k3y-9"} | credentials_of(sent))
    >>> masked.url, masked.headers, masked.auth
    ('http://h/items?key=***', (('X-API-Key', '***'),), BearerAuth(token='***'))
    >>> written = RequestSpec(url="http://h/items?key={{key}}", auth=BearerAuth("t0ken"))
    >>> kept = mask_template(written, {"k3y-9"})
    >>> kept.url, fields_to_reenter(kept)
    ('http://h/items?key={{key}}', ['auth token'])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from guiapp.core.request import (
    REDACTED,
    SECRET_HEADERS,
    BasicAuth,
    BearerAuth,
    DigestAuth,
    FormBody,
    JsonBody,
    MultipartBody,
    RequestSpec,
    TextBody,
    TextPart,
)
from guiapp.core.url_mask import mask_url_password, url_password
from guiapp.core.variables import VARIABLE_REF, map_spec_text

__all__ = [
    "MIN_MASKED_LENGTH",
    "credentials_of",
    "fields_to_reenter",
    "mask_spec",
    "mask_template",
    "mask_text",
    "reenter_message",
]

_AUTH_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9_-]*\s+(?=\S)")


def credentials_of(spec: RequestSpec) -> set[str]:
    """The secret values a request carries itself: auth password/token, URL and proxy
    passwords, and the values of ``Authorization``/``Cookie`` headers (also without their
    ``Bearer``/``Basic`` scheme word)."""
    found: set[str] = set()
    auth = spec.auth
    if isinstance(auth, BasicAuth | DigestAuth):
        found.add(auth.password)
    elif isinstance(auth, BearerAuth):
        found.add(auth.token)
    for url in (spec.url, spec.proxy or ""):
        password = url_password(url)
        if password:
            found.add(password)
    # Unticked rows too: a disabled Authorization header is not sent, but it is kept (in the
    # saved tabs, drafts and history) and must be as secret there as an enabled one.
    rows = [*spec.headers, *((d.name, d.value) for d in spec.disabled_headers)]
    for name, value in rows:
        if name.lower() in SECRET_HEADERS:
            # "Bearer abc" -> "abc" (the scheme word is no secret, and keeping it shows the
            # user what to re-enter); a value without a scheme word is a secret whole.
            found.add(_AUTH_SCHEME.sub("", value).strip())
    found.discard("")
    found.discard(REDACTED)
    return found


#: Values shorter than this are masked only in their own field (an auth token, an
#: ``Authorization`` value), not searched for everywhere: masking every "t" or "42" would
#: garble the request (the URL included) rather than protect anything.
MIN_MASKED_LENGTH = 4


def mask_text(text: str, values: Iterable[str]) -> str:
    """``text`` with each of ``values`` (of at least :data:`MIN_MASKED_LENGTH` characters)
    replaced by ``***``, longest first, so a value that contains another is masked whole.

    >>> mask_text("key=abcd1234&x=ab", {"abcd1234", "ab"})
    'key=***&x=ab'
    """
    return _masker(frozenset(values))(text)


def _unchanged(text: str) -> str:
    return text


@functools.lru_cache(maxsize=64)
def _masker(values: frozenset[str]) -> Callable[[str], str]:
    # Compiled once per set of values: a request has dozens of texts to mask.
    ordered = sorted(
        (v for v in values if len(v) >= MIN_MASKED_LENGTH and v != REDACTED),
        key=len,
        reverse=True,
    )
    if not ordered:
        return _unchanged
    pattern = re.compile("|".join(re.escape(v) for v in ordered))
    return lambda text: pattern.sub(REDACTED, text) if text else text


def mask_spec(spec: RequestSpec, values: Iterable[str]) -> RequestSpec:
    """``spec`` with every one of ``values`` masked in every text, then the name-based
    redaction of :meth:`RequestSpec.redacted` on top."""
    secrets = frozenset(values)
    masker = _masker(secrets)
    if masker is _unchanged:  # nothing long enough to search for: name-based redaction only
        return spec.redacted()
    return _map_disabled_rows(map_spec_text(spec, masker), masker).redacted()


def mask_template(spec: RequestSpec, values: Iterable[str]) -> RequestSpec:
    """The request as written, safe to keep: ``values`` masked outside ``{{...}}``
    references, and every credential field that holds a literal (no reference) replaced by
    ``***`` (see :func:`fields_to_reenter`)."""
    secrets = frozenset(values) | credentials_of(_literal_only(spec))
    if _masker(secrets) is not _unchanged:

        def mask(text: str) -> str:
            return _mask_outside_refs(text, secrets)

        spec = _map_disabled_rows(map_spec_text(spec, mask), mask)
    return _redact_literal_credentials(spec)


def fields_to_reenter(spec: RequestSpec) -> list[str]:
    """Where ``spec`` holds a masked ``***`` that must be typed again before sending; empty
    when there is none. Names read like the editor's labels ("header X-API-Key")."""
    found: list[str] = []

    def check(where: str, text: str | None) -> None:
        if text and REDACTED in text and where not in found:
            found.append(where)

    check("URL", spec.url)
    for name, value in spec.params:
        check(f"query parameter {name}", value)
    for name, value in spec.headers:
        check(f"header {name}", value)
    auth = spec.auth
    if isinstance(auth, BasicAuth | DigestAuth):
        check("auth password", auth.password)
    elif isinstance(auth, BearerAuth):
        check("auth token", auth.token)
    body = spec.body
    if isinstance(body, TextBody | JsonBody):
        check("body", body.text)
    elif isinstance(body, FormBody):
        for name, value in body.fields:
            check(f"form field {name}", value)
    elif isinstance(body, MultipartBody):
        for part in body.parts:
            if isinstance(part, TextPart):
                check(f"multipart field {part.name}", part.value)
    check("proxy", spec.proxy)
    return found


def reenter_message(fields: list[str]) -> str:
    """Why Send refused: which fields hold a masked secret.

    >>> reenter_message(["auth token", "header X-API-Key"]).split(":")[0]
    'Re-enter the secret in the auth token and header X-API-Key before sending'
    """
    names = fields[0] if len(fields) == 1 else ", ".join(fields[:-1]) + " and " + fields[-1]
    verb = "it holds" if len(fields) == 1 else "they hold"
    return (
        f"Re-enter the secret in the {names} before sending: {verb} {REDACTED} because secret "
        "values are never stored in history or the saved tabs."
    )


# -- helpers -------------------------------------------------------------------------------------
def _mask_outside_refs(text: str, values: frozenset[str]) -> str:
    if "{{" not in text:
        return _masker(values)(text)
    out: list[str] = []
    last = 0
    for ref in VARIABLE_REF.finditer(text):
        out.append(mask_text(text[last : ref.start()], values))
        out.append(ref.group(0))
        last = ref.end()
    out.append(mask_text(text[last:], values))
    return "".join(out)


def _has_ref(text: str) -> bool:
    return VARIABLE_REF.search(text) is not None


def _literal_only(spec: RequestSpec) -> RequestSpec:
    # Credentials written as references are not secrets themselves ("Bearer {{token}}").
    def keep(text: str) -> str:
        return "" if _has_ref(text) else text

    auth = spec.auth
    if isinstance(auth, BasicAuth | DigestAuth):
        auth = type(auth)(auth.username, keep(auth.password))
    elif isinstance(auth, BearerAuth):
        auth = BearerAuth(keep(auth.token))
    headers = tuple((k, keep(v)) for k, v in spec.headers)
    disabled = tuple(replace(d, value=keep(d.value)) for d in spec.disabled_headers)
    url = spec.url if not _has_ref(url_password(spec.url) or "") else ""
    return RequestSpec(
        url=url, headers=headers, disabled_headers=disabled, auth=auth, proxy=spec.proxy
    )


def _map_disabled_rows(spec: RequestSpec, mask: Callable[[str], str]) -> RequestSpec:
    """``mask`` applied to the values of unticked query and header rows (kept, never sent)."""
    if not spec.disabled_params and not spec.disabled_headers:
        return spec
    return replace(
        spec,
        disabled_params=tuple(replace(d, value=mask(d.value)) for d in spec.disabled_params),
        disabled_headers=tuple(replace(d, value=mask(d.value)) for d in spec.disabled_headers),
    )


def _redact_literal_credentials(spec: RequestSpec) -> RequestSpec:
    def literal(text: str) -> str:
        return text if not text or _has_ref(text) else REDACTED

    auth = spec.auth
    if isinstance(auth, BasicAuth | DigestAuth):
        auth = type(auth)(auth.username, literal(auth.password))
    elif isinstance(auth, BearerAuth):
        auth = BearerAuth(literal(auth.token))
    headers = tuple(
        (k, _literal_header(v) if k.lower() in SECRET_HEADERS else v) for k, v in spec.headers
    )
    disabled_headers = tuple(
        replace(d, value=_literal_header(d.value)) if d.name.lower() in SECRET_HEADERS else d
        for d in spec.disabled_headers
    )
    url = _mask_password(spec.url, literal)
    proxy = None if spec.proxy is None else _mask_password(spec.proxy, literal)
    return replace(
        spec,
        url=url,
        headers=headers,
        disabled_headers=disabled_headers,
        auth=auth,
        proxy=proxy,
    )


def _literal_header(value: str) -> str:
    if _has_ref(value) or not value:
        return value
    scheme = _AUTH_SCHEME.match(value)  # keep "Bearer " so the user sees what to re-enter
    return (scheme.group(0) if scheme else "") + REDACTED


def _mask_password(url: str, literal: Callable[[str], str]) -> str:
    password = url_password(url)
    if password is None or literal(password) == password:
        return url
    return mask_url_password(url, REDACTED)
