"""athena's planted defects: for each requirement, a defect in front of the sandbox that only it catches."""

from __future__ import annotations

from typing import Any

from defect_proxy import Forward, Request, Response

from defects.shared import Case, is_ok, rewrite_json

__all__ = ["CASES"]


def _drop_documentid(request: Request, body: Any) -> Any:
    for thread in [body, *[t for key, v in body.items() if key.endswith("messages") for t in v]]:
        if isinstance(thread, dict):
            thread.pop("documentid", None)
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


CASES: dict[str, Case] = {
    "required-fields": (
        "athena",
        rewrite_json(_drop_documentid, when=is_ok),
        ("--only", "required-fields"),
        {"ATH-REQ-001"},
        "required-fields",
    ),
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
    "behaviour-athena-reply": (
        "athena",
        _swallow_reply,
        ("--only", "ATH-BEH-001", "--allow-writes"),
        {"ATH-BEH-001"},
        "behaviour",
    ),
}
