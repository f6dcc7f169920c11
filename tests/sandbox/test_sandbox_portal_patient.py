"""The portal's patient side (seed 002), one test per rule: each names the PORTAL rule it shows."""

from __future__ import annotations

from typing import Any

from patientmsg.fixtures import Clock
from portal_helpers import Portal, problem, walk

NOTICE = "Electronic communications are for non-urgent requests only."


def _inbox(portal: Portal, view: str = "open") -> dict[str, Any]:
    body: dict[str, Any] = portal.ok(portal.get(f"/patient/conversations?view={view}"))
    return body


def _message(portal: Portal, message_id: str) -> dict[str, Any]:
    body: dict[str, Any] = portal.ok(portal.get(f"/patient/messages/{message_id}"))
    return body


def test_r01_no_unknown_or_expired_token_is_401_with_a_bearer_challenge(portal: Portal, clock: Clock) -> None:
    # PORTAL-R01
    missing = portal.get("/patient/conversations", as_=None)
    problem(missing, 401, "PORTAL-R01")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = portal.get("/patient/conversations", as_=None, headers={"Authorization": "Bearer not-issued"})
    problem(unknown, 401, "PORTAL-R01")
    wrong = portal.client.post(
        "/portal/token", data={"grant_type": "password", "username": "pt-ava", "password": "x"}
    )
    problem(wrong, 401, "PORTAL-R01")
    portal.ok(portal.get("/patient/conversations"))
    clock.advance(3601)
    problem(portal.get("/patient/conversations"), 401, "PORTAL-R01")


def test_r02_another_patients_conversation_is_404_and_another_callers_operation_403(portal: Portal) -> None:
    # PORTAL-R02
    theirs = portal.ids["awaiting_conversationId"]
    problem(portal.get(f"/patient/conversations/{theirs}", as_="second_patient"), 404, "PORTAL-R02")
    problem(
        portal.get(f"/patient/messages/{portal.ids['awaiting_messageId']}", as_="second_patient"),
        404,
        "PORTAL-R02",
    )
    problem(portal.get("/patient/conversations", as_="staff"), 403, "PORTAL-R02")
    problem(portal.get("/staff/conversations", as_="patient"), 403, "PORTAL-R02")
    mine = {c["id"] for c in _inbox(portal, "all")["items"]}
    assert mine and all(cid.startswith(portal.ids["patientId"] + "-") for cid in mine)


def test_r07_a_patient_without_access_gets_no_token_and_every_patient_operation_403(portal: Portal) -> None:
    # PORTAL-R07 (removed access) and the never-registered patient
    for role in ("removed_patient", "unregistered_patient", "invited_patient"):
        refused = portal.client.post("/portal/token", data={"grant_type": "password", **portal.logins[role]})
        problem(refused, 403, "PORTAL-R07")
    portal.ok(portal.get("/patient/conversations"))  # a live token, then access removed
    portal.ok(portal.delete(f"/admin/patients/{portal.ids['patientId']}/portal-access", as_="admin"))
    problem(portal.get("/patient/conversations"), 403, "PORTAL-R07")
    send = {"providerId": portal.ids["provider_openId"], "subject": "Hi", "text": "Hello"}
    problem(portal.post("/patient/conversations", json=send), 403, "PORTAL-R07")
    problem(portal.get("/patient/providers"), 403, "PORTAL-R07")


def test_r09_inbox_lists_open_conversations_with_responses_nested_under_their_message(
    portal_ro: Portal,
) -> None:
    # PORTAL-R09
    items = _inbox(portal_ro)["items"]
    assert items and all(c["status"] == "open" and not c["archived"] for c in items)
    followed = next(c for c in items if c["id"] == portal_ro.ids["followed_up_conversationId"])
    (original,) = followed["messages"]
    (follow_up,) = original["responses"]
    (reply,) = follow_up["responses"]
    assert follow_up["parentId"] == original["id"] and follow_up["sender"]["kind"] == "patient"
    assert reply["parentId"] == follow_up["id"] and reply["sender"]["kind"] == "provider"


