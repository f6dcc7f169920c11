"""The practice's side: views, filters, read state, transcript, notes, reassign, tasks, staff-started."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.portal.calls import (
    call,
    conversation_ids,
    expect,
    expect_refusal,
    items_of,
    staff_started,
    start_conversation,
)
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__: list[str] = []

UNKNOWN = "patientmsg-unknown-id"


def _others(ctx: ProbeContext, **params: Any) -> Exchange:
    """The view_others_staff login's view of others' conversations (every conversation but its own)."""
    return call(ctx, "GET", "/staff/conversations", "view_others_staff", params={"view": "others", **params})


def _listed(ctx: ProbeContext) -> tuple[Exchange, list[dict[str, Any]]]:
    def compute() -> tuple[Exchange, list[dict[str, Any]]]:
        exchange = _others(ctx)
        items = items_of(exchange)
        if exchange.status != 200 or not items:
            raise Skip("view=others of the view_others_staff login lists nothing to filter")
        return exchange, items

    return ctx.memo("portal_others", compute)


@probe("portal")
def portal_my_messages_are_assigned_to_me(ctx: ProbeContext) -> None:
    for role, staff in (("staff", "staffId"), ("view_others_staff", "view_others_staffId")):
        exchange = call(ctx, "GET", "/staff/conversations", role)
        items = items_of(exchange)
        if not items:
            continue
        me = ctx.id(staff)
        expect(
            ctx,
            body_of(exchange).get("view") == "mine"
            and all((item.get("assignee") or {}).get("id") == me for item in items),
            exchange,
            "My Messages lists a conversation assigned to someone else",
            f"view mine by default, every item assigned to {me} (PORTAL-R44)",
        )
    if ctx.checked_count == 0:
        raise Skip("neither the staff nor the view_others_staff login has a conversation assigned")


@probe("portal")
def portal_unread_only_lists_unread(ctx: ProbeContext) -> None:
    _, items = _listed(ctx)
    unread = _others(ctx, unreadOnly="true")
    listed = items_of(unread)
    wanted = {str(i.get("id")) for i in items if i.get("unread") is True}
    if not wanted:
        raise Skip("view=others has no unread conversation for the view_others_staff login")
    expect(
        ctx,
        all(item.get("unread") is True for item in listed) and set(conversation_ids(unread)) == wanted,
        unread,
        "unreadOnly=true does not list exactly the unread conversations",
        f"the {len(wanted)} unread ones, no other (PORTAL-R45)",
    )


@probe("portal")
def portal_date_range_filters_by_received(ctx: ProbeContext) -> None:
    _, items = _listed(ctx)
    days = sorted({str(i.get("receivedAt"))[:10] for i in items if i.get("receivedAt")})
    if not days:
        raise Skip("no conversation in view=others has received a patient message")
    for day in (days[0], days[-1]):
        exchange = _others(ctx, receivedFrom=day, receivedTo=day)
        wanted = {str(i.get("id")) for i in items if str(i.get("receivedAt") or "")[:10] == day}
        expect(
            ctx,
            set(conversation_ids(exchange)) == wanted,
            exchange,
            f"receivedFrom=receivedTo={day} does not list exactly that day's conversations",
            f"the {len(wanted)} received on {day}, inclusive (PORTAL-R46)",
        )


def _patient_name(item: dict[str, Any]) -> str:
    return str((item.get("patient") or {}).get("name") or "")


def _mentions(ctx: ProbeContext, item: dict[str, Any], query: str) -> bool:
    """Whether the patient's name, the subject or a message text holds the query (any case)."""
    wanted = query.lower()
    if wanted in _patient_name(item).lower() or wanted in str(item.get("subject") or "").lower():
        return True
    fetched = call(ctx, "GET", f"/staff/conversations/{item.get('id')}", "view_others_staff")
    messages = body_of(fetched).get("messages") or []
    return any(wanted in str(m.get("text") or "").lower() for m in messages if isinstance(m, dict))


