"""Callers and rights: tokens, who sees what, the staff rights, the administrator, portal access."""

from __future__ import annotations

from patientmsg.conformance.portal.calls import call, conversation_ids, expect, expect_refusal, items_of
from patientmsg.conformance.run.findings import Skip
from patientmsg.conformance.shared.calls import INVALID_TOKEN, UNKNOWN_ID, body_of
from patientmsg.conformance.shared.context import ProbeContext
from patientmsg.conformance.shared.probing import probe

__all__: list[str] = []

# One read per kind of caller: what a token must open, and what an anonymous request must not.
_READS = ("/patient/conversations", "/staff/conversations", "/admin/users")


@probe("portal")
def portal_missing_or_unknown_token_gets_401(ctx: ProbeContext) -> None:
    for path in _READS:
        for authorization in (None, f"Bearer {INVALID_TOKEN}"):
            exchange = (
                ctx.get(path, anonymous=True)
                if authorization is None
                else ctx.get(path, authorization=authorization)
            )
            challenge = exchange.headers.get("www-authenticate", "")
            expect(
                ctx,
                exchange.status == 401 and challenge.lower().startswith("bearer"),
                exchange,
                "portal request without a valid token not refused with 401 and WWW-Authenticate: Bearer",
                "401 with WWW-Authenticate: Bearer (PORTAL-R01)",
            )


@probe("portal")
def portal_callers_see_only_their_own(ctx: ProbeContext) -> None:
    theirs = call(ctx, "GET", "/patient/conversations", "second_patient", params={"view": "all"})
    others = conversation_ids(theirs)
    if not others:
        raise Skip("the second_patient login has no conversation: nothing of another patient to ask for")
    mine = call(ctx, "GET", "/patient/conversations", params={"view": "all"})
    expect(
        ctx,
        mine.status == 200 and not set(conversation_ids(mine)) & set(others),
        mine,
        "a patient's inbox lists another patient's conversation",
        "only the caller's own conversations (PORTAL-R02)",
    )
    exchange = call(ctx, "GET", f"/patient/conversations/{others[0]}")
    expect(
        ctx,
        exchange.status == 404,
        exchange,
        "a patient can open another patient's conversation",
        "404, as if it did not exist (PORTAL-R02)",
    )
    for path in ("/staff/conversations", "/admin/users"):
        exchange = call(ctx, "GET", path)
        expect(
            ctx,
            exchange.status == 403,
            exchange,
            "a patient's token is not refused on an operation for another kind of caller",
            "403 (PORTAL-R02)",
        )


@probe("portal")
def portal_staff_without_messaging_right_is_refused(ctx: ProbeContext) -> None:
    for path in ("/staff/conversations", f"/staff/patients/{ctx.id('patientId')}/conversations"):
        exchange = call(ctx, "GET", path, "no_messaging_staff")
        expect_refusal(
            ctx,
            exchange,
            403,
            "PORTAL-R03",
            "a staff user without the portal messaging right is not refused",
            "portal messaging is off for this user",
        )
    members = call(ctx, "GET", "/patient/staff-members")
    listed = {str(item.get("id")) for item in items_of(members)}
    expect(
        ctx,
        members.status == 200 and str(ctx.id("no_messaging_staffId")) not in listed,
        members,
        "a patient may choose a staff user without the portal messaging right",
        "listStaffMembers lists only users with portal messaging on (PORTAL-R03)",
    )


@probe("portal")
def portal_view_others_needs_its_right(ctx: ProbeContext) -> None:
    exchange = call(ctx, "GET", "/staff/conversations", "staff", params={"view": "others"})
    expect_refusal(
        ctx, exchange, 403, "PORTAL-R04", "view=others is not refused without the right", "the right is off"
    )
    others = call(ctx, "GET", "/staff/conversations", "view_others_staff", params={"view": "others"})
    staff_id = str(ctx.id("staffId"))
    foreign = [item for item in items_of(others) if str((item.get("assignee") or {}).get("id")) != staff_id]
    if not expect(
        ctx,
        others.status == 200,
        others,
        "view=others is refused to a user with the right",
        "200 for a user who may view others' messages (PORTAL-R04)",
    ):
        return
    if not foreign:
        raise Skip("view=others of the view_others_staff login lists no conversation of another user")
    exchange = call(ctx, "GET", f"/staff/conversations/{foreign[0].get('id')}", "staff")
    expect(
        ctx,
        exchange.status == 404,
        exchange,
        "a staff user without the view-others right opens another user's conversation",
        "404 (PORTAL-R04)",
    )


