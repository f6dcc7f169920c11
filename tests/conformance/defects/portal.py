"""The portal's planted defects: for each requirement, a defect in front of the sandbox that breaks its rule.

Every case runs `--only <its requirement>` with two generated examples (`--strict` for a SHOULD,
`--allow-writes` when the requirement needs writes). Refusals turned into acceptances answer with a
made-up body and never reach the sandbox, so the sandbox's state stays what the next case expects.
"""

from __future__ import annotations

import json
import re
from typing import Any

from defect_proxy import Defect, Forward, Request, Response
from patientmsg.fixtures import sandbox_config

from defects.shared import Case, requirement_case, rewrite_json

__all__ = ["CASES", "proven_requirements"]

API = "portal"
PREFIX = "/portal"
_LOGINS = sandbox_config()["apis"]["portal"]["auth"]["logins"]


def _is(method: str, pattern: str) -> Any:
    """A request matcher: the method and a path regex below /portal."""
    compiled = re.compile(f"^{PREFIX}{pattern}$")
    return lambda request: request.method == method and compiled.match(request.path) is not None


def _rule(response: Response) -> Any:
    body = response.json()
    return body.get("rule") if isinstance(body, dict) else None


def _made_up(status: int, body: Any) -> Response:
    return Response(status).with_json(body)


def _accept_refusal(matches: Any, rule: str, status: int, body: Any = None) -> Defect:
    """The refusal a rule makes is answered as a success (made up; the sandbox changes nothing)."""

    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        if matches(request) and _rule(response) == rule:
            if status == 204:
                return Response(204)
            return _made_up(status, body if body is not None else {"id": "made-up", "parentId": None})
        return response

    return defect


def _restatus(matches: Any, from_status: int, to_status: int) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        if matches(request) and response.status == from_status:
            response.status = to_status
            response.headers.pop("retry-after", None)
        return response

    return defect


def _edit_json(matches: Any, edit: Any, status: int = 200) -> Defect:
    return rewrite_json(
        lambda request, body: edit(request, body) or body,
        when=lambda request, response: matches(request) and response.status == status,
    )


def _send_json(request: Request, forward: Forward, body: Any) -> Response:
    data = json.dumps(body).encode()
    headers = {**request.headers, "content-type": "application/json"}
    return forward(Request(request.method, request.target, headers, data))


def _body(request: Request) -> dict[str, Any]:
    try:
        parsed = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _messages(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(messages: Any) -> None:
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, dict):
                found.append(message)
                walk(message.get("responses"))

    walk(conversation.get("messages"))
    return found


def _items(body: Any) -> list[dict[str, Any]]:
    return [i for i in body.get("items") or [] if isinstance(i, dict)] if isinstance(body, dict) else []


def _every_message(body: Any) -> list[dict[str, Any]]:
    return [m for item in _items(body) for m in _messages(item)]


PATIENT_LIST = _is("GET", "/patient/conversations")
STAFF_LIST = _is("GET", "/staff/conversations")
STAFF_ONE = _is("GET", r"/staff/conversations/[^/]+")
PROVIDER = _is("GET", r"/patient/providers/[^/]+")
NEW_CONVERSATION = _is("POST", "/patient/conversations")
OUTBOX = _is("GET", "/admin/outbox")


def _view(request: Request, value: str) -> bool:
    return request.query.get("view", ["open"]) == [value]


# -- generic ----------------------------------------------------------------------------------
def _drop_initials(request: Request, body: Any) -> None:
    for item in _items(body):
        item.pop("initials", None)


def _numeric_initials(request: Request, body: Any) -> None:
    for item in _items(body):
        item["initials"] = 42


def _html_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status == 200 and response.headers.get("content-type", "").startswith("application/json"):
        response.headers["content-type"] = "text/html"
    return response


