"""athena's inbox, sent and archived lists: the envelope, newest first, limit/offset, next/previous."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from patientmsg.mockserver.athena.cache import cached_count, cached_page, keep_page, page_json, refresh
from patientmsg.mockserver.athena.lookup import patient_or_404
from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.responses import dumps, json_response
from patientmsg.mockserver.state import Sandbox
from starlette.responses import Response

__all__ = ["list_archived_messages", "list_inbox_messages", "list_sent_messages"]

# Which threads each list holds. Sent holds every thread the patient wrote in, archived or not.
_FILTERS = {
    "inboxmessages": "status = 'OPEN' AND in_inbox = 1",
    "archivedmessages": "status = 'ARCHIVED'",
    "sentmessages": "in_sent = 1",
}
# The list's key in every list's envelope. athena documents none; a public client written against
# athena's preview reads `messages` (see the spec's MessageThreadList), so all three lists use it.
_LIST_KEY = "messages"
# Past any real table, and still an integer SQLite can bind.
_MAX_OFFSET = 2**62


def _list(sandbox: Sandbox, practiceid: int, patientid: int, name: str) -> Response:
    query = params()
    limit: int = query["limit"]
    offset: int = query["offset"]
    plaintext = query.get("showplaintext") == "Y"
    refresh(sandbox)
    # A kept page names a patient that existed (patients are never deleted) and holds what this
    # code built for the same list, page and parameters.
    keys = (practiceid, patientid)
    page_key = (name, limit, offset, query.get("showplaintext"))
    kept_page = cached_page(sandbox, keys, page_key)
    if kept_page is not None:
        return json_response(kept_page)
    conn = sandbox.conn
    patient = patient_or_404(conn, practiceid, patientid)
    where = f"practiceid = ? AND patientid = ? AND {_FILTERS[name]}"
    total = cached_count(sandbox, (*keys, name), f"SELECT COUNT(*) FROM athena_thread WHERE {where}", keys)
    # Ids only: the threads themselves come from the kept fragments (athena/cache.py).
    page = conn.cursor()
    page.row_factory = None
    ids = [
        row[0]
        for row in page.execute(
            f"SELECT messagethreadid FROM athena_thread WHERE {where}"
            " ORDER BY last_at DESC, messagethreadid DESC LIMIT ? OFFSET ?",
            (*keys, limit, min(offset, _MAX_OFFSET)),
        )
    ]
    body: dict[str, Any] = {"totalcount": total}
    # Links repeat the request's own list parameters (showplaintext), with the page moved.
    kept = {"showplaintext": query["showplaintext"]} if "showplaintext" in query else {}
    base = f"/v1/{practiceid}/patients/{patientid}/securemessage/{name}?"
    if offset + limit < total:
        body["next"] = base + urlencode({**kept, "limit": limit, "offset": offset + limit})
    if offset > 0:
        body["previous"] = base + urlencode({**kept, "limit": limit, "offset": max(0, offset - limit)})
    # The envelope, then the kept threads spliced in as its last key: the same bytes as dumps(body).
    fragments = page_json(sandbox, ids, enterpriseid=patient.enterpriseid, plaintext=plaintext)
    head = f'{dumps(body)[:-1]},"{_LIST_KEY}":['.encode()
    content = b"".join((head, b",".join(fragments), b"]}"))
    keep_page(sandbox, keys, page_key, content)
    return json_response(content)


async def list_inbox_messages(sandbox: Sandbox, practiceid: int, patientid: int) -> Response:
    return _list(sandbox, practiceid, patientid, "inboxmessages")


async def list_archived_messages(sandbox: Sandbox, practiceid: int, patientid: int) -> Response:
    return _list(sandbox, practiceid, patientid, "archivedmessages")


async def list_sent_messages(sandbox: Sandbox, practiceid: int, patientid: int) -> Response:
    return _list(sandbox, practiceid, patientid, "sentmessages")
