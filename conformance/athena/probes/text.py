"""athena probes of showplaintext: each documented value (Y, another value, none) on both lists that take it.

Each probe first looks at the text as stored (no showplaintext): a property of plain text can only be
seen where the stored text has something to convert.
"""

from __future__ import annotations

import html
import re
from typing import Any

from patientmsg.conformance.athena.probes.read_only import list_path
from patientmsg.conformance.athena.readers import list_entries
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import ConformanceFailure, Skip
from patientmsg.conformance.shared.calls import body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["ENTITY", "TAG"]

TAG = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
# The lists that take showplaintext (sentmessages does not).
_LISTS = ("inboxmessages", "archivedmessages")
_LOOK = 50
# Each documented form: none (as stored), Y (plain text), any other value (as stored).
_FORMS: dict[str, dict[str, str | int]] = {
    "none": {"limit": _LOOK},
    "Y": {"limit": _LOOK, "showplaintext": "Y"},
    "N": {"limit": _LOOK, "showplaintext": "N"},
}

Listing = dict[str, Any]
Listings = dict[tuple[str, str], tuple[Exchange, Listing]]


def _patient(ctx: ProbeContext) -> str:
    return "small_patientid" if ctx.optional_id("small_patientid") is not None else "patientid"


def _listings(ctx: ProbeContext) -> Listings:
    """(list, form) -> (exchange, list body), for both lists in every form; read once per run."""

    def compute() -> Listings:
        found: Listings = {}
        for kind in _LISTS:
            for form, params in _FORMS.items():
                exchange = ctx.get(list_path(ctx, kind, _patient(ctx)), params=params)
                body = body_of(exchange)
                if exchange.status != 200 or not isinstance(list_entries(body, kind), list):
                    raise ConformanceFailure(
                        f"athena {kind} unreadable",
                        received=describe(exchange),
                        documented=f"200 with {kind}",
                    )
                found[(kind, form)] = (exchange, body)
        return found

    return ctx.memo("athena_showplaintext_listings", compute)


def _texts(body: Listing, kind: str) -> dict[Any, str]:
    """messageid -> text of every message on the page."""
    return {
        message.get("messageid"): message["text"]
        for thread in list_entries(body, kind) or []
        if isinstance(thread, dict)
        for message in thread.get("messagelist") or []
        if isinstance(message, dict) and isinstance(message.get("text"), str)
    }


def _stored_with(ctx: ProbeContext, pattern: re.Pattern[str], what: str) -> list[tuple[str, Any, str]]:
    """(list, messageid, stored text) of every stored text the pattern finds; skip when there is none."""
    listings = _listings(ctx)
    found = [
        (kind, messageid, text)
        for kind in _LISTS
        for messageid, text in _texts(listings[(kind, "none")][1], kind).items()
        if pattern.search(text)
    ]
    if not found:
        raise Skip(
            f"patientid {ctx.id(_patient(ctx))}'s inbox and archived text (first {_LOOK} threads) has no "
            f"{what}: showplaintext=Y has nothing to convert; set [ids] small_patientid to a patient "
            f"whose messages carry {what}"
        )
    return found


@probe("athena")
def athena_showplaintext_strips_markup(ctx: ProbeContext) -> None:
    listings = _listings(ctx)
    for kind, messageid, stored in _stored_with(ctx, TAG, "HTML markup"):
        ctx.checked(listings[(kind, "none")][0], listings[(kind, "Y")][0])
        plain = _texts(listings[(kind, "Y")][1], kind).get(messageid)
        if plain is None or TAG.search(plain):
            ctx.fail(
                "athena showplaintext=Y still returns markup",
                received=f"{kind} message {messageid}: text {str(plain)[:120]!r}",
                documented=f"showplaintext: if Y, returns the TEXT attribute in plaintext "
                f"(stored as {stored[:60]!r}...)",
            )
            return


@probe("athena")
def athena_plaintext_has_no_entities(ctx: ProbeContext) -> None:
    listings = _listings(ctx)
    for kind, messageid, stored in _stored_with(ctx, ENTITY, "character entities"):
        plain = _texts(listings[(kind, "Y")][1], kind).get(messageid)
        if plain is None:
            continue
        ctx.checked(listings[(kind, "none")][0], listings[(kind, "Y")][0])
        # An entity the stored text spells out literally (&amp;amp;) stays visible text once decoded.
        left = [entity for entity in ENTITY.findall(plain) if entity not in html.unescape(stored)]
        if left:
            ctx.fail(
                "athena showplaintext=Y leaves character entities",
                received=f"{kind} message {messageid}: {left[0]!r} in {plain[:120]!r}",
                documented="plaintext: neither tags nor character entities (&amp; decoded to &)",
            )
            return


def _shape(body: Listing, kind: str) -> tuple[Any, list[Any]]:
    threads = [thread for thread in list_entries(body, kind) or [] if isinstance(thread, dict)]
    return body.get("totalcount"), [
        (
            thread.get("documentid"),
            [m.get("messageid") for m in thread.get("messagelist") or [] if isinstance(m, dict)],
        )
        for thread in threads
    ]


@probe("athena")
def athena_showplaintext_changes_only_the_text(ctx: ProbeContext) -> None:
    listings = _listings(ctx)
    checked = 0
    for kind in _LISTS:
        stored = listings[(kind, "none")][1]
        if not list_entries(stored, kind):
            continue
        checked += 1
        ctx.checked(*(listings[(kind, form)][0] for form in _FORMS))
        for form in ("Y", "N"):
            if _shape(listings[(kind, form)][1], kind) != _shape(stored, kind):
                ctx.fail(
                    f"athena showplaintext={form} changes more than the text",
                    received=f"{kind} with showplaintext={form}: totalcount and threads "
                    f"{str(_shape(listings[(kind, form)][1], kind))[:120]}",
                    documented="the same threads and messages as without it: "
                    f"{str(_shape(stored, kind))[:120]}",
                )
        other = _texts(listings[(kind, "N")][1], kind)
        changed = [mid for mid, text in _texts(stored, kind).items() if other.get(mid) != text]
        if changed:
            ctx.fail(
                "athena showplaintext=N converts the text",
                received=f"{kind} message {changed[0]}: {str(other.get(changed[0]))[:120]!r}",
                documented="only showplaintext=Y returns plaintext; another value returns the text as stored",
            )
    if not checked:
        raise Skip(f"patientid {ctx.id(_patient(ctx))} has no inbox or archived thread to compare")
