"""The portal's practice side (seed 004), one test per rule: each names the PORTAL rule it shows."""

from __future__ import annotations

from typing import Any

from patientmsg.fixtures import Clock
from portal_helpers import Portal, problem, walk


def _list(portal: Portal, query: str = "", as_: str = "provider_open") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = portal.ok(portal.get(f"/staff/conversations{query}", as_=as_))["items"]
    return items


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["id"] for item in items}


def test_r03_a_staff_user_without_the_messaging_right_is_refused_and_cannot_be_chosen(portal: Portal) -> None:
    # PORTAL-R03
    problem(portal.get("/staff/conversations", as_="no_messaging_staff"), 403, "PORTAL-R03")
    cid = portal.ids["awaiting_conversationId"]
    problem(portal.get(f"/staff/conversations/{cid}", as_="no_messaging_staff"), 403, "PORTAL-R03")
    chosen = {m["id"] for m in portal.ok(portal.get("/patient/staff-members"))["items"]}
    assert portal.ids["no_messaging_staffId"] not in chosen and portal.ids["staffId"] in chosen
    rights = {"portalMessaging": False, "viewOthersMessages": False}
    portal.ok(portal.put(f"/admin/users/{portal.ids['staffId']}/rights", as_="admin", json=rights))
    problem(portal.get("/staff/conversations", as_="staff"), 403, "PORTAL-R03")
    assert portal.ids["staffId"] not in {
        m["id"] for m in portal.ok(portal.get("/patient/staff-members"))["items"]
    }


def test_r04_others_messages_need_the_view_others_right(portal: Portal) -> None:
    # PORTAL-R04
    problem(portal.get("/staff/conversations?view=others", as_="staff"), 403, "PORTAL-R04")
    problem(portal.get("/staff/conversations?view=all", as_="staff"), 403, "PORTAL-R04")
    someone_elses = portal.ids["awaiting_conversationId"]  # assigned to its provider
    problem(portal.get(f"/staff/conversations/{someone_elses}", as_="staff"), 404, "PORTAL-R04")
    others = _list(portal, "?view=others", as_="view_others_staff")
    assert someone_elses in _ids(others)
    assert all(c["assignee"]["id"] != portal.ids["view_others_staffId"] for c in others)
    portal.ok(portal.get(f"/staff/conversations/{someone_elses}", as_="view_others_staff"))
    rights = {"portalMessaging": True, "viewOthersMessages": True}
    portal.ok(portal.put(f"/admin/users/{portal.ids['staffId']}/rights", as_="admin", json=rights))
    portal.ok(portal.get(f"/staff/conversations/{someone_elses}", as_="staff"))


def test_r29_the_practice_side_shows_the_message_and_its_special_instructions(portal: Portal) -> None:
    # PORTAL-R29
    sent = portal.send(
        "provider_openId",
        text="My knee hurts",
        staffMemberId=portal.ids["view_others_staffId"],
        responseMethodId="phone",
    )
    seen = portal.ok(portal.get(f"/staff/conversations/{sent['id']}", as_="view_others_staff"))
    (message,) = [m for m in seen["messages"] if m["direction"] == "incoming"]
    assert message["text"] == "My knee hurts"
    assert message["specialInstructions"]["staffMember"]["id"] == portal.ids["view_others_staffId"]
    assert message["specialInstructions"]["responseMethod"]["id"] == "phone"


def test_r41_from_a_patients_page_staff_list_past_conversations_and_write_to_that_patient(
    portal: Portal,
) -> None:
    # PORTAL-R41
    patient = portal.ids["patientId"]
    past = portal.ok(portal.get(f"/staff/patients/{patient}/conversations", as_="view_others_staff"))["items"]
    assert past and all(c["patient"]["id"] == patient for c in past)
    started = portal.ok(
        portal.post(
            f"/staff/patients/{patient}/conversations",
            as_="provider_open",
            json={"subject": "Your results", "text": "All normal."},
        ),
        201,
    )
    assert started["patient"]["id"] == patient and started["assignee"]["id"] == portal.ids["provider_openId"]
    assert started["id"] in {c["id"] for c in portal.ok(portal.get("/patient/conversations"))["items"]}
    problem(portal.get("/staff/patients/nobody/conversations", as_="provider_open"), 404, "PORTAL-R02")