def test_r10_newest_conversation_first_and_nested_messages_oldest_first(portal: Portal, clock: Clock) -> None:
    # PORTAL-R10
    dates = [c["lastMessageAt"] for c in _inbox(portal)["items"]]
    assert dates == sorted(dates, reverse=True)
    first = portal.send("provider_openId")
    clock.advance(60)
    second = portal.send("provider_openId")
    ids = [c["id"] for c in _inbox(portal)["items"]]
    assert ids[:2] == [second["id"], first["id"]]
    clock.advance(60)
    portal.ok(
        portal.post(f"/patient/messages/{first['messages'][0]['id']}/follow-ups", json={"text": "More"}), 201
    )
    clock.advance(60)
    portal.ok(
        portal.post(f"/patient/messages/{first['messages'][0]['id']}/follow-ups", json={"text": "Again"}), 201
    )
    assert _inbox(portal)["items"][0]["id"] == first["id"]
    nested = _inbox(portal)["items"][0]["messages"][0]["responses"]
    assert [m["sentAt"] for m in nested] == sorted(m["sentAt"] for m in nested)


def test_r11_each_message_is_flagged_me_or_with_the_providers_initials(portal_ro: Portal) -> None:
    # PORTAL-R11
    providers = {p["id"]: p for p in portal_ro.ok(portal_ro.get("/patient/providers"))["items"]}
    for conversation in _inbox(portal_ro, "all")["items"]:
        for message in (m for m in walk(conversation["messages"]) if isinstance(m, dict) and "sender" in m):
            if message["sender"]["kind"] == "patient":
                assert message["sender"]["flag"] == "Me"
            else:
                assert message["sender"]["flag"] == providers[conversation["providerId"]]["initials"]


def test_r12_the_inbox_shows_subject_and_date_but_no_text(portal_ro: Portal) -> None:
    # PORTAL-R12
    inbox = _inbox(portal_ro, "all")
    summaries = [m for m in walk(inbox) if isinstance(m, dict) and "sentAt" in m]
    assert summaries and all(m["subject"] and m["sentAt"] for m in summaries)
    assert not any("text" in m for m in summaries)
    text = _message(portal_ro, portal_ro.ids["awaiting_messageId"])["text"]
    assert text not in str(inbox)


def test_r13_show_details_gives_the_text_and_the_special_instructions(portal_ro: Portal) -> None:
    # PORTAL-R13
    detail = _message(portal_ro, portal_ro.ids["instructed_messageId"])
    assert detail["text"]
    assert detail["specialInstructions"]["staffMember"]["id"] == portal_ro.ids["staffId"]
    assert detail["specialInstructions"]["responseMethod"]["id"]
    archived = _message(portal_ro, portal_ro.ids["archived_messageId"])  # details on every message
    assert "showDetails" in archived["allowedActions"] and archived["text"]


def test_r14_archived_conversations_are_hidden_until_show_all(portal_ro: Portal) -> None:
    # PORTAL-R14
    archived = portal_ro.ids["archived_conversationId"]
    assert archived not in {c["id"] for c in _inbox(portal_ro)["items"]}
    shown = {c["id"]: c for c in _inbox(portal_ro, "all")["items"]}
    assert shown[archived]["archived"] is True and shown[archived]["status"] == "archived"
    assert any(not c["archived"] for c in shown.values())


def test_r15_allowed_actions_and_can_reply_match_what_the_api_accepts(portal: Portal) -> None:
    # PORTAL-R15
    reply = _message(portal, portal.ids["provider_reply_messageId"])
    assert reply["canReply"] and "reply" in reply["allowedActions"] and not reply["canFollowUp"]
    own = _message(portal, portal.ids["awaiting_messageId"])
    assert own["canFollowUp"] and "cancel" in own["allowedActions"] and "reply" not in own["allowedActions"]
    archived = _message(portal, portal.ids["archived_messageId"])
    assert archived["allowedActions"] == ["showDetails"]
    problem(
        portal.post(f"/patient/messages/{portal.ids['archived_messageId']}/follow-ups", json={"text": "x"}),
        409,
        "PORTAL-R16",
    )
    portal.ok(
        portal.post(
            f"/patient/messages/{portal.ids['provider_reply_messageId']}/replies", json={"text": "Ok"}
        ),
        201,
    )


