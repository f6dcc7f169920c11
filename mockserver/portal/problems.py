"""Refusals in the portal's format: every one names the rule (`PORTAL-Rnn`) that refused it."""

from __future__ import annotations

from typing import Any

from patientmsg.mockserver.vendor_errors import ApiError

__all__ = ["refuse"]


def refuse(
    status: int,
    rule: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> ApiError:
    """An ApiError rendered as problem+json with `rule`; `field` names the input at fault (`errors`)."""
    return ApiError(
        status,
        title,
        detail=detail,
        code=rule,
        pointers=[f"/{field}"] if field else (),
        response_headers=headers,
        members=members,
    )
