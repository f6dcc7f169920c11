"""Oracle's planted defects: for each requirement, a defect in front of the sandbox that only it catches."""

from __future__ import annotations

from typing import Any

from defect_proxy import Forward, Request, Response

from defects.shared import Case, is_ok, rewrite_json

__all__ = ["CASES"]


def _bad_status_value(request: Request, body: Any) -> Any:
    for item in body.get("items", []):
        item["notificationStatus"]["value"] = "READ"
    return body


def _no_more_items(request: Request, body: Any) -> Any:
    body["hasAdditionalListItems"] = False
    return body


def _drop_request_id(request: Request, forward: Forward) -> Response:
    response = forward(request)
    response.headers.pop("opc-request-id", None)
    return response


def _accept_bad_sort(request: Request, forward: Forward) -> Response:
    allowed = {"sortBy": {"createDateTime", "priority"}, "sortOrder": {"ASC", "DESC"}}
    query = {k: v for k, v in request.query.items() if k not in allowed or set(v) <= allowed[k]}
    return forward(request.with_query(query))


def _always_organization(request: Request, body: Any) -> Any:
    for item in body.get("items", []):
        item.setdefault("encounter", {"id": "E1"})["organization"] = {"id": "ORG1"}
    return body


CASES: dict[str, Case] = {
    "schema": (
        "oracle",
        rewrite_json(_bad_status_value, when=is_ok),
        ("--only", "schema"),
        {"ORA-SCH-001"},
        "schema",
    ),
    "pagination-oracle": (
        "oracle",
        rewrite_json(_no_more_items, when=is_ok),
        ("--only", "ORA-PAG-003"),
        {"ORA-PAG-003"},
        "pagination",
    ),
    "headers": ("oracle", _drop_request_id, ("--only", "headers"), {"ORA-HDR-001", "ORA-HDR-002"}, "headers"),
    "negative-input": (
        "oracle",
        _accept_bad_sort,
        ("--only", "negative-input"),
        {"ORA-NEG-001"},
        "negative-input",
    ),
    "behaviour-oracle": (
        "oracle",
        rewrite_json(_always_organization, when=is_ok),
        ("--only", "ORA-BEH-001"),
        {"ORA-BEH-001"},
        "behaviour",
    ),
}