def test_r16_follow_up_only_on_an_open_message_the_patient_sent_nested_below_it(portal: Portal) -> None:
    # PORTAL-R16
    original = portal.ids["awaiting_messageId"]
    made = portal.ok(
        portal.post(f"/patient/messages/{original}/follow-ups", json={"text": "One more thing"}), 201
    )
    assert made["parentId"] == original and made["sender"]["flag"] == "Me"
    on_provider = portal.post(
        f"/patient/messages/{portal.ids['provider_reply_messageId']}/follow-ups", json={"text": "x"}
    )
    problem(on_provider, 409, "PORTAL-R16")
    on_archived = portal.post(
        f"/patient/messages/{portal.ids['archived_messageId']}/follow-ups", json={"text": "x"}
    )
    problem(on_archived, 409, "PORTAL-R16")


def test_r17_reply_only_on_an_open_message_the_provider_sent_nested_below_it(portal: Portal) -> None:
    # PORTAL-R17
    provider_message = portal.ids["provider_reply_messageId"]
    made = portal.ok(
        portal.post(f"/patient/messages/{provider_message}/replies", json={"text": "Thanks"}), 201
    )
    assert made["parentId"] == provider_message
    problem(
        portal.post(f"/patient/messages/{portal.ids['awaiting_messageId']}/replies", json={"text": "x"}),
        409,
        "PORTAL-R17",
    )
    archived = portal.ok(portal.get(f"/patient/conversations/{portal.ids['archived_conversationId']}"))
    archived_reply = archived["messages"][0]["responses"][0]["id"]
    problem(portal.post(f"/patient/messages/{archived_reply}/replies", json={"text": "x"}), 409, "PORTAL-R17")


def test_r18_archive_only_an_open_conversation_and_it_closes_the_whole_thread(portal: Portal) -> None:
    # PORTAL-R18
    cid = portal.ids["answered_conversationId"]
    archived = portal.ok(portal.put(f"/patient/conversations/{cid}/archive"))
    assert archived["archived"] and archived["allowedActions"] == ["reopen"]
    assert all(
        "reply" not in m["allowedActions"] and "followUp" not in m["allowedActions"]
        for m in walk(archived["messages"])
        if isinstance(m, dict) and "allowedActions" in m
    )
    problem(portal.put(f"/patient/conversations/{cid}/archive"), 409, "PORTAL-R18")


def test_r19_reopen_only_an_archived_conversation_and_follow_ups_are_allowed_again(portal: Portal) -> None:
    # PORTAL-R19
    cid = portal.ids["archived_conversationId"]
    problem(
        portal.put(f"/patient/conversations/{portal.ids['awaiting_conversationId']}/unarchive"),
        409,
        "PORTAL-R19",
    )
    reopened = portal.ok(portal.put(f"/patient/conversations/{cid}/unarchive"))
    assert reopened["status"] == "open" and not reopened["archived"]
    portal.ok(
        portal.post(
            f"/patient/messages/{portal.ids['archived_messageId']}/follow-ups", json={"text": "Back"}
        ),
        201,
    )


def test_r20_cancel_only_before_any_follow_up_reply_or_archive(portal: Portal) -> None:
    # PORTAL-R20
    problem(
        portal.delete(f"/patient/messages/{portal.ids['answered_messageId']}"), 409, "PORTAL-R20"
    )  # replied
    problem(portal.delete(f"/patient/messages/{portal.ids['closed_on_send_messageId']}"), 409, "PORTAL-R20")
    problem(portal.delete(f"/patient/messages/{portal.ids['provider_reply_messageId']}"), 409, "PORTAL-R20")
    followed = portal.send("provider_openId")
    first = followed["messages"][0]["id"]
    portal.ok(portal.post(f"/patient/messages/{first}/follow-ups", json={"text": "And"}), 201)
    problem(portal.delete(f"/patient/messages/{first}"), 409, "PORTAL-R20")
    archived = portal.send("provider_openId")
    portal.ok(portal.put(f"/patient/conversations/{archived['id']}/archive"))
    portal.ok(portal.put(f"/patient/conversations/{archived['id']}/unarchive"))
    problem(portal.delete(f"/patient/messages/{archived['messages'][0]['id']}"), 409, "PORTAL-R20")
    fresh = portal.send("provider_openId")
    assert portal.delete(f"/patient/messages/{fresh['messages'][0]['id']}").status_code == 204


