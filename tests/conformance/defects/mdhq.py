"""MD HQ's planted defects: for each requirement, a defect in front of the sandbox that only it catches.

Every case runs `--only <its requirement>` (`--strict` for a SHOULD, `--allow-writes` when it needs
writes) with few generated cases. The defects that need memory (what was deleted, whose request is
whose) are small classes that forget when they find themselves behind another proxy.
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from defect_proxy import Defect, DropConnection, Forward, Request, Response

from defects.shared import (
    Case,
    drop_header,
    problem_json,
    requirement_case,
    rewrite_json,
    text_plain,
    undocumented_status,
)

__all__ = ["CASES", "TWO_PRACTICES", "TWO_PRACTICES_CLEAN", "proven_requirements"]

API = "mdhq"
SANDBOX_USER = ("patientmsg-sandbox", "sandbox-password")
# A second practice the proxy makes up: its API user sees patient 2 only, the sandbox's user all others.
SECOND_USER = ("second-practice", "second-practice-secret")
SECOND_PATIENTS = {"2"}


def _basic(user: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()


def _error(status: int, code: str, message: str) -> Response:
    return Response(status).with_json({"success": False, "error": code, "message": message})


def _segments(request: Request) -> list[str]:
    return request.path.split("/")


def _patient(request: Request) -> str:
    """The pt_id path segment (…/patients/<pt_id>/portal/…), or ''."""
    parts = _segments(request)
    return parts[parts.index("patients") + 1] if "patients" in parts[:-1] else ""


def _is_queue(request: Request) -> bool:
    return request.method == "GET" and request.path.endswith("/portal/enqueued")


def _is_delete(request: Request) -> bool:
    return request.method == "DELETE" and "/portal/enqueued/" in request.path


def _queue_ok(request: Request, response: Response) -> bool:
    return _is_queue(request) and response.status == 200


def _entries(body: Any) -> list[dict[str, Any]]:
    return [entry for entry in body.get("data") or [] if isinstance(entry, dict)]


def _relist(body: Any, entries: list[dict[str, Any]]) -> Any:
    return {**body, "total": len(entries), "data": entries}


# -- one response rewritten -------------------------------------------------------------------
def _drop_request_type(request: Request, body: Any) -> Any:
    for entry in _entries(body):
        entry.pop("request_type", None)
    return body


def _us_dates(request: Request, body: Any) -> Any:
    for entry in _entries(body):
        entry["created"] = "11/11/2026 00:19:10"
    return body


def _local_time(value: str) -> str:
    """The same instant written in New York winter time: an offset, not UTC."""
    instant = dt.datetime.fromisoformat(value)
    return instant.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat()


def _local_dates(request: Request, body: Any) -> Any:
    for entry in _entries(body):
        entry["created"] = _local_time(entry["created"])
    return body


def _local_answer_dates(request: Request, body: Any) -> Any:
    for name in ("deleted_at", "sent_at"):
        if isinstance(body.get(name), str):
            body[name] = _local_time(body[name])
    return body


def _with_extra(status: str) -> Any:
    def edit(request: Request, body: Any) -> Any:
        entries = _entries(body)
        if entries:
            entries.append({**entries[-1], "id": entries[-1]["id"] + 100000, "status": status})
        return _relist(body, entries)

    return edit


def _another_patients(request: Request, body: Any) -> Any:
    for entry in _entries(body)[:1]:
        entry["pt_id"] = entry["pt_id"] + 1
    return body


def _total_off_by_one(request: Request, body: Any) -> Any:
    return {**body, "total": len(_entries(body)) + 1}


def _newest_first(request: Request, body: Any) -> Any:
    return _relist(body, _entries(body)[::-1])


def _explicit_open_drops_last(request: Request, body: Any) -> Any:
    if request.query.get("status") != ["open"]:
        return body
    return _relist(body, _entries(body)[:-1])


def _type_filter_finds_nothing(request: Request, body: Any) -> Any:
    return body if "request_type" not in request.query else _relist(body, [])


def _type_filter_drops_first(request: Request, body: Any) -> Any:
    if "request_type" not in request.query:
        return body
    return _relist(body, _entries(body)[1:])


# -- the exchange itself changed --------------------------------------------------------------
def _valid_queue_refused(request: Request, forward: Forward) -> Response:
    if _is_queue(request) and _patient(request).isdigit():
        return _error(400, "invalid_parameter", "Invalid request.")
    return forward(request)


def _405_as_400(request: Request, forward: Forward) -> Response:
    response = forward(request)
    return _error(400, "invalid_request", "Bad request.") if response.status == 405 else response


def _allow_space_separated(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if "allow" in response.headers:
        response.headers["allow"] = response.headers["allow"].replace(", ", " ")
    return response


def _crash_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        return Response(500, {"content-type": "text/plain"}, b"Internal Server Error")
    return forward(request)


def _crash_on_dismissed(request: Request, forward: Forward) -> Response:
    """A crash on one documented status value only, which the generated cases never send."""
    if request.method == "GET" and request.query.get("status") == ["dismissed"]:
        body = b'{"success": false, "error": "server_error", "message": "Internal error."}'
        return Response(500, {"content-type": "application/json"}, body)
    return forward(request)


def _delete_answers_204(request: Request, forward: Forward) -> Response:
    """The delete works, but answers 204 without a body where 200 with the result is documented."""
    response = forward(request)
    if request.method == "DELETE" and response.status == 200:
        headers = {k: v for k, v in response.headers.items() if k != "content-type"}
        return Response(204, headers, b"")
    return response


def _upper_case_status(request: Request, body: Any) -> Any:
    """The enum in the wrong case ("OPEN") on every other entry."""
    for entry in (body.get("data") or [])[::2]:
        if isinstance(entry, dict) and entry.get("status") == "open":
            entry["status"] = "OPEN"
    return body


def _drop_on_request_type(request: Request, forward: Forward) -> Response:
    if "request_type" in request.query:
        raise DropConnection
    return forward(request)


def _non_integer_ids_accepted(request: Request, forward: Forward) -> Response:
    if _is_queue(request) and not _patient(request).isdigit():
        return Response(200).with_json({"total": 0, "data": []})
    return forward(request)


def _non_integer_ids_get_422(request: Request, forward: Forward) -> Response:
    response = forward(request)
    return response.with_json(response.json(), status=422) if response.status == 400 else response


def _unknown_patient_has_empty_queue(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if _is_queue(request) and response.status == 404:
        return Response(200).with_json({"total": 0, "data": []})
    return response


def _int32_ids(request: Request, forward: Forward) -> Response:
    if any(part.isdigit() and int(part) >= 2**31 for part in _segments(request)):
        return _error(400, "invalid_parameter", "pt_id must be a 32-bit integer.")
    return forward(request)


def _anonymous_is_sandbox_user(methods: set[str]) -> Defect:
    """Requests without credentials are taken as the sandbox's API user's."""

    def defect(request: Request, forward: Forward) -> Response:
        if "authorization" not in request.headers and request.method in methods:
            request.headers["authorization"] = _basic(SANDBOX_USER)
        return forward(request)

    return defect


def _refusal_as_403(*, with_credentials: bool) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        if response.status == 401 and ("authorization" in request.headers) == with_credentials:
            return _error(403, "forbidden", "Forbidden.")
        return response

    return defect


def _anonymous_delete_succeeds(request: Request, forward: Forward) -> Response:
    """A gateway that checks credentials on reads only: an anonymous delete is answered as done."""
    if _is_delete(request) and "authorization" not in request.headers:
        request_id = int(_segments(request)[-1]) if _segments(request)[-1].isdigit() else 0
        body = {"success": True, "id": request_id, "deleted_at": "2026-11-21T09:00:00Z", "deleted_by": ""}
        return Response(200).with_json(body)
    return forward(request)


def _invite_without_email_sent(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.method == "POST" and response.status == 409:
        sent = {"success": True, "pt_id": int(_patient(request)), "email": "", "kind": "invitation"}
        return Response(200).with_json({**sent, "sent_at": "2026-11-21T09:00:00Z"})
    return response


def _empty_queue_is_404(request: Request, forward: Forward) -> Response:
    response = forward(request)
    body = response.json()
    if _is_queue(request) and response.status == 200 and isinstance(body, dict) and not body.get("data"):
        return _error(404, "not_found", "No enqueued requests.")
    return response


def _invite_needs_a_body(request: Request, forward: Forward) -> Response:
    if request.method == "POST" and not request.body:
        return _error(415, "unsupported_media_type", "Send a JSON body.")
    return forward(request)


def _fake_delete(*, deleted_by: bool) -> Defect:
    """Every delete answered as done without deleting anything (and, for one, without saying who)."""

    def defect(request: Request, forward: Forward) -> Response:
        if not _is_delete(request):
            return forward(request)
        request_id = int(_segments(request)[-1]) if _segments(request)[-1].isdigit() else 0
        body = {"success": True, "id": request_id, "deleted_at": "2026-11-21T09:00:00Z"}
        return Response(200).with_json({**body, "deleted_by": SANDBOX_USER[0]} if deleted_by else body)

    return defect


# -- defects with memory ----------------------------------------------------------------------
class _Memory:
    """What a defect remembers, for one proxy only: a case may run behind more than one proxy."""

    def __init__(self) -> None:
        self._proxy: object = None
        self.memory: dict[Any, Any] = {}

    def recall(self, forward: Forward) -> dict[Any, Any]:
        proxy = getattr(forward, "__self__", forward)
        if proxy is not self._proxy:
            self._proxy, self.memory = proxy, {}
        return self.memory


class _DeleteAgainSucceeds(_Memory):
    """A second delete of a deleted request answers 200 again, as if it had found it."""

    def __call__(self, request: Request, forward: Forward) -> Response:
        deleted = self.recall(forward)
        response = forward(request)
        if _is_delete(request) and response.status == 200:
            deleted[request.path] = response.body
        elif _is_delete(request) and response.status == 404 and request.path in deleted:
            return Response(200, {"content-type": "application/json"}, deleted[request.path])
        return response


class _DeleteEmptiesTheQueue(_Memory):
    """After one delete, the patient's whole queue disappears from the list."""

    def __call__(self, request: Request, forward: Forward) -> Response:
        patients = self.recall(forward)
        response = forward(request)
        if _is_delete(request) and response.status == 200:
            patients[_patient(request)] = True
        if _queue_ok(request, response) and _patient(request) in patients:
            return response.with_json(_relist(response.json(), []))
        return response


