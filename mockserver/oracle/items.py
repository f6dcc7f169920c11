"""Oracle Health Patient Messages: the inbox-items list.

The service "returns 1 page": at most 1,000 items, `hasAdditionalListItems` when more match, no
`opc-next-page`, so no `page` value is ever valid. A client reads further by narrowing the dates.
"""

from __future__ import annotations

import json

from connexion.context import scope
from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.oracle.window import order_by, window
from patientmsg.mockserver.responses import dumps, json_response
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.datastructures import QueryParams
from starlette.responses import Response

__all__ = ["PAGE_LIMIT", "list_inbox_items"]

#: Items per response (the spec's limit: minimum = maximum = 1000).
PAGE_LIMIT = 1000


def _with_organization(body: str, organization: str | None) -> str:
    """shouldLoadOrganizationSummary=true: the stored organization goes into the item's encounter."""
    if organization is None:
        return body
    item = json.loads(body)
    if "encounter" not in item:
        return body
    item["encounter"]["organization"] = json.loads(organization)
    return dumps(item)


def _refuse_a_second_sort_order() -> None:
    """'Only one sort order may be provided': a repeated sortBy is refused, not narrowed to its last one."""
    given = QueryParams(scope.get("query_string", b"")).getlist("sortBy")
    if len(given) > 1:
        raise ApiError(
            400,
            "Only one sort order may be provided.",
            detail=f"sortBy was given {len(given)} times ({', '.join(given)}); send it once.",
            parameters=["sortBy"],
        )


async def list_inbox_items(sandbox: Sandbox) -> Response:
    _refuse_a_second_sort_order()
    query = params()
    if "page" in query:
        raise ApiError(
            400,
            "page was never issued.",
            detail="The service returns 1 page and sends no opc-next-page; narrow the dates to read further.",
            parameters=["page"],
        )
    patient = query["patientId"]
    if patient not in sandbox.oracle_patients:
        raise ApiError(
            404,
            "Patient not found.",
            detail=f"No patient with patientId {patient!r}.",
            parameters=["patientId"],
        )
    lower, upper = window(query, sandbox.clock.now())
    types = sorted(set(query["notificationType"]))
    statuses = sorted(set(query["status"]))
    limit = min(query["limit"], PAGE_LIMIT)
    marks = ",".join("?" * len(types)), ",".join("?" * len(statuses))
    rows = sandbox.conn.execute(
        "SELECT body, organization FROM oracle_item WHERE patient_id = ?"
        f" AND notification_type IN ({marks[0]}) AND status IN ({marks[1]})"
        f" AND window_at >= ? AND window_at <= ? ORDER BY {order_by(query)} LIMIT ?",
        (patient, *types, *statuses, lower, upper, limit + 1),
    ).fetchall()
    more = len(rows) > limit
    load = query["shouldLoadOrganizationSummary"]
    # Items are stored as served: joined as text, not parsed and re-serialized.
    items = ",".join(_with_organization(row[0], row[1]) if load else row[0] for row in rows[:limit])
    return json_response(f'{{"hasAdditionalListItems":{"true" if more else "false"},"items":[{items}]}}')