@probe("portal")
def portal_admin_operations_refuse_others(ctx: ProbeContext) -> None:
    for role in ("patient", "staff"):
        for path in ("/admin/users", "/admin/message-settings", "/admin/outbox"):
            exchange = call(ctx, "GET", path, role)
            expect(
                ctx,
                exchange.status == 403,
                exchange,
                f"an administrator's operation is not refused to a {role}",
                "403 to any caller but the practice administrator (PORTAL-R05)",
            )
    exchange = call(ctx, "GET", "/admin/users", "admin")
    expect(ctx, exchange.status == 200, exchange, "the administrator cannot list users", "200 (PORTAL-R05)")


@probe("portal")
def portal_patient_without_access_cannot_message(ctx: ProbeContext) -> None:
    if not ctx.primary.has_role("removed_patient"):
        raise Skip("no [auth.logins.removed_patient] in the config: a patient whose access was removed")
    auth = ctx.primary.auth
    form = {
        "grant_type": "password",
        "username": auth.get("removed_patient.username"),
        "password": auth.get("removed_patient.password"),
    }
    exchange = ctx.request("POST", "/token", data=form, anonymous=True)
    expect(
        ctx,
        exchange.status == 403 and "access_token" not in body_of(exchange),
        exchange,
        "a patient whose portal access was removed still gets a token",
        "403, no token: a patient without access cannot message (PORTAL-R07)",
    )
    access = call(ctx, "GET", f"/staff/patients/{ctx.id('removed_patientId')}/portal-access", "staff")
    expect(
        ctx,
        access.status == 200 and body_of(access).get("status") == "removed",
        access,
        "the patient whose access was removed does not show as removed",
        "status removed (PORTAL-R07)",
    )


@probe("portal")
def portal_unregistered_patient_shows_not_registered(ctx: ProbeContext) -> None:
    path = f"/staff/patients/{ctx.id('unregistered_patientId')}/portal-access"
    exchange = call(ctx, "GET", path, "staff")
    body = body_of(exchange)
    expect(
        ctx,
        exchange.status == 200
        and body.get("status") == "notRegistered"
        and body.get("label") == "Not Registered For Portal",
        exchange,
        "a patient who never registered does not show as Not Registered For Portal",
        'status notRegistered, label "Not Registered For Portal" (PORTAL-R08)',
    )


@probe("portal", writes=True)
def portal_invitation_carries_the_portal_url(ctx: ProbeContext) -> None:
    patient = ctx.id("invited_patientId")
    sent = call(ctx, "POST", f"/admin/patients/{patient}/portal-invitations", "admin", json={})
    url = body_of(sent).get("portalUrl")
    if not expect(
        ctx,
        sent.status == 201 and isinstance(url, str) and url.startswith(("https://", "http://")),
        sent,
        "an invitation does not carry the practice's portal URL",
        "201 with portalUrl, the practice's unique portal URL (PORTAL-R06)",
    ):
        return
    outbox = call(ctx, "GET", "/admin/outbox", "admin")
    recorded = [
        item
        for item in items_of(outbox)
        if item.get("kind") == "invitation" and item.get("id") == body_of(sent).get("id")
    ]
    expect(
        ctx,
        len(recorded) == 1
        and recorded[0].get("portalUrl") == url
        and recorded[0].get("patientId") == patient,
        outbox,
        "the invitation is not recorded in the outbox with its portal URL",
        "one outbox invitation for the patient, carrying the same portalUrl (PORTAL-R06)",
    )


UNKNOWN = f"patientmsg-unknown-{UNKNOWN_ID}"