class _DeletedComesBack(_Memory):
    """The first list after a delete hides the request; from the second on, it is back (a stale cache)."""

    def __call__(self, request: Request, forward: Forward) -> Response:
        memory = self.recall(forward)
        seen: dict[int, dict[str, Any]] = memory.setdefault("seen", {})
        deleted: dict[int, int] = memory.setdefault("deleted", {})
        response = forward(request)
        if _is_delete(request) and response.status == 200:
            deleted.setdefault(int(_segments(request)[-1]), 0)
        if not _queue_ok(request, response):
            return response
        body = response.json()
        entries = _entries(body)
        seen.update({entry["id"]: entry for entry in entries})
        for request_id in deleted:
            deleted[request_id] += 1
            if deleted[request_id] > 1 and request_id in seen:
                entries.append(seen[request_id])
        return response.with_json(_relist(body, sorted(entries, key=lambda e: (e["created"], e["id"]))))


class _DeleteFindsAnyPatientsRequest(_Memory):
    """A delete looks the request up by its id alone: another patient's path deletes it too."""

    def __call__(self, request: Request, forward: Forward) -> Response:
        owner = self.recall(forward)
        response = forward(request)
        if _queue_ok(request, response):
            owner.update({str(e["id"]): str(e["pt_id"]) for e in _entries(response.json())})
        request_id = _segments(request)[-1]
        if _is_delete(request) and response.status == 404 and request_id in owner:
            parts = _segments(request)
            parts[parts.index("patients") + 1] = owner[request_id]
            return forward(Request(request.method, "/".join(parts), request.headers, request.body))
        return response


