"""Find requests by name, method, folder or URL path as the user types in the sidebar's filter.

Searches the listing the tree model already holds (names and methods, no disk access): for
5,000 requests a query takes a few milliseconds, so it runs on the GUI thread, debounced.
Every word must match (case-insensitive) the request's name, its method, its folder names or
its id; results keep the tree's order.

>>> from guiapp.core.collections import FolderNode, RequestNode
>>> root = FolderNode("", "", (FolderNode("users", "Users", (), (
...     RequestNode("users/get.toml", "Get user", "GET"),
...     RequestNode("users/new.toml", "Create user", "POST"))),), ())
>>> [(hit.node.name, hit.folder) for hit in search_requests(root, "post user")]
[('Create user', 'Users')]
"""

from __future__ import annotations

from dataclasses import dataclass

from guiapp.core.collections import FolderNode, RequestNode

__all__ = ["Hit", "search_requests"]


@dataclass(frozen=True, slots=True)
class Hit:
    """A request that matched, with the display path of its folder (``"A / B"``)."""

    node: RequestNode
    folder: str


def search_requests(root: FolderNode, text: str, limit: int = 500) -> list[Hit]:
    """Requests under ``root`` matching every word of ``text`` (at most ``limit``)."""
    words = text.casefold().split()
    hits: list[Hit] = []
    if not words:
        return hits

    def visit(folder: FolderNode, path: tuple[str, ...]) -> bool:
        label = " / ".join(path)
        for node in folder.requests:
            haystack = f"{node.method} {node.name} {label} {node.id}".casefold()
            if all(word in haystack for word in words):
                hits.append(Hit(node, label))
                if len(hits) >= limit:
                    return False
        return all(visit(child, (*path, child.name)) for child in folder.folders)

    visit(root, ())
    return hits
