"""Oracle probes: limits, provoked errors, credentials, tenants, defaults (pagination: walk.py)."""

from __future__ import annotations

from patientmsg.conformance.oracle.checks.lists import oracle_organization_only_when_requested
from patientmsg.conformance.oracle.probes.queries import ERROR_KEYS, INBOX, inbox, judge, page_of, patient_key
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import (
    INVALID_TOKEN,
    expect_error,
    expect_refused_across_tenants,
    expect_unauthorized,
)
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__: list[str] = []


@probe("oracle")
def oracle_limit_other_than_1000_is_rejected(ctx: ProbeContext) -> None:
    accepted = inbox(ctx, limit=1000)
    ctx.checked(accepted)
    if accepted.status != 200:
        ctx.fail(
            "Oracle limit=1000 refused",
            received=describe(accepted),
            documented="200: limit minimum 1000, maximum 1000, default 1000",
            exchange=accepted,
        )
    # Either side of the only value, and far beyond 32 bits: refused, never overflowed into a 5xx.
    for limit in (999, 1001, 0, 2**33):
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
    for name, value in (("shouldLoadOrganizationSummary", "maybe"), ("limit", "abc"), ("limit", "1000.5")):
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
    # An unknown token, the placeholders a client sends when it has none ("Bearer null", an empty
    # token), and credentials of a scheme Oracle does not take.
    for authorization in (
        f"Bearer {INVALID_TOKEN}",
        "Bearer null",
        "Bearer",
        "Basic cGF0aWVudG1zZzppbnZhbGlk",
    ):
        exchange = ctx.get(INBOX, params={"patientId": str(ctx.id("patientId"))}, authorization=authorization)
        scheme = authorization.split()[0]
        expect_unauthorized(ctx, exchange, f"Oracle request with invalid {scheme} credentials")


@probe("oracle", second=True)
def oracle_other_tenant_is_refused(ctx: ProbeContext) -> None:
    expect_refused_across_tenants(
        ctx, INBOX, {"patientId": str(ctx.id("patientId", second=True))}, as_second=False
    )
    expect_refused_across_tenants(ctx, INBOX, {"patientId": str(ctx.id("patientId"))}, as_second=True)


def _ids_of(ctx: ProbeContext, patient: str, **params: str) -> set[str] | None:
    """Ids of one page, or None when the page is not a complete answer (error, or more items)."""
    page = page_of(inbox(ctx, patient, **params))
    if not page.complete:
        return None
    ctx.checked(page.exchange)
    return set(page.ids)


def _default_is_union(
    ctx: ProbeContext, param: str, values: tuple[str, ...], title: str, documented: str
) -> None:
    patient = patient_key(ctx, "small_patientId")
    default = _ids_of(ctx, patient)
    parts = [_ids_of(ctx, patient, **{param: value}) for value in values]
    if default is None or any(part is None for part in parts):
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has more items than one page: the default {param} is "
            f"compared on a mailbox of at most 1000 items; set [ids] small_patientId to one"
        )
    union = set().union(*(part for part in parts if part is not None))
    if not default and not union:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has no item in the default window: the default {param} "
            f"needs one; set [ids] small_patientId to a patient with recent messages"
        )
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
def oracle_organization_absent_unless_requested(ctx: ProbeContext) -> None:
    """The default and the documented false: neither loads the organization."""
    patient = patient_key(ctx, "small_patientId")
    seen = 0
    for params in ({}, {"shouldLoadOrganizationSummary": "false"}):
        exchange = inbox(ctx, patient, **params)
        if any(isinstance(item.get("encounter"), dict) for item in page_of(exchange).items):
            seen += 1
            judge(ctx, exchange, oracle_organization_only_when_requested)
    if not seen:
        raise Skip(
            f"no item of [ids] {patient} {ctx.id(patient)} has an encounter: the organization rule needs "
            "one; set [ids] small_patientId to a patient whose messages have encounters"
        )


@probe("oracle")
def oracle_organization_loaded_when_requested(ctx: ProbeContext) -> None:
    patient = patient_key(ctx, "small_patientId")
    exchange = inbox(ctx, patient, shouldLoadOrganizationSummary="true")
    items = page_of(exchange).items
    encounters = [(item, item["encounter"]) for item in items if isinstance(item.get("encounter"), dict)]
    if not encounters:
        raise Skip(
            f"no item of [ids] {patient} {ctx.id(patient)} has an encounter: set [ids] small_patientId to "
            "a patient whose messages have encounters"
        )
    ctx.checked(exchange)
    for item, encounter in encounters:
        organization = encounter.get("organization")
        keys = sorted(organization) if isinstance(organization, dict) else []
        wanted = ("id", "display", "orgTypes")
        if not isinstance(organization, dict) or any(key not in organization for key in wanted):
            ctx.fail(
                "Oracle organization not loaded with shouldLoadOrganizationSummary=true",
                received=f"item {item.get('id')!r} encounter.organization = "
                f"{'absent' if organization is None else keys} ({len(encounters)} encounters on the page)",
                documented="if true, the inbox item list populates the organization object, which includes "
                "ID, display, and orgTypes",
                exchange=exchange,
            )
            return


@probe("oracle")
def oracle_priority_sort_is_served(ctx: ProbeContext) -> None:
    """Both priority orders on the big mailbox; the response check judges the order of each."""
    served = 0
    for order in ("DESC", "ASC"):
        exchange = inbox(ctx, sortBy="priority", sortOrder=order)
        # A refusal of the documented value is ORA-STA-002's (oracle_documented_values_are_accepted).
        if exchange.status == 200:
            ctx.checked(exchange)
            served += 1
    if not served:
        raise Skip("sortBy=priority was refused in both orders (ORA-STA-002 reports it): no order to judge")


# Each documented value of each enumerated parameter, sent alone (with the patient).
_DOCUMENTED_VALUES: tuple[tuple[str, str], ...] = (
    ("sortBy", "createDateTime"),
    ("sortBy", "priority"),
    ("sortOrder", "ASC"),
    ("sortOrder", "DESC"),
    ("status", "OPENED"),
    ("status", "UNREAD"),
    ("status", "DELETED"),
    ("notificationType", "MESSAGE"),
    ("notificationType", "REMINDER"),
    ("shouldLoadOrganizationSummary", "true"),
    ("shouldLoadOrganizationSummary", "false"),
    ("limit", "1000"),
)


@probe("oracle")
def oracle_documented_values_are_accepted(ctx: ProbeContext) -> None:
    """Every documented value on purpose, not by the luck of generation: each one answers 200."""
    for name, value in _DOCUMENTED_VALUES:
        exchange = inbox(ctx, **{name: value})
        if exchange.status >= 500:
            continue  # ORA-SRV-001's (oracle_answers_no_server_error), not a refusal of the value
        ctx.expect_status(
            exchange, (200,), f"Oracle documented {name}={value} refused", f"200: {name} takes {value}"
        )
