"""Oracle probes of what the service refuses and how it says so: unknown and missing patients, the
parameter an error names, the challenge of a 401, the media types it answers in."""

from __future__ import annotations

from patientmsg.conformance.oracle.checks.bodies import oracle_401_names_a_bearer_challenge
from patientmsg.conformance.oracle.probes.queries import ERROR_KEYS, INBOX, inbox, judge
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import INVALID_TOKEN, UNKNOWN_ID, body_of, expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import describe

__all__: list[str] = []

# Within 32 bits, beyond 32 bits, beyond 64 bits: patientId is a string, so each is only an unknown id.
UNKNOWN_PATIENTS = (str(UNKNOWN_ID), str(2**33 + 7), str(2**64 + 7))


@probe("oracle")
def oracle_unknown_patient_is_not_found(ctx: ProbeContext) -> None:
    for patient in UNKNOWN_PATIENTS:
        exchange = ctx.get(INBOX, params={"patientId": patient})
        ctx.checked(exchange)
        body = body_of(exchange)
        more = body.get("hasAdditionalListItems")
        empty = exchange.status == 200 and body.get("items") == [] and more is False
        error = exchange.status == 404 and all(isinstance(body.get(key), str) for key in ERROR_KEYS)
        if not (empty or error):
            ctx.fail(
                "Oracle unknown patientId not answered as not found",
                received=f"{describe(exchange, 160)} for patientId={patient}",
                documented="404 ApiError (or 200 with no items): patientId is a string, so an id of any "
                "length is a well-formed query for a patient that does not exist",
                exchange=exchange,
            )


def _named(exchange: Exchange, where: str, name: str) -> bool:
    details = body_of(exchange).get("details")
    for detail in details if isinstance(details, list) else []:
        source = detail.get("source") if isinstance(detail, dict) else None
        named = source.get(where) if isinstance(source, dict) else None
        if isinstance(named, list) and name in named:
            return True
    return False


@probe("oracle")
def oracle_bad_request_names_its_parameter(ctx: ProbeContext) -> None:
    """Each 400 provoked by one parameter or header names it in details[].source."""
    patient = {"patientId": str(ctx.id("patientId"))}
    bad_id = {"opc-request-id": "not valid!"}
    cases: list[tuple[str, str, Exchange]] = [
        ("parameters", "limit", inbox(ctx, limit=999)),
        ("parameters", "sortBy", inbox(ctx, sortBy="patientmsg-invalid")),
        ("parameters", "shouldLoadOrganizationSummary", inbox(ctx, shouldLoadOrganizationSummary="maybe")),
        ("parameters", "patientId", ctx.get(INBOX)),
        ("headers", "opc-request-id", ctx.get(INBOX, params=patient, headers=bad_id)),
    ]
    for where, name, exchange in cases:
        # Whether it is a 400 at all is other requirements' business; here: what a 400 names.
        if exchange.status != 400:
            continue
        ctx.checked(exchange)
        if not _named(exchange, where, name):
            ctx.fail(
                "Oracle 400 does not name what caused it",
                received=f"{describe(exchange, 200)}: no details[].source.{where} naming {name!r}",
                documented=f"ErrorDetailSource.{where}: a list of which "
                f"{'URI query parameters' if where == 'parameters' else 'request headers'} caused the error",
                exchange=exchange,
            )


@probe("oracle")
def oracle_missing_patient_id_is_rejected(ctx: ProbeContext) -> None:
    # An empty patientId is still a string (the document sets no length): only its absence is refused.
    expect_error(
        ctx,
        ctx.get(INBOX),
        (400,),
        "Oracle request without patientId not rejected with 400",
        "400 ApiError: patientId (required)",
        ERROR_KEYS,
    )


@probe("oracle")
def oracle_unauthorized_answers_are_provoked(ctx: ProbeContext) -> None:
    """No credentials, an unknown token, another scheme: every 401 among them names its challenge."""
    params = {"patientId": str(ctx.id("patientId"))}
    answers = [
        ctx.get(INBOX, params=params, anonymous=True),
        ctx.get(INBOX, params=params, authorization=f"Bearer {INVALID_TOKEN}"),
        ctx.get(INBOX, params=params, authorization="Basic cGF0aWVudG1zZzppbnZhbGlk"),
    ]
    if not sum(judge(ctx, exchange, oracle_401_names_a_bearer_challenge) for exchange in answers):
        raise Skip("no request without valid credentials was answered 401: nothing carries a challenge")


def _readable_json(exchange: Exchange) -> bool:
    """application/json in UTF-8: a charset, when named, is utf-8, and the body decodes as such."""
    charset = exchange.headers.get("content-type", "").lower().partition("charset=")[2].strip(' "')
    try:
        exchange.body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return exchange.content_type == "application/json" and charset in ("", "utf-8")


@probe("oracle")
def oracle_accept_defaults_to_json(ctx: ProbeContext) -> None:
    """No media-type preference and the documented defaults: 200 JSON in UTF-8. A type or charset it
    does not produce: 406, or JSON in UTF-8 all the same."""
    params = {"patientId": str(ctx.id("patientId"))}
    for headers, documented in (
        ({"Accept": "*/*"}, True),
        ({"Accept": "application/json", "accept-charset": "UTF-8"}, True),
        ({"Accept": "application/xml"}, False),
        ({"Accept": "application/json", "accept-charset": "ISO-8859-1"}, False),
    ):
        exchange = ctx.get(INBOX, params=params, headers=headers)
        ctx.checked(exchange)
        good = (exchange.status == 200 or not documented) and _readable_json(exchange)
        if not good and not (exchange.status == 406 and not documented):
            ctx.fail(
                "Oracle does not answer in application/json, UTF-8",
                received=f"{describe(exchange, 80)} for {', '.join(f'{k}: {v}' for k, v in headers.items())}",
                documented="accept defaults to application/json, accept-charset to UTF-8; supported media "
                "types: application/json",
                exchange=exchange,
            )


@probe("oracle")
def oracle_second_sort_order_is_rejected(ctx: ProbeContext) -> None:
    """Only one sort order may be provided: sortBy twice is a 400 ApiError that names sortBy."""
    exchange = inbox(ctx, sortBy=["createDateTime", "priority"])
    expect_error(
        ctx,
        exchange,
        (400,),
        "Oracle sortBy given twice not rejected with 400",
        "400 ApiError naming sortBy: only one sort order may be provided",
        ERROR_KEYS,
    )
    if exchange.status == 400 and "sortBy" not in exchange.body.decode("utf-8", "replace"):
        ctx.fail(
            "Oracle refusal of a second sortBy does not name sortBy",
            received=describe(exchange),
            documented="400 ApiError whose message or details[].source names sortBy",
            exchange=exchange,
        )
