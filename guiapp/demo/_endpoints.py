"""The full route table, and the index page (GET /) that lists it with examples."""

from __future__ import annotations

from guiapp.demo import _ep_auth, _ep_content, _ep_echo, _ep_session, _ep_slow, _ep_streams
from guiapp.demo._handler import DemoHandler
from guiapp.demo._routing import Route, RouteTable

__all__ = ["ROUTES", "index"]

_index = RouteTable()


@_index.add("/", "This index: every endpoint with its methods, a description and an example.")
def index(h: DemoHandler, _: dict[str, str]) -> None:
    base = h.base_url()
    h.send_json(
        {
            "name": "guiapp demo API",
            "base_url": base,
            "endpoints": [
                {
                    "path": route.template,
                    "methods": [m for m in route.methods if m != "HEAD"],
                    "description": route.description,
                    "example": base + route.example,
                }
                for route in ROUTES
            ],
        }
    )


ROUTES: tuple[Route, ...] = (
    *_index,
    *_ep_echo.routes,
    *_ep_slow.routes,
    *_ep_content.routes,
    *_ep_auth.routes,
    *_ep_session.routes,
    *_ep_streams.routes,
)
