"""What Oracle's probes ask the inbox: one call, a patient's whole mailbox, a check applied on purpose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.checking import CoreCheck
from patientmsg.conformance.shared.context import ProbeContext

__all__ = [
    "ALL_STATUSES",
    "ALL_TYPES",
    "EPOCH",
    "ERROR_KEYS",
    "INBOX",
    "Page",
    "Param",
    "inbox",
    "judge",
    "mailbox",
    "page_of",
    "patient_key",
    "stamp",
]

INBOX = "/20241001/patientMessages/inboxItems"
ERROR_KEYS = ("code", "message")
# A lower bound before any message: the window then ends only at now (or at the upper bound given).
EPOCH = "1970-01-01T00:00:00Z"
ALL_STATUSES = ["OPENED", "UNREAD", "DELETED"]
ALL_TYPES = ["MESSAGE", "REMINDER"]

Param = str | int | list[str]


def inbox(ctx: ProbeContext, patient: str = "patientId", **params: Param) -> Exchange:
    return ctx.get(INBOX, params={"patientId": str(ctx.id(patient)), **params})


def stamp(moment: dt.datetime) -> str:
    """The documented request form: UTC, to the second, no milliseconds."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def patient_key(ctx: ProbeContext, *preferred: str) -> str:
    """The first configured [ids] key of `preferred` (the small mailbox first where a probe wants one)."""
    for key in preferred:
        if ctx.optional_id(key) is not None:
            return key
    return "patientId"


@dataclass(frozen=True)
class Page:
    exchange: Exchange
    items: list[dict[str, Any]]
    more: Any

    @property
    def ids(self) -> list[str]:
        return [str(item.get("id")) for item in self.items]

    @property
    def complete(self) -> bool:
        """A 200 whose items are every match: nothing left over for the filters."""
        return self.exchange.status == 200 and self.more is False


def page_of(exchange: Exchange) -> Page:
    body = body_of(exchange)
    items = body.get("items")
    found = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return Page(exchange, found, body.get("hasAdditionalListItems"))


def mailbox(ctx: ProbeContext, patient: str, *, types: Sequence[str] = ("MESSAGE",), **params: Param) -> Page:
    """Every item of the patient since the epoch, in every status (one page: up to 1000 of them)."""
    query: dict[str, Param] = {
        "createDateTimeGreaterThanOrEqualTo": EPOCH,
        "status": list(ALL_STATUSES),
        "notificationType": list(types),
        **params,
    }
    page = page_of(inbox(ctx, patient, **query))
    if page.exchange.status != 200:
        ctx.fail(
            "Oracle mailbox read refused",
            received=f"{page.exchange.status} for the patient's items since {EPOCH}",
            documented="200 PatientInboxMessagesCollection",
            exchange=page.exchange,
        )
        raise Skip(f"[ids] {patient} {ctx.id(patient)} cannot be read ({page.exchange.status})")
    return page


def judge(ctx: ProbeContext, exchange: Exchange, check: CoreCheck) -> bool:
    """Apply a response check to a response the probe asked for on purpose; False when it did not apply."""
    try:
        applied = check(exchange) is not True
    except ConformanceFailure as failure:
        title = failure.title or ""
        ctx.fail(title, received=failure.received, documented=failure.documented, exchange=exchange)
        return True
    if applied:
        ctx.checked(exchange)
    return applied