class _TwoPractices:
    """Two practices on one sandbox: the second's API user sees only its patients (`leak`: not so)."""

    def __init__(self, *, leak: bool) -> None:
        self.leak = leak

    def __call__(self, request: Request, forward: Forward) -> Response:
        patient = _patient(request)
        if request.headers.get("authorization") == _basic(SECOND_USER):
            request.headers["authorization"] = _basic(SANDBOX_USER)
            if patient and patient not in SECOND_PATIENTS:
                return _error(404, "not_found", f"Patient {patient} does not exist.")
        elif patient in SECOND_PATIENTS and not self.leak and "authorization" in request.headers:
            return _error(404, "not_found", f"Patient {patient} does not exist.")
        return forward(request)


def _two_practices_config() -> Path:
    """A config naming both practices (literal sandbox credentials: they are the fixtures' own)."""
    lines = [
        "[auth.basic]",
        f'username = "{SANDBOX_USER[0]}"',
        f'password = "{SANDBOX_USER[1]}"',
        "[ids]",
        "pt_id = 1",
        "no_email_pt_id = 221",
        "empty_pt_id = 4",
        "[second.auth.basic]",
        f'username = "{SECOND_USER[0]}"',
        f'password = "{SECOND_USER[1]}"',
        "[second.ids]",
        "pt_id = 2",
    ]
    path = Path(tempfile.mkdtemp(prefix="patientmsg-mdhq-")) / "two-practices.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


