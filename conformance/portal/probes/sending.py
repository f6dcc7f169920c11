"""Sending: the new message's fields and choices, consent, limits, out of office, notifications."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.portal.calls import (
    Started,
    call,
    conversation_ids,
    expect,
    expect_refusal,
    items_of,
    messages_of,
    start_conversation,
)
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__: list[str] = []

UNKNOWN = "patientmsg-unknown-id"


def _all_ids(ctx: ProbeContext, role: str = "patient") -> list[str]:
    return conversation_ids(call(ctx, "GET", "/patient/conversations", role, params={"view": "all"}))


def _new(ctx: ProbeContext, provider: str, role: str = "patient", **fields: Any) -> Exchange:
    body = {"providerId": ctx.id(provider), "subject": "patientmsg check", "text": "A question.", **fields}
    return call(ctx, "POST", "/patient/conversations", role, json=body)


@probe("portal", writes=True)
def portal_new_message_needs_subject_and_text(ctx: ProbeContext) -> None:
    provider = ctx.id("provider_openId")
    for body in (
        {"providerId": provider, "text": "No subject."},
        {"providerId": provider, "subject": "No text"},
        {"providerId": provider, "subject": "", "text": "Empty subject."},
        {"providerId": provider, "subject": "Empty text", "text": ""},
    ):
        exchange = call(ctx, "POST", "/patient/conversations", json=body)
        expect(
            ctx,
            exchange.status == 400,
            exchange,
            "a new message without a subject or text is accepted",
            "400: a message has a subject and text (PORTAL-R23)",
        )


@probe("portal", writes=True)
def portal_choices_come_from_the_readable_lists(ctx: ProbeContext) -> None:
    members = items_of(call(ctx, "GET", "/patient/staff-members"))
    methods = items_of(call(ctx, "GET", "/patient/response-methods"))
    if not members or not methods:
        raise Skip("the patient login reads no staff members or no response methods to choose from")
    for field in ("staffMemberId", "responseMethodId"):
        refused = _new(ctx, "provider_openId", **{field: UNKNOWN})
        expect(
            ctx,
            refused.status == 400,
            refused,
            f"a {field} not on the patient's lists is accepted",
            "400: chosen from listStaffMembers / listResponseMethods (PORTAL-R24)",
        )
    chosen = _new(
        ctx,
        "provider_openId",
        staffMemberId=members[0].get("id"),
        responseMethodId=methods[0].get("id"),
    )
    expect(
        ctx,
        chosen.status == 201,
        chosen,
        "a staff member and response method from the lists are refused",
        "201 (PORTAL-R24)",
    )


def _assignee(ctx: ProbeContext, conversation: str) -> tuple[Exchange, Any]:
    fetched = call(ctx, "GET", f"/staff/conversations/{conversation}", "view_others_staff")
    return fetched, (body_of(fetched).get("assignee") or {}).get("id")


@probe("portal", writes=True)
def portal_chosen_staff_member_is_the_assignee(ctx: ProbeContext) -> None:
    nurse = ctx.id("staffId")
    chosen = start_conversation(ctx, "assigned to the chosen staff member", staffMemberId=nurse)
    fetched, assignee = _assignee(ctx, chosen.id)
    expect(
        ctx,
        assignee == nurse,
        fetched,
        "the chosen staff member is not the conversation's assignee",
        f"assignee {nurse} (PORTAL-R25)",
    )
    plain = start_conversation(ctx, "assigned to the provider")
    fetched, assignee = _assignee(ctx, plain.id)
    expect(
        ctx,
        assignee == ctx.id("provider_openId"),
        fetched,
        "with no staff member chosen, the provider written to is not the assignee",
        f"assignee {ctx.id('provider_openId')} (PORTAL-R25)",
    )


@probe("portal", writes=True)
def portal_no_response_needed_archives_on_send(ctx: ProbeContext) -> None:
    closed = start_conversation(ctx, "no response needed", noResponseNeeded=True)
    expect(
        ctx,
        closed.body.get("archived") is True,
        closed.exchange,
        "a message marked no response needed is not archived when sent",
        "archived: true on send (PORTAL-R26)",
    )
    inbox = call(ctx, "GET", "/patient/conversations")
    expect(
        ctx,
        inbox.status == 200 and closed.id not in conversation_ids(inbox),
        inbox,
        "the closed conversation is still in the open inbox",
        "hidden until Show All Conversations (PORTAL-R26)",
    )


@probe("portal", writes=True)
def portal_billing_consent_is_required_where_set(ctx: ProbeContext) -> None:
    # The patient with no messages: the billing provider's frequency limit never stands in the way.
    before = _all_ids(ctx, "empty_patient")
    refused = _new(ctx, "provider_billingId", "empty_patient")
    expect_refusal(
        ctx,
        refused,
        409,
        "PORTAL-R27",
        "a message to a provider that charges is accepted without billing consent",
        "billingConsent: true is needed",
    )
    after = call(ctx, "GET", "/patient/conversations", "empty_patient", params={"view": "all"})
    expect(
        ctx,
        conversation_ids(after) == before,
        after,
        "the refused message was recorded",
        "nothing is sent (PORTAL-R27)",
    )


@probe("portal", writes=True)
def portal_practice_sees_text_and_instructions(ctx: ProbeContext) -> None:
    members = items_of(call(ctx, "GET", "/patient/staff-members"))
    methods = items_of(call(ctx, "GET", "/patient/response-methods"))
    if not members or not methods:
        raise Skip("the patient login reads no staff members or no response methods to choose from")
    member, method = members[0].get("id"), methods[0].get("id")
    started = start_conversation(ctx, "instructions", staffMemberId=member, responseMethodId=method)
    fetched = call(ctx, "GET", f"/staff/conversations/{started.id}", "view_others_staff")
    messages = body_of(fetched).get("messages") or []
    first = messages[0] if messages and isinstance(messages[0], dict) else {}
    instructions = first.get("specialInstructions") or {}
    expect(
        ctx,
        first.get("text") == "instructions."
        and (instructions.get("staffMember") or {}).get("id") == member
        and (instructions.get("responseMethod") or {}).get("id") == method,
        fetched,
        "the practice side does not show the message and its special instructions",
        f"text and specialInstructions (staff member {member}, method {method}) (PORTAL-R29)",
    )


class _Limited:
    """Messages to the provider with a tight frequency limit until one is refused (bounded)."""

    def __init__(self, before: list[str], refused: Exchange, after: Exchange, stock: Any) -> None:
        self.before, self.refused, self.after, self.stock = before, refused, after, stock


def _over_the_limit(ctx: ProbeContext) -> _Limited:
    def compute() -> _Limited:
        provider = call(ctx, "GET", f"/patient/providers/{ctx.id('provider_tightId')}")
        limits = body_of(provider).get("frequencyLimits") or []
        if provider.status != 200 or not limits:
            raise Skip("provider_tightId shows no frequencyLimits: the limit probe needs a limited provider")
        most = max(int(limit.get("maxMessages") or 0) for limit in limits)
        settings = call(
            ctx, "GET", f"/admin/providers/{ctx.id('provider_tightId')}/message-settings", "admin"
        )
        stock = (body_of(settings).get("effective") or {}).get("limitMessage")
        for _ in range(most + 1):
            before = _all_ids(ctx)
            sent = _new(ctx, "provider_tightId", text="Within the size limit.")
            if sent.status != 201:
                after = call(ctx, "GET", "/patient/conversations", params={"view": "all"})
                return _Limited(before, sent, after, stock)
        raise ConformanceFailure(
            "the frequency limit never refused a message",
            received=f"{most + 1} messages accepted; last: {describe(sent)}",
            documented=f"at most {most} per period (PORTAL-R32)",
        )

    return ctx.memo("portal_over_the_limit", compute)


@probe("portal", writes=True)
def portal_frequency_limit_refuses_and_records_nothing(ctx: ProbeContext) -> None:
    limited = _over_the_limit(ctx)
    expect(
        ctx,
        400 <= limited.refused.status < 500,
        limited.refused,
        "a message over the frequency limit is not refused",
        "refused (PORTAL-R32)",
    )
    expect(
        ctx,
        conversation_ids(limited.after) == limited.before,
        limited.after,
        "a refused message over the frequency limit was recorded",
        "not recorded (PORTAL-R32)",
    )


@probe("portal", writes=True)
def portal_frequency_limit_is_429_with_retry_after(ctx: ProbeContext) -> None:
    limited = _over_the_limit(ctx)
    refused = limited.refused
    retry = refused.headers.get("retry-after", "")
    expect(
        ctx,
        refused.status == 429
        and retry.isdigit()
        and int(retry) > 0
        and body_of(refused).get("detail") == limited.stock,
        refused,
        "over the frequency limit, no 429 with Retry-After and the stock message",
        f"429, Retry-After: <seconds>, detail {limited.stock!r} (PORTAL-R33)",
    )


def _over_the_size(ctx: ProbeContext) -> tuple[list[str], Exchange, Exchange, int]:
    def compute() -> tuple[list[str], Exchange, Exchange, int]:
        provider = call(ctx, "GET", f"/patient/providers/{ctx.id('provider_openId')}")
        limit = body_of(provider).get("maxCharacters")
        if not isinstance(limit, int) or limit <= 0 or limit > 1_000_000:
            raise Skip("provider_openId shows no maxCharacters (up to 1,000,000) to cross")
        before = _all_ids(ctx)
        refused = _new(ctx, "provider_openId", text="x" * (limit + 1))
        after = call(ctx, "GET", "/patient/conversations", params={"view": "all"})
        return before, refused, after, limit

    return ctx.memo("portal_over_the_size", compute)


@probe("portal", writes=True)
def portal_size_limit_refuses_and_records_nothing(ctx: ProbeContext) -> None:
    before, refused, after, limit = _over_the_size(ctx)
    expect(
        ctx,
        400 <= refused.status < 500,
        refused,
        f"a message of {limit + 1} characters is not refused",
        f"refused over maxCharacters {limit} (PORTAL-R34)",
    )
    expect(
        ctx,
        conversation_ids(after) == before,
        after,
        "a refused message over the size limit was recorded",
        "not recorded (PORTAL-R34)",
    )


@probe("portal", writes=True)
def portal_size_limit_is_400_naming_the_limit(ctx: ProbeContext) -> None:
    _, refused, _, limit = _over_the_size(ctx)
    named = body_of(refused).get("limit") or {}
    expect(
        ctx,
        refused.status == 400 and named.get("name") == "maxCharacters" and named.get("value") == limit,
        refused,
        "over the size limit, no 400 naming the limit",
        f"400 with limit {{name: maxCharacters, value: {limit}}} (PORTAL-R35)",
    )


def _lift_away_limits(ctx: ProbeContext) -> None:
    """The out-of-office probe writes to provider_away: its own limit goes, so runs never trip 429."""
    path = f"/admin/providers/{ctx.id('provider_awayId')}/message-settings"
    current = call(ctx, "GET", path, "admin")
    settings = body_of(current).get("settings")
    if current.status != 200 or not isinstance(settings, dict):
        raise Skip(f"the administrator cannot read provider_away's settings ({current.status})")
    if settings.get("frequencyLimits") != []:
        call(ctx, "PUT", path, "admin", json={**settings, "frequencyLimits": []})


def _auto_replies(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in messages_of(conversation) if m.get("autoReply") is True]


@probe("portal", writes=True)
def portal_out_of_office_auto_reply_once_a_day(ctx: ProbeContext) -> None:
    _lift_away_limits(ctx)
    sends = [start_conversation(ctx, f"out of office {n}", "provider_awayId") for n in (1, 2)]
    today = str(sends[0].body.get("createdAt") or "")[:10]
    replied = [s for s in sends if _auto_replies(s.body)]
    for started in replied:
        reply = _auto_replies(started.body)[0]
        expect(
            ctx,
            reply.get("parentId") == started.message_id
            and "reply" not in (reply.get("allowedActions") or []),
            started.exchange,
            "the auto-reply is not nested under the message, or allows a reply",
            "nested under the patient's message, no reply (PORTAL-R37)",
        )
        expect(
            ctx,
            "cancel" in (messages_of(started.body)[0].get("allowedActions") or []),
            started.exchange,
            "the auto-reply counts as an action on the message",
            "the message can still be cancelled (PORTAL-R37)",
        )
    earlier = call(ctx, "GET", "/patient/conversations", params={"view": "all"})
    away = ctx.id("provider_awayId")
    mine = {s.id for s in sends}
    todays = [
        m
        for item in items_of(earlier)
        if item.get("providerId") == away and item.get("id") not in mine
        for m in _auto_replies(item)
        if str(m.get("sentAt") or "")[:10] == today
    ]
    expect(
        ctx,
        len(replied) <= 1 and (len(replied) == 1) != bool(todays),
        replied[-1].exchange if len(replied) > 1 else sends[0].exchange,
        f"{len(replied)} of 2 messages today got an auto-reply ({len(todays)} earlier today)",
        "one auto-reply a day (UTC) per patient and provider while out of office (PORTAL-R37)",
    )


def _notified(ctx: ProbeContext) -> tuple[Started, Exchange, Exchange, set[str]]:
    def compute() -> tuple[Started, Exchange, Exchange, set[str]]:
        started = start_conversation(ctx, "notification")
        follow = call(
            ctx, "POST", f"/patient/messages/{started.message_id}/follow-ups", json={"text": "More."}
        )
        practice = body_of(call(ctx, "GET", "/admin/message-settings", "admin"))
        own = body_of(
            call(ctx, "GET", f"/admin/providers/{ctx.id('provider_openId')}/message-settings", "admin")
        )
        destination = (own.get("effective") or {}).get("destinationEmail") or practice.get("replyToEmail")
        outbox = call(ctx, "GET", "/admin/outbox", "admin")
        return started, follow, outbox, {str(destination)}

    return ctx.memo("portal_notified", compute)


@probe("portal", writes=True)
def portal_each_message_records_one_notification(ctx: ProbeContext) -> None:
    started, follow, outbox, destinations = _notified(ctx)
    mine = [
        item
        for item in items_of(outbox)
        if item.get("kind") == "notification" and item.get("conversationId") == started.id
    ]
    wanted = {started.message_id, str(body_of(follow).get("id"))}
    expect(
        ctx,
        sorted(str(item.get("messageId")) for item in mine) == sorted(wanted),
        outbox,
        f"{len(mine)} notifications for 2 patient messages",
        "one notification per message received: the new message and its follow-up (PORTAL-R39)",
    )
    expect(
        ctx,
        bool(mine) and all(str(item.get("to")) in destinations for item in mine),
        outbox,
        "a notification goes elsewhere than the destination email or the reply-to address",
        f"to {sorted(destinations)} (PORTAL-R39)",
    )


@probe("portal", writes=True)
def portal_notifications_carry_no_content(ctx: ProbeContext) -> None:
    started, _, outbox, _ = _notified(ctx)
    mine = [
        item
        for item in items_of(outbox)
        if item.get("kind") == "notification" and item.get("conversationId") == started.id
    ]
    content = {"subject", "text", "specialInstructions", "body"}
    expect(
        ctx,
        bool(mine) and not any(content & set(item) for item in mine) and b"notification." not in outbox.body,
        outbox,
        "a notification carries message content",
        "no subject, text or instructions: only who, which conversation and when (PORTAL-R40)",
    )
