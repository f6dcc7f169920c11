"""Oracle's planted defects: for each requirement of its catalogue, one defect in front of the sandbox.

Each case names the one requirement its defect violates and is run with `--only` that id, so the
kit's other verifiers stay quiet. The sandbox's Oracle world (fixtures): patientId 12724066 is the
big mailbox, 12724067 the small one; times are `YYYY-MM-DDTHH:MM:SS.000Z`.
ORA-AUTH-004 needs a second tenant, which the sandbox does not have: the proxy plays one (the small
mailbox's), named in a config written next to the other temporary files (`TENANT_CONFIG`); its
case runs with that config, and `CORRECT_TENANTS` is the same proxy without the defect.
A SHOULD's case runs with `--strict`, so that failing it is exit 1.
"""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from defect_proxy import Defect, Forward, Request, Response
from kit_harness import SANDBOX_NOW
from patientmsg.conformance.catalogue import load_catalogue
from patientmsg.fixtures import sandbox_config

from defects.shared import Case, drop_header, is_ok, problem_json, rewrite_json, text_plain

__all__ = ["CASES", "CORRECT_TENANTS", "SECOND_TOKEN", "TENANT_CONFIG", "proven_requirements"]

BIG, SMALL = "12724066", "12724067"
LOWER, UPPER = "createDateTimeGreaterThanOrEqualTo", "createDateTimeLessThanOrEqualTo"
SECOND_TOKEN = "patientmsg-second-tenant-token"
Edit = Callable[[Request, Any], Any]


def _items(edit: Callable[[dict[str, Any]], None]) -> Edit:
    def apply(request: Request, body: Any) -> Any:
        for item in body.get("items", []) if isinstance(body, dict) else []:
            edit(item)
        return body

    return apply


def _on_items(edit: Callable[[dict[str, Any]], None]) -> Defect:
    return rewrite_json(_items(edit), when=is_ok)


def _error(status: int, code: str, message: str) -> Response:
    return Response(status).with_json({"code": code, "message": message})


def _with(request: Request, **changes: list[str] | None) -> Request:
    query = dict(request.query)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return request.with_query(query)


def _inbox(request: Request) -> bool:
    return request.path.endswith("/patientMessages/inboxItems")


