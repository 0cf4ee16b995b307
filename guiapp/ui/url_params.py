"""Split a URL into its base and query pairs and join them back, losslessly enough for editing.

The query-params table and the URL field edit the same data; these two pure functions are the
bridge. Order and repeated keys are kept, blank values survive, and a fragment stays on the base.

>>> split_url("http://h/p?a=1&b=&a=2#top")
('http://h/p#top', [('a', '1'), ('b', ''), ('a', '2')])
>>> join_url("http://h/p#top", [("q", "a b"), ("x", "1")])
'http://h/p?q=a+b&x=1#top'
>>> join_url("http://h/p", [])
'http://h/p'
>>> join_url("{{base}}/p", [("token", "{{tok}}"), ("at", "12:30")])   # stays readable
'{{base}}/p?token={{tok}}&at=12:30'
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

__all__ = ["join_url", "split_url"]

_SAFE = "{}:/@,"


def split_url(url: str) -> tuple[str, list[tuple[str, str]]]:
    """Return ``(url_without_query, query_pairs)``; the fragment stays on the base."""
    base, sep, rest = url.partition("?")
    if not sep:
        return url, []
    query, hash_sep, fragment = rest.partition("#")
    pairs = parse_qsl(query, keep_blank_values=True)
    return base + (hash_sep + fragment if hash_sep else ""), pairs


def join_url(base: str, pairs: list[tuple[str, str]]) -> str:
    """Return ``base`` with ``pairs`` as its query string (before any fragment)."""
    head, hash_sep, fragment = base.partition("#")
    head = head.split("?", 1)[0]
    # Readable, not minimal: ``{{variables}}``, ``:`` ``/`` ``@`` ``,`` stay as typed. This is
    # only the text shown; the request's params are sent from the pairs, encoded by the transport.
    query = urlencode(pairs, safe=_SAFE)
    url = f"{head}?{query}" if query else head
    return url + (hash_sep + fragment if hash_sep else "")
