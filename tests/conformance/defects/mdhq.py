"""MD HQ's planted defects: for each requirement, a defect in front of the sandbox that only it catches."""

from __future__ import annotations

from defect_proxy import DropConnection, Forward, Request, Response

from defects.shared import Case

__all__ = ["CASES"]


def _crash_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        return Response(500, {"content-type": "text/plain"}, b"Internal Server Error")
    return forward(request)


def _drop_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        raise DropConnection
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


CASES: dict[str, Case] = {
    "status-code": ("mdhq", _undocumented_status, ("--only", "status-code"), {"MDHQ-STA-001"}, "status-code"),
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
    "behaviour-mdhq-delete": (
        "mdhq",
        _swallow_delete,
        ("--only", "MDHQ-BEH-001", "--only", "MDHQ-BEH-002", "--allow-writes"),
        {"MDHQ-BEH-001", "MDHQ-BEH-002"},
        "behaviour",
    ),
}
