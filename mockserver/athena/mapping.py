"""athena's departments mapping: one row per provider-department pairing, narrowed by each filter given."""

from __future__ import annotations

from typing import Any

from connexion.context import scope
from patientmsg.mockserver.inputs import params
from patientmsg.mockserver.responses import json_response
from patientmsg.mockserver.state import Sandbox
from patientmsg.mockserver.vendor_errors import ApiError
from starlette.datastructures import QueryParams
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


_ID_FILTERS = ("providerids", "departmentids", "providergroupids")


def _ids(name: str, checked: list[int] | None) -> set[int]:
    """Every id of a filter: a repeated key (providerids=71&providerids=72) means all its values, as
    the comma list does. The validator checked the last occurrence only; the others are checked here."""
    given = QueryParams(scope.get("query_string", b"")).getlist(name)
    ids = set(checked or ())
    for raw in given[:-1]:
        for part in raw.split(","):
            if not part.strip().lstrip("-").isdigit():
                raise ApiError(
                    400,
                    f"Invalid value for {name}.",
                    detail=f"{name} takes integer ids, comma-separated or as repeated keys; got {part!r}.",
                    parameters=[name],
                )
            ids.add(int(part))
    return ids


async def get_departments_mapping(sandbox: Sandbox, practiceid: int) -> Response:
    query = params()
    # A practice maps a few dozen pairings: filtering here keeps any number of given ids bindable.
    wanted = [
        (column, _ids(name, query.get(name))) for column, name in zip((0, 4, 6), _ID_FILTERS, strict=True)
    ]
    brand = query.get("communicatorbrandid")
    rows = [
        row
        for row in sandbox.conn.execute(_QUERY, (practiceid,))
        if all(not ids or row[column] in ids for column, ids in wanted) and (brand is None or row[8] == brand)
    ]
    return json_response({"totalcount": len(rows), "departmentsmapping": [_row_body(row) for row in rows]})
