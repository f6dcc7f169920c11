"""The portal's administrator, notifications, errors and the store (seed 004), one test per rule."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from patientmsg.fixtures import Clock
from patientmsg.mockserver import create_app
from patientmsg.specs import load_spec
from portal_helpers import PROBLEM, Portal, problem
from sandbox_helpers import NOW, SEED, copy_store
from starlette.testclient import TestClient

ADMIN_GETS = ("/admin/users", "/admin/message-settings", "/admin/outbox")


def _outbox(portal: Portal, kind: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = portal.ok(portal.get(f"/admin/outbox?kind={kind}", as_="admin"))["items"]
    return items


def test_r05_admin_operations_answer_403_to_any_other_caller(portal: Portal) -> None:
    # PORTAL-R05
    for path in ADMIN_GETS:
        portal.ok(portal.get(path, as_="admin"))
        for caller in ("staff", "view_others_staff", "patient"):
            problem(portal.get(path, as_=caller), 403, "PORTAL-R05")
    rights = {"portalMessaging": False, "viewOthersMessages": False}
    problem(
        portal.put(f"/admin/users/{portal.ids['staffId']}/rights", as_="staff", json=rights),
        403,
        "PORTAL-R05",
    )
    portal.ok(portal.get("/staff/conversations", as_="admin"))  # the administrator may call staff operations


def test_r06_an_invitation_sends_the_practices_unique_portal_url_to_the_outbox(portal: Portal) -> None:
    # PORTAL-R06
    patient = portal.ids["unregistered_patientId"]
    made = portal.ok(portal.post(f"/admin/patients/{patient}/portal-invitations", as_="admin", json={}), 201)
    assert made["portalUrl"].startswith("https://") and made["sent"] is False and made["to"]
    assert made in _outbox(portal, "invitation")
    access = portal.ok(portal.get(f"/staff/patients/{patient}/portal-access", as_="staff"))
    assert access["status"] == "invited" and access["invitedAt"] == made["createdAt"]
    other = portal.ok(
        portal.post(
            f"/admin/patients/{portal.ids['removed_patientId']}/portal-invitations",
            as_="admin",
            json={"email": "someone@example.com"},
        ),
        201,
    )
    assert other["to"] == "someone@example.com" and other["portalUrl"] == made["portalUrl"]
    problem(
        portal.post(f"/admin/patients/{portal.ids['patientId']}/portal-invitations", as_="admin", json={}),
        409,
        "PORTAL-R06",
    )


def test_r07_removing_access_twice_is_refused(portal: Portal) -> None:
    # PORTAL-R07 (the administrator's side)
    patient = portal.ids["second_patientId"]
    removed = portal.ok(portal.delete(f"/admin/patients/{patient}/portal-access", as_="admin"))
    assert removed["status"] == "removed" and removed["label"] == "Not Registered For Portal"
    problem(portal.delete(f"/admin/patients/{patient}/portal-access", as_="admin"), 409, "PORTAL-R07")


def test_r08_a_patient_who_never_registered_shows_not_registered_for_portal(portal_ro: Portal) -> None:
    # PORTAL-R08
    never = portal_ro.ok(
        portal_ro.get(f"/staff/patients/{portal_ro.ids['unregistered_patientId']}/portal-access", as_="staff")
    )
    assert never == {
        "patientId": portal_ro.ids["unregistered_patientId"],
        "status": "notRegistered",
        "label": "Not Registered For Portal",
        "invitedAt": None,
    }
    registered = portal_ro.ok(
        portal_ro.get(f"/staff/patients/{portal_ro.ids['patientId']}/portal-access", as_="staff")
    )
    assert registered["status"] == "registered" and registered["label"] != "Not Registered For Portal"


def test_r38_practice_defaults_apply_where_a_provider_sets_nothing(portal: Portal) -> None:
    # PORTAL-R38
    tight = portal.ids["provider_tightId"]
    view = portal.ok(portal.get(f"/admin/providers/{tight}/message-settings", as_="admin"))
    assert view["settings"]["banner"] is None and view["effective"]["banner"] is not None
    assert view["effective"]["maxCharacters"] == view["settings"]["maxCharacters"]  # its own value wins
    practice = portal.ok(portal.get("/admin/message-settings", as_="admin"))
    changed = {**practice, "banner": {"text": "Closed on public holidays."}}
    portal.ok(portal.put("/admin/message-settings", as_="admin", json=changed))
    assert portal.ok(portal.get(f"/patient/providers/{tight}"))["banner"] == {
        "text": "Closed on public holidays."
    }
    open_provider = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_openId']}"))
    assert open_provider["banner"]["text"] != "Closed on public holidays."


def test_r39_each_message_received_records_one_notification_to_the_destination_email(portal: Portal) -> None:
    # PORTAL-R39
    reply_to = portal.ok(portal.get("/admin/message-settings", as_="admin"))["replyToEmail"]
    destination = portal.ok(
        portal.get(f"/admin/providers/{portal.ids['provider_billingId']}/message-settings", as_="admin")
    )["effective"]["destinationEmail"]
    plain = portal.send("provider_openId")
    billed = portal.send("provider_billingId", billingConsent=True)
    follow = portal.ok(
        portal.post(f"/patient/messages/{plain['messages'][0]['id']}/follow-ups", json={"text": "More"}), 201
    )
    notes = {n["messageId"]: n for n in _outbox(portal, "notification")}
    assert notes[plain["messages"][0]["id"]]["to"] == reply_to
    assert notes[billed["messages"][0]["id"]]["to"] == destination != reply_to
    assert notes[follow["id"]]["recipientStaffUserId"] == portal.ids["provider_openId"]
    assert len(notes) == 3 and all(n["sent"] is False for n in notes.values())
    portal.ok(
        portal.post(f"/staff/conversations/{plain['id']}/messages", as_="provider_open", json={"text": "Hi"}),
        201,
    )
    assert len(_outbox(portal, "notification")) == 3  # a message sent by staff is not one received


def test_r40_a_notification_carries_no_message_content(portal: Portal) -> None:
    # PORTAL-R40
    text, subject = "My private symptoms are very specific", "Very private subject"
    portal.send("provider_openId", text=text, subject=subject, staffMemberId=portal.ids["staffId"])
    (note,) = _outbox(portal, "notification")
    assert set(note) == {
        "kind",
        "id",
        "to",
        "recipientStaffUserId",
        "conversationId",
        "messageId",
        "createdAt",
        "sent",
    }
    raw = portal.get("/admin/outbox", as_="admin").text
    assert text not in raw and subject not in raw


def test_r56_every_refusal_is_problem_json_naming_its_rule(portal: Portal) -> None:
    # PORTAL-R56
    method = portal.call("PATCH", "/patient/conversations")
    body = problem(method, 405, "PORTAL-R56")
    assert body["type"] == "/portal/problems/PORTAL-R56" and "GET" in method.headers["Allow"]
    assert "POST" in method.headers["Allow"]  # every method of the path, not only the first route's
    problem(portal.get("/nothing-here"), 404, "PORTAL-R56")
    refused = portal.put(f"/patient/conversations/{portal.ids['archived_conversationId']}/archive")
    assert problem(refused, 409, "PORTAL-R18")["type"] == "/portal/problems/PORTAL-R18"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "field"),
    [
        ("GET", "/patient/conversations?view=archived", {}, "view"),
        ("GET", "/patient/conversations/bad%20id", {}, "conversationId"),
        ("POST", "/patient/conversations", {"json": {"subject": "x", "text": "x"}}, "providerId"),
        (
            "POST",
            "/patient/conversations",
            {"json": {"providerId": "p", "subject": "x", "text": "x", "x": 1}},
            None,
        ),
        (
            "POST",
            "/patient/conversations",
            {"content": b"\xff\xfe", "headers": {"Content-Type": "application/json"}},
            None,
        ),
        (
            "POST",
            "/patient/conversations",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            None,
        ),
    ],
)
def test_r57_input_that_does_not_match_the_spec_is_400_naming_the_field(
    portal: Portal, method: str, path: str, kwargs: dict[str, Any], field: str | None
) -> None:
    # PORTAL-R57 (never 5xx)
    response = portal.call(method, path, **kwargs)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["rule"] in ("PORTAL-R57", "PORTAL-R23")
    if field is not None:
        assert field in {e["field"] for e in body.get("errors", [])}, body


def test_token_request_without_a_password_is_400_naming_it(portal: Portal) -> None:
    # PORTAL-R57 on createToken; RFC 6749's token request is a form, JSON is refused plainly (415)
    form = portal.client.post("/portal/token", data={"grant_type": "password", "username": "x"})
    assert "password" in {e["field"] for e in problem(form, 400, "PORTAL-R57")["errors"]}
    problem(portal.client.post("/portal/token", json={"grant_type": "password"}), 415, "PORTAL-R57")


def test_the_portal_is_served_under_portal_only(portal: Portal) -> None:
    # The reference API lives at /portal; no portal path answers at the root or under a vendor mount.
    assert portal.client.get("/patient/conversations").status_code == 404
    assert portal.client.post("/token", data={"grant_type": "password"}).status_code == 404
    assert portal.client.get("/athena/patient/conversations").status_code == 404
    served = portal.client.get("/portal/openapi.json").json()
    assert served["servers"] == [{"url": "/portal"}]


def test_portal_writes_are_deterministic_for_the_same_seed_and_clock(
    template: sqlite3.Connection, config: dict[str, Any]
) -> None:
    # Same world, same calls, same clock: byte-identical answers (ids, tokens, dates).
    portal_config = config["portal"]

    def run() -> list[bytes]:
        with TestClient(create_app(copy_store(template), Clock(NOW), seed=SEED)) as client:
            token = client.post(
                "/portal/token", data={"grant_type": "password", **portal_config["auth"]["logins"]["patient"]}
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            body = {"providerId": portal_config["ids"]["provider_awayId"], "subject": "s", "text": "t"}
            sent = client.post("/portal/patient/conversations", headers=headers, json=body)
            inbox = client.get("/portal/patient/conversations?view=all", headers=headers)
            return [token.content, sent.content, inbox.content]

    assert run() == run()


def test_every_portal_rule_has_a_sandbox_test_named_for_it() -> None:
    # One test per PORTAL rule, named test_rNN_..., in the portal's sandbox test modules.

    here = Path(__file__).parent
    names = " ".join(p.read_text(encoding="utf-8") for p in sorted(here.glob("test_sandbox_portal*.py")))
    rules = [rule["id"] for rule in load_spec("portal")["x-rules"]]
    missing = [r for r in rules if f"def test_r{r.removeprefix('PORTAL-R')}_" not in names]
    assert len(rules) == 57 and missing == [], f"Received: no test for {missing} / Documented: one per rule"