def test_r42_the_patient_can_reply_to_a_message_staff_started(portal: Portal) -> None:
    # PORTAL-R42
    started = portal.ok(
        portal.post(
            f"/staff/patients/{portal.ids['patientId']}/conversations",
            as_="provider_open",
            json={"subject": "Checking in", "text": "How are you?"},
        ),
        201,
    )
    first = started["messages"][0]["id"]
    detail = portal.ok(portal.get(f"/patient/messages/{first}"))
    assert detail["canReply"] and detail["sender"]["kind"] == "provider"
    reply = portal.ok(portal.post(f"/patient/messages/{first}/replies", json={"text": "Fine"}), 201)
    assert reply["parentId"] == first
    staff_sent = portal.ok(
        portal.post(
            f"/staff/conversations/{portal.ids['awaiting_conversationId']}/messages",
            as_="view_others_staff",
            json={"text": "We will call you"},
        ),
        201,
    )
    portal.ok(portal.post(f"/patient/messages/{staff_sent['id']}/replies", json={"text": "Thanks"}), 201)


def test_r43_staff_cannot_message_a_patient_without_portal_access(portal: Portal) -> None:
    # PORTAL-R43
    body = {"subject": "Hello", "text": "Hello"}
    for patient in ("removed_patientId", "unregistered_patientId", "invited_patientId"):
        started = portal.post(
            f"/staff/patients/{portal.ids[patient]}/conversations", as_="provider_open", json=body
        )
        problem(started, 409, "PORTAL-R43")
    removed = portal.ok(
        portal.get(
            f"/staff/patients/{portal.ids['removed_patientId']}/conversations", as_="view_others_staff"
        )
    )["items"]
    problem(
        portal.post(
            f"/staff/conversations/{removed[0]['id']}/messages", as_="view_others_staff", json={"text": "x"}
        ),
        409,
        "PORTAL-R43",
    )


def test_r44_my_messages_lists_the_conversations_assigned_to_me(portal_ro: Portal) -> None:
    # PORTAL-R44
    mine = _list(portal_ro)
    assert mine and all(c["assignee"]["id"] == portal_ro.ids["provider_openId"] for c in mine)
    assert _ids(mine) == _ids(_list(portal_ro, "?view=mine"))


def test_r45_unread_only_lists_the_conversations_unread_for_me(portal: Portal) -> None:
    # PORTAL-R45
    unread = _list(portal, "?unreadOnly=true&view=all", as_="view_others_staff")
    assert unread and all(c["unread"] for c in unread)
    everything = _list(portal, "?view=all", as_="view_others_staff")
    assert len(everything) > len(unread)
    portal.ok(portal.put(f"/staff/conversations/{unread[0]['id']}/read", as_="view_others_staff"))
    assert unread[0]["id"] not in _ids(_list(portal, "?unreadOnly=true&view=all", as_="view_others_staff"))


def test_r46_the_date_range_filters_by_the_date_received(portal: Portal, clock: Clock) -> None:
    # PORTAL-R46
    sent = portal.send("provider_openId")
    today = clock.now().date().isoformat()
    listed = _list(portal, f"?receivedFrom={today}&receivedTo={today}")
    assert _ids(listed) == {sent["id"]}
    older = _list(portal, "?receivedTo=2026-11-14")
    assert (
        older and all(c["receivedAt"][:10] <= "2026-11-14" for c in older) and sent["id"] not in _ids(older)
    )
    problem(portal.get("/staff/conversations?receivedFrom=yesterday", as_="provider_open"), 400, "PORTAL-R57")


