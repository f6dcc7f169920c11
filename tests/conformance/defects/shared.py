"""What the per-API defect modules share: JSON rewriting, the athena token, the case shape, and the
defects planted alike on several APIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from defect_proxy import Defect, Forward, Request, Response
from kit_harness import Sandbox
from patientmsg.conformance.catalogue import load_catalogue

__all__ = [
    "FEW",
    "Case",
    "athena_token",
    "drop_header",
    "is_ok",
    "problem_json",
    "requirement_case",
    "rewrite_json",
    "text_plain",
    "undocumented_status",
]

# (api, defect, kit options, requirements that must fail, their category)
Case = tuple[str, Defect, tuple[str, ...], set[str], str]
#: Few generated cases: a planted defect is met by the probes and the first examples.
FEW = ("--max-examples", "2")


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


def requirement_case(api: str, requirement_id: str, defect: Defect, extra: tuple[str, ...] = ()) -> Case:
    """The case that runs only `requirement_id` against `defect`, with what its level and needs ask."""
    requirement = load_catalogue(api).by_id(requirement_id)
    options = ["--only", requirement_id, *FEW, *extra]
    if requirement.level == "SHOULD":
        options.append("--strict")
    if "writes" in requirement.needs:
        options.append("--allow-writes")
    return api, defect, tuple(options), {requirement_id}, requirement.category


def undocumented_status(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.method == "GET" and response.status == 200:
        response.status = 203
    return response


def problem_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status < 400:
        return response
    problem = {"type": "about:blank", "title": "Error", "status": response.status, "detail": "see title"}
    return response.with_json(problem, content_type="application/problem+json")


def text_plain(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status == 200:
        response.headers["content-type"] = "text/plain"
    return response


def drop_header(name: str, status: int) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        if response.status == status:
            response.headers.pop(name, None)
        return response

    return defect
