"""Oracle probes of the create-date window: its bounds crossed on purpose, its defaults, its time zone."""

from __future__ import annotations

import datetime as dt
import email.utils

from patientmsg.conformance.oracle.checks.lists import oracle_messages_lie_in_date_window
from patientmsg.conformance.oracle.checks.times import oracle_reminders_lie_in_date_window, remind_at
from patientmsg.conformance.oracle.probes.queries import (
    ALL_STATUSES,
    EPOCH,
    ERROR_KEYS,
    Page,
    inbox,
    judge,
    mailbox,
    page_of,
    patient_key,
    stamp,
)
from patientmsg.conformance.run.exchange import Exchange
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import expect_error
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe
from patientmsg.conformance.shared.readers import created_at, describe

__all__ = ["DEFAULT_DAYS", "FUTURE"]

LOWER = "createDateTimeGreaterThanOrEqualTo"
UPPER = "createDateTimeLessThanOrEqualTo"
DEFAULT_DAYS = 90
# Far enough ahead of any server's clock to be a future date, near enough for every date library.
FUTURE = "2099-12-31T23:59:59Z"
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def _message_times(page: Page) -> list[tuple[str, dt.datetime]]:
    """(id, createDateTime) of the page's messages, oldest first; a full page loses its oldest second,
    whose other items may lie beyond the page."""
    found = [(str(item.get("id")), created_at(item)) for item in page.items]
    times = sorted((moment, ident) for ident, moment in found if moment is not None)
    if page.more is not False and times:
        times = [(moment, ident) for moment, ident in times if moment > times[0][0]]
    return [(ident, moment) for moment, ident in times]


def _listed(page: Page, ident: str) -> bool:
    return ident in page.ids


def _mailbox_times(ctx: ProbeContext, patient: str, needed: int, why: str) -> list[tuple[str, dt.datetime]]:
    times = _message_times(mailbox(ctx, patient))
    if len({moment for _, moment in times}) < needed:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has {len(times)} messages: {why} needs messages at "
            f"{needed} different times; set [ids] small_patientId to a patient with more"
        )
    return times


