"""Oracle probes that send every documented value and value form on purpose: status, notificationType,
the sort fields and orders, the default limit; and two patients' mailboxes held apart."""

from __future__ import annotations

from patientmsg.conformance.oracle.checks.lists import (
    oracle_messages_sorted_as_requested,
    oracle_next_page_header_only_when_more,
    oracle_page_holds_at_most_1000_items,
)
from patientmsg.conformance.oracle.checks.times import oracle_reminders_sorted_by_remind_time, remind_at
from patientmsg.conformance.oracle.probes.queries import (
    ALL_STATUSES,
    ALL_TYPES,
    EPOCH,
    Page,
    Param,
    inbox,
    judge,
    mailbox,
    page_of,
    patient_key,
)
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe, field_value

__all__: list[str] = []

LOWER = "createDateTimeGreaterThanOrEqualTo"


def _complete(ctx: ProbeContext, patient: str, page: Page, what: str) -> Page:
    if not page.complete:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has more than one page for {what}: value forms are compared "
            "on a mailbox of at most 1000 items; set [ids] small_patientId to one"
        )
    return page


def _forms_agree(
    ctx: ProbeContext,
    param: str,
    field: str,
    values: list[str],
    forms: dict[str, str | list[str]],
    **fixed: str | list[str],
) -> None:
    """Each documented value alone answers only its items; every other form answers their union."""
    patient = patient_key(ctx, "small_patientId")
    singles: dict[str, set[str]] = {}
    for value in values:
        answer = page_of(inbox(ctx, patient, **fixed, **{param: value}))
        page = _complete(ctx, patient, answer, f"{param}={value}")
        ctx.checked(page.exchange)
        singles[value] = set(page.ids)
        strays = [item.get("id") for item in page.items if field_value(item, field) not in (value, None)]
        if strays:
            ctx.fail(
                f"Oracle {param}={value} answers items of another {field}",
                received=f"{len(strays)} items (e.g. {strays[0]!r}) whose {field}.value is not {value}",
                documented=f"{param}: the {field} of the messages to be retrieved",
                exchange=page.exchange,
            )
    if not any(singles.values()):
        raise Skip(f"[ids] {patient} {ctx.id(patient)} has no item since {EPOCH} for any {param} value")
    for label, sent in forms.items():
        wanted = set().union(*(singles[v] for v in (sent.split(",") if isinstance(sent, str) else sent)))
        page = _complete(ctx, patient, page_of(inbox(ctx, patient, **fixed, **{param: sent})), label)
        ctx.checked(page.exchange)
        got = set(page.ids)
        if got != wanted:
            ctx.fail(
                f"Oracle {param} in the form {label} does not answer the union of its values",
                received=f"{describe(page.exchange, 80)}: {len(got)} items, {len(wanted)} expected "
                f"({len(got - wanted)} extra, {len(wanted - got)} missing)",
                documented=f"{param}: the same items as each value asked alone, together",
                exchange=page.exchange,
            )


@probe("oracle")
def oracle_status_value_forms_agree(ctx: ProbeContext) -> None:
    _forms_agree(
        ctx,
        "status",
        "notificationStatus",
        list(ALL_STATUSES),
        {
            "status=OPENED,UNREAD,DELETED (comma-delimited)": ",".join(ALL_STATUSES),
            "status=UNREAD,DELETED (comma-delimited)": "UNREAD,DELETED",
            "status=OPENED&status=UNREAD&status=DELETED (repeated)": list(ALL_STATUSES),
        },
        **{LOWER: EPOCH},
    )


@probe("oracle")
def oracle_notification_type_values_agree(ctx: ProbeContext) -> None:
    _forms_agree(
        ctx,
        "notificationType",
        "notificationType",
        list(ALL_TYPES),
        {"notificationType=MESSAGE&notificationType=REMINDER (multi)": list(ALL_TYPES)},
        status=list(ALL_STATUSES),
        **{LOWER: EPOCH},
    )


@probe("oracle")
def oracle_create_date_sort_is_served(ctx: ProbeContext) -> None:
    """sortBy=createDateTime and no sortBy, with each sortOrder and none; the order check judges each."""
    patient = patient_key(ctx, "small_patientId")
    judged = 0
    for params in (
        {"sortBy": "createDateTime", "sortOrder": "ASC"},
        {"sortBy": "createDateTime", "sortOrder": "DESC"},
        {"sortBy": "createDateTime"},
        {"sortOrder": "ASC"},
        {"sortOrder": "DESC"},
    ):
        exchange = inbox(ctx, patient, status=list(ALL_STATUSES), **{LOWER: EPOCH}, **params)
        # A refusal of a documented sort is ORA-STA-002's (oracle_documented_values_are_accepted).
        if exchange.status == 200:
            judged += judge(ctx, exchange, oracle_messages_sorted_as_requested)
    if not judged and not ctx.failures:
        raise Skip(f"[ids] {patient} {ctx.id(patient)} has fewer than 2 messages: an order needs two")


