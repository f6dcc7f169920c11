"""Every error, whatever raised it, in the vendor's format: the same tests over every API."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import pytest
from sandbox_helpers import Api, make_api, message_of, vendor_error
from starlette.testclient import TestClient

# A list each API serves to a known patient, and the table its handler reads.
LISTS = {
    "athena": ("/v1/{practiceid}/patients/{patientid}/securemessage/inboxmessages", "athena_thread"),
    "oracle": ("/20241001/patientMessages/inboxItems?patientId={patientId}", "oracle_item"),
    "mdhq": ("/api/v1/patients/{pt_id}/portal/enqueued", "mdhq_queue_request"),
}


def list_path(api: Api) -> str:
    return LISTS[api.name][0].format(**api.ids)


def test_known_patient_list_is_served(api_ro: Api) -> None:
    response = api_ro.get(list_path(api_ro))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_unknown_path_under_a_mount_is_404(api_ro: Api) -> None:
    body = vendor_error(api_ro.name, api_ro.get("/v1/no/such/endpoint"), 404)
    assert f"/{api_ro.name}/v1/no/such/endpoint" in message_of(api_ro.name, body)


def test_unknown_method_is_405_with_allow(api_ro: Api) -> None:
    response = api_ro.call("PUT", list_path(api_ro))
    vendor_error(api_ro.name, response, 405)
    # The list paths take GET only; HEAD comes with GET. Sorted, so the header never changes.
    assert response.headers["allow"] == "GET, HEAD"


def test_missing_credentials_are_401_with_www_authenticate(api_ro: Api) -> None:
    response = api_ro.get(list_path(api_ro), authed=False)
    vendor_error(api_ro.name, response, 401)
    scheme = "Basic" if api_ro.name == "mdhq" else "Bearer"
    assert response.headers["www-authenticate"] == f'{scheme} realm="{api_ro.name}"'


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Basic bm9ib2R5Om5vdGhpbmc=", "Basic !!!", "Token x"]
)
def test_wrong_credentials_are_401(api_ro: Api, authorization: str) -> None:
    response = api_ro.get(list_path(api_ro), authed=False, headers={"Authorization": authorization})
    vendor_error(api_ro.name, response, 401)
    assert "www-authenticate" in response.headers


def test_unknown_patient_is_404(api_ro: Api, template: sqlite3.Connection) -> None:
    unknown = {
        "athena": {
            **api_ro.ids,
            "patientid": template.execute("SELECT MAX(patientid) + 1 FROM athena_patient").fetchone()[0],
        },
        "oracle": {"patientId": "no-such-patient"},
        "mdhq": {"pt_id": template.execute("SELECT MAX(pt_id) + 1 FROM mdhq_patient").fetchone()[0]},
    }[api_ro.name]
    body = vendor_error(api_ro.name, api_ro.get(LISTS[api_ro.name][0].format(**unknown)), 404)
    assert "patient" in message_of(api_ro.name, body).lower()


def test_an_unexpected_exception_is_a_vendor_500_and_is_logged(
    api: Api, store: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    store.execute(f"DROP TABLE {LISTS[api.name][1]}")  # the handler's query now fails
    with caplog.at_level(logging.ERROR, logger="patientmsg.mockserver"):
        response = api.get(list_path(api))
    body = vendor_error(api.name, response, 500)
    assert "no such table" not in response.text and "sqlite" not in response.text.lower()
    assert message_of(api.name, body)
    assert any(record.exc_info for record in caplog.records), "the traceback goes to the log"


@pytest.mark.parametrize(
    ("api_name", "query", "parameter", "expected"),
    [
        ("athena", "limit=0", "limit", "limit must be at least 1."),
        ("athena", "limit=10001", "limit", "limit must be at most 10000."),
        ("athena", "limit=ten", "limit", "limit must be an integer."),
        ("athena", "offset=-1", "offset", "offset must be at least 0."),
        ("oracle", "limit=999", "limit", "limit must be at least 1000."),
        ("oracle", "sortBy=subject", "sortBy", "sortBy must be one of createDateTime, priority."),
        ("oracle", "status=READ", "status", "status values must be one of OPENED, UNREAD, DELETED."),
        (
            "oracle",
            "shouldLoadOrganizationSummary=yes",
            "shouldLoadOrganizationSummary",
            "must be true or false",
        ),
        (
            "oracle",
            "createDateTimeLessThanOrEqualTo=yesterday",
            "createDateTimeLessThanOrEqualTo",
            "ISO 8601",
        ),
    ],
)
def test_a_bad_parameter_is_400_naming_it(
    shared_client: TestClient,
    config: dict[str, Any],
    api_name: str,
    query: str,
    parameter: str,
    expected: str,
) -> None:
    api = make_api(api_name, shared_client, config)
    separator = "&" if "?" in list_path(api) else "?"
    body = vendor_error(api_name, api.get(f"{list_path(api)}{separator}{query}"), 400)
    text = message_of(api_name, body)
    assert expected in text
    # No schema internals: no jsonschema wording, no regex, no Python reprs.
    assert "is not of type" not in text and "Failed validating" not in text and "'" not in text
    if api_name == "oracle":
        assert body["details"][0]["source"] == {"parameters": [parameter]}


@pytest.mark.parametrize(
    ("api_name", "path", "parameter"),
    [
        ("athena", "/v1/abc/patients/1/securemessage/inboxmessages", "practiceid"),
        ("athena", "/v1/195900/patients/1/securemessage/abc/reply", "messagethreadid"),
        ("mdhq", "/api/v1/patients/abc/portal/enqueued", "pt_id"),
    ],
)
def test_an_ill_typed_path_id_is_400_naming_it(
    shared_client: TestClient, config: dict[str, Any], api_name: str, path: str, parameter: str
) -> None:
    api = make_api(api_name, shared_client, config)
    method = "POST" if path.endswith("/reply") else "GET"
    body = vendor_error(api_name, api.call(method, path), 400)
    assert message_of(api_name, body).startswith(f"{parameter} must be an integer")


def test_a_bad_header_is_400_naming_it(oracle_ro: Api) -> None:
    response = oracle_ro.get(list_path(oracle_ro), headers={"opc-request-id": "not valid!"})
    body = vendor_error("oracle", response, 400)
    assert body["details"][0]["source"] == {"headers": ["opc-request-id"]}
    assert response.headers["opc-request-id"] != "not valid!"


def test_a_missing_required_parameter_is_400(oracle_ro: Api) -> None:
    body = vendor_error("oracle", oracle_ro.get("/20241001/patientMessages/inboxItems"), 400)
    assert body["message"] == "patientId is required."
    assert body["details"][0]["source"] == {"parameters": ["patientId"]}


def test_no_problem_json_anywhere(api_ro: Api) -> None:
    responses = [
        api_ro.get("/nope"),
        api_ro.call("PATCH", list_path(api_ro)),
        api_ro.get(list_path(api_ro), authed=False),
        api_ro.client.get(f"/{api_ro.name}"),
    ]
    for response in responses:
        assert response.headers["content-type"] == "application/json"
        assert "type" not in response.json() and "title" not in response.json()


def test_cors_preflight_and_headers_on_errors(api_ro: Api) -> None:
    origin = "http://localhost:3000"
    preflight = api_ro.client.options(
        f"/{api_ro.name}{list_path(api_ro)}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin  # a loopback page: allowed
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    denied = api_ro.get(list_path(api_ro), authed=False, headers={"Origin": origin})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == origin
    assert "www-authenticate" in denied.headers["access-control-expose-headers"].lower()


def test_outside_the_mounts_errors_are_json(shared_client: TestClient) -> None:
    response = shared_client.get("/somewhere/else")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "/athena" in response.json()["message"]


def test_a_non_ascii_digit_in_a_path_id_is_400_naming_that_id(athena_ro: Api) -> None:
    response = athena_ro.get(
        "/v1/\uff11\uff19\uff15\uff19\uff10\uff10/patients/1/securemessage/inboxmessages"
    )
    assert vendor_error("athena", response, 400)["error"] == "practiceid must be an integer."