def test_r21_any_practice_action_on_the_thread_also_prevents_cancel(portal: Portal) -> None:
    # PORTAL-R21
    actions = [
        ("PUT", "read", None),
        ("POST", "internal-notes", {"text": "Seen"}),
        ("POST", "tasks", {"title": "Call back"}),
        ("POST", "messages", {"text": "We are on it"}),
    ]
    for method, what, body in actions:
        sent = portal.send("provider_openId")
        path = f"/staff/conversations/{sent['id']}/{what}"
        response = portal.call(method, path, as_="provider_open", json=body)
        assert response.status_code in (200, 201), response.text
        problem(portal.delete(f"/patient/messages/{sent['messages'][0]['id']}"), 409, "PORTAL-R20")
    untouched = portal.send("provider_openId")  # the same thread kind with no action: cancellable
    assert portal.delete(f"/patient/messages/{untouched['messages'][0]['id']}").status_code == 204


def test_r22_a_cancelled_message_is_gone_on_both_sides_not_kept_as_deleted(portal: Portal) -> None:
    # PORTAL-R22
    sent = portal.send("provider_openId")
    cid, mid = sent["id"], sent["messages"][0]["id"]
    portal.ok(portal.get(f"/staff/conversations/{cid}", as_="provider_open"))
    assert portal.delete(f"/patient/messages/{mid}").status_code == 204
    problem(portal.get(f"/patient/messages/{mid}"), 404, "PORTAL-R02")
    problem(portal.get(f"/patient/conversations/{cid}"), 404, "PORTAL-R02")
    problem(portal.get(f"/staff/conversations/{cid}", as_="provider_open"), 404, "PORTAL-R04")
    assert cid not in str(_inbox(portal, "all"))
    assert cid not in str(portal.ok(portal.get("/staff/conversations", as_="provider_open")))
    assert "DELETED" not in str(_inbox(portal, "all"))
    follow = portal.send("provider_openId")
    made = portal.ok(
        portal.post(f"/patient/messages/{follow['messages'][0]['id']}/follow-ups", json={"text": "x"}), 201
    )
    assert portal.delete(f"/patient/messages/{made['id']}").status_code == 204
    kept = portal.ok(portal.get(f"/patient/conversations/{follow['id']}"))
    assert kept["messages"][0]["responses"] == []


def test_r23_a_new_message_needs_a_subject_and_a_text(portal: Portal) -> None:
    # PORTAL-R23
    provider = portal.ids["provider_openId"]
    for body in (
        {"providerId": provider, "text": "x"},
        {"providerId": provider, "subject": "x"},
        {"providerId": provider, "subject": " ", "text": "x"},
    ):
        problem(portal.post("/patient/conversations", json=body), 400, "PORTAL-R23")
    assert len(_inbox(portal, "all")["items"]) == 16


def test_r24_staff_member_and_response_method_come_from_the_lists_the_patient_reads(portal: Portal) -> None:
    # PORTAL-R24
    members = portal.ok(portal.get("/patient/staff-members"))["items"]
    methods = portal.ok(portal.get("/patient/response-methods"))["items"]
    assert members and methods
    chosen = portal.send("provider_openId", staffMemberId=members[0]["id"], responseMethodId=methods[0]["id"])
    detail = _message(portal, chosen["messages"][0]["id"])["specialInstructions"]
    assert detail["staffMember"]["id"] == members[0]["id"] and detail["responseMethod"] == methods[0]
    base = {"providerId": portal.ids["provider_openId"], "subject": "x", "text": "x"}
    for extra in (
        {"staffMemberId": "nobody"},
        {"responseMethodId": "carrier-pigeon"},
        {"staffMemberId": portal.ids["no_messaging_staffId"]},
        {"providerId": "nobody"},
    ):
        problem(portal.post("/patient/conversations", json={**base, **extra}), 400, "PORTAL-R24")


