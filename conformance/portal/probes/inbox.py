"""The patient's side, read-only: the inbox, its order and nesting, flags, details, providers, settings."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.portal.calls import (
    call,
    expect,
    items_of,
    messages_of,
)
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__: list[str] = []

# The actions a message or conversation may offer, and what rules out each one.
_PATIENT_ONLY = {"followUp", "cancel"}
_PROVIDER_ONLY = {"reply"}


def _inbox(ctx: ProbeContext, view: str = "open") -> Exchange:
    def compute() -> Exchange:
        return call(ctx, "GET", "/patient/conversations", params={"view": view})

    return ctx.memo(f"portal_inbox_{view}", compute)


def _conversations(ctx: ProbeContext, view: str = "open") -> tuple[Exchange, list[dict[str, Any]]]:
    exchange = _inbox(ctx, view)
    items = items_of(exchange)
    if exchange.status != 200 or not items:
        raise Skip(f"the patient login's inbox (view={view}) is empty or unreadable: {exchange.status}")
    return exchange, items


def _key(item: dict[str, Any]) -> tuple[str, str]:
    return str(item.get("lastMessageAt") or ""), str(item.get("id") or "")


@probe("portal")
def portal_inbox_is_open_newest_first_and_nested(ctx: ProbeContext) -> None:
    exchange, items = _conversations(ctx)
    expect(
        ctx,
        all(item.get("archived") is False for item in items),
        exchange,
        "the inbox lists an archived conversation",
        "open (un-archived) conversations only (PORTAL-R09)",
    )
    times = [str(item.get("lastMessageAt") or "") for item in items]
    expect(
        ctx,
        times == sorted(times, reverse=True),
        exchange,
        "the inbox is not in reverse chronological order",
        "newest conversation first (PORTAL-R09)",
    )
    nested = True
    for item in items:
        for message in item.get("messages") or []:
            nested &= message.get("parentId") is None
            for response in messages_of({"messages": message.get("responses") or []}):
                nested &= response.get("parentId") is not None
    expect(
        ctx,
        nested,
        exchange,
        "follow-ups and responses are not nested under the original message",
        "originals at the top (parentId null), follow-ups and responses in their responses (PORTAL-R09)",
    )


@probe("portal")
def portal_inbox_order_is_by_latest_message(ctx: ProbeContext) -> None:
    exchange, items = _conversations(ctx, "all")
    keys = [_key(item) for item in items]
    expect(
        ctx,
        keys == sorted(keys, reverse=True),
        exchange,
        "conversations are not ordered by their latest message, ties by id descending",
        "lastMessageAt descending, then id descending (PORTAL-R10)",
    )
    for item in items:
        latest = max((str(m.get("sentAt") or "") for m in messages_of(item)), default="")
        expect(
            ctx,
            latest == str(item.get("lastMessageAt") or ""),
            exchange,
            f"conversation {item.get('id')}'s lastMessageAt is not its latest message",
            "lastMessageAt is the sentAt of the conversation's latest message (PORTAL-R10)",
        )
        for message in messages_of(item):
            sent = [str(r.get("sentAt") or "") for r in message.get("responses") or []]
            expect(
                ctx,
                sent == sorted(sent),
                exchange,
                f"nested messages under {message.get('id')} are not oldest first",
                "responses oldest first (PORTAL-R10)",
            )


@probe("portal")
def portal_messages_are_flagged_by_sender(ctx: ProbeContext) -> None:
    exchange, items = _conversations(ctx, "all")
    providers = call(ctx, "GET", "/patient/providers")
    initials = {str(p.get("id")): p.get("initials") for p in items_of(providers)}
    for message in (m for item in items for m in messages_of(item)):
        sender = message.get("sender") or {}
        wanted: Any = "Me"
        if sender.get("kind") != "patient":
            if str(sender.get("staffMemberId")) not in initials:
                continue  # a staff member who is not a provider: no initials to compare with
            wanted = initials[str(sender.get("staffMemberId"))]
        expect(
            ctx,
            sender.get("flag") == wanted,
            exchange,
            f"message {message.get('id')} is flagged {sender.get('flag')!r}",
            f'"Me" for the patient, the provider\'s initials ({wanted!r}) for the provider (PORTAL-R11)',
        )


@probe("portal")
def portal_inbox_shows_only_subject_and_date(ctx: ProbeContext) -> None:
    exchange, items = _conversations(ctx, "all")
    for message in (m for item in items for m in messages_of(item)):
        expect(
            ctx,
            "text" not in message
            and "specialInstructions" not in message
            and bool(message.get("subject"))
            and bool(message.get("sentAt")),
            exchange,
            f"the inbox shows more or less than subject and date for {message.get('id')}",
            "subject and sentAt only; the text is in Show Details (PORTAL-R12)",
        )


@probe("portal")
def portal_details_give_text_and_instructions(ctx: ProbeContext) -> None:
    exchange = call(ctx, "GET", f"/patient/messages/{ctx.id('instructed_messageId')}")
    body = body_of(exchange)
    instructions = body.get("specialInstructions") or {}
    expect(
        ctx,
        exchange.status == 200
        and isinstance(body.get("text"), str)
        and bool(body["text"])
        and instructions.get("staffMember") is not None
        and instructions.get("responseMethod") is not None,
        exchange,
        "Show Details does not give the text and the special instructions the patient added",
        "text, and specialInstructions naming the staff member and the response method (PORTAL-R13)",
    )


@probe("portal")
def portal_show_all_includes_archived(ctx: ProbeContext) -> None:
    archived = str(ctx.id("archived_conversationId"))
    open_view, every = _inbox(ctx, "open"), _inbox(ctx, "all")
    expect(
        ctx,
        open_view.status == 200 and archived not in {str(i.get("id")) for i in items_of(open_view)},
        open_view,
        "an archived conversation is listed without Show All Conversations",
        "hidden until view=all (PORTAL-R14)",
    )
    marked = [i for i in items_of(every) if str(i.get("id")) == archived]
    expect(
        ctx,
        len(marked) == 1 and marked[0].get("archived") is True,
        every,
        "Show All Conversations does not list the archived conversation marked archived",
        "view=all lists it with archived: true (PORTAL-R14)",
    )
    opened = {str(i.get("id")) for i in items_of(open_view)}
    expect(
        ctx,
        opened <= {str(i.get("id")) for i in items_of(every)},
        every,
        "Show All Conversations leaves out an open conversation",
        "view=all lists the open ones too (PORTAL-R14)",
    )


def _refused_actions(conversation: dict[str, Any], message: dict[str, Any]) -> set[str]:
    refused: set[str] = set()
    if conversation.get("archived"):
        refused |= {"followUp", "reply", "cancel"}
    kind = (message.get("sender") or {}).get("kind")
    refused |= _PROVIDER_ONLY if kind == "patient" else _PATIENT_ONLY
    if message.get("autoReply"):
        refused |= {"reply"}
    # An auto-reply is not an action taken on the message (PORTAL-R37); anything else nested is.
    if any(not response.get("autoReply") for response in message.get("responses") or []):
        refused |= {"cancel"}
    return refused


@probe("portal")
def portal_allowed_actions_match_the_rules(ctx: ProbeContext) -> None:
    exchange, items = _conversations(ctx, "all")
    for item in items:
        archived = bool(item.get("archived"))
        wanted = "reopen" if archived else "archive"
        unwanted = "archive" if archived else "reopen"
        actions = set(item.get("allowedActions") or [])
        expect(
            ctx,
            wanted in actions and unwanted not in actions,
            exchange,
            f"conversation {item.get('id')} offers {sorted(actions)}",
            f"{wanted}, never {unwanted}, on an {'archived' if archived else 'open'} one (PORTAL-R15)",
        )
        for message in messages_of(item):
            offered = set(message.get("allowedActions") or [])
            wrong = offered & _refused_actions(item, message)
            expect(
                ctx,
                "showDetails" in offered and not wrong,
                exchange,
                f"message {message.get('id')} offers {sorted(offered)}",
                "showDetails always; never an action its rule refuses (PORTAL-R15)",
            )
    fetched = call(ctx, "GET", f"/patient/messages/{ctx.id('provider_reply_messageId')}")
    body = body_of(fetched)
    offered = set(body.get("allowedActions") or [])
    expect(
        ctx,
        fetched.status == 200
        and body.get("canReply") == ("reply" in offered)
        and body.get("canFollowUp") == ("followUp" in offered),
        fetched,
        "a message's canReply and canFollowUp disagree with its allowedActions",
        "canReply and canFollowUp say what allowedActions offers (PORTAL-R15)",
    )


@probe("portal")
def portal_non_urgent_notice_is_shown(ctx: ProbeContext) -> None:
    for exchange in (_inbox(ctx, "open"), call(ctx, "GET", "/patient/providers")):
        notice = body_of(exchange).get("notice")
        expect(
            ctx,
            exchange.status == 200 and isinstance(notice, str) and "non-urgent" in notice.lower(),
            exchange,
            "the inbox or the provider choice does not say messaging is for non-urgent requests",
            'notice: "Electronic communications are for non-urgent requests only." (PORTAL-R28)',
        )


def _settings(ctx: ProbeContext, provider: str) -> dict[str, Any]:
    exchange = call(ctx, "GET", f"/admin/providers/{ctx.id(provider)}/message-settings", "admin")
    ctx.checked(exchange)
    body = body_of(exchange)
    if exchange.status != 200:
        raise Skip(f"the administrator cannot read {provider}'s message settings ({exchange.status})")
    return body


def _patient_text(ctx: ProbeContext, field: str, rule: str, where: str) -> None:
    provider = ctx.id("provider_openId")
    effective = (_settings(ctx, "provider_openId").get("effective") or {}).get(field) or {}
    exchange = call(ctx, "GET", f"/patient/providers/{provider}")
    shown = body_of(exchange).get(field) or {}
    expect(
        ctx,
        exchange.status == 200 and bool(effective.get("text")) and shown.get("text") == effective.get("text"),
        exchange,
        f"the provider's {field} is not shown to the patient",
        f"{field}.text as the provider's settings set it ({effective.get('text')!r}), {where} ({rule})",
    )


@probe("portal")
def portal_provider_note_is_shown(ctx: ProbeContext) -> None:
    _patient_text(ctx, "note", "PORTAL-R30", "when a patient messages the provider")


@probe("portal")
def portal_provider_banner_is_shown(ctx: ProbeContext) -> None:
    _patient_text(ctx, "banner", "PORTAL-R31", "when a patient selects the provider")


@probe("portal")
def portal_out_of_office_is_shown(ctx: ProbeContext) -> None:
    for provider, active in (("provider_awayId", True), ("provider_openId", False)):
        exchange = call(ctx, "GET", f"/patient/providers/{ctx.id(provider)}")
        shown = (body_of(exchange).get("outOfOffice") or {}).get("active")
        expect(
            ctx,
            exchange.status == 200 and shown is active,
            exchange,
            f"{provider} does not show outOfOffice.active {active}",
            f"outOfOffice.active {active} for {provider} (PORTAL-R36)",
        )


@probe("portal")
def portal_effective_settings_follow_the_defaults(ctx: ProbeContext) -> None:
    practice = call(ctx, "GET", "/admin/message-settings", "admin")
    defaults = body_of(practice)
    if practice.status != 200:
        raise Skip(f"the administrator cannot read the practice's message settings ({practice.status})")
    for provider in ("provider_openId", "provider_tightId", "provider_awayId", "provider_billingId"):
        if ctx.optional_id(provider) is None:
            continue
        body = _settings(ctx, provider)
        own, effective = body.get("settings") or {}, body.get("effective") or {}
        wrong = [
            key
            for key, value in effective.items()
            if key in own and value != (own[key] if own[key] is not None else defaults.get(key))
        ]
        expect(
            ctx,
            bool(effective) and not wrong,
            ctx.last or practice,
            f"{provider}'s effective settings differ from own-else-default in {wrong}",
            "effective = the provider's value where set (not null), else the practice default (PORTAL-R38)",
        )


@probe("portal")
def portal_invalid_input_gets_400(ctx: ProbeContext) -> None:
    cases = (
        ("/patient/conversations", "patient", {"view": "bogus"}, "view"),
        ("/staff/conversations", "staff", {"unreadOnly": "maybe"}, "unreadOnly"),
        ("/staff/conversations", "staff", {"receivedFrom": "yesterday"}, "receivedFrom"),
    )
    for path, role, params, field in cases:
        exchange = call(ctx, "GET", path, role, params=params)
        body = body_of(exchange)
        named = field in str(body.get("detail")) or any(
            isinstance(e, dict) and e.get("field") == field for e in body.get("errors") or []
        )
        expect(
            ctx,
            exchange.status == 400 and named,
            exchange,
            f"{field}={params[field]} is not refused with a 400 naming {field}",
            f"400 naming {field} (PORTAL-R57)",
        )