@probe("portal")
def portal_search_finds_name_and_content(ctx: ProbeContext) -> None:
    _, items = _listed(ctx)
    # A surname in capitals (case-insensitive), and a subject: each must find the item it came from.
    surname = _patient_name(items[0]).split(" ")[-1].upper()
    if surname:
        exchange = _others(ctx, q=surname)
        found = items_of(exchange)
        stray = [i for i in found if not _mentions(ctx, i, surname)]
        expect(
            ctx,
            str(items[0].get("id")) in conversation_ids(exchange) and not stray,
            exchange,
            f"q={surname!r} does not find exactly the conversations that mention it",
            "case-insensitive search by patient name or message content (PORTAL-R47)",
        )
    nothing = _others(ctx, q="patientmsg-matches-nothing")
    expect(
        ctx,
        nothing.status == 200 and not items_of(nothing),
        nothing,
        "a search that matches nothing lists conversations",
        "an empty list (PORTAL-R47)",
    )
    subject = str(items[-1].get("subject") or "").lower()
    if subject:
        exchange = _others(ctx, q=subject)
        expect(
            ctx,
            str(items[-1].get("id")) in conversation_ids(exchange),
            exchange,
            f"q={subject!r} does not find the conversation with that subject",
            "case-insensitive search by message content (PORTAL-R47)",
        )


@probe("portal")
def portal_transcript_is_plain_text_oldest_first(ctx: ProbeContext) -> None:
    conversation = ctx.id("noted_conversationId")
    staff = call(ctx, "GET", f"/staff/conversations/{conversation}", "view_others_staff")
    notes = [str(n.get("text")) for n in body_of(staff).get("internalNotes") or [] if isinstance(n, dict)]
    texts = [str(m.get("text")) for m in body_of(staff).get("messages") or [] if isinstance(m, dict)]
    if staff.status != 200 or not texts:
        raise Skip(f"noted_conversationId {conversation} has no messages for the view_others_staff login")
    exchange = call(ctx, "GET", f"/staff/conversations/{conversation}/transcript", "view_others_staff")
    text = exchange.body.decode("utf-8", "replace")
    positions = [text.find(t) for t in texts]
    content_type = exchange.headers.get("content-type", "").split(";")[0].strip()
    expect(
        ctx,
        exchange.status == 200
        and content_type == "text/plain"
        and all(p >= 0 for p in positions)
        and positions == sorted(positions)
        and not any(note in text for note in notes),
        exchange,
        "Copy Messages is not a plain-text transcript, oldest first, without internal notes",
        "text/plain, every message's text oldest first, no internal note (PORTAL-R50)",
    )


@probe("portal")
def portal_internal_notes_never_reach_the_patient(ctx: ProbeContext) -> None:
    conversation = ctx.id("noted_conversationId")
    notes = call(ctx, "GET", f"/staff/conversations/{conversation}/internal-notes", "view_others_staff")
    texts = [str(n.get("text")) for n in items_of(notes) if n.get("text")]
    if not expect(
        ctx, notes.status == 200 and bool(texts), notes, "staff see no internal note", "notes (PORTAL-R53)"
    ):
        return
    patient_reads = [
        call(ctx, "GET", f"/patient/conversations/{conversation}"),
        call(ctx, "GET", f"/patient/messages/{ctx.id('noted_messageId')}"),
        call(ctx, "GET", "/patient/conversations", params={"view": "all"}),
    ]
    for exchange in patient_reads:
        shown = exchange.body.decode("utf-8", "replace")
        expect(
            ctx,
            exchange.status == 200
            and not any(text in shown for text in texts)
            and "internalNotes" not in shown,
            exchange,
            "an internal note reaches the patient",
            "visible to staff, never on a patient-side response (PORTAL-R53)",
        )


@probe("portal")
def portal_get_changes_nothing(ctx: ProbeContext) -> None:
    _, items = _listed(ctx)
    unread = [i for i in items if i.get("unread") is True]
    if not unread:
        raise Skip("view=others has no unread conversation to open")
    conversation = str(unread[0].get("id"))
    call(ctx, "GET", f"/staff/conversations/{conversation}", "view_others_staff")
    call(ctx, "GET", f"/staff/conversations/{conversation}/transcript", "view_others_staff")
    again = call(ctx, "GET", f"/staff/conversations/{conversation}", "view_others_staff")
    expect(
        ctx,
        again.status == 200 and body_of(again).get("unread") is True,
        again,
        "opening a conversation with GET marked it read",
        "GET never changes state: still unread until markConversationRead (PORTAL-R55)",
    )


