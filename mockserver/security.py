"""Credentials, checked through Connexion's `security_map` so every refusal is an `ApiError`.

Connexion asks each scheme's handler class for a verify function; the classes here return the
sandbox's own checks. A check returns the token info Connexion puts in the handler's context
(`user` is its `sub`), or raises: 401 with WWW-Authenticate, athena's 403/404 for a practice.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from patientmsg.mockserver.athena.oauth import token_client
from patientmsg.mockserver.parameters import parse_integer
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.vendor_errors import ApiError

__all__ = ["security_map"]

Verify = Callable[[ConnexionRequest], Awaitable[dict[str, Any]]]


class _Scheme:
    """What Connexion calls a security handler: `get_fn(scheme, scopes)` -> verify function."""

    def __init__(self, verify: Verify) -> None:
        self._verify = verify

    def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Verify:
        return self._verify


def _credentials(request: ConnexionRequest, scheme: str, hint: str) -> str:
    """The Authorization value after `scheme` (case-insensitive), or a 401 saying what to send."""
    header: str = request.headers.get("authorization", "")
    kind, _, value = header.strip().partition(" ")
    if kind.lower() != scheme.lower() or not value.strip():
        raise ApiError(401, "Unauthorized.", detail=f"Send Authorization: {scheme} {hint}.")
    return value.strip()


def _basic(request: ConnexionRequest, hint: str) -> tuple[str, str]:
    value = _credentials(request, "Basic", hint)
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raw = b""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")  # what browsers send without RFC 7617's charset parameter
    user, sep, secret = decoded.partition(":")
    if not sep:
        raise ApiError(401, "Unauthorized.", detail="The Basic credentials are not base64 of name:secret.")
    return user, secret


def _same(given: str, expected: str | None) -> bool:
    return expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def _athena_bearer(sandbox: Sandbox) -> Verify:
    async def verify(request: ConnexionRequest) -> dict[str, Any]:
        token = _credentials(request, "Bearer", "<access_token from POST /oauth2/v1/token>")
        client_id = token_client(sandbox, token)
        practices = sandbox.client_practices.get(client_id, frozenset())
        # An id out of range is left to validation, which refuses it with a 400 naming practiceid.
        raw = request.path_params.get("practiceid")
        practiceid = None if raw is None else parse_integer(str(raw))
        if practiceid is not None:
            if practiceid not in sandbox.practices:
                raise ApiError(404, "Invalid practice.", detail="The practice ID does not exist.")
            if practiceid not in practices:
                raise ApiError(
                    403, "Forbidden.", detail=f"This token's client has no access to practice {practiceid}."
                )
        return {"sub": client_id, "practices": sorted(practices)}

    return verify


def _athena_client(sandbox: Sandbox) -> Verify:
    async def verify(request: ConnexionRequest) -> dict[str, Any]:
        client_id, secret = _basic(request, "base64(client_id:client_secret)")
        if not _same(secret, sandbox.client_secrets.get(client_id)):
            raise ApiError(401, "invalid_client", detail="Unknown client_id or wrong client_secret.")
        return {"sub": client_id}

    return verify


def _oracle_bearer(sandbox: Sandbox) -> Verify:
    async def verify(request: ConnexionRequest) -> dict[str, Any]:
        token = _credentials(request, "Bearer", "<token>")
        if token not in sandbox.oracle_tokens:
            raise ApiError(401, "The bearer token is not valid.", detail="Unknown bearer token.")
        return {"sub": sandbox.oracle_tokens[token]}

    return verify


def _mdhq_basic(sandbox: Sandbox) -> Verify:
    async def verify(request: ConnexionRequest) -> dict[str, Any]:
        user, secret = _basic(request, "base64(username:password)")
        if not _same(secret, sandbox.mdhq_users.get(user)):
            raise ApiError(401, "Unauthorized.", detail="Unknown API user or wrong password.")
        return {"sub": user}

    return verify


def security_map(api: str, sandbox: Sandbox) -> dict[str, Callable[[], _Scheme]]:
    """`security_map` for `add_api`: scheme type -> handler factory bound to the sandbox."""
    checks: dict[str, dict[str, Verify]] = {
        "athena": {"oauth2": _athena_bearer(sandbox), "basic": _athena_client(sandbox)},
        "oracle": {"bearer": _oracle_bearer(sandbox)},
        "mdhq": {"basic": _mdhq_basic(sandbox)},
    }
    return {kind: functools.partial(_Scheme, verify) for kind, verify in checks[api].items()}
