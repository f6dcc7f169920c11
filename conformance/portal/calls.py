"""The portal's calls as probes make them: a caller per role, JSON bodies, problem-details refusals."""

from __future__ import annotations

from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.readers import describe

__all__ = [
    "Started",
    "call",
    "conversation_ids",
    "expect",
    "expect_refusal",
    "items_of",
    "login",
    "messages_of",
    "staff_started",
    "start_conversation",
]


def login(ctx: ProbeContext, role: str) -> str:
    """The Authorization header of a portal role; a role the config lacks skips the probe."""
    if not ctx.primary.has_role(role):
        raise Skip(f"no [auth.logins.{role}] in the config: this probe needs that caller")
    return ctx.primary.role_authorization(role)


def call(
    ctx: ProbeContext,
    method: str,
    path: str,
    role: str = "patient",
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
) -> Exchange:
    return ctx.request(method, path, json=json, params=params, authorization=login(ctx, role))


def expect(ctx: ProbeContext, holds: bool, exchange: Exchange, title: str, documented: str) -> bool:
    """Assert one property of an exchange: counted either way, recorded when it does not hold."""
    ctx.checked(exchange)
    if not holds:
        ctx.fail(title, received=describe(exchange, 300), documented=documented, exchange=exchange)
    return holds


def expect_refusal(
    ctx: ProbeContext, exchange: Exchange, status: int, rule: str, title: str, documented: str
) -> bool:
    """A refusal with its status and the id of the rule that refused it (`rule`)."""
    body = body_of(exchange)
    holds = exchange.status == status and body.get("rule") == rule
    return expect(ctx, holds, exchange, title, f"{status} with rule {rule}: {documented}")


def items_of(exchange: Exchange) -> list[dict[str, Any]]:
    items = body_of(exchange).get("items")
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def conversation_ids(exchange: Exchange) -> list[str]:
    return [str(item.get("id")) for item in items_of(exchange)]


def messages_of(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    """Every message of a patient-side conversation, nested ones included, in document order."""
    found: list[dict[str, Any]] = []

    def walk(messages: Any) -> None:
        for message in messages if isinstance(messages, list) else []:
            if isinstance(message, dict):
                found.append(message)
                walk(message.get("responses"))

    walk(conversation.get("messages"))
    return found


class Started:
    """A conversation a probe started: its id, its first message's id, the 201 that made it."""

    def __init__(self, exchange: Exchange) -> None:
        body = body_of(exchange)
        messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        self.exchange = exchange
        self.id = str(body.get("id"))
        self.message_id = str(messages[0].get("id")) if messages and isinstance(messages[0], dict) else ""
        self.body = body


def start_conversation(
    ctx: ProbeContext, what: str, provider: str = "provider_openId", **extra: Any
) -> Started:
    """A new patient conversation (to the provider without limits unless told); 201 or the probe fails."""
    body = {
        "providerId": ctx.id(provider),
        "subject": f"patientmsg check: {what}",
        "text": f"{what}.",
        **extra,
    }
    exchange = call(ctx, "POST", "/patient/conversations", json=body)
    if exchange.status != 201 or not Started(exchange).message_id:
        raise ConformanceFailure(
            "a new patient message was not accepted",
            received=describe(exchange, 300),
            documented="201 with the new conversation and its first message (sendPatientMessage)",
        )
    return Started(exchange)


def staff_started(ctx: ProbeContext, what: str) -> Started:
    """A conversation the provider without limits starts with the configured patient."""
    path = f"/staff/patients/{ctx.id('patientId')}/conversations"
    body = {"subject": f"patientmsg check: {what}", "text": f"{what}."}
    exchange = call(ctx, "POST", path, "provider_open", json=body)
    started = Started(exchange)
    if exchange.status != 201 or not started.id:
        raise ConformanceFailure(
            "staff could not start a conversation with the patient",
            received=describe(exchange, 300),
            documented="201 with the new conversation (startPatientConversation)",
        )
    if not started.message_id:
        staff_body = body_of(exchange)
        messages = staff_body.get("messages") if isinstance(staff_body.get("messages"), list) else []
        started.message_id = str(messages[0].get("id")) if messages else ""
    return started
