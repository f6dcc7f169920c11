"""Oracle inbox items: filters and defaults, the date window, sorting, the single page, request ids."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import pytest
from sandbox_helpers import NOW, REQUEST_ID, Api, vendor_error

PATH = "/20241001/patientMessages/inboxItems"
LOWER, UPPER = "createDateTimeGreaterThanOrEqualTo", "createDateTimeLessThanOrEqualTo"


def items(oracle: Api, query: str = "", patient: str = "patientId") -> dict[str, Any]:
    response = oracle.get(f"{PATH}?patientId={oracle.ids[patient]}{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def when(item: dict[str, Any]) -> dt.datetime:
    """The date the window and the sort use: remindDateTime for a reminder, else createdDateTime."""
    stamp = (
        item["remindDateTime"] if item["notificationType"]["value"] == "REMINDER" else item["createdDateTime"]
    )
    return dt.datetime.fromisoformat(stamp["dateTime"].replace("Z", "+00:00"))


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_defaults_messages_opened_or_unread_newest_first_in_90_days(oracle_ro: Api) -> None:
    body = items(oracle_ro)
    found = body["items"]
    assert len(found) == 1000 and body["hasAdditionalListItems"] is True
    assert {i["notificationType"]["value"] for i in found} == {"MESSAGE"}
    assert {i["notificationStatus"]["value"] for i in found} <= {"OPENED", "UNREAD"}
    assert all(NOW - dt.timedelta(days=90) <= when(i) <= NOW for i in found)
    assert [(when(i), i["id"]) for i in found] == sorted(((when(i), i["id"]) for i in found), reverse=True)


def test_narrowing_the_dates_reads_everything_once(oracle_ro: Api) -> None:
    seen: list[str] = []
    upper = iso(NOW)
    for _ in range(10):  # bounded: the default world holds a few thousand items
        body = items(oracle_ro, f"&{UPPER}={upper}")
        seen += [i["id"] for i in body["items"]]
        if not body["hasAdditionalListItems"]:
            break
        upper = iso(when(body["items"][-1]) - dt.timedelta(seconds=1))
    else:
        pytest.fail("hasAdditionalListItems never became false")
    assert len(seen) == len(set(seen)) > 1000


def test_has_additional_list_items_is_false_when_all_fit(oracle_ro: Api) -> None:
    body = items(oracle_ro, patient="small_patientId")
    assert 0 < len(body["items"]) < 1000 and body["hasAdditionalListItems"] is False


def test_a_patient_without_items_gets_an_empty_list(oracle_ro: Api) -> None:
    assert items(oracle_ro, patient="empty_patientId") == {"hasAdditionalListItems": False, "items": []}


def test_an_unknown_patient_is_404(oracle_ro: Api) -> None:
    body = vendor_error("oracle", oracle_ro.get(f"{PATH}?patientId=0"), 404)
    assert body["code"] == "NotFound" and body["details"][0]["source"] == {"parameters": ["patientId"]}


def test_status_as_repeated_keys_or_a_comma_list(oracle_ro: Api) -> None:
    repeated = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}&status=OPENED&status=DELETED")
    listed = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}&status=OPENED,DELETED")
    encoded = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}&status=OPENED%2CDELETED")
    assert repeated.status_code == 200 and repeated.content == listed.content == encoded.content
    assert {i["notificationStatus"]["value"] for i in repeated.json()["items"]} == {"OPENED", "DELETED"}


def test_status_filters(oracle_ro: Api) -> None:
    deleted = items(oracle_ro, "&status=DELETED")["items"]
    assert deleted and {i["notificationStatus"]["value"] for i in deleted} == {"DELETED"}
    unread = items(oracle_ro, "&status=UNREAD")["items"]
    assert unread and {i["notificationStatus"]["value"] for i in unread} == {"UNREAD"}


def test_reminders_are_windowed_by_their_remind_time(oracle_ro: Api, template: sqlite3.Connection) -> None:
    every = "&notificationType=REMINDER&status=OPENED,UNREAD,DELETED"
    reminders = items(oracle_ro, every)["items"]
    assert reminders and {i["notificationType"]["value"] for i in reminders} == {"REMINDER"}
    assert all(NOW - dt.timedelta(days=90) <= when(i) <= NOW for i in reminders)
    future = template.execute(
        "SELECT COUNT(*) FROM oracle_item WHERE notification_type = 'REMINDER' AND window_at > ?", (iso(NOW),)
    ).fetchone()[0]
    assert future > 0, "reminders set to show up after now exist, and are not listed"
    week = NOW - dt.timedelta(days=7)
    recent = items(oracle_ro, f"{every}&{LOWER}={iso(week)}")["items"]
    assert recent and all(when(i) >= week for i in recent)
    created = [
        dt.datetime.fromisoformat(i["createdDateTime"]["dateTime"].replace("Z", "+00:00")) for i in recent
    ]
    assert min(created) < week, "a reminder created before the window shows when its remind time is inside"
    both = items(oracle_ro, "&notificationType=REMINDER&notificationType=MESSAGE&status=DELETED")["items"]
    assert {i["notificationType"]["value"] for i in both} == {"MESSAGE", "REMINDER"}


def test_a_future_upper_bound_means_now(oracle_ro: Api) -> None:
    future = items(oracle_ro, f"&{UPPER}=2099-01-01T00:00:00Z")
    assert future == items(oracle_ro)


def test_the_lower_bound_defaults_to_90_days_before_now(oracle_ro: Api) -> None:
    explicit = items(oracle_ro, f"&{LOWER}={iso(NOW - dt.timedelta(days=90))}&status=DELETED")
    assert explicit == items(oracle_ro, "&status=DELETED")
    wider = items(oracle_ro, f"&{LOWER}={iso(NOW - dt.timedelta(days=400))}&status=DELETED")
    assert len(wider["items"]) > len(explicit["items"])


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-11-18T09:00:00.250Z",
        "2026-11-18T02:00:00-07:00",
        "2026-11-18T09:00:00%2B00:00",
        "2026-11-18t09:00:00z",
        "2026-11-18T09:00:60Z",
    ],
)
def test_dates_in_another_form_than_utc_without_milliseconds_are_400(oracle_ro: Api, stamp: str) -> None:
    # "in UTC point-in-time format ... excluding milliseconds": the documented form only.
    response = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}&{UPPER}={stamp}")
    body = vendor_error("oracle", response, 400)
    assert [d["source"]["parameters"] for d in body["details"]] == [[UPPER]]


@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        (f"&{LOWER}=2026-11-20T00:00:00Z&{UPPER}=2026-11-19T00:00:00Z", [LOWER, UPPER]),
        (f"&{LOWER}=2026-11-20T00:00:00Z&{UPPER}=2026-11-20T00:00:00Z", [LOWER, UPPER]),
        (f"&{LOWER}=2099-01-01T00:00:00Z", [LOWER]),
    ],
)
def test_a_lower_bound_not_before_the_upper_is_400(oracle_ro: Api, query: str, parameters: list[str]) -> None:
    body = vendor_error("oracle", oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}{query}"), 400)
    assert body["details"][0]["source"] == {"parameters": parameters}
    assert "must be before" in body["message"]


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_sort_by_create_date(oracle_ro: Api, order: str) -> None:
    found = items(oracle_ro, f"&sortBy=createDateTime&sortOrder={order}&status=DELETED")["items"]
    keys = [(when(i), i["id"]) for i in found]
    assert len(keys) > 1 and keys == sorted(keys, reverse=order == "DESC")


@pytest.mark.parametrize(("order", "first"), [("DESC", "HIGH"), ("ASC", "NORMAL")])
def test_sort_by_priority(oracle_ro: Api, order: str, first: str) -> None:
    found = items(oracle_ro, f"&sortBy=priority&sortOrder={order}&status=DELETED")["items"]
    priorities = [i["priority"]["value"] for i in found]
    assert set(priorities) == {"HIGH", "NORMAL"}
    boundary = priorities.index("NORMAL" if first == "HIGH" else "HIGH")
    assert set(priorities[:boundary]) == {first} and first not in priorities[boundary:]
    for group in (found[:boundary], found[boundary:]):  # then newest first, then id
        keys = [(when(i), i["id"]) for i in group]
        assert keys == sorted(keys, reverse=True)


def test_sort_order_defaults_to_descending(oracle_ro: Api) -> None:
    assert items(oracle_ro, "&sortBy=createDateTime") == items(oracle_ro, "&sortOrder=DESC")


@pytest.mark.parametrize("page", ["1", "2", "next", "abc"])
def test_any_page_is_400_because_none_is_ever_issued(oracle_ro: Api, page: str) -> None:
    response = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}&page={page}")
    body = vendor_error("oracle", response, 400)
    assert body["details"][0]["source"] == {"parameters": ["page"]}
    assert "opc-next-page" not in items(oracle_ro) and "opc-next-page" not in response.headers


def test_no_next_page_header_even_when_more_match(oracle_ro: Api) -> None:
    response = oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['patientId']}")
    assert response.json()["hasAdditionalListItems"] is True
    assert "opc-next-page" not in response.headers and "opc-prev-page" not in response.headers


def test_organization_summary_only_when_asked(oracle_ro: Api) -> None:
    plain = items(oracle_ro, "&status=DELETED")["items"]
    loaded = items(oracle_ro, "&status=DELETED&shouldLoadOrganizationSummary=true")["items"]
    assert all("organization" not in i.get("encounter", {}) for i in plain)
    with_encounter = [i for i in loaded if "encounter" in i]
    assert with_encounter and all(i["encounter"]["organization"]["id"] for i in with_encounter)
    for before, after in zip(plain, loaded, strict=True):  # nothing else changes
        after.get("encounter", {}).pop("organization", None)
        assert before == after


def test_request_id_is_echoed(oracle_ro: Api) -> None:
    response = oracle_ro.get(
        f"{PATH}?patientId={oracle_ro.ids['patientId']}", headers={"opc-request-id": "client-req_42"}
    )
    assert response.headers["opc-request-id"] == "client-req_42"


def test_request_id_is_made_up_when_absent_on_every_response(oracle_ro: Api) -> None:
    responses = [
        oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['small_patientId']}"),
        oracle_ro.get(f"{PATH}?patientId={oracle_ro.ids['small_patientId']}", authed=False),
        oracle_ro.get("/nowhere"),
        oracle_ro.call("POST", PATH),
        oracle_ro.get(f"{PATH}?patientId=0"),
    ]
    ids = [r.headers["opc-request-id"] for r in responses]
    assert [r.status_code for r in responses] == [200, 401, 404, 405, 404]
    assert all(REQUEST_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)


def test_made_up_request_ids_are_deterministic(template: sqlite3.Connection) -> None:
    from patientmsg.fixtures import Clock
    from patientmsg.mockserver import create_app
    from sandbox_helpers import SEED, copy_store
    from starlette.testclient import TestClient

    runs = []
    for _ in range(2):
        with TestClient(create_app(copy_store(template), Clock(NOW), seed=SEED)) as client:
            runs.append([client.get(f"/oracle{PATH}").headers["opc-request-id"] for _ in range(3)])
    assert runs[0] == runs[1]