def _crash_on_response_methods(request: Request, forward: Forward) -> Response:
    if request.path == f"{PREFIX}/patient/response-methods":
        return Response(500, {"content-type": "text/plain"}, b"Internal Server Error")
    return forward(request)


def _anonymous_is_the_patient(request: Request, forward: Forward) -> Response:
    """A gateway that lets an anonymous request through as the sandbox's patient."""
    if "authorization" not in request.headers and request.path != f"{PREFIX}/token":
        login = _LOGINS["patient"]
        form = f"grant_type=password&username={login['username']}&password={login['password']}".encode()
        headers = {"content-type": "application/x-www-form-urlencoded"}
        token = forward(Request("POST", f"{PREFIX}/token", headers, form)).json()["access_token"]
        request.headers["authorization"] = f"Bearer {token}"
    return forward(request)


def _problem_as_plain_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if response.status >= 400:
        response.headers["content-type"] = "application/json"
    return response


def _invalid_query_accepted(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.method == "GET" and response.status == 400 and _rule(response) == "PORTAL-R57":
        return _made_up(200, {"view": "open", "items": []})
    return response


# -- callers and rights -----------------------------------------------------------------------
def _staff_lists_answer_patients(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if STAFF_LIST(request) and _rule(response) == "PORTAL-R02":
        return _made_up(200, {"view": "mine", "items": []})
    return response


def _forbidden_as_ok(rule: str, body: Any) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        response = forward(request)
        if response.status == 403 and _rule(response) == rule:
            return _made_up(200, body)
        return response

    return defect


def _admin_for_everyone(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.path.startswith(f"{PREFIX}/admin/") and response.status == 403:
        return _made_up(200, {"items": []})
    return response


def _removed_patient_gets_a_token(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.path == f"{PREFIX}/token" and response.status == 403:
        token = {"access_token": "made-up", "token_type": "Bearer", "expires_in": 3600}
        return _made_up(200, {**token, "role": "patient", "subject": "made-up"})
    return response


def _label_not_registered(request: Request, body: Any) -> None:
    if body.get("status") == "notRegistered":
        body["label"] = "Not registered"


# -- the patient's inbox ----------------------------------------------------------------------
def _oldest_first(request: Request, body: Any) -> None:
    if not _view(request, "all"):
        body["items"] = _items(body)[::-1]


def _last_message_is_the_first(request: Request, body: Any) -> None:
    for item in _items(body):
        item["lastMessageAt"] = item.get("createdAt")


def _provider_flag_dr(request: Request, body: Any) -> None:
    for message in _every_message(body):
        if (message.get("sender") or {}).get("kind") == "provider":
            message["sender"]["flag"] = "Dr"


def _text_in_the_list(request: Request, body: Any) -> None:
    for message in _every_message(body):
        message["text"] = "The message text."


def _no_instructions(request: Request, body: Any) -> None:
    body["specialInstructions"] = {"staffMember": None, "responseMethod": None}


def _show_all_drops_archived(request: Request, body: Any) -> None:
    body["items"] = [item for item in _items(body) if not item.get("archived")]


def _reply_offered_on_own(request: Request, body: Any) -> None:
    for message in _every_message(body):
        if (message.get("sender") or {}).get("kind") == "patient":
            message["allowedActions"] = [*message.get("allowedActions", []), "reply"]


def _no_notice(request: Request, body: Any) -> None:
    body.pop("notice", None)


# -- transitions ------------------------------------------------------------------------------
FOLLOW_UP = _is("POST", r"/patient/messages/[^/]+/follow-ups")
REPLY = _is("POST", r"/patient/messages/[^/]+/replies")
ARCHIVE = _is("PUT", r"/patient/conversations/[^/]+/archive")
REOPEN = _is("PUT", r"/patient/conversations/[^/]+/unarchive")
CANCEL = _is("DELETE", r"/patient/messages/[^/]+")
MARK_READ = _is("PUT", r"/staff/conversations/[^/]+/read")


def _read_mark_forgotten(request: Request, forward: Forward) -> Response:
    """The read mark is answered but not kept: the practice's action is not recorded on the thread."""
    if MARK_READ(request):
        return _made_up(200, {"id": request.path.split("/")[-2], "unread": False})
    return forward(request)


def _cancelled_kept_as_deleted(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.method == "GET" and response.status == 404 and "/messages/" in request.path:
        return _made_up(200, {"id": request.path.split("/")[-1], "status": "DELETED"})
    return response


# -- sending ----------------------------------------------------------------------------------
def _subject_filled_in(request: Request, forward: Forward) -> Response:
    if NEW_CONVERSATION(request):
        body = _body(request)
        return _send_json(
            request,
            forward,
            {
                **body,
                "subject": body.get("subject") or "(no subject)",
                "text": body.get("text") or "(no text)",
            },
        )
    return forward(request)


def _unknown_choices_dropped(request: Request, forward: Forward) -> Response:
    if NEW_CONVERSATION(request):
        body = {k: v for k, v in _body(request).items() if v != "patientmsg-unknown-id"}
        return _send_json(request, forward, body)
    return forward(request)


def _assignee_is_the_provider(request: Request, body: Any) -> None:
    assignee = body.get("assignee")
    if isinstance(assignee, dict):
        assignee["id"] = body.get("providerId")


def _no_response_needed_ignored(request: Request, forward: Forward) -> Response:
    if NEW_CONVERSATION(request) and "noResponseNeeded" in _body(request):
        body = {k: v for k, v in _body(request).items() if k != "noResponseNeeded"}
        return _send_json(request, forward, body)
    return forward(request)


def _consent_assumed(request: Request, forward: Forward) -> Response:
    if NEW_CONVERSATION(request):
        return _send_json(request, forward, {**_body(request), "billingConsent": True})
    return forward(request)


def _instructions_lost(request: Request, body: Any) -> None:
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            message["specialInstructions"] = None


def _provider_text(field: str) -> Any:
    def edit(request: Request, body: Any) -> None:
        body[field] = {"text": ""}

    return edit


def _away_shown_as_in(request: Request, body: Any) -> None:
    if isinstance(body.get("outOfOffice"), dict):
        body["outOfOffice"]["active"] = False


def _auto_replies_hidden(request: Request, body: Any) -> None:
    for conversation in [body, *_items(body)]:
        for message in _messages(conversation):
            message["responses"] = [r for r in message.get("responses") or [] if not r.get("autoReply")]


def _wrong_effective(request: Request, body: Any) -> None:
    if isinstance(body.get("effective"), dict):
        body["effective"]["maxCharacters"] = 1


def _drop_newest_notification(request: Request, body: Any) -> None:
    notifications = [i for i in _items(body) if i.get("kind") == "notification"]
    if notifications:
        body["items"] = [i for i in _items(body) if i is not notifications[-1]]


def _notification_with_subject(request: Request, body: Any) -> None:
    for item in _items(body):
        if item.get("kind") == "notification":
            item["subject"] = "A question"


# -- the practice's side ----------------------------------------------------------------------
def _patient_page_empty(request: Request, body: Any) -> None:
    body["items"] = []


def _cannot_reply(request: Request, body: Any) -> None:
    body["canReply"] = False


def _mine_includes_another(request: Request, body: Any) -> None:
    items = _items(body)
    if request.query.get("view", ["mine"]) == ["mine"] and items:
        body["items"] = [
            *items,
            {**items[0], "id": "made-up", "assignee": {**items[0]["assignee"], "id": "x"}},
        ]


def _filter_drops(name: str, keep: Any) -> Any:
    def edit(request: Request, body: Any) -> None:
        if name in request.query:
            body["items"] = keep(_items(body))

    return edit


def _query_ignored(name: str) -> Defect:
    def defect(request: Request, forward: Forward) -> Response:
        if STAFF_LIST(request) and name in request.query:
            return forward(request.with_query({k: v for k, v in request.query.items() if k != name}))
        return forward(request)

    return defect


def _read_for_everyone(request: Request, body: Any) -> None:
    body["unread"] = False


def _transcript_as_json(request: Request, forward: Forward) -> Response:
    response = forward(request)
    if request.path.endswith("/transcript") and response.status == 200:
        response.headers["content-type"] = "application/json"
    return response


def _reassign_not_kept(request: Request, forward: Forward) -> Response:
    if _is("PUT", r"/staff/conversations/[^/]+/assignee")(request) and "made-up" not in request.path:
        response = forward(Request("GET", request.path.rsplit("/", 1)[0], dict(request.headers), b""))
        return response if response.status != 200 else _made_up(200, response.json())
    return forward(request)


def _notes_leak(request: Request, body: Any) -> None:
    body["internalNotes"] = [{"text": "Internal: call the pharmacy."}]


def _task_unlinked(request: Request, body: Any) -> None:
    body["messageId"] = None


def _get_marks_read(request: Request, forward: Forward) -> Response:
    if STAFF_ONE(request):
        forward(Request("PUT", request.path + "/read", dict(request.headers), b""))
    return forward(request)


# Requirement id -> the defect that breaks its rule (and kit options beyond --only/--strict/--allow-writes).
_DEFECTS: dict[str, Defect] = {
    "PORTAL-REQ-001": _edit_json(_is("GET", "/patient/providers"), _drop_initials),
    "PORTAL-SCH-001": _edit_json(_is("GET", "/patient/providers"), _numeric_initials),
    "PORTAL-STA-001": _restatus(lambda r: r.method == "GET", 200, 203),
    "PORTAL-HDR-001": _html_json,
    "PORTAL-SRV-001": _crash_on_response_methods,
    "PORTAL-R01": _anonymous_is_the_patient,
    "PORTAL-R02": _staff_lists_answer_patients,
    "PORTAL-R03": _forbidden_as_ok("PORTAL-R03", {"view": "mine", "items": []}),
    "PORTAL-R04": _forbidden_as_ok("PORTAL-R04", {"view": "others", "items": []}),
    "PORTAL-R05": _admin_for_everyone,
    "PORTAL-R06": _edit_json(
        _is("POST", r"/admin/patients/[^/]+/portal-invitations"), lambda r, b: b.pop("portalUrl", None), 201
    ),
    "PORTAL-R07": _removed_patient_gets_a_token,
    "PORTAL-R08": _edit_json(_is("GET", r"/staff/patients/[^/]+/portal-access"), _label_not_registered),
    "PORTAL-R09": _edit_json(PATIENT_LIST, _oldest_first),
    "PORTAL-R10": _edit_json(PATIENT_LIST, _last_message_is_the_first),
    "PORTAL-R11": _edit_json(PATIENT_LIST, _provider_flag_dr),
    "PORTAL-R12": _edit_json(PATIENT_LIST, _text_in_the_list),
    "PORTAL-R13": _edit_json(_is("GET", r"/patient/messages/[^/]+"), _no_instructions),
    "PORTAL-R14": _edit_json(PATIENT_LIST, _show_all_drops_archived),
    "PORTAL-R15": _edit_json(PATIENT_LIST, _reply_offered_on_own),
    "PORTAL-R16": _accept_refusal(FOLLOW_UP, "PORTAL-R16", 201),
    "PORTAL-R17": _accept_refusal(REPLY, "PORTAL-R17", 201),
    "PORTAL-R18": _accept_refusal(ARCHIVE, "PORTAL-R18", 200, {"id": "made-up", "archived": True}),
    "PORTAL-R19": _accept_refusal(REOPEN, "PORTAL-R19", 200, {"id": "made-up", "archived": False}),
    "PORTAL-R20": _accept_refusal(CANCEL, "PORTAL-R20", 204),
    "PORTAL-R21": _read_mark_forgotten,
    "PORTAL-R22": _cancelled_kept_as_deleted,
    "PORTAL-R23": _subject_filled_in,
    "PORTAL-R24": _unknown_choices_dropped,
    "PORTAL-R25": _edit_json(STAFF_ONE, _assignee_is_the_provider),
    "PORTAL-R26": _no_response_needed_ignored,
    "PORTAL-R27": _consent_assumed,
    "PORTAL-R28": _edit_json(PATIENT_LIST, _no_notice),
    "PORTAL-R29": _edit_json(STAFF_ONE, _instructions_lost),
    "PORTAL-R30": _edit_json(PROVIDER, _provider_text("note")),
    "PORTAL-R31": _edit_json(PROVIDER, _provider_text("banner")),
    "PORTAL-R32": _accept_refusal(NEW_CONVERSATION, "PORTAL-R33", 201),
    "PORTAL-R33": _restatus(NEW_CONVERSATION, 429, 403),
    "PORTAL-R34": _accept_refusal(NEW_CONVERSATION, "PORTAL-R35", 201),
    "PORTAL-R35": _restatus(NEW_CONVERSATION, 400, 413),
    "PORTAL-R36": _edit_json(PROVIDER, _away_shown_as_in),
    "PORTAL-R37": rewrite_json(
        _auto_replies_hidden,
        when=lambda r, response: (NEW_CONVERSATION(r) or PATIENT_LIST(r)) and response.status < 300,
    ),
    "PORTAL-R38": _edit_json(_is("GET", r"/admin/providers/[^/]+/message-settings"), _wrong_effective),
    "PORTAL-R39": _edit_json(OUTBOX, _drop_newest_notification),
    "PORTAL-R40": _edit_json(OUTBOX, _notification_with_subject),
    "PORTAL-R41": _edit_json(_is("GET", r"/staff/patients/[^/]+/conversations"), _patient_page_empty),
    "PORTAL-R42": _edit_json(_is("GET", r"/patient/messages/[^/]+"), _cannot_reply),
    "PORTAL-R43": _accept_refusal(_is("POST", r"/staff/patients/[^/]+/conversations"), "PORTAL-R43", 201),
    "PORTAL-R44": _edit_json(STAFF_LIST, _mine_includes_another),
    "PORTAL-R45": _edit_json(STAFF_LIST, _filter_drops("unreadOnly", lambda items: items[1:])),
    "PORTAL-R46": _edit_json(STAFF_LIST, _filter_drops("receivedFrom", lambda items: items[:-1])),
    "PORTAL-R47": _query_ignored("q"),
    "PORTAL-R48": _accept_refusal(_is("PUT", r"/staff/conversations/[^/]+/unread"), "PORTAL-R48", 200),
    "PORTAL-R49": _edit_json(STAFF_ONE, _read_for_everyone),
    "PORTAL-R50": _transcript_as_json,
    "PORTAL-R51": _reassign_not_kept,
    "PORTAL-R52": _accept_refusal(_is("PUT", r"/staff/conversations/[^/]+/assignee"), "PORTAL-R52", 200),
    "PORTAL-R53": _edit_json(_is("GET", r"/patient/conversations/[^/]+"), _notes_leak),
    "PORTAL-R54": _edit_json(_is("POST", r"/staff/conversations/[^/]+/tasks"), _task_unlinked, 201),
    "PORTAL-R55": _get_marks_read,
    "PORTAL-R56": _problem_as_plain_json,
    "PORTAL-R57": _invalid_query_accepted,
}


def _case(requirement_id: str, defect: Defect, extra: tuple[str, ...] = ()) -> Case:
    return requirement_case(API, requirement_id, defect, extra)


CASES: dict[str, Case] = {rid: _case(rid, defect) for rid, defect in _DEFECTS.items()}


def proven_requirements() -> set[str]:
    return {requirement for case in CASES.values() for requirement in case[3]}