@probe("portal")
def portal_refusal_names_its_rule(ctx: ProbeContext) -> None:
    for path, role in (("/patient/conversations/" + UNKNOWN, "patient"), ("/staff/conversations", "patient")):
        exchange = call(ctx, "GET", path, role)
        ctx.checked(exchange)
        if exchange.status < 400:
            ctx.fail(
                "a request the rules refuse was answered",
                received=f"{exchange.status}",
                documented="a refusal (PORTAL-R56)",
                exchange=exchange,
            )


@probe("portal", writes=True)
def portal_staff_start_a_conversation_from_the_patient(ctx: ProbeContext) -> None:
    patient = ctx.id("patientId")
    started = staff_started(ctx, "started by staff")
    listed = call(ctx, "GET", f"/staff/patients/{patient}/conversations", "provider_open")
    expect(
        ctx,
        started.id in conversation_ids(listed)
        and all((i.get("patient") or {}).get("id") == patient for i in items_of(listed)),
        listed,
        "the patient's page does not list that patient's conversations",
        f"the patient's past conversations, the new one included, all of {patient} (PORTAL-R41)",
    )
    inbox = call(ctx, "GET", "/patient/conversations")
    expect(
        ctx,
        started.id in conversation_ids(inbox),
        inbox,
        "the patient does not see the conversation staff started",
        "in the patient's inbox (PORTAL-R41)",
    )


@probe("portal", writes=True)
def portal_patient_can_reply_to_staff_started(ctx: ProbeContext) -> None:
    started = staff_started(ctx, "reply to staff")
    message = call(ctx, "GET", f"/patient/messages/{started.message_id}")
    expect(
        ctx,
        body_of(message).get("canReply") is True,
        message,
        "the patient may not reply to the message staff started",
        "canReply true: a message the provider sent (PORTAL-R42)",
    )
    reply = call(ctx, "POST", f"/patient/messages/{started.message_id}/replies", json={"text": "Thanks."})
    expect(ctx, reply.status == 201, reply, "the reply is refused", "201 (PORTAL-R42)")


@probe("portal", writes=True)
def portal_staff_cannot_message_patient_without_access(ctx: ProbeContext) -> None:
    for patient in ("removed_patientId", "unregistered_patientId"):
        path = f"/staff/patients/{ctx.id(patient)}/conversations"
        exchange = call(ctx, "POST", path, "provider_open", json={"subject": "No access", "text": "No."})
        expect_refusal(
            ctx,
            exchange,
            409,
            "PORTAL-R43",
            f"staff start a conversation with a patient without portal access ({patient})",
            "no portal access",
        )


@probe("portal", writes=True)
def portal_mark_unread_needs_an_incoming_message(ctx: ProbeContext) -> None:
    outgoing = staff_started(ctx, "outgoing only")
    refused = call(ctx, "PUT", f"/staff/conversations/{outgoing.id}/unread", "provider_open")
    expect_refusal(
        ctx, refused, 409, "PORTAL-R48", "an outgoing-only thread is marked unread", "incoming messages only"
    )
    incoming = start_conversation(ctx, "incoming")
    call(ctx, "PUT", f"/staff/conversations/{incoming.id}/read", "provider_open")
    marked = call(ctx, "PUT", f"/staff/conversations/{incoming.id}/unread", "provider_open")
    expect(
        ctx,
        marked.status == 200 and body_of(marked).get("unread") is True,
        marked,
        "a thread with an incoming message cannot be marked unread",
        "200, unread: true (PORTAL-R48)",
    )


def _unread(ctx: ProbeContext, conversation: str, role: str) -> tuple[Exchange, Any]:
    fetched = call(ctx, "GET", f"/staff/conversations/{conversation}", role)
    return fetched, body_of(fetched).get("unread")


