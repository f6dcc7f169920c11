"""The defects the tests plant in front of the sandbox, one or more per category, as proxy middleware."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from defect_proxy import Defect, DropConnection, Forward, Request, Response
from kit_harness import Sandbox


def athena_token(sandbox: Sandbox, client: dict[str, str]) -> str:
    response = requests.post(
        sandbox.base("athena") + "/oauth2/v1/token",
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    token: str = response.json()["access_token"]
    return token


def _rewrite_json(
    edit: Callable[[Request, Any], Any], *, when: Callable[[Request, Response], bool]
) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        body = response.json()
        if body is None or not when(request, response):
            return response
        return response.with_json(edit(request, body))

    return defect


def _drop_documentid(request: Request, body: Any) -> Any:
    for thread in [body, *[t for key, v in body.items() if key.endswith("messages") for t in v]]:
        if isinstance(thread, dict):
            thread.pop("documentid", None)
    return body


def _bad_status_value(request: Request, body: Any) -> Any:
    for item in body.get("items", []):
        item["notificationStatus"]["value"] = "READ"
    return body


def _problem_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status < 400:
        return response
    problem = {"type": "about:blank", "title": "Error", "status": response.status, "detail": "see title"}
    return response.with_json(problem, content_type="application/problem+json")


def _ignore_limit(request: Request, forward: Forward) -> Response:
    query = {key: value for key, value in request.query.items() if key != "limit"}
    return forward(request.with_query(query))


def _no_more_items(request: Request, body: Any) -> Any:
    body["hasAdditionalListItems"] = False
    return body


def _drop_request_id(request: Request, forward: Forward) -> Response:
    response = forward(request)
    response.headers.pop("opc-request-id", None)
    return response


def _crash_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        return Response(500, {"content-type": "text/plain"}, b"Internal Server Error")
    return forward(request)


def _drop_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        raise DropConnection
    return forward(request)


def _accept_bad_sort(request: Request, forward: Forward) -> Response:
    allowed = {"sortBy": {"createDateTime", "priority"}, "sortOrder": {"ASC", "DESC"}}
    query = {k: v for k, v in request.query.items() if k not in allowed or set(v) <= allowed[k]}
    return forward(request.with_query(query))


def _always_organization(request: Request, body: Any) -> Any:
    for item in body.get("items", []):
        item.setdefault("encounter", {"id": "E1"})["organization"] = {"id": "ORG1"}
    return body


def _swallow_reply(request: Request, forward: Forward) -> Response:
    if request.method == "POST" and request.path.endswith("/reply"):
        message = {
            "messageid": 1,
            "text": "ok",
            "createddatetime": "11/21/2026 09:00:00",
            "sendertype": "PATIENT",
        }
        return Response(200).with_json({"error": "0", "message": message})
    return forward(request)


def _swallow_delete(request: Request, forward: Forward) -> Response:
    if request.method == "DELETE":
        request_id = int(request.path.rsplit("/", 1)[1]) if request.path.rsplit("/", 1)[1].isdigit() else 0
        body = {"success": True, "id": request_id, "deleted_at": "2026-11-21T09:00:00Z", "deleted_by": "x"}
        return Response(200).with_json(body)
    return forward(request)


def _undocumented_status(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.method == "GET" and response.status == 200:
        response.status = 203
    return response


def _is_ok(request: Request, response: Response) -> bool:
    return response.status == 200


# (api, defect, kit options, requirements that must fail, their category)
CASES: dict[str, tuple[str, Defect, tuple[str, ...], set[str], str]] = {
    "required-fields": (
        "athena",
        _rewrite_json(_drop_documentid, when=_is_ok),
        ("--only", "required-fields"),
        {"ATH-REQ-001"},
        "required-fields",
    ),
    "schema": (
        "oracle",
        _rewrite_json(_bad_status_value, when=_is_ok),
        ("--only", "schema"),
        {"ORA-SCH-001"},
        "schema",
    ),
    "status-code": ("mdhq", _undocumented_status, ("--only", "status-code"), {"MDHQ-STA-001"}, "status-code"),
    "error-body": (
        "athena",
        _problem_json,
        ("--only", "error-body"),
        {"ATH-ERR-001", "ATH-ERR-002", "ATH-ERR-003"},
        "error-body",
    ),
    "pagination-athena": (
        "athena",
        _ignore_limit,
        ("--only", "pagination"),
        {"ATH-PAG-002", "ATH-PAG-003"},
        "pagination",
    ),
    "pagination-oracle": (
        "oracle",
        _rewrite_json(_no_more_items, when=_is_ok),
        ("--only", "ORA-PAG-003"),
        {"ORA-PAG-003"},
        "pagination",
    ),
    "headers": ("oracle", _drop_request_id, ("--only", "headers"), {"ORA-HDR-001", "ORA-HDR-002"}, "headers"),
    "server-error": (
        "mdhq",
        _crash_on_request_type,
        ("--only", "server-error"),
        {"MDHQ-SRV-001"},
        "server-error",
    ),
    "server-error-dropped": (
        "mdhq",
        _drop_on_request_type,
        ("--only", "server-error"),
        {"MDHQ-SRV-001"},
        "server-error",
    ),
    "negative-input": (
        "oracle",
        _accept_bad_sort,
        ("--only", "negative-input"),
        {"ORA-NEG-001"},
        "negative-input",
    ),
    "behaviour-oracle": (
        "oracle",
        _rewrite_json(_always_organization, when=_is_ok),
        ("--only", "ORA-BEH-001"),
        {"ORA-BEH-001"},
        "behaviour",
    ),
    "behaviour-athena-reply": (
        "athena",
        _swallow_reply,
        ("--only", "ATH-BEH-001", "--allow-writes"),
        {"ATH-BEH-001"},
        "behaviour",
    ),
    "behaviour-mdhq-delete": (
        "mdhq",
        _swallow_delete,
        ("--only", "MDHQ-BEH-001", "--only", "MDHQ-BEH-002", "--allow-writes"),
        {"MDHQ-BEH-001", "MDHQ-BEH-002"},
        "behaviour",
    ),
}