@probe("oracle")
def oracle_window_excludes_messages_outside(ctx: ProbeContext) -> None:
    """A window between the oldest and the newest message: both stay out, every one between comes in."""
    patient = patient_key(ctx, "small_patientId")
    times = _mailbox_times(ctx, patient, 3, "a window with messages on both sides")
    distinct = sorted({moment for _, moment in times})
    low = distinct[0] + max(SECOND, (distinct[1] - distinct[0]) // 2)
    high = distinct[-1] - max(SECOND, (distinct[-1] - distinct[-2]) // 2)
    if low >= high:
        raise Skip(f"[ids] {patient} {ctx.id(patient)}: its messages are too close for a window between them")
    exchange = inbox(ctx, patient, status=ALL_STATUSES, **{LOWER: stamp(low), UPPER: stamp(high)})
    page = page_of(exchange)
    judge(ctx, exchange, oracle_messages_lie_in_date_window)
    inside = [ident for ident, moment in times if low <= moment <= high]
    missing = [ident for ident in inside if not _listed(page, ident)]
    if exchange.status != 200 or missing:
        ctx.fail(
            "Oracle window leaves out messages inside it",
            received=f"{describe(exchange, 120)}; {len(missing)} of {len(inside)} messages created inside "
            f"it missing (e.g. {missing[:3]})",
            documented="messages created after the lower and before the upper bound are retrieved",
            exchange=exchange,
        )


@probe("oracle")
def oracle_window_bounds_are_inclusive_utc(ctx: ProbeContext) -> None:
    """Bounds on a message's own second, in the documented form: it is listed under either bound."""
    patient = patient_key(ctx, "small_patientId")
    times = _mailbox_times(ctx, patient, 1, "a bound on a message's own time")
    ident, moment = times[len(times) // 2]
    answers: dict[str, Exchange] = {}
    for label, low, high in (("lower", moment, moment + DAY), ("upper", moment - DAY, moment)):
        exchange = inbox(ctx, patient, status=ALL_STATUSES, **{LOWER: stamp(low), UPPER: stamp(high)})
        answers[label] = exchange
        ctx.checked(exchange)
        if exchange.status != 200 or not _listed(page_of(exchange), ident):
            ctx.fail(
                f"Oracle {label} bound excludes a message created exactly on it",
                received=f"{describe(exchange, 120)}: message {ident!r} created {stamp(moment)} not listed "
                f"for {LOWER}={stamp(low)}&{UPPER}={stamp(high)}",
                documented="GreaterThanOrEqualTo / LessThanOrEqualTo, in UTC point-in-time format excluding "
                "milliseconds: an item created on the bound's second is in the window",
                exchange=exchange,
            )
    # The same instant with an offset: the same answer, or refused; never read as UTC wall time.
    shifted = moment.astimezone(dt.timezone(dt.timedelta(hours=2))).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    offset = inbox(ctx, patient, status=ALL_STATUSES, **{LOWER: shifted, UPPER: stamp(moment + DAY)})
    ctx.checked(offset)
    if offset.status == 200 and page_of(offset).ids != page_of(answers["lower"]).ids:
        ctx.fail(
            "Oracle reads a bound with a UTC offset as UTC wall time",
            received=f"{LOWER}={shifted} answers {len(page_of(offset).ids)} items, {stamp(moment)} answers "
            f"{len(page_of(answers['lower']).ids)}",
            documented="the ISO 8601 combined date and time in UTC point-in-time format: the same instant, "
            "the same window (or a 400 for a form the service does not take)",
            exchange=offset,
        )


@probe("oracle")
def oracle_reminder_window_is_applied(ctx: ProbeContext) -> None:
    """A one-second window on a reminder's remindDateTime: it is listed, and no reminder from outside."""
    patient = patient_key(ctx, "small_patientId")
    page = mailbox(ctx, patient, types=["REMINDER"])
    reminders = sorted((moment, str(item.get("id"))) for item in page.items if (moment := remind_at(item)))
    if not reminders:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has no reminder: the reminders' window needs one; set "
            "[ids] small_patientId to a patient with reminders"
        )
    moment, ident = reminders[len(reminders) // 2]
    exchange = inbox(
        ctx,
        patient,
        notificationType="REMINDER",
        status=ALL_STATUSES,
        **{LOWER: stamp(moment), UPPER: stamp(moment + SECOND)},
    )
    judge(ctx, exchange, oracle_reminders_lie_in_date_window)
    ctx.checked(exchange)
    if exchange.status != 200 or not _listed(page_of(exchange), ident):
        ctx.fail(
            "Oracle window does not retrieve a reminder set to show up inside it",
            received=f"{describe(exchange, 120)}: reminder {ident!r} (remindDateTime {stamp(moment)}) "
            "not listed",
            documented="reminders set to show up after the lower and before the upper bound are retrieved",
            exchange=exchange,
        )


def _server_now(exchange: Exchange) -> dt.datetime | None:
    """The server's own clock, from its Date header (RFC 9110 6.6.1), when it sends one."""
    try:
        parsed = email.utils.parsedate_to_datetime(exchange.headers.get("date", ""))
    except (TypeError, ValueError):
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else None


@probe("oracle")
def oracle_default_window_starts_90_days_back(ctx: ProbeContext) -> None:
    """Without a lower bound: nothing older than 90 days before the newest message, nothing newer than
    90 days before the server's Date left out."""
    patient = patient_key(ctx, "patientId")
    newest_page = page_of(inbox(ctx, patient))
    oldest_page = page_of(inbox(ctx, patient, sortOrder="ASC"))
    listed = [moment for moment in map(created_at, newest_page.items + oldest_page.items) if moment]
    if not listed:
        raise Skip(f"[ids] {patient} {ctx.id(patient)} has no message in the default window")
    newest, oldest = max(listed), min(listed)
    ctx.checked(newest_page.exchange, oldest_page.exchange)
    # The server's now is at least its newest message, so its window starts no earlier than this.
    if oldest < newest - DEFAULT_DAYS * DAY:
        ctx.fail(
            "Oracle default window reaches back more than 90 days",
            received=f"a message created {stamp(oldest)} listed without {LOWER}; "
            f"the newest is {stamp(newest)}",
            documented=f"{LOWER}: defaults to 90 days before the current date and time",
            exchange=oldest_page.exchange,
        )
        return
    before = page_of(inbox(ctx, patient, sortOrder="DESC", **{LOWER: EPOCH, UPPER: stamp(oldest - SECOND)}))
    earlier = [moment for moment in map(created_at, before.items) if moment]
    if not earlier:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has no message older than its default window: the 90-day "
            "default needs a patient with messages older than 90 days; set [ids] patientId to one"
        )
    ctx.checked(before.exchange)
    now = _server_now(newest_page.exchange)
    # The server's window starts no later than 90 days before its Date (a day of slack for clock skew);
    # a Date older than the newest message is not the clock the window is drawn from.
    if now is not None and now >= newest and max(earlier) >= now + DAY - DEFAULT_DAYS * DAY:
        ctx.fail(
            "Oracle default window starts less than 90 days back",
            received=f"a message created {stamp(max(earlier))} is not listed without {LOWER} "
            f"(server Date {stamp(now)}; oldest listed {stamp(oldest)})",
            documented=f"{LOWER}: defaults to 90 days before the current date and time",
            exchange=before.exchange,
        )


@probe("oracle")
def oracle_future_upper_bound_counts_as_now(ctx: ProbeContext) -> None:
    patient = patient_key(ctx, "small_patientId")
    default = page_of(inbox(ctx, patient))
    future = page_of(inbox(ctx, patient, **{UPPER: FUTURE}))
    if default.exchange.status == 200 and not default.items:
        raise Skip(
            f"[ids] {patient} {ctx.id(patient)} has no item in the default window: a future bound is "
            "compared with now on a patient with recent messages; set [ids] small_patientId to one"
        )
    ctx.checked(default.exchange, future.exchange)
    if future.exchange.status != 200 or future.ids != default.ids:
        ctx.fail(
            "Oracle future createDateTimeLessThanOrEqualTo not treated as now",
            received=f"{describe(future.exchange, 120)}: {len(future.ids)} items for {UPPER}={FUTURE}, "
            f"{len(default.ids)} without it",
            documented="future dates are not supported and if provided, the default current date and time "
            "are used instead",
            exchange=future.exchange,
        )


@probe("oracle")
def oracle_reversed_window_is_rejected(ctx: ProbeContext) -> None:
    cases = (
        ({LOWER: "2020-01-02T00:00:00Z", UPPER: "2020-01-01T00:00:00Z"}, "a lower bound after the upper"),
        ({LOWER: FUTURE}, "a future lower bound, after the default upper bound (now)"),
    )
    for params, what in cases:
        exchange = inbox(ctx, **params)
        expect_error(
            ctx,
            exchange,
            (400,),
            f"Oracle window with {what} not rejected with 400",
            f"400 ApiError: {LOWER} must be before {UPPER} (which defaults to now)",
            ERROR_KEYS,
        )


@probe("oracle")
def oracle_empty_answer_is_an_empty_list(ctx: ProbeContext) -> None:
    """A window no message falls in, and a patient without messages: 200, items [], nothing more."""
    asks: list[tuple[str, Exchange]] = [
        ("the first second of 1970", inbox(ctx, **{LOWER: EPOCH, UPPER: "1970-01-01T00:00:01Z"}))
    ]
    if ctx.optional_id("empty_patientId") is not None:
        asks.append(("[ids] empty_patientId", inbox(ctx, "empty_patientId")))
    for what, exchange in asks:
        page = page_of(exchange)
        ctx.checked(exchange)
        body = exchange.json()
        # hasAdditionalListItems of another type ("false") is ORA-SCH-001's; here: is anything more announced.
        more = page.more if isinstance(page.more, bool) else str(page.more).lower() == "true"
        empty = isinstance(body, dict) and body.get("items") == [] and more is False
        if exchange.status != 200 or not empty:
            ctx.fail(
                "Oracle query matching nothing not answered with an empty list",
                received=f"{describe(exchange, 160)} for {what}",
                documented="200 {hasAdditionalListItems: false, items: []}: the list of the received patient "
                "messages retrieved; can be empty",
                exchange=exchange,
            )