def test_r25_the_chosen_staff_member_is_the_assignee_else_the_provider(portal: Portal) -> None:
    # PORTAL-R25
    chosen = portal.send("provider_openId", staffMemberId=portal.ids["staffId"])
    plain = portal.send("provider_openId")
    assert chosen["id"] in {
        c["id"] for c in portal.ok(portal.get("/staff/conversations", as_="staff"))["items"]
    }
    mine = {c["id"]: c for c in portal.ok(portal.get("/staff/conversations", as_="provider_open"))["items"]}
    assert plain["id"] in mine and chosen["id"] not in mine
    assert mine[plain["id"]]["assignee"]["id"] == portal.ids["provider_openId"]


def test_r26_no_response_needed_archives_the_conversation_when_sent(portal: Portal) -> None:
    # PORTAL-R26
    closed = portal.send("provider_openId", noResponseNeeded=True)
    assert closed["archived"] and closed["status"] == "archived"
    assert closed["id"] not in {c["id"] for c in _inbox(portal)["items"]}
    assert closed["id"] in {c["id"] for c in _inbox(portal, "all")["items"]}


def test_r27_a_provider_who_charges_needs_billing_consent(portal: Portal) -> None:
    # PORTAL-R27
    billing = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_billingId']}"))
    assert billing["billingConsentRequired"] is True
    body = {"providerId": portal.ids["provider_billingId"], "subject": "x", "text": "x"}
    problem(portal.post("/patient/conversations", json=body), 409, "PORTAL-R27")
    problem(portal.post("/patient/conversations", json={**body, "billingConsent": False}), 409, "PORTAL-R27")
    assert len(_inbox(portal, "all")["items"]) == 16  # nothing sent
    portal.ok(portal.post("/patient/conversations", json={**body, "billingConsent": True}), 201)


def test_r28_the_non_urgent_notice_is_on_the_inbox_and_the_provider_choice(portal_ro: Portal) -> None:
    # PORTAL-R28
    assert _inbox(portal_ro)["notice"] == NOTICE
    assert portal_ro.ok(portal_ro.get("/patient/providers"))["notice"] == NOTICE


def test_r30_the_providers_note_is_shown_to_patients_who_message_it(portal: Portal) -> None:
    # PORTAL-R30
    billing = portal.ids["provider_billingId"]
    shown = portal.ok(portal.get(f"/patient/providers/{billing}"))["note"]["text"]
    assert shown
    settings = portal.ok(portal.get(f"/admin/providers/{billing}/message-settings", as_="admin"))["settings"]
    portal.ok(
        portal.put(
            f"/admin/providers/{billing}/message-settings",
            as_="admin",
            json={**settings, "note": {"text": "New note for patients"}},
        )
    )
    listed = {p["id"]: p for p in portal.ok(portal.get("/patient/providers"))["items"]}
    assert listed[billing]["note"] == {"text": "New note for patients"}


def test_r31_the_banner_is_shown_when_a_patient_selects_the_provider(portal: Portal) -> None:
    # PORTAL-R31
    chosen = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_openId']}"))
    assert chosen["banner"]["text"] == "This provider answers secure messages within two business days."
    default = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_tightId']}"))
    assert default["banner"]["text"].startswith("For all scheduling inquiries")


def _tight(portal: Portal, text: str = "Short") -> Any:
    body = {"providerId": portal.ids["provider_tightId"], "subject": "Limit", "text": text}
    return portal.post("/patient/conversations", json=body)


def test_r32_over_the_frequency_limit_a_message_is_refused_and_not_recorded(portal: Portal) -> None:
    # PORTAL-R32
    limits = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_tightId']}"))["frequencyLimits"]
    for _ in range(limits[0]["maxMessages"]):
        portal.ok(_tight(portal), 201)
    before = len(_inbox(portal, "all")["items"])
    assert _tight(portal).status_code == 429
    first = _inbox(portal)["items"][0]["messages"][0]["id"]
    assert portal.post(f"/patient/messages/{first}/follow-ups", json={"text": "x"}).status_code == 429
    assert len(_inbox(portal, "all")["items"]) == before
    assert _inbox(portal)["items"][0]["messages"][0]["responses"] == []