def test_r47_search_by_patient_name_or_message_content(portal: Portal) -> None:
    # PORTAL-R47
    sent = portal.send("provider_openId", text="Unusual zebra-striped rash on my elbow")
    assert _ids(_list(portal, "?q=ZEBRA-striped")) == {sent["id"]}
    name = portal.ok(portal.get(f"/staff/conversations/{sent['id']}", as_="provider_open"))["patient"]["name"]
    by_name = _list(portal, f"?q={name.split()[-1].lower()}&view=all", as_="view_others_staff")
    assert sent["id"] in _ids(by_name) and all(name.split()[-1] in c["patient"]["name"] for c in by_name)


def test_r48_mark_as_unread_only_on_a_thread_with_an_incoming_message(portal: Portal) -> None:
    # PORTAL-R48
    outgoing = portal.ids["staff_started_conversationId"]
    problem(portal.put(f"/staff/conversations/{outgoing}/unread", as_="view_others_staff"), 409, "PORTAL-R48")
    incoming = portal.ids["answered_conversationId"]
    state = portal.ok(portal.put(f"/staff/conversations/{incoming}/unread", as_="view_others_staff"))
    assert state == {
        "conversationId": incoming,
        "staffUserId": portal.ids["view_others_staffId"],
        "unread": True,
    }


def test_r49_read_state_is_per_staff_user_and_a_new_patient_message_makes_it_unread(portal: Portal) -> None:
    # PORTAL-R49
    sent = portal.send("provider_openId")
    cid = sent["id"]

    def unread(as_: str) -> bool:
        return bool(portal.ok(portal.get(f"/staff/conversations/{cid}", as_=as_))["unread"])

    assert unread("provider_open") and unread("view_others_staff")
    portal.ok(portal.put(f"/staff/conversations/{cid}/read", as_="provider_open"))
    assert not unread("provider_open") and unread("view_others_staff")  # GETs changed nothing
    portal.ok(
        portal.post(f"/patient/messages/{sent['messages'][0]['id']}/follow-ups", json={"text": "Any news?"}),
        201,
    )
    assert unread("provider_open")


def test_r50_copy_messages_is_a_plain_text_transcript_without_internal_notes(portal: Portal) -> None:
    # PORTAL-R50
    cid = portal.ids["noted_conversationId"]
    thread = portal.ok(portal.get(f"/staff/conversations/{cid}", as_="view_others_staff"))
    copied = portal.get(f"/staff/conversations/{cid}/transcript", as_="view_others_staff")
    assert copied.status_code == 200 and copied.headers["content-type"].startswith("text/plain")
    assert all(m["text"] in copied.text for m in thread["messages"])
    assert thread["internalNotes"] and all(n["text"] not in copied.text for n in thread["internalNotes"])


def test_r51_reassign_moves_the_conversation_from_my_list_to_theirs(portal: Portal) -> None:
    # PORTAL-R51
    sent = portal.send("provider_openId")
    assert sent["id"] in _ids(_list(portal))
    moved = portal.ok(
        portal.put(
            f"/staff/conversations/{sent['id']}/assignee",
            as_="provider_open",
            json={"staffUserId": portal.ids["staffId"]},
        )
    )
    assert moved["assignee"]["id"] == portal.ids["staffId"]
    assert sent["id"] not in _ids(_list(portal))
    assert sent["id"] in _ids(_list(portal, as_="staff"))


def test_r52_no_reassignment_to_a_user_without_the_right_or_to_nobody(portal: Portal) -> None:
    # PORTAL-R52
    cid = portal.ids["awaiting_conversationId"]
    no_right = {"staffUserId": portal.ids["no_messaging_staffId"]}
    problem(
        portal.put(f"/staff/conversations/{cid}/assignee", as_="view_others_staff", json=no_right),
        409,
        "PORTAL-R52",
    )
    problem(
        portal.put(
            f"/staff/conversations/{cid}/assignee", as_="view_others_staff", json={"staffUserId": "nobody"}
        ),
        400,
        "PORTAL-R52",
    )
    assert (
        portal.ok(portal.get(f"/staff/conversations/{cid}", as_="view_others_staff"))["assignee"]["id"]
        != (portal.ids["no_messaging_staffId"])
    )