TWO_PRACTICES = _two_practices_config()

# Requirement id -> the defect only it catches (and kit options beyond --only/--strict/--allow-writes).
_DEFECTS: dict[str, Defect | tuple[Defect, tuple[str, ...]]] = {
    "MDHQ-REQ-001": rewrite_json(_drop_request_type, when=_queue_ok),
    "MDHQ-SCH-001": rewrite_json(_us_dates, when=_queue_ok),
    "MDHQ-SCH-002": rewrite_json(_local_dates, when=_queue_ok),
    "MDHQ-STA-001": undocumented_status,
    "MDHQ-STA-002": _valid_queue_refused,
    "MDHQ-STA-003": _405_as_400,
    "MDHQ-ERR-001": problem_json,
    "MDHQ-ERR-002": _non_integer_ids_get_422,
    "MDHQ-ERR-003": _unknown_patient_has_empty_queue,
    "MDHQ-ERR-004": _int32_ids,
    "MDHQ-AUTH-001": _anonymous_is_sandbox_user({"GET", "POST", "DELETE"}),
    "MDHQ-AUTH-002": _refusal_as_403(with_credentials=False),
    "MDHQ-AUTH-003": _refusal_as_403(with_credentials=True),
    "MDHQ-AUTH-004": (_TwoPractices(leak=True), ("--config", str(TWO_PRACTICES))),
    "MDHQ-AUTH-005": _DeleteFindsAnyPatientsRequest(),
    "MDHQ-AUTH-006": _anonymous_delete_succeeds,
    "MDHQ-HDR-001": text_plain,
    "MDHQ-HDR-002": drop_header("allow", 405),
    "MDHQ-HDR-003": _allow_space_separated,
    "MDHQ-HDR-004": drop_header("www-authenticate", 401),
    "MDHQ-SRV-001": _crash_on_request_type,
    "MDHQ-NEG-001": _non_integer_ids_accepted,
    "MDHQ-BEH-001": _fake_delete(deleted_by=True),
    "MDHQ-BEH-002": _DeleteAgainSucceeds(),
    # Faked, not forwarded: the writing cases share the sandbox patient's few open requests.
    "MDHQ-BEH-003": _fake_delete(deleted_by=False),
    "MDHQ-BEH-004": rewrite_json(_with_extra("dismissed"), when=_queue_ok),
    "MDHQ-BEH-005": rewrite_json(_another_patients, when=_queue_ok),
    "MDHQ-BEH-006": _invite_without_email_sent,
    "MDHQ-BEH-007": rewrite_json(_total_off_by_one, when=_queue_ok),
    "MDHQ-BEH-008": rewrite_json(_newest_first, when=_queue_ok),
    "MDHQ-BEH-009": rewrite_json(_with_extra("in_progress"), when=_queue_ok),
    "MDHQ-BEH-010": rewrite_json(_explicit_open_drops_last, when=_queue_ok),
    "MDHQ-BEH-011": rewrite_json(_type_filter_drops_first, when=_queue_ok),
    "MDHQ-BEH-012": _empty_queue_is_404,
    "MDHQ-BEH-013": _DeleteEmptiesTheQueue(),
    "MDHQ-BEH-014": _DeletedComesBack(),
    "MDHQ-BEH-015": _invite_needs_a_body,
}
# A second way to break the same requirement, where one defect would not show the whole of it.
_ALSO: dict[str, tuple[str, Defect, tuple[str, ...]]] = {
    "MDHQ-SRV-001-dropped": ("MDHQ-SRV-001", _drop_on_request_type, ()),
    # A filter that finds nothing for a type the queue has: "only that type" read as vacuously true.
    "MDHQ-BEH-011-empty": ("MDHQ-BEH-011", rewrite_json(_type_filter_finds_nothing, when=_queue_ok), ()),
    # UTC on the other answer shapes too: the invite's and the delete's (generated writes).
    "MDHQ-SCH-002-answers": (
        "MDHQ-SCH-002",
        rewrite_json(_local_answer_dates, when=lambda request, response: request.method != "GET"),
        ("--allow-writes",),
    ),
    # Red-team cases: a crash met by a probe is MDHQ-SRV-001's, not the filter requirement's; an enum
    # in the wrong case is MDHQ-SCH-001's, not the default-status requirement's.
    "MDHQ-SRV-001-probe-crash": ("MDHQ-SRV-001", _crash_on_dismissed, ("--only", "MDHQ-BEH-011")),
    "MDHQ-STA-001-delete-204": (
        "MDHQ-STA-001",
        _delete_answers_204,
        ("--allow-writes", "--only", "MDHQ-BEH-001", "--only", "MDHQ-BEH-013", "--only", "MDHQ-BEH-014"),
    ),
    "MDHQ-SCH-001-enum-case": (
        "MDHQ-SCH-001",
        rewrite_json(_upper_case_status, when=_queue_ok),
        ("--only", "MDHQ-BEH-009"),
    ),
}


def _cases() -> dict[str, Case]:
    cases = {}
    for requirement_id, planted in _DEFECTS.items():
        defect, extra = planted if isinstance(planted, tuple) else (planted, ())
        cases[requirement_id] = _case(requirement_id, defect, extra)
    for name, (requirement_id, defect, extra) in _ALSO.items():
        cases[name] = _case(requirement_id, defect, extra)
    return cases


def _case(requirement_id: str, defect: Defect, extra: tuple[str, ...] = ()) -> Case:
    return requirement_case(API, requirement_id, defect, extra)


CASES: dict[str, Case] = _cases()
# The same two-practice world without the leak: the clean run of MDHQ-AUTH-004's selection.
TWO_PRACTICES_CLEAN: Defect = _TwoPractices(leak=False)


def proven_requirements() -> set[str]:
    return {requirement for case in CASES.values() for requirement in case[3]}