def test_r33_the_frequency_limit_answers_429_with_retry_after_and_the_stock_message(
    portal: Portal, clock: Clock
) -> None:
    # PORTAL-R33
    portal.ok(_tight(portal), 201)
    clock.advance(600)
    portal.ok(_tight(portal), 201)
    refused = _tight(portal)
    body = problem(refused, 429, "PORTAL-R33")
    assert int(refused.headers["Retry-After"]) == 3600 - 600
    settings = portal.ok(
        portal.get(f"/admin/providers/{portal.ids['provider_tightId']}/message-settings", as_="admin")
    )
    assert body["detail"] == settings["effective"]["limitMessage"]
    assert body["limit"] == {"name": "frequency", "value": 2, "periodHours": 1}
    clock.advance(3600 - 600)
    portal.forget_tokens()
    portal.ok(_tight(portal), 201)  # the oldest left the period


def test_r34_over_the_size_limit_a_message_is_refused_and_not_recorded(portal: Portal) -> None:
    # PORTAL-R34
    maximum = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_tightId']}"))["maxCharacters"]
    assert _tight(portal, "x" * (maximum + 1)).status_code == 400
    assert len(_inbox(portal, "all")["items"]) == 16
    portal.ok(_tight(portal, "x" * maximum), 201)


def test_r35_the_size_limit_is_400_naming_max_characters(portal: Portal) -> None:
    # PORTAL-R35
    maximum = portal.ok(portal.get(f"/patient/providers/{portal.ids['provider_tightId']}"))["maxCharacters"]
    body = problem(_tight(portal, "y" * (maximum + 5)), 400, "PORTAL-R35")
    assert body["limit"] == {"name": "maxCharacters", "value": maximum}
    sent = portal.ok(_tight(portal, "ok"), 201)
    follow = portal.post(
        f"/patient/messages/{sent['messages'][0]['id']}/follow-ups", json={"text": "z" * (maximum + 1)}
    )
    problem(follow, 400, "PORTAL-R35")


def test_r36_patients_writing_to_a_provider_see_it_is_out_of_office(portal_ro: Portal) -> None:
    # PORTAL-R36
    away = portal_ro.ok(portal_ro.get(f"/patient/providers/{portal_ro.ids['provider_awayId']}"))
    assert away["outOfOffice"]["active"] is True and away["outOfOffice"]["until"]
    present = portal_ro.ok(portal_ro.get(f"/patient/providers/{portal_ro.ids['provider_openId']}"))
    assert present["outOfOffice"]["active"] is False


def _auto_replies(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in walk(conversation["messages"]) if isinstance(m, dict) and m.get("autoReply") is True]


def test_r37_out_of_office_auto_reply_at_most_once_a_day_per_patient(portal: Portal, clock: Clock) -> None:
    # PORTAL-R37
    first = portal.send("provider_awayId")
    (auto,) = _auto_replies(first)
    assert auto["parentId"] == first["messages"][0]["id"] and auto["sender"]["kind"] == "provider"
    assert "reply" not in auto["allowedActions"]
    assert "cancel" in first["messages"][0]["allowedActions"]  # an auto-reply is not an action
    # Replying to it anyway is refused by the auto-reply's own rule, not by the generic reply rule.
    problem(portal.post(f"/patient/messages/{auto['id']}/replies", json={"text": "x"}), 409, "PORTAL-R37")
    clock.advance(1800)
    assert _auto_replies(portal.send("provider_awayId")) == []  # same day, same patient
    other = portal.ok(
        portal.post(
            "/patient/conversations",
            as_="second_patient",
            json={"providerId": portal.ids["provider_awayId"], "subject": "x", "text": "x"},
        ),
        201,
    )
    assert len(_auto_replies(other)) == 1  # another patient gets one
    clock.advance(86400)
    portal.forget_tokens()
    assert len(_auto_replies(portal.send("provider_awayId"))) == 1  # the next day, again
