"""Errors in each vendor's own body: one exception type, rendered per API at the edge."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["ApiError", "error_body", "error_headers"]

# Short codes for programmatic parsing: Oracle's are OCI-style, MD HQ's snake_case (its spec's examples).
_ORACLE_CODES = {
    400: "InvalidParameter",
    401: "NotAuthenticated",
    403: "NotAuthorized",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
_MDHQ_CODES = {
    400: "invalid_parameter",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


class ApiError(Exception):
    """A refusal the sandbox answers with an error body.

    `message` is the short summary (athena's `error`), `detail` the specific explanation (athena's
    `detailedmessage`, Oracle's `details[].detail`). `parameters`, `headers` and `pointers` name what
    in the request caused it (Oracle's `details[].source`).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        detail: str | None = None,
        code: str | None = None,
        parameters: Iterable[str] = (),
        headers: Iterable[str] = (),
        pointers: Iterable[str] = (),
        response_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status
        self.message = message
        self.detail = detail
        self.code = code
        self.parameters = list(parameters)
        self.headers = list(headers)
        self.pointers = list(pointers)
        self.response_headers = dict(response_headers or {})

    def __repr__(self) -> str:
        return f"ApiError({self.status_code}, {self.message!r}, detail={self.detail!r})"


def error_body(api: str | None, error: ApiError) -> bytes:
    """The error body in `api`'s format (a neutral one outside any mount)."""
    status = error.status_code
    body: dict[str, Any]
    if api == "athena":
        body = {"error": error.message}
        if error.detail:
            body["detailedmessage"] = error.detail
    elif api == "oracle":
        body = {"code": error.code or _ORACLE_CODES.get(status, "Error"), "message": error.message}
        source = {
            key: names
            for key, names in (
                ("parameters", error.parameters),
                ("headers", error.headers),
                ("pointers", error.pointers),
            )
            if names
        }
        if error.detail or source:
            detail: dict[str, Any] = {"detail": error.detail or error.message}
            if source:
                detail["source"] = source
            body["details"] = [detail]
    elif api == "mdhq":
        code = error.code or _MDHQ_CODES.get(status, "error")
        body = {"success": False, "error": code, "message": error.detail or error.message}
    else:
        body = {
            "error": error.code or _MDHQ_CODES.get(status, "error"),
            "message": error.detail or error.message,
        }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_headers(api: str | None, error: ApiError, *, path: str) -> dict[str, str]:
    """Headers the status requires: a 401 names the scheme to use (WWW-Authenticate)."""
    headers = dict(error.response_headers)
    if error.status_code == 401 and "WWW-Authenticate" not in headers and api is not None:
        scheme = "Basic" if api == "mdhq" or path.endswith("/oauth2/v1/token") else "Bearer"
        headers["WWW-Authenticate"] = f'{scheme} realm="{api}"'
    return headers
