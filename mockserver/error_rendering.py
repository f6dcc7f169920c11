"""Every exception, whoever raised it, answered in the vendor's format.

Connexion and Starlette raise their own exceptions for routing (404), methods (405), auth (401/403)
and bodies (400/415), and render them as problem+json. The app registers `handle_exception` for
all of them, so the vendor's body is the only error format the sandbox ever sends.
"""

from __future__ import annotations

import logging
import re

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from patientmsg.mockserver.mounts import MOUNTS, api_of
from patientmsg.mockserver.paths import documented_methods, ill_typed_parameter
from patientmsg.mockserver.vendor_errors import ApiError, error_body, error_headers, error_media_type
from starlette.exceptions import HTTPException

__all__ = ["as_api_error", "handle_exception"]

logger = logging.getLogger("patientmsg.mockserver")

_PHRASES = {
    400: "Bad request.",
    401: "Unauthorized.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    413: "Request too large.",
    415: "Unsupported media type.",
    429: "Too many requests.",
}


def _http_error(exc: HTTPException, path: str, method: str) -> ApiError:
    status = exc.status_code
    if status == 404:
        name = ill_typed_parameter(path)
        if name:
            return ApiError(
                400, f"{name} must be an integer.", detail=f"{name} must be an integer.", parameters=[name]
            )
        where = ", ".join(MOUNTS.values())
        return ApiError(404, "Not found.", detail=f"No endpoint at {path}; the APIs are mounted at {where}.")
    if status == 405:
        # Starlette builds Allow from a set; sorted, the header is the same bytes on every run.
        allowed = sorted({m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()})
        allowed = sorted(set(allowed) | set(documented_methods(path)))
        return ApiError(
            405,
            "Method not allowed.",
            detail=f"{method} is not allowed on {path}; allowed: {', '.join(allowed)}.",
            response_headers={"Allow": ", ".join(allowed)},
        )
    if status == 401:
        return ApiError(401, "Unauthorized.", detail="The credentials are missing or invalid.")
    if status == 415:
        return ApiError(
            415, "Unsupported media type.", detail="This operation does not accept that Content-Type."
        )
    if status == 400 and isinstance(exc, ProblemException):
        # Connexion's own 400s are about the body's shape; its wording names schema internals.
        return ApiError(400, "Bad request.", detail="The request body is missing or malformed.")
    if status == 400:
        # Starlette's body parsers (e.g. multipart without a boundary) say what is wrong, plainly.
        return ApiError(400, "Bad request.", detail=f"The request body could not be read: {exc.detail}")
    if 400 <= status < 500:
        return ApiError(status, _PHRASES.get(status, "Bad request."))
    return ApiError(500, "Internal server error.", detail="The sandbox failed to answer; see its log.")


def _portal_body_error(exc: ProblemException, path: str, method: str) -> ApiError:
    """The portal names the field at fault (PORTAL-R57); a new message's subject or text is PORTAL-R23."""
    detail = str(exc.detail or "The request body is missing or malformed.")
    found = re.search(r"'([A-Za-z_]+)' is a required property", detail) or re.search(r" - '([^']*)'$", detail)
    field = found.group(1).split(".")[0] if found else None
    rule = (
        "PORTAL-R23"
        if field in ("subject", "text") and method == "POST" and path == "/portal/patient/conversations"
        else None
    )
    return ApiError(400, "Bad request", detail=detail, code=rule, pointers=[f"/{field}"] if field else ())


def as_api_error(exc: Exception, *, path: str, method: str) -> ApiError:
    """The vendor-neutral error `exc` stands for; unexpected exceptions are logged with their traceback."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, UnicodeDecodeError):
        # Connexion's JSON body parser decodes before it parses: bytes that are not UTF-8 are bad input.
        return ApiError(400, "Bad request.", detail="The request body is not valid UTF-8 JSON.")
    if isinstance(exc, ProblemException) and exc.status_code == 400 and api_of(path) == "portal":
        return _portal_body_error(exc, path, method)
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return _http_error(exc, path, method)
    logger.error("unhandled error on %s %s", method, path, exc_info=exc)
    return ApiError(500, "Internal server error.", detail="The sandbox failed to answer; see its log.")


async def handle_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Connexion error handler (async, so Connexion does not hop to a thread for it)."""
    path = request.scope.get("path", "")
    api = api_of(path)
    error = as_api_error(exc, path=path, method=request.scope.get("method", "GET"))
    media_type = error_media_type(api)
    return ConnexionResponse(
        status_code=error.status_code,
        mimetype=media_type,
        content_type=media_type,
        body=error_body(api, error),
        headers=error_headers(api, error, path=path),
    )
