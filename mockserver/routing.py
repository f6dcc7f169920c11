"""Connexion's routing, with an integer path converter that never raises.

Connexion registers Starlette's `int` converter for `{id}` path parameters of type integer; it
calls `int()` while matching, which raises `ValueError` beyond 4,300 digits (a 500 before any
handler runs). This converter hands an out-of-range id on as its text, and validation
(parameters.py) then refuses it with a 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from connexion.frameworks.starlette import IntegerConverter
from connexion.middleware.routing import RoutingMiddleware
from patientmsg.mockserver.parameters import parse_integer
from starlette.convertors import register_url_convertor
from starlette.types import ASGIApp

__all__ = ["BoundedIntegerConverter", "VendorRoutingMiddleware"]


class BoundedIntegerConverter(IntegerConverter):  # type: ignore[misc]
    def convert(self, value: str) -> Any:
        parsed = parse_integer(value)
        return value if parsed is None else parsed


class VendorRoutingMiddleware(RoutingMiddleware):  # type: ignore[misc]
    """RoutingMiddleware whose routes are built with BoundedIntegerConverter."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        # Registered after Connexion's own (in super().__init__), before any API's routes are built.
        register_url_convertor("int", BoundedIntegerConverter())
