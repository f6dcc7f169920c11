"""What the per-API defect modules share: JSON rewriting, the athena token, the case shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from defect_proxy import Defect, Forward, Request, Response
from kit_harness import Sandbox

__all__ = ["Case", "athena_token", "is_ok", "rewrite_json"]

# (api, defect, kit options, requirements that must fail, their category)
Case = tuple[str, Defect, tuple[str, ...], set[str], str]


def athena_token(sandbox: Sandbox, client: dict[str, str]) -> str:
    response = requests.post(
        sandbox.base("athena") + "/oauth2/v1/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    token: str = response.json()["access_token"]
    return token


def rewrite_json(edit: Callable[[Request, Any], Any], *, when: Callable[[Request, Response], bool]) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        body = response.json()
        if body is None or not when(request, response):
            return response
        return response.with_json(edit(request, body))

    return defect


def is_ok(request: Request, response: Response) -> bool:
    return response.status == 200