def test_r53_internal_notes_are_for_staff_and_never_in_a_patient_side_response(portal: Portal) -> None:
    # PORTAL-R53
    cid = portal.ids["awaiting_conversationId"]
    secret = "Please only message this patient after 3 PM (internal)."
    note = portal.ok(
        portal.post(
            f"/staff/conversations/{cid}/internal-notes", as_="view_others_staff", json={"text": secret}
        ),
        201,
    )
    listed = portal.ok(portal.get(f"/staff/conversations/{cid}/internal-notes", as_="view_others_staff"))[
        "items"
    ]
    assert note["id"] in {n["id"] for n in listed}
    patient_side = [
        portal.get("/patient/conversations?view=all"),
        portal.get(f"/patient/conversations/{cid}"),
        portal.get(f"/patient/messages/{portal.ids['awaiting_messageId']}"),
        portal.get("/patient/providers"),
        portal.get("/patient/staff-members"),
    ]
    for response in patient_side:
        assert response.status_code == 200
        assert (
            secret not in response.text
            and "internalNotes" not in response.text
            and note["id"] not in response.text
        )


def test_r54_a_task_is_linked_to_the_conversation_and_one_of_its_messages(portal: Portal) -> None:
    # PORTAL-R54
    cid = portal.ids["answered_conversationId"]
    task = portal.ok(
        portal.post(
            f"/staff/conversations/{cid}/tasks",
            as_="view_others_staff",
            json={
                "title": "Call back",
                "messageId": portal.ids["answered_messageId"],
                "dueDate": "2026-11-30",
            },
        ),
        201,
    )
    assert task["conversationId"] == cid and task["messageId"] == portal.ids["answered_messageId"]
    assert portal.ok(portal.get(f"/staff/tasks/{task['id']}", as_="view_others_staff")) == task
    assert task["id"] in {
        t["id"]
        for t in portal.ok(portal.get(f"/staff/conversations/{cid}", as_="view_others_staff"))["tasks"]
    }
    problem(
        portal.post(
            f"/staff/conversations/{cid}/tasks",
            as_="view_others_staff",
            json={"title": "x", "messageId": portal.ids["awaiting_messageId"]},
        ),
        400,
        "PORTAL-R54",
    )


def test_r55_get_never_changes_state(portal: Portal) -> None:
    # PORTAL-R55
    def snapshot() -> list[Any]:
        return [
            portal.get("/patient/conversations?view=all").json(),
            portal.get(f"/patient/messages/{portal.ids['awaiting_messageId']}").json(),
            portal.get("/staff/conversations?view=all", as_="view_others_staff").json(),
            portal.get("/admin/outbox", as_="admin").json(),
        ]

    before = snapshot()
    for path, as_ in (
        (f"/staff/conversations/{portal.ids['awaiting_conversationId']}", "view_others_staff"),
        (f"/staff/conversations/{portal.ids['awaiting_conversationId']}/transcript", "view_others_staff"),
        (f"/staff/patients/{portal.ids['patientId']}/conversations", "view_others_staff"),
        (f"/patient/providers/{portal.ids['provider_tightId']}", "patient"),
        (f"/admin/providers/{portal.ids['provider_tightId']}/message-settings", "admin"),
    ):
        for _ in range(3):
            assert portal.get(path, as_=as_).status_code == 200
    assert snapshot() == before
    # Still cancellable: nothing a GET did counts as an action (PORTAL-R21).
    assert "cancel" in before[1]["allowedActions"]
    assert portal.delete(f"/patient/messages/{portal.ids['awaiting_messageId']}").status_code == 204


def test_r10_staff_lists_are_newest_first(portal_ro: Portal) -> None:
    # PORTAL-R10 (practice side)
    dates = [c["lastMessageAt"] for c in _list(portal_ro, "?view=all", as_="view_others_staff")]
    assert dates == sorted(dates, reverse=True)


def test_r22_staff_inbox_never_holds_a_deleted_status(portal_ro: Portal) -> None:
    # PORTAL-R22 (no DELETED status on the practice side either)
    statuses = {
        v for v in walk(_list(portal_ro, "?view=all", as_="view_others_staff")) if v in ("DELETED", "deleted")
    }
    assert statuses == set()
