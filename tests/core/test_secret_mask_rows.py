"""Unticked query and header rows are kept (saved tabs, drafts, history) but never sent: the
secrets in them are masked exactly like the secrets of the rows that are sent."""

from __future__ import annotations

from guiapp.core.request import RequestSpec
from guiapp.core.secret_mask import credentials_of, mask_spec, mask_template

SPEC = RequestSpec(
    url="http://h/items",
    headers=[("Accept", "*/*")],
    params=[("page", "1")],
    disabled_params=[(1, "key", "s3cr3t-value-1")],
    disabled_headers=[
        (1, "Authorization", "Bearer s3cr3t-value-1"),
        (2, "X-API-Key", "s3cr3t-value-1"),
        (3, "Cookie", "{{session}}"),
        (4, "X-Trace", "not-a-secret"),
    ],
)


def test_an_unticked_authorization_value_is_a_credential() -> None:
    assert "s3cr3t-value-1" in credentials_of(SPEC)


def test_the_request_as_written_masks_unticked_rows_but_keeps_references() -> None:
    kept = mask_template(SPEC, set())
    assert [(d.name, d.value) for d in kept.disabled_headers] == [
        ("Authorization", "Bearer ***"),
        ("X-API-Key", "***"),
        ("Cookie", "{{session}}"),
        ("X-Trace", "not-a-secret"),
    ]
    assert [(d.name, d.value) for d in kept.disabled_params] == [("key", "***")]


def test_the_request_as_sent_masks_unticked_rows_by_value() -> None:
    masked = mask_spec(SPEC, credentials_of(SPEC))
    values = [d.value for d in (*masked.disabled_headers, *masked.disabled_params)]
    assert "s3cr3t-value-1" not in " ".join(values)
    assert values[-2] == "not-a-secret"
