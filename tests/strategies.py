"""Hypothesis strategies for the request model, shared by every test that needs RequestSpecs.

Example::

    from hypothesis import given
    from tests.strategies import request_specs

    @given(request_specs())
    def test_round_trip(spec): ...
"""

from __future__ import annotations

from hypothesis import strategies as st

from guiapp.core.request import (
    Auth,
    BasicAuth,
    BearerAuth,
    Body,
    DigestAuth,
    DisabledPart,
    DisabledRow,
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
    "auths",
    "bodies",
    "disabled_rows",
    "pairs",
    "request_specs",
    "seconds",
    "texts",
    "timeouts",
]


def texts(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any text, including control characters and non-BMP code points (but no lone surrogates,
    which no real editor produces and UTF-8 cannot encode)."""
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=max_size)


def pairs(max_size: int = 5) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    """Ordered (name, value) pairs with possible repeats."""
    return st.lists(st.tuples(texts(12), texts()), max_size=max_size).map(tuple)


def disabled_rows(max_size: int = 3) -> st.SearchStrategy[tuple[DisabledRow, ...]]:
    """Rows kept but not sent, at any position (the model normalises positions)."""
    row = st.builds(DisabledRow, st.integers(0, 12), texts(12), texts())
    return st.lists(row, max_size=max_size).map(tuple)


_optional_text = st.none() | texts(20)


def bodies() -> st.SearchStrategy[Body]:
    """Every body type, form and multipart ones with disabled rows too."""
    part = st.builds(TextPart, texts(10), texts()) | st.builds(
        FilePart, texts(10), texts(), _optional_text, _optional_text
    )
    parts = st.lists(part, max_size=4).map(tuple)
    off_parts = st.lists(st.builds(DisabledPart, st.integers(0, 8), part), max_size=2).map(tuple)
    return st.one_of(
        st.builds(TextBody, texts(200), texts(20)),
        st.builds(JsonBody, texts(200), texts(20)),
        st.builds(FormBody, pairs(), disabled_rows()),
        st.builds(MultipartBody, parts, off_parts),
        st.builds(FileBody, texts(), _optional_text),
    )


def auths() -> st.SearchStrategy[Auth]:
    """Every auth type."""
    return st.one_of(
        st.builds(BasicAuth, texts(10), texts(10)),
        st.builds(DigestAuth, texts(10), texts(10)),
        st.builds(BearerAuth, texts(20)),
    )


_seconds = st.floats(min_value=0.001, max_value=1e6, allow_nan=False, allow_infinity=False)


def seconds() -> st.SearchStrategy[float]:
    """A positive duration in seconds."""
    return _seconds


def timeouts() -> st.SearchStrategy[float | tuple[float, float]]:
    """A single timeout or a (connect, read) pair."""
    return _seconds | st.tuples(_seconds, _seconds)


def request_specs() -> st.SearchStrategy[RequestSpec]:
    """Any valid RequestSpec, every field exercised (disabled rows and inherited auth too)."""
    own = _specs(auth=st.none() | auths(), inherit_auth=st.just(False))
    inherited = _specs(auth=st.none(), inherit_auth=st.just(True))
    return st.one_of(own, inherited)


def _specs(**kwargs: st.SearchStrategy[object]) -> st.SearchStrategy[RequestSpec]:
    return st.builds(
        RequestSpec,
        url=texts(60),
        method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
        params=pairs(),
        headers=pairs(),
        body=st.none() | bodies(),
        timeout=timeouts(),
        follow_redirects=st.booleans(),
        max_redirects=st.integers(0, 100),
        verify=st.booleans() | texts(20),
        cert=st.none() | texts(20) | st.tuples(texts(20), texts(20)),
        proxy=_optional_text,
        max_body_bytes=st.none() | st.integers(0, 2**40),
        disabled_params=disabled_rows(),
        disabled_headers=disabled_rows(),
        total_timeout=st.none() | _seconds,
        headers_timeout=st.none() | _seconds,
        max_decompression_ratio=st.none() | _seconds,
        use_system_proxy=st.booleans(),
        sensitive_headers=st.lists(texts(12), max_size=3).map(tuple),
        **kwargs,
    )
