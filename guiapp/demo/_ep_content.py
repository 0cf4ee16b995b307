"""Content-type endpoints: JSON, XML, HTML, images, compressed and UTF-8 bodies."""

from __future__ import annotations

import gzip
import json
import zlib
from functools import cache

from guiapp.demo._content import HTML, SAMPLE_JSON, SVG, UTF8_HTML, XML, png
from guiapp.demo._ep_echo import echo
from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import RouteTable

routes = RouteTable()


@routes.add("/json/sample", "A small, pretty-printed JSON document.")
def json_sample(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json(SAMPLE_JSON)


@routes.add("/json", "Same as /json/sample.")
def json_alias(h: DemoHandler, _: dict[str, str]) -> None:
    h.send_json(SAMPLE_JSON)


@routes.add("/xml", "A small XML document.")
def xml(h: DemoHandler, _: dict[str, str]) -> None:
    h.send(XML.encode(), "application/xml")


@routes.add("/html", "A small HTML page.")
def html(h: DemoHandler, _: dict[str, str]) -> None:
    h.send(HTML.encode(), "text/html; charset=utf-8")


@cache
def _png() -> bytes:
    return png()


@routes.add("/image/png", "A small PNG image (96x64 gradient).")
def image_png(h: DemoHandler, _: dict[str, str]) -> None:
    h.send(_png(), "image/png")


@routes.add("/image/svg", "A small SVG image.")
def image_svg(h: DemoHandler, _: dict[str, str]) -> None:
    h.send(SVG.encode(), "image/svg+xml")


@routes.add("/gzip", "A gzip-encoded JSON body (Content-Encoding: gzip).")
def gzipped(h: DemoHandler, _: dict[str, str]) -> None:
    body = json.dumps({**echo(h), "gzipped": True}, indent=2).encode()
    h.send(gzip.compress(body), "application/json", headers=[("Content-Encoding", "gzip")])


@routes.add("/deflate", "A deflate-encoded JSON body (Content-Encoding: deflate).")
def deflated(h: DemoHandler, _: dict[str, str]) -> None:
    body = json.dumps({**echo(h), "deflated": True}, indent=2).encode()
    h.send(zlib.compress(body), "application/json", headers=[("Content-Encoding", "deflate")])


@routes.add("/encoding/utf8", "An HTML page full of non-ASCII text, UTF-8 encoded.")
def utf8(h: DemoHandler, _: dict[str, str]) -> None:
    h.send(UTF8_HTML.encode("utf-8"), "text/html; charset=utf-8")
