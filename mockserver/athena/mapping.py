"""athena's departments mapping: one row per provider-department pairing, narrowed by each filter given."""

from __future__ import annotations

from typing import Any

from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from starlette.responses import Response

__all__ = ["get_departments_mapping"]

_QUERY = """
SELECT m.providerid, p.firstname, p.lastname, p.credentials, m.departmentid, d.departmentname,
       m.providergroupid, g.providergroupname, m.communicatorbrandid, b.communicatorbrandname
FROM athena_departmentmapping m
LEFT JOIN athena_provider p ON p.practiceid = m.practiceid AND p.providerid = m.providerid
LEFT JOIN athena_department d ON d.practiceid = m.practiceid AND d.departmentid = m.departmentid
LEFT JOIN athena_providergroup g ON g.practiceid = m.practiceid AND g.providergroupid = m.providergroupid
LEFT JOIN athena_brand b ON b.practiceid = m.practiceid AND b.communicatorbrandid = m.communicatorbrandid
WHERE m.practiceid = ?
ORDER BY m.providerid, m.departmentid
"""


def _row_body(row: tuple[Any, ...]) -> dict[str, Any]:
    providerid, first, last, credentials, departmentid, department, groupid, group, brandid, brand = row
    body: dict[str, Any] = {"providerid": providerid}
    if first is not None:
        body["providername"] = f"{first} {last}, {credentials}"
    body["departmentid"] = departmentid
    if department is not None:
        body["departmentname"] = department
    body["providergroupid"] = groupid
    if group is not None:
        body["providergroupname"] = group
    body["communicatorbrandid"] = brandid
    if brand is not None:
        body["communicatorbrandname"] = brand
    return body


async def get_departments_mapping(sandbox: Sandbox, practiceid: int) -> Response:
    query = params()
    # A practice maps a few dozen pairings: filtering here keeps any number of given ids bindable.
    wanted = [
        (0, set(query.get("providerids") or ())),
        (4, set(query.get("departmentids") or ())),
        (6, set(query.get("providergroupids") or ())),
    ]
    brand = query.get("communicatorbrandid")
    rows = [
        row
        for row in sandbox.conn.execute(_QUERY, (practiceid,))
        if all(not ids or row[column] in ids for column, ids in wanted) and (brand is None or row[8] == brand)
    ]
    return json_response({"totalcount": len(rows), "departmentsmapping": [_row_body(row) for row in rows]})
