"""A tiny route table: path templates, allowed methods, and the text the index page shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guiapp.demo._handler import DemoHandler

Endpoint = Callable[["DemoHandler", dict[str, str]], None]

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class BadRequest(Exception):
    """Raised by an endpoint for invalid input; answered with ``status`` and the message."""

    def __init__(self, message: str, status: int = 400, **details: object) -> None:
        super().__init__(message)
        self.status = status
        #: Extra fields of the JSON error body (e.g. ``limit``).
        self.details = details


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: ``template`` like ``/delay/{seconds}``; ``example`` is a path to try."""

    template: str
    methods: tuple[str, ...]
    endpoint: Endpoint
    description: str
    example: str
    pattern: re.Pattern[str]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()


class RouteTable(list[Route]):
    """Collects routes with a decorator, in declaration order (first match wins)."""

    def add(
        self,
        template: str,
        description: str,
        example: str | None = None,
        methods: tuple[str, ...] = ("GET",),
        tail: bool = False,
    ) -> Callable[[Endpoint], Endpoint]:
        """Register ``endpoint`` for ``template``; ``tail`` also matches ``template/anything``."""
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        if tail:
            regex += r"(?:/.*)?"
        if "GET" in methods and "HEAD" not in methods:
            methods = (*methods, "HEAD")

        def register(endpoint: Endpoint) -> Endpoint:
            self.append(
                Route(
                    template, methods, endpoint, description, example or template, re.compile(regex)
                )
            )
            return endpoint

        return register
