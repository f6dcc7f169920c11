"""Oracle probes: limits, provoked errors, credentials, tenants, defaults (pagination: oracle_walk)."""

from __future__ import annotations

from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import (
    INVALID_TOKEN,
    body_of,
    expect_error,
    expect_refused_across_tenants,
    expect_unauthorized,
)
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__ = ["ERROR_KEYS", "INBOX", "inbox"]

INBOX = "/20241001/patientMessages/inboxItems"
ERROR_KEYS = ("code", "message")


def inbox(ctx: ProbeContext, patient: str = "patientId", **params: str | int) -> Exchange:
    return ctx.get(INBOX, params={"patientId": str(ctx.id(patient)), **params})


@probe("oracle")
def oracle_limit_other_than_1000_is_rejected(ctx: ProbeContext) -> None:
    accepted = inbox(ctx, limit=1000)
    if accepted.status != 200:
        ctx.fail(
            "Oracle limit=1000 refused",
            received=describe(accepted),
            documented="200: limit minimum 1000, maximum 1000, default 1000",
            exchange=accepted,
        )
    for limit in (999, 1001):
        exchange = inbox(ctx, limit=limit)
        expect_error(
            ctx,
            exchange,
            (400,),
            f"Oracle limit={limit} not rejected with 400",
            "400 ApiError: limit minimum 1000, maximum 1000",
            ERROR_KEYS,
        )


@probe("oracle")
def oracle_bad_type_gets_400_error(ctx: ProbeContext) -> None:
    for name, value in (("shouldLoadOrganizationSummary", "maybe"), ("limit", "abc")):
        exchange = inbox(ctx, **{name: value})
        expect_error(
            ctx,
            exchange,
            (400,),
            f"Oracle {name}={value} not rejected with 400",
            f"400 ApiError: {name} has a documented type",
            ERROR_KEYS,
        )


@probe("oracle")
def oracle_unknown_resource_gets_404_error(ctx: ProbeContext) -> None:
    exchange = ctx.get(INBOX + "/patientmsg-unknown-item")
    expect_error(
        ctx, exchange, (404,), "Oracle unknown resource not answered 404", "404 ApiError", ERROR_KEYS
    )


@probe("oracle")
def oracle_missing_credentials_get_401(ctx: ProbeContext) -> None:
    exchange = ctx.get(INBOX, params={"patientId": str(ctx.id("patientId"))}, anonymous=True)
    expect_unauthorized(ctx, exchange, "Oracle request without credentials")


@probe("oracle")
def oracle_invalid_token_gets_401(ctx: ProbeContext) -> None:
    exchange = ctx.get(
        INBOX, params={"patientId": str(ctx.id("patientId"))}, authorization=f"Bearer {INVALID_TOKEN}"
    )
    expect_unauthorized(ctx, exchange, "Oracle request with an invalid token")


@probe("oracle", second=True)
def oracle_other_tenant_is_refused(ctx: ProbeContext) -> None:
    expect_refused_across_tenants(
        ctx, INBOX, {"patientId": str(ctx.id("patientId", second=True))}, as_second=False
    )
    expect_refused_across_tenants(ctx, INBOX, {"patientId": str(ctx.id("patientId"))}, as_second=True)


def _ids_of(ctx: ProbeContext, patient: str, **params: str) -> set[str] | None:
    """Ids of one page, or None when the page is not a complete answer (error, or more items)."""
    body = body_of(inbox(ctx, patient, **params))
    items = body.get("items")
    if not isinstance(items, list) or body.get("hasAdditionalListItems") is not False:
        return None
    return {str(item.get("id")) for item in items if isinstance(item, dict)}


def _default_is_union(
    ctx: ProbeContext, param: str, values: tuple[str, ...], title: str, documented: str
) -> None:
    patient = "small_patientId" if ctx.optional_id("small_patientId") is not None else "patientId"
    default = _ids_of(ctx, patient)
    parts = [_ids_of(ctx, patient, **{param: value}) for value in values]
    if default is None or any(part is None for part in parts):
        raise Skip("the patient's items do not fit one page")
    union = set().union(*(part for part in parts if part is not None))
    ctx.checked(ctx.last)
    if default != union:
        ctx.fail(
            title,
            received=f"{len(default)} items by default, {len(union)} for {param}={','.join(values)} singly "
            f"({len(default - union)} extra, {len(union - default)} missing)",
            documented=documented,
        )


@probe("oracle")
def oracle_default_status_is_opened_and_unread(ctx: ProbeContext) -> None:
    _default_is_union(
        ctx,
        "status",
        ("OPENED", "UNREAD"),
        "Oracle default status filter is not OPENED and UNREAD",
        "status: defaults to [ OPENED, UNREAD ]",
    )


@probe("oracle")
def oracle_default_type_is_message(ctx: ProbeContext) -> None:
    _default_is_union(
        ctx,
        "notificationType",
        ("MESSAGE",),
        "Oracle default notificationType is not MESSAGE",
        "notificationType: defaults to [ MESSAGE ]",
    )


@probe("oracle")
def oracle_organization_loaded_when_requested(ctx: ProbeContext) -> None:
    patient = "small_patientId" if ctx.optional_id("small_patientId") is not None else "patientId"
    exchange = inbox(ctx, patient, shouldLoadOrganizationSummary="true")
    items = [item for item in body_of(exchange).get("items") or [] if isinstance(item, dict)]
    encounters = [item["encounter"] for item in items if isinstance(item.get("encounter"), dict)]
    if not encounters:
        raise Skip("no item of the patient has an encounter")
    ctx.checked(exchange)
    if not any(isinstance(encounter.get("organization"), dict) for encounter in encounters):
        ctx.fail(
            "Oracle organization not loaded with shouldLoadOrganizationSummary=true",
            received=f"{len(encounters)} encounters, none with an organization",
            documented="if true, the inbox item list populates the organization object",
            exchange=exchange,
        )


@probe("oracle")
def oracle_priority_sort_is_served(ctx: ProbeContext) -> None:
    """Both priority orders on the big mailbox; the response check judges the order of each."""
    for order in ("DESC", "ASC"):
        exchange = inbox(ctx, sortBy="priority", sortOrder=order)
        ctx.checked(exchange)
        if exchange.status != 200:
            ctx.fail(
                f"Oracle sortBy=priority&sortOrder={order} refused",
                received=describe(exchange),
                documented='200: sortBy allowed values [ "createDateTime", "priority" ]',
                exchange=exchange,
            )
