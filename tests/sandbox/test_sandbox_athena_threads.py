"""athena Secure Messages threads: read, reply, reply access, lab results; the departments mapping."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sandbox_helpers import NOW, Api, athena_time, base, listing, vendor_error


def thread(api: Api, threadid: int) -> dict[str, Any]:
    response = api.get(f"{base(api)}/securemessage/{threadid}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_thread_reads_oldest_first(athena_ro: Api) -> None:
    sent = listing(athena_ro, "sentmessages", "?limit=10000")["messages"]
    conversation = max(sent, key=lambda t: len(t["messagelist"]))
    body = thread(athena_ro, conversation["messagethreadid"])
    times = [(athena_time(m["createddatetime"]), m["messageid"]) for m in body["messagelist"]]
    assert len(times) > 1 and times == sorted(times)
    assert body["documentid"] == body["messagethreadid"] == conversation["messagethreadid"]
    assert {"enterpriseid", "subject", "messagetype", "status"} <= set(body)


def test_thread_of_another_patient_is_404(athena_ro: Api) -> None:
    other = f"/v1/{athena_ro.ids['practiceid']}/patients/{athena_ro.ids['small_patientid']}"
    response = athena_ro.get(f"{other}/securemessage/{athena_ro.ids['messagethreadid']}")
    assert "thread" in vendor_error("athena", response, 404)["error"].lower()


def test_reply_appends_the_patients_message(athena: Api) -> None:
    threadid = athena.ids["messagethreadid"]
    before = thread(athena, threadid)["messagelist"]
    response = athena.post(
        f"{base(athena)}/securemessage/{threadid}/reply", data={"text": "Thanks, <b>see you</b>"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["error"] == "0"
    message = result["message"]
    assert message["sendertype"] == "PATIENT" and message["text"] == "Thanks, <b>see you</b>"
    assert message["createddatetime"] == NOW.strftime("%m/%d/%Y %H:%M:%S")  # the injected clock
    after = thread(athena, threadid)["messagelist"]
    assert after[:-1] == before and after[-1] == message
    sent = listing(athena, "sentmessages", "?limit=1")["messages"]
    assert sent[0]["messagethreadid"] == threadid and sent[0]["messagelist"][-1] == message
    assert listing(athena, "inboxmessages", "?limit=1")["messages"][0]["messagethreadid"] == threadid


def test_lists_read_before_a_write_show_it_after(athena: Api) -> None:
    """Lists and counts served before a reply (and so kept by the sandbox) reflect the reply after it."""
    threadid = athena.ids["messagethreadid"]
    plain = "?limit=5&showplaintext=Y"
    sent_before = listing(athena, "sentmessages", "?limit=10000")
    assert threadid not in [t["messagethreadid"] for t in sent_before["messages"]]
    (inbox_before,) = [
        t for t in listing(athena, "inboxmessages", plain)["messages"] if t["messagethreadid"] == threadid
    ]
    reply = athena.post(
        f"{base(athena)}/securemessage/{threadid}/reply", data={"text": "Fine &amp; <i>thanks</i>"}
    )
    assert reply.status_code == 200, reply.text
    assert listing(athena, "sentmessages", "?limit=10000")["totalcount"] == sent_before["totalcount"] + 1
    inbox_after = listing(athena, "inboxmessages", plain)["messages"][0]
    assert inbox_after["messagethreadid"] == threadid
    assert len(inbox_after["messagelist"]) == len(inbox_before["messagelist"]) + 1
    assert inbox_after["messagelist"][-1]["text"] == "Fine & thanks"


def test_reply_to_an_archived_thread_is_409_and_changes_nothing(athena: Api) -> None:
    threadid = athena.ids["archived_messagethreadid"]
    before = thread(athena, threadid)
    response = athena.post(f"{base(athena)}/securemessage/{threadid}/reply", data={"text": "hello?"})
    assert "archived" in vendor_error("athena", response, 409)["error"].lower()
    assert thread(athena, threadid) == before


@pytest.mark.parametrize(
    ("key", "expected"), [("messagethreadid", True), ("archived_messagethreadid", False)]
)
def test_can_patient_reply_answers_the_reply_rule(athena: Api, key: str, expected: bool) -> None:
    threadid = athena.ids[key]
    access = athena.get(f"{base(athena)}/securemessage/{threadid}/CanPatientReplyToMessage").json()
    assert access["canreply"] is expected
    assert ("reason" in access) is not expected
    reply = athena.post(f"{base(athena)}/securemessage/{threadid}/reply", data={"text": "hi"})
    assert (reply.status_code == 200) is expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "text is required."),
        ({"text": ""}, "text must not be empty."),
        ({"other": "x"}, "text is required."),
    ],
)
def test_reply_needs_text(athena_ro: Api, data: dict[str, str], message: str) -> None:
    response = athena_ro.post(
        f"{base(athena_ro)}/securemessage/{athena_ro.ids['messagethreadid']}/reply", data=data
    )
    assert vendor_error("athena", response, 400) == {"error": message}


def test_reply_refuses_a_json_body(athena_ro: Api) -> None:
    response = athena_ro.post(
        f"{base(athena_ro)}/securemessage/{athena_ro.ids['messagethreadid']}/reply", json={"text": "x"}
    )
    vendor_error("athena", response, 415)


def test_mark_lab_result_read_is_idempotent(athena: Api) -> None:
    threadid = athena.ids["labresult_messagethreadid"]
    path = f"{base(athena)}/patientsecuremessage/marklabresultread/{threadid}"
    assert thread(athena, threadid)["isread"] is False
    for _ in range(2):
        response = athena.post(path)
        assert response.status_code == 200 and response.json() == {"success": "true"}
        assert thread(athena, threadid)["isread"] is True


def test_mark_lab_result_read_on_another_thread_is_409(athena: Api) -> None:
    threadid = athena.ids["messagethreadid"]
    response = athena.post(f"{base(athena)}/patientsecuremessage/marklabresultread/{threadid}")
    vendor_error("athena", response, 409)
    assert "isread" not in thread(athena, threadid)


def mapping(athena: Api, query: str = "") -> list[dict[str, Any]]:
    response = athena.get(
        f"/v1/{athena.ids['practiceid']}/patientsecuremessage/providers/departmentsmapping{query}"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totalcount"] == len(body["departmentsmapping"])
    rows: list[dict[str, Any]] = body["departmentsmapping"]
    return rows


def test_departments_mapping_filters_by_each_id_given(athena_ro: Api) -> None:
    everything = mapping(athena_ro)
    assert len(everything) > 1
    provider, department = athena_ro.ids["providerid"], athena_ro.ids["departmentid"]
    by_provider = mapping(athena_ro, f"?providerids={provider}")
    assert by_provider == [row for row in everything if row["providerid"] == provider]
    by_department = mapping(athena_ro, f"?departmentids={department}")
    assert by_department == [row for row in everything if row["departmentid"] == department]
    other = next(row["providerid"] for row in everything if row["providerid"] != provider)
    both = mapping(athena_ro, f"?providerids={provider},{other}&departmentids={department}")
    assert both == [
        r for r in everything if r["providerid"] in (provider, other) and r["departmentid"] == department
    ]
    brand = everything[0]["communicatorbrandid"]
    assert mapping(athena_ro, f"?communicatorbrandid={brand}") == [
        r for r in everything if r["communicatorbrandid"] == brand
    ]
    group = everything[0]["providergroupid"]
    assert mapping(athena_ro, f"?providergroupids={group}") == [
        r for r in everything if r["providergroupid"] == group
    ]
    assert mapping(athena_ro, f"?providerids={max(r['providerid'] for r in everything) + 1}") == []


def test_departments_mapping_rows_are_named(athena_ro: Api) -> None:
    for row in mapping(athena_ro):
        assert {"providername", "departmentname", "providergroupname", "communicatorbrandname"} <= set(row)


def test_departments_mapping_refuses_non_integer_ids(athena_ro: Api) -> None:
    mapping_path = f"/v1/{athena_ro.ids['practiceid']}/patientsecuremessage/providers/departmentsmapping"
    path = f"{mapping_path}?providerids=1,two"
    body = vendor_error("athena", athena_ro.get(path), 400)
    assert body["error"] == "providerids values must be an integer."


def test_departments_mapping_refuses_an_empty_id_list(athena_ro: Api) -> None:
    """ "One or more ID's of the Provider": an empty list is not a filter."""
    mapping_path = f"/v1/{athena_ro.ids['practiceid']}/patientsecuremessage/providers/departmentsmapping"
    body = vendor_error("athena", athena_ro.get(f"{mapping_path}?providerids="), 400)
    assert body["error"] == "providerids must not be empty."


def test_a_reply_that_fails_midway_leaves_nothing_behind(athena: Api, store: sqlite3.Connection) -> None:
    store.isolation_level = None  # autocommit, the harshest mode a store connection may be in
    store.execute("CREATE TRIGGER refuse BEFORE UPDATE ON athena_thread BEGIN SELECT RAISE(ABORT, 'no'); END")
    (before,) = store.execute("SELECT COUNT(*) FROM athena_message").fetchone()
    response = athena.post(
        f"{base(athena)}/securemessage/{athena.ids['messagethreadid']}/reply", data={"text": "x"}
    )
    vendor_error("athena", response, 500)
    assert store.execute("SELECT COUNT(*) FROM athena_message").fetchone()[0] == before, (
        "the message was rolled back"
    )