@probe("portal", writes=True)
def portal_read_state_is_per_staff_user(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "read state")
    call(ctx, "PUT", f"/staff/conversations/{started.id}/read", "provider_open")
    for role, wanted in (("provider_open", False), ("view_others_staff", True)):
        fetched, unread = _unread(ctx, started.id, role)
        expect(
            ctx,
            unread is wanted,
            fetched,
            f"read state after the assignee marked it read, for {role}: unread {unread}",
            "read state per staff user: read for who marked it, unread for the others (PORTAL-R49)",
        )
    call(ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "More."})
    fetched, unread = _unread(ctx, started.id, "provider_open")
    expect(
        ctx,
        unread is True,
        fetched,
        "a new incoming message leaves the thread read",
        "unread again for every staff user (PORTAL-R49)",
    )


def _reassignable(ctx: ProbeContext) -> str:
    def compute() -> str:
        return start_conversation(ctx, "reassign", staffMemberId=ctx.id("staffId")).id

    return ctx.memo("portal_reassignable", compute)


@probe("portal", writes=True)
def portal_reassign_moves_between_lists(ctx: ProbeContext) -> None:
    conversation = start_conversation(ctx, "reassign", staffMemberId=ctx.id("staffId")).id
    before = call(ctx, "GET", "/staff/conversations", "staff")
    expect(
        ctx,
        conversation in conversation_ids(before),
        before,
        "the conversation is not in its assignee's My Messages",
        "in the chosen staff member's list (PORTAL-R51)",
    )
    target = ctx.id("view_others_staffId")
    moved = call(
        ctx, "PUT", f"/staff/conversations/{conversation}/assignee", "staff", json={"staffUserId": target}
    )
    mine = call(ctx, "GET", "/staff/conversations", "staff")
    theirs = call(ctx, "GET", "/staff/conversations", "view_others_staff")
    expect(
        ctx,
        moved.status == 200
        and conversation not in conversation_ids(mine)
        and conversation in conversation_ids(theirs),
        theirs,
        "a reassigned conversation does not move from my list to theirs",
        f"removed from my list, in {target}'s (PORTAL-R51)",
    )


@probe("portal", writes=True)
def portal_reassign_refuses_users_without_the_right(ctx: ProbeContext) -> None:
    conversation = _reassignable(ctx)
    path = f"/staff/conversations/{conversation}/assignee"
    refused = call(ctx, "PUT", path, "staff", json={"staffUserId": ctx.id("no_messaging_staffId")})
    expect_refusal(
        ctx, refused, 409, "PORTAL-R52", "a user without the messaging right receives it", "messaging right"
    )
    unknown = call(ctx, "PUT", path, "staff", json={"staffUserId": UNKNOWN})
    expect(ctx, unknown.status == 400, unknown, "an unknown user receives it", "400 (PORTAL-R52)")


@probe("portal", writes=True)
def portal_task_is_linked_to_its_message(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "task")
    path = f"/staff/conversations/{started.id}/tasks"
    created = call(
        ctx, "POST", path, "provider_open", json={"title": "Call back", "messageId": started.message_id}
    )
    task = body_of(created)
    linked = task.get("conversationId") == started.id and task.get("messageId") == started.message_id
    if not expect(
        ctx,
        created.status == 201 and linked,
        created,
        "a task is not linked to its conversation and message",
        f"201, conversationId {started.id}, messageId {started.message_id} (PORTAL-R54)",
    ):
        return
    fetched = call(ctx, "GET", f"/staff/tasks/{task.get('id')}", "provider_open")
    expect(
        ctx,
        fetched.status == 200
        and body_of(fetched).get("conversationId") == started.id
        and body_of(fetched).get("messageId") == started.message_id,
        fetched,
        "the task, fetched again, is not linked to its message",
        "the same links (PORTAL-R54)",
    )
    foreign = call(ctx, "POST", path, "provider_open", json={"title": "Wrong", "messageId": UNKNOWN})
    expect(
        ctx, foreign.status == 400, foreign, "a task links a message not in the thread", "400 (PORTAL-R54)"
    )
