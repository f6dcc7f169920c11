"""The patient's actions and refusals: follow-up, reply, archive, re-open, cancel (409 naming the rule)."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.portal.calls import (
    call,
    conversation_ids,
    expect,
    expect_refusal,
    messages_of,
    staff_started,
    start_conversation,
)
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__: list[str] = []


def _nested_under(ctx: ProbeContext, conversation: str, parent: str, child: Any) -> bool:
    fetched = call(ctx, "GET", f"/patient/conversations/{conversation}")
    ctx.checked(fetched)
    for message in messages_of(body_of(fetched)):
        if str(message.get("id")) == parent:
            return any(str(r.get("id")) == str(child) for r in message.get("responses") or [])
    return False


@probe("portal", writes=True)
def portal_follow_up_only_on_own_open_messages(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "follow-up allowed")
    sent = call(ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "More."})
    child = body_of(sent).get("id")
    expect(
        ctx,
        sent.status == 201 and body_of(sent).get("parentId") == started.message_id,
        sent,
        "a follow-up on an open message the patient sent is not accepted",
        "201, parentId the original (PORTAL-R16)",
    )
    expect(
        ctx,
        _nested_under(ctx, started.id, started.message_id, child),
        ctx.last or sent,
        "the follow-up is not nested below the original",
        "in the original's responses (PORTAL-R16)",
    )
    staff = staff_started(ctx, "no follow-up on the provider's message")
    refused = call(ctx, "POST", f"/patient/messages/{staff.message_id}/follow-ups", json={"text": "No."})
    expect_refusal(
        ctx, refused, 409, "PORTAL-R16", "a follow-up on the provider's message is accepted", "only your own"
    )
    call(ctx, "PUT", f"/patient/conversations/{started.id}/archive")
    refused = call(ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "No."})
    expect_refusal(
        ctx, refused, 409, "PORTAL-R16", "a follow-up in an archived conversation is accepted", "open only"
    )


@probe("portal", writes=True)
def portal_reply_only_on_open_provider_messages(ctx: ProbeContext) -> None:
    staff = staff_started(ctx, "reply allowed")
    sent = call(ctx, "POST", f"/patient/messages/{staff.message_id}/replies", json={"text": "Thanks."})
    expect(
        ctx,
        sent.status == 201 and body_of(sent).get("parentId") == staff.message_id,
        sent,
        "a reply to an open message the provider sent is not accepted",
        "201, parentId the original (PORTAL-R17)",
    )
    expect(
        ctx,
        _nested_under(ctx, staff.id, staff.message_id, body_of(sent).get("id")),
        ctx.last or sent,
        "the reply is not nested below the original",
        "in the original's responses (PORTAL-R17)",
    )
    own = start_conversation(ctx, "no reply to my own message")
    refused = call(ctx, "POST", f"/patient/messages/{own.message_id}/replies", json={"text": "No."})
    expect_refusal(
        ctx, refused, 409, "PORTAL-R17", "a reply to the patient's own message is accepted", "provider's only"
    )
    call(ctx, "PUT", f"/patient/conversations/{staff.id}/archive")
    refused = call(ctx, "POST", f"/patient/messages/{staff.message_id}/replies", json={"text": "No."})
    expect_refusal(
        ctx, refused, 409, "PORTAL-R17", "a reply in an archived conversation is accepted", "open only"
    )


@probe("portal", writes=True)
def portal_archive_only_open_conversations(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "archive")
    call(ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "More."})
    archived = call(ctx, "PUT", f"/patient/conversations/{started.id}/archive")
    body = body_of(archived)
    expect(
        ctx,
        archived.status == 200
        and body.get("archived") is True
        and not any(
            {"followUp", "reply", "cancel"} & set(m.get("allowedActions") or []) for m in messages_of(body)
        ),
        archived,
        "archive does not close the entire thread",
        "200, archived: true, no follow-up, reply or cancel left on any of its messages (PORTAL-R18)",
    )
    again = call(ctx, "PUT", f"/patient/conversations/{started.id}/archive")
    expect_refusal(ctx, again, 409, "PORTAL-R18", "an archived conversation is archived again", "open only")


@probe("portal", writes=True)
def portal_reopen_only_archived_conversations(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "re-open")
    refused = call(ctx, "PUT", f"/patient/conversations/{started.id}/unarchive")
    expect_refusal(ctx, refused, 409, "PORTAL-R19", "an open conversation is re-opened", "archived only")
    call(ctx, "PUT", f"/patient/conversations/{started.id}/archive")
    reopened = call(ctx, "PUT", f"/patient/conversations/{started.id}/unarchive")
    expect(
        ctx,
        reopened.status == 200 and body_of(reopened).get("archived") is False,
        reopened,
        "an archived conversation is not re-opened",
        "200, archived: false (PORTAL-R19)",
    )
    sent = call(ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "Again."})
    expect(
        ctx,
        sent.status == 201,
        sent,
        "a re-opened conversation refuses a follow-up",
        "follow-ups allowed again (PORTAL-R19)",
    )


@probe("portal", writes=True)
def portal_cancel_only_before_any_action(ctx: ProbeContext) -> None:
    untouched = start_conversation(ctx, "cancel allowed")
    cancelled = call(ctx, "DELETE", f"/patient/messages/{untouched.message_id}")
    expect(
        ctx,
        cancelled.status == 204,
        cancelled,
        "a message with no action taken on it cannot be cancelled",
        "204 (PORTAL-R20)",
    )
    followed = start_conversation(ctx, "cancel after a follow-up")
    call(ctx, "POST", f"/patient/messages/{followed.message_id}/follow-ups", json={"text": "More."})
    refused = call(ctx, "DELETE", f"/patient/messages/{followed.message_id}")
    expect_refusal(ctx, refused, 409, "PORTAL-R20", "a followed-up message is cancelled", "no action yet")
    archived = start_conversation(ctx, "cancel after an archive")
    call(ctx, "PUT", f"/patient/conversations/{archived.id}/archive")
    call(ctx, "PUT", f"/patient/conversations/{archived.id}/unarchive")
    refused = call(ctx, "DELETE", f"/patient/messages/{archived.message_id}")
    expect_refusal(ctx, refused, 409, "PORTAL-R20", "a once-archived message is cancelled", "no action yet")
    staff = staff_started(ctx, "the patient cannot cancel the provider's message")
    refused = call(ctx, "DELETE", f"/patient/messages/{staff.message_id}")
    expect_refusal(ctx, refused, 409, "PORTAL-R20", "the provider's message is cancelled", "your own only")


@probe("portal", writes=True)
def portal_practice_action_blocks_cancel(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "cancel after the practice read it")
    marked = call(ctx, "PUT", f"/staff/conversations/{started.id}/read", "provider_open")
    expect(ctx, marked.status == 200, marked, "the assignee cannot mark it read", "200 (PORTAL-R49)")
    refused = call(ctx, "DELETE", f"/patient/messages/{started.message_id}")
    expect_refusal(
        ctx, refused, 409, "PORTAL-R20", "a message the practice acted on is cancelled", "an action was taken"
    )


@probe("portal", writes=True)
def portal_cancelled_message_is_gone_on_both_sides(ctx: ProbeContext) -> None:
    started = start_conversation(ctx, "cancelled and gone")
    cancelled = call(ctx, "DELETE", f"/patient/messages/{started.message_id}")
    ctx.checked(cancelled)
    if cancelled.status != 204:
        ctx.fail(
            "an untouched message cannot be cancelled",
            received=f"{cancelled.status}",
            documented="204 (PORTAL-R20)",
            exchange=cancelled,
        )
        return
    for path, role in (
        (f"/patient/messages/{started.message_id}", "patient"),
        (f"/patient/conversations/{started.id}", "patient"),
        (f"/staff/conversations/{started.id}", "provider_open"),
    ):
        gone = call(ctx, "GET", path, role)
        expect(
            ctx,
            gone.status == 404,
            gone,
            "a cancelled message can still be fetched",
            "404 to the patient and to staff: permanently deleted, no DELETED status (PORTAL-R22)",
        )
    listed = call(ctx, "GET", "/patient/conversations", params={"view": "all"})
    staff_list = call(ctx, "GET", f"/staff/patients/{ctx.id('patientId')}/conversations", "provider_open")
    for exchange in (listed, staff_list):
        expect(
            ctx,
            exchange.status == 200 and started.id not in conversation_ids(exchange),
            exchange,
            "a cancelled message is still listed",
            "in no list (PORTAL-R22)",
        )
