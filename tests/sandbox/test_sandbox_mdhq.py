"""MD HQ portal: enqueued requests (open ones, soft delete) and invitations to an outbox."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sandbox_helpers import NOW_TEXT, Api, vendor_error


def enqueued(mdhq: Api, pt_id: int, query: str = "") -> dict[str, Any]:
    response = mdhq.get(f"/api/v1/patients/{pt_id}/portal/enqueued{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_enqueued_lists_open_requests_oldest_first(mdhq: Api, store: sqlite3.Connection) -> None:
    body = enqueued(mdhq, mdhq.ids["pt_id"])
    data = body["data"]
    assert body["total"] == len(data) > 0
    assert {r["status"] for r in data} == {"open"} and {r["pt_id"] for r in data} == {mdhq.ids["pt_id"]}
    assert [(r["created"], r["id"]) for r in data] == sorted((r["created"], r["id"]) for r in data)
    others = store.execute(
        "SELECT COUNT(*) FROM mdhq_queue_request WHERE pt_id = ? AND status != 'open'", (mdhq.ids["pt_id"],)
    ).fetchone()[0]
    assert others > 0, "the patient also has requests in other states, which are not listed"
    assert mdhq.ids["queue_request_id"] in {r["id"] for r in data}


def test_enqueued_ignores_the_coming_soon_parameters(mdhq: Api) -> None:
    pt_id = mdhq.ids["pt_id"]
    assert enqueued(mdhq, pt_id, "?status=completed&request_type=rx_refill") == enqueued(mdhq, pt_id)


def test_a_patient_without_requests(mdhq: Api) -> None:
    assert enqueued(mdhq, mdhq.ids["empty_pt_id"]) == {"total": 0, "data": []}


def test_delete_is_a_soft_delete_with_time_and_user(
    mdhq: Api, store: sqlite3.Connection, config: dict[str, Any]
) -> None:
    pt_id, request_id = mdhq.ids["pt_id"], mdhq.ids["queue_request_id"]
    user = config["mdhq"]["auth"]["basic"]["username"]
    before = enqueued(mdhq, pt_id)
    response = mdhq.delete(f"/api/v1/patients/{pt_id}/portal/enqueued/{request_id}")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "id": request_id,
        "deleted_at": NOW_TEXT,
        "deleted_by": user,
    }
    after = enqueued(mdhq, pt_id)
    assert (
        after["data"] == [r for r in before["data"] if r["id"] != request_id]
        and after["total"] == before["total"] - 1
    )
    row = store.execute(
        "SELECT deleted_at, deleted_by FROM mdhq_queue_request WHERE id = ?", (request_id,)
    ).fetchone()
    assert tuple(row) == (NOW_TEXT, user), "the request stays in the store"
    again = mdhq.delete(f"/api/v1/patients/{pt_id}/portal/enqueued/{request_id}")
    assert vendor_error("mdhq", again, 404)["error"] == "not_found"


def test_delete_of_another_patients_request_is_404(mdhq: Api, store: sqlite3.Connection) -> None:
    other = store.execute(
        "SELECT MIN(pt_id) FROM mdhq_patient WHERE pt_id != ?", (mdhq.ids["pt_id"],)
    ).fetchone()[0]
    response = mdhq.delete(f"/api/v1/patients/{other}/portal/enqueued/{mdhq.ids['queue_request_id']}")
    vendor_error("mdhq", response, 404)
    assert mdhq.ids["queue_request_id"] in {r["id"] for r in enqueued(mdhq, mdhq.ids["pt_id"])["data"]}


def outbox(store: sqlite3.Connection, pt_id: int) -> list[tuple[Any, ...]]:
    rows = store.execute(
        "SELECT pt_id, email, kind, sent_at, sent_by FROM mdhq_invite_outbox WHERE pt_id = ?", (pt_id,)
    )
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("registered", [True, False])
def test_invite_records_an_invitation_or_a_password_reset(
    mdhq: Api, store: sqlite3.Connection, config: dict[str, Any], registered: bool
) -> None:
    pt_id, email = store.execute(
        "SELECT pt_id, email FROM mdhq_patient"
        " WHERE email IS NOT NULL AND portal_registered = ? ORDER BY pt_id",
        (int(registered),),
    ).fetchone()
    kind = "password_reset" if registered else "invitation"
    response = mdhq.post(f"/api/v1/patients/{pt_id}/portal/invite")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "pt_id": pt_id,
        "email": email,
        "kind": kind,
        "sent_at": NOW_TEXT,
    }
    user = config["mdhq"]["auth"]["basic"]["username"]
    assert outbox(store, pt_id) == [(pt_id, email, kind, NOW_TEXT, user)]


def test_invite_without_an_email_is_409(mdhq: Api, store: sqlite3.Connection) -> None:
    pt_id = mdhq.ids["no_email_pt_id"]
    response = mdhq.post(f"/api/v1/patients/{pt_id}/portal/invite")
    assert vendor_error("mdhq", response, 409)["error"] == "no_email"
    assert outbox(store, pt_id) == []


def test_invite_of_an_unknown_patient_is_404(mdhq: Api, store: sqlite3.Connection) -> None:
    unknown = store.execute("SELECT MAX(pt_id) + 1 FROM mdhq_patient").fetchone()[0]
    vendor_error("mdhq", mdhq.post(f"/api/v1/patients/{unknown}/portal/invite"), 404)
