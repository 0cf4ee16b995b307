"""The status line while sending names the phase it is really in."""

from __future__ import annotations

import pytest

from guiapp.core.jobs import Progress
from guiapp.ui.status_format import sending_text


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (None, "Starting"),
        (
            Progress(0, None, {"phase": "connecting", "url": "https://u:p@api.example:8443/x"}),
            "Connecting to api.example:8443, then waiting for the response headers",
        ),
        (Progress(5, 10, {"phase": "upload"}), "Sending the body 5 B of 10 B"),
        (Progress(10, 10, {"phase": "upload"}), "Request sent, waiting for the response headers"),
        (Progress(0, None, {"phase": "waiting"}), "Request sent, waiting for the response headers"),
        (Progress(1500, 3000, {"phase": "download"}), "Receiving 1.5 kB of 3.0 kB"),
        (
            Progress(2_500_000, None, {"phase": "download", "speed": 1_000_000.0}),
            "Receiving 2.5 MB (length unknown) · 1.0 MB/s",
        ),
    ],
)
def test_each_phase_has_its_own_words(progress: Progress | None, expected: str) -> None:
    text = sending_text(progress, 1.0)
    assert text == f"{expected} · 1000 ms · Esc cancels"


def test_waiting_is_never_called_receiving() -> None:
    # The old wording said "Receiving the body" as soon as the connect phase was reported.
    connecting = Progress(0, None, {"phase": "connecting", "url": "http://h/"})
    assert "Receiving" not in sending_text(connecting, 5.0)
    assert "u:p" not in sending_text(
        Progress(0, None, {"phase": "connecting", "url": "http://u:p@h/"}), 1.0
    )


def test_a_refused_send_for_masked_secrets_says_what_to_check() -> None:
    from guiapp.core.errors import InvalidRequest
    from guiapp.ui.status_format import event_text

    text = event_text("error", "GET /x", at=0.0, error=InvalidRequest("...", field="secrets"))
    assert text.startswith("Not sent: check the fields marked *** (re-enter their secrets) · ")
