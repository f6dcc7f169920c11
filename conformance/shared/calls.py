"""Probe steps every API shares: credentials refused, tenants kept apart, errors provoked on purpose."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.readers import describe

__all__ = [
    "INVALID_TOKEN",
    "UNKNOWN_ID",
    "WRONG_SECRET",
    "body_of",
    "expect_error",
    "expect_refused_across_tenants",
    "expect_unauthorized",
]

# Values no target issues: nothing here is a real credential, so reports may show them.
INVALID_TOKEN = "patientmsg-invalid-token"
WRONG_SECRET = "patientmsg-wrong-secret"
# An id far beyond any fixture's; a vendor whose ids reach it can override with a config of its own.
UNKNOWN_ID = 2147480999


def body_of(exchange: Exchange) -> dict[str, Any]:
    body = exchange.json()
    return body if isinstance(body, dict) else {}


def expect_unauthorized(ctx: ProbeContext, exchange: Exchange, what: str) -> None:
    ctx.checked(exchange)
    if exchange.status != 401:
        ctx.fail(
            f"{what} not refused with 401",
            received=describe(exchange),
            documented="401 Unauthorized in the vendor's error body",
            exchange=exchange,
        )


def expect_error(
    ctx: ProbeContext,
    exchange: Exchange,
    statuses: tuple[int, ...],
    title: str,
    documented: str,
    keys: tuple[str, ...],
) -> None:
    """The response has one of the statuses and a JSON object body with the vendor's error keys."""
    ctx.checked(exchange)
    body = exchange.json()
    if exchange.status not in statuses or not isinstance(body, dict) or any(key not in body for key in keys):
        ctx.fail(title, received=describe(exchange), documented=documented, exchange=exchange)


def expect_refused_across_tenants(
    ctx: ProbeContext, path: str, params: Mapping[str, str | int] | None, *, as_second: bool
) -> None:
    identity = ctx.second if as_second else ctx.primary
    exchange = ctx.get(path, params=params, identity=identity)
    ctx.checked(exchange)
    if exchange.status not in (403, 404):
        whose = (
            "second tenant's credentials on the first's"
            if as_second
            else "first tenant's credentials on the second's"
        )
        ctx.fail(
            "access across tenants not refused",
            received=f"{describe(exchange)} with the {whose} data",
            documented="403 or 404: credentials reach their own tenant's data only",
            exchange=exchange,
        )