def _time(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# -- required-fields, schema ------------------------------------------------------------------
def _cc_of_type_person(item: dict[str, Any]) -> None:
    item["carbonCopyRecipients"] = [{"id": "1", "type": "PERSON"}]


def _offset_times(item: dict[str, Any]) -> None:
    for value in item.values():
        if isinstance(value, dict) and isinstance(value.get("dateTime"), str):
            value["dateTime"] = value["dateTime"].replace(".000Z", "+00:00")


def _windows_zone_names(item: dict[str, Any]) -> None:
    for value in item.values():
        if isinstance(value, dict) and "ianaTimeZone" in value:
            value["ianaTimeZone"] = "Eastern Standard Time"


# -- status-code, error-body ------------------------------------------------------------------
def _undocumented_status(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status == 200:
        response.status = 203
    return response


def _refuse_ascending_order(request: Request, forward: Forward) -> Response:
    if request.query.get("sortOrder") == ["ASC"]:
        return _error(400, "InvalidParameter", "sortOrder=ASC is not supported.")
    return forward(request)


def _404_for_405(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status == 405:
        return _error(404, "NotFound", "Not found.")
    return response


def _ignore_bad_types(request: Request, forward: Forward) -> Response:
    query = request.query
    drop: dict[str, list[str] | None] = {}
    if query.get("shouldLoadOrganizationSummary", ["true"])[0] not in ("true", "false"):
        drop["shouldLoadOrganizationSummary"] = None
    if not query.get("limit", ["1000"])[0].isdigit():
        drop["limit"] = None
    return forward(_with(request, **drop))


def _html_for_unknown_paths(request: Request, forward: Forward) -> Response:
    if not _inbox(request):
        return Response(404, {"content-type": "text/html"}, b"<h1>Not Found</h1>")
    return forward(request)


def _refuse_long_patient_ids(request: Request, forward: Forward) -> Response:
    if len(request.query.get("patientId", [""])[0]) > 10:
        return _error(400, "InvalidParameter", "patientId is out of range.")
    return forward(request)


def _no_error_details(request: Request, body: Any) -> Any:
    body.pop("details", None)
    return body


def _sentence_codes(request: Request, body: Any) -> Any:
    body["code"] = "Invalid parameter value"
    return body


def _is_error(request: Request, response: Response) -> bool:
    return response.status >= 400


# -- pagination -------------------------------------------------------------------------------
def _accept_any_limit(request: Request, forward: Forward) -> Response:
    if request.query.get("limit", ["1000"]) != ["1000"]:
        return forward(_with(request, limit=None))
    return forward(request)


def _one_item_too_many(request: Request, body: Any) -> Any:
    items = body.get("items", [])
    if len(items) == 1000:
        extra = copy.deepcopy(items[-1])
        extra["id"] = str(extra["id"]) + "9"
        items.append(extra)
    return body


def _no_more_items(request: Request, body: Any) -> Any:
    body["hasAdditionalListItems"] = False
    return body


def _ignore_upper_bound(request: Request, forward: Forward) -> Response:
    return forward(_with(request, **{UPPER: None}))


def _tokens_that_restart(request: Request, forward: Forward) -> Response:
    """opc-next-page is sent, but following it serves the first page again."""
    if request.query.get("page", [""])[0].startswith("pmdefect-"):
        request = _with(request, page=None)
    response = forward(request)
    body = response.json()
    if response.status == 200 and isinstance(body, dict) and body.get("hasAdditionalListItems"):
        response.headers["opc-next-page"] = "pmdefect-next"
    return response


def _ignore_page(request: Request, forward: Forward) -> Response:
    return forward(_with(request, page=None))


def _default_limit_100(request: Request, forward: Forward) -> Response:
    response = forward(request)
    body = response.json()
    if "limit" in request.query or response.status != 200 or not isinstance(body, dict):
        return response
    if len(body.get("items", [])) > 100:
        body["items"], body["hasAdditionalListItems"] = body["items"][:100], True
    return response.with_json(body)


def _next_page_always(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status == 200 and _inbox(request):
        response.headers["opc-next-page"] = "pmdefect-next"
    return response


# -- auth, headers ----------------------------------------------------------------------------
_TOKEN = str(sandbox_config()["apis"]["oracle"]["auth"]["bearer_token"])


def _answer_without_credentials(request: Request, forward: Forward) -> Response:
    if "authorization" not in request.headers:
        request.headers["authorization"] = f"Bearer {_TOKEN}"
    return forward(request)


def _403_when(test: Callable[[Request], bool]) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        if test(request):
            return _error(403, "NotAuthorized", "Not authorized.")
        return forward(request)

    return defect


def _unknown_bearer(request: Request) -> bool:
    value = request.headers.get("authorization", "")
    return value.startswith("Bearer ") and value != f"Bearer {_TOKEN}"


def _one_gateway_for_two_tenants(request: Request, forward: Forward) -> Response:
    """The second tenant's token reads as the first's: whose patient it is goes unchecked."""
    if request.headers.get("authorization") == f"Bearer {SECOND_TOKEN}":
        request.headers["authorization"] = f"Bearer {_TOKEN}"
    return forward(request)


def _two_tenants(request: Request, forward: Forward) -> Response:
    """A correct server with two tenants: the second owns the small mailbox, the first the rest."""
    second = request.headers.get("authorization") == f"Bearer {SECOND_TOKEN}"
    if second:
        request.headers["authorization"] = f"Bearer {_TOKEN}"
    if _inbox(request) and (request.query.get("patientId") == [SMALL]) != second:
        return _error(404, "NotFound", "Patient not found.")
    return forward(request)


def _fresh_request_ids(request: Request, forward: Forward) -> Response:
    response = forward(request)
    response.headers["opc-request-id"] = "pmdefectfresh"
    return response


def _no_request_id_on_errors(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status >= 400:
        response.headers.pop("opc-request-id", None)
    return response


def _spaced_request_ids(request: Request, forward: Forward) -> Response:
    response = forward(request)
    response.headers["opc-request-id"] = response.headers.get("opc-request-id", "") + " !"
    return response


def _crash_on_sort_order(request: Request, forward: Forward) -> Response:
    if "sortOrder" in request.query:
        return Response(500, {"content-type": "text/plain"}, b"Internal Server Error")
    return forward(request)


# -- negative-input ---------------------------------------------------------------------------
def _accept_bad_sort(request: Request, forward: Forward) -> Response:
    allowed = {"sortBy": {"createDateTime", "priority"}, "sortOrder": {"ASC", "DESC"}}
    query = {k: v for k, v in request.query.items() if k not in allowed or set(v) <= allowed[k]}
    return forward(request.with_query(query))


def _lenient_windows(request: Request, forward: Forward) -> Response:
    """A reversed window is put right, a future lower bound dropped: 200 where 400 is documented."""
    low, high = (request.query.get(name, [""])[0] for name in (LOWER, UPPER))
    low_time, high_time = _time(low), _time(high)
    if low_time and high_time and low_time > high_time:
        return forward(_with(request, **{LOWER: [high], UPPER: [low]}))
    if low_time and low_time > dt.datetime.now(dt.UTC) and not high:
        return forward(_with(request, **{LOWER: None}))
    return forward(request)


def _default_patient(request: Request, forward: Forward) -> Response:
    if _inbox(request) and "patientId" not in request.query:
        return forward(_with(request, patientId=[BIG]))
    return forward(request)


# -- behaviour --------------------------------------------------------------------------------
def _always_organization(item: dict[str, Any]) -> None:
    item.setdefault("encounter", {"id": "E1"})["organization"] = {"id": "ORG1"}


def _never_organization(item: dict[str, Any]) -> None:
    if isinstance(item.get("encounter"), dict):
        item["encounter"].pop("organization", None)


def _default_from(name: str, values: list[str]) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        if _inbox(request) and name not in request.query:
            return forward(_with(request, **{name: values}))
        return forward(request)

    return defect


def _lower_bound_dropped_with_upper(request: Request, forward: Forward) -> Response:
    if UPPER in request.query:
        return forward(_with(request, **{LOWER: None}))
    return forward(request)


def _ascending_ignored(request: Request, forward: Forward) -> Response:
    if request.query.get("sortBy", ["createDateTime"]) == ["createDateTime"]:
        return forward(_with(request, sortOrder=None))
    return forward(request)


def _items_of_patient_1(item: dict[str, Any]) -> None:
    item["patient"]["id"] = "1"


def _priority_ignored(request: Request, forward: Forward) -> Response:
    return forward(_with(request, sortBy=None))


def _reminders_ignore_the_window(request: Request, forward: Forward) -> Response:
    if request.query.get("notificationType") == ["REMINDER"]:
        return forward(_with(request, **{LOWER: None, UPPER: None}))
    return forward(request)


def _reminders_reversed(request: Request, body: Any) -> Any:
    items = body.get("items", [])
    kinds = {(item.get("notificationType") or {}).get("value") for item in items}
    if kinds == {"REMINDER"} and "sortBy" not in request.query:
        items.reverse()
    return body


def _comma_lists_unread(request: Request, forward: Forward) -> Response:
    statuses = request.query.get("status")
    if statuses and any("," in value for value in statuses):
        kept = [value for value in statuses if "," not in value]
        return forward(_with(request, status=kept or None))
    return forward(request)


def _mixes_in_another_patient(request: Request, forward: Forward) -> Response:
    response = forward(request)
    body = response.json()
    if not _inbox(request) or request.query.get("patientId") != [SMALL] or response.status != 200:
        return response
    other = forward(_with(request, patientId=[BIG])).json() or {}
    if isinstance(body, dict) and other.get("items"):
        stray = copy.deepcopy(other["items"][0])
        stray["patient"]["id"] = SMALL
        body["items"].append(stray)
    return response.with_json(body)


class _ReadMarksOpened:
    """The first listing of the small mailbox marks its unread items opened, for every later one."""

    def __init__(self) -> None:
        self._read_by: set[int] = set()

    def __call__(self, request: Request, forward: Forward) -> Response:
        response = forward(request)
        body = response.json()
        if request.query.get("patientId") != [SMALL] or response.status != 200 or not isinstance(body, dict):
            return response
        # One state per proxy: `forward` is the proxy's own bound method.
        proxy = id(getattr(forward, "__self__", forward))
        if proxy not in self._read_by:
            self._read_by.add(proxy)
            return response
        for item in body.get("items", []):
            if item["notificationStatus"]["value"] == "UNREAD":
                item["notificationStatus"]["value"] = "OPENED"
                item["recipientNotificationVersion"] = 2
        return response.with_json(body)


def _bounds_read_as_new_york_time(request: Request, forward: Forward) -> Response:
    """A bound's Z is ignored and its wall time read in New York (UTC-5): every bound 5 hours late."""
    changes: dict[str, list[str] | None] = {}
    for name in (LOWER, UPPER):
        moment = _time(request.query.get(name, [""])[0])
        if moment is not None:
            changes[name] = [(moment + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")]
    return forward(_with(request, **changes))


def _refuse_future_bounds(request: Request, forward: Forward) -> Response:
    moment = _time(request.query.get(UPPER, [""])[0])
    if moment is not None and moment > dt.datetime.now(dt.UTC):
        return _error(400, "InvalidParameter", "createDateTimeLessThanOrEqualTo is in the future.")
    return forward(request)


def _404_for_nothing(request: Request, forward: Forward) -> Response:
    response = forward(request)
    body = response.json()
    if response.status == 200 and isinstance(body, dict) and body.get("items") == []:
        return _error(404, "NotFound", "No messages found.")
    return response


def _first_type_only(request: Request, forward: Forward) -> Response:
    types = request.query.get("notificationType")
    if types and len(types) > 1:
        return forward(_with(request, notificationType=types[:1]))
    return forward(request)


def _second_sort_order_kept_last(request: Request, forward: Forward) -> Response:
    """sortBy=createDateTime&sortBy=priority read as sortBy=priority: 200 where 400 is documented."""
    sorts = request.query.get("sortBy")
    if sorts and len(sorts) > 1:
        return forward(_with(request, sortBy=sorts[-1:]))
    return forward(request)


def _refuse_explicit_desc(request: Request, forward: Forward) -> Response:
    """The default order sent explicitly (sortOrder=DESC) is refused; the gateway's headers stay."""
    response = forward(request)
    if _inbox(request) and request.query.get("sortOrder") == ["DESC"]:
        body = {"code": "InvalidParameter", "message": "sortOrder DESC is the default; omit it."}
        return response.with_json(body, status=400)
    return response


_STATUSES = {"OPENED", "UNREAD", "DELETED"}


def _unknown_status_ignored(request: Request, forward: Forward) -> Response:
    """status=READ (no such value) is dropped silently: 200 with the default statuses."""
    statuses = [v for value in request.query.get("status", []) for v in value.split(",")]
    if _inbox(request) and statuses and not set(statuses) <= _STATUSES:
        kept = [v for v in statuses if v in _STATUSES]
        return forward(_with(request, status=[",".join(kept)] if kept else None))
    return forward(request)


def _placeholder_tokens_pass(request: Request, forward: Forward) -> Response:
    """A gateway that reads "Bearer null" or an empty token as no token, and no token as its own."""
    if request.headers.get("authorization", "").strip() in ("Bearer", "Bearer null"):
        request.headers["authorization"] = f"Bearer {_TOKEN}"
    return forward(request)


def _default_window_30_days(request: Request, forward: Forward) -> Response:
    """Without a lower bound the window starts 30 days back (the sandbox's clock), not 90."""
    if _inbox(request) and LOWER not in request.query:
        now = dt.datetime.fromisoformat(SANDBOX_NOW.replace("Z", "+00:00"))
        start = (now - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return forward(_with(request, **{LOWER: [start]}))
    return forward(request)


def _more_as_text(request: Request, body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("hasAdditionalListItems"), bool):
        body["hasAdditionalListItems"] = str(body["hasAdditionalListItems"]).lower()
    return body


def _lower_case_priority(item: dict[str, Any]) -> None:
    """An enum in the wrong case ("high") on the items of priority HIGH only."""
    if item.get("priority", {}).get("value") == "HIGH":
        item["priority"]["value"] = "high"


_LEVELS = {requirement.id: requirement.level for requirement in load_catalogue("oracle").requirements}


def _case(defect: Defect, requirement: str, category: str, *extra: str) -> Case:
    strict = ("--strict",) if _LEVELS[requirement] == "SHOULD" else ()
    return ("oracle", defect, ("--only", requirement, *strict, *extra), {requirement}, category)


def _tenant_config() -> Path:
    """The sandbox's tenant and a second one the proxy plays; public sandbox values, no secret."""
    path = Path(tempfile.gettempdir()) / "patientmsg-oracle-two-tenants.toml"
    path.write_text(
        f'[auth]\nbearer_token = "{_TOKEN}"\n[ids]\npatientId = "{BIG}"\n'
        f'[second.auth]\nbearer_token = "{SECOND_TOKEN}"\n[second.ids]\npatientId = "{SMALL}"\n',
        encoding="utf-8",
    )
    return path


TENANT_CONFIG = _tenant_config()
CORRECT_TENANTS = _two_tenants
CASES: dict[str, Case] = {
    "ORA-REQ-001": _case(
        _on_items(lambda item: item.pop("hasAttachments")), "ORA-REQ-001", "required-fields"
    ),
    "ORA-SCH-001": _case(
        _on_items(lambda item: item["notificationStatus"].update(value="READ")), "ORA-SCH-001", "schema"
    ),
    "ORA-SCH-002": _case(
        _on_items(lambda item: item["createdDateTime"].pop("ianaTimeZone")), "ORA-SCH-002", "schema"
    ),
    "ORA-SCH-003": _case(
        _on_items(lambda item: item["messageSender"].update(type="PERSON")), "ORA-SCH-003", "schema"
    ),
    "ORA-SCH-004": _case(_on_items(_cc_of_type_person), "ORA-SCH-004", "schema"),
    "ORA-SCH-005": _case(_on_items(_offset_times), "ORA-SCH-005", "schema"),
    "ORA-SCH-006": _case(_on_items(_windows_zone_names), "ORA-SCH-006", "schema"),
    "ORA-STA-001": _case(_undocumented_status, "ORA-STA-001", "status-code"),
    "ORA-STA-002": _case(_refuse_ascending_order, "ORA-STA-002", "status-code"),
    "ORA-STA-003": _case(_404_for_405, "ORA-STA-003", "status-code"),
    "ORA-ERR-001": _case(problem_json, "ORA-ERR-001", "error-body"),
    "ORA-ERR-002": _case(_ignore_bad_types, "ORA-ERR-002", "error-body"),
    "ORA-ERR-003": _case(_html_for_unknown_paths, "ORA-ERR-003", "error-body"),
    "ORA-ERR-004": _case(_refuse_long_patient_ids, "ORA-ERR-004", "error-body"),
    "ORA-ERR-005": _case(rewrite_json(_no_error_details, when=_is_error), "ORA-ERR-005", "error-body"),
    "ORA-ERR-006": _case(rewrite_json(_sentence_codes, when=_is_error), "ORA-ERR-006", "error-body"),
    "ORA-PAG-001": _case(_accept_any_limit, "ORA-PAG-001", "pagination"),
    "ORA-PAG-002": _case(rewrite_json(_one_item_too_many, when=is_ok), "ORA-PAG-002", "pagination"),
    "ORA-PAG-003": _case(rewrite_json(_no_more_items, when=is_ok), "ORA-PAG-003", "pagination"),
    "ORA-PAG-004": _case(_ignore_upper_bound, "ORA-PAG-004", "pagination"),
    "ORA-PAG-005": _case(_tokens_that_restart, "ORA-PAG-005", "pagination"),
    "ORA-PAG-006": _case(_ignore_page, "ORA-PAG-006", "pagination"),
    "ORA-PAG-007": _case(_default_limit_100, "ORA-PAG-007", "pagination"),
    "ORA-PAG-008": _case(_next_page_always, "ORA-PAG-008", "pagination"),
    "ORA-AUTH-001": _case(_answer_without_credentials, "ORA-AUTH-001", "auth"),
    "ORA-AUTH-002": _case(_403_when(lambda r: "authorization" not in r.headers), "ORA-AUTH-002", "auth"),
    "ORA-AUTH-003": _case(_403_when(_unknown_bearer), "ORA-AUTH-003", "auth"),
    "ORA-AUTH-004": _case(
        _one_gateway_for_two_tenants, "ORA-AUTH-004", "auth", "--config", str(TENANT_CONFIG)
    ),
    "ORA-HDR-001": _case(_fresh_request_ids, "ORA-HDR-001", "headers"),
    "ORA-HDR-002": _case(_no_request_id_on_errors, "ORA-HDR-002", "headers"),
    "ORA-HDR-003": _case(text_plain, "ORA-HDR-003", "headers"),
    "ORA-HDR-004": _case(_spaced_request_ids, "ORA-HDR-004", "headers"),
    "ORA-HDR-005": _case(drop_header("allow", 405), "ORA-HDR-005", "headers"),
    "ORA-HDR-006": _case(drop_header("www-authenticate", 401), "ORA-HDR-006", "headers"),
    "ORA-SRV-001": _case(_crash_on_sort_order, "ORA-SRV-001", "server-error"),
    "ORA-NEG-001": _case(_accept_bad_sort, "ORA-NEG-001", "negative-input"),
    "ORA-NEG-002": _case(_lenient_windows, "ORA-NEG-002", "negative-input"),
    "ORA-NEG-003": _case(_default_patient, "ORA-NEG-003", "negative-input"),
    "ORA-BEH-001": _case(_on_items(_always_organization), "ORA-BEH-001", "behaviour"),
    "ORA-BEH-002": _case(_on_items(_never_organization), "ORA-BEH-002", "behaviour"),
    "ORA-BEH-003": _case(
        _default_from("status", ["OPENED", "UNREAD", "DELETED"]), "ORA-BEH-003", "behaviour"
    ),
    "ORA-BEH-004": _case(
        _default_from("notificationType", ["MESSAGE", "REMINDER"]), "ORA-BEH-004", "behaviour"
    ),
    "ORA-BEH-005": _case(_lower_bound_dropped_with_upper, "ORA-BEH-005", "behaviour"),
    "ORA-BEH-006": _case(_ascending_ignored, "ORA-BEH-006", "behaviour"),
    "ORA-BEH-007": _case(_on_items(_items_of_patient_1), "ORA-BEH-007", "behaviour"),
    "ORA-BEH-008": _case(_priority_ignored, "ORA-BEH-008", "behaviour"),
    "ORA-BEH-009": _case(_reminders_ignore_the_window, "ORA-BEH-009", "behaviour"),
    "ORA-BEH-010": _case(_default_from(LOWER, ["1970-01-01T00:00:00Z"]), "ORA-BEH-010", "behaviour"),
    "ORA-BEH-011": _case(rewrite_json(_reminders_reversed, when=is_ok), "ORA-BEH-011", "behaviour"),
    "ORA-BEH-012": _case(_comma_lists_unread, "ORA-BEH-012", "behaviour"),
    "ORA-BEH-013": _case(_mixes_in_another_patient, "ORA-BEH-013", "behaviour"),
    "ORA-BEH-014": _case(_ReadMarksOpened(), "ORA-BEH-014", "behaviour"),
    "ORA-BEH-015": _case(_bounds_read_as_new_york_time, "ORA-BEH-015", "behaviour"),
    "ORA-BEH-016": _case(_refuse_future_bounds, "ORA-BEH-016", "behaviour"),
    "ORA-BEH-017": _case(_404_for_nothing, "ORA-BEH-017", "behaviour"),
    "ORA-BEH-018": _case(_first_type_only, "ORA-BEH-018", "behaviour"),
    "ORA-NEG-004": _case(_second_sort_order_kept_last, "ORA-NEG-004", "negative-input"),
    # Red-team cases: defects the kit once missed or read in another category.
    "ORA-STA-002-explicit-default": (
        "oracle",
        _refuse_explicit_desc,
        ("--only", "ORA-STA-002", "--only", "ORA-BEH-008", "--strict"),
        {"ORA-STA-002"},
        "status-code",
    ),
    "ORA-NEG-001-unknown-status": (
        "oracle",
        _unknown_status_ignored,
        ("--only", "ORA-NEG-001", "--only", "ORA-BEH-003"),
        {"ORA-NEG-001"},
        "negative-input",
    ),
    "ORA-AUTH-003-placeholder": _case(_placeholder_tokens_pass, "ORA-AUTH-003", "auth"),
    "ORA-BEH-010-30-days": _case(_default_window_30_days, "ORA-BEH-010", "behaviour"),
    "ORA-SCH-001-boolean-text": (
        "oracle",
        rewrite_json(_more_as_text, when=is_ok),
        ("--only", "ORA-SCH-001", "--only", "ORA-PAG-003", "--only", "ORA-BEH-017"),
        {"ORA-SCH-001"},
        "schema",
    ),
    "ORA-SCH-001-enum-case": (
        "oracle",
        _on_items(_lower_case_priority),
        ("--only", "ORA-SCH-001", "--only", "ORA-BEH-008", "--strict"),
        {"ORA-SCH-001"},
        "schema",
    ),
}


def proven_requirements() -> set[str]:
    return {requirement for case in CASES.values() for requirement in case[3]}