@probe("oracle")
def oracle_reminder_sort_is_served(ctx: ProbeContext) -> None:
    """Reminders alone and among messages, each order: the reminders' own order check judges each."""
    patient = patient_key(ctx, "patientId")
    reminders = [item for item in mailbox(ctx, patient, types=["REMINDER"]).items if remind_at(item)]
    if len(reminders) < 2:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has {len(reminders)} reminders: an order needs two; set "
            "[ids] patientId to a patient with reminders"
        )
    for types in (["REMINDER"], list(ALL_TYPES)):
        for order in ({}, {"sortOrder": "ASC"}, {"sortOrder": "DESC"}):
            query: dict[str, Param] = {"notificationType": types, "status": list(ALL_STATUSES), LOWER: EPOCH}
            query.update(order)
            exchange = inbox(ctx, patient, **query)
            judge(ctx, exchange, oracle_reminders_sorted_by_remind_time)


@probe("oracle")
def oracle_default_limit_is_1000(ctx: ProbeContext) -> None:
    patient = patient_key(ctx, "patientId")
    default = page_of(inbox(ctx, patient))
    explicit = page_of(inbox(ctx, patient, limit=1000))
    if explicit.exchange.status == 200 and len(explicit.ids) < 2:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has {len(explicit.ids)} items: a page size needs more; set "
            "[ids] patientId to a mailbox with more than 1000 messages in the last 90 days"
        )
    ctx.checked(default.exchange, explicit.exchange)
    short = default.more is True and len(default.ids) != 1000
    if default.exchange.status != 200 or default.ids != explicit.ids or short:
        ctx.fail(
            "Oracle page without limit is not the page of limit=1000",
            received=f"{describe(default.exchange, 60)}: {len(default.ids)} items without limit "
            f"(hasAdditionalListItems={default.more!r}), {len(explicit.ids)} with limit=1000",
            documented="limit: the maximum number of results per page, or items to return; "
            "default value 1000",
            exchange=default.exchange,
        )


@probe("oracle")
def oracle_complete_page_has_no_next_page(ctx: ProbeContext) -> None:
    patient = patient_key(ctx, "small_patientId")
    everything: dict[str, Param] = {
        LOWER: EPOCH,
        "status": list(ALL_STATUSES),
        "notificationType": list(ALL_TYPES),
    }
    for params in ({}, everything):
        judge(ctx, inbox(ctx, patient, **params), oracle_next_page_header_only_when_more)


@probe("oracle")
def oracle_patients_share_no_item(ctx: ProbeContext) -> None:
    """Two patients of the same tenant: each answer only its own patient's, no item in both."""
    if ctx.optional_id("small_patientId") is None:
        raise Skip(
            "needs [ids] small_patientId: a second patient of the same tenant, to hold apart from patientId"
        )
    pages = {key: mailbox(ctx, key, types=list(ALL_TYPES)) for key in ("patientId", "small_patientId")}
    if not all(page.items for page in pages.values()):
        raise Skip("[ids] patientId and small_patientId each need an item to hold apart")
    for key, page in pages.items():
        ctx.checked(page.exchange)
        wanted = str(ctx.id(key))
        owners = [(item.get("id"), (item.get("patient") or {}).get("id")) for item in page.items]
        strays = [ident for ident, owner in owners if str(owner) != wanted]
        if strays:
            ctx.fail(
                "Oracle answers another patient's items",
                received=f"{len(strays)} items (e.g. {strays[0]!r}) whose patient.id is not {wanted}",
                documented="retrieves the received messages based on a given patient ID",
                exchange=page.exchange,
            )
    shared = sorted(set(pages["patientId"].ids) & set(pages["small_patientId"].ids))
    if shared:
        ctx.fail(
            "Oracle lists one item in two patients' inboxes",
            received=f"{len(shared)} item ids (e.g. {shared[:3]}) received by patientId "
            f"{ctx.id('patientId')} and by small_patientId {ctx.id('small_patientId')}",
            documented="the received messages of the given patient ID: another patient's are not its own",
            exchange=pages["small_patientId"].exchange,
        )


@probe("oracle")
def oracle_full_page_holds_1000_items_at_most(ctx: ProbeContext) -> None:
    """The big mailbox's default page, where more than a page matches: the page check judges it."""
    patient = patient_key(ctx, "patientId")
    page = page_of(inbox(ctx, patient))
    if page.more is not True:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} fits one page: the page limit needs more than 1000 matching "
            "items; set [ids] patientId to a mailbox with more than 1000 recent messages"
        )
    judge(ctx, page.exchange, oracle_page_holds_at_most_1000_items)
