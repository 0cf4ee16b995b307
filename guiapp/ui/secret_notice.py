"""The persistent notice shown where secrets are edited when no OS keyring keeps them.

Without an OS keyring, secret values are held in memory for this session only; the notice
says so and offers the two explicit choices as links: *keep them for this session only*, or
*keep them in a file only you can read (not encrypted)*. Once chosen, the notice stays and
says where the values are, so the choice is never forgotten.

Example::

    dialog = EnvironmentEditor(env, parent=window)
    show_secret_notice(dialog.note, store)     # a QLabel; hidden when the OS keyring works
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from guiapp.core.secret_files import SECRETS_FILE, choose_storage
from guiapp.core.secrets import SecretStore

__all__ = ["notice_text", "show_secret_notice"]

_log = logging.getLogger(__name__)

_CHOICES = (
    ' Choose: <a href="session">keep them for this session only</a>, or '
    '<a href="file">keep them in a file only you can read (not encrypted)</a>.'
)


def notice_text(store: SecretStore) -> str:
    """The notice (rich text) for ``store``'s storage; ``""`` when the OS keyring keeps the
    values (nothing to say)."""
    storage = store.storage
    if storage == "keyring":
        return ""
    if storage == "session":
        return (
            "<b>Secret values are kept for this session only</b> (your choice): they must be "
            "entered again after a restart."
        )
    if storage == "file":
        where = store.home / SECRETS_FILE if store.home is not None else SECRETS_FILE
        return (
            f"<b>Secret values are kept in {html.escape(str(where))}</b> (your choice): "
            "readable only by you, <b>not encrypted</b>."
        )
    reason = html.escape(store.unavailable_reason or "No system keyring is available.")
    return reason + (_CHOICES if store.home is not None else "")


def show_secret_notice(label: QLabel, store: SecretStore) -> None:
    """Show ``store``'s notice in ``label`` (hidden when there is nothing to say) and make its
    choice links switch the storage, then update the notice."""
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(False)
    label.setText(notice_text(store))
    label.setVisible(bool(label.text()))

    def on_link(choice: str) -> None:
        try:
            choose_storage(store, choice)
        except (OSError, ValueError) as exc:
            _log.warning("could not switch the secret storage: %s", exc)
            label.setText(html.escape(f"Could not keep secrets that way: {exc}") + _CHOICES)
            return
        label.setText(notice_text(store))

    label.linkActivated.connect(on_link)
