"""The read-only "Demo API" collection: every example request of the embedded demo API.

File → Open Demo API (``action-open-demo``) opens it in the sidebar next to the user's
collections. It lives in ``<data dir>/demo-api`` and is (re)written from
:func:`guiapp.demo.examples.sample_requests` whenever it is opened, so its requests point at
the demo API's current address; a file is rewritten only when its request differs. The
workspace never writes it otherwise: it is read-only (editing an example makes a draft that can
only be saved elsewhere, with Save As).

Example::

    col, descriptions = build_demo_collection(data_dir / "demo-api", "http://127.0.0.1:8765")
    descriptions["hello-get-with-query-args.toml"]   # 'Echoes the query args and headers back.'
"""

from __future__ import annotations

from pathlib import Path

from guiapp.core.collections import COLLECTION_FILE, Collection
from guiapp.core.secrets import SecretStore
from guiapp.demo.examples import sample_requests

__all__ = ["DEMO_FOLDER", "DEMO_NAME", "build_demo_collection"]

#: The folder under the data directory that holds the Demo API collection.
DEMO_FOLDER = "demo-api"
#: Its name in the sidebar.
DEMO_NAME = "Demo API"


def build_demo_collection(
    root: Path, base_url: str, secrets: SecretStore | None = None
) -> tuple[Collection, dict[str, str]]:
    """Create or update the Demo API collection at ``root`` for the demo at ``base_url``;
    returns it and each request's description (by request id). Blocks on disk: run it on the
    workspace's lane."""
    if (root / COLLECTION_FILE).is_file():
        col = Collection.open(root, secrets=secrets)
    else:
        col = Collection.create(root, name=DEMO_NAME, secrets=secrets)
    by_name = {node.name: node.id for node in col.tree().walk_requests()}
    descriptions: dict[str, str] = {}
    for example in sample_requests(base_url):
        rid = by_name.get(example.name)
        if rid is None:
            rid = col.new_request("", example.name, example.spec)
        elif col.load_request(rid) != example.spec:
            col.save_request(rid, example.spec, name=example.name)
        descriptions[rid] = example.description
    return col, descriptions
